import {
  ANSWER_LIMIT,
  DECISION_KINDS,
  QUESTION_LIMIT,
  REASON_LIMIT,
  REPLY_LIMIT,
  handlingOf,
  type Decision,
  type Handling,
  type QuestionToReporter,
} from '../domain/handling.ts';
import { INCIDENT_STATUSES, type Incident, type IncidentStatus } from '../domain/incident.ts';
import { CLOSURE_LIMIT, LESSONS_REQUIRED, TASK_OUTCOME_LIMIT, type Closure, type Reopening, type Task } from '../domain/lifecycle.ts';
import type { Grading } from '../domain/policy/grade.ts';
import type { Finding } from '../domain/policy/guard.ts';
import { ATTESTATION_STATEMENT, attestationKey } from '../domain/policy/reply-guard/attestation.ts';
import { AUTHOR_RELATIONSHIPS, NAMED_PARTIES, PLATFORMS, POST_CATEGORIES, labelOf } from '../domain/vocabulary.ts';
import { fileSize, londonDateTime, shortHash, wallClock, wrappableLink } from './format.ts';
import {
  Citations,
  type CitedDocument,
  alsoReportedModel,
  TOP_ACTIONS,
  authorHistory,
  capitalise,
  clip,
  duration,
  headline,
  moreModel,
  postSummary,
  repeatModel,
  replyAdvice,
} from './incidentHeadline.ts';
import { plainText } from './plainText.ts';
import { CARD_BYTE_BUDGET, SCREENSHOTS_LISTED, type Notice } from './reportCards.ts';
import { expandCard, type CardJson } from './templates.ts';
import { INCIDENT_INPUTS, type IncidentActionData } from '../contract/cards.ts';

/**
 * The incident card (decider and read-only views), the two cards the reporter gets in 1:1 chat
 * (a question from the practice manager, and the outcome), and the evidence pack's download card.
 * Templates in cards/; every Action.Execute carries exactly { practiceId, reference, version }
 * (incident.taskDone adds the taskId): the bot reads roles, names and state from storage, never
 * from the card. User text is escaped for Teams markdown when shown and passed raw only as an
 * input's value.
 */

export interface IncidentCardOptions {
  practiceName: string;
  view: 'decider' | 'readonly';
  /** Teams user ids (29:...) whose clients refresh to the decider view; [] = no automatic refresh. Max 60. */
  refreshUserIds: string[];
  now: Date;
  /** Display names for the deputy/manager choice on "Assign" (decider view only). */
  assignees: Array<{ aadObjectId: string; name: string }>;
  /** Reply-guard findings for the current reply draft (decider view). */
  replyFindings: Finding[];
  /** Sentences of the reply not from the practice's approved list: listed for the manager to attest. */
  replyFreeText?: string[];
  /** The reply text to show in the editable box (the saved draft or the policy template, filled). */
  replyText: string;
  /** Keyed by INCIDENT_INPUTS ids; an error for an input the card does not show goes to the top. */
  errors?: Partial<Record<string, string>>;
  notice?: Notice;
  /** Who is looking: the owner of an open task can mark it done on any view. */
  viewerAadObjectId?: string;
  /** A practice manager looking at a closed incident: offer Reopen (the bot checks again). */
  canReopen?: boolean;
  /** A decider looking at an incident in progress or resolved: offer Close (the bot checks again). */
  canClose?: boolean;
  /**
   * The practice has its own policy file: sections of practice policies are cited as "<practice>'s
   * social media policy"; otherwise as "the default policy", with its sources named once at the end.
   */
  ownPolicy?: boolean;
  /** The documents the policy cites, as cards name them (from the policy: views do not read it). */
  documents: readonly CitedDocument[];
  /** A section to show open (the answer to "Check reply" keeps the reply open). */
  openSection?: 'reply';
}

/** Teams refreshes a card for at most 60 users. */
export const REFRESH_USER_LIMIT = 60;
/** Reply-guard findings listed under the reply; the rest are counted. Blocking ones come first. */
export const FINDINGS_LISTED = 8;

type Json = Record<string, unknown>;

const NOTICE_STYLES: Record<Notice['tone'], string> = { attention: 'attention', good: 'good', default: 'emphasis' };

/** Reopenings shown on the card, most recent last; earlier ones are counted. */
export const REOPENINGS_LISTED = 5;

