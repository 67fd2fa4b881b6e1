import { randomBytes } from 'node:crypto';
import { describeClient, type DownloadClient } from './downloadClient.ts';
import type { Person } from '../domain/handling.ts';
import type { Practice } from '../domain/practice.ts';
import { ukDate } from '../domain/ukTime.ts';
import { isDpo, isManager, type PracticeRoles } from '../domain/roles.ts';
import { extractFor, subjectAccessDeadline, SubjectMatcher, type IncidentExtract } from '../domain/subjectAccess.ts';
import type { NewOutboxItem, RecordsRequest, Stores } from '../store/ports.ts';
import { personKey, personTarget } from './outboxTargets.ts';
import { REMINDER_ID } from './reminders.ts';
import { rolesOf } from './practiceRoles.ts';

/**
 * Subject access and erasure requests, for the practice managers and the DPO. A request is
 * recorded with its one-month deadline (the DPO is reminded before it, like an overdue task); the
 * pack is built when the link is opened, from what is stored then, and each link works once.
 */

export type SubjectAccessStores = Pick<Stores, 'incidents' | 'practices' | 'outbox' | 'leases'>;

export type RequestOutcome = { kind: 'denied' } | { kind: 'invalid'; message: string } | { kind: 'recorded'; request: RecordsRequest; nonce: string };

export const SUBJECT_HELP = 'Say whose data, for example "subject access @angry.patient", "subject access Sam Jones" or an Entra object id.';

/** Manager or DPO: the people who answer requests under UK GDPR for the practice. */
export function answersRequests(roles: PracticeRoles, aadObjectId: string): boolean {
  return isManager(roles, aadObjectId) || isDpo(roles, aadObjectId);
}

export class SubjectAccess {
  constructor(
    private readonly stores: SubjectAccessStores,
    private readonly now: () => Date,
    private readonly queued: () => void = () => undefined,
  ) {}

  async request(practice: Practice, person: Person, subject: string, kind: RecordsRequest['kind'] = 'subject-access'): Promise<RequestOutcome> {
    if (!answersRequests(await this.roles(practice), person.aadObjectId)) return { kind: 'denied' };
    const wanted = subject.trim();
    if (wanted.replace(/^@+/, '').trim().length < 2 || wanted.length > 200) return { kind: 'invalid', message: SUBJECT_HELP };
    const now = this.now();
    const request: RecordsRequest = {
      practiceId: practice.id,
      id: `${kind === 'erasure' ? 'ERA' : 'SAR'}-${now.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(2).toString('hex')}`,
      kind,
      subject: wanted,
      receivedAt: now.toISOString(),
      dueAt: subjectAccessDeadline(now).toISOString(),
      recordedBy: person,
      status: 'open',
    };
    await this.stores.practices.saveRecordsRequest(request);
    await this.stores.practices.audit(practice.id, { actor: person, action: `${kind}.requested`, summary: `${request.id} recorded: ${kind === 'erasure' ? 'erasure' : 'subject access'} request about "${wanted}", due by ${ukDate(request.dueAt)}.` });
    return { kind: 'recorded', request, nonce: randomBytes(16).toString('hex') };
  }

  /** The pack, once per link, if the person still answers requests for the practice. */
  async download(practice: Practice, person: Person, requestId: string, nonce: string, client: DownloadClient): Promise<{ fileName: string; bytes: Buffer; incidents: number } | 'refused' | 'used'> {
    if (!answersRequests(await this.roles(practice), person.aadObjectId)) return 'refused';
    const request = (await this.stores.practices.recordsRequests(practice.id)).find((r) => r.id === requestId);
    if (!request) return 'refused';
    const now = this.now();
    // A used link is a lease that never runs out: taken once, atomically, whatever the instance.
    if (!(await this.stores.leases.acquire(`link|${nonce}`, randomBytes(8).toString('hex'), now, new Date('9999-12-31T00:00:00.000Z')))) return 'used';
    const extracts = await this.extracts(practice.id, request.subject);
    const pack = {
      format: 'postwatch-subject-access/1',
      practice: practice.name,
      request: { id: request.id, subject: request.subject, receivedAt: request.receivedAt, dueAt: request.dueAt },
      generatedAt: now.toISOString(),
      markings: {
        subject: "The person's own name, handle or id.",
        'third-party': "Another person's name or id: redact before disclosure unless an exemption or their consent applies (DPA 2018 Sch. 2 para. 16).",
        review: 'Free text that may name or describe other people: read it and redact what is about someone else.',
      },
      note: 'Nothing has been removed: the Data Protection Officer reviews every marked item before anything is disclosed. Screenshots are listed; their files are in each incident\'s evidence pack.',
      incidents: extracts,
    };
    await this.stores.practices.audit(practice.id, { actor: person, action: 'subject-access.downloaded', summary: `${request.id}: pack downloaded (${extracts.length} incidents) by ${describeClient(client)}.` });
    return { fileName: `${request.id}.json`, bytes: Buffer.from(JSON.stringify(pack, null, 2), 'utf8'), incidents: extracts.length };
  }

