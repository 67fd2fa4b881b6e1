import { CLINICAL_TERMS } from './clinical-terms.ts';
import { isValidNhsNumber } from './nhs-number.ts';
import type { Policy } from './schema.ts';

/**
 * The reply guard: checks a draft public reply before a manager can approve it. Blocking findings
 * must be fixed before approval; advisory ones are shown for the manager to weigh. Each finding
 * carries the offending span as character offsets into the draft ([start, end), like slice).
 *
 * GMC ("Confidentiality: responding to criticism in the media"): a reply is limited to the duty
 * of confidentiality and general information about normal practice, so it must never confirm that
 * someone is a patient, carry clinical information, name staff, or carry personal data.
 */

export type FindingSeverity = 'blocking' | 'advisory';

export const GUARD_RULES = [
  'confirms-patient-relationship',
  'clinical-information',
  'staff-name',
  'nhs-number',
  'date-of-birth',
  'phone-number',
  'email-address',
  'possible-staff-name',
  'date',
  'long-number',
  'too-long',
  'argumentative',
  'legal-threat',
] as const;
export type GuardRule = (typeof GUARD_RULES)[number];

export interface Finding {
  rule: GuardRule;
  severity: FindingSeverity;
  message: string;
  start: number;
  end: number;
}

export interface ReplyContext {
  /** The practice's staff list and any colleague named in the incident. */
  staffNames: readonly string[];
  /** The practice's own number and address may appear in a reply; any other may not. */
  practicePhone?: string;
  practiceEmail?: string;
  /** Default 80 words. */
  briefWordLimit?: number;
  /** Added to the built-in clinical word list. */
  extraClinicalTerms?: readonly string[];
  /** For telling a date of birth from a recent date; defaults to now. */
  today?: Date;
}

export const DEFAULT_BRIEF_WORD_LIMIT = 80;

export function guardContextFrom(
  policy: Policy,
  practice: { staffNames: readonly string[]; practicePhone?: string; practiceEmail?: string },
): ReplyContext {
  return {
    ...practice,
    briefWordLimit: policy.replyGuard.briefWordLimit,
    extraClinicalTerms: policy.replyGuard.extraClinicalTerms,
  };
}

export function hasBlocking(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'blocking');
}