/** The decision sections: the ShowCard's id in cards/incident.json and the inputs it holds. */
const SECTIONS = {
  noResponse: { showCardId: 'decide-noResponse', inputs: [INCIDENT_INPUTS.reason] },
  reply: { showCardId: 'decide-reply', inputs: [INCIDENT_INPUTS.replyText, INCIDENT_INPUTS.reporterPostsReply, INCIDENT_INPUTS.attestFreeText] },
  actions: { showCardId: 'decide-actions', inputs: [INCIDENT_INPUTS.actions] },
  assign: { showCardId: 'decide-assign', inputs: [INCIDENT_INPUTS.assignee] },
  ask: { showCardId: 'decide-ask', inputs: [INCIDENT_INPUTS.question] },
  close: { showCardId: 'incident-close', inputs: [INCIDENT_INPUTS.closeOutcome, INCIDENT_INPUTS.lessonsLearnt] },
  reopen: { showCardId: 'incident-reopen', inputs: [INCIDENT_INPUTS.reopenReason] },
} as const;
type SectionId = keyof typeof SECTIONS;
const SECTION_IDS = Object.keys(SECTIONS) as SectionId[];

/**
 * How much the card shows, tried in order until it fits under the byte budget: the post can be
 * 8,000 characters and escaping can triple its size, and questions, screenshots, reply-guard
 * findings, task outcomes (1,000 characters each) and the closure (two 2,000-character texts) add
 * up. Free text is shortened before anything is left out. The full record is always kept; the
 * card says when it shows less.
 */
const FIT_LEVELS: readonly FitLevel[] = [
  { post: Infinity, text: Infinity, outcome: Infinity, closure: Infinity, screenshots: SCREENSHOTS_LISTED, questions: Infinity, findings: FINDINGS_LISTED, reopenings: REOPENINGS_LISTED, brief: false },
  { post: Infinity, text: 1_000, outcome: 300, closure: 1_000, screenshots: SCREENSHOTS_LISTED, questions: Infinity, findings: FINDINGS_LISTED, reopenings: REOPENINGS_LISTED, brief: false },
  { post: Infinity, text: 300, outcome: 300, closure: 500, screenshots: SCREENSHOTS_LISTED, questions: 10, findings: FINDINGS_LISTED, reopenings: REOPENINGS_LISTED, brief: false },
  { post: 4_000, text: 300, outcome: 200, closure: 500, screenshots: SCREENSHOTS_LISTED, questions: 10, findings: FINDINGS_LISTED, reopenings: REOPENINGS_LISTED, brief: false },
  { post: 4_000, text: 200, outcome: 200, closure: 300, screenshots: SCREENSHOTS_LISTED, questions: 5, findings: 5, reopenings: REOPENINGS_LISTED, brief: false },
  { post: 2_000, text: 200, outcome: 150, closure: 300, screenshots: SCREENSHOTS_LISTED, questions: 5, findings: 5, reopenings: REOPENINGS_LISTED, brief: false },
  { post: 1_000, text: 100, outcome: 100, closure: 200, screenshots: SCREENSHOTS_LISTED, questions: 3, findings: 3, reopenings: REOPENINGS_LISTED, brief: false },
  { post: 500, text: 100, outcome: 100, closure: 200, screenshots: 10, questions: 3, findings: 3, reopenings: REOPENINGS_LISTED, brief: false },
  { post: 200, text: 100, outcome: 60, closure: 150, screenshots: 10, questions: 3, findings: 3, reopenings: REOPENINGS_LISTED, brief: false },
  // Many tasks, a long closure and many reopenings: the recommendations lose their reasons and
  // sources (they are in the record), then names, outcomes and older entries are cut further.
  { post: 200, text: 100, outcome: 60, closure: 150, screenshots: 10, questions: 3, findings: 3, reopenings: 3, brief: true },
  { post: 200, text: 60, outcome: 40, closure: 100, screenshots: 5, questions: 1, findings: 3, reopenings: 1, brief: true },
  { post: 100, text: 40, outcome: 20, closure: 60, screenshots: 3, questions: 1, findings: 1, reopenings: 1, brief: true },
  { post: 100, text: 40, outcome: 20, closure: 60, screenshots: 0, questions: 0, findings: 1, reopenings: 1, brief: true },
];
interface FitLevel {
  /** Characters of the post's text. */
  post: number;
  /** Characters of any other free text (names, details, questions and answers). */
  text: number;
  /** Characters of each done task's outcome. */
  outcome: number;
  /** Characters of the closure's outcome and lessons learnt, and of each reason for reopening. */
  closure: number;
  /** The most recent reopenings. */
  reopenings: number;
  /** The recommendations without their reasons and sources. */
  brief: boolean;
  screenshots: number;
  /** The most recent questions to the reporter. */
  questions: number;
  findings: number;
}

export function incidentActionData(incident: Incident): IncidentActionData {
  return { practiceId: incident.practiceId, reference: incident.reference, version: handlingOf(incident).version ?? 0 };
}

// ---- the incident card --------------------------------------------------------------------------

