import { beforeAll, describe, expect, it } from 'vitest';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { ConflictError, type Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

const storage = useAzurite();
let stores: Stores;
const t0 = new Date('2026-11-24T10:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const actor = { aadObjectId: 'aad-mary', name: 'Mary' };
/** A short post on X reported at t0, no screenshots. */
const reportFacts = (atRisk: boolean) => ({
  where: { platform: 'x' as const, seenAt: t0.toISOString(), seenDate: '2026-11-24', seenTime: '09:00', authorRelationship: 'patient' as const },
  what: { postText: 'post', categories: ['threat' as const], namedParties: [] },
  risk: { atRisk },
  evidence: { screenshots: [], noScreenshotReason: 'none' },
});

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now: () => t0 });
});

describe('practice set-up', () => {
  it('always applies the configured roles, adds the saved ones to them (ETag-checked, audited)', async () => {
    const first = await stores.practices.roles('p1', { managers: ['aad-mary'], deputies: [], dataProtectionOfficers: [] });
    expect(first.value.managers).toEqual(['aad-mary']);
    await stores.practices.saveRoles('p1', { managers: [], deputies: ['aad-dan'], dataProtectionOfficers: [] }, first.etag, { actor, action: 'role.added', summary: 'Made Dan deputy.' });
    // The configuration changed: its managers are in force at once, next to what was added in Teams.
    const again = await stores.practices.roles('p1', { managers: ['someone-else'], deputies: [], dataProtectionOfficers: [] });
    expect(again.value).toEqual({ managers: ['someone-else'], deputies: ['aad-dan'], dataProtectionOfficers: [], safeguardingLeads: [] });
    await expect(stores.practices.saveRoles('p1', first.value, first.etag, { actor, action: 'x', summary: 'stale' })).rejects.toBeInstanceOf(ConflictError);
    expect((await stores.practices.practiceAudit('p1')).map((e) => e.action)).toEqual(['role.added']);
  });

  it('keeps the review channel and each person\'s 1:1 chat per practice', async () => {
    await stores.practices.setReviewChannel('p1', { reference: { conversation: { id: '19:c' } } }, { actor, action: 'review-channel.set', summary: 'Set.' });
    expect((await stores.practices.reviewChannel('p1'))?.reference).toEqual({ conversation: { id: '19:c' } });
    expect(await stores.practices.reviewChannel('p2')).toBeUndefined();
    await stores.practices.rememberUserChat('p1', 'AAD-Rita', { reference: { user: { id: '29:r' } }, teamsUserId: '29:r' });
    expect((await stores.practices.userChat('p1', 'aad-rita'))?.teamsUserId).toBe('29:r');
    expect(await stores.practices.userChat('p2', 'aad-rita')).toBeUndefined();
  });
});

describe('a 1:1 chat the connector refused for good', () => {
  it('is not offered once marked not working, unless the person has a new chat since; talking to the bot again clears the mark', async () => {
    const chat = (id: string) => ({ reference: { conversation: { id }, user: { id: '29:m', name: 'Mary' } }, teamsUserId: '29:m' });
    await stores.practices.rememberUserChat('p1', 'aad-mary', chat('a:old'));
    // A send to a chat she has since replaced says nothing about the new one.
    await stores.practices.markChatNotWorking('p1', 'AAD-Mary', 'a:other');
    expect((await stores.practices.userChat('p1', 'aad-mary'))?.reference.conversation).toEqual({ id: 'a:old' });
    await stores.practices.markChatNotWorking('p1', 'AAD-Mary', 'a:old');
    expect(await stores.practices.userChat('p1', 'aad-mary')).toBeUndefined();
    // Marking twice is harmless; other practices and people are untouched.
    await stores.practices.markChatNotWorking('p1', 'aad-mary', 'a:old');
    expect((await stores.practices.userChat('p1', 'aad-rita'))?.teamsUserId).toBe('29:r');
    await stores.practices.rememberUserChat('p1', 'aad-mary', chat('a:old'));
    expect((await stores.practices.userChat('p1', 'aad-mary'))?.reference.conversation).toEqual({ id: 'a:old' });
  });
});

