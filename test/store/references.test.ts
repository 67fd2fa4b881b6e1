import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { INVOKE_BUDGET_MS } from '../../src/bot/cardActions.ts';
import type { NewIncident } from '../../src/domain/incident.ts';
import { firstBrokenLink } from '../../src/store/azure/auditChain.ts';
import { storageNames, tableClient } from '../../src/store/azure/clients.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { ReferenceNumbers } from '../../src/store/azure/referenceNumbers.ts';
import { BusyError, ConflictError, CONTENTION_BUDGET_MS, type IncidentStore, type SubmitOutcome } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

/** References without a hot row: many submits at once in one practice, from one or two processes. */

const storage = useAzurite();
let incidents: IncidentStore;

beforeAll(async () => {
  incidents = (await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix })).incidents;
});

const reporter = { aadObjectId: 'aad-reporter-refs', name: 'Rita Reception' };

function newIncident(practiceId: string, reportedAt = '2026-11-20T10:15:00.000Z'): NewIncident {
  return {
    practiceId,
    status: 'reported',
    reportedAt,
    reporter,
    draftId: randomUUID(),
    facts: {
      where: { platform: 'facebook', postUrl: 'https://www.facebook.com/post/1', seenAt: reportedAt, seenDate: '2026-11-20', seenTime: '09:00', authorRelationship: 'patient' },
      what: { postText: 'The receptionist was rude', categories: ['personal-attack'], namedParties: ['practice'] },
      risk: { atRisk: false },
      evidence: { screenshots: [], noScreenshotReason: 'Post was deleted' },
    },
  };
}

const submitAll = (store: IncidentStore, list: NewIncident[]) => list.map((i) => store.submit(i, { aadObjectId: i.reporter.aadObjectId, name: i.reporter.name }));
const sequence = (n: number) => Array.from({ length: n }, (_, i) => `PW-2026-${String(i + 1).padStart(4, '0')}`);