export function incidentCard(incident: Incident, opts: IncidentCardOptions): CardJson {
  const handling = handlingOf(incident);
  const deciding = opts.view === 'decider' && !handling.decision;
  const sections: Record<SectionId, boolean> = {
    noResponse: deciding,
    reply: deciding,
    actions: deciding && (handling.grading?.actions.length ?? 0) > 0,
    // With no deputy or other manager known by name, Assign says how to add one.
    assign: deciding,
    ask: deciding,
    close: opts.canClose === true && CLOSABLE.includes(incident.status),
    reopen: opts.canReopen === true && incident.status === 'closed',
  };
  const actionable = new Set((handling.tasks ?? []).filter((t) => canMarkDone(t, opts)).map((t) => t.id));
  // Assign shows its choice only when someone is known by name (else it says how to add a deputy).
  const assignable = opts.assignees.some((p) => p.name.trim() !== '');
  const errors = fieldErrors(opts.errors, [
    ...SECTION_IDS.filter((id) => sections[id] && (id !== 'assign' || assignable)).flatMap((id) => SECTIONS[id].inputs),
    ...[...actionable].map(taskInputId),
  ]);
  // A section with an error, or a reply with a blocking finding, is shown open in the body; so is
  // a task whose outcome has an error.
  const open = new Set<string>([
    ...SECTION_IDS.filter(
      (id) =>
        sections[id] &&
        (SECTIONS[id].inputs.some((input) => input in errors.shown) ||
          (id === 'reply' && (opts.openSection === 'reply' || opts.replyFindings.some((f) => f.severity === 'blocking')))),
    ).map((id) => SECTIONS[id].showCardId),
    ...[...actionable].filter((id) => taskInputId(id) in errors.shown).map(taskShowCardId),
  ]);
  const pack = opts.view === 'decider' || (incident.status === 'closed' && (opts.canReopen === true || opts.canClose === true));

  let card: CardJson = {};
  for (const level of FIT_LEVELS) {
    card = placeDecisions(openShowCards(expandCard('incident', incidentModel(incident, handling, opts, { deciding, sections, actionable, errors, pack, level })), open));
    if (Buffer.byteLength(JSON.stringify(card), 'utf8') <= CARD_BYTE_BUDGET) break;
  }
  return card;
}

/** Statuses a decider can close from. */
const CLOSABLE: readonly IncidentStatus[] = ['in-progress', 'resolved'];

/** The per-task input and ShowCard ids. */
export const taskInputId = (taskId: string) => `${INCIDENT_INPUTS.taskOutcomePrefix}${taskId}`;
const taskShowCardId = (taskId: string) => `task-${taskId}`;

/** An open task can be marked done from this card by its owner, or by anyone on the decider view. */
function canMarkDone(task: Task, opts: IncidentCardOptions): boolean {
  if (task.status === 'done') return false;
  if (opts.view === 'decider') return true;
  const viewer = opts.viewerAadObjectId?.trim().toLowerCase();
  return !!viewer && task.owner.aadObjectId.trim().toLowerCase() === viewer;
}

interface ModelContext {
  deciding: boolean;
  sections: Record<SectionId, boolean>;
  /** Ids of the tasks this viewer can mark done. */
  actionable: ReadonlySet<string>;
  errors: ReturnType<typeof fieldErrors>;
  pack: boolean;
  level: FitLevel;
}

function incidentModel(incident: Incident, handling: Handling, opts: IncidentCardOptions, ctx: ModelContext) {
  const { level } = ctx;
  const facts = incident.facts;
  const grading = handling.grading;
  const data = incidentActionData(incident);
  const citing = new Citations(opts.practiceName, opts.ownPolicy === true, opts.documents);
  // Only people known by name are offered: "Unnamed colleague" helps nobody choose.
  const named = opts.assignees.filter((p) => p.name.trim() !== '');
  return {
    data,
    refreshUserIds: refreshUsers(opts.refreshUserIds),
    urgent: facts.risk.atRisk === true,
    ...(opts.notice ? { notice: { style: NOTICE_STYLES[opts.notice.tone] ?? 'emphasis', text: plainText(opts.notice.text) } } : {}),
    ...ctx.errors.summary,
    reference: plainText(incident.reference),
    practiceName: plainText(opts.practiceName),
    headline: headline(incident, handling, opts.now),
    summary: plainText(postSummary(incident, level.text)),
    ...repeatModel(facts.where.authorName, handling.priorIncidentsByAuthor),
    ...alsoReportedModel(handling, level.text),
    status: plainText(
      `${labelOf(INCIDENT_STATUSES, incident.status)} · reported ${londonDateTime(incident.reportedAt)} by ${clip(incident.reporter.name || 'unknown', level.text)}`,
    ),
    ...(handling.assignedTo ? { assigned: plainText(`Assigned to ${clip(handling.assignedTo.name, level.text)}`) } : {}),
    ...decidedModel(handling, level),
    ...closureModel(handling.closure, level),
    history: reopeningsModel(handling.reopenings ?? [], level),
    tasks: tasksModel(handling.tasks ?? [], data, opts.now, ctx),
    post: postModel(incident, handling, level),
    evidence: evidenceModel(incident, level),
    questions: questionsModel(handling.questions ?? [], level),
    grading: gradingModel(grading, level.brief, citing),
    more: moreModel(incident, handling, grading, level.brief),
    ...(citing.named().length > 0 ? { sourcesNote: citing.note() } : {}),
    ...replyAdvice(grading),
    deciding: ctx.deciding,
    sections: ctx.sections,
    errors: ctx.errors.shown,
    limits: { reason: REASON_LIMIT, replyText: REPLY_LIMIT, question: QUESTION_LIMIT, taskOutcome: TASK_OUTCOME_LIMIT, closure: CLOSURE_LIMIT },
    reply: replyModel(opts, level),
    choices: {
      actions: (grading?.actions ?? []).map((a) => ({ title: a.title, value: a.id })),
      assignees: named.map((p) => ({ title: plainText(p.name), value: p.aadObjectId })),
    },
    assign: {
      possible: named.length > 0,
      howToAdd: 'No deputy or other manager is set up by name yet. In the practice channel, type "@Postwatch add deputy @Name" to add one.',
    },
    assignee: named.some((p) => p.aadObjectId === handling.assignedTo?.aadObjectId) ? handling.assignedTo!.aadObjectId : '',
    askIntro: plainText(
      `${clip(incident.reporter.name || 'The reporter', level.text)} gets your question in a 1:1 chat with Postwatch; their answer is added to this incident.`,
    ),
    close: closeModel(incident, handling),
    reopenIntro: handling.decision
      ? 'It goes back to "In progress"; the reason is kept with the record.'
      : 'It goes back to "Awaiting decision"; the reason is kept with the record.',
    pack: ctx.pack,
  };
}