  async extracts(practiceId: string, subject: string): Promise<IncidentExtract[]> {
    const match = new SubjectMatcher(subject);
    const found: IncidentExtract[] = [];
    for await (const record of this.stores.incidents.auditRecords({ practiceId })) {
      if (!record.incident) continue;
      const extract = extractFor(record.incident, record.trail, match);
      if (extract) found.push(extract);
    }
    return found;
  }

  /** "subject access answered SAR-…": the request is closed and reminders stop. */
  async answered(practice: Practice, person: Person, requestId: string, decision?: string): Promise<string> {
    if (!answersRequests(await this.roles(practice), person.aadObjectId)) return 'Only a practice manager or the Data Protection Officer can record that.';
    const request = (await this.stores.practices.recordsRequests(practice.id)).find((r) => r.id.toLowerCase() === requestId.toLowerCase());
    if (!request) return `There is no request ${requestId} at ${practice.name}.`;
    if (request.status === 'answered') return `${request.id} was already recorded as answered on ${ukDate(request.answeredAt ?? '')}.`;
    const now = this.now().toISOString();
    await this.stores.practices.saveRecordsRequest({ ...request, status: 'answered', answeredAt: now, answeredBy: person, ...(decision ? { decision } : {}) });
    await this.stores.practices.audit(practice.id, { actor: person, action: `${request.kind}.answered`, summary: `${request.id} answered${decision ? `: ${decision}` : ''}.` });
    return `${request.id} recorded as answered${now > request.dueAt ? ' (after its deadline)' : ''}.`;
  }

  /**
   * Like an overdue task: a week before the deadline the DPO (or, with none, the managers) is
   * reminded; on the deadline, the managers too. Deterministic ids: each reminder goes once.
   */
  async remind(practices: readonly Practice[]): Promise<number> {
    const now = this.now();
    const items: NewOutboxItem[] = [];
    for (const practice of practices) {
      const roles = await this.roles(practice);
      for (const request of await this.stores.practices.recordsRequests(practice.id)) {
        if (request.status !== 'open') continue;
        const due = Date.parse(request.dueAt);
        const level = now.getTime() >= due ? 2 : now.getTime() >= due - 7 * 86_400_000 ? 1 : 0;
        if (level === 0) continue;
        const owners = roles.dataProtectionOfficers.length > 0 ? roles.dataProtectionOfficers : roles.managers;
        for (const aad of new Set([...owners, ...(level === 2 ? roles.managers : [])].map(personKey))) {
          const chat = await this.stores.practices.userChat(practice.id, aad);
          if (!chat) continue;
          items.push({
            practiceId: practice.id,
            id: `${request.id}${REMINDER_ID}L${level}|${personTarget(aad)}`,
            kind: 'message',
          // Re-derived every run: once delivered, never again.
          sendOnce: true,
            target: personTarget(aad),
            address: chat,
            urgent: level === 2,
            text:
              level === 1
                ? `Reminder: ${request.kind === 'erasure' ? 'erasure' : 'subject access'} request ${request.id} must be answered by ${ukDate(request.dueAt)}. When it is, type "subject access answered ${request.id}".`
                : `Overdue: ${request.kind === 'erasure' ? 'erasure' : 'subject access'} request ${request.id} was due on ${ukDate(request.dueAt)} (one month from receipt, UK GDPR). Please answer it today, then type "subject access answered ${request.id}".`,
          });
        }
      }
    }
    await this.stores.outbox.enqueue(items, now);
    if (items.length > 0) this.queued();
    return items.length;
  }

  private async roles(practice: Practice): Promise<PracticeRoles> {
    return rolesOf(this.stores.practices, practice);
  }
}
