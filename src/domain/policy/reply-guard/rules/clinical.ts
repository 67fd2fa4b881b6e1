import { CLINICAL_TERMS, GENERAL_CARE_TERMS, MEDICINE_ENDINGS } from '../../clinical-terms.ts';
import { theirIsEveryones } from './relationship.ts';
import { A, B, anyOf, words, type Findings } from './shared.ts';

/**
 * Millbrook: "Under no circumstances should clinical information be transmitted on any social
 * media site". Three readings: clinical words that are never general (diagnoses, tests and
 * results, certificates, mental health, pregnancy), medicine names by their endings, and care
 * words that are fine in general but not about someone ("the jab was postponed", "your test").
 */

const MESSAGE = (q: string) =>
  `${q} is clinical information. Millbrook: "Under no circumstances should clinical information be transmitted on any social media site".`;

const cache = new Map<string, RegExp>();
function alwaysPattern(extra: readonly string[]): RegExp {
  const key = extra.join('\u0000');
  let re = cache.get(key);
  if (!re) {
    re = words([...CLINICAL_TERMS, ...extra].map((t) => t.trim()).filter((t) => t.length > 0), '(?:e?s)?');
    cache.set(key, re);
  }
  return re;
}

const MEDICINE = new RegExp(`${B}\\p{L}{2,}(?:${MEDICINE_ENDINGS.join('|')})s?${A}`, 'giu');

const DETERMINER = "(?:your|yours|his|her|their|my|the|this|that|these|those|\\p{Lu}\\p{Ll}+'s|(?:mum|dad|son|daughter|husband|wife|partner|child|baby)'s)";
const QUALIFIER = '(?:(?:last|recent|latest|next|previous|first|second|new|old|repeat|flu|covid|blood|test|scan|x-ray|urine|routine|annual|missed|overdue|booster|monthly|weekly|extra|usual|regular|same|other|follow-up|follow up)\\s+){0,2}';
/** "the jab clinic", "the results line", "the results of our survey": a service, not a person's care. */
const NOT_PERSONAL_AFTER = '(?!\\s+(?:of|manager|managers|lead|coordinator|department|clinic|clinics|line|lines|service|services|team|process|system|policy|programme|campaign|season|day|days|session|sessions|times|hours|form|forms|page|website|app|leaflet|information|invitations|letters|each|every|for all|for eligible|for everyone|is offered|are offered|is available|are available)\\b)';
const GENERAL = anyOf(GENERAL_CARE_TERMS);
const PERSONAL_CARE = [
  new RegExp(`${B}${DETERMINER}\\s+${QUALIFIER}${GENERAL}(?:e?s)?${A}${NOT_PERSONAL_AFTER}`, 'giu'),
  new RegExp(`${B}${GENERAL}(?:e?s)?\\s+(?:that\\s+|which\\s+)?(?:you|he|she|they)\\s+(?:had|got|received|asked about|asked for|requested|ordered|needed|need|were given|were offered|missed|are due|were due|collected)${A}`, 'giu'),
  new RegExp(`${B}(?:you|he|she|they)\\s+(?:had|got|received|were given|were offered|need|needed|missed|are due|were due|requested|ordered|collected)\\s+(?:a|an|the|your|his|her|their|two|three)?\\s*${QUALIFIER}${GENERAL}(?:e?s)?${A}`, 'giu'),
  // results spoken of: "results are back", "the test came back clear", "was tested for"
  new RegExp(`${B}(?:results?|tests?|bloods|scans?|screening|smears?|x-rays?|swabs?|samples?|biopsy|readings?)\\s+(?:is|are|was|were|has|have)?\\s*(?:now\\s+)?(?:came|come|back|normal|clear|fine|negative|positive|abnormal|ok|okay|satisfactory|inconclusive)${A}`, 'giu'),
  new RegExp(`${B}came\\s+back\\s+(?:clear|normal|negative|positive|abnormal|fine|ok|okay|inconclusive)${A}`, 'giu'),
  new RegExp(`${B}(?:was|were|been|get|got|being)\\s+(?:tested|screened|scanned|vaccinated|immunised|immunized|swabbed|examined|diagnosed|prescribed|signed off)${A}`, 'giu'),
  // someone's state of health: "the baby is feeding better", "she is healing well"
  new RegExp(`${B}(?:you|he|she|baby|mum|dad|son|daughter|husband|wife|partner|child|little one)(?:'re|'s|\\s+are|\\s+is|\\s+were|\\s+was)\\s+(?:now\\s+|still\\s+)?(?:feeding|healing|improving|recovering|settling|sleeping|eating|feeling better|getting better|doing better)${A}`, 'giu'),
  // body parts belonging to someone
  new RegExp(`${B}(?:your|his|her|their)\\s+(?:(?:left|right|bad|sore|painful|injured)\\s+)?(?:back|chest|knee|knees|hip|hips|shoulder|neck|head|heart|lungs?|stomach|tummy|leg|legs|arm|arms|foot|feet|ankle|wrist|skin|eyes?|ears?|throat|bowel|bladder|kidneys?|liver|blood pressure|weight|mood|mental health|sleep|breathing|pain|symptoms|wound|injury|teeth)${A}`, 'giu'),
];

const ONE_DOSE = /^\s+(?:was|were|has been|had been|got|is now)\s+(?:given|done|administered|postponed|cancelled|canceled|missed|delayed|declined|refused|booked|moved|rebooked|recorded)\b/i;
const CAMPAIGN = /^(?:the|this|these)\s+(?:flu|covid|shingles|rsv|pneumonia|whooping cough|hpv|mmr)\b/i;

export function clinicalRule(text: string, words: string, extraTerms: readonly string[], findings: Findings): void {
  const add = (start: number, end: number) => {
    if (findings.overlaps({ start, end }, ['clinical-information'])) return;
    findings.add('clinical-information', 'blocking', start, end, MESSAGE);
  };
  // Both readings: terms with digits ("HbA1c") as typed, disguised words ("sm3ar") as letters.
  // "self-referral", "self-certify": a way in that anyone may use, not someone's care.
  const selfService = (at: number) => /self-$/i.test(words.slice(Math.max(0, at - 5), at));
  for (const view of [text, words]) for (const m of view.matchAll(alwaysPattern(extraTerms))) if (!selfService(m.index)) add(m.index, m.index + m[0].length);
  for (const m of words.matchAll(MEDICINE)) add(m.index, m.index + m[0].length);
  for (const re of PERSONAL_CARE) {
    for (const m of words.matchAll(re)) {
      if (theirIsEveryones(words, m.index)) continue;
      // "the flu vaccine", "this year's covid booster": a campaign, not someone's care.
      // ... unless one dose of it is spoken of as done: "the covid booster was given by the pharmacy".
      if (CAMPAIGN.test(m[0]) && !ONE_DOSE.test(words.slice(m.index + m[0].length))) continue;
      add(m.index, m.index + m[0].length);
    }
  }
}
