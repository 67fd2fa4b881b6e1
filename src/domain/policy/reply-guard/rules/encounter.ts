import { splitSentences } from '../sentences.ts';
import { A, B, anyOf, NOT_THEIR_POST, POST_WORDS, type Findings } from './shared.ts';

/**
 * The patient relationship told as a story rather than with a record word: the practice in contact
 * with the person ("we spoke to you", "we tried to ring you back", "the letter we sent you", "it
 * was lovely to see you", "we remember you"), a particular contact of theirs ("following your
 * call", "your complaint from August"), anything of theirs pinned to a day ("on Monday",
 * "yesterday", "on the 3rd"), and a third person singled out ("this patient", "the gentleman
 * concerned"). Only what has happened is read: "we would be happy to speak to you" is an
 * invitation any practice makes to anyone, and "if you rang on Monday" speaks to everyone.
 */

const DAYS = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thurs?|fri|sat|sun)';
const MONTHS = '(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)';

/** Who, at the practice, was in contact. */
const PRACTICE = "(?:we|we've|we'd|i|i've|i'd|our\\s+(?:[\\p{L}-]+\\s+){0,2}?(?:team|staff|receptionists?|gps?|doctors?|nurses?|clinicians?|manager|colleagues?)|the\\s+(?:practice|surgery|team|receptionist|gp|doctor|nurse|clinician|manager))";
const AUX = "(?:\\s+(?:have|had|has|did|also|already|then|just|actually|previously|recently|both|all|certainly|do|definitely|personally))*";
/** Past forms only: an invitation ("we'd be happy to call you") is not a confirmation. */
const CONTACTED = [
  'spoke to', 'spoke with', 'spoken to', 'spoken with', 'talked to', 'talked with', 'rang', 'rung', 'called', 'phoned', 'texted',
  'emailed', 'wrote to', 'written to', 'sent', 'saw', 'seen', 'met', 'met with', 'contacted', 'gave', 'given', 'told', 'advised',
  'offered', 'asked', 'booked', 'helped', 'treated', 'visited', 'examined', 'welcomed', 'remember', 'remembered', 'recall',
  'recognise', 'recognised', 'recognize', 'recognized', 'listened to', 'wrote', 'left a message for', 'left messages for',
];
/** "we tried to ring you back": a past attempt at contact. */
const ATTEMPT = "(?:tried|attempted|were unable|weren't able|was unable|couldn't|could not|managed|were able|did try)\\s+to\\s+(?:ring|call|phone|contact|reach|text|email|see|speak to|speak with|get hold of|get through to)";
/** "we have seen your review" is the public post, not a contact. */
const PERSON_OBJECT = `(?:you|u|him|(?:your|ur|his|her)${NOT_THEIR_POST})`;
/** Replying on the page itself ("we've sent you a private message") is social media, not care. */
const BY_MESSAGE_HERE = "(?!\\s+(?:a\\s+|an\\s+)?(?:private|direct|personal)\\s+(?:message|reply)|\\s+(?:a\\s+|an\\s+)?(?:dm|pm|inbox message)|\\s+privately|\\s+(?:a\\s+)?message\\s+(?:on|via|through|here))";
const CONTACT = new RegExp(`${B}${PRACTICE}${AUX}\\s+(?:${anyOf(CONTACTED)}|${ATTEMPT})\\s+${PERSON_OBJECT}${A}${BY_MESSAGE_HERE}`, 'giu');
/** "the letter we sent you", "the message I left you" */
const SENT_TO = new RegExp(`${B}(?:the|that|this)\\s+(?:[\\p{L}-]+\\s+)?(?:letter|text|message|email|leaflet|form|voicemail|card)s?\\s+(?:that\\s+|which\\s+)?(?:we|i)(?:\\s+have|'ve)?\\s+(?:sent|gave|left|posted|emailed|texted|handed)\\s+${PERSON_OBJECT}${A}`, 'giu');
/** "it was lovely to see you", "it was a pleasure to meet her" */
const GLAD_TO_HAVE_MET = new RegExp(`${B}(?:was|were|been)\\s+(?:so\\s+|really\\s+|very\\s+)?(?:lovely|nice|good|great|a pleasure|pleased|glad|happy|delighted)\\s+to\\s+(?:see|meet|speak to|speak with|talk to|chat with|chat to|welcome|have)\\s+${PERSON_OBJECT}${A}`, 'giu');
/** One contact of theirs with the practice, singled out ("following your call", "the recording of your call"). */
const THEIR_CONTACT = new RegExp(`${B}(?:following|after|regarding|re|since|about|of|during|in|before)\\s+(?:your|ur|his|her)\\s+(?:recent\\s+|last\\s+|earlier\\s+|previous\\s+)?(?:call|phone call|telephone call|calls|visit|conversation|consultation|attendance|complaint|letter|chat|trip)${A}`, 'giu');
/** "this patient", "the gentleman concerned", "the lady in question" */
/** A visit the practice knows is coming: "when you come in for your review", "see you on Tuesday". */
const VISIT_AHEAD = new RegExp(`${B}(?:when\\s+(?:you|u|he|she)\\s+(?:come|comes|are|is|pop)\\s+(?:in|back|here|down)\\s+(?:for\\s+(?:your|ur|his|her)|next\\s+(?:week|time|month)|on\\s+${DAYS}|tomorrow)|(?:see|seeing)\\s+(?:you|u|him|her)\\s+(?:again\\s+)?(?:tomorrow|next\\s+(?:week|${DAYS})|on\\s+${DAYS}|at\\s+(?:your|ur|his|her)))${A}`, 'giu');
const SINGLED_OUT = new RegExp(`${B}(?:(?:this|that)\\s+(?:patient|gentleman|gent|lady|lad|young man|young woman|young lady|elderly lady|elderly gentleman)(?!\\s+(?:confidentiality|care|safety|experience|experiences|feedback|records?|data|information|services?|participation|group|groups|survey|choice|list|satisfaction|access|voice|journey|charter|rights)${A})|(?:the|this|that)\\s+(?:patient|gentleman|gent|lady|man|woman|person|individual|family|child|reviewer|poster|young man|young woman|young lady)\\s+(?:concerned|in question|involved|who (?:posted|wrote|left|shared|commented)))${A}`, 'giu');

