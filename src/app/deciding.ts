import { completeTask, decisionSummary, handlingOf, answerQuestion, type Person } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import { reviewReply, type ReplyReview } from '../domain/policy/guard.ts';
import type { Policy } from '../domain/policy/schema.ts';
import type { Practice } from '../domain/practice.ts';
import { isManager, type PracticeRoles } from '../domain/roles.ts';
import { parseReference } from '../domain/reference.ts';
import { sameChannel, sightOf, type Sight } from '../domain/sight.ts';
import { logEvent, type Logger } from '../log.ts';
import type { Stores } from '../store/ports.ts';
import { INCIDENT_VERBS, type IncidentVerb } from '../contract/cards.ts';
import type { Notice } from './reporting.ts';
import { CardUpdates, CLOSED_FOR_REPORTER } from './cardUpdates.ts';
import { DECISIONS, keepsReply, refusalShown, text, type DecisionVerb } from './decisions.ts';
import type { Asking, IncidentActionRequest, IncidentScreen, OpeningRequest } from './incidentScreens.ts';
import type { DirectDelivery } from './outbox.ts';
import { chatPersonName } from './outboxTargets.ts';
import { NOT_YOURS, RefusalLimiter, refusalNotice, Refusals } from './refusals.ts';
import { blockedReplyAudit, defaultReply, replyGuardContext, shownReview } from './replyGuard.ts';
import { CONFLICT_ATTEMPTS, retryOnConflict } from './retryOnConflict.ts';
import { rolesOf } from './practiceRoles.ts';

export type { Asking, IncidentActionRequest, IncidentScreen, OpeningRequest } from './incidentScreens.ts';

/**
 * The incident card's buttons, "incident PW-…" and the cards the outbox draws. Who sees what is
 * decided once, by sightOf (src/domain/sight.ts), from who is asking; what each may do is checked
 * here, on the server, for every verb, whatever the card that was pressed says.
 */

type IncidentView = Extract<IncidentScreen, { kind: 'incident' }>;
type ViewExtras = {
  errors?: Record<string, string>;
  notice?: Notice;
  replyText?: string;
  review?: ReplyReview;
};

/** A decider's press, as the table of decider verbs gets it. */
interface DeciderPress {
  incident: Incident;
  roles: PracticeRoles;
  practice: Practice;
  policy: Policy;
  request: IncidentActionRequest;
  /** " (from the review channel card)", for the audit trail. */
  from: string;
  screen: (i: Incident, extra?: ViewExtras) => IncidentView;
}

function resolvedNote(incident: Incident): string {
  return incident.status === 'resolved' ? 'All actions done: resolved.' : '';
}

export interface DecidingDeps {
  stores: Pick<Stores, 'incidents' | 'practices' | 'outbox'>;
  practices: (id: string) => Practice | undefined;
  policies: Map<string, Policy>;
  now: () => Date;
  queued?: () => void;
  /** A decision's notifications are delivered by this process at once (outbox.ts DirectDelivery). */
  direct?: DirectDelivery;
  /** Business events (decision recorded); absent in tests that do not look. */
  log?: Logger;
}

const NOTICE: IncidentScreen = { kind: 'message', text: NOT_YOURS };

export class Deciding {
  /** Shared with other refused commands about an incident (a legal hold), so one limit and one collapse apply. */
  readonly refusals: Refusals;
  private readonly updates: CardUpdates;

  constructor(private readonly deps: DecidingDeps) {
    this.updates = new CardUpdates(deps);
    this.refusals = new Refusals({ incidents: deps.stores.incidents, limiter: new RefusalLimiter(deps.now), now: deps.now, isPractice: (id) => !!deps.practices(id), ...(deps.log ? { log: deps.log } : {}) });
  }