/** Errors for inputs this card shows sit beneath them; any other error is told at the top. */
function fieldErrors(given: IncidentCardOptions['errors'], shownInputs: readonly string[]) {
  const visible = new Set<string>(shownInputs);
  const shown: Record<string, string> = {};
  const others: Array<{ text: string }> = [];
  for (const [field, message] of Object.entries(given ?? {})) {
    if (typeof message !== 'string' || message.trim() === '') continue;
    if (visible.has(field)) shown[field] = plainText(message);
    else others.push({ text: plainText(message) });
  }
  const count = Object.keys(shown).length;
  return {
    shown,
    summary:
      count + others.length > 0
        ? {
            errorSummary: {
              title: count > 1 ? 'Please fix the highlighted answers below.' : count === 1 ? 'Please fix the highlighted answer below.' : 'Please check this:',
              others,
            },
          }
        : {},
  };
}

function refreshUsers(ids: readonly string[]): string[] {
  return ids.filter((id, i, all) => typeof id === 'string' && id !== '' && all.indexOf(id) === i).slice(0, REFRESH_USER_LIMIT);
}

/**
 * Opens the named ShowCards: a card-level one moves into the body as a Container headed by its
 * title; one in an ActionSet (a task's "Mark done") is replaced in place by its contents.
 */
function openShowCards(card: CardJson, open: ReadonlySet<string>): CardJson {
  if (open.size === 0) return card;
  const body = Array.isArray(card.body) ? (card.body as Json[]) : [];
  const opened = (action: Json): Json[] | undefined => {
    const sub = action.card as Json | undefined;
    return action.type === 'Action.ShowCard' && typeof action.id === 'string' && open.has(action.id) && sub && Array.isArray(sub.body)
      ? (sub.body as Json[])
      : undefined;
  };
  const inPlace = (items: Json[]): Json[] =>
    items.map((item) => {
      const only = item.type === 'ActionSet' && Array.isArray(item.actions) && item.actions.length === 1 ? (item.actions[0] as Json) : undefined;
      const contents = only && opened(only);
      if (contents) return { type: 'Container', id: only.id, spacing: 'Small', items: contents };
      return Array.isArray(item.items) ? { ...item, items: inPlace(item.items as Json[]) } : item;
    });
  const kept: Json[] = [];
  const moved: Json[] = [];
  for (const action of Array.isArray(card.actions) ? (card.actions as Json[]) : []) {
    const contents = opened(action);
    if (contents) {
      moved.push({
        type: 'Container',
        id: action.id,
        separator: true,
        spacing: 'Medium',
        items: [{ type: 'TextBlock', text: action.title, wrap: true, size: 'Medium', weight: 'Bolder' }, ...contents],
      });
    } else kept.push(action);
  }
  const items = inPlace(body);
  const at = items.findIndex((item) => item.id === DECISIONS_ID);
  // An opened decision sits where its button was: right under the decision buttons.
  if (at >= 0) items.splice(at + 1, 0, ...moved);
  else items.push(...moved);
  return { ...card, body: items, actions: kept };
}

/** The ActionSet in cards/incident.json's body that holds the decision buttons. */
const DECISIONS_ID = 'decisions';

