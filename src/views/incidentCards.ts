import {
  ANSWER_LIMIT,
  DECISION_KINDS,
  QUESTION_LIMIT,
  REASON_LIMIT,
  REPLY_LIMIT,
  decisionDue,
  handlingOf,
  type Decision,
  type Handling,
  type QuestionToReporter,
} from '../domain/handling.ts';
import { INCIDENT_STATUSES, type Incident } from '../domain/incident.ts';
import type { Grading } from '../domain/policy/grade.ts';
import type { Finding } from '../domain/policy/guard.ts';
import type { SeverityId, Source } from '../domain/policy/schema.ts';
import { AUTHOR_RELATIONSHIPS, NAMED_PARTIES, PLATFORMS, POST_CATEGORIES, labelOf } from '../domain/vocabulary.ts';
import { DOCUMENTS } from '../policy/sources.ts';
import { fileSize, londonDateTime, shortHash, wallClock } from './format.ts';
import { plainText } from './plainText.ts';
import { CARD_BYTE_BUDGET, SCREENSHOTS_LISTED, type Notice } from './reportCards.ts';
import { expandCard, type CardJson } from './templates.ts';
import { INCIDENT_INPUTS, type IncidentActionData } from './verbs.ts';

/**
 * The incident card (decider and read-only views) and the two cards the reporter gets in 1:1 chat
 * (a question from the practice manager, and the outcome). Templates in cards/; every
 * Action.Execute carries exactly { practiceId, reference, version }: the bot reads roles, names
 * and state from storage, never from the card. User text is escaped for Teams markdown when shown
 * and passed raw only as an input's value.
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
  /** The reply text to show in the editable box (the saved draft or the policy template, filled). */
  replyText: string;
  /** Keyed by INCIDENT_INPUTS ids; an error for an input the card does not show goes to the top. */
  errors?: Partial<Record<string, string>>;
  notice?: Notice;
}

/** Teams refreshes a card for at most 60 users. */
export const REFRESH_USER_LIMIT = 60;
/** Reply-guard findings listed under the reply; the rest are counted. Blocking ones come first. */
export const FINDINGS_LISTED = 8;

type Json = Record<string, unknown>;
type Color = 'Default' | 'Attention' | 'Warning' | 'Good';

const NOTICE_STYLES: Record<Notice['tone'], string> = { attention: 'attention', good: 'good', default: 'emphasis' };

const SEVERITY_COLORS: Record<SeverityId, Color> = { critical: 'Attention', high: 'Attention', medium: 'Warning', low: 'Default' };

/** The decision sections: the ShowCard's id in cards/incident.json and the inputs it holds. */
const SECTIONS = {
  noResponse: { showCardId: 'decide-noResponse', inputs: [INCIDENT_INPUTS.reason] },
  reply: { showCardId: 'decide-reply', inputs: [INCIDENT_INPUTS.replyText, INCIDENT_INPUTS.reporterPostsReply] },
  actions: { showCardId: 'decide-actions', inputs: [INCIDENT_INPUTS.actions] },
  assign: { showCardId: 'decide-assign', inputs: [INCIDENT_INPUTS.assignee] },
  ask: { showCardId: 'decide-ask', inputs: [INCIDENT_INPUTS.question] },
} as const;
type SectionId = keyof typeof SECTIONS;
const SECTION_IDS = Object.keys(SECTIONS) as SectionId[];

/**
 * How much the card shows, tried in order until it fits under the byte budget: the post can be
 * 8,000 characters and escaping can triple its size, and questions, screenshots and reply-guard
 * findings add up. The full record is always kept; the card says when it shows less.
 */
const FIT_LEVELS: readonly FitLevel[] = [
  { post: Infinity, text: Infinity, screenshots: SCREENSHOTS_LISTED, questions: Infinity, findings: FINDINGS_LISTED },
  { post: Infinity, text: 1_000, screenshots: SCREENSHOTS_LISTED, questions: Infinity, findings: FINDINGS_LISTED },
  { post: Infinity, text: 300, screenshots: SCREENSHOTS_LISTED, questions: 10, findings: FINDINGS_LISTED },
  { post: 4_000, text: 300, screenshots: SCREENSHOTS_LISTED, questions: 10, findings: FINDINGS_LISTED },
  { post: 4_000, text: 200, screenshots: SCREENSHOTS_LISTED, questions: 5, findings: 5 },
  { post: 2_000, text: 200, screenshots: SCREENSHOTS_LISTED, questions: 5, findings: 5 },
  { post: 1_000, text: 100, screenshots: SCREENSHOTS_LISTED, questions: 3, findings: 3 },
  { post: 500, text: 100, screenshots: 10, questions: 3, findings: 3 },
  { post: 200, text: 100, screenshots: 10, questions: 3, findings: 3 },
];
interface FitLevel {
  /** Characters of the post's text. */
  post: number;
  /** Characters of any other free text (names, details, questions and answers). */
  text: number;
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
    assign: deciding && opts.assignees.length > 0,
    ask: deciding,
  };
  const errors = fieldErrors(opts.errors, sections);
  // A section with an error, or a reply with a blocking finding, is shown open in the body.
  const open = SECTION_IDS.filter(
    (id) =>
      sections[id] &&
      (SECTIONS[id].inputs.some((input) => input in errors.shown) ||
        (id === 'reply' && opts.replyFindings.some((f) => f.severity === 'blocking'))),
  );

  let card: CardJson = {};
  for (const level of FIT_LEVELS) {
    card = openSections(expandCard('incident', incidentModel(incident, handling, opts, { deciding, sections, errors, level })), open);
    if (Buffer.byteLength(JSON.stringify(card), 'utf8') <= CARD_BYTE_BUDGET) break;
  }
  return card;
}

