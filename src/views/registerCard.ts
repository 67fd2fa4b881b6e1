import { INCIDENT_STATUSES } from '../domain/incident.ts';
import type { SeverityId } from '../domain/policy/schema.ts';
import { labelOf } from '../domain/vocabulary.ts';
import { londonDateTime } from './format.ts';
import { clip, count, dueText } from './pieces.ts';
import { plainText } from './plainText.ts';
import { CARD_BYTE_BUDGET } from './reportCards.ts';
import { expandCard, type CardJson } from './templates.ts';

/**
 * The register ("open incidents") for deciders: one compact block per incident (no columns, so it
 * reads on a phone), each with "Open" (incident.refresh with the incident's ids: the bot answers
 * with the incident card for whoever pressed it), and Previous/Next pages (register.page with
 * `{ page }`, 0-based). The rows come from the bot, already scoped to one practice.
 */

/** One line of the register, as the register use case builds it. */
export type { RegisterRow } from '../contract/registerRow.ts';
import type { RegisterRow } from '../contract/registerRow.ts';

export interface RegisterCardOptions {
  practiceName: string;
  /** 0-based, as register.page carries it. */
  page: number;
  pageCount: number;
  /** Open incidents in all pages. */
  total: number;
  now: Date;
}

/** Rows on one page of the register; a page of 10 long rows stays well under 28 KB. */
export const REGISTER_PAGE_SIZE = 10;
/** At most this many rows are drawn, whatever the caller passes. */
export const REGISTER_ROWS_LISTED = 25;

type Color = 'Default' | 'Attention' | 'Warning' | 'Good';
/** Default-coloured: Teams' attention and warning text colours fail 4.5:1 contrast (the words carry the severity). */
const SEVERITY_COLORS: Record<SeverityId, Color> = { critical: 'Default', high: 'Default', medium: 'Default', low: 'Default' };

/** Characters of the next step and the platform, tried in order until the card fits. */
const TEXT_LIMITS = [300, 150, 80] as const;

export function registerCard(rows: readonly RegisterRow[], opts: RegisterCardOptions): CardJson {
  const pageCount = Math.max(1, Math.floor(opts.pageCount) || 1);
  const page = Math.min(Math.max(0, Math.floor(opts.page) || 0), pageCount - 1);
  let listed = rows.slice(0, REGISTER_ROWS_LISTED);
  let card: CardJson = {};
  for (;;) {
    for (const limit of TEXT_LIMITS) {
      card = expandCard('register', registerModel(rows, listed, { ...opts, page, pageCount }, limit));
      if (Buffer.byteLength(JSON.stringify(card), 'utf8') <= CARD_BYTE_BUDGET) return card;
    }
    if (listed.length <= 1) return card;
    listed = listed.slice(0, Math.ceil(listed.length / 2));
  }
}

function registerModel(rows: readonly RegisterRow[], listed: readonly RegisterRow[], opts: RegisterCardOptions, limit: number) {
  const total = Math.max(0, Math.floor(opts.total) || 0, rows.length);
  const left = rows.length - listed.length;
  return {
    title: plainText(`Open incidents — ${opts.practiceName}`),
    count: `${total} open`,
    empty: rows.length === 0,
    ...(left > 0 ? { note: `Showing ${listed.length} of the ${rows.length} on this page.` } : {}),
    rows: listed.map((row) => rowModel(row, opts.now, limit)),
    ...(opts.pageCount > 1 ? { pageText: `Page ${opts.page + 1} of ${opts.pageCount}` } : {}),
    ...(opts.page > 0 ? { previous: { page: opts.page - 1 } } : {}),
    ...(opts.page < opts.pageCount - 1 ? { next: { page: opts.page + 1 } } : {}),
  };
}

function rowModel(row: RegisterRow, now: Date, limit: number) {
  return {
    urgent: row.urgent === true,
    reference: plainText(row.reference),
    severity: row.severity
      ? { text: `${row.severity.charAt(0).toUpperCase()}${row.severity.slice(1)} severity`, color: SEVERITY_COLORS[row.severity] ?? 'Default' }
      : { text: 'Not graded yet', color: 'Default' },
    summary: plainText(`${labelOf(INCIDENT_STATUSES, row.status)} · ${clip(row.platform || 'Other', limit)} · reported ${age(row.reportedAt, now)}`),
    next: plainText(`Next: ${clip(row.nextStep || 'Nothing recorded', limit)}`),
    ...dueModel(row, now),
    data: { practiceId: row.practiceId, reference: row.reference, version: row.version },
  };
}

/** "25 min ago", "3 h ago", "1 day ago", "12 days ago". */
export function age(iso: string, now: Date): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return 'at an unknown time';
  const minutes = Math.max(0, Math.floor((now.getTime() - at) / 60_000));
  if (minutes < 60) return minutes <= 1 ? 'just now' : `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return `${count(days, 'day')} ago`;
}

function dueModel(row: RegisterRow, now: Date): { due?: { text: string; color: Color } } {
  const given = row.nextStepDue?.trim();
  if (!given) return row.overdue ? { due: { text: 'Overdue', color: 'Default' } } : {};
  const at = Date.parse(given);
  if (Number.isNaN(at)) return { due: { text: plainText(`Due ${clip(given, 50)}`), color: 'Default' } };
  // Marked overdue by the register but not yet a whole minute past the time shown.
  if (row.overdue && at - now.getTime() > -60_000) return { due: { text: `Overdue (due ${londonDateTime(new Date(at).toISOString())})`, color: 'Default' } };
  return { due: { text: dueText(new Date(at), now, { due: 'Due', overdue: 'Overdue' }), color: 'Default' } };
}
