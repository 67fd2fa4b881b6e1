import { CLINICAL_TERMS, GENERAL_CARE_TERMS } from '../clinical-terms.ts';
import { FIRST_NAMES, SURNAMES } from './rules/names-data.ts';

/**
 * The normaliser's passes over words: a word split, spaced out, wrapped or run together to slip past
 * the rules is read as the word a person reads. Each pass works on pieces (a normalised character
 * and the draft span it came from), so a finding still points at what the manager typed.
 */

export interface Piece {
  text: string;
  start: number;
  end: number;
  /** Which right-to-left override the character was typed under, if any. */
  reversed?: number;
}

/**
 * Letters spaced out to slip past word rules ("y o u r", "r.e.c.o.r.d.s", "D-r"): three or more
 * single letters (or digits) with the same one-character separator between them are joined.
 */
export function joinSpacedLetters(pieces: Piece[]): Piece[] {
  const text = pieces.map((p) => p.text).join('');
  const drop = new Set<number>();
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])[\p{L}\p{N}](?:([ .\-_*·|])[\p{L}\p{N}])(?:\1[\p{L}\p{N}]){1,}(?![\p{L}\p{N}])/gu)) {
    // Only letters spaced out: a run of digits is the number rule's business, with its own separators.
    if (!/\p{L}/u.test(m[0]) || /^[\d\s.\-_*·|]+$/.test(m[0])) continue;
    for (let k = 1; k < m[0].length; k += 2) drop.add(m.index + k);
    // "N.H.S. number": the full stop closing the spaced letters goes too, when the sentence runs on.
    const after = m.index + m[0].length;
    if (m[1] === '.' && text[after] === '.' && /^ \p{Ll}/u.test(text.slice(after + 1, after + 3))) drop.add(after);
  }
  // A title spelled out with a separator ("D-r", "M.r s").
  for (const m of text.matchAll(/(?<![\p{L}\p{N}])([DdMm])[ .\-_*]([RrSs])(?:[ .\-_*]([Ss]))?(?=[ .]*\p{Lu})/gu)) {
    if (!/^(?:dr|mr|ms|mrs)$/i.test(`${m[1]}${m[2]}${m[3] ?? ''}`)) continue;
    drop.add(m.index + 1);
    if (m[3]) drop.add(m.index + 3);
  }
  return drop.size === 0 ? pieces : pieces.filter((_p, idx) => !drop.has(idx));
}

/** "_Smith_": an underscore at the edge of a word is emphasis; inside one ("dave_hughes") it is part of a handle. */
export function withoutWrappingUnderscores(pieces: Piece[]): Piece[] {
  const inWord = (p: Piece | undefined) => p !== undefined && /[\p{L}\p{N}]/u.test(p.text);
  return pieces.filter((p, idx) => p.text !== '_' || (inWord(pieces[idx - 1]) && inWord(pieces[idx + 1])));
}

/** Words the rules look for, which a manager might split to slip past them ("re cords", "co\nvid", "pres.cription"). */
const SPLIT_WORTHY = new Set(
  [
    ...CLINICAL_TERMS,
    ...GENERAL_CARE_TERMS,
    'records', 'record', 'notes', 'appointment', 'appointments', 'prescription', 'prescriptions', 'results', 'result', 'referral',
    'medication', 'medicines', 'consultation', 'registered', 'diagnosis', 'history', 'patient', 'surgery', 'practice', 'doctor',
    'nurse', 'receptionist', 'tablets', 'treatment', 'normal', 'positive', 'negative', 'pregnant', 'birthday', 'visited', 'attended',
    'covid', 'vaccine', 'booster',
  ]
    .flatMap((t) => t.toLowerCase().split(/\s+/))
    .filter((t) => /^\p{L}{5,}$/u.test(t)),
);
const SPLIT_NAMES = new Set([...FIRST_NAMES, ...SURNAMES].filter((n) => n.length >= 4));

/**
 * Two fragments of a word split by a space, a line break or a stray mark ("your re cords",
 * "co\nvid", "Kel ly") are joined when together they make a word the rules look for (clinical and
 * record words, and names when the first fragment is capitalised); other neighbours stay apart.
 */
export function joinSplitWords(pieces: Piece[]): Piece[] {
  const text = pieces.map((p) => p.text).join('');
  const drop = new Set<number>();
  for (const m of text.matchAll(/(?<!\p{L})(\p{L}{2,})(?=(-?\n|[ ._/·\-])(\p{L}{2,})(?!\p{L}))/gu)) {
    const joined = `${m[1]}${m[3]}`.toLowerCase();
    const word = SPLIT_WORTHY.has(joined) || SPLIT_WORTHY.has(joined.replace(/e?s$/, ''));
    const name = /^\p{Lu}\p{Ll}*$/u.test(m[1]!) && /^\p{Ll}+$/u.test(m[3]!) && SPLIT_NAMES.has(joined);
    if (!word && !name) continue;
    const at = m.index + m[1]!.length;
    for (let k = 0; k < m[2]!.length; k++) drop.add(at + k);
  }
  return drop.size === 0 ? pieces : pieces.filter((_p, idx) => !drop.has(idx));
}

/**
 * A hashtag or an @handle is read as the words it runs together ("#DrPatel" -> "Dr Patel",
 * "@nurse.linda" -> "nurse linda"), so a name in it is seen. An email address ("jo@nhs.net") has
 * a letter before its "@" and is left alone.
 */
export function splitHandles(pieces: Piece[]): Piece[] {
  const text = pieces.map((p) => p.text).join('');
  const spaceAt = new Set<number>();
  const before = new Set<number>();
  for (const m of text.matchAll(/(?<![\p{L}\p{N}._%+-])[#@](\p{L}[\p{L}\p{N}_.]*)/gu)) {
    spaceAt.add(m.index);
    for (let k = 1; k < m[0].length; k++) {
      const at = m.index + k;
      if (/[_.]/.test(text[at]!) && /\p{L}/u.test(text[at + 1] ?? '')) spaceAt.add(at);
      else if (/\p{Lu}/u.test(text[at]!) && /\p{Ll}/u.test(text[at - 1]!)) before.add(at);
    }
  }
  if (spaceAt.size === 0) return pieces;
  const out: Piece[] = [];
  pieces.forEach((p, idx) => {
    if (before.has(idx)) out.push({ text: ' ', start: p.start, end: p.start });
    // The "#" or "@" itself reads as a stroke, not a space, so neighbouring tags ("#GP #Sheffield") stay apart.
    out.push(spaceAt.has(idx) ? { ...p, text: /[#@]/.test(p.text) ? '/' : ' ' } : p);
  });
  return out;
}