interface ModelContext {
  deciding: boolean;
  sections: Record<SectionId, boolean>;
  errors: ReturnType<typeof fieldErrors>;
  level: FitLevel;
}

function incidentModel(incident: Incident, handling: Handling, opts: IncidentCardOptions, ctx: ModelContext) {
  const { level } = ctx;
  const facts = incident.facts;
  const grading = handling.grading;
  const data = incidentActionData(incident);
  return {
    data,
    refreshUserIds: refreshUsers(opts.refreshUserIds),
    urgent: facts.risk.atRisk === true,
    ...(opts.notice ? { notice: { style: NOTICE_STYLES[opts.notice.tone] ?? 'emphasis', text: plainText(opts.notice.text) } } : {}),
    ...ctx.errors.summary,
    reference: plainText(incident.reference),
    practiceName: plainText(opts.practiceName),
    severity: grading
      ? { text: `${capitalise(grading.severity)} severity`, color: SEVERITY_COLORS[grading.severity] ?? 'Default' }
      : { text: 'Not graded yet', color: 'Default' },
    status: `Status: ${labelOf(INCIDENT_STATUSES, incident.status)}`,
    reported: plainText(`Reported ${londonDateTime(incident.reportedAt)} by ${clip(incident.reporter.name || 'unknown', level.text)}`),
    ...dueModel(incident, handling, opts.now),
    ...(handling.assignedTo ? { assigned: plainText(`Assigned to ${clip(handling.assignedTo.name, level.text)}`) } : {}),
    ...decidedModel(handling, level),
    post: postModel(incident, handling, level),
    evidence: evidenceModel(incident, level),
    questions: questionsModel(handling.questions ?? [], level),
    grading: gradingModel(grading),
    deciding: ctx.deciding,
    sections: ctx.sections,
    errors: ctx.errors.shown,
    limits: { reason: REASON_LIMIT, replyText: REPLY_LIMIT, question: QUESTION_LIMIT },
    reply: replyModel(opts, level),
    choices: {
      actions: (grading?.actions ?? []).map((a) => ({ title: a.title, value: a.id })),
      assignees: opts.assignees.map((p) => ({ title: p.name || p.aadObjectId, value: p.aadObjectId })),
    },
    assignee: opts.assignees.some((p) => p.aadObjectId === handling.assignedTo?.aadObjectId) ? handling.assignedTo!.aadObjectId : '',
    askIntro: plainText(
      `${clip(incident.reporter.name || 'The reporter', level.text)} gets your question in a 1:1 chat with Postwatch; their answer is added to this incident.`,
    ),
  };
}

