import type { IncidentActionData } from '../contract/cards.ts';
import { type Handling, handlingOf, QUESTION_LIMIT, REASON_LIMIT, REPLY_LIMIT } from '../domain/handling.ts';
import { type Incident, INCIDENT_STATUSES, type IncidentStatus } from '../domain/incident.ts';
import { CLOSURE_LIMIT, type Task, TASK_OUTCOME_LIMIT } from '../domain/lifecycle.ts';
import type { Finding } from '../domain/policy/guard.ts';
import { labelOf } from '../domain/vocabulary.ts';
import { londonDateTime } from './format.ts';
import { decidedModel, evidenceModel, gradingModel, postModel, questionsModel, replyModel } from './incidentDetails.ts';
import { closeModel, closureModel, reopeningsModel, tasksModel } from './incidentFollowThrough.ts';
import { alsoReportedModel, Citations, type CitedDocument, clip, headline, moreModel, postSummary, repeatModel, replyAdvice } from './incidentHeadline.ts';
import { fieldErrors, FIT_LEVELS, type ModelContext, openShowCards, placeDecisions, refreshUsers, SECTION_IDS, type SectionId, SECTIONS, taskInputId, taskShowCardId } from './incidentLayout.ts';
import { type Notice, noticeModel } from './pieces.ts';
import { plainText } from './plainText.ts';
import { CARD_BYTE_BUDGET } from './reportCards.ts';
import { type CardJson, expandCard } from './templates.ts';

/**
 * The incident card (decider and read-only views): its options and model. What it draws is in
 * incidentHeadline (the strip above the fold), incidentDetails (the post, evidence, grading,
 * reply), incidentFollowThrough (tasks, closing, reopenings) and incidentLayout (fitting and the
 * decision sections); the reporter's cards and the evidence pack card have files of their own
 * (views/index.ts exports them). Templates in cards/; every Action.Execute carries exactly { practiceId, reference, version }
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


/** An open task can be marked done from this card by its owner, or by anyone on the decider view. */
function canMarkDone(task: Task, opts: IncidentCardOptions): boolean {
  if (task.status === 'done') return false;
  if (opts.view === 'decider') return true;
  const viewer = opts.viewerAadObjectId?.trim().toLowerCase();
  return !!viewer && task.owner.aadObjectId.trim().toLowerCase() === viewer;
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
    ...noticeModel(opts.notice),
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

export { duration } from './incidentHeadline.ts';
export { FINDINGS_LISTED, REFRESH_USER_LIMIT, REOPENINGS_LISTED, taskInputId } from './incidentLayout.ts';
export { reporterQuestionCard, reporterUpdateCard } from './reporterCards.ts';
export { evidencePackCard, type EvidencePackCardOptions } from './evidencePackCard.ts';
