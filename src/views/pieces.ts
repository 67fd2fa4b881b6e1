/** Pieces more than one card draws, written once: the notice strip's style and counted nouns. */

/** A one-line message at the top of a card, in the tone of what happened. */
export interface Notice {
  tone: 'attention' | 'good' | 'default';
  text: string;
}

/** Container styles for a notice: default-coloured text on these holds 4.5:1 in every Teams theme. */
export const NOTICE_STYLES: Record<Notice['tone'], string> = { attention: 'attention', good: 'good', default: 'emphasis' };

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