describe('outbox', () => {
  const item = (id: string, target = 'user:a', text = id) => ({ practiceId: 'p1', id, kind: 'message' as const, target, address: { reference: {} }, text });

  it('queues idempotently, in order, and lets only one claimant send', async () => {
    await stores.outbox.enqueue([item('o1'), item('o2'), item('o1')], at(0));
    const pending = (await stores.outbox.pending()).filter((i) => i.id.startsWith('o'));
    expect(pending.map((i) => i.id)).toEqual(['o1', 'o2']);
    const [a, b] = await Promise.all([stores.outbox.claim(pending[0]!, at(60)), stores.outbox.claim(pending[0]!, at(60))]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    const claimed = (a ?? b)!;
    await stores.outbox.markFailed(claimed, at(30), 'HTTP 429');
    const retried = (await stores.outbox.pending()).find((i) => i.id === 'o1')!;
    expect(retried).toMatchObject({ attempts: 1, nextAttemptAt: at(30).toISOString(), lastError: 'HTTP 429' });
    await stores.outbox.markSent(retried, 'act-1', at(31));
    expect((await stores.outbox.pending()).some((i) => i.id === 'o1')).toBe(false);
  });

  it('finds the delivered incident cards of an incident, to update every copy', async () => {
    await stores.outbox.enqueue([{ ...item('PW-1|channel|card', 'channel'), kind: 'incident-card', reference: 'PW-1' }], at(0));
    const card = (await stores.outbox.pending()).find((i) => i.id === 'PW-1|channel|card')!;
    expect(await stores.outbox.sentCards('p1', 'PW-1')).toEqual([]);
    await stores.outbox.markSent(card, 'act-card', at(1));
    expect((await stores.outbox.sentCards('p1', 'PW-1')).map((c) => c.sentActivityId)).toEqual(['act-card']);
  });
});

describe('leases', () => {
  it('gives a job to one holder at a time, renews it for that holder, and frees it when it runs out', async () => {
    const results = await Promise.all([stores.leases.acquire('job', 'a', at(0), at(120)), stores.leases.acquire('job', 'b', at(0), at(120))]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const holder = results[0] ? 'a' : 'b';
    const other = holder === 'a' ? 'b' : 'a';
    expect(await stores.leases.acquire('job', holder, at(60), at(180))).toBe(true);
    expect(await stores.leases.acquire('job', other, at(100), at(220))).toBe(false);
    expect(await stores.leases.acquire('job', other, at(181), at(300))).toBe(true);
  });
});

describe('single-use marks', () => {
  it('are taken once however many ask at once, and purged only after their time', async () => {
    const taken = await Promise.all(Array.from({ length: 5 }, () => stores.leases.useOnce('evidence-link|abc', at(600))));
    expect(taken.filter(Boolean)).toHaveLength(1);
    expect(await stores.leases.useOnce('evidence-link|abc', at(600))).toBe(false);
    expect(await stores.leases.useOnce('evidence-link|other', at(1200))).toBe(true);
    expect(await stores.leases.purgeUsed(at(599))).toBe(0);
    expect(await stores.leases.purgeUsed(at(600))).toBe(1);
    // The job lease in the same table is not a mark: untouched.
    expect(await stores.leases.acquire('job', 'someone', at(0), at(10))).toBe(false);
    expect(await stores.leases.useOnce('evidence-link|other', at(1200))).toBe(false);
  });
});

describe('refusal counts', () => {
  it('count every refused press per person, incident and window, also when pressed at once', async () => {
    const facts = reportFacts(false);
    const { incident } = await stores.incidents.submit({ practiceId: 'p-refusals', status: 'reported', reportedAt: t0.toISOString(), reporter: actor, draftId: 'd-refusals', facts }, actor);
    const hour = new Date('2026-11-24T10:00:00Z');
    const counts = await Promise.all(Array.from({ length: 4 }, () => stores.incidents.countRefusal('p-refusals', incident.reference, 'aad-sam', hour, at(5))));
    expect(counts.sort()).toEqual([1, 2, 3, 4]);
    expect(await stores.incidents.countRefusal('p-refusals', incident.reference, 'AAD-SAM', hour, at(6))).toBe(5);
    expect(await stores.incidents.countRefusal('p-refusals', incident.reference, 'aad-sam', new Date('2026-11-24T11:00:00Z'), at(3700))).toBe(1);
    expect(await stores.incidents.countRefusal('p-refusals', incident.reference, 'aad-other', hour, at(7))).toBe(1);
    // The count sits beside the incident; it is neither an incident nor an audit row.
    expect((await stores.incidents.auditTrail('p-refusals', incident.reference)).map((e) => e.action)).toEqual(['incident.reported']);
    expect((await stores.incidents.get('p-refusals', incident.reference))?.reference).toBe(incident.reference);
  });
});

describe('the register rows', () => {
  it('follow the incident in the same transaction: there while open, gone when closed, back when reopened', async () => {
    const facts = reportFacts(true);
    const { incident } = await stores.incidents.submit(
      { practiceId: 'reg', status: 'reported', reportedAt: t0.toISOString(), reporter: actor, draftId: 'reg-d1', facts },
      actor,
    );
    const open = async () => (await stores.incidents.listOpen('reg')).map((o) => [o.reference, o.status, o.atRisk, o.platform]);
    expect(await open()).toEqual([[incident.reference, 'reported', true, 'x']]);
    const routed = await stores.incidents.update({ ...incident, status: 'awaiting-decision', handling: { version: 1 } }, { actor, action: 'incident.routed', summary: 'Routed.' });
    expect(await open()).toEqual([[incident.reference, 'awaiting-decision', true, 'x']]);
    expect((await stores.incidents.listOpen('reg'))[0]?.handling?.version).toBe(1);
    // One status only (the summary's overdue count reads those awaiting a decision).
    const inStatus = async (status: 'awaiting-decision' | 'in-progress') => (await stores.incidents.listOpen('reg', status)).map((o) => o.reference);
    expect([await inStatus('awaiting-decision'), await inStatus('in-progress')]).toEqual([[incident.reference], []]);
    const closed = await stores.incidents.update({ ...routed, status: 'closed' }, { actor, action: 'incident.close', summary: 'Closed.' });
    expect(await open()).toEqual([]);
    await stores.incidents.update({ ...closed, status: 'in-progress' }, { actor, action: 'incident.reopen', summary: 'Reopened.' });
    expect(await open()).toEqual([[incident.reference, 'in-progress', true, 'x']]);
    expect([await inStatus('awaiting-decision'), await inStatus('in-progress')]).toEqual([[], [incident.reference]]);
    expect(await stores.incidents.listOpen('another')).toEqual([]);
  });

  it('are what the routing sweep and the reminders read: each practice asked, no other practice seen, routed ones not unrouted', async () => {
    const facts = reportFacts(false);
    const report = async (practiceId: string, draftId: string) =>
      (await stores.incidents.submit({ practiceId, status: 'reported', reportedAt: t0.toISOString(), reporter: actor, draftId, facts }, actor)).incident;
    const [a1, a2, b1, c1] = [await report('sweep-a', 'sa1'), await report('sweep-a', 'sa2'), await report('sweep-b', 'sb1'), await report('sweep-c', 'sc1')];
    await stores.incidents.update({ ...a2, status: 'awaiting-decision', handling: { version: 1 } }, { actor, action: 'incident.routed', summary: 'Routed.' });
    const refs = (rows: Array<{ practiceId: string; reference: string }>) => rows.map((r) => `${r.practiceId} ${r.reference}`).sort();

    const unrouted = async (practiceId: string, limit = 50) => refs(await stores.incidents.listUnrouted(practiceId, limit));
    expect([await unrouted('sweep-a'), await unrouted('sweep-b'), await unrouted('sweep-c')]).toEqual([[`sweep-a ${a1.reference}`], [`sweep-b ${b1.reference}`], [`sweep-c ${c1.reference}`]]);
    // A practice's read holds its own rows only, routed ones left out, and stops at the limit.
    expect(await stores.incidents.listUnrouted('sweep-a', 0)).toEqual([]);
    expect([refs(await stores.incidents.listActive('sweep-a')), refs(await stores.incidents.listActive('sweep-b'))]).toEqual([[`sweep-a ${a2.reference}`], []]);
  });
});
