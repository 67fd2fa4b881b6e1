import { ATTESTATION_STATEMENT, type ReplyAttestation } from './policy/reply-guard/attestation.ts';
import type { Grading } from './policy/grade.ts';
import type { Incident } from './incident.ts';
import type { LegalHold } from './retention.ts';
import {
  CLOSURE_LIMIT,
  LESSONS_REQUIRED,
  TASK_OUTCOME_LIMIT,
  taskHours,
  transition,
  type Closure,
  type Reopening,
  type Task,
} from './lifecycle.ts';
import { err, ok, type Result } from './result.ts';
import { canDecide, isManager, type PracticeRoles } from './roles.ts';

/**
 * What happens to an incident after it is reported: routed to the people who must decide, then
 * decided in Teams. Pure: the bot and the store only carry these values.
 */

export interface Person {
  aadObjectId: string;
  name: string;
}

export const DECISION_KINDS = [
  { id: 'no-response', label: 'No response' },
  { id: 'public-reply', label: 'Brief public reply approved' },
  { id: 'actions', label: 'Actions chosen' },
] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number]['id'];

export interface Decision {
  kind: DecisionKind;
  by: Person;
  at: string;
  /** no-response: why. */
  reason?: string;
  /** public-reply: the approved text, exactly as checked by the reply guard. */
  replyText?: string;
  /** public-reply: the reporter is asked to post it. */
  reporterPostsReply?: boolean;
  /** public-reply: the free-text sentences (not approved in advance) the manager attested to. */
  attestation?: ReplyAttestation;
  /** actions: the chosen policy action ids. */
  actions?: string[];
}

export interface QuestionToReporter {
  askedBy: Person;
  askedAt: string;
  question: string;
  answer?: string;
  answeredAt?: string;
}

export interface Handling {
  /** Increases with every change; cards carry it so a stale card is recognised. */
  version: number;
  routedAt?: string;
  grading?: Grading;
  priorIncidentsByAuthor?: number;
  /** The reply being prepared (saved on every check), before approval. */
  replyDraft?: string;
  assignedTo?: Person;
  decision?: Decision;
  questions?: QuestionToReporter[];
  /** The follow-up actions the decision started. */
  tasks?: Task[];
  closure?: Closure;
  reopenings?: Reopening[];
  /** This report is of a post already reported: the first incident's reference (domain/rereport.ts). */
  sameAs?: string;
  /** The same post reported again by others, linked here. */
  alsoReportedBy?: Array<{ reference: string; name: string; at: string }>;
  /** A manager's legal hold: the incident is not deleted while it is set (src/domain/retention.ts). */
  legalHold?: LegalHold;
}

export const REPLY_LIMIT = 1_000;
export const REASON_LIMIT = 500;
export const QUESTION_LIMIT = 500;
export const ANSWER_LIMIT = 2_000;

export type HandlingError =
  | { kind: 'not-a-decider' }
  | { kind: 'already-decided'; decision: Decision }
  | { kind: 'not-routed' }
  | { kind: 'invalid'; field: string; message: string }
  | { kind: 'reply-blocked' }
  | { kind: 'attestation-needed' }
  | { kind: 'not-the-reporter' }
  | { kind: 'no-open-question' }
  | { kind: 'impossible-transition'; from: string; to: string }
  | { kind: 'not-the-owner' }
  | { kind: 'no-such-task' }
  | { kind: 'not-a-manager' };

export function handlingOf(incident: Pick<Incident, 'handling'>): Handling {
  return incident.handling ?? { version: 0 };
}

export function needsDpo(handling: Handling): boolean {
  return handling.grading?.deciders.includes('data-protection-officer') ?? false;
}

export function needsSafeguardingLead(handling: Handling): boolean {
  return handling.grading?.deciders.includes('safeguarding-lead') ?? false;
}

export function isDecider(incident: Pick<Incident, 'handling'>, roles: PracticeRoles, aadObjectId: string): boolean {
  const handling = handlingOf(incident);
  return canDecide(roles, aadObjectId, needsDpo(handling), needsSafeguardingLead(handling));
}

/** The moment the report is graded and sent to the deciders. */
export function route(incident: Incident, grading: Grading, priorIncidentsByAuthor: number, now: Date): Incident {
  const handling = handlingOf(incident);
  return {
    ...incident,
    status: 'awaiting-decision',
    handling: { ...handling, version: handling.version + 1, routedAt: now.toISOString(), grading, priorIncidentsByAuthor },
  };
}

