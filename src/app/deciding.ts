import {
  answerQuestion,
  askReporter,
  assign,
  close,
  completeTask,
  decide,
  reopen,
  decisionSummary,
  handlingOf,
  saveReplyDraft,
  type HandlingError,
  type Person,
} from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import { hasBlocking, reviewReply, type Finding, type ReplyReview } from '../domain/policy/guard.ts';
import { attestationKey } from '../domain/policy/reply-guard/attestation.ts';
import type { Policy } from '../domain/policy/schema.ts';
import type { Practice } from '../domain/practice.ts';
import { ok, type Result } from '../domain/result.ts';
import { stampRetention } from '../domain/retention.ts';
import { RETENTION_RULES } from '../policy/retention.ts';
import { isManager, type PracticeRoles } from '../domain/roles.ts';
import { parseReference } from '../domain/reference.ts';
import { sameChannel, sightOf, type Sight } from '../domain/sight.ts';
import { londonDateTime } from '../domain/ukTime.ts';
import { logEvent, type Logger } from '../log.ts';
import type { Stores } from '../store/ports.ts';
import { INCIDENT_INPUTS, INCIDENT_VERBS } from '../contract/cards.ts';
import type { Notice } from './reporting.ts';
import { CardUpdates, CLOSED_FOR_REPORTER } from './cardUpdates.ts';
import type { Asking, IncidentActionRequest, IncidentScreen } from './incidentScreens.ts';
import { NOT_YOURS, RefusalLimiter, refusalNotice, Refusals } from './refusals.ts';
import { approvalSummary, blockedReplyAudit, defaultReply, replyGuardContext } from './replyGuard.ts';
import { CONFLICT_ATTEMPTS, retryOnConflict } from './retryOnConflict.ts';
import { bootstrapRoles } from './routing.ts';

export type { Asking, IncidentActionRequest, IncidentScreen } from './incidentScreens.ts';

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

const DONE_NOTICE: Record<string, string> = {
  [INCIDENT_VERBS.ask]: 'Question sent to the reporter.',
  [INCIDENT_VERBS.assign]: 'Assigned.',
  [INCIDENT_VERBS.close]: 'Closed. The reporter is being told.',
  [INCIDENT_VERBS.reopen]: 'Reopened.',
};

function resolvedNote(incident: Incident): string {
  return incident.status === 'resolved' ? 'All actions done: resolved.' : '';
}

export interface DecidingDeps {
  stores: Pick<Stores, 'incidents' | 'practices' | 'outbox'>;
  practices: (id: string) => Practice | undefined;
  policies: Map<string, Policy>;
  now: () => Date;
  queued?: () => void;
  /** Business events (decision recorded); absent in tests that do not look. */
  log?: Logger;
}

