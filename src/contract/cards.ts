import { z } from 'zod';
import type { STEP_FIELDS, StepId } from '../domain/report.ts';

/**
 * The card contract: the Action.Execute verbs the cards send, the ids of their inputs, and the
 * shape of each verb family's `data`, checked with zod at the edge before anything is read. Card
 * data carries only ids (never roles, names or states, which are always read from storage) plus
 * what the person typed. Everything in it is untrusted, so every string has a length bound.
 */

/** The Action.Execute verbs the report cards send. */
export const VERBS = {
  start: 'report.start',
  /** "Report another post" on the confirmation: a new card, the confirmation left as it was. */
  another: 'report.another',
  next: 'report.next',
  back: 'report.back',
  cancel: 'report.cancel',
  edit: 'report.edit',
  risk: 'report.risk',
  submit: 'report.submit',
  myReports: 'reports.mine',
} as const;

type ReportVerb = (typeof VERBS)[keyof typeof VERBS];
/** The presses on an open report's step card; the other report verbs open a report or the list. */
export type DraftVerb = Exclude<ReportVerb, typeof VERBS.start | typeof VERBS.another | typeof VERBS.myReports>;

/**
 * The incident card's verbs (deciders and the reporter). A card's data is
 * `{ practiceId, reference, version }` (+ the card's inputs; "incident PW-…" sends only the
 * reference): the bot reads roles and state from storage, never from the card.
 */
export const INCIDENT_VERBS = {
  refresh: 'incident.refresh',
  noResponse: 'incident.noResponse',
  checkReply: 'incident.checkReply',
  approveReply: 'incident.approveReply',
  chooseActions: 'incident.chooseActions',
  assign: 'incident.assign',
  ask: 'incident.ask',
  answer: 'incident.answer',
  /** Data also carries `taskId`. */
  taskDone: 'incident.taskDone',
  close: 'incident.close',
  reopen: 'incident.reopen',
  /** A short-lived link to the evidence pack, for deciders. */
  pack: 'incident.pack',
} as const;

export type IncidentVerb = (typeof INCIDENT_VERBS)[keyof typeof INCIDENT_VERBS];

/**
 * The channel's digest card (many new incidents at once): data `{ practiceId, reference }`. The
 * bot sends that incident's card to the presser's 1:1 chat, drawn for whoever pressed.
 */
export const DIGEST_VERBS = {
  open: 'digest.open',
} as const;

/** The register ("open incidents"): data `{ page }` (0-based). */
export const REGISTER_VERBS = {
  page: 'register.page',
} as const;

type DigestVerb = (typeof DIGEST_VERBS)[keyof typeof DIGEST_VERBS];
type RegisterVerb = (typeof REGISTER_VERBS)[keyof typeof REGISTER_VERBS];
/** Every verb a Postwatch card can send: the bot's card route table has exactly one entry for each. */
export type CardVerb = ReportVerb | IncidentVerb | DigestVerb | RegisterVerb;
export const CARD_VERBS: readonly CardVerb[] = [...Object.values(VERBS), ...Object.values(INCIDENT_VERBS), ...Object.values(DIGEST_VERBS), ...Object.values(REGISTER_VERBS)];

/** Input ids on the incident card. */
export const INCIDENT_INPUTS = {
  reason: 'reason',
  replyText: 'replyText',
  reporterPostsReply: 'reporterPostsReply',
  /** The approver's tick for the free-text sentences; its value is the key of the sentences listed. */
  attestFreeText: 'attestFreeText',
  actions: 'actions',
  assignee: 'assignee',
  question: 'question',
  answer: 'answer',
  /** Per task: `outcome_<taskId>`. */
  taskOutcomePrefix: 'outcome_',
  closeOutcome: 'closeOutcome',
  lessonsLearnt: 'lessonsLearnt',
  reopenReason: 'reopenReason',
} as const;

// ---- bounds: what no card of ours ever sends more of ----------------------------------------------

/** Practice ids are 2-63 characters (config); draft and task ids are shorter still. */
export const ID_MAX = 64;
/** "PW-2026-000042" is 14 characters. */
export const REFERENCE_MAX = 32;
/** Step names ("where", "evidence"). */
const STEP_MAX = 32;
/**
 * One typed answer. Well above every input's own maxLength on the cards (the post's words, 8,000,
 * the longest), so a client that ignores maxLength still gets the field's "too long" message; more
 * than this is not a person typing, and the press is refused before anything is read.
 */
