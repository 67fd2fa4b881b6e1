import { remembered } from '../../remembered.ts';
import { phoneDigits } from './rules/contact.ts';
import { escape } from './rules/shared.ts';

/**
 * A reply is read sentence by sentence. A sentence the practice approved in advance (its reply
 * templates and approved sentences, with the practice's name, phone, email or a role name in the
 * slots) is approved; every other sentence is free text that the approving manager attests to.
 */

export interface SentenceSpan {
  start: number;
  end: number;
}

/** Words after which a full stop does not end a sentence. */
const ABBREVIATIONS = new Set(['dr', 'mr', 'mrs', 'ms', 'mx', 'prof', 'st', 'no', 'tel', 'approx', 'etc', 'eg', 'ie', 'e.g', 'i.e', 'vs', 'ref', 'dept', 'nhs', 'a.m', 'p.m', 'sr', 'jr', 'drs', 'rev', 'revd', 'fig', 'ext']);

export function splitSentences(text: string): SentenceSpan[] {
  const spans: SentenceSpan[] = [];
  let start = 0;
  const push = (end: number) => {
    const slice = text.slice(start, end);
    const lead = slice.length - slice.trimStart().length;
    const trimmed = slice.trim();
    if (/[\p{L}\p{N}]/u.test(trimmed)) spans.push({ start: start + lead, end: start + lead + trimmed.length });
    start = end;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') {
      push(i);
      continue;
    }
    if (c !== '.' && c !== '!' && c !== '?') continue;
    let j = i;
    while (j + 1 < text.length && /[.!?"')\]]/.test(text[j + 1]!)) j++;
    if (j + 1 < text.length && !/\s/.test(text[j + 1]!)) continue; // "nhs.net", "6.30pm"
    if (c === '.') {
      const word = /([\p{L}.]+)$/u.exec(text.slice(Math.max(0, i - 8), i))?.[1]?.toLowerCase() ?? '';
      if (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word)) continue; // "Dr.", "J. Smith"
    }
    push(j + 1);
    i = j;
  }
  push(text.length);
  return spans;
}

/** The form sentences are compared in: lower case, words and digits only, digit groups joined. */
export function canonicalSentence(text: string): string {
  return text
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}@]+/gu, ' ')
    .replace(/@/g, ' ')
    .replace(/(\d) (?=\d)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface SlotValues {
  practiceName?: string;
  practicePhone?: string;
  practiceEmail?: string;
  roles?: readonly string[];
}

const SLOT = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

/**
 * The compiled patterns of a list of approved sentences, per slot values: a practice's list and
 * values are the same for every reply it reviews, and compiling them was a tenth of a review.
 */
const compiled = new WeakMap<readonly string[], Map<string, readonly RegExp[]>>();
const COMPILED_PER_LIST = 64;

/** Approved sentence templates as patterns over canonical sentences; a slot with no value matches nothing. */
export function approvedMatchers(templates: readonly string[], values: SlotValues): readonly RegExp[] {
  let byValues = compiled.get(templates);
  if (!byValues) compiled.set(templates, (byValues = new Map()));
  const key = JSON.stringify([values.practiceName ?? '', values.practicePhone ?? '', values.practiceEmail ?? '', values.roles ?? []]);
  return remembered(byValues, key, COMPILED_PER_LIST, () => compileMatchers(templates, values));
}

function compileMatchers(templates: readonly string[], values: SlotValues): RegExp[] {
  const options: Record<string, string[]> = {
    practiceName: values.practiceName ? [values.practiceName, `the ${values.practiceName}`] : [],
    practicePhone: values.practicePhone ? [values.practicePhone, `+44 ${phoneDigits(values.practicePhone).slice(1)}`] : [],
    practiceEmail: values.practiceEmail ? [values.practiceEmail] : [],
    role: [...(values.roles ?? [])],
  };
  const matchers: RegExp[] = [];
  for (const template of templates.flatMap((t) => splitSentences(t).map((s) => t.slice(s.start, s.end)))) {
    const slots: string[] = [];
    const marked = template.replace(SLOT, (_w, name: string) => {
      slots.push(name);
      return ` qqslot${String.fromCharCode(97 + slots.length - 1)}qq `;
    });
    let source = escape(canonicalSentence(marked));
    let usable = true;
    slots.forEach((name, i) => {
      const alternatives = [...new Set((options[name] ?? []).map(canonicalSentence).filter((v) => v.length > 0))];
      if (alternatives.length === 0) usable = false;
      source = source.replace(`qqslot${String.fromCharCode(97 + i)}qq`, `(?:${alternatives.map(escape).join('|')})`);
    });
    if (usable) matchers.push(new RegExp(`^${source}$`, 'u'));
  }
  return matchers;
}

export function isApproved(sentence: string, matchers: readonly RegExp[]): boolean {
  const canonical = canonicalSentence(sentence);
  return matchers.some((m) => m.test(canonical));
}
