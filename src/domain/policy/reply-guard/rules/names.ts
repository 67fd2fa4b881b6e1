import { EVERYDAY_WORD_NAMES, FIRST_NAMES, NOT_NAMES, STOP_WORDS, SURNAMES } from './names-data.ts';
import { remembered } from '../../../remembered.ts';
import { A, B, escape, sentenceStartAt, type Findings } from './shared.ts';

/**
 * A public reply never names or identifies anyone: not staff (the policies), not the author, not
 * the people in the post. Two readings: names the practice and the report know (the staff list,
 * the colleagues the reporter typed, the author, names in the post itself), and the shapes of a
 * name whoever it is (a title and a name or initial, a role and a name, "Sarah on reception",
 * "ask for Kelly", "Thanks Dave", a common first name, initials).
 */

export interface KnownNames {
  /** The practice's staff list and colleagues named in the report: "staff-name". */
  staff: readonly string[];
  /** The post's author and anyone named in the post: "person-name". */
  others: readonly string[];
  /** Words of the practice's own name, never a person ("Millbrook"). */
  practiceWords: ReadonlySet<string>;
}

const TITLE_WORDS = new Set(['dr', 'doctor', 'drs', 'nurse', 'sister', 'matron', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'professor', 'dame', 'sir', 'rev', 'revd']);

