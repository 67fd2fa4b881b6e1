/**
 * The reply guard reads a draft only after normalising it, so that a disguise cannot hide a name,
 * a number or a word from the rules: compatibility forms (NFKC: full-width, mathematical letters,
 * ligatures), accents, lookalike Cyrillic and Greek letters, zero-width and bidi characters, soft
 * hyphens, digits of any script, digits spelled out in words ("oh seven seven ..."), HTML character
 * references ("&#75;elly") and emoji or symbols used as separators ("your🔹appointment").
 *
 * Every rule then reads the normalised text; `origin` maps each normalised position back to the
 * characters of the draft the manager typed, so a finding still points at what they wrote.
 */

export interface Normalised {
  /** The draft as the rules read it. */
  text: string;
  /**
   * The same text with look-alike digits in words read as letters ("y0ur" -> "your"), for the
   * word rules. Same length as `text`, so positions are shared.
   */
  words: string;
  /** origin[i]: where normalised character i begins in the draft; origin[text.length] is the draft's length. */
  origin: number[];
  /** originEnd[i]: where normalised character i ends in the draft. */
  originEnd: number[];
}

/** The draft's span [start, end) for a normalised span. */
export function originalSpan(n: Normalised, start: number, end: number): { start: number; end: number } {
  if (end <= start) return { start: n.origin[start] ?? 0, end: n.origin[start] ?? 0 };
  return { start: n.origin[start]!, end: n.originEnd[end - 1]! };
}

/** Characters no reader sees: zero-width, joiners, soft hyphen, bidi controls, variation selectors. */
const INVISIBLE = /[\p{Cf}\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0]|[\u{e0000}-\u{e007f}]|[\u{e0100}-\u{e01ef}]/u;

/** Cyrillic and Greek letters that look like Latin ones, and a few Latin oddities. */
const LOOKALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x',
  ѕ: 's', і: 'i', ї: 'i', ј: 'j', ԁ: 'd', һ: 'h', ӏ: 'l', ԛ: 'q', ԝ: 'w', ь: 'b', ɡ: 'g', ү: 'y', ո: 'n',
  А: 'A', В: 'B', Е: 'E', Ё: 'E', К: 'K', М: 'M', Н: 'H', О: 'O', Р: 'P', С: 'C', Т: 'T', У: 'Y', Х: 'X',
  Ѕ: 'S', І: 'I', Ї: 'I', Ј: 'J', Ԁ: 'D', Һ: 'H', Ӏ: 'I', Ԛ: 'Q', Ԝ: 'W', Ү: 'Y', З: '3',
  // Greek
  α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x', γ: 'y', ω: 'w',
  Α: 'A', Β: 'B', Ε: 'E', Ζ: 'Z', Η: 'H', Ι: 'I', Κ: 'K', Μ: 'M', Ν: 'N', Ο: 'O', Ρ: 'P', Τ: 'T', Υ: 'Y', Χ: 'X',
  // Latin look-alikes NFKC leaves alone
  ı: 'i', ȷ: 'j', ɑ: 'a', ɩ: 'i', ʟ: 'L', ᴀ: 'A', ᴄ: 'C', ᴅ: 'D', ᴇ: 'E', ᴍ: 'M', ɴ: 'N', ᴏ: 'O', ᴘ: 'P', ʀ: 'R', ᴛ: 'T', ᴜ: 'U', ᴠ: 'V', ᴡ: 'W', ᴢ: 'Z',
  // punctuation that stands for ordinary punctuation
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'", '\u02bc': "'", '`': "'", '\u00b4': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u2033': '"',
  '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-', '\u2014': '-', '\u2015': '-', '\u2212': '-', '\u2043': '-', '\ufe63': '-',
  '\u2024': '.', '\u2027': '.', '\u00b7': '.', '\u2219': '.', '\u2022': '.', '\u30fb': '.',
  '\u2044': '/', '\u2215': '/', '\u29f8': '/',
};

interface Piece {
  text: string;
  start: number;
  end: number;
}

export function normalise(draft: string): Normalised {
  const pieces: Piece[] = [];
  for (const m of draft.matchAll(CHARACTER)) {
    const ch = decodeReference(m[0]);
    if (INVISIBLE.test(ch)) continue;
    for (const out of foldCharacter(ch)) pieces.push({ text: out, start: m.index, end: m.index + m[0].length });
  }
  const spelled = readSpelledDigits(lettersForDigits(joinSpacedLetters(pieces)));
  const text = spelled.map((p) => p.text).join('');
  const origin: number[] = [];
  const originEnd: number[] = [];
  for (const p of spelled) {
    for (let k = 0; k < p.text.length; k++) {
      origin.push(p.start);
      originEnd.push(p.end);
    }
  }
  origin.push(draft.length);
  return { text, words: leetToLetters(text), origin, originEnd };
}

