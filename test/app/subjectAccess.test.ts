import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChains } from '../../src/app/auditVerify.ts';
import { Records } from '../../src/app/records.ts';
import { RetentionJob } from '../../src/app/retention.ts';
import { SubjectAccess } from '../../src/app/subjectAccess.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { Practice } from '../../src/domain/practice.ts';
import { subjectAccessDeadline, type IncidentExtract } from '../../src/domain/subjectAccess.ts';
import { RETENTION_RULES } from '../../src/policy/retention.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { plainText } from '../../src/views/plainText.ts';
import { useAzurite } from '../support/azurite.ts';

/** Subject access against Azurite with a fake clock: every place a person appears, others marked. */
const storage = useAzurite();
let stores: Stores;
let clock = new Date('2026-11-30T10:00:00.000Z');
const now = () => clock;
const mo = { aadObjectId: 'aad-mo', name: 'Mo Manager' };
const dee = { aadObjectId: 'aad-dee', name: 'Dee Protection' };
const rita = { aadObjectId: 'aad-rita', name: 'Rita Reception' };
const sam = { aadObjectId: 'aad-sam', name: 'Sam Jones' };
const HANDLE = '@Angry.Patient';

function practice(id: string): Practice {
  return { id, name: `Practice ${id}`, teamIds: [], staff: [], staffNames: [], managers: [mo.aadObjectId], deputies: [], dataProtectionOfficers: [dee.aadObjectId] };
}

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now });
});

async function incident(p: string, author: string, postText: string, options: { colleagues?: string; close?: string } = {}): Promise<Incident> {
  const { incident } = await stores.incidents.submit(
    {
      practiceId: p,
      status: 'reported',
      reportedAt: clock.toISOString(),
      reporter: rita,
      draftId: randomUUID(),
      facts: {
        where: { platform: 'facebook', seenAt: clock.toISOString(), seenDate: '2026-11-30', seenTime: '09:00', authorName: author, authorRelationship: 'patient' },
        what: { postText, categories: ['personal-attack'], namedParties: options.colleagues ? ['colleagues'] : [], ...(options.colleagues ? { namedColleagues: options.colleagues } : {}) },
        risk: { atRisk: false },
        evidence: { screenshots: [], noScreenshotReason: 'Deleted before I could' },
      },
    },
    rita,
  );
  const decided = await stores.incidents.update(
    { ...incident, status: 'resolved', handling: { version: 1, decision: { kind: 'no-response', by: mo, at: clock.toISOString(), reason: `Ignore; ${author} posts often` } } },
    { actor: mo, action: 'decision.recorded', summary: 'Decision: no public response.' },
  );
  if (!options.close) return decided;
  return stores.incidents.update(
    { ...decided, status: 'closed', handling: { ...decided.handling!, version: 2, closure: { outcome: options.close, closedBy: mo, closedAt: clock.toISOString() } } },
    { actor: mo, action: 'incident.close', summary: 'Closed.' },
  );
}

/** Where the text occurs in storage, found independently of the pack: the incident JSON and its audit trail. */
async function referencesMentioning(p: string, needle: string): Promise<string[]> {
  const found = new Set<string>();
  for await (const record of stores.incidents.auditRecords({ practiceId: p })) {
    const stored = JSON.stringify(record.incident ?? {}) + JSON.stringify(record.trail);
    if (stored.toLowerCase().includes(needle.toLowerCase())) found.add(record.reference);
  }
  return [...found].sort();
}

