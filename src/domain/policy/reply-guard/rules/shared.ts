/**
 * What every rule shares: the finding it reports (in positions of the normalised text; the guard
 * maps them back to the draft) and the small helpers for building word patterns.
 */

export const GUARD_RULES = [
  'confirms-patient-relationship',
  'clinical-information',
  'staff-name',
  'person-name',
  'nhs-number',
  'date-of-birth',
  'age',
  'phone-number',
  'email-address',
  'home-address',
  'possible-staff-name',
  'date',
  'long-number',
  'too-long',
  'argumentative',
  'legal-threat',
] as const;
export type GuardRule = (typeof GUARD_RULES)[number];
export type FindingSeverity = 'blocking' | 'advisory';

export interface Finding {
  rule: GuardRule;
  severity: FindingSeverity;
  message: string;
  start: number;
  end: number;
}

export interface Span {
  start: number;
  end: number;
}

/** Collects findings for one draft; `text` gives the offending words for the message. */
export class Findings {
  readonly list: Finding[] = [];
  constructor(private readonly show: (start: number, end: number) => string) {}

  add(rule: GuardRule, severity: FindingSeverity, start: number, end: number, message: (quoted: string) => string): void {
    this.list.push({ rule, severity, start, end, message: message(`"${this.show(start, end)}"`) });
  }

  overlaps(span: Span, rules?: readonly GuardRule[]): boolean {
    return this.list.some((f) => (!rules || rules.includes(f.rule)) && f.start < span.end && span.start < f.end);
  }
}

export const L = '[\\p{L}\\p{N}]';
/** No letter or digit before. */
export const B = `(?<!${L})`;
/** No letter or digit after. */
export const A = `(?!${L})`;
const APOS = "'";

/**
 * After "your", "his" or "her": not what the person posted or said publicly ("we have seen your
 * comments", "thank you for your kind words last week"), which is theirs to share, not a contact.
 */
export const POST_WORDS = ['review', 'reviews', 'post', 'posts', 'comment', 'comments', 'feedback', 'rating', 'message', 'messages', 'tweet', 'concerns', 'words', 'kind words', 'thanks', 'compliments', 'praise', 'support', 'suggestion', 'suggestions', 'patience', 'understanding'];
export const NOT_THEIR_POST = `(?!\\s+(?:[\\p{L}-]+\\s+)?(?:${POST_WORDS.join('|')})(?![\\p{L}\\p{N}]))`;

export function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A phrase as a pattern: any run of spaces between words, hyphen or space interchangeable. */
export function phrase(text: string): string {
  return text
    .trim()
    .split(/\s+/)
    .map((part) => escape(part).replace(/'/g, APOS).replace(/\\-|-/g, '[\\s-]?'))
    .join('\\s+');
}

/** Alternatives, longest first, as one non-capturing group. */
export function anyOf(items: readonly string[], asPhrase = true): string {
  return `(?:${[...new Set(items)].sort((a, b) => b.length - a.length).map((t) => (asPhrase ? phrase(t) : t)).join('|')})`;
}

/** Whole-word matches of any phrase, case-insensitive. */
export function words(items: readonly string[], suffix = ''): RegExp {
  return new RegExp(`${B}${anyOf(items)}${suffix}${A}`, 'giu');
}

export function sentenceStartAt(text: string, index: number): boolean {
  const before = text.slice(0, index).replace(/["'(\[\s]+$/, '');
  return before === '' || /[.!?:;\n]$/.test(before);
}