/** One character of the draft, or an HTML character reference ("&#78;", "&#x4E;", "&commat;") standing for one. */
const CHARACTER = /&#\d{1,7};|&#[xX][0-9a-fA-F]{1,6};|&(?:amp|commat|period|lt|gt|quot|apos|nbsp|hyphen|dash|num|plus|percnt|lowbar|sol);|[\s\S]/gu;
const NAMED_REFERENCES: Record<string, string> = {
  amp: '&', commat: '@', period: '.', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hyphen: '-', dash: '-', num: '#',
  plus: '+', percnt: '%', lowbar: '_', sol: '/',
};

function decodeReference(token: string): string {
  if (token.length === 1 || !token.startsWith('&')) return token;
  const hex = /^&#[xX]([0-9a-fA-F]+);$/.exec(token);
  const dec = /^&#(\d+);$/.exec(token);
  const code = hex ? parseInt(hex[1]!, 16) : dec ? Number(dec[1]) : undefined;
  if (code !== undefined) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
  return NAMED_REFERENCES[token.slice(1, -1)] ?? token;
}

/** Emoji and pictographs read as a space: as separators they join what they sit between ("07700🔹900"). */
const PICTOGRAPH = /[\p{Extended_Pictographic}\p{So}]/u;

/** One draft character as the rules read it: zero or more characters (NFKC can expand "ﬁ" to "fi"). */
function foldCharacter(ch: string): string[] {
  const out: string[] = [];
  const compat = ch.normalize('NFKC').normalize('NFD');
  for (const c of compat) {
    if (/\p{M}/u.test(c) || INVISIBLE.test(c)) continue; // accents, and invisibles NFKC produced
    if (PICTOGRAPH.test(c)) {
      out.push(' ');
      continue;
    }
    const looked = LOOKALIKES[c];
    if (looked !== undefined) {
      out.push(looked);
      continue;
    }
    if (/\p{Nd}/u.test(c)) {
      out.push(String(digitValue(c)));
      continue;
    }
    if (/\s/u.test(c)) {
      out.push(c === '\n' || c === '\r' ? '\n' : ' ');
      continue;
    }
    out.push(c);
  }
  return out;
}