export function decisionDue(incident: Pick<Incident, 'reportedAt' | 'handling'>): Date | undefined {
  const grading = handlingOf(incident).grading;
  if (!grading) return undefined;
  return new Date(Date.parse(incident.reportedAt) + grading.decisionTargetHours * 3_600_000);
}

export type DecisionRequest =
  | { kind: 'no-response'; reason: string }
  | {
      kind: 'public-reply';
      replyText: string;
      reporterPostsReply: boolean;
      replyBlocked: boolean;
      /** Sentences of the reply that are not approved sentences; each must be attested. */
      freeText?: string[];
      /** The manager ticked the attestation for exactly these sentences. */
      attested?: boolean;
    }
  | { kind: 'actions'; actions: string[] };

/**
 * A decision, checked: only the practice's deciders, only once, only with what the card asked for.
 * A public reply with a blocking reply-guard finding is refused; one with free text (sentences
 * not approved in advance) needs the manager's attestation, which is kept with the decision.
 */
export function decide(
  incident: Incident,
  roles: PracticeRoles,
  actor: Person,
  request: DecisionRequest,
  now: Date,
): Result<Incident, HandlingError> {
  const checked = checkDecider(incident, roles, actor);
  if (!checked.ok) return checked;
  const handling = checked.value;
  const base = { by: actor, at: now.toISOString() };
  let decision: Decision;
  switch (request.kind) {
    case 'no-response': {
      const reason = request.reason.trim();
      if (!reason) return err({ kind: 'invalid', field: 'reason', message: 'Say briefly why no response is the right choice.' });
      if (reason.length > REASON_LIMIT) return err({ kind: 'invalid', field: 'reason', message: `Keep this under ${REASON_LIMIT} characters.` });
      decision = { kind: 'no-response', ...base, reason };
      break;
    }
    case 'public-reply': {
      const replyText = request.replyText.trim();
      if (!replyText) return err({ kind: 'invalid', field: 'replyText', message: 'The reply is empty.' });
      if (replyText.length > REPLY_LIMIT) return err({ kind: 'invalid', field: 'replyText', message: `Keep the reply under ${REPLY_LIMIT} characters.` });
      if (request.replyBlocked) return err({ kind: 'reply-blocked' });
      const freeText = request.freeText ?? [];
      if (freeText.length > 0 && request.attested !== true) return err({ kind: 'attestation-needed' });
      decision = {
        kind: 'public-reply',
        ...base,
        replyText,
        reporterPostsReply: request.reporterPostsReply,
        ...(freeText.length > 0 ? { attestation: { statement: ATTESTATION_STATEMENT, sentences: [...freeText] } } : {}),
      };
      break;
    }
    case 'actions': {
      const offered = new Set((handling.grading?.actions ?? []).map((a) => a.id));
      const actions = request.actions.filter((a, i, all) => all.indexOf(a) === i);
      if (actions.length === 0) return err({ kind: 'invalid', field: 'actions', message: 'Tick at least one action.' });
      if (!actions.every((a) => offered.has(a))) return err({ kind: 'invalid', field: 'actions', message: 'Choose from the recommended actions only.' });
      decision = { kind: 'actions', ...base, actions };
      break;
    }
  }
  const tasks = tasksFor(decision, handling, incident, now);
  const next = transition(incident.status, tasks.length === 0 ? 'resolved' : 'in-progress');
  if (!next.ok) return err(next.error);
  return ok({ ...incident, status: next.value, handling: { ...handling, version: handling.version + 1, decision, tasks } });
}

/**
 * The decision becomes tracked tasks: each chosen action, owned by whoever the incident is
 * assigned to (else the decider); an approved reply is a task for whoever will post it.
 */
function tasksFor(decision: Decision, handling: Handling, incident: Incident, now: Date): Task[] {
  const owner = handling.assignedTo ?? decision.by;
  const dueAt = new Date(now.getTime() + taskHours(handling.grading?.decisionTargetHours ?? 24) * 3_600_000).toISOString();
  const title = (id: string) => handling.grading?.actions.find((a) => a.id === id)?.title ?? id;
  const base = { status: 'open' as const, dueAt };
  if (decision.kind === 'actions') {
    return (decision.actions ?? []).map((actionId, i) => ({ ...base, id: `t${i + 1}`, actionId, title: title(actionId), owner }));
  }
  if (decision.kind === 'public-reply') {
    const poster = decision.reporterPostsReply ? incident.reporter : owner;
    return [{ ...base, id: 't1', actionId: 'public-reply', title: 'Post the approved reply in the same comment stream', owner: poster, dueAt: new Date(now.getTime() + (handling.grading?.decisionTargetHours ?? 4) * 3_600_000).toISOString() }];
  }
  return [];
}