/**
 * Puts the card's own actions (the decision options, Close, Reopen) into the body's "decisions"
 * ActionSet, so on a phone they come straight after the headline, before the recommendations
 * and the evidence (card-level actions are drawn at the very bottom). With none left, the empty
 * ActionSet goes.
 */
function placeDecisions(card: CardJson): CardJson {
  const body = Array.isArray(card.body) ? (card.body as Json[]) : [];
  const actions = Array.isArray(card.actions) ? (card.actions as Json[]) : [];
  const { actions: _moved, ...rest } = card;
  const items = body.flatMap((item) => {
    if (item.id !== DECISIONS_ID) return [item];
    return actions.length > 0 ? [{ ...item, actions }] : [];
  });
  return { ...rest, body: items };
}

// ---- follow-through -------------------------------------------------------------------------------

function tasksModel(tasks: readonly Task[], data: IncidentActionData, now: Date, ctx: ModelContext) {
  const { level } = ctx;
  const isOpen = (t: Task) => t.status !== 'done';
  const overdue = (t: Task) => isOpen(t) && Date.parse(t.dueAt) < now.getTime();
  const open = tasks.filter(isOpen).length;
  const late = tasks.filter(overdue).length;
  let shortened = 0;
  const list = tasks.map((t) => {
    const owner = clip(t.owner.name || 'someone', level.text);
    const inputId = taskInputId(t.id);
    const error = ctx.errors.shown[inputId];
    const item = {
      title: plainText(clip(t.title || 'Task', level.text)),
      state: plainText(`${isOpen(t) ? 'Open' : 'Done'} · Owner: ${owner}`),
      actionable: ctx.actionable.has(t.id),
      showCardId: taskShowCardId(t.id),
      inputId,
      data: { ...data, taskId: t.id },
      ...(error ? { error } : {}),
    };
    if (isOpen(t)) return { ...item, ...taskDue(t, now) };
    const outcome = t.outcome ?? '';
    const shown = clip(outcome, level.outcome);
    if (shown !== outcome) shortened++;
    const due = Number.isNaN(Date.parse(t.dueAt)) ? '' : ` (due ${londonDateTime(t.dueAt)})`;
    return {
      ...item,
      done: {
        by: plainText(`Done by ${clip(t.doneBy?.name || 'someone', level.text)}${t.doneAt ? ` on ${londonDateTime(t.doneAt)}` : ''}${due}`),
        outcome: plainText(`What happened: ${outcome.trim() ? shown : 'not recorded'}`),
      },
    };
  });
  return {
    shown: tasks.length > 0,
    summary: `${count(tasks.length, 'follow-up task')}: ${tasks.length - open} done, ${open} open${late > 0 ? `, ${late} overdue` : ''}.`,
    ...(shortened > 0
      ? { note: `${shortened === 1 ? 'One outcome is' : `${shortened} outcomes are`} shortened to fit the card; the full text is kept in the record.` }
      : {}),
    list,
  };
}

function taskDue(task: Task, now: Date): { due?: { text: string } } {
  const due = Date.parse(task.dueAt);
  if (Number.isNaN(due)) return {};
  const by = londonDateTime(task.dueAt);
  const left = due - now.getTime();
  if (left > 0) {
    const minutes = Math.ceil(left / 60_000);
    return { due: { text: `Due in ${duration(minutes)}, by ${by}` } };
  }
  const over = Math.floor(-left / 60_000);
  return { due: { text: over === 0 ? `Due now (${by})` : `OVERDUE by ${duration(over)} (due ${by})` } };
}

function closeModel(incident: Incident, handling: Handling) {
  const severity = handling.grading?.severity;
  const required = severity !== undefined && (LESSONS_REQUIRED as readonly string[]).includes(severity);
  const open = (handling.tasks ?? []).filter((t) => t.status !== 'done').length;
  return {
    intro:
      open > 0
        ? `${count(open, 'follow-up task')} ${open === 1 ? 'is' : 'are'} still open: close only if ${open === 1 ? 'it is' : 'they are'} no longer needed. A manager can reopen it later.`
        : 'Record how it ended. A manager can reopen it later.',
    // Required or not is said in the label and checked on the server: no isRequired, or Teams
    // would add its asterisk and say it twice.
    lessonsLabel: `Lessons learnt (${required ? 'required' : 'optional'})`,
  };
}

function closureModel(closure: Closure | undefined, level: FitLevel) {
  if (!closure) return {};
  const outcome = clip(closure.outcome, level.closure);
  const lessonsText = closure.lessonsLearnt?.trim() ?? '';
  const lessons = clip(lessonsText, level.closure);
  const shortened = outcome !== closure.outcome || lessons !== lessonsText;
  return {
    closure: {
      by: plainText(`Closed by ${clip(closure.closedBy.name || 'a decider', level.text)} on ${londonDateTime(closure.closedAt)}`),
      outcome: plainText(outcome),
      lessons: lessonsText ? plainText(lessons) : 'None recorded.',
      ...(shortened ? { note: 'Shortened to fit the card; the full text is kept in the record.' } : {}),
    },
  };
}