const digitCache = new Map<number, number>();
/** The value of a decimal digit of any script: Unicode keeps each script's 0-9 together, in order. */
function digitValue(c: string): number {
  const cp = c.codePointAt(0)!;
  const cached = digitCache.get(cp);
  if (cached !== undefined) return cached;
  let zero = cp;
  while (zero > cp - 9 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
  // Runs longer than ten (several digit sets side by side) are still aligned on ten.
  const value = (cp - zero) % 10;
  digitCache.set(cp, value);
  return value;
}

const DIGIT_WORDS: Record<string, string> = {
  zero: '0', nought: '0', nil: '0', oh: '0', o: '0', one: '1', two: '2', three: '3', four: '4', five: '5',
  six: '6', seven: '7', eight: '8', nine: '9', ten: '10',
};
const REPEATS: Record<string, number> = { double: 2, triple: 3, treble: 3 };

/**
 * Spelled digits are read as digits where they form a number: four or more digit words (or digit
 * groups) in a row, separated only by spaces, commas, hyphens or dots. "one of our team" stays words.
 */
function readSpelledDigits(pieces: Piece[]): Piece[] {
  const text = pieces.map((p) => p.text).join('');
  // piece index for every character of `text`
  const owner: number[] = [];
  pieces.forEach((p, idx) => {
    for (let k = 0; k < p.text.length; k++) owner.push(idx);
  });
  const token = /[A-Za-z]+|\d+/g;
  const tokens: { start: number; end: number; digits: string | undefined; repeat: number }[] = [];
  for (const m of text.matchAll(token)) {
    const lower = m[0].toLowerCase();
    const digits = /^\d+$/.test(m[0]) ? m[0] : DIGIT_WORDS[lower];
    tokens.push({ start: m.index, end: m.index + m[0].length, digits, repeat: REPEATS[lower] ?? 0 });
  }
  const replace: { start: number; end: number; digits: string }[] = [];
  const isWord = (t: (typeof tokens)[number]) => !/^\d+$/.test(text.slice(t.start, t.end));
  let run: typeof tokens = [];
  const flush = () => {
    const words = run.filter((t) => t.digits !== undefined && !/^\d+$/.test(text.slice(t.start, t.end))).length;
    const total = run.reduce((n, t) => n + (t.digits?.length ?? 0), 0);
    // A digit word typed hard against a digit ("900 1two3") is part of that number whatever its length.
    const glued = run.some((t, k) => isWord(t) && [run[k - 1], run[k + 1]].some((o) => o !== undefined && !isWord(o) && (o.end === t.start || o.start === t.end)));
    if ((words >= 2 && run.length >= 4 && total >= 6) || (glued && total >= 6)) {
      let pending = 1;
      for (const t of run) {
        if (t.repeat) {
          pending = t.repeat;
          replace.push({ start: t.start, end: t.end, digits: '' });
          continue;
        }
        replace.push({ start: t.start, end: t.end, digits: t.digits!.repeat(pending) });
        pending = 1;
      }
    }
    run = [];
  };
  for (const t of tokens) {
    const prev = run[run.length - 1];
    const gap = prev ? text.slice(prev.end, t.start) : '';
    const joins = prev !== undefined && /^[\s,.\-/]*$/.test(gap) && gap.length <= 3;
    const usable = t.digits !== undefined || t.repeat > 0;
    if (!usable || (prev && !joins)) flush();
    if (usable) run.push(t);
  }
  flush();
  if (replace.length === 0) return pieces;

  // Rebuild: each replaced token becomes its digits, owned by the draft span of the whole word;
  // separators between spelled digits are dropped so the digits form one run.
  const out: Piece[] = [];
  let cursor = 0;
  for (let r = 0; r < replace.length; r++) {
    const rep = replace[r]!;
    for (; cursor < rep.start; cursor++) out.push(pieces[owner[cursor]!]!);
    const first = pieces[owner[rep.start]!]!;
    const last = pieces[owner[rep.end - 1]!]!;
    for (const d of rep.digits) out.push({ text: d, start: first.start, end: last.end });
    cursor = rep.end;
    const next = replace[r + 1];
    if (next && /^[\s,.\-/]*$/.test(text.slice(cursor, next.start))) cursor = next.start;
  }
  for (; cursor < text.length; cursor++) out.push(pieces[owner[cursor]!]!);
  return out;
}

/**
 * Letters spaced out to slip past word rules ("y o u r", "r.e.c.o.r.d.s", "D-r"): three or more
 * single letters (or digits) with the same one-character separator between them are joined.
 */
function joinSpacedLetters(pieces: Piece[]): Piece[] {
  const text = pieces.map((p) => p.text).join('');
  const drop = new Set<number>();
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])[\p{L}\p{N}](?:([ .\-_*·|])[\p{L}\p{N}])(?:\1[\p{L}\p{N}]){1,}(?![\p{L}\p{N}])/gu)) {
    // Only letters spaced out: a run of digits is the number rule's business, with its own separators.
    if (!/\p{L}/u.test(m[0]) || /^[\d\s.\-_*·|]+$/.test(m[0])) continue;
    for (let k = 1; k < m[0].length; k += 2) drop.add(m.index + k);
  }
  // A title spelled out with a separator ("D-r", "M.r s").
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])([DdMm])[ .\-_*]([RrSs])(?:[ .\-_*]([Ss]))?(?=[ .]*\p{Lu})/gu)) {
    if (!/^(?:dr|mr|ms|mrs)$/i.test(`${m[1]}${m[2]}${m[3] ?? ''}`)) continue;
    drop.add(m.index + 1);
    if (m[3]) drop.add(m.index + 3);
  }
  return drop.size === 0 ? pieces : pieces.filter((_p, idx) => !drop.has(idx));
}

/**
 * Letters used as digits inside a number ("07700 9OO 4l2"): O reads as 0, I, l and | as 1. Only a
 * run standing alone: inside a word ("K3lly") the digit is a letter, which `leetToLetters` reads.
 */
function lettersForDigits(pieces: Piece[]): Piece[] {
  const text = pieces.map((p) => p.text).join('');
  const swaps = new Map<number, string>();
  for (const m of text.matchAll(/(?<![A-Za-z])[0-9OoIl|]+(?![A-Za-z])/g)) {
    const digits = m[0].replace(/\D/g, '').length;
    if (digits < 1 || m[0].length < 3 || digits === m[0].length || m[0].length - digits > 2 * digits) continue;
    for (let k = 0; k < m[0].length; k++) {
      const c = m[0][k]!;
      if (!/\d/.test(c)) swaps.set(m.index + k, /[Oo]/.test(c) ? '0' : '1');
    }
  }
  if (swaps.size === 0) return pieces;
  return pieces.map((p, idx) => (swaps.has(idx) ? { ...p, text: swaps.get(idx)! } : p));
}

/** Digits used as letters inside a word ("y0ur", "rec0rds", "b1oods") read as the letters they mimic. */
function leetToLetters(text: string): string {
  return text.replace(/[A-Za-z0-9@$|]+/g, (token) => {
    const letters = token.replace(/[^A-Za-z]/g, '').length;
    const digits = token.length - letters;
    if (letters < 2 || letters < digits || /^\d+(?:st|nd|rd|th|s|am|pm|h|hrs|mins)$/i.test(token)) return token;
    if (token.length <= 4 && /^[A-Za-z]{1,2}\d[A-Za-z\d]?$/.test(token) && !/^[A-Za-z]\d[a-z]{2}$/.test(token)) return token; // "S60", "SW1A", not "Y0ur"
    return token.replace(/[013457@$|]/g, (c) => ({ '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '|': 'l' })[c]!);
  });
}
