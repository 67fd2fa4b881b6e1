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
  isDecider,
  saveReplyDraft,
  type HandlingError,
  type Person,
} from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import { checkReply, guardContextFrom, hasBlocking, type Finding } from '../domain/policy/guard.ts';
import type { Policy } from '../domain/policy/schema.ts';
import { renderReplyTemplate } from '../domain/policy/templates.ts';
import type { Practice } from '../domain/practice.ts';
import type { Result } from '../domain/result.ts';
import { isManager, type PracticeRoles } from '../domain/roles.ts';
import { ConflictError, type NewOutboxItem, type Stores } from '../store/ports.ts';
import { INCIDENT_INPUTS, INCIDENT_VERBS } from '../views/verbs.ts';
import type { Notice } from './reporting.ts';
import { bootstrapRoles } from './routing.ts';

/**
 * The practice manager's side: the incident card's buttons. Authorisation is checked here, on the
 * server, for every verb, whatever the card that was pressed says; refusals are audited.
 */

export type IncidentScreen =
  | {
      kind: 'incident';
      incident: Incident;
      view: 'decider' | 'readonly';
      replyText: string;
      replyFindings: Finding[];
      errors?: Record<string, string>;
      notice?: Notice;
      /** Who is looking (task owners can mark their own tasks done on a read-only card). */
      viewerAadObjectId: string;
      canClose: boolean;
      canReopen: boolean;
      /** The practice's roles as read for this screen, so drawing the card need not read them again. */
      roles: PracticeRoles;
    }
  | { kind: 'question'; incident: Incident; error?: string }
  /** A decider asked for the evidence pack: the bot makes the short-lived link. */
  | { kind: 'pack'; incident: Incident }
  | { kind: 'message'; text: string };

