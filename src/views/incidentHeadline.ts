import { decisionDue, type Handling } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import type { Grading } from '../domain/policy/grade.ts';
import type { Source } from '../domain/policy/schema.ts';
import { AUTHOR_RELATIONSHIPS, NAMED_PARTIES, PLATFORMS, POST_CATEGORIES, labelOf } from '../domain/vocabulary.ts';
import { clip, count, dueText, duration } from './pieces.ts';
import { plainText } from './plainText.ts';

/**
 * What a practice manager reads first on a phone, before the decision buttons: severity and time
 * left in a styled strip (container styles with default-coloured text hold 4.5:1 contrast in
 * Teams' light, dark and high-contrast themes; coloured text on white does not), one line on what
 * the post is and whom it targets, and how a policy sentence is cited for this practice.
 */

/** Container styles the incident card uses; text inside them keeps the default colour. */
export type Strip = 'attention' | 'warning' | 'emphasis';

export function headline(incident: Incident, handling: Handling, now: Date): { text: string; style: Strip; due?: string } {
  const grading = handling.grading;
  const severity = grading ? `${capitalise(grading.severity)} severity` : 'Not graded yet';
  const serious = grading?.severity === 'critical' || grading?.severity === 'high';
  if (handling.decision) return { text: severity, style: serious ? 'attention' : 'emphasis' };
  const due = decisionDue(incident);
  if (!due || Number.isNaN(due.getTime())) return { text: severity, style: serious ? 'attention' : 'emphasis' };
  const left = due.getTime() - now.getTime();
  const text = dueText(due, now, { due: 'Decision due', overdue: 'Decision overdue' });
  if (left <= 0) return { text: severity, style: 'attention', due: text };
  const minutes = Math.ceil(left / 60_000);
  const style: Strip = serious ? 'attention' : minutes <= 60 || grading?.severity === 'medium' ? 'warning' : 'emphasis';
  return { text: severity, style, due: text };
}

/** "Facebook post by Jay Smith (patient): Personal attack or insult; Names or identifies staff. It names: named colleagues." */
export function postSummary(incident: Incident, limit: number): string {
  const { where, what } = incident.facts;
  const author = where.authorName?.trim();
  const who = author ? `${clip(author, limit)} (${labelOf(AUTHOR_RELATIONSHIPS, where.authorRelationship).toLowerCase()})` : 'an unknown author';
  const does = (what.categories ?? []).map((id) => labelOf(POST_CATEGORIES, id));
  const names = (what.namedParties ?? []).map((id) => labelOf(NAMED_PARTIES, id).toLowerCase());
  return (
    `${labelOf(PLATFORMS, where.platform)} post by ${who}` +
    (does.length > 0 ? `: ${does.join('; ')}.` : '.') +
    (names.length > 0 ? ` It names ${names.join(', ')}.` : '')
  );
}

/** The BMA's repeat-poster flag, in default-coloured bold text (counted in distinct posts). */
export function repeatModel(author: string | undefined, prior: number | undefined): { repeat?: string } {
  if (!author?.trim() || prior === undefined || prior <= 0) return {};
  // BMA (2024): two or more connected abusive posts may be harassment.
  return { repeat: `${count(prior, 'earlier post')} by this author reported — possible harassment (BMA)` };
}

/** Re-reports of the same post, both ways: "also reported by …" and "the same post as …". */
export function alsoReportedModel(handling: Handling, limit: number): { alsoReported?: string } {
  const lines: string[] = [];
  if (handling.sameAs) lines.push(`The same post as ${handling.sameAs}, reported earlier: this report is linked to it.`);
  const again = handling.alsoReportedBy ?? [];
  if (again.length > 0) {
    const shown = again.slice(0, ALSO_REPORTED_LISTED).map((r) => `${clip(r.name || 'a colleague', limit)} (${r.reference})`);
    const more = again.length - shown.length;
    lines.push(`Also reported by ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`);
  }
  return lines.length > 0 ? { alsoReported: plainText(lines.join(' ')) } : {};
}

