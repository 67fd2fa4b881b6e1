import { handlingOf, type Person } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import { retentionOf, TOMBSTONE_ACTION, type RetentionRules, type RetentionState } from '../domain/retention.ts';
import { ukDate } from '../domain/ukTime.ts';
import type { Logger } from '../log.ts';
import { describeError, logEvent } from '../log.ts';
import { ConflictError, type AuditChange, type Stores } from '../store/ports.ts';
import { holdsJobLease, type JobLease } from './jobLease.ts';

/**
 * The records duty (DESIGN, hard rules): closed incidents are deleted once the Records Management
 * Code period has passed, with a tombstone in their audit chain; open or held incidents never.
 * Runs daily in the bot process under a lease (of several instances one runs it), and on demand
 * as `npm run retention`. Each deletion is safe on its own too: it fails if the incident changed
 * since it was judged due, and a deletion interrupted half-way is finished by the next run.
 */

export type RetentionStores = Pick<Stores, 'incidents' | 'evidence' | 'outbox' | 'leases'>;

export interface RetentionDeps {
  stores: RetentionStores;
  rules: RetentionRules;
  now: () => Date;
  log: Logger;
  /** This instance's name for the lease, recorded on every tombstone it writes. */
  instanceId: string;
}

export interface RetentionItem {
  practiceId: string;
  reference: string;
  closedAt: string;
  retention: RetentionState;
}

export interface Deleted {
  practiceId: string;
  reference: string;
  tombstoneSequence: number;
}

export interface RetentionRun {
  /** False when another instance holds the lease (it is doing the work). */
  ran: boolean;
  dryRun: boolean;
  /** Due now (dry run: would be deleted). */
  due: RetentionItem[];
  held: RetentionItem[];
  deleted: Deleted[];
  /** Deletions interrupted earlier and finished in this run. */
  finished: number;
  /** Delivered notification rows removed because their incident is closed or deleted. */
  purgedDeliveries: number;
}

const LEASE: JobLease = { name: 'retention', ms: 30 * 60_000 };

export class RetentionJob {
  constructor(private readonly deps: RetentionDeps) {}

  /** Every closed incident of a practice (or all practices) with its retention state, soonest first. */
  /** `shown`: which incidents to include (a person's retention report lists only those they may open). */
  async plan(practiceId?: string, shown: (incident: Incident) => boolean = () => true): Promise<RetentionItem[]> {
    const now = this.deps.now();
    const closed = await this.deps.stores.incidents.listClosed(practiceId);
    return closed
      .filter(shown)
      .map((incident) => ({
        practiceId: incident.practiceId,
        reference: incident.reference,
        closedAt: handlingOf(incident).closure?.closedAt ?? '',
        retention: retentionOf(incident, this.deps.rules, now),
      }))
      .sort((a, b) => dateOf(a).localeCompare(dateOf(b)) || a.reference.localeCompare(b.reference));
  }

  async run(options: { dryRun?: boolean } = {}): Promise<RetentionRun> {
    const dryRun = options.dryRun === true;
    const now = this.deps.now();
    const result: RetentionRun = { ran: false, dryRun, due: [], held: [], deleted: [], finished: 0, purgedDeliveries: 0 };
    if (!dryRun && !(await holdsJobLease(this.deps.stores.leases, LEASE, this.deps.instanceId, now))) return result;
    result.ran = true;
    if (!dryRun) result.finished = await this.finishInterrupted();
    const plan = await this.plan();
    result.due = plan.filter((i) => i.retention.state === 'due');
    result.held = plan.filter((i) => i.retention.state === 'held');
    if (dryRun) return result;
    for (const item of result.due) {
      try {
        const incident = await this.deps.stores.incidents.get(item.practiceId, item.reference);
        if (!incident) continue;
        result.deleted.push(await this.erase(incident, retentionReason(item, this.deps.rules), this.jobActor()));
        logEvent(this.deps.log, 'retention.deleted', { practice: item.practiceId, reference: item.reference });
      } catch (error) {
        // Changed since it was judged due (held, reopened) or taken by another run: the next run looks again.
        if (!(error instanceof ConflictError)) this.deps.log.warn({ ...describeError(error), reference: item.reference }, 'retention: not deleted this run');
      }
    }
    result.purgedDeliveries = await this.purgeDeliveredOfClosed();
    this.deps.log.info({ deleted: result.deleted.length, held: result.held.length, finished: result.finished, purgedDeliveries: result.purgedDeliveries }, 'retention run');
    return result;
  }