function reopeningsModel(reopenings: readonly Reopening[], level: FitLevel) {
  const listed = reopenings.slice(Math.max(0, reopenings.length - level.reopenings));
  const earlier = reopenings.length - listed.length;
  let shortened = false;
  const list = listed.map((r) => {
    const reason = clip(r.reason, level.closure);
    if (reason !== r.reason) shortened = true;
    return {
      by: plainText(`Reopened by ${clip(r.by.name || 'a manager', level.text)} on ${londonDateTime(r.at)}`),
      reason: plainText(`Reason: ${reason}`),
    };
  });
  const notes = [
    ...(earlier > 0 ? [`${count(earlier, 'earlier reopening')} ${earlier === 1 ? 'is' : 'are'} kept in the record.`] : []),
    ...(shortened ? ['Reasons are shortened to fit the card; the full text is kept in the record.'] : []),
  ];
  return { shown: reopenings.length > 0, list, ...(notes.length > 0 ? { note: notes.join(' ') } : {}) };
}

// ---- header ---------------------------------------------------------------------------------------

export { duration };

function decidedModel(handling: Handling, level: FitLevel) {
  const decision = handling.decision;
  if (!decision) return {};
  const label = labelOf(DECISION_KINDS, decision.kind);
  return {
    decided: {
      text: plainText(`Decided by ${clip(decision.by.name || 'a decider', level.text)} on ${londonDateTime(decision.at)}: ${label}`),
      details: decisionDetails(decision, handling.grading, level).map((text) => ({ text: plainText(text) })),
    },
  };
}

function decisionDetails(decision: Decision, grading: Grading | undefined, level: FitLevel): string[] {
  switch (decision.kind) {
    case 'no-response':
      return decision.reason ? [`Reason: ${clip(decision.reason, level.text)}`] : [];
    case 'public-reply':
      return [
        `Approved reply: ${decision.replyText ?? ''}`,
        decision.reporterPostsReply ? 'The reporter is asked to post it.' : 'The practice posts it.',
      ];
    case 'actions':
      return [
        `Actions: ${(decision.actions ?? []).map((id) => grading?.actions.find((a) => a.id === id)?.title ?? id).join('; ')}`,
      ];
  }
}

// ---- the evidence ---------------------------------------------------------------------------------

const NOT_GIVEN = 'Not given';

function postModel(incident: Incident, handling: Handling, level: FitLevel) {
  const { where, what, risk } = incident.facts;
  const author = where.authorName?.trim();
  const seen = wallClock(where.seenDate, where.seenTime);
  const postText = what.postText ?? '';
  const preview = clip(postText, level.post, '');
  return {
    where: [
      { title: 'Platform', value: labelOf(PLATFORMS, where.platform) },
      { title: 'Link', value: where.postUrl?.trim() ? wrappableLink(plainText(clip(where.postUrl.trim(), level.text))) : NOT_GIVEN },
      { title: 'Seen', value: seen ?? plainText(`${where.seenDate} ${where.seenTime}`) },
      { title: 'Author', value: author ? plainText(clip(author, level.text)) : NOT_GIVEN },
      { title: 'Who the author is', value: labelOf(AUTHOR_RELATIONSHIPS, where.authorRelationship) },
    ],
    history: plainText(authorHistory(author, handling.priorIncidentsByAuthor)),
    text: postText.trim() ? plainText(preview) : NOT_GIVEN,
    ...(preview.length < postText.length
      ? {
          textNote: `Showing the first ${preview.length.toLocaleString('en-GB')} of ${postText.length.toLocaleString('en-GB')} characters. The full text is kept.`,
        }
      : {}),
    what: [
      { title: 'What it does', value: labels(POST_CATEGORIES, what.categories, 'Not answered') },
      { title: 'Who it names', value: labels(NAMED_PARTIES, what.namedParties, 'None ticked') },
      { title: 'Colleagues named', value: what.namedColleagues?.trim() ? plainText(clip(what.namedColleagues.trim(), level.text)) : NOT_GIVEN },
      { title: 'Anyone at risk', value: risk.atRisk ? 'Yes: someone may be at risk of harm' : 'No' },
      { title: 'Risk details', value: risk.riskDetails?.trim() ? plainText(clip(risk.riskDetails.trim(), level.text)) : NOT_GIVEN },
    ],
  };
}

function labels(list: ReadonlyArray<{ id: string; label: string }>, ids: readonly string[] | undefined, none: string): string {
  const shown = (ids ?? []).map((id) => plainText(labelOf(list, id)));
  return shown.length > 0 ? shown.join(', ') : none;
}