/** Re-reports named on the card; the rest are counted. */
const ALSO_REPORTED_LISTED = 5;

export function authorHistory(author: string | undefined, prior: number | undefined): string {
  if (!author?.trim()) return 'Author not known, so earlier posts cannot be matched';
  if (prior === undefined) return 'Earlier incidents by this author not checked yet';
  if (prior <= 0) return 'First post by this author';
  return `${count(prior, 'earlier post')} by this author — possible harassment (BMA)`;
}

/** Titles of the "Show all" buttons, each with its count. */
export function moreModel(incident: Incident, handling: Handling, grading: Grading | undefined, brief: boolean) {
  const actions = grading?.actions.length ?? 0;
  const warnings = grading?.warnings.length ?? 0;
  const screenshots = incident.facts.evidence.screenshots?.length ?? 0;
  const reopenings = handling.reopenings?.length ?? 0;
  const words = (incident.facts.what.postText ?? '').trim().split(/\s+/).filter(Boolean).length;
  return {
    ...(actions > TOP_ACTIONS && !brief ? { actions: `Show all ${actions} recommended actions` } : {}),
    ...(warnings > 0 ? { warnings: `Warnings (${warnings})` } : {}),
    post: `The post: ${count(words, 'word')} and its details`,
    evidence: screenshots > 0 ? `Screenshots (${screenshots})` : 'Screenshots (none)',
    history: `History: ${count(reopenings, 'reopening')}`,
  };
}

/** Recommended actions shown above the fold with their reasons; the rest are behind "Show all". */
export const TOP_ACTIONS = 3;

/** When the policy advises against a public reply, the option says so before it is opened. */
export function replyAdvice(grading: Grading | undefined): { replyTitle: string; replyAdvice?: string } {
  const ids = grading?.actions.map((a) => a.id) ?? [];
  const noResponse = ids.indexOf('no-response');
  const reply = ids.indexOf('public-reply');
  if (noResponse >= 0 && (reply < 0 || noResponse < reply)) {
    return {
      replyTitle: 'Public reply (not advised)',
      replyAdvice: 'The policy advises no public response for this post: a reply can draw attention to it. Reply only if you have a reason to.',
    };
  }
  return { replyTitle: 'Public reply' };
}

/** A document the policy cites, as the card names it (given in the view model, from the policy). */
export interface CitedDocument {
  id: string;
  name: string;
  /** One of the practices' own social media policies: never named to another practice. */
  practicePolicy: boolean;
}

/**
 * Cites policy sentences for one practice's card: a section of a practice policy is "Riverside
 * Surgery's social media policy, section 4" when the practice has its own policy file, else "the
 * default policy, section 4" with the practices it is drawn from named once, at the end.
 */
export class Citations {
  private readonly cited = new Set<string>();

  private readonly documents: ReadonlyMap<string, CitedDocument>;

  constructor(
    private readonly practiceName: string,
    private readonly ownPolicy: boolean,
    documents: readonly CitedDocument[],
  ) {
    this.documents = new Map(documents.map((d) => [d.id, d]));
  }

  line(source: Source): string {
    const section = clip(source.section, 100);
    const document = this.documents.get(source.document);
    if (document?.practicePolicy) {
      this.cited.add(source.document);
      const whose = this.ownPolicy ? `${this.practiceName}'s social media policy` : 'the default policy';
      return plainText(`Source: ${whose}, ${section}`);
    }
    return plainText(`Source: ${document?.name ?? source.document}, ${section}`);
  }

  /** The practices the default policy's cited sections come from (none when the practice has its own). */
  named(): string[] {
    if (this.ownPolicy) return [];
    return [...this.cited].map((id) => this.documents.get(id)?.name ?? id).sort();
  }

  note(): string {
    return plainText(`The default policy's sections are drawn from the social media policies of ${listed(this.named())}.`);
  }
}

export { duration };

function listed(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export { clip };