describe('reference numbers without a hot row', () => {
  it('gives 50 concurrent submits in one practice 50 distinct sequential references, with no error', async () => {
    const drafts = Array.from({ length: 50 }, () => newIncident('refs-fifty'));
    const settled = await Promise.allSettled(submitAll(incidents, drafts));
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    const outcomes = settled.map((s) => (s as PromiseFulfilledResult<SubmitOutcome>).value);
    expect(outcomes.every((o) => o.created)).toBe(true);
    expect(outcomes.map((o) => o.incident.reference).sort()).toEqual(sequence(50));
    // Every reference is stored, with its own draft, and reads back.
    for (const [i, outcome] of outcomes.entries()) {
      const stored = await incidents.get('refs-fifty', outcome.incident.reference);
      expect(stored?.draftId).toBe(drafts[i]!.draftId);
    }
  });

  it('never gives one reference twice when two processes (two sets of clients) submit at once on one storage account', async () => {
    const other = (await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix })).incidents;
    const a = Array.from({ length: 25 }, () => newIncident('refs-two-processes'));
    const b = Array.from({ length: 25 }, () => newIncident('refs-two-processes'));
    const settled = await Promise.allSettled([...submitAll(incidents, a), ...submitAll(other, b)]);
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    const references = settled.map((s) => (s as PromiseFulfilledResult<SubmitOutcome>).value.incident.reference);
    expect(new Set(references).size).toBe(50);
    // Both processes draw from one counter: together they use 1..50, no number stored twice.
    expect([...references].sort()).toEqual(sequence(50));
    const mine = await incidents.listByReporter('refs-two-processes', reporter.aadObjectId, 100);
    expect(mine).toHaveLength(50);
  });

  it('carries on the sequence after a burst, and a draft submitted again is answered with its first reference', async () => {
    const first = newIncident('refs-after');
    await Promise.all(submitAll(incidents, [first, ...Array.from({ length: 9 }, () => newIncident('refs-after'))]));
    const again = await incidents.submit(first, { aadObjectId: reporter.aadObjectId, name: reporter.name });
    expect(again.created).toBe(false);
    // The number taken for the repeated submit is not lost: the next report gets it.
    const next = await incidents.submit(newIncident('refs-after'), { aadObjectId: reporter.aadObjectId, name: reporter.name });
    expect(next.incident.reference).toBe('PW-2026-0011');
  });

  it('skips a number whose incident row already exists rather than overwrite it', async () => {
    const table = tableClient(storage.connectionString, storageNames(storage.tablePrefix).incidents);
    // As if a write timed out but landed: the row for 0001 exists though the counter never moved.
    await table.createEntity({ partitionKey: 'refs-taken', rowKey: 'incident|PW-2026-0001', kind: 'incident', reference: 'PW-2026-0001' });
    const outcome = await incidents.submit(newIncident('refs-taken'), { aadObjectId: reporter.aadObjectId, name: reporter.name });
    expect(outcome.incident.reference).toBe('PW-2026-0002');
    const untouched = await table.getEntity<{ reference: string; facts?: unknown }>('refs-taken', 'incident|PW-2026-0001');
    expect(untouched.facts).toBeUndefined();
  });

  it('gives up on a counter others keep taking with BusyError (contention), within its budget, never a storage error', async () => {
    const table = tableClient(storage.connectionString, storageNames(storage.tablePrefix).incidents);
    const loser = new ReferenceNumbers(table, { budgetMs: 50 });
    const rival = new ReferenceNumbers(table);
    await rival.take('refs-busy', 2026);
    // The loser's counter view is stale every time: another process writes between its read and its write.
    const spoiled = table.updateEntity.bind(table);
    let writes = 0;
    (table as { updateEntity: typeof table.updateEntity }).updateEntity = async (...args) => {
      writes++;
      await table.upsertEntity({ partitionKey: 'refs-busy', rowKey: 'counter|reference|2026', kind: 'counter', next: 1000 + writes }, 'Replace');
      return spoiled(...args);
    };
    await expect(loser.take('refs-busy', 2026)).rejects.toBeInstanceOf(BusyError);
    expect(writes).toBeGreaterThan(0);
  });

  it('keeps every contention budget under the time Teams waits for a card action', () => {
    expect(CONTENTION_BUDGET_MS).toBeLessThan(INVOKE_BUDGET_MS);
  });

  it('appends to the audit chain without re-reading a version it knows, and refuses a version another process replaced', async () => {
    const other = (await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix })).incidents;
    const actor = { aadObjectId: 'aad-manager', name: 'Mo Manager' };
    const { incident } = await incidents.submit(newIncident('refs-chain'), actor);
    // This process wrote that version: it updates without reading it again.
    const triaged = await incidents.update({ ...incident, status: 'awaiting-decision' }, { actor, action: 'incident.triaged', summary: 'Triaged.' });
    // Another process (which has never seen it) reads and changes it.
    const seen = await other.get('refs-chain', incident.reference);
    await other.update({ ...seen!, status: 'in-progress' }, { actor, action: 'incident.started', summary: 'Started.' });
    // The first process's remembered version is stale now: refused, nothing written.
    await expect(incidents.update({ ...triaged, status: 'closed' }, { actor, action: 'incident.closed', summary: 'Closed.' })).rejects.toBeInstanceOf(ConflictError);
    const trail = await incidents.auditTrail('refs-chain', incident.reference);
    expect(trail.map((e) => e.action)).toEqual(['incident.reported', 'incident.triaged', 'incident.started']);
    expect(firstBrokenLink(trail)).toBe(-1);
    // Identity stays as stored whatever a caller passes.
    const relabelled = await other.update({ ...(await other.get('refs-chain', incident.reference))!, reporter: { aadObjectId: 'aad-someone-else', name: 'X' } }, { actor, action: 'incident.noted', summary: 'Noted.' });
    expect(relabelled.reporter).toEqual(reporter);
  });
});
