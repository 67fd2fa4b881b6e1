import { INCIDENT_INPUTS } from '../contract/cards.ts';
import type { IncidentCardOptions } from './incidentCards.ts';
import { errorSummaryModel, placeErrors } from './pieces.ts';
import { SCREENSHOTS_LISTED } from './reportCards.ts';
import type { CardJson } from './templates.ts';

type Json = Record<string, unknown>;

/** The incident card's layout: what it leaves out to fit Teams' size limit, its decision sections, and where errors and open sections go. */

/** Teams refreshes a card for at most 60 users. */
export const REFRESH_USER_LIMIT = 60;
/** Reply-guard findings listed under the reply; the rest are counted. Blocking ones come first. */
export const FINDINGS_LISTED = 8;


/** Reopenings shown on the card, most recent last; earlier ones are counted. */
export const REOPENINGS_LISTED = 5;

/** The decision sections: the ShowCard's id in cards/incident.json and the inputs it holds. */
export const SECTIONS = {
  noResponse: { showCardId: 'decide-noResponse', inputs: [INCIDENT_INPUTS.reason] },
  reply: { showCardId: 'decide-reply', inputs: [INCIDENT_INPUTS.replyText, INCIDENT_INPUTS.reporterPostsReply, INCIDENT_INPUTS.attestFreeText] },
  actions: { showCardId: 'decide-actions', inputs: [INCIDENT_INPUTS.actions] },
  assign: { showCardId: 'decide-assign', inputs: [INCIDENT_INPUTS.assignee] },
  ask: { showCardId: 'decide-ask', inputs: [INCIDENT_INPUTS.question] },
  close: { showCardId: 'incident-close', inputs: [INCIDENT_INPUTS.closeOutcome, INCIDENT_INPUTS.lessonsLearnt] },
  reopen: { showCardId: 'incident-reopen', inputs: [INCIDENT_INPUTS.reopenReason] },
} as const;
export type SectionId = keyof typeof SECTIONS;
export const SECTION_IDS = Object.keys(SECTIONS) as SectionId[];

/**
 * How much the card shows, tried in order until it fits under the byte budget: the post can be
 * 8,000 characters and escaping can triple its size, and questions, screenshots, reply-guard
 * findings, task outcomes (1,000 characters each) and the closure (two 2,000-character texts) add
 * up. Free text is shortened before anything is left out. The full record is always kept; the
 * card says when it shows less.
 */
export const FIT_LEVELS: readonly FitLevel[] = [
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
export interface FitLevel {
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


/** The per-task input and ShowCard ids. */
export const taskInputId = (taskId: string) => `${INCIDENT_INPUTS.taskOutcomePrefix}${taskId}`;
export const taskShowCardId = (taskId: string) => `task-${taskId}`;

export interface ModelContext {
  deciding: boolean;
  sections: Record<SectionId, boolean>;
  /** Ids of the tasks this viewer can mark done. */
  actionable: ReadonlySet<string>;
  errors: ReturnType<typeof fieldErrors>;
  pack: boolean;
  level: FitLevel;
}

/** Errors for inputs this card shows sit beneath them; any other error is told at the top. */
export function fieldErrors(given: IncidentCardOptions['errors'], shownInputs: readonly string[]) {
  const placed = placeErrors(given, shownInputs);
  return {
    shown: placed.shown,
    summary: errorSummaryModel(placed, (n) => (n > 1 ? 'Please fix the highlighted answers below.' : n === 1 ? 'Please fix the highlighted answer below.' : 'Please check this:')),
  };
}

export function refreshUsers(ids: readonly string[]): string[] {
  return ids.filter((id, i, all) => typeof id === 'string' && id !== '' && all.indexOf(id) === i).slice(0, REFRESH_USER_LIMIT);
}

/**
 * Opens the named ShowCards: a card-level one moves into the body as a Container headed by its
 * title; one in an ActionSet (a task's "Mark done") is replaced in place by its contents.
 */
export function openShowCards(card: CardJson, open: ReadonlySet<string>): CardJson {
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
export const DECISIONS_ID = 'decisions';

/**
 * Puts the card's own actions (the decision options, Close, Reopen) into the body's "decisions"
 * ActionSet, so on a phone they come straight after the headline, before the recommendations
 * and the evidence (card-level actions are drawn at the very bottom). With none left, the empty
 * ActionSet goes.
 */
export function placeDecisions(card: CardJson): CardJson {
  const body = Array.isArray(card.body) ? (card.body as Json[]) : [];
  const actions = Array.isArray(card.actions) ? (card.actions as Json[]) : [];
  const { actions: _moved, ...rest } = card;
  const items = body.flatMap((item) => {
    if (item.id !== DECISIONS_ID) return [item];
    return actions.length > 0 ? [{ ...item, actions }] : [];
  });
  return { ...rest, body: items };
}