const PAST_TIME = new RegExp(`${B}(?:yesterday|this morning|this afternoon|earlier today|earlier this week|last (?:night|week|month|year|time|${DAYS})|on ${DAYS}|on the \\d{1,2}(?:st|nd|rd|th)?|on \\d{1,2}(?:st|nd|rd|th)? ${MONTHS}|(?:in|from|since|during) ${MONTHS}|at \\d{1,2}[.:]\\d{2}\\s*(?:am|pm)?|\\d+ (?:days|weeks|months) ago)${A}`, 'iu');
const PAST_VERB = new RegExp(`${B}(?:was|were|wasn't|weren't|did|didn't|had|hadn't|came|went|saw|seen|spoke|spoken|rang|rung|sent|told|got|left|made|gave|given|took|taken|met|wrote|\\p{L}{3,}ed)${A}`, 'iu');
/** "-ed" words that are not something that happened to someone. */
const NOT_EVENTS = new RegExp(`${B}(?:need|needed|feed|speed|seed|indeed|hundred|bed|concerned|pleased|disappointed|frustrated|delighted|sorry|interested|committed|dedicated|based|used|worried|upset|unwanted|unexpected|experienced|qualified|trained|limited|registered|required|changed|introduced|extended|closed|opened|shared|posted|reviewed|rated|raised|expressed|described|mentioned|reported|detailed|outlined)${A}`, 'giu');
const PERSON = new RegExp(`${B}(?:you|your|you're|you've|you'd|u|ur|he|she|him|his|her)${A}`, 'iu');
/** Everyone, not one person: "if you rang on Monday", "anyone who called yesterday". */
/** A count of many ("312 appointments were missed") is a statistic about everyone. */
const GENERAL_AUDIENCE = new RegExp(`${B}(?:if|anyone|anybody|everyone|everybody|whoever|those|all patients|any patient|\\d{2,}(?:,\\d{3})*\\s+(?:appointments|calls|patients|people|requests|prescriptions|consultations|messages|visits))${A}`, 'iu');
/** What the person posted is public and theirs to date: "your review on Monday". */
const THEIR_POST = new RegExp(`${B}(?:your|ur)\\s+(?:\\p{L}+\\s+)?(?:${POST_WORDS.join('|')})${A}|${B}(?:you|u)\\s+(?:posted|wrote|commented|shared|left)`, 'iu');

/**
 * Sympathy that only echoes the post ("we are sorry you waited so long on Monday") tells nothing the
 * author did not say; what the practice found out ("we've looked into your call on Monday") does.
 */
const SYMPATHY = new RegExp(`^(?:[\\p{L}',]+\\s+){0,4}?(?:sorry|apologise|apologize|apologies)\\s+(?:(?:to hear|to read|to learn)\\s+)?(?:that\\s+)?(?:you|u)\\s+(?!were\\s+(?:seen|given|offered|told|booked|sent|referred|prescribed))`, 'iu');

export function encounterRule(words: string, findings: Findings): void {
  const add = (start: number, end: number) => {
    if (findings.overlaps({ start, end }, ['confirms-patient-relationship'])) return;
    findings.add('confirms-patient-relationship', 'blocking', start, end, (q) =>
      `${q} tells of the person's own contact with the practice, which confirms that they are a patient here. GMC: a reply must not confirm that someone is a patient.`);
  };
  for (const re of [CONTACT, SENT_TO, GLAD_TO_HAVE_MET, THEIR_CONTACT, VISIT_AHEAD, SINGLED_OUT]) {
    for (const m of words.matchAll(re)) add(m.index, m.index + m[0].length);
  }
}

/**
 * The fallback reading, run after every other rule: a sentence about the person that pins
 * something that happened to a day ("your call on Monday", "when u came in on the 3rd") and that
 * nothing else blocked. One finding per sentence is enough, so a blocked sentence is left alone.
 */
export function pinnedToADayRule(words: string, findings: Findings): void {
  for (const s of splitSentences(words)) {
    if (findings.list.some((f) => f.severity === 'blocking' && f.start < s.end && s.start < f.end)) continue;
    const sentence = words.slice(s.start, s.end);
    if (!PERSON.test(sentence) || GENERAL_AUDIENCE.test(sentence) || THEIR_POST.test(sentence) || SYMPATHY.test(sentence)) continue;
    const time = PAST_TIME.exec(sentence);
    if (!time) continue;
    const verbs = sentence.replace(NOT_EVENTS, (w) => ' '.repeat(w.length));
    if (!PAST_VERB.test(verbs)) continue;
    findings.add('confirms-patient-relationship', 'blocking', s.start + time.index, s.start + time.index + time[0].length, (q) =>
      `${q} dates something that happened to the person, which confirms their contact with the practice. GMC: a reply must not confirm that someone is a patient.`);
  }
}