  /**
   * Every incident verb. The practice is the asker's (never the card's); the incident is looked up
   * at that practice only; what the asker sees is decided by sightOf, once, here.
   */
  async act(request: IncidentActionRequest): Promise<IncidentScreen> {
    // Past the limit: the same notice, without reading or writing anything.
    if (this.refusals.limited(request.actor.aadObjectId)) return NOTICE;
    const asking = typeof request.asking === 'function' ? await request.asking() : request.asking;
    // Someone else changed the incident between our read and our write: look again.
    return retryOnConflict({ attempts: CONFLICT_ATTEMPTS }, async () => {
      const found = await this.lookUp(request, asking);
      if (!found) return NOTICE;
      return this.actAs(found.sight, found.incident, found.roles, found.practice, found.policy, request);
    });
  }

  /**
   * A line of the review channel's digest, pressed ("Open privately"): what sightOf gives the
   * presser, so that only that card goes to their 1:1 chat. 'none' is refused like any press.
   */
  async sightForOpening(request: OpeningRequest): Promise<{ sight: Sight; practiceId?: string; reference?: string }> {
    if (this.refusals.limited(request.actor.aadObjectId)) return { sight: 'none' };
    const asking = typeof request.asking === 'function' ? await request.asking() : request.asking;
    const found = await this.lookUp(request, asking);
    if (!found) return { sight: 'none' };
    if (found.sight === 'none') {
      await this.refusals.staff(found.incident, request.actor, 'other', request.via ? ` (from the ${request.via})` : '');
      return { sight: 'none' };
    }
    return { sight: found.sight, practiceId: found.incident.practiceId, reference: found.incident.reference };
  }

  /**
   * The incident at the asker's practice (never the card's) and what sightOf gives the asker;
   * undefined, logged as an outsider's press, when there is no such incident for them.
   */
  private async lookUp(request: IncidentActionRequest | OpeningRequest, asking: Asking) {
    const verb = 'verb' in request ? request.verb : 'other';
    const { practiceId: cardPracticeId, reference } = request.data;
    const practice = asking.practice;
    const policy = practice ? this.deps.policies.get(practice.id) : undefined;
    const ids = { askerPracticeId: practice?.id, verb, ...(cardPracticeId !== undefined ? { cardPracticeId } : {}), reference };
    const incident = practice && policy && (cardPracticeId === undefined || cardPracticeId === practice.id) && parseReference(reference) === reference ? await this.deps.stores.incidents.get(practice.id, reference) : undefined;
    if (!practice || !policy || !incident) {
      this.refusals.outsider(request.actor.aadObjectId, ids);
      return undefined;
    }
    const roles = await rolesOf(this.deps.stores.practices, practice);
    return { incident, roles, practice, policy, sight: await this.sight(incident, roles, request.actor, asking) };
  }

  /** "incident PW-2026-0042": the same rule as a refresh of the card. */
  async view(asking: Asking, reference: string, actor: Person): Promise<IncidentScreen> {
    return this.act({ verb: INCIDENT_VERBS.refresh, data: { reference }, actor, asking });
  }

  /**
   * The card the outbox sends (an incident already read): the review channel gets the channel
   * card, a person what sightOf gives them — a notice, if they no longer decide. knownRoles: the
   * roles as the outbox pass read them once for all its cards.
   */
  async viewOf(incident: Incident, viewer: Person | 'channel', knownRoles?: () => Promise<PracticeRoles>): Promise<IncidentScreen> {
    const practice = this.deps.practices(incident.practiceId);
    const policy = this.deps.policies.get(incident.practiceId);
    if (!practice || !policy) return NOTICE;
    const roles = knownRoles ? await knownRoles() : await rolesOf(this.deps.stores.practices, practice);
    const context = { practice, policy, roles };
    if (viewer === 'channel') return this.screen(incident, 'readonly', { ...context, actor: { aadObjectId: '', name: '' } }, {});
    const sight = sightOf(incident, roles, { aadObjectId: viewer.aadObjectId, practiceId: practice.id, fromReviewChannel: false });
    if (sight === 'decider') return this.screen(incident, 'decider', { ...context, actor: viewer }, {});
    if (sight === 'reporter') return this.reporterScreen(incident, policy, viewer);
    return NOTICE;
  }