/** "Dr", "doctor", "DR": keywords any case, names with a capital (JS has no inline case flags). */
function ci(words: readonly string[]): string {
  return `(?:${words
    .map((w) => w.replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`).replace(/ /g, '\\s+'))
    .join('|')})`;
}

/** A capitalised word that is not the first word of an organisation or a street ("Millbrook Medical Centre"). */
const NAME = "\\p{Lu}[\\p{L}'-]*\\p{Ll}(?![\\p{L}'-])(?!\\s+(?:Medical|Surgery|Practice|Health|Centre|Center|Clinic|Group|Partnership|Hospital|Road|Street|Lane|Avenue|PCN|Primary|Family|Community)\\b)";
const INITIAL = '\\p{Lu}\\.?(?=[\\s,;:)]|$)';
const TITLE = `${ci(['dr', 'doctor', 'drs', 'nurse', 'sister', 'matron', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'professor', 'dame', 'sir', 'revd', 'rev'])}\\.?`;
const ROLES = ci([
  'practice manager', 'deputy practice manager', 'deputy manager', 'assistant manager', 'operations manager', 'business manager',
  'office manager', 'reception manager', 'manager', 'receptionist', 'senior receptionist', 'care navigator', 'navigator',
  'administrator', 'admin lead', 'admin', 'secretary', 'medical secretary', 'dispenser', 'pharmacist', 'clinical pharmacist',
  'pharmacy technician', 'physio', 'physiotherapist', 'paramedic', 'social prescriber', 'prescriber', 'HCA', 'health care assistant',
  'healthcare assistant', 'phlebotomist', 'nurse practitioner', 'practice nurse', 'lead nurse', 'GP', 'lead GP', 'GP partner',
  'senior partner', 'partner', 'locum', 'registrar', 'trainee', 'student', 'colleague', 'team leader', 'supervisor', 'coordinator',
  'co-ordinator', 'midwife', 'health visitor', 'doctor', 'nurse', 'clinician', 'call handler', 'apprentice', 'cleaner', 'clerk',
  'data protection officer', 'complaints lead', 'caretaker',
]);
const DEPARTMENTS = ci([
  'reception', 'the front desk', 'front desk', 'the desk', 'the office', 'the back office', 'our office', 'admin', 'the admin team',
  'our admin team', 'patient services', 'the dispensary', 'dispensary', 'the pharmacy', 'our pharmacy', 'switchboard',
  'the switchboard', 'the secretaries', 'secretaries', 'the prescriptions team', 'prescriptions', 'the phones', 'our team',
  'the team', 'the management team', 'management', 'the care team', 'the nursing team', 'the reception team', 'our reception team',
]);
const GREETINGS = ci(['hi', 'hello', 'hey', 'dear', 'thanks', 'thank you', 'morning', 'good morning', 'good afternoon', 'evening', 'sorry']);
const ASKS = ci([
  'ask for', 'asking for', 'speak to', 'speak with', 'speaking to', 'talk to', 'talk with', 'contact', 'ring', 'call', 'email',
  'message', 'thanks to', 'passed to', 'passed on to', 'shared with', 'spoken to', 'spoken with', 'spoke to', 'spoke with',
  'forwarded to',
]);

const NAMES = `${NAME}(?:\\s+${NAME})?`;
const BY_DEPARTMENT = new RegExp(`${B}(${NAMES}|\\p{Lu}\\.?\\s?\\p{Lu}\\.?)\\s+(?:on|from|in|at|with)\\s+${DEPARTMENTS}${A}`, 'dgu');
/** Words that open "Staff from reception", "Someone at the front desk": a group or nobody in particular. */
const GROUP_WORDS = new Set(['staff', 'someone', 'somebody', 'anyone', 'everyone', 'nobody', 'colleagues', 'members', 'people', 'patients', 'all', 'those', 'help', 'support', 'calls', 'messages', 'requests', 'letters', 'forms', 'prescriptions', 'appointments', 'everybody', 'anybody', 'volunteers']);
const SIGN_OFFS = ci(['regards', 'kind regards', 'best regards', 'warm regards', 'best wishes', 'many thanks', 'with thanks', 'sincerely', 'yours sincerely', 'best', 'thanks again', 'signed']);
const INITIALS = `${INITIAL}(?:\\s?${INITIAL})*(?:\\s+${NAME})?`;
const GENERIC: { re: RegExp; group: number; strict: boolean }[] = [
  // Dr Okafor, Dr. O., Drs Shah and Evans, Dr R. Mensah
  { re: new RegExp(`${B}${TITLE}\\s+((?:${INITIALS}|${NAMES}))`, 'dgu'), group: 1, strict: false },
  // receptionist Megan, practice manager, Lisa Grant; HCA (Rachel)
  { re: new RegExp(`${B}${ROLES}\\s*[,(:-]?\\s*((?:${INITIALS}|${NAMES}))`, 'dgu'), group: 1, strict: false },
  // Priya, our operations manager
  { re: new RegExp(`${B}(${NAMES})\\s*,?\\s+(?:[oO]ur|[tT]he|[yY]our)\\s+(?:[\\p{L}-]+\\s+){0,2}${ROLES}${A}`, 'dgu'), group: 1, strict: true },
  // Sarah on reception, Kelly from reception, J.K. at the front desk
  { re: BY_DEPARTMENT, group: 1, strict: true },
  // Thanks Dave; Hi Mr Hughes (the title rule has it)
  { re: new RegExp(`${B}${GREETINGS}\\s*,?\\s+(${NAME})${A}`, 'dgu'), group: 1, strict: false },
  // ask for Kelly, please contact Gemma
  { re: new RegExp(`${B}${ASKS}\\s+(${NAME})${A}`, 'dgu'), group: 1, strict: true },
  // Regards, J Smith; Best wishes, Lisa
  { re: new RegExp(`${B}${SIGN_OFFS}\\s*,?\\s+((?:${INITIAL}\\s*)?${NAMES})`, 'dgu'), group: 1, strict: false },
  // DR SMITH, MRS KHAN: a title and a name in capitals
  { re: new RegExp(`${B}${TITLE}\\s+(\\p{Lu}{3,}(?:\\s+\\p{Lu}{3,})?)${A}`, 'dgu'), group: 1, strict: false },
];
/** A title or role word and a name typed in lower case ("dr smith", "our nurse, jane"): a known first name or surname. */
const LOWER_NAME = new RegExp(`${B}(?:${TITLE}|${ROLES})\\s*,?\\s+(\\p{Ll}[\\p{Ll}'-]+)${A}`, 'dgu');
/** Two or more initials: "J.K.", "J. K." (not "U.K.", "P.S."). */
const INITIALS_ONLY = /(?<![\p{L}\p{N}.])\p{Lu}\.\s?\p{Lu}\.(?!\s?\p{Lu}\.)/gu;
const NOT_INITIALS = new Set(['UK', 'PS', 'AM', 'PM', 'NB', 'EG', 'IE', 'GP', 'OK']);
/**
 * Initials typed without full stops, where a signature puts them: "JW, Practice Manager",
 * "Kind regards, SJ", "Manager - AP". Acronyms a practice signs with are not initials.
 */
const BARE_INITIALS = '(\\p{Lu}{2,3})';
const SIGNED_INITIALS = [
  new RegExp(`${B}${BARE_INITIALS}\\s*[,(\\-]\\s*(?:[oO]ur\\s+|[tT]he\\s+)?${ROLES}${A}`, 'dgu'),
  new RegExp(`${B}(?:${SIGN_OFFS}|${ROLES})\\s*[,:\\-]?\\s*\\(?${BARE_INITIALS}\\)?(?=\\s*(?:[,.)]|$))`, 'dgu'),
];
const ACRONYMS = new Set([
  'NHS', 'GP', 'GPS', 'PCN', 'ICB', 'ICS', 'CCG', 'CQC', 'HCA', 'ANP', 'ACP', 'NP', 'UK', 'PM', 'AM', 'IT', 'HR', 'OK', 'AE',
  'ENT', 'ECG', 'MRI', 'DNA', 'DPO', 'PPG', 'FAQ', 'ARRS', 'TV', 'LMC', 'BMA', 'GMC', 'MDU', 'PALS', 'NHSE', 'UKHSA', 'CEO', 'MD',
]);

/**
 * `words` is the same text with digits used as letters read as letters ("Dr 0kaf0r"), so every
 * shape of a name is looked for in both readings.
 */
export function nameRule(text: string, known: KnownNames, findings: Findings, words: string = text): void {
  for (const view of new Set([text, words])) namesIn(view, known, findings);
}

/** Days of the calendar that hold a name: "Christmas Eve", "St David's Day". */
const CALENDAR_DAYS = /(?<![\p{L}\p{N}])(?:(?:christmas|new\s+year'?s)\s+eve|(?:st\.?|saint)\s+\p{L}+'s\s+day)(?![\p{L}\p{N}])/giu;

function namesIn(text: string, known: KnownNames, findings: Findings): void {
  const calendar = [...text.matchAll(CALENDAR_DAYS)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  const notAName = (word: string) => {
    const lower = word.toLowerCase().replace(/'s$/, '');
    return NOT_NAMES.has(lower) || STOP_WORDS.has(lower) || known.practiceWords.has(lower) || TITLE_WORDS.has(lower);
  };
  const add = (rule: 'staff-name' | 'person-name', start: number, end: number) => {
    if (findings.overlaps({ start, end }, ['staff-name', 'person-name'])) return;
    if (rule === 'person-name' && calendar.some((c) => c.start <= start && end <= c.end)) return;
    findings.add(rule, 'blocking', start, end, (q) =>
      rule === 'staff-name'
        ? `${q} names a member of staff. A public reply never names or identifies staff.`
        : `${q} names or identifies a person. A public reply names no one: not staff, not the author, not anyone in the post.`);
  };

  for (const [rule, names] of [['staff-name', known.staff], ['person-name', known.others]] as const) {
    for (const span of knownNameSpans(text, names, known.practiceWords)) add(rule, span.start, span.end);
  }
  for (const { re, group, strict } of GENERIC) {
    for (const m of text.matchAll(re)) {
      const name = m[group]!;
      const first = name.split(/[\s.]+/)[0]!;
      if (/\p{Ll}/u.test(name) && notAName(first)) continue;
      const at = m.indices![group]![0];
      // A capitalised word that opens a sentence is only a name if it is one we know is a name,
      // or if a department follows it ("Rhian from our admin team"): only a person is "from reception".
      const department = re === BY_DEPARTMENT && !notAName(first) && !GROUP_WORDS.has(first.toLowerCase());
      if (strict && sentenceStartAt(text, at) && !FIRST_NAMES.has(first.toLowerCase()) && !department) continue;
      add('person-name', m.index, m.index + m[0].length);
    }
  }
  for (const m of text.matchAll(CAPITALISED_WORD)) {
    const lower = m[0].toLowerCase();
    const first = FIRST_NAMES.has(lower);
    if ((!first && !SURNAMES.has(lower)) || notAName(m[0])) continue;
    // A surname or an everyday word opening a sentence may be just a word ("Miles away", "Will you").
    if ((!first || EVERYDAY_WORD_NAMES.has(lower)) && sentenceStartAt(text, m.index)) continue;
    add('person-name', m.index, m.index + m[0].length);
  }
  for (const m of text.matchAll(LOWER_NAME)) {
    const word = m[1]!;
    // After "dr", "mr", "mrs", "ms", "mx" or "prof" any word that is not an everyday one is a name.
    const title = /^(?:dr|mr|mrs|ms|mx|prof)\.?\s/i.test(m[0]);
    const plausible = title && word.length >= 3 && !STOP_WORDS.has(word) && !NOT_NAMES.has(word) && !EVERYDAY_WORD_NAMES.has(word) && !TITLE_WORDS.has(word);
    if (!plausible && !FIRST_NAMES.has(word) && !SURNAMES.has(word)) continue;
    add('person-name', m.index, m.index + m[0].length);
  }
  for (const re of SIGNED_INITIALS) {
    for (const m of text.matchAll(re)) {
      if (ACRONYMS.has(m[1]!)) continue;
      add('person-name', m.indices![1]![0], m.indices![1]![1]);
    }
  }
  for (const m of text.matchAll(INITIALS_ONLY)) {
    if (NOT_INITIALS.has(m[0].replace(/[^\p{L}]/gu, ''))) continue;
    add('person-name', m.index, m.index + m[0].length);
  }
}

/**
 * Names typed by people (the staff list, the reporter's "colleagues named", the author) become
 * rules only after filtering: parts of two letters or more that look like a name (letters,
 * apostrophes, hyphens), not stop words ("the", "thank", "we", "you", "practice"), not titles.
 */
export function usableNameParts(name: string, practiceWords: ReadonlySet<string> = new Set()): string[] {
  return name
    .normalize('NFKC')
    .replace(/^@+/, '')
    .split(/[\s_]+/)
    .map((p) => p.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ''))
    .filter((p) => /^[\p{L}][\p{L}'-]*$/u.test(p) && p.replace(/[^\p{L}]/gu, '').length >= 2)
    .filter((p) => {
      const lower = p.toLowerCase();
      // "will" typed in lower case is a stop word; "Will" with a capital is a name we know.
      const knownName = /^\p{Lu}/u.test(p) && (FIRST_NAMES.has(lower) || EVERYDAY_WORD_NAMES.has(lower));
      if ((STOP_WORDS.has(lower) || NOT_NAMES.has(lower)) && !knownName) return false;
      return !TITLE_WORDS.has(lower) && !practiceWords.has(lower);
    });
}

/** A pattern for a known name, and when a match of it counts (given the text it was found in). */
interface NamePattern {
  re: RegExp;
  counts?: (m: RegExpExecArray, text: string) => boolean;
}

/**
 * The patterns of one known name are the same for every reply a practice reviews (its staff list
 * and the report's names), and compiling them was a tenth of a review: they are kept per name and
 * practice words.
 */
const namePatternCache = new Map<string, readonly NamePattern[]>();
const NAME_PATTERNS_KEPT = 4096;
const TITLED = `(?:${[...TITLE_WORDS].join('|')})\\.?\\s+`;

function namePatterns(name: string, practiceWords: ReadonlySet<string>): readonly NamePattern[] {
  const key = `${name}\u0000${[...practiceWords].join(' ')}`;
  return remembered(namePatternCache, key, NAME_PATTERNS_KEPT, () => {
    const parts = usableNameParts(name, practiceWords);
    const patterns: NamePattern[] = [];
    if (parts.length === 0) return patterns;
    // A known name split to slip past ("Hu-ghes", "Kel.ly") is still that name.
    const pattern = (part: string) => [...part].map((c) => (c === "'" ? "'?" : escape(c))).join("[-.]?");
    if (parts.length > 1) patterns.push({ re: new RegExp(`${B}(?:${TITLED})?${parts.map(pattern).join('\\s+')}${A}`, 'giu') });
    for (const part of parts) {
      const lower = part.toLowerCase();
      // "Dr Will" is a name; "a doctor will call back" is not: after a title an everyday word counts only capitalised.
      const everyday = EVERYDAY_WORD_NAMES.has(lower) || STOP_WORDS.has(lower);
      patterns.push({
        re: new RegExp(`${B}${TITLED}${pattern(part)}${A}`, 'giu'),
        ...(everyday ? { counts: (m: RegExpExecArray) => /\p{Lu}/u.test(m[0].slice(m[0].length - part.length)[0] ?? '') } : {}),
      });
      // A part that is also an everyday word ("Will", "Hope"), or only two letters ("Jo"), counts
      // only when written as a name: capitalised, and not merely opening a sentence.
      if (EVERYDAY_WORD_NAMES.has(lower) || lower.length === 2) {
        patterns.push({ re: new RegExp(`${B}${pattern(part)}${A}`, 'giu'), counts: (m, text) => /^\p{Lu}/u.test(m[0]) && !sentenceStartAt(text, m.index) });
      } else {
        patterns.push({ re: new RegExp(`${B}${pattern(part)}${A}`, 'giu') });
      }
    }
    return patterns;
  });
}

function knownNameSpans(text: string, names: readonly string[], practiceWords: ReadonlySet<string>): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  for (const name of names) {
    for (const { re, counts } of namePatterns(name, practiceWords)) {
      for (const m of text.matchAll(re)) if (!counts || counts(m, text)) spans.push({ start: m.index, end: m.index + m[0].length });
    }
  }
  // Longest first where they start together, so "Dr Patel" is reported rather than "Patel".
  return spans.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** A capitalised word that could be a name (NAME), on its own. */
const CAPITALISED_WORD = new RegExp(`${B}${NAME}${A}`, 'gu');
const RELATIVE = ci(['mum', 'mom', 'mother', 'dad', 'father', 'son', 'daughter', 'husband', 'wife', 'partner', 'nan', 'gran', 'grandad', 'brother', 'sister', 'friend', 'neighbour', 'called', 'named']);
/** Where a post names someone: after a title, a role or a relative, or "Name on reception". */
const POST_NAME_SHAPES = [
  new RegExp(`${B}${TITLE}\\s+(${NAME}(?:\\s+${NAME})?)`, 'gu'),
  new RegExp(`${B}${ROLES}\\s*,?\\s*(${NAME}(?:\\s+${NAME})?)`, 'gu'),
  new RegExp(`${B}${RELATIVE}\\s*,?\\s*(${NAME})`, 'gu'),
  new RegExp(`${B}(${NAME})\\s+(?:on|from|in|at)\\s+${DEPARTMENTS}${A}`, 'gu'),
];

/** Names the post itself gives: after a title or a role, or a common first name. */
export function namesInPost(postText: string, practiceWords: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  const text = postText.normalize('NFKC');
  const keep = (word: string) => {
    const lower = word.toLowerCase();
    if (word.length >= 2 && !NOT_NAMES.has(lower) && !STOP_WORDS.has(lower) && !practiceWords.has(lower) && !TITLE_WORDS.has(lower)) found.add(word);
  };
  for (const re of POST_NAME_SHAPES) {
    for (const m of text.matchAll(re)) for (const w of m[1]!.split(/\s+/)) keep(w);
  }
  for (const m of text.matchAll(CAPITALISED_WORD)) {
    if (FIRST_NAMES.has(m[0].toLowerCase()) && !(EVERYDAY_WORD_NAMES.has(m[0].toLowerCase()) && sentenceStartAt(text, m.index))) keep(m[0]);
  }
  return [...found];
}
