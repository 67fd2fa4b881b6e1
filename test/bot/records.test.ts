import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage, Sender } from '../../src/app/outbox.ts';
import type { Services } from '../../src/compose.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { PracticeDirectory } from '../../src/domain/practice.ts';
import { chainEntry, toAuditEntity } from '../../src/store/azure/auditChain.ts';
import { storageNames, tableClient } from '../../src/store/azure/clients.ts';
import { incidentRowKey } from '../../src/store/azure/incidentEntity.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { ConversationAddress, Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';
import { startServices } from '../support/services.ts';
import { storedReport } from '../support/reports.ts';
import { type Person, person, personalMessage, TeamsDriver, textsOf } from '../support/teams.ts';

/** Records duties as people use them in Teams: legal holds, the retention report, the seal in "verify audit". */
const storage = useAzurite();
const rita = person('rita');
const mary = person('mary');
const dan = person('dan');
const directory: PracticeDirectory = {
  practices: [{ id: 'millbrook', name: 'Millbrook Medical Centre', teamIds: [], staff: ['aad-rita'], staffNames: [], managers: ['aad-mary'], deputies: ['aad-dan'], dataProtectionOfficers: [] }],
};
let stores: Stores;
let clock = new Date('2026-11-24T09:00:00Z');
const now = () => clock;

function startBot(): { services: Services; driver: TeamsDriver; sent: Array<{ address: ConversationAddress; message: OutgoingMessage }> } {
  const sent: Array<{ address: ConversationAddress; message: OutgoingMessage }> = [];
  const sender: Sender = { send: async (address, message) => (sent.push({ address, message }), { id: `act-${randomUUID()}` }), update: async () => undefined };
  return { ...startServices({ directory, stores, now, sender, deliverAtOnce: false }), sent };
}

async function closedIncident(): Promise<Incident> {
  const incident = await storedReport(stores, rita, clock, { postText: 'A post', seenTime: '09:00' });
  const closedAt = clock.toISOString();
  return stores.incidents.update(
    { ...incident, status: 'closed', handling: { version: 1, closure: { outcome: 'Removed', closedBy: mary, closedAt, retainUntil: '2036-11-24T09:00:00.000Z', retentionBasis: '10 years from closure' } } },
    { actor: mary, action: 'incident.close', summary: 'Closed.' },
  );
}

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now });
  const h = startBot();
  for (const p of [rita, mary, dan]) await h.driver.send(personalMessage(p, 'help'));
});