const NOTICE: IncidentScreen = { kind: 'message', text: NOT_YOURS };
const KNOWN_VERBS: readonly string[] = Object.values(INCIDENT_VERBS);

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
  async sightForOpening(request: IncidentActionRequest): Promise<{ sight: Sight; practiceId?: string; reference?: string }> {
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
  private async lookUp(request: IncidentActionRequest, asking: Asking) {
    const verb = KNOWN_VERBS.includes(request.verb) ? request.verb : 'other';
    const cardPracticeId = typeof request.data.practiceId === 'string' ? request.data.practiceId : undefined;
    const reference = typeof request.data.reference === 'string' ? request.data.reference : '';
    const practice = asking.practice;
    const policy = practice ? this.deps.policies.get(practice.id) : undefined;
    const ids = { askerPracticeId: practice?.id, verb, ...(cardPracticeId !== undefined ? { cardPracticeId } : {}), reference };
    const incident = practice && policy && (cardPracticeId === undefined || cardPracticeId === practice.id) && parseReference(reference) === reference ? await this.deps.stores.incidents.get(practice.id, reference) : undefined;
    if (!practice || !policy || !incident) {
      this.refusals.outsider(request.actor.aadObjectId, ids);
      return undefined;
    }
    const roles = (await this.deps.stores.practices.roles(practice.id, bootstrapRoles(practice))).value;
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
    const roles = knownRoles ? await knownRoles() : (await this.deps.stores.practices.roles(practice.id, bootstrapRoles(practice))).value;
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
    const { actor } = request;
    const verb = KNOWN_VERBS.includes(request.verb) ? request.verb : 'other';
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
        if (verb === INCIDENT_VERBS.refresh || verb === 'other') return card;
        await this.refusals.staff(incident, actor, verb, from);
        return { ...card, notice: refusalNotice(verb) };
      }
      case 'reporter':
        return this.actAsReporter(incident, roles, policy, request, verb, from);
    }
  }

  /** The reporter: their view, their answers to questions, and the tasks they own (posting the reply). */
  private async actAsReporter(incident: Incident, roles: PracticeRoles, policy: Policy, request: IncidentActionRequest, verb: string, from: string): Promise<IncidentScreen> {
    const { actor, data } = request;
    if (verb === INCIDENT_VERBS.refresh || verb === 'other') return this.reporterScreen(incident, policy, actor);
    if (verb === INCIDENT_VERBS.answer) return this.answer(incident, actor, text(data[INCIDENT_INPUTS.answer]));
    if (verb === INCIDENT_VERBS.taskDone) {
      const taskId = text(data.taskId);
      const result = completeTask(incident, roles, actor, taskId, text(data[`${INCIDENT_INPUTS.taskOutcomePrefix}${taskId}`]), this.deps.now());
      if (result.ok) {
        const stored = await this.storeTaskDone(result.value, actor, taskId, from);
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

  private async storeTaskDone(incident: Incident, actor: Person, taskId: string, from: string): Promise<Incident> {
    const task = incident.handling?.tasks?.find((t) => t.id === taskId);
    const stored = await this.deps.stores.incidents.update(incident, { actor, action: 'task.done', summary: `Done: ${task?.title ?? taskId}. ${resolvedNote(incident)}${from}` });
    await this.updates.enqueueCardUpdates(stored);
    this.deps.queued?.();
    return stored;
  }

  private async actOn(incident: Incident, roles: PracticeRoles, practice: Practice, policy: Policy, request: IncidentActionRequest): Promise<IncidentScreen> {
    const { verb, data, actor } = request;
    const from = request.via ? ` (from the ${request.via})` : '';
    const screen = (i: Incident, extra: ViewExtras = {}): IncidentView => this.screen(i, 'decider', { practice, policy, roles, actor }, extra);

    if (verb === INCIDENT_VERBS.refresh) return screen(incident);
    if (verb === INCIDENT_VERBS.answer) return this.answer(incident, actor, text(data[INCIDENT_INPUTS.answer]));
    if (!Object.values(INCIDENT_VERBS).includes(verb as never)) return screen(incident);
    // A task's owner need not be a decider (the reporter posting the approved reply, say).
    if (verb === INCIDENT_VERBS.taskDone) {
      const taskId = text(data.taskId);
      const result = completeTask(incident, roles, actor, taskId, text(data[`${INCIDENT_INPUTS.taskOutcomePrefix}${taskId}`]), this.deps.now());
      if (!result.ok) {
        if (result.error.kind === 'not-the-owner') return this.refuse(incident, actor, verb, from, screen);
        return this.refusal(incident, result.error, actor, undefined, '', screen);
      }
      const stored = await this.storeTaskDone(result.value, actor, taskId, from);
      return { ...screen(stored), notice: { tone: 'good', text: stored.status === 'resolved' ? 'Done. Every action is complete: the incident is resolved and can be closed.' : 'Done, and recorded.' } };
    }

    // Deciders may do everything but reopen, which is the managers' alone.
    if (verb === INCIDENT_VERBS.reopen && !isManager(roles, actor.aadObjectId)) return this.refuse(incident, actor, verb, from, screen);
    if (verb === INCIDENT_VERBS.pack) {
      await this.deps.stores.incidents.appendAudit(incident.practiceId, incident.reference, { actor, action: 'evidence-pack.requested', summary: 'Evidence pack link issued.' });
      return { kind: 'pack', incident };
    }

    const now = this.deps.now();
    const replyText = text(data[INCIDENT_INPUTS.replyText]);
    // Never trust the card: the findings and the free text are worked out here, from the text sent.
    const review = reviewReply(replyText.trim(), replyGuardContext(incident, practice, policy));
    const findings = review.findings;
    const freeText = review.freeText.map((s) => s.text);
    let result: Result<Incident, HandlingError>;
    let summary: string;
    switch (verb) {
      case INCIDENT_VERBS.checkReply:
        result = saveReplyDraft(incident, roles, actor, replyText);
        summary = `Reply checked: ${findings.filter((f) => f.severity === 'blocking').length} blocking, ${findings.filter((f) => f.severity === 'advisory').length} advisory findings.`;
        break;
      case INCIDENT_VERBS.approveReply:
        // The tick carries the key of the sentences the card listed: it attests to those only.
        result = decide(incident, roles, actor, {
          kind: 'public-reply', replyText, freeText, replyBlocked: hasBlocking(findings),
          reporterPostsReply: data[INCIDENT_INPUTS.reporterPostsReply] === 'true',
          attested: freeText.length > 0 && data[INCIDENT_INPUTS.attestFreeText] === attestationKey(freeText),
        }, now);
        summary = approvalSummary(actor.name, freeText);
        break;
      case INCIDENT_VERBS.noResponse:
        result = decide(incident, roles, actor, { kind: 'no-response', reason: text(data[INCIDENT_INPUTS.reason]) }, now);
        summary = 'Decision: no public response.';
        break;
      case INCIDENT_VERBS.chooseActions:
        result = decide(incident, roles, actor, { kind: 'actions', actions: list(data[INCIDENT_INPUTS.actions]) }, now);
        summary = `Decision: actions chosen (${list(data[INCIDENT_INPUTS.actions]).join(', ')}).`;
        break;
      case INCIDENT_VERBS.assign: {
        const to = text(data[INCIDENT_INPUTS.assignee]);
        const name = (await this.deps.stores.practices.userChat(incident.practiceId, to))?.reference.user as { name?: string } | undefined;
        result = assign(incident, roles, actor, { aadObjectId: to, name: name?.name ?? '' });
        summary = `Assigned to ${name?.name || 'a deputy'}.`;
        break;
      }
      case INCIDENT_VERBS.ask:
        result = askReporter(incident, roles, actor, text(data[INCIDENT_INPUTS.question]), now);
        summary = 'Asked the reporter for more information.';
        break;
      case INCIDENT_VERBS.close:
        result = close(incident, roles, actor, { outcome: text(data[INCIDENT_INPUTS.closeOutcome]), lessonsLearnt: text(data[INCIDENT_INPUTS.lessonsLearnt]) }, now);
        // The Records Management Code period starts now: the date is fixed on the record.
        if (result.ok) result = ok(stampRetention(result.value, RETENTION_RULES));
        summary = result.ok ? `Closed with an outcome. Kept until ${result.value.handling?.closure?.retainUntil?.slice(0, 10)} (${result.value.handling?.closure?.retentionBasis}).` : 'Closed with an outcome.';
        break;
      case INCIDENT_VERBS.reopen:
        result = reopen(incident, roles, actor, text(data[INCIDENT_INPUTS.reopenReason]), now);
        summary = `Reopened: ${text(data[INCIDENT_INPUTS.reopenReason]).slice(0, 200)}`;
        break;
      default:
        return screen(incident);
    }

    if (!result.ok) {
      if (result.error.kind === 'reply-blocked') await this.deps.stores.incidents.appendAudit(incident.practiceId, incident.reference, blockedReplyAudit(actor, findings, from));
      return this.refusal(incident, result.error, actor, review, replyText, screen);
    }
    const stored = await this.deps.stores.incidents.update(result.value, { actor, action: `incident.${verb.slice('incident.'.length)}`, summary: `${summary}${from}` });
    if (this.deps.log) logEvent(this.deps.log, 'decision.recorded', { practice: stored.practiceId, reference: stored.reference, verb });
    await this.updates.afterChange(stored, verb, policy);
    const notice: Notice =
      verb === INCIDENT_VERBS.checkReply
        ? hasBlocking(findings)
          ? { tone: 'attention', text: 'The reply cannot be approved yet: see the problems under it.' }
          : review.freeText.length > 0
            ? { tone: 'good', text: `Reply checked: nothing blocks approval. ${review.freeText.length === 1 ? '1 sentence is' : `${review.freeText.length} sentences are`} not from the approved list: read them and tick the statement to approve.` }
            : { tone: 'good', text: 'Reply checked: nothing blocks approval.' }
        : { tone: 'good', text: DONE_NOTICE[verb] ?? 'Decision recorded. The reporter is being told.' };
    return { ...screen(stored, { replyText, review }), notice, ...(verb === INCIDENT_VERBS.checkReply ? { openSection: 'reply' as const } : {}) };
  }

  /** Authorisation is checked on the server for every verb; a refusal is audited (collapsed) and explained. */
  private async refuse(incident: Incident, actor: Person, verb: string, from: string, screen: (i: Incident) => IncidentView): Promise<IncidentScreen> {
    await this.refusals.staff(incident, actor, verb, from);
    return { ...screen(incident), notice: refusalNotice(verb) };
  }

  private refusal(
    incident: Incident,
    error: HandlingError,
    actor: Person,
    review: ReplyReview | undefined,
    replyText: string,
    screen: (i: Incident, extra?: ViewExtras) => IncidentView,
  ): IncidentScreen {
    switch (error.kind) {
      case 'already-decided': {
        const mine = error.decision.by.aadObjectId.toLowerCase() === actor.aadObjectId.toLowerCase();
        const when = londonDateTime(error.decision.at);
        return screen(incident, {
          notice: { tone: mine ? 'good' : 'attention', text: mine ? `You decided this at ${when}.` : `Already decided by ${error.decision.by.name || 'another decider'} at ${when}.` },
        });
      }
      case 'reply-blocked':
        return screen(incident, {
          replyText,
          ...(review ? { review } : {}),
          errors: { [INCIDENT_INPUTS.replyText]: 'This reply cannot be approved: fix the problems listed under it.' },
        });
      case 'attestation-needed':
        return screen(incident, {
          replyText,
          ...(review ? { review } : {}),
          errors: {
            [INCIDENT_INPUTS.attestFreeText]:
              'Some sentences are not from the approved list. Read each one listed, then tick the statement to approve. If you changed the reply, press Check reply first.',
          },
        });
      case 'invalid':
        return screen(incident, { replyText, ...(review ? { review } : {}), errors: { [error.field]: error.message } });
      case 'not-routed':
        return screen(incident, { notice: { tone: 'default', text: 'This incident is still being graded. Try again in a moment.' } });
      case 'impossible-transition':
        return screen(incident, { notice: { tone: 'attention', text: `That cannot be done while the incident is ${error.from.replace('-', ' ')}.` } });
      case 'no-such-task':
        return screen(incident, { notice: { tone: 'attention', text: 'That action is no longer on this incident.' } });
      default:
        return screen(incident);
    }
  }

  private async answer(incident: Incident, actor: Person, answer: string): Promise<IncidentScreen> {
    const result = answerQuestion(incident, actor, answer, this.deps.now());
    if (!result.ok) {
      if (result.error.kind === 'invalid') return { kind: 'question', incident, error: result.error.message };
      return { kind: 'message', text: result.error.kind === 'no-open-question' ? 'Thank you: there is no open question on this report.' : 'Only the person who reported this can answer.' };
    }
    const stored = await this.deps.stores.incidents.update(result.value, { actor, action: 'incident.answered', summary: 'The reporter answered a question.' });
    await this.updates.enqueueCardUpdates(stored);
    this.deps.queued?.();
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
      view !== 'decider' ? undefined : extra.review && extra.replyText === replyText ? extra.review : reviewReply(replyText, replyGuardContext(incident, practice, policy));
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

function text(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, 5_000) : '';
}

function list(value: unknown): string[] {
  return text(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