export function checkReply(draft: string, context: ReplyContext): Finding[] {
  const findings: Finding[] = [];
  const add = (rule: GuardRule, severity: FindingSeverity, start: number, end: number, message: string) =>
    findings.push({ rule, severity, message, start, end });

  // Confirms a patient relationship.
  for (const m of draft.matchAll(RELATIONSHIP)) {
    add('confirms-patient-relationship', 'blocking', m.index, m.index + m[0].length,
      `"${m[0]}" confirms that the person is a patient. GMC: criticism does not release the duty of confidentiality, and a reply must not confirm that someone is a patient.`);
  }

  // Clinical information.
  for (const m of draft.matchAll(termsPattern([...CLINICAL_TERMS, ...(context.extraClinicalTerms ?? [])]))) {
    add('clinical-information', 'blocking', m.index, m.index + m[0].length,
      `"${m[0]}" is clinical information. Millbrook: "Under no circumstances should clinical information be transmitted on any social media site".`);
  }

  // Staff names.
  const staffSpans = staffNameSpans(draft, context.staffNames);
  for (const s of staffSpans) {
    add('staff-name', 'blocking', s.start, s.end,
      `"${draft.slice(s.start, s.end)}" names a member of staff. A public reply never names or identifies staff.`);
  }
  for (const m of draft.matchAll(TITLED_NAME)) {
    const start = m.index;
    const end = start + m[0].length;
    if (staffSpans.some((s) => s.start < end && start < s.end)) continue;
    add('possible-staff-name', 'advisory', start, end,
      `"${m[0]}" looks like a person's name. If it is a member of staff, take it out: a public reply never names staff.`);
  }

  // Personal data: emails, dates of birth, NHS numbers, phone numbers.
  const claimed: { start: number; end: number }[] = [];
  const practiceEmail = context.practiceEmail?.trim().toLowerCase();
  for (const m of draft.matchAll(EMAIL)) {
    claimed.push({ start: m.index, end: m.index + m[0].length });
    if (practiceEmail && m[0].toLowerCase() === practiceEmail) continue;
    add('email-address', 'blocking', m.index, m.index + m[0].length,
      `"${m[0]}" is an email address that is not the practice's own. A reply must not carry personal data.`);
  }

  const referenceYear = (context.today ?? new Date()).getUTCFullYear();
  for (const d of dates(draft)) {
    claimed.push(d);
    const text = draft.slice(d.start, d.end);
    const before = draft.slice(Math.max(0, d.start - 40), d.start);
    const birthWords = BIRTH_WORDS.test(before);
    const year = d.year < 100 ? (d.year > referenceYear % 100 ? 1900 + d.year : 2000 + d.year) : d.year;
    if (birthWords || year <= referenceYear - 10) {
      add('date-of-birth', 'blocking', d.start, d.end,
        `"${text}" looks like a date of birth. A reply must not carry personal data.`);
    } else {
      add('date', 'advisory', d.start, d.end,
        `"${text}" is a date: make sure it does not say when someone was seen or anything else about them.`);
    }
  }
  for (const m of draft.matchAll(BIRTH_KEYWORD)) {
    const start = m.index;
    const end = start + m[0].length;
    if (findings.some((f) => f.rule === 'date-of-birth' && f.start >= start && f.start - end < 40)) continue;
    add('date-of-birth', 'blocking', start, end, `"${m[0]}" refers to a date of birth. A reply must not carry personal data.`);
  }

  const practicePhone = phoneDigits(context.practicePhone ?? '');
  for (const m of draft.matchAll(NUMBER_RUN)) {
    const raw = m[0].replace(/[\s\-(]+$/, '');
    const start = m.index;
    const end = start + raw.length;
    if (claimed.some((c) => c.start < end && start < c.end)) continue;
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 8) continue;
    if (practicePhone && phoneDigits(raw) === practicePhone) continue;
    if (digits.length === 10 && isValidNhsNumber(raw)) {
      add('nhs-number', 'blocking', start, end,
        `"${raw}" is an NHS number (it passes the modulus-11 check). A reply must not carry personal data.`);
    } else if (looksLikePhone(raw, digits)) {
      add('phone-number', 'blocking', start, end,
        `"${raw}" is a phone number that is not the practice's own. A reply must not carry personal data; give only the practice's number.`);
    } else {
      add('long-number', 'advisory', start, end,
        `"${raw}" is a long number: make sure it is not personal data (an NHS number, phone number or reference).`);
    }
  }

  // Brief, measured, no threats.
  const limit = context.briefWordLimit ?? DEFAULT_BRIEF_WORD_LIMIT;
  const words = [...draft.matchAll(/[^\s]+/g)].filter((w) => /[\p{L}\p{N}]/u.test(w[0]));
  if (words.length > limit) {
    const first = words[limit]!;
    const last = words[words.length - 1]!;
    add('too-long', 'advisory', first.index, last.index + last[0].length,
      `${words.length} words: the policy's brief reply is at most ${limit}. LMC: "Do not respond in detail".`);
  }
  for (const m of draft.matchAll(ARGUMENTATIVE)) {
    add('argumentative', 'advisory', m.index, m.index + m[0].length,
      `"${m[0]}" sounds argumentative. LMC: be careful not to be provoked into an online spat; a measured, reasonable tone works best.`);
  }
  for (const m of shouting(draft)) {
    add('argumentative', 'advisory', m.index, m.index + m[0].length, `"${m[0]}" reads as shouting. Keep the tone measured.`);
  }
  for (const m of draft.matchAll(LEGAL)) {
    add('legal-threat', 'advisory', m.index, m.index + m[0].length,
      `"${m[0]}" reads as a legal threat. The LMC warns that legal routes are slow and costly, and a threat in public tends to inflame; take formal steps privately.`);
  }

  const rank = (f: Finding) => (f.severity === 'blocking' ? 0 : 1);
  return findings
    .filter((f, i) => findings.findIndex((g) => g.rule === f.rule && g.start === f.start && g.end === f.end) === i)
    .sort((a, b) => a.start - b.start || rank(a) - rank(b) || a.end - b.end || a.rule.localeCompare(b.rule));
}

