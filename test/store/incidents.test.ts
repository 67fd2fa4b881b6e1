import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NewIncident } from '../../src/domain/incident.ts';
import { firstBrokenLink, GENESIS_HASH } from '../../src/store/azure/auditChain.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { ConflictError, type AuditActor, type IncidentStore } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

const storage = useAzurite();
let incidents: IncidentStore;

beforeAll(async () => {
  incidents = (await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix })).incidents;
});

const reporter = { aadObjectId: 'aad-reporter-1', name: 'Rita Reception' };
const manager: AuditActor = { aadObjectId: 'aad-manager', name: 'Mo Manager' };

function newIncident(overrides: Partial<NewIncident> & { postText?: string } = {}): NewIncident {
  const { postText, ...rest } = overrides;
  return {
    practiceId: 'practice-a',
    status: 'reported',
    reportedAt: '2026-11-20T10:15:00.000Z',
    reporter,
    draftId: randomUUID(),
    facts: {
      where: {
        platform: 'facebook',
        postUrl: 'https://www.facebook.com/post/1',
        seenAt: '2026-11-20T09:00:00.000Z',
        seenDate: '2026-11-20',
        seenTime: '09:00',
        authorRelationship: 'patient',
      },
      what: { postText: postText ?? 'The receptionist was rude', categories: ['personal-attack'], namedParties: ['practice'] },
      risk: { atRisk: false },
      evidence: { screenshots: [], noScreenshotReason: 'Post was deleted' },
    },
    ...rest,
  };
}

function actorOf(incident: NewIncident): AuditActor {
  return { aadObjectId: incident.reporter.aadObjectId, name: incident.reporter.name };
}