function evidenceModel(incident: Incident, level: FitLevel) {
  const files = incident.facts.evidence.screenshots ?? [];
  const listed = files.slice(0, level.screenshots).map((f) => ({
    text: plainText(
      `${clip(f.fileName || 'Screenshot', level.text)} — ${fileSize(f.size)}, received ${londonDateTime(f.receivedAt)}, SHA-256 ${shortHash(f.sha256)}`,
    ),
  }));
  const more = files.length - listed.length;
  const reason = incident.facts.evidence.noScreenshotReason?.trim();
  return {
    summary:
      files.length > 0
        ? `${count(files.length, 'screenshot')}, saved with their SHA-256 hashes`
        : plainText(`No screenshot: ${reason ? clip(reason, level.text) : 'no reason given'}`),
    screenshots: listed,
    ...(more > 0 ? { more: `And ${more} more screenshot${more === 1 ? '' : 's'}, all saved.` } : {}),
  };
}

function questionsModel(questions: readonly QuestionToReporter[], level: FitLevel) {
  const listed = questions.slice(Math.max(0, questions.length - level.questions));
  const earlier = questions.length - listed.length;
  return {
    asked: questions.length > 0,
    ...(earlier > 0 ? { earlier: `${count(earlier, 'earlier question')} and ${earlier === 1 ? 'its answer' : 'their answers'} are kept in the record.` } : {}),
    list: listed.map((q) => ({
      asked: plainText(`Asked by ${clip(q.askedBy.name || 'a decider', level.text)}, ${londonDateTime(q.askedAt)}`),
      question: plainText(clip(q.question, level.text)),
      answer:
        q.answer === undefined
          ? 'Not answered yet.'
          : plainText(`Answer${q.answeredAt ? ` (${londonDateTime(q.answeredAt)})` : ''}: ${clip(q.answer, level.text)}`),
      unanswered: q.answer === undefined,
    })),
  };
}

// ---- grading --------------------------------------------------------------------------------------

function gradingModel(grading: Grading | undefined, brief: boolean, citing: Citations) {
  if (!grading) {
    return { heading: 'What the policy recommends', summary: 'Not graded yet: the recommendations appear when the report is routed.', top: [], actions: [], warnings: [] };
  }
  const n = grading.actions.length;
  const all = grading.actions.map((a, i) => ({
    title: plainText(`${i + 1}. ${a.title}`),
    ...(brief ? {} : { reason: plainText(a.reason), source: citing.line(a.source) }),
  }));
  return {
    heading: n > TOP_ACTIONS && !brief ? `Recommended first (${TOP_ACTIONS} of ${n})` : 'What the policy recommends',
    summary: plainText(
      `Decide within ${duration(grading.decisionTargetHours * 60)} of the report. ` +
        (n > 0 ? `${n} recommended action${n === 1 ? '' : 's'}, most important first.` : 'No action is recommended.'),
    ),
    ...(brief && (n > 0 || grading.warnings.length > 0) ? { note: 'Reasons and sources are left out to fit the card; they are kept in the record.' } : {}),
    // The top three with their one-line reasons; every action, with its source, behind "Show all".
    // Brief (to fit the card): every title in one block, and no "Show all".
    top: brief
      ? n > 0
        ? [{ title: all.map((a) => a.title).join('\n') }]
        : []
      : all.slice(0, TOP_ACTIONS).map(({ title, reason }) => ({ title, ...(reason ? { reason } : {}) })),
    actions: brief ? [] : all,
    warnings: grading.warnings.map((w) => ({ text: plainText(w.text), ...(brief ? {} : { source: citing.line(w.source) }) })),
  };
}

// ---- the reply and its check ----------------------------------------------------------------------

function replyModel(opts: IncidentCardOptions, level: FitLevel) {
  const findings = [...opts.replyFindings].sort((a, b) => rankOf(a) - rankOf(b));
  const blocking = findings.filter((f) => f.severity === 'blocking').length;
  const advisory = findings.length - blocking;
  const listed = findings.slice(0, level.findings);
  const more = findings.length - listed.length;
  return {
    // An input's value is not markdown: the text exactly as saved.
    text: opts.replyText,
    summary:
      blocking > 0
        ? { text: `The reply check found ${count(blocking, 'problem')} to fix before it can be approved.`, color: 'Default' }
        : advisory > 0
          ? { text: `The reply check found ${count(advisory, 'thing')} to consider.`, color: 'Default' }
          : { text: 'The reply check found nothing to change.', color: 'Default' },
    findings: listed.map((f) => {
      const offending = opts.replyText.slice(Math.max(0, f.start), Math.max(0, f.end));
      const quoted = offending ? ` "${clip(offending, Math.min(level.text, 120))}"` : '';
      return {
        quote: plainText(`${f.severity === 'blocking' ? 'Must change' : 'Check'}:${quoted}`),
        message: plainText(clip(f.message, Math.max(level.text, 200))),
        // Default-coloured: Teams' warning and attention text colours fail 4.5:1 contrast.
        color: 'Default',
      };
    }),
    ...(more > 0 ? { more: `And ${count(more, 'more finding')}: press Check reply after changing the text.` } : {}),
    ...(opts.replyFreeText ? freeTextModel(opts.replyFreeText, level) : {}),
  };
}