// ---- patterns ---------------------------------------------------------------------------------

const L = '[\\p{L}\\p{N}]';
const B = `(?<!${L})`; // no letter or digit before
const A = `(?!${L})`; // no letter or digit after
const APOS = "['\u2019]";

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function phrase(text: string): string {
  return text
    .trim()
    .split(/\s+/)
    .map((part) => escape(part).replace(/'/g, APOS))
    .join('\\s+');
}

const termCache = new Map<string, RegExp>();
function termsPattern(terms: readonly string[]): RegExp {
  const key = terms.join('\u0000');
  let re = termCache.get(key);
  if (!re) {
    const alternatives = [...new Set(terms.map((t) => t.trim()).filter((t) => t.length > 0))]
      .sort((a, b) => b.length - a.length)
      .map(phrase);
    re = new RegExp(`${B}(?:${alternatives.join('|')})(?:e?s)?${A}`, 'giu');
    termCache.set(key, re);
  }
  return re;
}

const YOUR_THINGS = [
  'GP', 'doctor', 'doctors', 'nurse', 'clinician', 'practitioner', 'pharmacist', 'physio', 'physiotherapist',
  'health visitor', 'midwife', 'care', 'treatment', 'appointment', 'appointments', 'consultation', 'consultations',
  'recent visit', 'last visit', 'visit to the surgery', 'visit to the practice', 'home visit', 'check-up', 'check up',
  'records', 'medical records', 'health records', 'notes', 'medical notes', 'results', 'test results',
  'prescription', 'prescriptions', 'medication', 'medicines', 'referral', 'registration', 'diagnosis',
  'condition', 'blood test', 'medication review', 'telephone consultation', 'phone consultation', 'call with the',
];
const RELATIONSHIP_PHRASES = [
  ...YOUR_THINGS.map((t) => `your ${t}`),
  'as our patient', 'as a patient of ours', 'as a patient here', 'as one of our patients', 'a patient of ours',
  'you are registered', "you're registered", 'you are a patient', "you're a patient", 'you are our patient',
  'registered with us', 'when you were seen', 'when you were here', 'when you were in', 'you were seen',
  'when you came in', 'when you attended', 'you attended', 'when you visited', 'when you called us',
  'when you rang', 'we saw you', 'saw you on', 'who saw you', 'our records show', 'our records indicate',
  'according to our records', 'our notes show', 'your time with us',
];
const RELATIONSHIP = new RegExp(`${B}(?:${[...RELATIONSHIP_PHRASES].sort((a, b) => b.length - a.length).map(phrase).join('|')})${A}`, 'giu');

const TITLED_NAME = /(?<![\p{L}\p{N}])(?:Dr|Doctor|Nurse|Sister|Mr|Mrs|Ms|Miss|Mx)\.?\s+\p{Lu}[\p{L}'\u2019-]+/gu;

const EMAIL = /(?<![\p{L}\p{N}._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/gu;

/** Digits with single spaces, hyphens or brackets between them, optionally starting with +. */
const NUMBER_RUN = /(?<![\p{L}\p{N}+])\+?\(?\d(?:[ \-]?\(?\)?[ ]?\d)*\)?/gu;

function phoneDigits(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (phone.trim().startsWith('+44')) return `0${digits.slice(2).replace(/^0/, '')}`;
  if (digits.startsWith('0044')) return `0${digits.slice(4)}`;
  return digits;
}

function looksLikePhone(raw: string, digits: string): boolean {
  if (raw.startsWith('+')) return digits.length >= 10 && digits.length <= 15;
  if (raw.startsWith('(0') || digits.startsWith('0')) return digits.length === 10 || digits.length === 11;
  return false;
}

const MONTHS = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const NUMERIC_DATE = /(?<![\p{L}\p{N}])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\p{L}\p{N}])/gu;
const DAY_MONTH_YEAR = new RegExp(`${B}(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${MONTHS})\\.?,?\\s+(\\d{4})${A}`, 'giu');
const MONTH_DAY_YEAR = new RegExp(`${B}(?:${MONTHS})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})${A}`, 'giu');
const BIRTH_WORDS = /(?:date\s+of\s+birth|d\.?o\.?b\.?|born|birthday)\W*(?:on|is|:)?\W*$/i;
const BIRTH_KEYWORD = new RegExp(`${B}(?:date\\s+of\\s+birth|d\\.o\\.b\\.?|DOB|born\\s+on|born\\s+in)${A}`, 'giu');

function dates(text: string): { start: number; end: number; year: number }[] {
  const found: { start: number; end: number; year: number }[] = [];
  for (const m of text.matchAll(NUMERIC_DATE)) {
    const day = Number(m[1]);
    const month = Number(m[3]);
    if (day < 1 || day > 31 || month < 1 || month > 12) continue;
    found.push({ start: m.index, end: m.index + m[0].length, year: Number(m[4]) });
  }
  for (const re of [DAY_MONTH_YEAR, MONTH_DAY_YEAR]) {
    for (const m of text.matchAll(re)) {
      const day = Number(m[1]);
      if (day < 1 || day > 31) continue;
      found.push({ start: m.index, end: m.index + m[0].length, year: Number(m[2]) });
    }
  }
  return found;
}

function staffNameSpans(text: string, names: readonly string[]): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  const push = (re: RegExp, accept: (m: RegExpExecArray) => boolean = () => true) => {
    for (const m of text.matchAll(re)) if (accept(m)) spans.push({ start: m.index, end: m.index + m[0].length });
  };
  const titles = '(?:Dr|Doctor|Nurse|Sister|Mr|Mrs|Ms|Miss|Mx)\\.?\\s+';
  for (const name of names) {
    const parts = name
      .trim()
      .split(/\s+/)
      .filter((p) => p.replace(/[^\p{L}]/gu, '').length >= 2 && !TITLE_WORDS.has(p.replace(/\.$/, '').toLowerCase()));
    if (parts.length === 0) continue;
    // The whole name, and a title with any part of it ("Dr Patel"), whatever the case.
    if (parts.length > 1) push(new RegExp(`${B}(?:${titles})?${parts.map(phrase).join('\\s+')}${A}`, 'giu'));
    for (const part of parts) {
      push(new RegExp(`${B}${titles}${phrase(part)}${A}`, 'giu'));
      // One part alone: whole word, any case, except a part that is also an everyday word
      // ("Will", "Hope", "Brown"), which counts only when written as a name mid-sentence.
      if (COMMON_WORDS.has(part.toLowerCase())) {
        push(new RegExp(`${B}${phrase(part)}${A}`, 'gu'), (m) => /^\p{Lu}/u.test(m[0]) && !sentenceStart(text, m.index));
      } else {
        push(new RegExp(`${B}${phrase(part)}${A}`, 'giu'));
      }
    }
  }
  // Keep the longest span where they overlap.
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: { start: number; end: number }[] = [];
  for (const s of spans) {
    const last = kept[kept.length - 1];
    if (last && s.start < last.end) {
      last.end = Math.max(last.end, s.end);
      continue;
    }
    kept.push({ ...s });
  }
  return kept;
}

const TITLE_WORDS = new Set(['dr', 'doctor', 'nurse', 'sister', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'professor']);

function sentenceStart(text: string, index: number): boolean {
  const before = text.slice(0, index).trimEnd();
  return before === '' || /[.!?:]$/.test(before);
}

const COMMON_WORDS = new Set([
  'will', 'may', 'hope', 'grace', 'joy', 'faith', 'rose', 'mark', 'bill', 'frank', 'sue', 'jack', 'pat', 'dawn',
  'summer', 'april', 'june', 'august', 'ruby', 'amber', 'holly', 'ivy', 'iris', 'heather', 'daisy', 'lily',
  'rob', 'bob', 'don', 'guy', 'ray', 'sky', 'hunter', 'baker', 'brown', 'white', 'green', 'black', 'young',
  'king', 'hall', 'hill', 'wood', 'wells', 'stone', 'wise', 'rich', 'long', 'little', 'bell', 'cook', 'fisher',
  'mason', 'price', 'page', 'love', 'best', 'day', 'hart', 'law', 'moss', 'rice', 'reed', 'park', 'lane',
  'field', 'gray', 'grey', 'north', 'south', 'west', 'east', 'march', 'care', 'patient', 'hope', 'victory',
  'sterling', 'noble', 'sharp', 'swift', 'ward', 'banks', 'hay', 'read', 'chase', 'carter', 'dean', 'major',
  'earl', 'lord', 'bishop', 'abbott', 'church', 'marsh', 'ash', 'birch', 'gold', 'silver', 'cross', 'english',
  'french', 'welsh', 'scott', 'sweet', 'bright', 'hale', 'free', 'short', 'tall', 'small', 'large',
]);

const ARGUMENTATIVE = new RegExp(
  `${B}(?:${[
    'you are wrong', "you're wrong", 'you are lying', "you're lying", 'you are mistaken', "you're mistaken",
    'liar', 'lies', 'lying', 'simply untrue', 'completely untrue', 'totally untrue', 'utterly untrue',
    'that is not true', "that's not true", 'this is not true', 'that is false', 'this is false', 'how dare',
    'ridiculous', 'nonsense', 'rubbish', 'absurd', 'disgraceful', 'shame on you', 'frankly', 'if you had bothered',
    'you should have', 'you failed to', 'your own fault', 'your fault', 'you clearly', 'clearly you',
    'as you well know', 'get your facts', 'we reject', 'we will not tolerate', 'attention seeking', 'attention-seeking',
  ]
    .map(phrase)
    .join('|')})${A}|!{2,}|\\?!`,
  'giu',
);
const ACRONYMS = '(?:NHS|GP|GPs|MDU|PCN|CQC|DPO|UK|GMC|BMA|LMC|ICB|A&E|NHSmail)(?![\\p{L}\\p{N}])';
/** Two or more capitalised words in a row (not acronyms), at least eight capitals in all. */
const SHOUTING_RUN = new RegExp(`(?<![\\p{L}\\p{N}])(?!${ACRONYMS})\\p{Lu}{2,}(?:\\s+(?!${ACRONYMS})\\p{Lu}{2,})+(?![\\p{L}\\p{N}])`, 'gu');
function* shouting(text: string): Generator<{ index: number; 0: string }> {
  for (const m of text.matchAll(SHOUTING_RUN)) if (m[0].replace(/\s/g, '').length >= 8) yield { index: m.index, 0: m[0] };
}
const LEGAL = new RegExp(
  `${B}(?:${[
    'legal action', 'legal advice', 'legal proceedings', 'legal steps', 'sue', 'suing', 'sued', 'solicitor',
    'solicitors', 'lawyer', 'lawyers', 'libel', 'libellous', 'slander', 'slanderous', 'defamation', 'defamatory',
    'court', 'courts', 'injunction', 'cease and desist', 'the police', 'report you', 'reported to the police',
    'prosecute', 'prosecuted', 'prosecution', 'malicious communications', 'harassment act', 'take action against',
    'action will be taken',
  ]
    .map(phrase)
    .join('|')})${A}`,
  'giu',
);
