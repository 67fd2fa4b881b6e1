import { gradeReport, gradingFactsFrom } from '../domain/policy/grade.ts';
import type { Policy } from '../domain/policy/schema.ts';
import { handlingOf, route } from '../domain/handling.ts';
import { authorKey, type Incident } from '../domain/incident.ts';
import { distinctPriorPosts, firstReportOf, postKeyOf, withAlsoReported } from '../domain/rereport.ts';
import type { Practice } from '../domain/practice.ts';
import type { ReportDraft } from '../domain/report.ts';
import { isManager, uniquePeople, type PracticeRoles } from '../domain/roles.ts';
import type { Logger } from '../log.ts';
import { describeError, logEvent } from '../log.ts';
import type { AuditActor, NewOutboxItem, OpenIncident, OutboxItem, Stores } from '../store/ports.ts';
import { PASS_KEYS, type DirectDelivery } from './outbox.ts';
import { asQueued, chatPersonName, personTarget, REVIEW_CHANNEL } from './outboxTargets.ts';
import { rolesOf } from './practiceRoles.ts';
import type { Reviewers, RiskAlerts } from './reporting.ts';
import { CONFLICT_ATTEMPTS, retryOnConflict } from './retryOnConflict.ts';

/**
 * Triage: the moment a report is stored it is graded against the practice's policy and its card
 * sent to the review channel and to each person who must decide (and, for someone at risk, the
 * alert while the report is still being written). Queue first, then mark routed: a crash in
 * between re-queues the same (deterministic) items, never loses them.
 */

export const SYSTEM: AuditActor = { aadObjectId: 'postwatch', name: 'Postwatch' };

export interface TriageDeps {
  stores: Pick<Stores, 'incidents' | 'practices' | 'outbox'>;
  practices: (id: string) => Practice | undefined;
  policies: Map<string, Policy>;
  now: () => Date;
  log: Logger;
  /** Called when something was queued, so delivery starts at once. */
  queued?: () => void;
  /** A new incident's cards are delivered by this process at once (outbox.ts DirectDelivery). */
  direct?: DirectDelivery;
}

/** Incidents routed by one sweep at most: the rest wait for the next (30 s later). */
const SWEEP_LIMIT = 50;

export class Triage implements RiskAlerts {
  /** A read of a practice's roles under way, shared by routing and the reporter's answer; never kept after it. */
  private readonly rolesReading = new Map<string, Promise<PracticeRoles>>();

  constructor(private readonly deps: TriageDeps) {}

  /**
   * The practice's roles now. A submit's routing and the answer telling the reporter who reviews
   * it ask at the same moment: one read serves both (a read that has finished is never reused).
   */
  private rolesNow(practice: Practice): Promise<PracticeRoles> {
    const reading = this.rolesReading.get(practice.id);
    if (reading) return reading;
    const read = rolesOf(this.deps.stores.practices, practice).finally(() => this.rolesReading.delete(practice.id));
    this.rolesReading.set(practice.id, read);
    return read;
  }

  /** `known`: the incident as just stored (the submit's answer), so it is not read back again. */
  async route(practiceId: string, reference: string, known?: Incident): Promise<Incident | undefined> {
    const practice = this.deps.practices(practiceId);
    const policy = this.deps.policies.get(practiceId);
    if (!practice || !policy) return undefined;
    // Cards queued claimed by this process and not handed over yet: a retry after a lost race finds
    // them queued (it cannot claim them again), so they go with its hand-over, or at the end.
    const claimed = new Map<string, OutboxItem>();
    // Changed meanwhile (a decision on a fast card, another instance's sweep): grade it again, and
    // after three lost races leave it to the next sweep.
    return retryOnConflict({ attempts: CONFLICT_ATTEMPTS, otherwise: () => undefined }, async (attempt) => {
      const incident = attempt === 0 && known?.etag ? known : await this.deps.stores.incidents.get(practiceId, reference);
      if (!incident || handlingOf(incident).routedAt) return incident;
      // Read alongside the earlier reports, and shared with the reporter's "who reviews" answer.
      const rolesRead = this.rolesNow(practice);
      rolesRead.catch(() => undefined); // awaited below; not left unhandled if the next read fails first
      const key = authorKey(incident.facts);
      const link = postKeyOf(incident.facts);
      const found = key || link ? await this.deps.stores.incidents.earlierReports(practiceId, { ...(key ? { authorKey: key } : {}), ...(link ? { postKey: link } : {}) }, incident.reportedAt, incident.reference) : [];
      // Reported in the same millisecond: the lower reference came first.
      const earlier = found.filter((i) => i.reportedAt < incident.reportedAt || (i.reportedAt === incident.reportedAt && i.reference < incident.reference));
      // The BMA's repeat-poster flag counts distinct posts: a re-report of one post is not another.
      const prior = distinctPriorPosts(incident.facts, earlier);
      const first = firstReportOf(incident.facts, earlier);
      const grading = gradeReport(policy, gradingFactsFrom(incident.facts, prior));
      const graded = route(incident, grading, prior, this.deps.now());
      const routed = first ? { ...graded, handling: { ...graded.handling!, sameAs: first.reference } } : graded;
      const roles = await rolesRead;
      const { recipients, cards } = await this.enqueueCards(routed, roles, !known);
      for (const item of cards.handed) claimed.set(item.id, item);
      const stored = await this.deps.stores.incidents.update(routed, {
        actor: SYSTEM,
        action: 'incident.routed',
        summary: `Graded ${grading.severity} (decision within ${grading.decisionTargetHours} h)${first ? `; the same post as ${first.reference}` : ''}; card sent to ${recipients.join(', ') || 'nobody yet: no review channel and no decider has a chat with Postwatch'}.`,
      });
      if (first) await this.linkToFirst(practiceId, first.reference, stored);
      this.handOver(stored, roles, { handed: [...claimed.values()], all: cards.all });
      claimed.clear();
      logEvent(this.deps.log, 'report.stored', { practice: practiceId, reference, severity: grading.severity, cardsQueued: recipients.length });
      return stored;
    }).finally(() => {
      // Not handed over (routed by someone else meanwhile, or storage failed): sent now all the
      // same, drawn from storage, rather than held up until the claim runs out.
      if (claimed.size > 0) this.deps.direct?.deliver([...claimed.values()], new Map());
    });
  }