/**
 * The sentences that are not from the practice's approved list, each shown in full (they are what
 * the manager attests to), and the attestation tick whose value is the key of exactly these.
 */
function freeTextModel(sentences: readonly string[], level: FitLevel) {
  if (sentences.length === 0) return { approvedOnly: 'Every sentence is from the practice\'s approved list.' };
  return {
    freeText: {
      intro: `${count(sentences.length, 'sentence')} not from the approved list (free text). Read each one before approving:`,
      sentences: sentences.map((s, i) => ({ text: plainText(`${i + 1}. ${clip(s, Math.max(level.text, 300))}`) })),
      statement: ATTESTATION_STATEMENT,
      key: attestationKey(sentences),
    },
  };
}

const rankOf = (f: Finding) => (f.severity === 'blocking' ? 0 : 1);

// ---- the reporter's cards -------------------------------------------------------------------------

/** The practice manager's question, in the reporter's 1:1 chat; once answered it shows the answer. */
export function reporterQuestionCard(
  incident: Incident,
  question: QuestionToReporter,
  opts: { practiceName: string; error?: string },
): CardJson {
  const answered = question.answer !== undefined;
  const error = opts.error?.trim();
  return expandCard('reporterQuestion', {
    data: incidentActionData(incident),
    reference: plainText(`Your report ${incident.reference}`),
    practiceName: plainText(opts.practiceName),
    asked: plainText(`${question.askedBy.name || 'The practice manager'} asked, ${londonDateTime(question.askedAt)}:`),
    question: plainText(question.question),
    open: !answered,
    answered,
    limits: { answer: ANSWER_LIMIT },
    ...(error && !answered ? { error: plainText(error) } : {}),
    ...(answered
      ? {
          answer: plainText(question.answer),
          answeredAt: plainText(`Your answer${question.answeredAt ? `, ${londonDateTime(question.answeredAt)}` : ''}:`),
        }
      : {}),
  });
}

/** What was decided (not the private discussion), and the approved reply if the reporter is to post it. */
export function reporterUpdateCard(incident: Incident, opts: { practiceName: string; summary: string; replyToPost?: string }): CardJson {
  const reply = opts.replyToPost?.trim();
  return expandCard('reporterUpdate', {
    reference: plainText(`Your report ${incident.reference}`),
    practiceName: plainText(opts.practiceName),
    summary: plainText(opts.summary),
    // An input's value is not markdown: exactly the approved text, ready to copy.
    ...(reply ? { reply } : {}),
  });
}

// ---- the evidence pack ----------------------------------------------------------------------------

export interface EvidencePackCardOptions {
  reference: string;
  /** The short-lived signed link the bot serves; never anything a person typed. */
  url: string;
  expiresAt: Date;
  /** The pack's SHA-256 (64 hex characters), or a note saying where the hashes are. */
  sha256: string;
  fileName: string;
}

/**
 * The link to one incident's evidence pack, for the decider who asked (the only card with an
 * Action.OpenUrl). Answered to that person's own action; it never goes to a channel.
 */
export function evidencePackCard(opts: EvidencePackCardOptions): CardJson {
  const url = downloadUrl(opts.url);
  const expires = Number.isNaN(opts.expiresAt.getTime()) ? 'unknown time' : londonDateTime(opts.expiresAt.toISOString());
  const hex = opts.sha256.trim().toLowerCase();
  const isHash = /^[0-9a-f]{64}$/.test(hex);
  return expandCard('evidencePack', {
    reference: plainText(opts.reference),
    fileName: plainText(opts.fileName),
    expires,
    hashLabel: isHash ? 'SHA-256 of the pack' : 'SHA-256 hashes',
    sha256: isHash ? hex : plainText(opts.sha256),
    about: isHash
      ? 'The pack holds the incident, its full audit trail and every evidence file with its SHA-256 hash, with a readable summary. Check that the file you download has the hash above.'
      : 'The pack holds the incident, its full audit trail and every evidence file with its SHA-256 hash, with a readable summary.',
    warning: `This link is for you only, works once and stops working at ${expires}. Do not forward it; the pack contains personal data.`,
    url,
  });
}

/** An absolute http(s) link, or the binder refuses: anything else is a bug in the caller. */
function downloadUrl(raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error('evidencePackCard: the download link is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('evidencePackCard: the download link must be http(s)');
  return parsed.href;
}

// ---- helpers --------------------------------------------------------------------------------------

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