  /** The review channel is read only when it can matter: a press in a channel by someone who is neither. */
  private async sight(incident: Incident, roles: PracticeRoles, actor: Person, asking: Asking): Promise<Sight> {
    const asker = { aadObjectId: actor.aadObjectId, practiceId: asking.practice?.id, fromReviewChannel: false };
    const sight = sightOf(incident, roles, asker);
    if (sight !== 'none' || !asking.inChannel) return sight;
    const channel = await this.deps.stores.practices.reviewChannel(incident.practiceId);
    const channelId = (channel?.reference.conversation as { id?: unknown } | undefined)?.id;
    return sightOf(incident, roles, { ...asker, fromReviewChannel: sameChannel(asking.conversationId, typeof channelId === 'string' ? channelId : undefined) });
  }

  private async actAs(sight: Sight, incident: Incident, roles: PracticeRoles, practice: Practice, policy: Policy, request: IncidentActionRequest): Promise<IncidentScreen> {
    const { actor, verb } = request;
    const from = request.via ? ` (from the ${request.via})` : '';
    switch (sight) {
      case 'decider':
        return this.actOn(incident, roles, practice, policy, request);
      case 'none':
        // The practice's own staff: audited (collapsed); they see nothing of the incident.
        await this.refusals.staff(incident, actor, verb, from);
        return NOTICE;
      case 'channel': {
        const card = this.screen(incident, 'readonly', { practice, policy, roles, actor: { aadObjectId: '', name: '' } }, {});
        if (verb === INCIDENT_VERBS.refresh) return card;
        await this.refusals.staff(incident, actor, verb, from);
        return { ...card, notice: refusalNotice(verb) };
      }
      case 'reporter':
        return this.actAsReporter(incident, roles, policy, request, from);
    }
  }

  /** The reporter: their view, their answers to questions, and the tasks they own (posting the reply). */
  private async actAsReporter(incident: Incident, roles: PracticeRoles, policy: Policy, request: IncidentActionRequest, from: string): Promise<IncidentScreen> {
    const { actor, data, verb } = request;
    if (verb === INCIDENT_VERBS.refresh) return this.reporterScreen(incident, policy, actor);
    if (verb === INCIDENT_VERBS.answer) return this.answer(incident, roles, actor, text(data.answer));
    if (verb === INCIDENT_VERBS.taskDone) {
      const taskId = data.taskId ?? '';
      const result = completeTask(incident, roles, actor, taskId, text(data.taskOutcome), this.deps.now());
      if (result.ok) {
        const stored = await this.storeTaskDone(result.value, roles, actor, taskId, from);
        return this.reporterScreen(stored, policy, actor, { notice: { tone: 'good', text: 'Done, and recorded. Thank you.' } });
      }
      if (result.error.kind === 'invalid') return this.reporterScreen(incident, policy, actor, { errors: { [result.error.field]: result.error.message } });
      if (result.error.kind !== 'not-the-owner') return this.reporterScreen(incident, policy, actor, { notice: { tone: 'attention', text: 'That action is no longer open.' } });
    }
    await this.refusals.staff(incident, actor, verb, from);
    return this.reporterScreen(incident, policy, actor, { notice: refusalNotice(verb) });
  }

  private reporterScreen(incident: Incident, policy: Policy, viewer: Person, extra: { notice?: Notice; errors?: Record<string, string> } = {}): IncidentScreen {
    const handling = handlingOf(incident);
    const told = [
      ...(handling.decision ? [decisionSummary(handling.decision, (id) => policy.actions.find((a) => a.id === id)?.title ?? id)] : []),
      ...(incident.status === 'closed' ? [CLOSED_FOR_REPORTER] : []),
    ];
    const reply = handling.decision?.reporterPostsReply ? handling.decision.replyText : undefined;
    return { kind: 'reporter', incident, told, ...(reply ? { replyToPost: reply } : {}), viewerAadObjectId: viewer.aadObjectId, ...extra };
  }

