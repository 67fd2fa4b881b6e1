import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TableClient } from '@azure/data-tables';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { summariseChainReports, verifyAuditChains, describeChainReport } from '../../src/app/auditVerify.ts';
import { Records } from '../../src/app/records.ts';
import { RefusalLimiter, Refusals } from '../../src/app/refusals.ts';
import { RetentionJob } from '../../src/app/retention.ts';
import { SubjectAccess } from '../../src/app/subjectAccess.ts';
import type { Incident, NewIncident } from '../../src/domain/incident.ts';
import type { Practice } from '../../src/domain/practice.ts';
import type { EvidenceFile } from '../../src/domain/report.ts';
import { stampRetention } from '../../src/domain/retention.ts';
import { summaryFromCounts } from '../../src/domain/summary.ts';
import { RETENTION_RULES } from '../../src/policy/retention.ts';
import { storageNames, tableClient } from '../../src/store/azure/clients.ts';
import { key } from '../../src/store/azure/entities.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { ConflictError, type Stores } from '../../src/store/ports.ts';
import { plainText } from '../../src/views/plainText.ts';
import { useAzurite } from '../support/azurite.ts';

/**
 * The records duty against Azurite with a fake clock: what is due is deleted with a tombstone,
 * what is open or held is kept, and the audit check reads the deletion as a deletion.
 */
const storage = useAzurite();
let stores: Stores;
let table: TableClient;
let clock = new Date('2015-01-01T09:00:00.000Z');
const now = () => clock;
const log = pino({ level: 'silent' });

const manager = { aadObjectId: 'aad-manager', name: 'Mo Manager' };
const reception = { aadObjectId: 'aad-reception', name: 'Rita Reception' };

function practice(id: string): Practice {
  return { id, name: `Practice ${id}`, teamIds: [], staff: [], staffNames: [], managers: [manager.aadObjectId], deputies: [], dataProtectionOfficers: [] };
}

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now });
  table = tableClient(storage.connectionString, storageNames(storage.tablePrefix).incidents);
});

/** One instance by default (its lease renews across tests whose clocks jump about); others by name. */
function job(instanceId = 'instance-main'): RetentionJob {
  return new RetentionJob({ stores, rules: RETENTION_RULES, now, log, instanceId });
}

/** An incident reported and closed at the given instants, with screenshots and a delivered card. */
async function closedIncident(practiceId: string, closedAt: string, options: { atRisk?: boolean; screenshots?: number; open?: boolean } = {}): Promise<Incident> {
  const draftId = randomUUID();
  clock = new Date(Date.parse(closedAt) - 86_400_000);
  const files: EvidenceFile[] = [];
  for (let n = 1; n <= (options.screenshots ?? 1); n++) {
    files.push(await stores.evidence.put({ practiceId, draftId, fileName: `s${n}.png`, contentType: 'image/png', bytes: Buffer.from(`shot ${n} ${draftId}`), receivedAt: clock }));
  }
  const draft: NewIncident = {
    practiceId,
    status: 'reported',
    reportedAt: clock.toISOString(),
    reporter: reception,
    draftId,
    facts: {
      where: { platform: 'facebook', postUrl: 'https://www.facebook.com/millbrook/posts/1', seenAt: clock.toISOString(), seenDate: '2015-01-01', seenTime: '09:00', authorName: '@angry.patient', authorRelationship: 'patient' },
      what: { postText: 'The receptionist was rude', categories: ['personal-attack'], namedParties: ['practice'] },
      risk: { atRisk: options.atRisk ?? false },
      evidence: { screenshots: files },
    },
  };
  let { incident } = await stores.incidents.submit(draft, reception);
  incident = await stores.incidents.update({ ...incident, status: 'awaiting-decision', handling: { version: 1 } }, { actor: manager, action: 'incident.routed', summary: 'Routed.' });
  await stores.outbox.enqueue([{ practiceId, id: `${incident.reference}|card|manager`, kind: 'incident-card', target: 'user:aad-manager', address: { reference: {} }, reference: incident.reference }], clock);
  const [item] = await stores.outbox.forIncident(practiceId, incident.reference);
  await stores.outbox.markSent(item!, 'activity-1', clock);
  if (options.open) return incident;
  clock = new Date(closedAt);
  const closed: Incident = stampRetention(
    { ...incident, status: 'closed', handling: { version: 2, closure: { outcome: 'Post removed', closedBy: manager, closedAt } } },
    RETENTION_RULES,
  );
  return stores.incidents.update(closed, { actor: manager, action: 'incident.close', summary: 'Closed.' });
}

