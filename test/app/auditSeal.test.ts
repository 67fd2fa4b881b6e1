import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TableClient } from '@azure/data-tables';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditSealJob, checkAgainstSeal, describeSealCheck, londonDay } from '../../src/app/auditSeal.ts';
import { verifyAuditChains } from '../../src/app/auditVerify.ts';
import { RetentionJob } from '../../src/app/retention.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { Practice } from '../../src/domain/practice.ts';
import { RETENTION_RULES } from '../../src/policy/retention.ts';
import { chainEntry, toAuditEntity } from '../../src/store/azure/auditChain.ts';
import { evidenceContainer, storageNames, tableClient } from '../../src/store/azure/clients.ts';
import { key } from '../../src/store/azure/entities.ts';
import { incidentRowKey } from '../../src/store/azure/incidentEntity.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';
import { storedReport } from '../support/reports.ts';

const storage = useAzurite();
let stores: Stores;
let table: TableClient;
let clock = new Date('2026-11-30T21:00:00.000Z');
const now = () => clock;
const log = pino({ level: 'silent' });
const manager = { aadObjectId: 'aad-manager', name: 'Mo Manager' };

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now });
  table = tableClient(storage.connectionString, storageNames(storage.tablePrefix).incidents);
});

function practice(id: string): Practice {
  return { id, name: `Practice ${id}`, teamIds: [], staff: [], staffNames: [], managers: [manager.aadObjectId], deputies: [], dataProtectionOfficers: [] };
}

function sealJob(practices: Practice[], instanceId = 'seal-main'): AuditSealJob {
  return new AuditSealJob({ stores, practices: () => practices, now, log, instanceId });
}

async function incident(practiceId: string): Promise<Incident> {
  const incident = await storedReport(stores, manager, clock, { practiceId, postText: 'A post', seenTime: '09:00' });
  const routed = await stores.incidents.update({ ...incident, status: 'awaiting-decision', handling: { version: 1 } }, { actor: manager, action: 'incident.routed', summary: 'Routed.' });
  return stores.incidents.update({ ...routed, handling: { version: 2 } }, { actor: manager, action: 'decision.recorded', summary: 'Decided: no response.' });
}

/** What someone with write access to the table can do: rewrite entry 3 and the head, consistently. */
async function rewriteChain(practiceId: string, reference: string): Promise<void> {
  const trail = await stores.incidents.auditTrail(practiceId, reference);
  const forged = chainEntry({ practiceId, reference, sequence: 3, at: trail[2]!.at, change: { actor: manager, action: 'decision.recorded', summary: 'Decided: public reply.' }, previousHash: trail[1]!.hash });
  await table.upsertEntity(toAuditEntity(forged), 'Replace');
  await table.updateEntity({ partitionKey: key(practiceId), rowKey: incidentRowKey(reference), auditHash: forged.hash }, 'Merge');
}

