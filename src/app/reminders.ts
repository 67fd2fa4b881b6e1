import { decisionDue, handlingOf } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import type { Practice } from '../domain/practice.ts';
import { remembered } from '../domain/remembered.ts';
import { uniquePeople, type PracticeRoles } from '../domain/roles.ts';
import type { Logger } from '../log.ts';
import { describeError } from '../log.ts';
import type { NewOutboxItem, OpenIncident, Stores } from '../store/ports.ts';
import { personTarget } from './outboxTargets.ts';
import { holdsJobLease, type JobLease } from './jobLease.ts';
import { rolesOf } from './practiceRoles.ts';

/**
 * Deadlines: when a decision or a follow-up action passes its target, its owner is reminded; past
 * twice the target, the deputy too. Runs in the bot process; with several instances one holds the
 * lease. Reminders are queued with deterministic ids, so none is sent twice however often the job
 * runs, and none is skipped after a restart: each run works out afresh what is overdue.
 */

export interface RemindersDeps {
  stores: Pick<Stores, 'incidents' | 'practices' | 'outbox' | 'leases'>;
  practices: (id: string) => Practice | undefined;
  /** The practices this deployment serves: the job reads each one's register rows. */
  practiceIds: () => readonly string[];
  now: () => Date;
  log: Logger;
  /** This instance's name for the lease. */
  instanceId: string;
  queued?: () => void;
}

const LEASE: JobLease = { name: 'reminders', ms: 2 * 60_000 };
const KNOWN_REMINDERS = 20_000;
/** Marks a reminder's outbox id (an incident's and a subject access request's), so its delivery is logged as a reminder sent. */
export const REMINDER_ID = '|reminder|';

export function isReminder(item: { id: string }): boolean {
  return item.id.includes(REMINDER_ID);
}

interface Overdue {
  subject: string;
  what: string;
  /** 1: past the target; 2: past twice the target. */
  level: 1 | 2;
  owners: string[];
}

export class Reminders {
  /** The latest run of the job on this instance (for /healthz); leaseHeld false: another instance ran it. */
  lastRun: { at: string; queued: number; leaseHeld: boolean } | undefined;

  constructor(private readonly deps: RemindersDeps) {}

  /**
   * Reminders this process has queued (or found queued) already: their ids are the same every
   * run, so the next runs need not write them again. Bounded; forgetting one costs one write.
   */
  private readonly known = new Map<string, true>();

  /** One run; returns how many reminders were queued (0 if another instance holds the lease). */
  async run(): Promise<number> {
    const now = this.deps.now();
    if (!(await holdsJobLease(this.deps.stores.leases, LEASE, this.deps.instanceId, now))) {
      this.lastRun = { at: now.toISOString(), queued: 0, leaseHeld: false };
      return 0;
    }
    let queued = 0;
    for (const practiceId of this.deps.practiceIds()) queued += await this.remindAt(practiceId, now);
    if (queued > 0) this.deps.queued?.();
    this.lastRun = { at: now.toISOString(), queued, leaseHeld: true };
    return queued;
  }

  /** One practice's reminders: one practice's storage failing does not hold up the others. */
  private async remindAt(practiceId: string, now: Date): Promise<number> {
    const practice = this.deps.practices(practiceId);
    if (!practice) return 0;
    let active: OpenIncident[];
    try {
      active = await this.deps.stores.incidents.listActive(practiceId);
    } catch (error) {
      this.deps.log.warn({ ...describeError(error), practiceId }, 'reminders not worked out for a practice; next run tries again');
      return 0;
    }
    // The practice's roles are read once a run, and only if one of its incidents has something overdue.
    let roles: Promise<PracticeRoles> | undefined;
    const rolesNow = () => (roles ??= rolesOf(this.deps.stores.practices, practice));
    let queued = 0;
    for (const incident of active) {
      try {
        queued += await this.remind(practice, incident, now, rolesNow);
      } catch (error) {
        this.deps.log.warn({ ...describeError(error), reference: incident.reference }, 'reminder not queued; next run tries again');
      }
    }
    return queued;
  }

  private async remind(practice: Practice, incident: OpenIncident, now: Date, rolesNow: () => Promise<PracticeRoles>): Promise<number> {
    // Known for this version of the incident only: after a change (a reopening, whose closing
    // removed its delivered rows) the outbox is asked again, and keeps one of each all the same.
    const knownKey = (id: string) => `${practice.id}|${id}|v${incident.handling?.version ?? 0}`;
    // Most incidents have nothing overdue on most runs: then nothing is read or written.
    if (overdueItems(incident, [], now).length === 0) return 0;
    const roles = await rolesNow();
    const overdue = overdueItems(incident, roles.managers, now);
    const items: NewOutboxItem[] = [];
    for (const item of overdue) {
      const recipients = item.level === 2 ? [...item.owners, ...roles.deputies] : item.owners;
      for (const aad of uniquePeople(recipients)) {
        const id = `${incident.reference}${REMINDER_ID}${item.subject}|L${item.level}|${personTarget(aad)}`;
        if (this.known.has(knownKey(id))) continue;
        const chat = await this.deps.stores.practices.userChat(practice.id, aad);
        if (!chat) continue;
        items.push({
          practiceId: practice.id,
          id,
          kind: 'message',
          // Re-derived every run: once delivered, never again.
          sendOnce: true,
          target: personTarget(aad),
          address: chat,
          reference: incident.reference,
          urgent: item.level === 2,
          text:
            item.level === 1
              ? `Reminder: ${incident.reference} — ${item.what} is past its target. Type "incident ${incident.reference}" to open it.`
              : `Overdue twice its target: ${incident.reference} — ${item.what}. As deputy or owner, please make sure it is dealt with today. Type "incident ${incident.reference}" to open it.`,
        });
      }
    }
    if (items.length === 0) return 0;
    const queued = await this.deps.stores.outbox.enqueue(items, now);
    // Queued now or before (the outbox keeps one of each id, and a sent reminder's row stays): known.
    for (const item of items) remembered(this.known, knownKey(item.id), KNOWN_REMINDERS, () => true as const);
    return queued.length;
  }
}

/** What is overdue on an incident, and at which level. Pure, so it can be checked with a fake clock. */
export function overdueItems(incident: Pick<Incident, 'reportedAt' | 'handling'>, managers: string[], now: Date): Overdue[] {
  const handling = handlingOf(incident);
  const found: Overdue[] = [];
  const levelOf = (start: number, due: number): 0 | 1 | 2 => {
    const t = now.getTime();
    if (t < due) return 0;
    return t >= due + (due - start) ? 2 : 1;
  };
  const due = decisionDue(incident);
  if (!handling.decision && due) {
    const level = levelOf(Date.parse(incident.reportedAt), due.getTime());
    const owners = handling.assignedTo ? [handling.assignedTo.aadObjectId] : managers;
    for (let l = 1; l <= level; l++) found.push({ subject: 'decision', what: 'the decision', level: l as 1 | 2, owners });
  }
  for (const task of handling.tasks ?? []) {
    if (task.status !== 'open') continue;
    const start = Date.parse(handling.decision?.at ?? incident.reportedAt);
    const level = levelOf(start, Date.parse(task.dueAt));
    for (let l = 1; l <= level; l++) found.push({ subject: `task-${task.id}`, what: `"${task.title}" (${task.owner.name || 'owner'})`, level: l as 1 | 2, owners: [task.owner.aadObjectId] });
  }
  return found;
}
