import { readFileSync } from 'node:fs';
import { Template } from 'adaptivecards-templating';

/**
 * Every Adaptive Card template in the top-level cards/ folder. Templates are JSON files, read and
 * parsed once, then bound with adaptivecards-templating: data is passed as `$root` and never
 * evaluated as a template expression, so user text (even `${...}`) stays data.
 */
export const CARD_TEMPLATES = {
  reportWhere: 'report-where.json',
  reportWhat: 'report-what.json',
  reportRisk: 'report-risk.json',
  reportEvidence: 'report-evidence.json',
  reportReview: 'report-review.json',
  reportSubmitted: 'report-submitted.json',
  reportCancelled: 'report-cancelled.json',
  myReports: 'my-reports.json',
  notice: 'notice.json',
  incident: 'incident.json',
  reporterQuestion: 'reporter-question.json',
  reporterUpdate: 'reporter-update.json',
  reporterView: 'reporter-view.json',
  register: 'register.json',
  evidencePack: 'evidence-pack.json',
  summary: 'summary.json',
} as const;

export type CardTemplateName = keyof typeof CARD_TEMPLATES;

/** An Adaptive Card, as plain JSON ready to send. */
export type CardJson = Record<string, unknown>;

export const CARDS_DIR = new URL('../../cards/', import.meta.url);

const loaded = new Map<CardTemplateName, Template>();

function template(name: CardTemplateName): Template {
  let found = loaded.get(name);
  if (!found) {
    const file = new URL(CARD_TEMPLATES[name], CARDS_DIR);
    found = new Template(JSON.parse(readFileSync(file, 'utf8')));
    loaded.set(name, found);
  }
  return found;
}

export function expandCard(name: CardTemplateName, data: object): CardJson {
  return template(name).expand({ $root: data }) as CardJson;
}