  /** The first incident of a post hears of each re-report ("also reported by …"), on its record. */
  private async linkToFirst(practiceId: string, firstReference: string, again: Incident): Promise<void> {
    // A lost race is read again; after three the link is only missing from the first's record.
    await retryOnConflict({ attempts: CONFLICT_ATTEMPTS, otherwise: () => undefined }, async () => {
      const first = await this.deps.stores.incidents.get(practiceId, firstReference);
      if (!first) return;
      const linked = withAlsoReported(first, { reference: again.reference, name: again.reporter.name, at: again.reportedAt });
      if (linked === first) return;
      await this.deps.stores.incidents.update(linked, { actor: SYSTEM, action: 'incident.re-reported', summary: `The same post was reported again as ${again.reference}.` });
    });
  }

  /**
   * Finishes routing that a crash or an outage interrupted, a practice at a time (every practice
   * this deployment serves has a policy); one practice's storage failing does not hold up the others.
   */
  async sweep(): Promise<number> {
    let routed = 0;
    let left = SWEEP_LIMIT;
    for (const practiceId of this.deps.policies.keys()) {
      if (left <= 0) break;
      let unrouted: OpenIncident[];
      try {
        unrouted = await this.deps.stores.incidents.listUnrouted(practiceId, left);
      } catch (error) {
        this.deps.log.warn({ ...describeError(error), practiceId }, 'routing sweep: will try again');
        continue;
      }
      left -= unrouted.length;
      for (const incident of unrouted) {
        try {
          if (await this.route(incident.practiceId, incident.reference)) routed++;
        } catch (error) {
          this.deps.log.warn({ ...describeError(error), reference: incident.reference }, 'routing sweep: will try again');
        }
      }
    }
    return routed;
  }

  /**
   * The cards go out from this process at once, drawn from the incident as just stored and the
   * roles it was routed with (no outbox scan, no claim request, no read); anything not handed over (queued
   * before: a retry after a conflict) goes by the next pass.
   */
  private handOver(stored: Incident, roles: PracticeRoles, cards: { handed: OutboxItem[]; all: boolean }): void {
    const direct = this.deps.direct;
    if (direct && cards.handed.length > 0) {
      direct.deliver(cards.handed, new Map<string, unknown>([[PASS_KEYS.incident(stored.practiceId, stored.reference), stored], [PASS_KEYS.roles(stored.practiceId), roles]]));
    }
    if (!direct || !cards.all) this.deps.queued?.();
  }