/** The owner (or a manager) says what happened; the last open task resolves the incident. */
export function completeTask(
  incident: Incident,
  roles: PracticeRoles,
  actor: Person,
  taskId: string,
  outcome: string,
  now: Date,
): Result<Incident, HandlingError> {
  const handling = handlingOf(incident);
  const task = handling.tasks?.find((t) => t.id === taskId);
  if (!task) return err({ kind: 'no-such-task' });
  const isOwner = task.owner.aadObjectId.toLowerCase() === actor.aadObjectId.toLowerCase();
  if (!isOwner && !isDecider(incident, roles, actor.aadObjectId)) return err({ kind: 'not-the-owner' });
  if (task.status === 'done') return err({ kind: 'invalid', field: `outcome_${taskId}`, message: `Already done by ${task.doneBy?.name || 'someone'}.` });
  const text = outcome.trim();
  if (!text) return err({ kind: 'invalid', field: `outcome_${taskId}`, message: 'Say what happened (a reference number, the reply, the advice).' });
  if (text.length > TASK_OUTCOME_LIMIT) return err({ kind: 'invalid', field: `outcome_${taskId}`, message: `Keep this under ${TASK_OUTCOME_LIMIT} characters.` });
  const tasks = (handling.tasks ?? []).map((t) => (t.id === taskId ? { ...t, status: 'done' as const, outcome: text, doneBy: actor, doneAt: now.toISOString() } : t));
  const allDone = tasks.every((t) => t.status === 'done');
  let status = incident.status;
  if (allDone && incident.status === 'in-progress') {
    const next = transition(incident.status, 'resolved');
    if (!next.ok) return err(next.error);
    status = next.value;
  }
  return ok({ ...incident, status, handling: { ...handling, version: handling.version + 1, tasks } });
}

/** Closing records the outcome; high and critical incidents must say what was learnt. */
export function close(
  incident: Incident,
  roles: PracticeRoles,
  actor: Person,
  input: { outcome: string; lessonsLearnt: string },
  now: Date,
): Result<Incident, HandlingError> {
  if (!isDecider(incident, roles, actor.aadObjectId)) return err({ kind: 'not-a-decider' });
  const next = transition(incident.status, 'closed');
  if (!next.ok) return err(next.error);
  const handling = handlingOf(incident);
  const outcome = input.outcome.trim();
  const lessons = input.lessonsLearnt.trim();
  if (!outcome) return err({ kind: 'invalid', field: 'closeOutcome', message: 'Say how the incident ended.' });
  if (outcome.length > CLOSURE_LIMIT) return err({ kind: 'invalid', field: 'closeOutcome', message: `Keep this under ${CLOSURE_LIMIT} characters.` });
  const severity = handling.grading?.severity;
  if (!lessons && severity && (LESSONS_REQUIRED as readonly string[]).includes(severity)) {
    return err({ kind: 'invalid', field: 'lessonsLearnt', message: 'Lessons learnt are required for high and critical incidents.' });
  }
  if (lessons.length > CLOSURE_LIMIT) return err({ kind: 'invalid', field: 'lessonsLearnt', message: `Keep this under ${CLOSURE_LIMIT} characters.` });
  const closure: Closure = { outcome, ...(lessons ? { lessonsLearnt: lessons } : {}), closedBy: actor, closedAt: now.toISOString() };
  return ok({ ...incident, status: next.value, handling: { ...handling, version: handling.version + 1, closure } });
}

