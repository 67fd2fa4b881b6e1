import { A, B, phrase, type Findings } from './shared.ts';

/**
 * Brief, measured, no threats (advisory): the LMC asks for "a brief, measured response" and
 * warns against being "provoked into an online spat"; legal threats in public tend to inflame.
 */

export const DEFAULT_BRIEF_WORD_LIMIT = 80;

export function toneRule(text: string, briefWordLimit: number, findings: Findings): void {
  const words = [...text.matchAll(/[^\s]+/g)].filter((w) => /[\p{L}\p{N}]/u.test(w[0]));
  if (words.length > briefWordLimit) {
    const first = words[briefWordLimit]!;
    const last = words[words.length - 1]!;
    findings.add('too-long', 'advisory', first.index, last.index + last[0].length, () =>
      `${words.length} words: the policy's brief reply is at most ${briefWordLimit}. LMC: "Do not respond in detail".`);
  }
  for (const m of text.matchAll(ARGUMENTATIVE)) {
    findings.add('argumentative', 'advisory', m.index, m.index + m[0].length, (q) =>
      `${q} sounds argumentative. LMC: be careful not to be provoked into an online spat; a measured, reasonable tone works best.`);
  }
  for (const m of shouting(text)) {
    findings.add('argumentative', 'advisory', m.index, m.index + m[0].length, (q) => `${q} reads as shouting. Keep the tone measured.`);
  }
  for (const m of text.matchAll(LEGAL)) {
    findings.add('legal-threat', 'advisory', m.index, m.index + m[0].length, (q) =>
      `${q} reads as a legal threat. The LMC warns that legal routes are slow and costly, and a threat in public tends to inflame; take formal steps privately.`);
  }
}

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