type IncidentView = Extract<IncidentScreen, { kind: 'incident' }>;
type ViewExtras = {
  errors?: Record<string, string>;
  notice?: Notice;
  replyText?: string;
  replyFindings?: Finding[];
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

export interface IncidentActionRequest {
  verb: string;
  data: Record<string, unknown>;
  actor: Person;
  /** Which card the press came from (e.g. "review channel card"), for the audit trail. */
  via?: string;
}

export interface DecidingDeps {
  stores: Pick<Stores, 'incidents' | 'practices' | 'outbox'>;
  practices: (id: string) => Practice | undefined;
  policies: Map<string, Policy>;
  now: () => Date;
  queued?: () => void;
}

const RETRIES = 3;

export class Deciding {
  constructor(private readonly deps: DecidingDeps) {}

  async act(request: IncidentActionRequest): Promise<IncidentScreen> {
    const practiceId = typeof request.data.practiceId === 'string' ? request.data.practiceId : '';
    const reference = typeof request.data.reference === 'string' ? request.data.reference : '';
    const practice = this.deps.practices(practiceId);
    const policy = this.deps.policies.get(practiceId);
    if (!practice || !policy || !reference) return { kind: 'message', text: 'That incident card is not recognised.' };

    for (let attempt = 0; ; attempt++) {
      const incident = await this.deps.stores.incidents.get(practiceId, reference);
      if (!incident) return { kind: 'message', text: 'That incident was not found.' };
      const roles = (await this.deps.stores.practices.roles(practiceId, bootstrapRoles(practice))).value;
      try {
        return await this.actOn(incident, roles, practice, policy, request);
      } catch (error) {
        // Someone else changed the incident between our read and our write: look again.
        if (!(error instanceof ConflictError) || attempt >= RETRIES - 1) throw error;
      }
    }
  }

  /** The card a person should see for an incident: the decider view only for deciders. */
  async view(practiceId: string, reference: string, actor: Person): Promise<IncidentScreen> {
    return this.act({ verb: INCIDENT_VERBS.refresh, data: { practiceId, reference }, actor });
  }

  /** The same, for an incident already read (the outbox draws every card it sends). */
  async viewOf(incident: Incident, actor: Person, knownRoles?: () => Promise<PracticeRoles>): Promise<IncidentScreen> {
    const practice = this.deps.practices(incident.practiceId);
    const policy = this.deps.policies.get(incident.practiceId);
    if (!practice || !policy) return { kind: 'message', text: 'That incident card is not recognised.' };
    const roles = knownRoles ? await knownRoles() : (await this.deps.stores.practices.roles(practice.id, bootstrapRoles(practice))).value;
    return this.actOn(incident, roles, practice, policy, { verb: INCIDENT_VERBS.refresh, data: {}, actor });
  }

  private async actOn(incident: Incident, roles: PracticeRoles, practice: Practice, policy: Policy, request: IncidentActionRequest): Promise<IncidentScreen> {
    const { verb, data, actor } = request;
    const from = request.via ? ` (from the ${request.via})` : '';
    const decider = isDecider(incident, roles, actor.aadObjectId);
    const screen = (i: Incident, extra: ViewExtras = {}): IncidentView =>
      this.screen(i, decider ? 'decider' : 'readonly', { practice, policy, roles, actor }, extra);

    if (verb === INCIDENT_VERBS.refresh) return screen(incident);
    if (verb === INCIDENT_VERBS.answer) return this.answer(incident, actor, text(data[INCIDENT_INPUTS.answer]));
    if (!Object.values(INCIDENT_VERBS).includes(verb as never)) return screen(incident);
    // A task's owner need not be a decider (the reporter posting the approved reply, say).
    if (verb === INCIDENT_VERBS.taskDone) {
      const taskId = text(data.taskId);
      const result = completeTask(incident, roles, actor, taskId, text(data[`${INCIDENT_INPUTS.taskOutcomePrefix}${taskId}`]), this.deps.now());
      if (!result.ok) {
        if (result.error.kind === 'not-the-owner') return this.refuse(incident, actor, verb, from, screen);
        return this.refusal(incident, result.error, actor, [], '', screen);
      }
      const task = result.value.handling?.tasks?.find((t) => t.id === taskId);
      const stored = await this.deps.stores.incidents.update(result.value, { actor, action: 'task.done', summary: `Done: ${task?.title ?? taskId}. ${resolvedNote(result.value)}${from}` });
      await this.enqueueCardUpdates(stored);
      this.deps.queued?.();
      return { ...screen(stored), notice: { tone: 'good', text: stored.status === 'resolved' ? 'Done. Every action is complete: the incident is resolved and can be closed.' : 'Done, and recorded.' } };
    }

    const managerOnly = verb === INCIDENT_VERBS.reopen;
    const allowed = managerOnly ? isManager(roles, actor.aadObjectId) : decider;
    if (!allowed) return this.refuse(incident, actor, verb, from, screen);
    if (verb === INCIDENT_VERBS.pack) {
      await this.deps.stores.incidents.appendAudit(incident.practiceId, incident.reference, { actor, action: 'evidence-pack.requested', summary: 'Evidence pack link issued.' });
      return { kind: 'pack', incident };
    }

    const now = this.deps.now();
    const replyText = text(data[INCIDENT_INPUTS.replyText]);
    const findings = checkReply(replyText, this.guardContext(incident, practice, policy));
    let result: Result<Incident, HandlingError>;
    let summary: string;
    switch (verb) {
      case INCIDENT_VERBS.checkReply:
        result = saveReplyDraft(incident, roles, actor, replyText);
        summary = `Reply checked: ${findings.filter((f) => f.severity === 'blocking').length} blocking, ${findings.filter((f) => f.severity === 'advisory').length} advisory findings.`;
        break;
      case INCIDENT_VERBS.approveReply:
        result = decide(incident, roles, actor, { kind: 'public-reply', replyText, reporterPostsReply: data[INCIDENT_INPUTS.reporterPostsReply] === 'true', replyBlocked: hasBlocking(findings) }, now);
        summary = 'Decision: brief public reply approved.';
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
        summary = 'Closed with an outcome.';
        break;
      case INCIDENT_VERBS.reopen:
        result = reopen(incident, roles, actor, text(data[INCIDENT_INPUTS.reopenReason]), now);
        summary = `Reopened: ${text(data[INCIDENT_INPUTS.reopenReason]).slice(0, 200)}`;
        break;
      default:
        return screen(incident);
    }

    if (!result.ok) return this.refusal(incident, result.error, actor, findings, replyText, screen);
    const stored = await this.deps.stores.incidents.update(result.value, { actor, action: `incident.${verb.slice('incident.'.length)}`, summary: `${summary}${from}` });
    await this.afterChange(stored, verb, policy);
    const notice: Notice =
      verb === INCIDENT_VERBS.checkReply
        ? hasBlocking(findings)
          ? { tone: 'attention', text: 'The reply cannot be approved yet: see the problems under it.' }
          : { tone: 'good', text: 'Reply checked: nothing blocks approval.' }
        : { tone: 'good', text: DONE_NOTICE[verb] ?? 'Decision recorded. The reporter is being told.' };
    return { ...screen(stored, { replyText }), notice };
  }

  /** Authorisation is checked on the server for every verb; a refusal is audited and explained. */
  private async refuse(incident: Incident, actor: Person, verb: string, from: string, screen: (i: Incident) => IncidentView): Promise<IncidentScreen> {
    await this.deps.stores.incidents.appendAudit(incident.practiceId, incident.reference, {
      actor,
      action: 'decision.refused',
      summary: `Refused "${verb}": not allowed for this person at this practice${from}.`,
    });
    const who = verb === INCIDENT_VERBS.reopen ? 'Only a practice manager can reopen an incident.' : verb === INCIDENT_VERBS.taskDone ? 'Only the owner of that action, or a practice manager, deputy or Data Protection Officer, can mark it done.' : 'Only the practice manager, deputy or Data Protection Officer can decide on this incident.';
    return { ...screen(incident), notice: { tone: 'attention', text: `${who} Your attempt has been recorded.` } };
  }

  private refusal(
    incident: Incident,
    error: HandlingError,
    actor: Person,
    findings: Finding[],
    replyText: string,
    screen: (i: Incident, extra?: ViewExtras) => IncidentView,
  ): IncidentScreen {
    switch (error.kind) {
      case 'already-decided': {
        const mine = error.decision.by.aadObjectId.toLowerCase() === actor.aadObjectId.toLowerCase();
        const when = ukTime(error.decision.at);
        return screen(incident, {
          notice: { tone: mine ? 'good' : 'attention', text: mine ? `You decided this at ${when}.` : `Already decided by ${error.decision.by.name || 'another decider'} at ${when}.` },
        });
      }
      case 'reply-blocked':
        return screen(incident, {
          replyText,
          replyFindings: findings,
          errors: { [INCIDENT_INPUTS.replyText]: 'This reply cannot be approved: fix the problems listed under it.' },
        });
      case 'invalid':
        return screen(incident, { replyText, errors: { [error.field]: error.message } });
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
    await this.enqueueCardUpdates(stored);
    this.deps.queued?.();
    return { kind: 'message', text: `Thank you. Your answer has been added to ${stored.reference}.` };
  }

  /** After any change: every copy of the card shows the new state, and the reporter hears of decisions. */
  private async afterChange(incident: Incident, verb: string, policy: Policy): Promise<void> {
    const items: NewOutboxItem[] = [];
    const handling = handlingOf(incident);
    const reporterChat = await this.deps.stores.practices.userChat(incident.practiceId, incident.reporter.aadObjectId);
    const toReporter = (id: string, kind: NewOutboxItem['kind'], textValue?: string) => {
      if (reporterChat) {
        items.push({ practiceId: incident.practiceId, id: `${incident.reference}|reporter|${id}`, kind, target: `user:${incident.reporter.aadObjectId}`, address: reporterChat, reference: incident.reference, ...(textValue ? { text: textValue } : {}) });
      }
    };
    if (handling.decision && (verb === INCIDENT_VERBS.approveReply || verb === INCIDENT_VERBS.noResponse || verb === INCIDENT_VERBS.chooseActions)) {
      toReporter('decision', 'reporter-update', decisionSummary(handling.decision, (id) => policy.actions.find((a) => a.id === id)?.title ?? id));
    }
    if (verb === INCIDENT_VERBS.close && handling.closure) {
      // What users of incident systems miss most: hearing back when it is closed.
      // The outcome itself may hold the practice's private discussion, so the reporter hears only that it is closed.
      toReporter(`closed-${handling.reopenings?.length ?? 0}`, 'reporter-update', 'The practice manager has closed this incident. Thank you for reporting it.');
    }
    if (verb === INCIDENT_VERBS.ask) toReporter(`question-${handling.questions?.length ?? 0}`, 'reporter-question');
    if (verb === INCIDENT_VERBS.assign && handling.assignedTo) {
      const chat = await this.deps.stores.practices.userChat(incident.practiceId, handling.assignedTo.aadObjectId);
      if (chat) {
        items.push({ practiceId: incident.practiceId, id: `${incident.reference}|user:${handling.assignedTo.aadObjectId}|card`, kind: 'incident-card', target: `user:${handling.assignedTo.aadObjectId}`, address: chat, reference: incident.reference });
      }
    }
    // One write for the reporter's news and every card update (the outbox batches a practice's items).
    await this.deps.stores.outbox.enqueue([...items, ...(await this.cardUpdates(incident))], this.deps.now());
    this.deps.queued?.();
  }

  private async enqueueCardUpdates(incident: Incident): Promise<void> {
    await this.deps.stores.outbox.enqueue(await this.cardUpdates(incident), this.deps.now());
  }

  private async cardUpdates(incident: Incident): Promise<NewOutboxItem[]> {
    const version = handlingOf(incident).version;
    const sent = await this.deps.stores.outbox.sentCards(incident.practiceId, incident.reference);
    return sent
      .filter((card) => card.sentActivityId)
      .map((card) => ({
        practiceId: incident.practiceId,
        id: `${card.id}|update|v${version}`,
        kind: 'card-update',
        target: card.target,
        address: card.address,
        reference: incident.reference,
        activityId: card.sentActivityId!,
      }));
  }

  private screen(
    incident: Incident,
    view: 'decider' | 'readonly',
    { practice, policy, roles, actor }: { practice: Practice; policy: Policy; roles: PracticeRoles; actor: Person },
    extra: ViewExtras,
  ): IncidentView {
    const handling = handlingOf(incident);
    // The approved text once decided; else what the manager last typed or saved; else the policy's template.
    const replyText = handling.decision?.replyText || extra.replyText || handling.replyDraft || defaultReply(policy, practice);
    return {
      kind: 'incident',
      incident,
      view,
      replyText,
      replyFindings: extra.replyFindings ?? (view === 'decider' ? checkReply(replyText, this.guardContext(incident, practice, policy)) : []),
      ...(extra.errors ? { errors: extra.errors } : {}),
      ...(extra.notice ? { notice: extra.notice } : {}),
      viewerAadObjectId: actor.aadObjectId,
      canClose: view === 'decider' && (incident.status === 'in-progress' || incident.status === 'resolved'),
      canReopen: incident.status === 'closed' && isManager(roles, actor.aadObjectId),
      roles,
    };
  }

  private guardContext(incident: Incident, practice: Practice, policy: Policy) {
    const named = (incident.facts.what.namedColleagues ?? '')
      .split(/,|;|\band\b/)
      .map((s) => s.trim())
      .filter((s) => s.length > 1);
    return guardContextFrom(policy, {
      staffNames: [...practice.staffNames, ...named],
      ...(practice.phone ? { practicePhone: practice.phone } : {}),
      ...(practice.email ? { practiceEmail: practice.email } : {}),
    });
  }
}

function defaultReply(policy: Policy, practice: Practice): string {
  const rendered = renderReplyTemplate(policy, 'public-reply', {
    practiceName: practice.name,
    practicePhone: practice.phone ?? 'the surgery',
    practiceEmail: practice.email ?? 'the practice',
  });
  return rendered.ok ? rendered.value : '';
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

function ukTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}