/** Only a practice manager reopens a closed incident; the reason is kept with the record. */
export function reopen(incident: Incident, roles: PracticeRoles, actor: Person, reason: string, now: Date): Result<Incident, HandlingError> {
  if (!isManager(roles, actor.aadObjectId)) return err({ kind: 'not-a-manager' });
  const handling = handlingOf(incident);
  const to = handling.decision ? 'in-progress' : 'awaiting-decision';
  const next = transition(incident.status, to);
  if (!next.ok) return err(next.error);
  const text = reason.trim();
  if (!text) return err({ kind: 'invalid', field: 'reopenReason', message: 'Say why it is being reopened.' });
  const { closure: _closed, ...rest } = handling;
  const reopenings = [...(handling.reopenings ?? []), { by: actor, at: now.toISOString(), reason: text.slice(0, CLOSURE_LIMIT) }];
  // Reopened work gets a fresh set of open tasks only if the old ones were all done.
  return ok({ ...incident, status: next.value, handling: { ...rest, version: handling.version + 1, reopenings } });
}

/** Saves the reply being prepared, so the next person to open the card sees the same text. */
export function saveReplyDraft(incident: Incident, roles: PracticeRoles, actor: Person, text: string): Result<Incident, HandlingError> {
  const checked = checkDecider(incident, roles, actor);
  if (!checked.ok) return checked;
  const replyDraft = text.trim().slice(0, REPLY_LIMIT);
  return ok({ ...incident, handling: { ...checked.value, version: checked.value.version + 1, replyDraft } });
}

export function assign(incident: Incident, roles: PracticeRoles, actor: Person, to: Person): Result<Incident, HandlingError> {
  const checked = checkDecider(incident, roles, actor);
  if (!checked.ok) return checked;
  if (!roles.deputies.some((d) => d.toLowerCase() === to.aadObjectId.toLowerCase()) && !roles.managers.some((m) => m.toLowerCase() === to.aadObjectId.toLowerCase())) {
    return err({ kind: 'invalid', field: 'assignee', message: 'Choose the deputy (or another manager) to assign it to.' });
  }
  return ok({ ...incident, handling: { ...checked.value, version: checked.value.version + 1, assignedTo: to } });
}

export function askReporter(incident: Incident, roles: PracticeRoles, actor: Person, question: string, now: Date): Result<Incident, HandlingError> {
  const checked = checkDecider(incident, roles, actor);
  if (!checked.ok) return checked;
  const text = question.trim();
  if (!text) return err({ kind: 'invalid', field: 'question', message: 'Write the question for the reporter.' });
  if (text.length > QUESTION_LIMIT) return err({ kind: 'invalid', field: 'question', message: `Keep the question under ${QUESTION_LIMIT} characters.` });
  const questions = [...(checked.value.questions ?? []), { askedBy: actor, askedAt: now.toISOString(), question: text }];
  return ok({ ...incident, handling: { ...checked.value, version: checked.value.version + 1, questions } });
}

/** The reporter's answer to the latest open question is added to the incident. */
export function answerQuestion(incident: Incident, actor: Person, answer: string, now: Date): Result<Incident, HandlingError> {
  if (incident.reporter.aadObjectId.toLowerCase() !== actor.aadObjectId.toLowerCase()) return err({ kind: 'not-the-reporter' });
  const handling = handlingOf(incident);
  const questions = [...(handling.questions ?? [])];
  const open = questions.map((q, i) => ({ q, i })).reverse().find(({ q }) => q.answer === undefined);
  if (!open) return err({ kind: 'no-open-question' });
  const text = answer.trim();
  if (!text) return err({ kind: 'invalid', field: 'answer', message: 'Write your answer.' });
  if (text.length > ANSWER_LIMIT) return err({ kind: 'invalid', field: 'answer', message: `Keep this under ${ANSWER_LIMIT} characters.` });
  questions[open.i] = { ...open.q, answer: text, answeredAt: now.toISOString() };
  return ok({ ...incident, handling: { ...handling, version: handling.version + 1, questions } });
}

function checkDecider(incident: Incident, roles: PracticeRoles, actor: Person): Result<Handling, HandlingError> {
  const handling = handlingOf(incident);
  if (!isDecider(incident, roles, actor.aadObjectId)) return err({ kind: 'not-a-decider' });
  if (!handling.grading) return err({ kind: 'not-routed' });
  if (handling.decision) return err({ kind: 'already-decided', decision: handling.decision });
  return ok(handling);
}

export function decisionSummary(decision: Decision, actionTitle: (id: string) => string): string {
  switch (decision.kind) {
    case 'no-response':
      return 'The practice manager decided not to respond publicly to the post.';
    case 'public-reply':
      return 'The practice manager approved a brief public reply.';
    case 'actions':
      return `The practice manager decided: ${decision.actions?.map(actionTitle).join('; ')}.`;
  }
}
