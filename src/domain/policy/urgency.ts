/**
 * Words in a post that suggest someone needs medical help urgently (NHS "call 999 / NHS 111" red
 * flags in everyday words). A match does not diagnose anything: it only makes a post that asks
 * for medical help reach the practice manager quickly, so the author can be pointed to 111 or 999.
 */
const URGENT_WORDING: readonly RegExp[] = [
  /\bchest pains?\b/i,
  /\b(can'?t|cannot|struggling to|hard to|difficulty) breath(e|ing)\b/i,
  /\b(short of breath|breathless)\b/i,
  /\b(collapsed?|unconscious|passed out|fainting|fainted)\b/i,
  /\b(fits?|fitting|seizures?)\b/i,
  /\bstroke\b|\bface (is )?drooping\b/i,
  /\bbleeding (heavily|a lot|badly|won'?t stop)\b|\bheavy bleeding\b/i,
  /\b(suicidal|overdose|kill myself|end it all|self[- ]harm)\b/i,
  /\b(severe|unbearable|agonising|agonizing) pain\b/i,
  /\b(sepsis|meningitis)\b/i,
  /\b(getting worse|worse and worse|urgent(ly)?|emergency)\b/i,
];

export function hasUrgentWording(...texts: ReadonlyArray<string | undefined>): boolean {
  return texts.some((text) => typeof text === 'string' && URGENT_WORDING.some((pattern) => pattern.test(text)));
}
