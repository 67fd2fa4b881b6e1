import { splitSentences } from '../sentences.ts';
import type { Finding, GuardRule } from './shared.ts';

/**
 * General information about normal practice is what the GMC allows a reply to give: "cervical
 * screening is offered to women aged 25 to 64", "our nursing team run asthma reviews every week",
 * "if your child is unwell, call 111", "the NHS App lets you view your GP record". Clinical words,
 * "your" and an age in such a sentence speak to everyone, not about someone.
 *
 * A sentence is general when it is addressed to a group or to anyone (or puts "you" in a condition
 * or an offer), tells of nothing that happened, and singles no one out (no "he" or "she", and no
 * "you are" or "your" outside a condition or an offer). Only the clinical, relationship and age
 * readings are lifted: a name, a number or an address is never general.
 */

const W = (alternatives: string) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'iu');

/** A condition ("if your child is unwell"): the "you" and "your" inside it are anyone's, not the rest of the sentence. */
const CONDITION_CLAUSE = /(?<![\p{L}\p{N}])(?:if|whenever)\s[^,;.!?]*/giu;
const IN_CONDITION = W("if\\s+(?:you|your|you're|you've)|whenever\\s+you");
/** "you"/"your" meaning anyone: an offer, a signpost. */
const ANYONE_YOU = W(
  "you\\s+can\\s+(?:also\\s+)?(?:order|book|request|view|manage|see|cancel|check|track|update|access)|lets\\s+you|allows\\s+you|helps?\\s+you|can\\s+(?:often\\s+|also\\s+)?help|(?:speak|talk)\\s+to\\s+your|ask\\s+your",
);
/** "you" (not "your") in an offer: "you can self-certify", "you don't need a fit note". */
const OFFER_YOU = W("you\\s+can|you\\s+may|you\\s+don't\\s+need|you\\s+do\\s+not\\s+need|you\\s+won't\\s+need|you'll\\s+need");
/** Addressed to a group, or a service described. */
const GROUP_OR_SERVICE = W(
  'anyone|anybody|everyone|everybody|whoever|patients|people|women|men|children|adults|parents|carers|families|those|eligible|' +
    '(?:is|are)\\s+(?:offered|available|given|run|held)|offered\\s+to|available\\s+(?:from|at|on|to|for|every|via|through)|' +
    'every\\s+(?:day|week|month|year|morning|afternoon|weekday)|each\\s+(?:week|month|year)|clinics',
);
/** Something that happened: general information is in the present. */
const HAPPENED = W(
  "was|were|wasn't|weren't|did|didn't|had|hadn't|has\\s+been|have\\s+been|came|went|saw|spoke|spoken|rang|sent|told|got|left|made|gave|took|met|wrote|yesterday|last\\s+(?:week|month|time|night)|this\\s+morning|remembers?|recalls?|another|again|(?:is|are)\\s+being|still",
);
const THIRD_PERSON = W("he|she|him|his|her|hers|he's|she's");
const YOU_SINGLED = W("you're|you've|you\\s+(?:are|have|had|were|was)|ur");
const YOUR = W('your|yours');
/** Singled out even in a general sentence: "patients like you", "your husband" outside a condition. */
const LIKE_YOU = W("like\\s+(?:you|yourself)|such\\s+as\\s+(?:you|yourself)|(?:as|being)\\s+(?:our|a|one\\s+of\\s+our)\\s+(?:[\\p{L}-]+\\s+)?patients?");
const YOUR_RELATIVE = W(
  '(?:your|ur)\\s+(?:[\\p{L}-]+\\s+)?(?:mum|mom|mother|dad|father|son|daughter|husband|wife|partner|child|children|kids?|baby|grandmother|grandfather|gran|nan|brother|sister|aunt|uncle|relative|carer)',
);
const CONDITION = W('if|whenever|should');

export function isGeneralInformation(sentence: string): boolean {
  const anyoneYou = ANYONE_YOU.test(sentence);
  const offerYou = OFFER_YOU.test(sentence);
  if (!anyoneYou && !offerYou && !IN_CONDITION.test(sentence) && !GROUP_OR_SERVICE.test(sentence)) return false;
  if (HAPPENED.test(sentence) || THIRD_PERSON.test(sentence) || LIKE_YOU.test(sentence)) return false;
  if (YOUR_RELATIVE.test(sentence) && !CONDITION.test(sentence)) return false;
  // Outside a condition, "your" and "you are" single someone out unless an offer or a signpost speaks to anyone.
  const rest = sentence.replace(CONDITION_CLAUSE, ' ');
  if (YOUR.test(rest) && !anyoneYou) return false;
  if (YOU_SINGLED.test(rest) && !anyoneYou && !offerYou) return false;
  return true;
}

/** The readings general information lifts. */
const LIFTED: readonly GuardRule[] = ['clinical-information', 'confirms-patient-relationship', 'age'];

/**
 * Findings of the lifted readings that lie wholly inside a general sentence are dropped, except
 * those `kept` says stand whatever the sentence (the words a practice listed as clinical itself).
 */
export function withoutGeneralInformation(text: string, findings: readonly Finding[], kept: (f: Finding) => boolean = () => false): Finding[] {
  const general = splitSentences(text).filter((s) => isGeneralInformation(text.slice(s.start, s.end)));
  if (general.length === 0) return [...findings];
  return findings.filter((f) => kept(f) || !LIFTED.includes(f.rule) || !general.some((s) => s.start <= f.start && f.end <= s.end));
}