  private async storeTaskDone(incident: Incident, roles: PracticeRoles, actor: Person, taskId: string, from: string): Promise<Incident> {
    const task = incident.handling?.tasks?.find((t) => t.id === taskId);
    const stored = await this.deps.stores.incidents.update(incident, { actor, action: 'task.done', summary: `Done: ${task?.title ?? taskId}. ${resolvedNote(incident)}${from}` });
    await this.updates.enqueueCardUpdates(stored, roles);
    return stored;
  }

  /** A decider's press: one entry per incident verb (the type has no room for a verb without one). */
  private readonly deciderVerbs: Record<IncidentVerb, (press: DeciderPress) => Promise<IncidentScreen> | IncidentScreen> = {
    [INCIDENT_VERBS.refresh]: ({ incident, screen }) => screen(incident),
    [INCIDENT_VERBS.answer]: ({ incident, roles, request }) => this.answer(incident, roles, request.actor, text(request.data.answer)),
    [INCIDENT_VERBS.taskDone]: (press) => this.taskDone(press),
    [INCIDENT_VERBS.pack]: async ({ incident, request }) => {
      await this.deps.stores.incidents.appendAudit(incident.practiceId, incident.reference, { actor: request.actor, action: 'evidence-pack.requested', summary: 'Evidence pack link issued.' });
      return { kind: 'pack', incident };
    },
    [INCIDENT_VERBS.checkReply]: (press) => this.decide(press, INCIDENT_VERBS.checkReply),
    [INCIDENT_VERBS.approveReply]: (press) => this.decide(press, INCIDENT_VERBS.approveReply),
    [INCIDENT_VERBS.noResponse]: (press) => this.decide(press, INCIDENT_VERBS.noResponse),
    [INCIDENT_VERBS.chooseActions]: (press) => this.decide(press, INCIDENT_VERBS.chooseActions),
    [INCIDENT_VERBS.assign]: (press) => this.decide(press, INCIDENT_VERBS.assign),
    [INCIDENT_VERBS.ask]: (press) => this.decide(press, INCIDENT_VERBS.ask),
    [INCIDENT_VERBS.close]: (press) => this.decide(press, INCIDENT_VERBS.close),
    [INCIDENT_VERBS.reopen]: (press) => this.decide(press, INCIDENT_VERBS.reopen),
  };

  private async actOn(incident: Incident, roles: PracticeRoles, practice: Practice, policy: Policy, request: IncidentActionRequest): Promise<IncidentScreen> {
    const from = request.via ? ` (from the ${request.via})` : '';
    const screen = (i: Incident, extra: ViewExtras = {}): IncidentView => this.screen(i, 'decider', { practice, policy, roles, actor: request.actor }, extra);
    return this.deciderVerbs[request.verb]({ incident, roles, practice, policy, request, from, screen });
  }

  /** A task's owner need not be a decider (the reporter posting the approved reply, say). */
  private async taskDone({ incident, roles, request, from, screen }: DeciderPress): Promise<IncidentScreen> {
    const { actor, data, verb } = request;
    const taskId = data.taskId ?? '';
    const result = completeTask(incident, roles, actor, taskId, text(data.taskOutcome), this.deps.now());
    if (!result.ok) {
      if (result.error.kind === 'not-the-owner') return this.refuse(incident, actor, verb, from, screen);
      return screen(incident, refusalShown(result.error, actor));
    }
    const stored = await this.storeTaskDone(result.value, roles, actor, taskId, from);
    return { ...screen(stored), notice: { tone: 'good', text: stored.status === 'resolved' ? 'Done. Every action is complete: the incident is resolved and can be closed.' : 'Done, and recorded.' } };
  }

