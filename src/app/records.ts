import type { Person } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import type { Practice } from '../domain/practice.ts';
import { placeHold, releaseHold, type HoldError } from '../domain/retention.ts';
import { ukDate } from '../domain/ukTime.ts';
import type { Result } from '../domain/result.ts';
import { holdsRole, isDpo, isManager } from '../domain/roles.ts';
import { seesAsDecider } from '../domain/sight.ts';
import { ConflictError, type Stores } from '../store/ports.ts';
import type { Refusals } from './refusals.ts';
import type { RetentionJob } from './retention.ts';
import { CONFLICT_ATTEMPTS, retryOnConflict } from './retryOnConflict.ts';
import { rolesOf } from './practiceRoles.ts';

/**
 * Records duties people ask for in Teams: a legal hold placed or lifted by a manager (audited),
 * and the retention report for the practice's deciders. Refusals say the same whether the
 * incident exists or not, so they tell nothing about the register.
 */
export class Records {
  constructor(
    private readonly stores: Pick<Stores, 'incidents' | 'practices'>,
    private readonly retention: Pick<RetentionJob, 'plan' | 'erase'>,
    private readonly now: () => Date,
    /** Renders people's text literally in chat (src/views/plainText.ts, passed in by compose). */
    private readonly plain: (text: string) => string,
    /** The same refusals as card presses: collapsed in the trail, counted and limited per person. */
    private readonly refusals: Pick<Refusals, 'limited' | 'outsider' | 'staff'>,
  ) {}

  async hold(practice: Practice, actor: Person, reference: string, reason: string): Promise<string> {
    return this.change(practice, actor, reference, 'placed', (incident, roles) => placeHold(incident, roles, actor, reason, this.now()));
  }

  async release(practice: Practice, actor: Person, reference: string): Promise<string> {
    return this.change(practice, actor, reference, 'lifted', (incident, roles) => releaseHold(incident, roles, actor));
  }

  private async change(
    practice: Practice,
    actor: Person,
    reference: string,
    what: 'placed' | 'lifted',
    apply: (incident: Incident, roles: Awaited<ReturnType<Records['roles']>>) => Result<Incident, HoldError>,
  ): Promise<string> {
    const roles = await this.roles(practice);
    if (!isManager(roles, actor.aadObjectId)) {
      // Audited on the incident if there is one, collapsed like refused presses; the answer is the same either way.
      if (this.refusals.limited(actor.aadObjectId)) return HOLD_REFUSED;
      const incident = await this.stores.incidents.get(practice.id, reference);
      const verb = what === 'placed' ? 'legal hold' : 'release legal hold';
      if (incident) await this.refusals.staff(incident, actor, verb, '', 'legal-hold.refused');
      else this.refusals.outsider(actor.aadObjectId, { askerPracticeId: practice.id, verb, reference });
      return HOLD_REFUSED;
    }
    // Changed meanwhile by someone else: read it again and apply the hold to what is there now.
    const busy = () => `${reference} is being changed by someone else just now. Try again in a moment.`;
    return retryOnConflict({ attempts: CONFLICT_ATTEMPTS, otherwise: busy }, async () => {
      const incident = await this.stores.incidents.get(practice.id, reference);
      if (!incident) return `There is no incident ${reference} at ${practice.name}.`;
      const result = apply(incident, roles);
      if (!result.ok) return holdRefusal(reference, result.error, this.plain);
      const hold = result.value.handling?.legalHold;
      const summary = what === 'placed' ? `Legal hold placed: ${hold?.reason ?? ''}` : `Legal hold lifted (it was placed by ${incident.handling?.legalHold?.by.name || 'a manager'} on ${ukDate(incident.handling?.legalHold?.at ?? '')}: ${incident.handling?.legalHold?.reason ?? ''}).`;
      await this.stores.incidents.update(result.value, { actor, action: what === 'placed' ? 'legal-hold.placed' : 'legal-hold.lifted', summary });
      return what === 'placed'
        ? `Legal hold placed on ${reference}: it will not be deleted, whatever its retention date, until a manager writes "incident ${reference} release hold". Recorded in its audit trail.`
        : `Legal hold lifted on ${reference}: it is deleted at the end of its retention period again. Recorded in its audit trail.`;
    });
  }

