import { decisionSummary, handlingOf } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import type { PracticeRoles } from '../domain/roles.ts';
import type { Policy } from '../domain/policy/schema.ts';
import type { NewOutboxItem, OutboxItem, Stores } from '../store/ports.ts';
import { INCIDENT_VERBS } from '../contract/cards.ts';
import type { DirectDelivery } from './outbox.ts';
import { asQueued, asWritten, personTarget } from './outboxTargets.ts';
import { PASS_KEYS } from './passReads.ts';

/** What the reporter is told when the incident is closed (the outcome may hold private discussion). */
export const CLOSED_FOR_REPORTER = 'The practice manager has closed this incident. Thank you for reporting it.';

/** What a change to an incident sends: the reporter's updates, the assignee's card, every card redrawn. */
export class CardUpdates {
  constructor(private readonly deps: { stores: Pick<Stores, 'practices' | 'outbox'>; now: () => Date; queued?: () => void; direct?: DirectDelivery }) {}

  /**
   * After any change: every copy of the card shows the new state, and the reporter hears of
   * decisions. `roles`: the practice's roles as the change was authorised with, so the news and
   * the cards go out from this process at once, drawn from the incident as just stored.
   */
  async afterChange(incident: Incident, verb: string, policy: Policy, roles?: PracticeRoles): Promise<void> {
    const items: NewOutboxItem[] = [];
    const handling = handlingOf(incident);
    const reporterChat = await this.deps.stores.practices.userChat(incident.practiceId, incident.reporter.aadObjectId);
    const toReporter = (id: string, kind: NewOutboxItem['kind'], textValue?: string) => {
      if (reporterChat) {
        items.push({ practiceId: incident.practiceId, id: `${incident.reference}|reporter|${id}`, kind, target: personTarget(incident.reporter.aadObjectId), address: reporterChat, reference: incident.reference, ...(textValue ? { text: textValue } : {}) });
      }
    };
    if (handling.decision && (verb === INCIDENT_VERBS.approveReply || verb === INCIDENT_VERBS.noResponse || verb === INCIDENT_VERBS.chooseActions)) {
      toReporter('decision', 'reporter-update', decisionSummary(handling.decision, (id) => policy.actions.find((a) => a.id === id)?.title ?? id));
    }
    if (verb === INCIDENT_VERBS.close && handling.closure) {
      // What users of incident systems miss most: hearing back when it is closed.
      // The outcome itself may hold the practice's private discussion, so the reporter hears only that it is closed.
      toReporter(`closed-${handling.reopenings?.length ?? 0}`, 'reporter-update', CLOSED_FOR_REPORTER);
    }
    if (verb === INCIDENT_VERBS.ask) toReporter(`question-${handling.questions?.length ?? 0}`, 'reporter-question');
    if (verb === INCIDENT_VERBS.assign && handling.assignedTo) {
      const chat = await this.deps.stores.practices.userChat(incident.practiceId, handling.assignedTo.aadObjectId);
      if (chat) {
        // The same id as the card routing sent a decider: someone assigned who has their card already gets no second one.
        const target = personTarget(handling.assignedTo.aadObjectId);
        items.push({ practiceId: incident.practiceId, id: `${incident.reference}|${target}|card`, kind: 'incident-card', target, address: chat, reference: incident.reference });
      }
    }
    // One write for the reporter's news and every card update (the outbox batches a practice's items).
    // A card delivered before one case rule for people keeps its id (see asQueued).
    const sent = await this.deps.stores.outbox.sentCards(incident.practiceId, incident.reference);
    await this.queue(incident, [...asQueued(items, sent), ...this.cardUpdates(incident, sent)], roles);
  }

  /** Every delivered copy of the incident's card is redrawn with its current state. */
  async enqueueCardUpdates(incident: Incident, roles?: PracticeRoles): Promise<void> {
    const sent = await this.deps.stores.outbox.sentCards(incident.practiceId, incident.reference);
    await this.queue(incident, this.cardUpdates(incident, sent), roles);
  }

  /**
   * Queued first (nothing is lost if this process stops), then sent from this process at once
   * when it knows the roles: queued already claimed by it, so no outbox scan or claim on the way
   * (as a new incident's cards, triage.ts). The incident is read when they are drawn, not handed
   * over: another instance may change it meanwhile, and a card update must show the incident as
   * it is then, whichever update reaches Teams last. Anything not handed over, or every item when
   * sending at once is off, is for a delivery pass.
   */
  private async queue(incident: Incident, items: NewOutboxItem[], roles: PracticeRoles | undefined): Promise<void> {
    if (items.length === 0) return;
    const direct = roles ? this.deps.direct : undefined;
    const handed = await this.deps.stores.outbox.enqueue(items, this.deps.now(), direct?.claim());
    if (direct && handed.length > 0) {
      direct.deliver(handed, new Map<string, unknown>([[PASS_KEYS.roles(incident.practiceId), roles]]));
    }
    if (!direct || handed.length < items.length) this.deps.queued?.();
  }

  private cardUpdates(incident: Incident, sent: readonly OutboxItem[]): NewOutboxItem[] {
    const version = handlingOf(incident).version;
    return sent
      .filter((card) => card.sentActivityId)
      .map((card) => ({
        practiceId: incident.practiceId,
        id: `${card.id}|update|v${version}`,
        kind: 'card-update',
        target: asWritten(card.target),
        address: card.address,
        reference: incident.reference,
        activityId: card.sentActivityId!,
      }));
  }
}