  /**
   * Deletes one incident and everything tied to it, leaving a tombstone in its chain. Used by the
   * job, and by the DPO's early erasure (with their reason and name). The incident must have been
   * read just before: if it changed since, ConflictError and nothing is deleted.
   */
  async erase(incident: Incident, why: string, actor: Person): Promise<Deleted> {
    const screenshots = incident.facts.evidence.screenshots.length;
    const notifications = (await this.deps.stores.outbox.forIncident(incident.practiceId, incident.reference)).length;
    const h = handlingOf(incident);
    const change: AuditChange = {
      actor,
      action: TOMBSTONE_ACTION,
      summary:
        `${why} Reported ${ukDate(incident.reportedAt)}${h.closure ? `, closed ${ukDate(h.closure.closedAt)}` : ', not closed'}. ` +
        `Deleted: the incident record (report, answers, decisions, outcome), its register, draft, index (author, post) and refusal count rows, ` +
        `${screenshots} screenshot${screenshots === 1 ? '' : 's'}, ${notifications} notification row${notifications === 1 ? '' : 's'} and the earlier audit entries; this entry follows the last of them.`,
    };
    const tombstone = await this.deps.stores.incidents.erase(incident, change);
    await this.cleanUp(incident.practiceId, incident.reference, incident.draftId);
    return { practiceId: incident.practiceId, reference: incident.reference, tombstoneSequence: tombstone.sequence };
  }

  private async cleanUp(practiceId: string, reference: string, draftId: string): Promise<void> {
    await this.deps.stores.evidence.removeForDraft(practiceId, draftId);
    for (const item of await this.deps.stores.outbox.forIncident(practiceId, reference)) await this.deps.stores.outbox.remove(practiceId, item.id);
    await this.deps.stores.incidents.finishErasure(practiceId, reference);
  }

  private async finishInterrupted(): Promise<number> {
    let finished = 0;
    for (const pending of await this.deps.stores.incidents.pendingErasures()) {
      try {
        await this.cleanUp(pending.practiceId, pending.reference, pending.draftId);
        finished++;
      } catch (error) {
        this.deps.log.warn({ ...describeError(error), reference: pending.reference }, 'retention: erasure not finished this run');
      }
    }
    return finished;
  }

  /** Delivered cards are kept only to update every copy while an incident is worked on. */
  private async purgeDeliveredOfClosed(): Promise<number> {
    const delivered = await this.deps.stores.outbox.deliveredAboutIncidents();
    const finished = new Map<string, boolean>();
    let purged = 0;
    for (const item of delivered) {
      const id = `${item.practiceId}\u0000${item.reference}`;
      if (!finished.has(id)) {
        const incident = item.reference ? await this.deps.stores.incidents.get(item.practiceId, item.reference) : undefined;
        finished.set(id, !incident || incident.status === 'closed');
      }
      if (!finished.get(id)) continue;
      await this.deps.stores.outbox.remove(item.practiceId, item.id);
      purged++;
    }
    return purged;
  }

  private jobActor(): Person {
    return { aadObjectId: `postwatch:retention-job:${this.deps.instanceId}`, name: 'Postwatch retention job' };
  }
}

function retentionReason(item: RetentionItem, rules: RetentionRules): string {
  const r = item.retention;
  const until = r.state === 'due' ? `kept until ${ukDate(r.retainUntil)} (${r.basis})` : 'its retention period has passed';
  return `Deleted by the retention job: ${until} under the ${rules.source}.`;
}

function dateOf(item: RetentionItem): string {
  const r = item.retention;
  return r.state === 'due' || r.state === 'kept' ? r.retainUntil : r.state === 'held' ? (r.retainUntil ?? '9999') : '9999';
}
