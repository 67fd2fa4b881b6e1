/**
 * The Action.Execute verbs the report cards send. Card data carries only ids (draftId, step) —
 * never roles, names or states, which the bot always reads from storage.
 */
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

export type Verb = (typeof VERBS)[keyof typeof VERBS];

/** What every report-step action carries besides the card's inputs. */
export interface StepActionData {
  draftId: string;
  step: string;
  /** report.edit: the step to open. */
  editStep?: string;
  /** report.risk: "yes" or "no". */
  answer?: string;
}

/**
 * The incident card's verbs (deciders and the reporter). Data is always
 * `{ practiceId, reference, version }` (+ the card's inputs): the bot reads roles and state from
 * storage, never from the card.
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

export type IncidentVerb = (typeof INCIDENT_VERBS)[keyof typeof INCIDENT_VERBS];

export interface IncidentActionData {
  practiceId: string;
  reference: string;
  version: number;
  /** incident.taskDone only. */
  taskId?: string;
}

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