export const INPUT_MAX = 20_000;
/** The register has 10 rows a page: far more pages than any practice's register. */
export const REGISTER_PAGE_MAX = 10_000;

/** A typed answer; clients may omit an emptied input or send it as null. */
const typed = z.string().max(INPUT_MAX).nullish();

// ---- the data of each verb family --------------------------------------------------------------

/** What the incident card itself carries on every action (views build it; the bot checks it). */
const incidentCardDataSchema = z.object({
  practiceId: z.string().max(ID_MAX).optional(),
  reference: z.string().max(REFERENCE_MAX),
  version: z.number().int().nonnegative().optional(),
  /** incident.taskDone only. */
  taskId: z.string().max(ID_MAX).optional(),
});

export type IncidentActionData = z.input<typeof incidentCardDataSchema>;

const TASK_OUTCOME = 'taskOutcome';

/** The card's ids, and its inputs: the one task outcome that belongs to the task pressed. */
export const incidentPressSchema = z.preprocess(
  withTaskOutcome,
  incidentCardDataSchema.extend({
    /** The `outcome_<taskId>` input of the task pressed (other tasks' boxes are not read). */
    [TASK_OUTCOME]: typed,
    reason: typed,
    replyText: typed,
    reporterPostsReply: typed,
    attestFreeText: typed,
    actions: typed,
    assignee: typed,
    question: typed,
    answer: typed,
    closeOutcome: typed,
    lessonsLearnt: typed,
    reopenReason: typed,
  } satisfies Record<Exclude<(typeof INCIDENT_INPUTS)[keyof typeof INCIDENT_INPUTS], typeof INCIDENT_INPUTS.taskOutcomePrefix> | typeof TASK_OUTCOME, unknown>),
);

export type IncidentPress = z.output<typeof incidentPressSchema>;

/** A line of the digest: which incident to open privately. */
export const digestOpenSchema = z.object({
  practiceId: z.string().max(ID_MAX),
  reference: z.string().max(REFERENCE_MAX),
});

export type DigestPress = z.output<typeof digestOpenSchema>;

/** Previous / Next on the register: a page number, 0-based (absent: the first). */
export const registerPageSchema = z.object({
  // Math.abs turns -0 into 0 (JSON can carry -0); nothing else, since the page is at least 0 by then.
  page: z.coerce.number().int().min(0).max(REGISTER_PAGE_MAX).transform(Math.abs).default(0),
});

/** Verbs that only open something (a new report, the list of one's reports): no data is read. */
export const openingSchema = z.object({});

type StepField = (typeof STEP_FIELDS)[StepId][number];

/** What every report-step action carries besides the card's inputs, and those inputs. */
export const reportStepSchema = z.object({
  draftId: z.string().max(ID_MAX),
  step: z.string().max(STEP_MAX),
  /** report.edit: the step to open. */
  editStep: z.string().max(STEP_MAX).optional(),
  /** report.risk: "yes" or "no". */
  answer: z.string().max(STEP_MAX).optional(),
  ...({
    platform: typed,
    postUrl: typed,
    seenDate: typed,
    seenTime: typed,
    authorName: typed,
    authorRelationship: typed,
    postText: typed,
    categories: typed,
    namedParties: typed,
    namedColleagues: typed,
    atRisk: typed,
    riskDetails: typed,
    noScreenshot: typed,
    noScreenshotReason: typed,
  } satisfies Record<StepField, typeof typed>),
});

export type StepActionData = z.output<typeof reportStepSchema>;

/** Picks the outcome box of the task pressed out of the card's inputs; a `taskOutcome` sent as such is ignored. */
function withTaskOutcome(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const data = raw as Record<string, unknown>;
  const key = typeof data.taskId === 'string' ? `${INCIDENT_INPUTS.taskOutcomePrefix}${data.taskId}` : undefined;
  return { ...data, [TASK_OUTCOME]: key !== undefined && Object.hasOwn(data, key) ? data[key] : undefined };
}