  /** `again`: routing what was stored but left unrouted (a crash, an outage, an upgrade), found by the sweep. */
  private async enqueueCards(incident: Incident, roles: PracticeRoles, again: boolean): Promise<{ recipients: string[]; cards: { handed: OutboxItem[]; all: boolean } }> {
    const { practices, outbox } = this.deps.stores;
    const urgent = incident.facts.risk.atRisk;
    const items: NewOutboxItem[] = [];
    const recipients: string[] = [];
    const channel = await practices.reviewChannel(incident.practiceId);
    if (channel) {
      items.push({ practiceId: incident.practiceId, id: `${incident.reference}|channel|card`, kind: 'incident-card', target: REVIEW_CHANNEL, address: channel, reference: incident.reference, urgent });
      recipients.push('the review channel');
    }
    for (const aad of decidersToNotify(incident, roles)) {
      const chat = await practices.userChat(incident.practiceId, aad);
      if (!chat) {
        recipients.push(`(not ${aad}: no 1:1 chat with Postwatch yet)`);
        continue;
      }
      // The reporter was told the managers will review it: if a manager's card cannot arrive, they hear so.
      const toldReporter = isManager(roles, aad) && incident.reporter.aadObjectId.toLowerCase() !== aad.toLowerCase();
      items.push({ practiceId: incident.practiceId, id: `${incident.reference}|${personTarget(aad)}|card`, kind: 'incident-card', target: personTarget(aad), address: chat, reference: incident.reference, urgent, ...(toldReporter ? { tellIfUndelivered: incident.reporter.aadObjectId } : {}) });
      recipients.push(chatPersonName(chat) ?? aad);
    }
    // A card queued before the interruption (by an older version, perhaps) keeps its id: sent once.
    const queued = again ? await outbox.forIncident(incident.practiceId, incident.reference) : [];
    const handed = await outbox.enqueue(asQueued(items, queued), this.deps.now(), this.deps.direct?.claim());
    return { recipients, cards: { handed, all: handed.length === items.length } };
  }

  /**
   * A "yes" to "is anyone at risk" alerts the managers and deputies at once, before the report is
   * even sent. Resolves with the names of those it was queued for: only a queued 1:1 message
   * counts as telling someone (a channel post notifies nobody in particular).
   */
  async raise(draft: ReportDraft): Promise<string[]> {
    const practice = this.deps.practices(draft.practiceId);
    if (!practice) return [];
    const roles = await rolesOf(this.deps.stores.practices, practice);
    const items: NewOutboxItem[] = [];
    const alerted: string[] = [];
    for (const aad of uniquePeople([...roles.managers, ...roles.deputies])) {
      const chat = await this.deps.stores.practices.userChat(draft.practiceId, aad);
      if (!chat) continue;
      alerted.push(chatPersonName(chat) ?? 'a practice manager');
      items.push({
        practiceId: draft.practiceId,
        id: `risk|${draft.id}|${personTarget(aad)}`,
        kind: 'message',
        target: personTarget(aad),
        address: chat,
        urgent: true,
        ...(aad.toLowerCase() !== draft.reporter.aadObjectId.toLowerCase() ? { tellIfUndelivered: draft.reporter.aadObjectId } : {}),
        text: `URGENT: ${draft.reporter.name || 'A member of staff'} is reporting a social media post and says someone may be at risk of harm. They have been told to call 999 in an emergency, otherwise 101. The full report will follow as soon as they send it.`,
      });
    }
    await this.deps.stores.outbox.enqueue(items, this.deps.now());
    this.deps.queued?.();
    if (alerted.length === 0) {
      this.deps.log.error({ practiceId: draft.practiceId, draftId: draft.id }, 'risk alert: nobody could be alerted (no manager or deputy has a 1:1 chat with Postwatch)');
    }
    return alerted;
  }

  /** Who a new report of this practice reaches: managers with a 1:1 chat (their names) and the review channel. */
  async reviewers(practiceId: string): Promise<Reviewers> {
    const practice = this.deps.practices(practiceId);
    if (!practice) return { people: [], reviewChannel: false };
    const { practices } = this.deps.stores;
    const roles = await this.rolesNow(practice);
    const people: string[] = [];
    for (const aad of uniquePeople(roles.managers)) {
      const chat = await practices.userChat(practiceId, aad);
      if (chat) people.push(chatPersonName(chat) ?? 'a practice manager');
    }
    const reviewChannel = (await practices.reviewChannel(practiceId)) !== undefined;
    if (people.length === 0 && !reviewChannel) {
      this.deps.log.error({ practiceId }, 'new report: nobody can be given it automatically (no review channel and no manager has a 1:1 chat with Postwatch)');
    }
    return { people, reviewChannel };
  }
}

/** Managers always; the DPO where personal data was disclosed; the safeguarding lead for a safeguarding signal. */
export function decidersToNotify(incident: Incident, roles: PracticeRoles): string[] {
  const handling = handlingOf(incident);
  const people = [...roles.managers];
  if (handling.grading?.deciders.includes('data-protection-officer')) people.push(...roles.dataProtectionOfficers);
  if (handling.grading?.deciders.includes('safeguarding-lead')) people.push(...(roles.safeguardingLeads ?? []));
  return uniquePeople(people);
}