describe('subject access', () => {
  it('finds every incident where a handle appears, and marks everything about anyone else', async () => {
    const p = `sar-${randomUUID().slice(0, 8)}`;
    const authored = await incident(p, HANDLE, 'Rita on reception is a disgrace, Dr Brown too', { close: 'Post removed by Facebook' });
    const mentioned = await incident(p, '@someone.else', 'I agree with @angry.patient about this place');
    const unrelated = await incident(p, '@other.person', 'Terrible service, avoid', { colleagues: 'Sam Jones' });
    const sar = new SubjectAccess(stores, now);

    const recorded = await sar.request(practice(p), dee, HANDLE);
    expect(recorded.kind).toBe('recorded');
    if (recorded.kind !== 'recorded') return;
    expect(recorded.request).toMatchObject({ subject: HANDLE, receivedAt: '2026-11-30T10:00:00.000Z', dueAt: '2026-12-30T10:00:00.000Z', status: 'open', kind: 'subject-access' });

    const result = await sar.download(practice(p), dee, recorded.request.id, recorded.nonce);
    if (typeof result === 'string') throw new Error(result);
    const pack = JSON.parse(result.bytes.toString('utf8')) as { incidents: IncidentExtract[]; practice: string };
    expect(pack.practice).toBe(`Practice ${p}`);
    expect(pack.incidents.map((i) => i.reference).sort()).toEqual(await referencesMentioning(p, 'angry.patient'));
    expect(pack.incidents.map((i) => i.reference)).not.toContain(unrelated.reference);
    expect(pack.incidents.find((i) => i.reference === authored.reference)?.appearsAs).toContain('author of the post');
    expect(pack.incidents.find((i) => i.reference === mentioned.reference)?.appearsAs).toContain('mentioned in post text');

    const items = pack.incidents.flatMap((i) => i.items);
    // Every item that names the handle is in the pack...
    expect(items.filter((i) => /angry\.patient/i.test(i.value)).map((i) => i.field)).toEqual(
      expect.arrayContaining(['Author of the post (as reported)', 'Post text', 'Decision reason']),
    );
    // ...and nothing about another person is unmarked: only the subject's own identity is.
    for (const item of items.filter((i) => i.marking === 'subject')) expect(item.value.replace(/^@/, '').toLowerCase()).toBe('angry.patient');
    for (const other of ['Rita', 'Mo Manager', 'Dr Brown', 'someone.else']) {
      const naming = items.filter((i) => i.value.includes(other));
      expect(naming.length, other).toBeGreaterThan(0);
      expect(naming.every((i) => i.marking !== 'subject'), other).toBe(true);
    }
    expect(items.find((i) => i.field === 'Reporter')).toMatchObject({ value: 'Rita Reception', marking: 'third-party' });

    // The link works once; the download and the request are in the practice's audit.
    expect(await sar.download(practice(p), dee, recorded.request.id, recorded.nonce)).toBe('used');
    const audit = (await stores.practices.practiceAudit(p)).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(['subject-access.requested', 'subject-access.downloaded']));
  });

  it('finds a member of staff by object id or name in every role, and refuses anyone but a manager or the DPO', async () => {
    const p = `sar-${randomUUID().slice(0, 8)}`;
    const named = await incident(p, '@x', 'The nurse Sam Jones was rude', { colleagues: 'Sam Jones', close: 'Spoke to Sam Jones' });
    const sar = new SubjectAccess(stores, now);
    const byName = await sar.extracts(p, 'sam jones');
    expect(byName.map((e) => e.reference)).toEqual([named.reference]);
    expect(byName[0]?.appearsAs).toEqual(expect.arrayContaining(['named colleague', 'mentioned in post text', 'mentioned in closure outcome']));
    expect(await sar.extracts(p, 'Jon')).toEqual([]);
    const asReporter = await sar.extracts(p, rita.aadObjectId);
    expect(asReporter[0]?.appearsAs).toEqual(['reporter', 'named in the audit trail']);
    expect(asReporter[0]?.items.find((i) => i.field === 'Reporter')?.marking).toBe('subject');
    const asDecider = await sar.extracts(p, 'Mo Manager');
    expect(asDecider[0]?.appearsAs).toEqual(expect.arrayContaining(['decider', 'named in the audit trail']));

    expect(await sar.request(practice(p), rita, 'Sam Jones')).toEqual({ kind: 'denied' });
    expect(await sar.request(practice(p), sam, 'Sam Jones')).toEqual({ kind: 'denied' });
    const recorded = await sar.request(practice(p), mo, 'Sam Jones');
    if (recorded.kind !== 'recorded') throw new Error('not recorded');
    // Someone who is not a manager or the DPO reads nothing, even with the request id and a nonce.
    expect(await sar.download(practice(p), rita, recorded.request.id, recorded.nonce)).toBe('refused');
    expect((await stores.practices.practiceAudit(p)).filter((a) => a.action === 'subject-access.downloaded')).toEqual([]);
    expect(await sar.request(practice(p), mo, ' @ ')).toMatchObject({ kind: 'invalid' });
  });

  it('reminds the DPO a week before the one-month deadline, and the managers too once it has passed, until answered', async () => {
    const p = `sar-${randomUUID().slice(0, 8)}`;
    for (const who of [mo, dee]) await stores.practices.rememberUserChat(p, who.aadObjectId, { reference: { user: { id: `29:${who.aadObjectId}` } } });
    clock = new Date('2027-01-31T09:00:00.000Z');
    const sar = new SubjectAccess(stores, now);
    const recorded = await sar.request(practice(p), mo, '@someone');
    if (recorded.kind !== 'recorded') throw new Error('not recorded');
    expect(recorded.request.dueAt).toBe('2027-02-28T09:00:00.000Z');
    const remindersFor = async () => (await stores.outbox.pending()).filter((i) => i.practiceId === p).map((i) => i.target).sort();

    clock = new Date('2027-02-20T09:00:00.000Z');
    expect(await sar.remind([practice(p)])).toBe(0);
    clock = new Date('2027-02-21T09:00:00.000Z');
    await sar.remind([practice(p)]);
    await sar.remind([practice(p)]);
    expect(await remindersFor()).toEqual(['user:aad-dee']);
    clock = new Date('2027-02-28T09:00:00.000Z');
    await sar.remind([practice(p)]);
    expect(await remindersFor()).toEqual(['user:aad-dee', 'user:aad-dee', 'user:aad-mo']);
    expect(await sar.answered(practice(p), rita, recorded.request.id)).toMatch(/Only a practice manager/);
    expect(await sar.answered(practice(p), dee, recorded.request.id)).toMatch(/answered/);
    clock = new Date('2027-03-10T09:00:00.000Z');
    await sar.remind([practice(p)]);
    expect(await remindersFor()).toHaveLength(3);
    expect(subjectAccessDeadline(new Date('2027-03-31T12:00:00.000Z')).toISOString()).toBe('2027-04-30T12:00:00.000Z');
  });

  it('an early deletion needs the DPO and a reason, never touches open or held incidents, and leaves a tombstone', async () => {
    const p = `sar-${randomUUID().slice(0, 8)}`;
    const closed = await incident(p, HANDLE, 'post', { close: 'Done' });
    const open = await incident(p, HANDLE, 'post');
    const retention = new RetentionJob({ stores, rules: RETENTION_RULES, now, log: pino({ level: 'silent' }), instanceId: 'early' });
    const records = new Records(stores, retention, now, plainText);
    expect(await records.deleteEarly(practice(p), mo, closed.reference, 'Agreed')).toMatch(/Only the Data Protection Officer/);
    expect(await records.deleteEarly(practice(p), dee, closed.reference, ' ')).toMatch(/Say why/);
    expect(await records.deleteEarly(practice(p), dee, open.reference, 'Agreed')).toMatch(/not closed/);
    await records.hold(practice(p), mo, closed.reference, 'Claim pending');
    expect(await records.deleteEarly(practice(p), dee, closed.reference, 'Agreed')).toMatch(/under legal hold/);
    await records.release(practice(p), mo, closed.reference);
    expect(await records.deleteEarly(practice(p), dee, closed.reference, 'Erasure agreed, ERA-20261130-0001')).toMatch(/has been deleted/);
    expect(await stores.incidents.get(p, closed.reference)).toBeUndefined();
    const [tombstone] = await stores.incidents.auditTrail(p, closed.reference);
    expect(tombstone).toMatchObject({ action: 'records.deleted', actor: dee });
    expect(tombstone?.summary).toContain('Deleted early by the Data Protection Officer (Dee Protection): Erasure agreed, ERA-20261130-0001.');
    const reports = await verifyAuditChains(stores, { practiceId: p });
    expect(reports.find((r) => r.reference === closed.reference)).toMatchObject({ ok: true, deleted: { sequence: 6 } });
    expect(await stores.incidents.get(p, open.reference)).toBeDefined();
  });
});