async function rowsOf(practiceId: string): Promise<string[]> {
  const rows: string[] = [];
  for await (const e of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${key(practiceId)}'` } })) rows.push(e.rowKey ?? '');
  return rows.filter((r) => !r.startsWith('counter|'));
}

describe('the retention job', () => {
  it('deletes an incident closed 10 years and a day ago, leaving a tombstone that verifies as a deletion', async () => {
    const p = `ret-${randomUUID().slice(0, 8)}`;
    const old = await closedIncident(p, '2016-03-01T12:00:00.000Z', { screenshots: 2 });
    const recent = await closedIncident(p, '2016-03-03T12:00:00.000Z');
    clock = new Date('2026-03-02T12:00:01.000Z');

    const dry = await job().run({ dryRun: true });
    expect(dry.due.filter((d) => d.practiceId === p).map((d) => d.reference)).toEqual([old.reference]);
    expect(dry.deleted).toEqual([]);
    expect(await stores.incidents.get(p, old.reference)).toBeDefined();

    const run = await job().run();
    expect(run.ran).toBe(true);
    expect(run.deleted.filter((d) => d.practiceId === p)).toEqual([{ practiceId: p, reference: old.reference, tombstoneSequence: 4 }]);
    expect(await stores.incidents.get(p, old.reference)).toBeUndefined();
    expect(await stores.incidents.get(p, recent.reference)).toBeDefined();
    // Every row tied to it is gone but the tombstone; its screenshots and delivered card too.
    expect((await rowsOf(p)).filter((r) => r.includes(old.reference) || r.includes(old.draftId))).toEqual([`audit|${old.reference}|000004`]);
    expect(await stores.evidence.removeForDraft(p, old.draftId)).toBe(0);
    await expect(stores.evidence.read(old.facts.evidence.screenshots[0]!.blobName)).rejects.toThrow(/no such file/);
    expect(await stores.outbox.forIncident(p, old.reference)).toEqual([]);

    const [tombstone] = await stores.incidents.auditTrail(p, old.reference);
    expect(tombstone?.action).toBe('records.deleted');
    expect(tombstone?.summary).toMatch(/kept until 1 Mar 2026 \(10 years from closure\) under the Records Management Code of Practice/);
    expect(tombstone?.summary).toMatch(/2 screenshots, 1 notification row/);
    expect(tombstone?.summary).not.toMatch(/Rita|rude|angry/);

    const reports = await verifyAuditChains(stores, { practiceId: p });
    expect(reports.map((r) => [r.reference, r.ok, r.deleted?.sequence])).toEqual([
      [old.reference, true, 4],
      [recent.reference, true, undefined],
    ]);
    expect(describeChainReport(reports[0]!)).toMatch(/^deleted .* deleted by Postwatch under the records policy/);
    expect(summariseChainReports(reports)).toMatchObject({ incidents: 2, ok: 2, broken: 0, deleted: 1 });
  });

  it('deletes the author and post index rows with the incident and its refusal counts, leaves the month counts, and subject access then finds nothing', async () => {
    const p = `ret-${randomUUID().slice(0, 8)}`;
    const old = await closedIncident(p, '2012-01-10T12:00:00.000Z');
    const later = await closedIncident(p, '2012-01-20T12:00:00.000Z');
    // A colleague refused twice on the old one (the count row names them), once on the later one.
    for (const at of ['2012-01-10T13:10:00.000Z', '2012-01-10T13:20:00.000Z']) await stores.incidents.countRefusal(p, old.reference, 'aad-nosy', new Date('2012-01-10T13:00:00.000Z'), new Date(at));
    await stores.incidents.countRefusal(p, later.reference, 'aad-nosy', new Date('2012-01-20T13:00:00.000Z'), new Date('2012-01-20T13:05:00.000Z'));
    const authorRows = async () => (await rowsOf(p)).filter((r) => r.startsWith('author|'));
    const postRows = async () => (await rowsOf(p)).filter((r) => r.startsWith('post|'));
    expect(await authorRows()).toHaveLength(2);
    expect(await postRows()).toHaveLength(2);
    const earlier = () => stores.incidents.earlierReports(p, { authorKey: 'facebook:angry.patient' }, '2013-01-01T00:00:00.000Z');
    expect((await earlier()).map((i) => i.reference).sort()).toEqual([old.reference, later.reference].sort());
    const sar = new SubjectAccess(stores, now);
    expect((await sar.extracts(p, '@angry.patient')).map((e) => e.reference).sort()).toEqual([old.reference, later.reference].sort());
    const month = old.reportedAt.slice(0, 7);
    const countsBefore = summaryFromCounts(await stores.incidents.summaryCounts(p, month));

    // Deleted 10 years and a day after its closure; the later one is not due yet.
    clock = new Date('2022-01-11T12:00:00.000Z');
    expect((await job().run()).deleted.filter((d) => d.practiceId === p).map((d) => d.reference)).toEqual([old.reference]);

    // Nothing of the deleted incident names its author or the refused colleague any more.
    const left = await rowsOf(p);
    expect(left.filter((r) => r.includes(old.reference))).toEqual([`audit|${old.reference}|000004`]);
    expect(await authorRows()).toEqual([expect.stringContaining(later.reference)]);
    expect(await postRows()).toEqual([expect.stringContaining(later.reference)]);
    expect(left.filter((r) => r.startsWith('refusal|'))).toEqual([expect.stringContaining(later.reference)]);
    expect((await earlier()).map((i) => i.reference)).toEqual([later.reference]);
    expect((await sar.extracts(p, '@angry.patient')).map((e) => e.reference)).toEqual([later.reference]);
    // The month's counts are as they were: the trend counts what was reported, not what is kept.
    expect(summaryFromCounts(await stores.incidents.summaryCounts(p, month))).toEqual(countsBefore);
    expect(countsBefore).toMatchObject({ total: 2, open: 0 });

    // An incident without index rows (stored before they existed) is deleted all the same.
    await table.deleteEntity(key(p), (await authorRows())[0]!);
    await table.deleteEntity(key(p), (await postRows())[0]!);
    clock = new Date('2022-01-21T12:00:01.000Z');
    expect((await job().run()).deleted.filter((d) => d.practiceId === p).map((d) => d.reference)).toEqual([later.reference]);
    expect((await rowsOf(p)).filter((r) => !r.startsWith('count|'))).toEqual([`audit|${old.reference}|000004`, `audit|${later.reference}|000004`]);
    expect(await sar.extracts(p, '@angry.patient')).toEqual([]);
  });

  it('refuses, as a conflict, a change to an incident deleted since it was read (its audit head remembered)', async () => {
    const p = `ret-${randomUUID().slice(0, 8)}`;
    const incident = await closedIncident(p, '2011-01-01T12:00:00.000Z');
    clock = new Date('2030-01-01T00:00:00.000Z');
    await job().erase(incident, 'Test.', manager);
    // The store remembers the head for this ETag, so it does not read the row before writing.
    await expect(stores.incidents.update(incident, { actor: manager, action: 'incident.note', summary: 'Late.' })).rejects.toBeInstanceOf(ConflictError);
    await stores.incidents.appendAudit(p, incident.reference, { actor: manager, action: 'decision.refused', summary: 'Late.' });
    expect((await stores.incidents.auditTrail(p, incident.reference)).map((e) => e.action)).toEqual(['records.deleted']);
    expect(await stores.incidents.get(p, incident.reference)).toBeUndefined();
  });

  it('still catches a tombstone that was edited after the deletion', async () => {
    const p = `ret-${randomUUID().slice(0, 8)}`;
    const old = await closedIncident(p, '2010-01-01T12:00:00.000Z');
    clock = new Date('2026-01-01T12:00:00.000Z');
    await job().run();
    const row = await table.getEntity(key(p), `audit|${old.reference}|000004`);
    await table.updateEntity({ partitionKey: row.partitionKey!, rowKey: row.rowKey!, summary: 'Nothing to see.' }, 'Merge');
    const [edited] = await verifyAuditChains(stores, { practiceId: p });
    expect(edited).toMatchObject({ ok: false, brokenAt: 4 });
    expect(edited?.problems[0]?.kind).toBe('edited');
  });

  it('keeps an incident under legal hold, and deletes it once the manager releases the hold', async () => {
    const p = `ret-${randomUUID().slice(0, 8)}`;
    const held = await closedIncident(p, '2014-06-01T12:00:00.000Z');
    const records = new Records(stores, job(), now, plainText, new Refusals({ incidents: stores.incidents, limiter: new RefusalLimiter(now), now, isPractice: () => true }));
    expect(await records.hold(practice(p), manager, held.reference, 'Police investigation [ref](http://evil)')).toMatch(/Legal hold placed/);
    clock = new Date('2030-01-01T00:00:00.000Z');
    const run = await job().run();
    expect(run.deleted.filter((d) => d.practiceId === p)).toEqual([]);
    expect(run.held.map((h) => h.reference)).toContain(held.reference);
    expect(await stores.incidents.get(p, held.reference)).toBeDefined();
    const report = await records.report(practice(p), manager.aadObjectId);
    expect(report).toContain(`${held.reference}: held since`);
    expect(report).toContain('Police investigation \\[ref\\](http://evil)');
    const trail = await stores.incidents.auditTrail(p, held.reference);
    expect(trail.at(-1)).toMatchObject({ action: 'legal-hold.placed', actor: manager });

    expect(await records.release(practice(p), manager, held.reference)).toMatch(/Legal hold lifted/);
    expect((await stores.incidents.auditTrail(p, held.reference)).at(-1)?.action).toBe('legal-hold.lifted');
    const again = await job(randomUUID()).run();
    // The first run's lease (30 minutes) belongs to another instance: this one waits for it.
    expect(again.ran).toBe(false);
    clock = new Date(clock.getTime() + 31 * 60_000);
    expect((await job().run()).deleted.map((d) => d.reference)).toContain(held.reference);
  });

  it('refuses a hold from anyone but a manager, saying the same whether the incident exists or not', async () => {
    const p = `ret-${randomUUID().slice(0, 8)}`;
    const incident = await closedIncident(p, '2020-01-01T12:00:00.000Z');
    const records = new Records(stores, job(), now, plainText, new Refusals({ incidents: stores.incidents, limiter: new RefusalLimiter(now), now, isPractice: () => true }));
    const onReal = await records.hold(practice(p), reception, incident.reference, 'mine');
    const onMissing = await records.hold(practice(p), reception, 'PW-2020-9999', 'mine');
    expect(onReal).toBe(onMissing);
    expect(onReal).not.toContain(incident.reference);
    expect((await stores.incidents.get(p, incident.reference))?.handling?.legalHold).toBeUndefined();
    expect((await stores.incidents.auditTrail(p, incident.reference)).at(-1)).toMatchObject({ action: 'legal-hold.refused', actor: reception });
    expect(await records.release(practice(p), reception, incident.reference)).toBe(onReal);
    // What the refused person could read: the retention report is not for them either.
    expect(await records.report(practice(p), reception.aadObjectId)).not.toContain(incident.reference);
  });

  it('never deletes an open incident, and keeps a serious one (police involvement) for 20 years', async () => {
    const p = `ret-${randomUUID().slice(0, 8)}`;
    const open = await closedIncident(p, '1990-01-01T12:00:00.000Z', { open: true });
    const serious = await closedIncident(p, '2000-01-01T12:00:00.000Z', { atRisk: true });
    expect(serious.handling?.closure).toMatchObject({ retainUntil: '2020-01-01T12:00:00.000Z', retentionBasis: '20 years from closure (serious: police involvement)' });
    clock = new Date('2019-12-31T12:00:00.000Z');
    const before = await job().run({ dryRun: true });
    expect(before.due.filter((d) => d.practiceId === p)).toEqual([]);
    clock = new Date('2020-01-02T12:00:00.000Z');
    await job().run();
    expect(await stores.incidents.get(p, open.reference)).toBeDefined();
    expect(await stores.incidents.get(p, serious.reference)).toBeUndefined();
  });

  it('two instances at once delete each due incident once: one takes the lease, and a stale read cannot delete', async () => {
    const p = `ret-${randomUUID().slice(0, 8)}`;
    const a = await closedIncident(p, '2001-01-01T12:00:00.000Z');
    clock = new Date('2040-06-01T00:00:00.000Z');
    const runs = await Promise.all([job('instance-a').run(), job('instance-b').run()]);
    expect(runs.filter((r) => r.ran)).toHaveLength(1);
    const trail = await stores.incidents.auditTrail(p, a.reference);
    expect(trail.map((e) => e.action)).toEqual(['records.deleted']);

    // Without the lease, two erasures of the same read: one wins, the other changes nothing.
    const b = await closedIncident(p, '2001-02-01T12:00:00.000Z');
    clock = new Date('2040-06-01T00:00:00.000Z');
    const read = (await stores.incidents.get(p, b.reference))!;
    const results = await Promise.allSettled([0, 1].map((i) => job(`x${i}`).erase(read, 'Test.', manager)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(ConflictError) });
    expect((await stores.incidents.auditTrail(p, b.reference)).filter((e) => e.action === 'records.deleted')).toHaveLength(1);

    // A hold placed after the job read the incident wins.
    const c = await closedIncident(p, '2001-03-01T12:00:00.000Z');
    clock = new Date('2040-06-01T00:00:00.000Z');
    const stale = (await stores.incidents.get(p, c.reference))!;
    await new Records(stores, job(), now, plainText, new Refusals({ incidents: stores.incidents, limiter: new RefusalLimiter(now), now, isPractice: () => true })).hold(practice(p), manager, c.reference, 'Claim');
    await expect(job().erase(stale, 'Test.', manager)).rejects.toBeInstanceOf(ConflictError);
    expect((await stores.incidents.get(p, c.reference))?.handling?.legalHold?.reason).toBe('Claim');
  });

  it('finishes a deletion interrupted after the tombstone, and purges delivered cards of closed incidents only', async () => {
    const p = `ret-${randomUUID().slice(0, 8)}`;
    const interrupted = await closedIncident(p, '2002-01-01T12:00:00.000Z');
    const closedRecently = await closedIncident(p, '2039-01-01T12:00:00.000Z');
    const open = await closedIncident(p, '2039-01-01T12:00:00.000Z', { open: true });
    clock = new Date('2041-01-01T00:00:00.000Z');
    // The crash: step 1 done, nothing else.
    await stores.incidents.erase((await stores.incidents.get(p, interrupted.reference))!, { actor: manager, action: 'records.deleted', summary: 'Deleted early.' });
    expect((await stores.incidents.pendingErasures()).map((e) => e.reference)).toContain(interrupted.reference);
    expect((await verifyAuditChains(stores, { practiceId: p, reference: interrupted.reference }))[0]).toMatchObject({ ok: true, deleted: { sequence: 4 } });

    const run = await job().run();
    expect(run.finished).toBeGreaterThanOrEqual(1);
    expect((await stores.incidents.pendingErasures()).map((e) => e.reference)).not.toContain(interrupted.reference);
    expect((await rowsOf(p)).filter((r) => r.includes(interrupted.reference))).toEqual([`audit|${interrupted.reference}|000004`]);
    expect(await stores.evidence.removeForDraft(p, interrupted.draftId)).toBe(0);
    expect(await stores.outbox.forIncident(p, closedRecently.reference)).toEqual([]);
    expect(await stores.outbox.forIncident(p, open.reference)).toHaveLength(1);
    expect(await stores.incidents.get(p, closedRecently.reference)).toBeDefined();
  });

  it('npm run retention -- --dry-run lists what is due and when, and deletes nothing', async () => {
    const p = `ret-${randomUUID().slice(0, 8)}`;
    const due = await closedIncident(p, '2010-05-01T12:00:00.000Z');
    const kept = await closedIncident(p, '2025-05-01T12:00:00.000Z');
    const script = fileURLToPath(new URL('../../scripts/retention.ts', import.meta.url));
    const run = (env: Record<string, string>, args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const clean = { ...process.env };
        delete clean.AZURE_STORAGE_CONNECTION_STRING;
        execFile(process.execPath, ['--import', 'tsx', '--no-deprecation', script, ...args], { env: { ...clean, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
        });
      });
    const dry = await run({ AZURE_STORAGE_CONNECTION_STRING: storage.connectionString, POSTWATCH_TABLE_PREFIX: storage.tablePrefix }, ['--dry-run', '--practice', p]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`DUE   ${p} ${due.reference}: kept until 1 May 2020 (10 years from closure)`);
    expect(dry.stdout).toContain(`kept  ${p} ${kept.reference}: until 1 May 2035`);
    expect(dry.stdout).toContain('Dry run: 1 incident would be deleted now; nothing was deleted.');
    expect(await stores.incidents.get(p, due.reference)).toBeDefined();
    const none = await run({}, ['--dry-run']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('AZURE_STORAGE_CONNECTION_STRING is not set');
  });
});