  /**
   * "incident PW-… delete early: <reason>": an agreed erasure before the Code's date. Only the DPO,
   * only with a reason, never an open or held incident; it leaves a tombstone like the daily job.
   */
  async deleteEarly(practice: Practice, actor: Person, reference: string, reason: string): Promise<string> {
    const roles = await this.roles(practice);
    if (!isDpo(roles, actor.aadObjectId)) {
      return 'Only the Data Protection Officer can delete an incident before the end of its retention period.';
    }
    const why = reason.trim();
    if (!why) return `Say why, e.g. "incident ${reference} delete early: erasure agreed, request ERA-…". The reason is kept in the audit trail.`;
    if (why.length > 500) return 'Keep the reason under 500 characters.';
    const incident = await this.stores.incidents.get(practice.id, reference);
    if (!incident) return `There is no incident ${reference} at ${practice.name}.`;
    if (incident.status !== 'closed') return `${reference} is not closed: an open incident is never deleted. Close it first.`;
    if (incident.handling?.legalHold) return `${reference} is under legal hold (${this.plain(incident.handling.legalHold.reason)}): a manager must release it first.`;
    try {
      const deleted = await this.retention.erase(incident, `Deleted early by the Data Protection Officer (${actor.name || 'DPO'}): ${why}.`, actor);
      return `${reference} has been deleted, with its screenshots and notifications. Its audit trail keeps a tombstone (entry ${deleted.tombstoneSequence}) with your reason.`;
    } catch (error) {
      if (error instanceof ConflictError) return `${reference} changed just now (someone else is working on it): nothing was deleted. Look again and try once more.`;
      throw error;
    }
  }

  /** "retention report": what is due, held and next, for the practice's deciders. */
  async report(practice: Practice, viewer: string): Promise<string> {
    const roles = await this.roles(practice);
    if (!holdsRole(roles, viewer)) return 'The retention report is for the practice manager, deputy and Data Protection Officer.';
    // Only the incidents this person may open as a decider: hold reasons and dates are the practice's business.
    const plan = await this.retention.plan(practice.id, (i) => seesAsDecider(i, roles, practice.id, viewer));
    const open = (await this.stores.incidents.listOpen(practice.id)).filter((i) => seesAsDecider(i, roles, practice.id, viewer)).length;
    const due = plan.filter((i) => i.retention.state === 'due');
    const held = plan.filter((i) => i.retention.state === 'held');
    const kept = plan.filter((i) => i.retention.state === 'kept');
    const line = (i: (typeof plan)[number]) => {
      const r = i.retention;
      if (r.state === 'held') return `- ${i.reference}: held since ${ukDate(r.hold.at)} by ${this.plain(r.hold.by.name || 'a manager')} (${this.plain(r.hold.reason)})${r.retainUntil ? `; its period ends ${ukDate(r.retainUntil)}` : ''}`;
      if (r.state === 'due' || r.state === 'kept') return `- ${i.reference}: closed ${ukDate(i.closedAt)}, kept until ${ukDate(r.retainUntil)} (${r.basis})`;
      return `- ${i.reference}`;
    };
    return [
      `**Retention at ${practice.name}** (Records Management Code of Practice 2021, updated 2023: incidents 10 years from closure, serious incidents 20)`,
      `${open} open incident${open === 1 ? '' : 's'}: never deleted while open.`,
      due.length ? `Due for deletion at the next daily run (${due.length}):\n${due.slice(0, 20).map(line).join('\n')}` : 'Nothing is due for deletion.',
      held.length ? `Under legal hold, not deleted (${held.length}):\n${held.slice(0, 20).map(line).join('\n')}` : 'No incident is under legal hold.',
      kept.length ? `Next to reach the end of their period (${kept.length} closed in all):\n${kept.slice(0, 10).map(line).join('\n')}` : 'No other closed incidents.',
    ].join('\n\n');
  }

  private async roles(practice: Practice) {
    return rolesOf(this.stores.practices, practice);
  }
}

const HOLD_REFUSED = 'Only a practice manager can place or lift a legal hold. Your attempt has been recorded.';

function holdRefusal(reference: string, error: HoldError, plain: (text: string) => string): string {
  switch (error.kind) {
    case 'not-a-manager':
      return HOLD_REFUSED;
    case 'invalid':
      return error.message;
    case 'already-held':
      return `${reference} is already under legal hold (placed ${ukDate(error.hold.at)} by ${plain(error.hold.by.name || 'a manager')}: ${plain(error.hold.reason)}).`;
    case 'not-held':
      return `${reference} is not under legal hold.`;
  }
}