/** Errors for inputs this card shows sit beneath them; any other error is told at the top. */
function fieldErrors(given: IncidentCardOptions['errors'], sections: Record<SectionId, boolean>) {
  const visible = new Set<string>(SECTION_IDS.filter((id) => sections[id]).flatMap((id) => SECTIONS[id].inputs));
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

/** Moves the named ShowCards' contents into the body, headed by the ShowCard's title. */
function openSections(card: CardJson, open: readonly SectionId[]): CardJson {
  if (open.length === 0) return card;
  const ids = new Set<string>(open.map((id) => SECTIONS[id].showCardId));
  const body = Array.isArray(card.body) ? (card.body as Json[]) : [];
  const kept: Json[] = [];
  for (const action of Array.isArray(card.actions) ? (card.actions as Json[]) : []) {
    const sub = action.card as Json | undefined;
    if (action.type === 'Action.ShowCard' && typeof action.id === 'string' && ids.has(action.id) && sub && Array.isArray(sub.body)) {
      body.push({
        type: 'Container',
        id: action.id,
        separator: true,
        spacing: 'Medium',
        items: [{ type: 'TextBlock', text: action.title, wrap: true, size: 'Medium', weight: 'Bolder' }, ...(sub.body as Json[])],
      });
    } else kept.push(action);
  }
  return { ...card, body, actions: kept };
}

// ---- header ---------------------------------------------------------------------------------------

function dueModel(incident: Incident, handling: Handling, now: Date) {
  if (handling.decision) return {};
  const due = decisionDue(incident);
  if (!due || Number.isNaN(due.getTime())) return {};
  const left = due.getTime() - now.getTime();
  const by = londonDateTime(due.toISOString());
  if (left > 0) {
    const minutes = Math.ceil(left / 60_000);
    return { due: { text: `Decision due in ${duration(minutes)}, by ${by}`, color: minutes <= 60 ? 'Warning' : 'Default' } };
  }
  const over = Math.floor(-left / 60_000);
  return { due: { text: over === 0 ? `Decision due now (${by})` : `Decision overdue by ${duration(over)} (due ${by})`, color: 'Attention' } };
}

/** "3 h 20 min", "45 min", "2 h", "1 day 3 h". */
export function duration(minutes: number): string {
  const total = Math.max(0, Math.round(minutes));
  const days = Math.floor(total / 1_440);
  const hours = Math.floor((total % 1_440) / 60);
  const mins = total % 60;
  if (days > 0) return `${days} day${days === 1 ? '' : 's'}${hours > 0 ? ` ${hours} h` : ''}`;
  if (hours > 0) return `${hours} h${mins > 0 ? ` ${mins} min` : ''}`;
  return `${mins} min`;
}

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
      { title: 'Link', value: where.postUrl?.trim() ? plainText(clip(where.postUrl.trim(), level.text)) : NOT_GIVEN },
      { title: 'Seen', value: seen ?? plainText(`${where.seenDate} ${where.seenTime}`) },
      { title: 'Author', value: author ? plainText(clip(author, level.text)) : NOT_GIVEN },
      { title: 'Who the author is', value: labelOf(AUTHOR_RELATIONSHIPS, where.authorRelationship) },
    ],
    history: authorHistory(author, handling.priorIncidentsByAuthor),
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

function authorHistory(author: string | undefined, prior: number | undefined): { text: string; color: Color } {
  if (!author) return { text: 'Author not known, so earlier posts cannot be matched', color: 'Default' };
  if (prior === undefined) return { text: 'Earlier incidents by this author not checked yet', color: 'Default' };
  if (prior <= 0) return { text: 'First post by this author', color: 'Default' };
  // BMA (2024): two or more connected abusive posts may be harassment.
  return {
    text: `${prior} earlier incident${prior === 1 ? '' : 's'} by this author — possible harassment (BMA)`,
    color: 'Attention',
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

const DOCUMENT_NAMES = new Map<string, string>(DOCUMENTS.map((d) => [d.id, d.title.split(':')[0]!.trim()]));

/** A source, short: "LMC guidance, 2. Act quickly and go offline". The quote is in the policy. */
export function sourceLine(source: Source): string {
  const document = DOCUMENT_NAMES.get(source.document) ?? source.document;
  return plainText(`Source: ${document}, ${clip(source.section, 100)}`);
}

function gradingModel(grading: Grading | undefined) {
  if (!grading) {
    return { summary: 'Not graded yet: the recommendations appear when the report is routed.', actions: [], warnings: [] };
  }
  const n = grading.actions.length;
  return {
    summary: plainText(
      `${capitalise(grading.severity)} severity: decide within ${duration(grading.decisionTargetHours * 60)} of the report. ` +
        (n > 0 ? `${n} recommended action${n === 1 ? '' : 's'}, most important first.` : 'No action is recommended.'),
    ),
    actions: grading.actions.map((a, i) => ({
      title: plainText(`${i + 1}. ${a.title}`),
      reason: plainText(a.reason),
      source: sourceLine(a.source),
    })),
    warnings: grading.warnings.map((w) => ({ text: plainText(w.text), source: sourceLine(w.source) })),
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
        ? { text: `The reply check found ${count(blocking, 'problem')} to fix before it can be approved.`, color: 'Attention' }
        : advisory > 0
          ? { text: `The reply check found ${count(advisory, 'thing')} to consider.`, color: 'Warning' }
          : { text: 'The reply check found nothing to change.', color: 'Good' },
    findings: listed.map((f) => {
      const offending = opts.replyText.slice(Math.max(0, f.start), Math.max(0, f.end));
      const quoted = offending ? ` "${clip(offending, Math.min(level.text, 120))}"` : '';
      return {
        quote: plainText(`${f.severity === 'blocking' ? 'Must change' : 'Check'}:${quoted}`),
        message: plainText(clip(f.message, Math.max(level.text, 200))),
        color: f.severity === 'blocking' ? 'Attention' : 'Warning',
      };
    }),
    ...(more > 0 ? { more: `And ${count(more, 'more finding')}: press Check reply after changing the text.` } : {}),
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

// ---- helpers --------------------------------------------------------------------------------------

/** At most `limit` characters (never half a surrogate pair), with `mark` when shortened. */
function clip(text: string, limit: number, mark = '…'): string {
  if (!Number.isFinite(limit) || text.length <= limit) return text;
  let end = Math.max(0, limit);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + mark;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