describe('the audit seal', () => {
  it('seals every chain head once a day, keeps it in blob storage and posts it to the review channel once', async () => {
    const p = `seal-${randomUUID().slice(0, 8)}`;
    await incident(p);
    await incident(p);
    await stores.practices.setReviewChannel(p, { reference: { conversation: { id: '19:review' } } }, { actor: manager, action: 'review-channel.set', summary: 'Set.' });
    const [first] = await sealJob([practice(p)]).run();
    const [again] = await sealJob([practice(p)]).run();
    expect(first?.day).toBe('2026-11-30');
    expect(first?.heads.map((h) => h.sequence)).toEqual([3, 3]);
    expect(again).toEqual(first);
    expect(await stores.seals.latest(p)).toEqual(first);
    const posted = (await stores.outbox.pending()).filter((i) => i.practiceId === p);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ target: 'channel', kind: 'notice-card' });
    expect(JSON.parse(posted[0]!.text!).title).toBe(`Audit seal for 30 Nov 2026: ${first!.digest.slice(0, 16)}…`);
    // A second instance at the same time does not seal at all.
    expect(await sealJob([practice(p)], 'seal-other').run()).toEqual([]);
    expect(londonDay(new Date('2026-06-30T23:30:00.000Z'))).toBe('2026-07-01');
  });

  it('catches a chain rewritten consistently after the seal, which the chain check alone cannot', async () => {
    const p = `seal-${randomUUID().slice(0, 8)}`;
    const kept = await incident(p);
    const rewritten = await incident(p);
    const deleted = await incident(p);
    clock = new Date(clock.getTime() + 86_400_000);
    const [seal] = await sealJob([practice(p)]).run();

    // After the seal: normal work goes on, one incident is deleted by Postwatch, one is rewritten.
    const current = (await stores.incidents.get(p, kept.reference))!;
    await stores.incidents.update({ ...current, status: 'closed' }, { actor: manager, action: 'incident.close', summary: 'Closed.' });
    await new RetentionJob({ stores, rules: RETENTION_RULES, now, log, instanceId: 'r' }).erase((await stores.incidents.get(p, deleted.reference))!, 'Erased early by the DPO.', manager);
    await rewriteChain(p, rewritten.reference);

    const chains = await verifyAuditChains(stores, { practiceId: p });
    expect(chains.every((r) => r.ok)).toBe(true);
    const check = await checkAgainstSeal(stores, seal);
    expect(check.kind === 'checked' && check.changes.map((c) => c.reference)).toEqual([rewritten.reference]);
    expect(describeSealCheck(check)).toMatch(new RegExp(`${rewritten.reference}: entry 3 was rewritten after the seal`));
    expect(describeSealCheck(check)).not.toContain(kept.reference);

    // The stored seal rewritten too (to hide it) no longer matches its digest, or the one posted in Teams.
    const container = evidenceContainer(storage.connectionString, storageNames(storage.tablePrefix).sealContainer);
    const name = `${key(p)}/${seal!.day}-${seal!.digest}.json`;
    const heads = seal!.heads.map((h) => (h.reference === rewritten.reference ? { ...h, hash: 'f'.repeat(64) } : h));
    await container.getBlockBlobClient(name).uploadData(Buffer.from(JSON.stringify({ ...seal, heads })));
    expect((await checkAgainstSeal(stores, await stores.seals.latest(p))).kind).toBe('seal-altered');
  });

  it('npm run audit:verify -- --seal <hex> names the rewritten incident and fails; an unknown seal fails too', async () => {
    const p = `seal-${randomUUID().slice(0, 8)}`;
    const good = await incident(p);
    const bad = await incident(p);
    clock = new Date(clock.getTime() + 2 * 86_400_000);
    const [seal] = await sealJob([practice(p)]).run();
    const script = fileURLToPath(new URL('../../scripts/audit-verify.ts', import.meta.url));
    const env = { ...process.env, AZURE_STORAGE_CONNECTION_STRING: storage.connectionString, POSTWATCH_TABLE_PREFIX: storage.tablePrefix };
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, ['--import', 'tsx', '--no-deprecation', script, ...args], { env, timeout: 60_000 }, (error, stdout) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout });
        });
      });
    const hex = seal!.digest.slice(0, 16);
    const whole = await run(['--practice', p, '--seal', `${hex}…`]);
    expect(whole.stdout).toContain('SEAL   ok');
    expect(whole.code).toBe(0);

    await rewriteChain(p, bad.reference);
    const caught = await run(['--practice', p, '--seal', hex]);
    expect(caught.code).toBe(1);
    expect(caught.stdout).toContain(`${bad.reference}: entry 3 was rewritten after the seal`);
    expect(caught.stdout).not.toContain(`${good.reference}: entry`);
    expect(caught.stdout).toContain('seal shows some were rewritten');

    const unknown = await run(['--practice', p, '--seal', '0123456789abcdef']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('No stored audit seal has the digest 0123456789abcdef');
    expect((await run(['--seal', 'xyz'])).code).toBe(2);
  });
});