describe('records duties in Teams', () => {
  it('a manager places and lifts a legal hold with a reason; a deputy and staff cannot, and learn nothing', async () => {
    const h = startBot();
    const incident = await closedIncident();
    const say = async (who: Person, text: string) => textsOf(await h.driver.send(personalMessage(who, text))).join(' ');

    const refusedStaff = await say(rita, `incident ${incident.reference} hold: mine`);
    const refusedDeputy = await say(dan, `incident ${incident.reference} hold: mine`);
    const refusedMissing = await say(rita, 'incident PW-2026-9999 hold: mine');
    expect(refusedStaff).toMatch(/Only a practice manager/);
    expect(refusedDeputy).toBe(refusedStaff);
    expect(refusedMissing).toBe(refusedStaff);

    expect(await say(mary, `incident ${incident.reference} hold:`)).toMatch(/Say why/);
    expect(await say(mary, `incident ${incident.reference} hold: Police investigation, crime ref 12/3456`)).toMatch(/Legal hold placed/);
    expect((await stores.incidents.get('millbrook', incident.reference))?.handling?.legalHold).toMatchObject({ reason: 'Police investigation, crime ref 12/3456', by: { aadObjectId: 'aad-mary' } });
    expect(await say(mary, `incident ${incident.reference} hold: again`)).toMatch(/already under legal hold/);

    const report = await say(mary, 'retention report');
    expect(report).toContain(`${incident.reference}: held since`);
    expect(await say(rita, 'retention report')).not.toContain(incident.reference);

    expect(await say(mary, `incident ${incident.reference} release hold`)).toMatch(/Legal hold lifted/);
    expect((await stores.incidents.get('millbrook', incident.reference))?.handling?.legalHold).toBeUndefined();
    const actions = (await stores.incidents.auditTrail('millbrook', incident.reference)).map((e) => e.action);
    expect(actions).toEqual(['incident.reported', 'incident.close', 'legal-hold.refused', 'legal-hold.refused', 'legal-hold.placed', 'legal-hold.lifted']);
    expect(await say(mary, 'retention report')).toContain(`${incident.reference}: closed 24 Nov 2026, kept until 24 Nov 2036`);
  });

  it('"verify audit" checks the chains against the latest seal and names one rewritten since', async () => {
    const h = startBot();
    const incident = await closedIncident();
    clock = new Date(clock.getTime() + 86_400_000);
    await stores.practices.setReviewChannel('millbrook', { reference: { conversation: { id: '19:review@thread.tacv2' } } }, { actor: mary, action: 'review-channel.set', summary: 'Set.' });
    const [seal] = await h.services.seals.run();
    expect(seal?.heads.some((x) => x.reference === incident.reference)).toBe(true);
    // The seal goes to the review channel as a small card.
    await h.services.outbox.deliverDue();
    const posted = h.sent.filter((s) => (s.address.reference.conversation as { id?: string } | undefined)?.id === '19:review@thread.tacv2');
    expect(posted).toHaveLength(1);
    const card = posted[0]!.message.card as { version?: string; body?: Array<{ text?: string }> };
    expect(card.version).toBe('1.5');
    expect(card.body?.[0]?.text).toBe(`Audit seal for 25 Nov 2026: ${seal!.digest.slice(0, 16)}…`);

    // Rewritten consistently in the table: entry 2 and the head on the incident.
    const table = tableClient(storage.connectionString, storageNames(storage.tablePrefix).incidents);
    const trail = await stores.incidents.auditTrail('millbrook', incident.reference);
    const forged = chainEntry({ practiceId: 'millbrook', reference: incident.reference, sequence: 2, at: trail[1]!.at, change: { actor: mary, action: 'incident.close', summary: 'Closed: nothing happened.' }, previousHash: trail[0]!.hash });
    await table.upsertEntity(toAuditEntity(forged), 'Replace');
    await table.updateEntity({ partitionKey: 'millbrook', rowKey: incidentRowKey(incident.reference), auditHash: forged.hash }, 'Merge');

    await h.driver.send(personalMessage(mary, 'verify audit'));
    let result: string | undefined;
    for (let i = 0; i < 100 && !result; i++) {
      result = (await stores.outbox.pending()).find((x) => x.id.startsWith('audit-check|aad-mary|'))?.text;
      if (!result) await new Promise((r) => setTimeout(r, 50));
    }
    expect(result).toMatch(/are intact/);
    expect(result).toContain(`Checked against the audit seal of ${seal!.day} (${seal!.digest.slice(0, 16)}…)`);
    expect(result).toContain(`${incident.reference}: entry 2 was rewritten after the seal`);
  });

  it('"subject access" and "erasure request" for managers and the DPO only, in private chat', async () => {
    const h = startBot();
    const incident = await closedIncident();
    const say = async (who: Person, text: string) => textsOf(await h.driver.send(personalMessage(who, text))).join(' ');
    const refused = await say(rita, 'subject access Rita');
    expect(refused).toMatch(/answered by the practice manager or the Data Protection Officer/);
    expect(refused).not.toMatch(/PW-|SAR-/);
    expect(await say(dan, 'subject access Rita')).toBe(refused);

    const answer = await say(mary, 'subject access [Rita](http://evil)');
    expect(answer).toMatch(/Subject access request SAR-\d{8}-[0-9a-f]{4} about "\\\[Rita\\\]\(http:\/\/evil\)" is recorded/);
    expect(answer).toMatch(/\/subject-access\?t=[\w.-]+/);
    expect(await say(mary, 'subject access')).toMatch(/Say whose data/);
    const id = /SAR-\d{8}-[0-9a-f]{4}/.exec(answer)![0];
    expect(await say(mary, `subject access answered ${id}`)).toMatch(/recorded as answered/);

    const erasure = await say(mary, 'erasure request Rita');
    expect(erasure).toMatch(new RegExp(`They appear in: [^.]*${incident.reference}`));
    expect(erasure).toMatch(/Records Management Code of Practice 2021/);
    expect(erasure).toMatch(/erasure decision ERA-\d{8}-[0-9a-f]{4}/);
    expect((await stores.practices.recordsRequests('millbrook')).map((r) => r.kind)).toEqual(expect.arrayContaining(['subject-access', 'erasure']));
  });
});