describe('incident store (Azure Tables)', () => {
  it('stores an incident with its reference and reads it back whole', async () => {
    const text = "O'Brien said ${danger} [click](http://evil) — “quoted” 😀 " + 'x'.repeat(7_900);
    const draft = newIncident({ practiceId: 'practice-create', postText: text });
    const outcome = await incidents.submit(draft, actorOf(draft));

    expect(outcome.created).toBe(true);
    expect(outcome.incident.reference).toBe('PW-2026-0001');
    expect(outcome.incident.etag).toBeTruthy();

    const read = await incidents.get('practice-create', 'PW-2026-0001');
    expect(read).toEqual({ ...draft, reference: 'PW-2026-0001', etag: outcome.incident.etag });
    expect(read?.facts.what.postText).toBe(text);
    expect(await incidents.findByDraft('practice-create', draft.draftId)).toEqual(read);
    expect(await incidents.get('practice-create', 'PW-2026-0002')).toBeUndefined();
    expect(await incidents.get('practice-other', 'PW-2026-0001')).toBeUndefined();
    expect(await incidents.findByDraft('practice-create', 'no-such-draft')).toBeUndefined();
  });

  it('keeps facts that are longer than one table property can hold', async () => {
    // Control characters double in JSON: the facts JSON is far over 32K characters.
    const text = '\u0001\n'.repeat(4_000);
    const draft = newIncident({ practiceId: 'practice-long', postText: text });
    const { incident } = await incidents.submit(draft, actorOf(draft));
    expect(JSON.stringify(incident.facts).length).toBeGreaterThan(32_000);
    expect((await incidents.get('practice-long', incident.reference))?.facts.what.postText).toBe(text);
  });

  it('numbers references by the UK calendar year of the report', async () => {
    const lastOf2026 = newIncident({ practiceId: 'practice-year', reportedAt: '2026-12-31T23:30:00.000Z' });
    const firstOf2027 = newIncident({ practiceId: 'practice-year', reportedAt: '2027-01-01T00:30:00.000Z' });
    const second2027 = newIncident({ practiceId: 'practice-year', reportedAt: '2027-03-01T12:00:00.000Z' });
    expect((await incidents.submit(lastOf2026, actorOf(lastOf2026))).incident.reference).toBe('PW-2026-0001');
    expect((await incidents.submit(firstOf2027, actorOf(firstOf2027))).incident.reference).toBe('PW-2027-0001');
    expect((await incidents.submit(second2027, actorOf(second2027))).incident.reference).toBe('PW-2027-0002');
  });

  it('lists only that reporter’s incidents in that practice, newest first, at most the limit', async () => {
    const practiceId = 'practice-list';
    const mine = (day: number) =>
      newIncident({ practiceId, reportedAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00.000Z` });
    const other = newIncident({ practiceId, reporter: { aadObjectId: 'aad-someone-else', name: 'Sam' } });
    const elsewhere = newIncident({ practiceId: 'practice-list-2' });
    for (const incident of [mine(3), other, mine(1), mine(5), elsewhere, mine(4)]) {
      await incidents.submit(incident, actorOf(incident));
    }

    const listed = await incidents.listByReporter(practiceId, reporter.aadObjectId, 10);
    expect(listed.map((i) => i.reportedAt.slice(0, 10))).toEqual(['2026-11-05', '2026-11-04', '2026-11-03', '2026-11-01']);
    expect(listed.every((i) => i.practiceId === practiceId && i.reporter.aadObjectId === reporter.aadObjectId)).toBe(true);
    expect(listed.every((i) => typeof i.etag === 'string')).toBe(true);

    expect((await incidents.listByReporter(practiceId, reporter.aadObjectId, 2)).map((i) => i.reportedAt.slice(0, 10))).toEqual([
      '2026-11-05',
      '2026-11-04',
    ]);
    expect(await incidents.listByReporter(practiceId, 'aad-someone-else', 10)).toHaveLength(1);
    expect(await incidents.listByReporter('practice-list-2', reporter.aadObjectId, 10)).toHaveLength(1);
    expect(await incidents.listByReporter(practiceId, "aad-o'nobody", 10)).toEqual([]);
  });

  it('gives 20 concurrent submits in one practice 20 sequential references, independent of another practice', async () => {
    const a = Array.from({ length: 20 }, () => newIncident({ practiceId: 'practice-busy' }));
    const b = Array.from({ length: 5 }, () => newIncident({ practiceId: 'practice-quiet' }));
    const outcomes = await Promise.all([...a, ...b].map((incident) => incidents.submit(incident, actorOf(incident))));

    const busy = outcomes.slice(0, 20);
    expect(busy.every((o) => o.created)).toBe(true);
    const references = busy.map((o) => o.incident.reference).sort();
    expect(references).toEqual(Array.from({ length: 20 }, (_, i) => `PW-2026-${String(i + 1).padStart(4, '0')}`));
    // Each draft got its own incident.
    for (const [index, outcome] of busy.entries()) expect(outcome.incident.draftId).toBe(a[index]?.draftId);

    const quiet = outcomes.slice(20).map((o) => o.incident.reference).sort();
    expect(quiet).toEqual(['PW-2026-0001', 'PW-2026-0002', 'PW-2026-0003', 'PW-2026-0004', 'PW-2026-0005']);

    // The next one carries on the sequence.
    const next = newIncident({ practiceId: 'practice-busy' });
    expect((await incidents.submit(next, actorOf(next))).incident.reference).toBe('PW-2026-0021');
  });

  it('stores a draft submitted twice once (one after the other)', async () => {
    const draft = newIncident({ practiceId: 'practice-twice' });
    const first = await incidents.submit(draft, actorOf(draft));
    const second = await incidents.submit(draft, actorOf(draft));
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.incident).toEqual(first.incident);
    expect(await incidents.listByReporter('practice-twice', reporter.aadObjectId, 10)).toHaveLength(1);
  });

  it('stores a draft submitted twice at the same moment once', async () => {
    const draft = newIncident({ practiceId: 'practice-double-click' });
    const others = Array.from({ length: 3 }, () => newIncident({ practiceId: 'practice-double-click' }));
    const outcomes = await Promise.all(
      [draft, draft, draft, ...others].map((incident) => incidents.submit(incident, actorOf(incident))),
    );
    const same = outcomes.slice(0, 3);
    expect(same.filter((o) => o.created)).toHaveLength(1);
    expect(new Set(same.map((o) => o.incident.reference)).size).toBe(1);
    const all = await incidents.listByReporter('practice-double-click', reporter.aadObjectId, 10);
    expect(all).toHaveLength(4);
    expect(all.map((i) => i.reference).sort()).toEqual(['PW-2026-0001', 'PW-2026-0002', 'PW-2026-0003', 'PW-2026-0004']);
  });

  it('updates with the current ETag and refuses a stale one', async () => {
    const draft = newIncident({ practiceId: 'practice-update' });
    const { incident } = await incidents.submit(draft, actorOf(draft));

    const triaged = await incidents.update(
      { ...incident, status: 'awaiting-decision' },
      { actor: manager, action: 'incident.triaged', summary: 'Triaged.' },
    );
    expect(triaged.status).toBe('awaiting-decision');
    expect(triaged.etag).not.toBe(incident.etag);
    expect(await incidents.get('practice-update', incident.reference)).toEqual(triaged);

    // A second manager still holding the first version loses.
    await expect(
      incidents.update({ ...incident, status: 'closed' }, { actor: manager, action: 'incident.closed', summary: 'Closed.' }),
    ).rejects.toBeInstanceOf(ConflictError);
    // Two concurrent writers with the same version: exactly one wins.
    const results = await Promise.allSettled([
      incidents.update({ ...triaged, status: 'in-progress' }, { actor: manager, action: 'a', summary: 'One.' }),
      incidents.update({ ...triaged, status: 'resolved' }, { actor: manager, action: 'b', summary: 'Two.' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(ConflictError);

    const stored = await incidents.get('practice-update', incident.reference);
    expect(['in-progress', 'resolved']).toContain(stored?.status);
    // The stale and losing writes left no audit entries behind.
    expect((await incidents.auditTrail('practice-update', incident.reference)).map((e) => e.sequence)).toEqual([1, 2, 3]);
  });

  it('keeps a hash-linked audit trail, in order', async () => {
    const draft = newIncident({ practiceId: 'practice-audit' });
    let { incident } = await incidents.submit(draft, actorOf(draft));
    for (const step of ['awaiting-decision', 'in-progress', 'resolved'] as const) {
      incident = await incidents.update({ ...incident, status: step }, { actor: manager, action: `status.${step}`, summary: `Now ${step}.` });
    }

    const trail = await incidents.auditTrail('practice-audit', incident.reference);
    expect(trail.map((e) => [e.sequence, e.action])).toEqual([
      [1, 'incident.reported'],
      [2, 'status.awaiting-decision'],
      [3, 'status.in-progress'],
      [4, 'status.resolved'],
    ]);
    expect(trail[0]?.previousHash).toBe(GENESIS_HASH);
    expect(trail[0]?.actor).toEqual(actorOf(draft));
    for (let i = 1; i < trail.length; i++) expect(trail[i]?.previousHash).toBe(trail[i - 1]?.hash);
    expect(trail.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && e.practiceId === 'practice-audit')).toBe(true);
    expect(firstBrokenLink(trail)).toBe(-1);

    // Tampering with any entry is detected.
    const edited = trail.map((e, i) => (i === 2 ? { ...e, summary: 'Something else.' } : e));
    expect(firstBrokenLink(edited)).toBe(2);
    expect(firstBrokenLink(trail.filter((_, i) => i !== 1))).toBe(1);

    expect(await incidents.auditTrail('practice-audit', 'PW-2026-0999')).toEqual([]);
  });
});