  /** A decision (src/app/decisions.ts): applied, audited, the reporter and the cards told. */
  private async decide({ incident, roles, practice, policy, request, from, screen }: DeciderPress, verb: DecisionVerb): Promise<IncidentScreen> {
    const { actor, data } = request;
    const rule = DECISIONS[verb];
    // Deciders may do everything but reopen, which is the managers' alone.
    if (rule.managersOnly && !isManager(roles, actor.aadObjectId)) return this.refuse(incident, actor, verb, from, screen);
    const replyText = text(data.replyText);
    // Never trust the card: the findings and the free text are worked out here, from the text sent.
    const review = reviewReply(replyText.trim(), replyGuardContext(incident, practice, policy));
    const nameOf = async (aadObjectId: string) => {
      const chat = await this.deps.stores.practices.userChat(incident.practiceId, aadObjectId);
      return chat ? chatPersonName(chat) : undefined;
    };
    const { result, summary } = await rule.apply({ incident, roles, actor, data, now: this.deps.now(), replyText, review, nameOf });
    if (!result.ok) {
      if (result.error.kind === 'reply-blocked') await this.deps.stores.incidents.appendAudit(incident.practiceId, incident.reference, blockedReplyAudit(actor, review.findings, from));
      return screen(incident, { ...(keepsReply(result.error) ? { replyText, review } : {}), ...refusalShown(result.error, actor) });
    }
    const stored = await this.deps.stores.incidents.update(result.value, { actor, action: verb, summary: `${summary}${from}` });
    if (this.deps.log) logEvent(this.deps.log, 'decision.recorded', { practice: stored.practiceId, reference: stored.reference, verb });
    await this.updates.afterChange(stored, verb, policy, roles);
    return { ...screen(stored, { replyText, review }), notice: rule.notice(review), ...(rule.keepsReplyOpen ? { openSection: 'reply' as const } : {}) };
  }

  /** Authorisation is checked on the server for every verb; a refusal is audited (collapsed) and explained. */
  private async refuse(incident: Incident, actor: Person, verb: IncidentVerb, from: string, screen: (i: Incident) => IncidentView): Promise<IncidentScreen> {
    await this.refusals.staff(incident, actor, verb, from);
    return { ...screen(incident), notice: refusalNotice(verb) };
  }

  private async answer(incident: Incident, roles: PracticeRoles, actor: Person, answer: string): Promise<IncidentScreen> {
    const result = answerQuestion(incident, actor, answer, this.deps.now());
    if (!result.ok) {
      if (result.error.kind === 'invalid') return { kind: 'question', incident, error: result.error.message };
      return { kind: 'message', text: result.error.kind === 'no-open-question' ? 'Thank you: there is no open question on this report.' : 'Only the person who reported this can answer.' };
    }
    const stored = await this.deps.stores.incidents.update(result.value, { actor, action: 'incident.answered', summary: 'The reporter answered a question.' });
    await this.updates.enqueueCardUpdates(stored, roles);
    return { kind: 'message', text: `Thank you. Your answer has been added to ${stored.reference}.` };
  }

  private screen(
    incident: Incident,
    view: 'decider' | 'readonly',
    { practice, policy, roles, actor }: { practice: Practice; policy: Policy; roles: PracticeRoles; actor: Person },
    extra: ViewExtras,
  ): IncidentView {
    const handling = handlingOf(incident);
    // The approved text once decided; else what the manager last typed or saved; else the policy's template.
    const replyText = handling.decision?.replyText || extra.replyText || handling.replyDraft || defaultReply(policy, practice, incident);
    const review =
      view !== 'decider' ? undefined : extra.review && extra.replyText === replyText ? extra.review : shownReview(incident, practice, policy, replyText);
    return {
      kind: 'incident',
      incident,
      view,
      replyText,
      replyFindings: review?.findings ?? [],
      replyFreeText: review?.freeText.map((s) => s.text) ?? [],
      ...(extra.errors ? { errors: extra.errors } : {}),
      ...(extra.notice ? { notice: extra.notice } : {}),
      viewerAadObjectId: actor.aadObjectId,
      canClose: view === 'decider' && (incident.status === 'in-progress' || incident.status === 'resolved'),
      canReopen: incident.status === 'closed' && isManager(roles, actor.aadObjectId),
      roles,
    };
  }
}
