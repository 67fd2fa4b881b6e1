import { londonDateTime } from '../domain/ukTime.ts';
import { plainText } from './plainText.ts';

/** Pieces more than one card draws, written once: the notice strip's style, counted nouns, clipped text and time left. */

/** A one-line message at the top of a card, in the tone of what happened. */
export interface Notice {
  tone: 'attention' | 'good' | 'default';
  text: string;
}

/** Container styles for a notice: default-coloured text on these holds 4.5:1 in every Teams theme. */
export const NOTICE_STYLES: Record<Notice['tone'], string> = { attention: 'attention', good: 'good', default: 'emphasis' };

/** The notice strip as a template draws it (text escaped), or nothing when there is no notice. */
export function noticeModel(notice: Notice | undefined): { notice?: { style: string; text: string } } {
  return notice ? { notice: { style: NOTICE_STYLES[notice.tone] ?? 'emphasis', text: plainText(notice.text) } } : {};
}

/**
 * Errors keyed by input id: those for inputs the card shows go beneath them (`shown`); any other
 * is still told, at the top (`others`). Empty messages are dropped; every message is escaped.
 */
export function placeErrors(given: Partial<Record<string, string>> | undefined, shownInputs: readonly string[]) {
  const visible = new Set<string>(shownInputs);
  const shown: Record<string, string> = {};
  const others: Array<{ text: string }> = [];
  for (const [field, message] of Object.entries(given ?? {})) {
    if (typeof message !== 'string' || message.trim() === '') continue;
    if (visible.has(field)) shown[field] = plainText(message);
    else others.push({ text: plainText(message) });
  }
  return { shown, others };
}

/** The error summary at the top of a card, titled by how many shown answers have errors; nothing when there are no errors. */
export function errorSummaryModel(placed: ReturnType<typeof placeErrors>, title: (shownErrors: number) => string) {
  const shownErrors = Object.keys(placed.shown).length;
  return shownErrors + placed.others.length > 0 ? { errorSummary: { title: title(shownErrors), others: placed.others } } : {};
}

/** "And 5 more screenshots, all saved.": the screenshots a card leaves out of its list. */
export function moreScreenshots(more: number): string {
  return `And ${count(more, 'more screenshot')}, all saved.`;
}

/** "1 screenshot", "3 screenshots". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** At most `limit` characters (never half a surrogate pair), with `mark` when shortened. */
export function clip(text: string, limit: number, mark = '…'): string {
  if (!Number.isFinite(limit) || text.length <= limit) return text;
  let end = Math.max(0, limit);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return text.slice(0, end) + mark;
}

/** "3 h 20 min", "45 min", "2 h", "1 day 3 h". */
export function duration(minutes: number): string {
  const total = Math.max(0, Math.round(minutes));
  const days = Math.floor(total / 1_440);
  const hours = Math.floor((total % 1_440) / 60);
  const mins = total % 60;
  if (days > 0) return `${count(days, 'day')}${hours > 0 ? ` ${hours} h` : ''}`;
  if (hours > 0) return `${hours} h${mins > 0 ? ` ${mins} min` : ''}`;
  return `${mins} min`;
}

/**
 * Time to or past a due time in the words every card uses: "<due> in 3 h, by 3 Nov 2026, 18:00",
 * "<due> now (…)" within the minute, "<overdue> by 2 h (due …)" after it.
 */
export function dueText(due: Date, now: Date, words: { due: string; overdue: string }): string {
  const by = londonDateTime(due.toISOString());
  const left = due.getTime() - now.getTime();
  if (left > 0) return `${words.due} in ${duration(Math.ceil(left / 60_000))}, by ${by}`;
  const over = Math.floor(-left / 60_000);
  return over === 0 ? `${words.due} now (${by})` : `${words.overdue} by ${duration(over)} (due ${by})`;
}
