import type { Findings, Span } from './shared.ts';

/**
 * Dates of birth and ages are personal data. Birth context blocks ("born", "DOB", "birthday",
 * "aged 41", "a 41-year-old", "you're 34"); a bare date, even an old one ("since March 2019",
 * "opened on 3 June 1998"), is only advisory: practices write about their own history.
 */

const MONTHS = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';
const NUMERIC_DATE = /(?<![\p{L}\p{N}])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\p{L}\p{N}])/gu;
const DAY_MONTH_YEAR = new RegExp(`(?<![\\p{L}\\p{N}])(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${MONTHS})\\.?,?\\s+(\\d{4})(?![\\p{L}\\p{N}])`, 'giu');
const MONTH_DAY_YEAR = new RegExp(`(?<![\\p{L}\\p{N}])(?:${MONTHS})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?![\\p{L}\\p{N}])`, 'giu');
const BIRTH_BEFORE = /(?:date\s+of\s+birth|birth\s*date|d\.?\s?o\.?\s?b\.?|d-o-b|born|birthday|b-?day)\W*(?:\w+\W+){0,3}$/i;

const RELATIVE = '(?:mum|mother|dad|father|son|daughter|husband|wife|partner|child|baby|grandmother|grandfather|gran|nan|grandad|brother|sister|little one)';
const NOT_AN_AGE = '(?!\\s*(?:%|am|pm|a\\.m|p\\.m|min|mins|minutes|hours?|hrs|days?|weeks?|months?|stars?|times|calls|people|patients|staff|[:/.]\\d|st|nd|rd|th|in the queue|working))';
const UNITS = 'one|two|three|four|five|six|seven|eight|nine';
const TENS = 'twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety';
/** An age in words: "forty-one", "eighty two", "nineteen", "a hundred". */
const AGE_WORDS = `(?:(?:${TENS})(?:[\\s-]+(?:${UNITS}))?|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|(?:a|one)\\s+hundred|${UNITS})`;
const AGE = `(?:\\d{1,3}|${AGE_WORDS})`;
const BIRTH = new RegExp(
  [
    `\\b(?:in|into)\\s+(?:your|his|her|their|my)\\s+(?:(?:early|mid|late)[\\s-]+)?(?:\\d0'?s|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\\b`,
    '(?:date\\s+of\\s+birth|birth\\s*date|birthdate|birthday|b-?day|d\\.\\s?o\\.\\s?b\\.?|\\bd[o0]b\\b|d-o-b|\\bborn\\b)',
    `\\baged?\\s+${AGE}\\b${NOT_AN_AGE}`,
    `\\b${AGE}[\\s-]*(?:years?|yrs?|months?|weeks?)[\\s-]*old\\b`,
    `\\b${AGE}[\\s-]*(?:year|yr|month|week)[\\s-]*olds?\\b`,
    `\\bturn(?:ed|s|ing)?\\s+${AGE}\\b${NOT_AN_AGE}`,
    `\\b(?:you(?:'re|\\s+are|\\s+were)|(?:he|she)(?:'s|\\s+is|\\s+was)|they(?:'re|\\s+are|\\s+were)|(?:your|his|her|their)\\s+${RELATIVE}(?:'s|\\s+is|\\s+was)|who\\s+(?:is|was|turned))\\s+(?:now\\s+|only\\s+|just\\s+|nearly\\s+|almost\\s+|over\\s+)?${AGE}\\b${NOT_AN_AGE}`,
    `\\bat\\s+\\d{2,3}\\s*,?\\s+(?:you|he|she|they|your)\\b`,
    '\\b\\d{1,3}(?:st|nd|rd|th)\\s+birthday\\b',
    `\\b(?:at\\s+)?the\\s+age\\s+of\\s+${AGE}\\b`,
    `\\b${AGE}\\s+years\\s+of\\s+age\\b`,
    '\\bage\\s*[:=]\\s*\\d{1,3}\\b',
    '\\b\\d{1,3}\\s*(?:y\\.?o\\.?|yrs?\\.?\\s*old|yo)\\b',
    // "b. 1961": born, as a signature or a register writes it
    '\\bb\\.\\s?(?:19|20)\\d{2}\\b',
  ].join('|'),
  'giu',
);

const AGE_GROUP_AFTER = /^\s*(?:\+|(?:and|or)\s+(?:over|above|older|under|below|younger)|to\s+\d|-\s*\d)/i;
const AGE_GROUP_BEFORE = /(?:patients|people|children|adults|those|anyone|everyone|men|women|residents|babies|teenagers|carers)\s*$/i;

/** `words` is the same text with digits used as letters read as letters ("D0B"): keywords are looked for in both. */
export function birthRule(text: string, findings: Findings, words: string = text): Span[] {
  const claimed: Span[] = [];
  const dates: Span[] = [];
  for (const m of text.matchAll(NUMERIC_DATE)) {
    const day = Number(m[1]);
    const month = Number(m[3]);
    if (day < 1 || day > 31 || month < 1 || month > 12) continue;
    dates.push({ start: m.index, end: m.index + m[0].length });
  }
  for (const re of [DAY_MONTH_YEAR, MONTH_DAY_YEAR]) {
    for (const m of text.matchAll(re)) {
      if (Number(m[1]) >= 1 && Number(m[1]) <= 31) dates.push({ start: m.index, end: m.index + m[0].length });
    }
  }
  for (const d of dates) {
    claimed.push(d);
    if (BIRTH_BEFORE.test(text.slice(Math.max(0, d.start - 40), d.start))) {
      findings.add('date-of-birth', 'blocking', d.start, d.end, (q) => `${q} looks like a date of birth. A reply must not carry personal data.`);
    } else {
      findings.add('date', 'advisory', d.start, d.end, (q) =>
        `${q} is a date: make sure it does not say when someone was seen, born or anything else about them.`);
    }
  }
  for (const m of [...text.matchAll(BIRTH), ...(words === text ? [] : words.matchAll(BIRTH))]) {
    const span = { start: m.index, end: m.index + m[0].length };
    if (findings.overlaps({ start: span.start, end: span.end + 40 }, ['date-of-birth'])) continue;
    const isAge = !/birth|born|dob|d-o-b|d\.\s?o|b-?day|^b\./i.test(m[0]);
    // An age group is general information ("patients aged 65 and over", "children under 5").
    if (isAge && (AGE_GROUP_AFTER.test(text.slice(span.end, span.end + 20)) || AGE_GROUP_BEFORE.test(text.slice(Math.max(0, span.start - 30), span.start)))) continue;
    findings.add(isAge ? 'age' : 'date-of-birth', 'blocking', span.start, span.end, (q) =>
      isAge ? `${q} gives someone's age. A reply must not carry personal data.` : `${q} refers to a date of birth. A reply must not carry personal data.`);
  }
  return claimed;
}
