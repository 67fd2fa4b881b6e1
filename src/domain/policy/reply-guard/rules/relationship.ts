import { A, B, anyOf, NOT_THEIR_POST, type Findings } from './shared.ts';

/**
 * A reply must never confirm that someone is a patient (GMC: criticism does not release the duty
 * of confidentiality). Rather than a list of phrases, the rule reads the shapes a confirmation
 * takes: a person's care or record things ("your notes", "her next visit", "your mum's repeat"),
 * an encounter in the past ("when you came in", "the doctor you spoke to", "you missed"), the
 * practice's records speaking ("our system shows", "having checked the call log"), and belonging
 * ("with the practice since", "on our list", "registered here"), in second and third person.
 */

/** Things only a patient (or their family) has at a practice. */
const CARE_NOUNS = [
  'GP', 'doctor', 'doctors', 'nurse', 'clinician', 'practitioner', 'pharmacist', 'physio', 'physiotherapist', 'health visitor',
  'midwife', 'consultant', 'locum', 'care', 'treatment', 'appointment', 'appointments', 'booking', 'bookings', 'slot',
  'consultation', 'consultations', 'visit', 'visits', 'home visit', 'check-up', 'check up', 'medication review', 'annual review', 'records', 'record',
  'notes', 'note', 'file', 'files', 'chart', 'history', 'results', 'result', 'test', 'tests', 'prescription', 'prescriptions',
  'repeat', 'repeats', 'medication', 'medications', 'medicine', 'medicines', 'meds', 'tablets', 'pills', 'referral', 'referrals',
  'registration', 'diagnosis', 'condition', 'conditions', 'illness', 'symptoms', 'scan', 'jab', 'jabs', 'vaccination',
  'vaccinations', 'vaccine', 'immunisations', 'injection', 'bloods', 'smear', 'operation', 'surgery date', 'procedure',
  'request', 'requests', 'triage', 'call back', 'callback', 'sick note', 'fit note', 'health', 'pregnancy', 'baby',
  'discharge', 'letter from the hospital', 'hospital letter', 'care plan', 'treatment plan', 'dressing', 'dressings', 'stitches',
  'account with us', 'details on file', 'surgery', 'GP surgery', 'practice nurse', 'waiting list position', 'place on the waiting list', 'patient record', 'summary care record', 'NHS number', 'date of birth', 'DOB',
];
/** Words that may stand between "your" and the thing ("your last two bookings", "your medical notes"). */
const BETWEEN = [
  'last', 'recent', 'latest', 'next', 'previous', 'first', 'second', 'own', 'medical', 'health', 'clinical', 'patient',
  'telephone', 'phone', 'online', 'blood', 'repeat', 'home', 'follow-up', 'follow up', 'two', 'three', 'few', 'usual',
  'regular', 'named', 'new', 'old', 'missed', 'cancelled', 'booked', 'routine', 'annual', 'overdue', 'outstanding', 'urgent',
  'appointment', 'test', 'hospital', 'GP', 'nurse', 'flu', 'covid', 'mental', 'long-term', 'whole', 'full', 'original',
  'third', 'fourth', 'fifth',
];
/** Words of feeling before a relative: "your late husband", "her poor mum", "your little boy". */
const BEFORE_RELATIVE = ['late', 'poor', 'dear', 'beloved', 'little', 'elderly', 'eldest', 'youngest', 'older', 'younger', 'lovely', 'darling'];
const RELATIVES = [
  'mum', 'mom', 'mother', 'dad', 'father', 'son', 'daughter', 'husband', 'wife', 'partner', 'child', 'children', 'kids', 'kid',
  'baby', 'little one', 'grandmother', 'grandfather', 'gran', 'granny', 'grandma', 'grandad', 'grandpa', 'nan', 'nana',
  'brother', 'sister', 'aunt', 'auntie', 'uncle', 'niece', 'nephew', 'family member', 'relative', 'carer', 'fiance', 'fiancee',
  'boyfriend', 'girlfriend', 'boy', 'girl', 'little boy', 'little girl', 'lad', 'twins', 'baby boy', 'baby girl', 'stepson', 'stepdaughter', 'mother-in-law', 'father-in-law', 'toddler', 'newborn', 'grandson', 'granddaughter',
];
/** Proper nouns whose possessive is the organisation's, not a person's ("Millbrook Medical Centre's"). */
const ORGANISATION = '(?:Centre|Center|Practice|Surgery|Group|Network|Service|Team|NHS|Trust|Hospital|Clinic|England|Council|Government|Board|PCN|ICB|Partnership)';
const POSSESSIVE = '(?:your|yours|ur|his|her|their)';
const DAYS = '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)';
/** "they" is left out: "they were treated with dignity" is as often about everyone as about someone. */
const SECOND_OR_THIRD = "(?:you(?:'re|'ve|'d)?|u|he(?:'s)?|she(?:'s)?)";
const ENCOUNTER_PAST = [
  'were seen', 'was seen', 'have been seen', 'were booked', 'was booked', 'were booked in', 'were offered', 'was offered',
  'were given', 'was given', 'were registered', 'was registered', 'were removed', 'was removed', 'were referred', 'was referred',
  'were examined', 'were treated', 'was treated', 'were prescribed', 'was prescribed', 'were called back', 'were added',
  'were put on', 'were triaged', 'were assessed', 'were sent', 'were told', 'were advised', 'were called', 'were rung',
  'attended', 'have attended', 'has attended', 'did not attend', "didn't attend", 'failed to attend', 'missed', 'cancelled',
  'rang', 'phoned', 'came in', 'came to', 'came into', 'visited', 'saw', 'spoke to', 'spoke with', 'joined us', 'joined the practice',
  'registered', 'arrived', 'were in', 'were here', 'had an appointment', 'were fourth', 'were first', 'were last',
  'have been with', 'has been with', 'have been a patient', 'has been a patient', 'have been registered', 'has been registered',
  'have been on', 'has been on', 'had been seen', 'were discharged', 'were admitted', 'requested', 'ordered',
  'have an appointment', 'has an appointment', 'are booked', 'is booked', 'booked', 'booked in',
  'were vaccinated', 'was vaccinated', 'had your', 'had his', 'had her', 'came to see', 'come to see us', 'have been coming',
  'has been coming', 'been coming here', 'visit us regularly', 'sat in the waiting room', 'were sent home', 'collected',
  'were spoken to', 'was spoken to', 'were held', 'was held', 'were asked', 'was asked', 'were contacted', 'was contacted',
  'were transferred', 'were served', 'was served', 'were rebooked', 'was rebooked', 'were dealt with', 'was dealt with',
];
const CARER_WORDS = [
  'GP', 'doctor', 'nurse', 'clinician', 'paramedic', 'locum', 'team member', 'member of staff', 'member of the team', 'pharmacist',
  'receptionist', 'HCA', 'health care assistant', 'healthcare assistant', 'practitioner', 'physio', 'midwife', 'colleague',
  'person', 'staff member', 'care navigator', 'call handler', 'clinical pharmacist', 'partner',
];
const RECORDS = ['system', 'systems', 'records', 'record', 'notes', 'computer', 'log', 'logs', 'call log', 'call logs', 'clinical system', 'files', 'file', 'register', 'database', 'appointment system', 'appointment history', 'phone system records', 'list'];

const PATTERNS: RegExp[] = [
  // your / his / her / Name's + care thing
  new RegExp(`${B}${POSSESSIVE}\\s+(?:${anyOf(BETWEEN)}\\s+){0,2}${anyOf(CARE_NOUNS)}${A}`, 'giu'),
  // Name's + care thing (case-sensitive: a capitalised name, not "today's")
  new RegExp(`${B}(?!${ORGANISATION}')\\p{Lu}\\p{Ll}+'s\\s+(?:${anyOf(BETWEEN)}\\s+){0,2}${anyOf(CARE_NOUNS)}${A}`, 'gu'),
  // your / his / her + a relative
  new RegExp(`${B}(?:your|his|her|their)\\s+(?:${anyOf([...BETWEEN, ...BEFORE_RELATIVE])}\\s+)?${anyOf(RELATIVES)}(?:'s)?${A}`, 'giu'),
  // a relative's anything ("mum's", "son's")
  new RegExp(`${B}${anyOf(RELATIVES)}'s${A}`, 'giu'),
  // you / he / she + an encounter in the past
  new RegExp(`${B}${SECOND_OR_THIRD}(?:\\s+(?:have|had|has|were|was|only|just|also|recently|previously|already|then|still|never))*\\s+${anyOf(ENCOUNTER_PAST)}${A}`, 'giu'),
  // "when you came in", "when she rang", "the day you visited"
  new RegExp(`${B}(?:when|after|before|since|the day|the time|last time|each time|every time)\\s+${SECOND_OR_THIRD}\\s+(?:came|were|was|attended|visited|phoned|rang|called|arrived|saw|spoke|joined|registered|moved|had)${A}`, 'giu'),
  // "the doctor you spoke to", "the nurse you saw", "the GP who saw your son"
  new RegExp(`${B}(?:the|a|our|that)\\s+${anyOf(CARER_WORDS)}\\s+(?:(?:who|that)\\s+)?(?:${SECOND_OR_THIRD}\\s+(?:saw|spoke|met|had|were seen by|dealt with|talked)|(?:saw|treated|examined|visited|called|rang|phoned|spoke to|spoke with|dealt with|looked after|assessed|triaged|reviewed|took|booked|served|checked in|helped|answered|registered|vaccinated|injected|gave|referred|prescribed|rang back|called back|phoned back)\\s+(?:you|your|him|her|them|his|their))${A}`, 'giu'),
  // "the GP involved", "the receptionist concerned", "the locum on Tuesday": one colleague singled out by the encounter
  new RegExp(`${B}(?:the|that|our)\\s+${anyOf(CARER_WORDS)}\\s+(?:involved|concerned|in question|responsible|(?:who\\s+was\\s+|working\\s+|on\\s+duty\\s+)?on\\s+(?:${DAYS}|the\\s+day|that\\s+day|the\\s+\\d{1,2}(?:st|nd|rd|th)?))${A}(?!\\s+(?:mornings|afternoons|evenings|nights))`, 'giu'),
  // "the appointment you had", "the call she made"
  new RegExp(`${B}(?:the|that|this)\\s+(?:${anyOf(BETWEEN)}\\s+)?${anyOf([...CARE_NOUNS, 'call', 'calls', 'phone call', 'message', 'complaint'])}\\s+(?:that\\s+|which\\s+)?${SECOND_OR_THIRD}\\s+(?:had|attended|missed|booked|made|cancelled|asked about|requested|were given|were offered|received|got|collected|ordered|raised|submitted|filled in|filled out|completed|sent|sent in|lodged|put in|left)${A}`, 'giu'),
  // "that appointment of yours", "a referral of his"
  new RegExp(`${B}${anyOf(CARE_NOUNS)}\\s+of\\s+(?:yours|his|hers)${A}`, 'giu'),
  // "the records we hold for you", "the number we have for him"
  new RegExp(`${B}(?:${anyOf([...RECORDS, 'details', 'address', 'number', 'phone number', 'contact details', 'email'])})\\s+(?:that\\s+|which\\s+)?we\\s+(?:hold|have|keep|held|had|got)\\s+(?:for|on|about)\\s+(?:you|u|him|her)${A}`, 'giu'),
  // "we have your details", "our team holds his number"
  new RegExp(`${B}(?:has|have|hold|holds|got|keep|keeps|kept)\\s+(?:your|ur|his|her)\\s+(?:contact\\s+)?(?:details|number|phone number|mobile number|address|email address)${A}`, 'giu'),
  // "any record of you calling", "no trace of her referral"
  new RegExp(`${B}(?:record|records|trace|note|sign)\\s+of\\s+(?:you|u|him|(?:your|ur|his|her)${NOT_THEIR_POST})${A}`, 'giu'),
  // "your next review", "his annual asthma review" ("your review" alone is the post)
  new RegExp(`${B}${POSSESSIVE}\\s+(?:next|last|annual|yearly|medication|asthma|diabetes|diabetic|copd|blood pressure|health|six-monthly|6-monthly|routine|nurse|gp|follow-up|follow up|overdue)\\s+(?:[\\p{L}-]+\\s+)?(?:review|reviews|check|checks)${A}`, 'giu'),
  // "as your registered practice", "being your GP"
  new RegExp(`${B}(?:(?:as|being)\\s+(?:your|ur|his|her)\\s+(?:registered\\s+|own\\s+|usual\\s+|local\\s+)?(?:gp\\s+)?(?:practice|surgery|gp|doctors?|medical centre)|(?:your|ur|his|her)\\s+registered\\s+(?:gp\\s+)?(?:practice|surgery|gp))${A}`, 'giu'),
  // "someone who has been coming to us for years", "he was part of our family for 30 years"
  new RegExp(`${B}(?:been\\s+)?coming\\s+(?:to\\s+(?:us|the practice|the surgery|see us)|here)\\s+(?:for|since)${A}`, 'giu'),
  new RegExp(`${B}(?:he|she|you|they)\\s+(?:was|were|had been|has been|have been)\\s+(?:a\\s+)?part\\s+of\\s+(?:the|our)\\s+(?:[\\p{L}-]+\\s+){0,3}family${A}`, 'giu'),
  new RegExp(`${B}(?:care|treatment|service|advice|help|support)\\s+(?:that\\s+|which\\s+)?${SECOND_OR_THIRD}\\s+(?:received|got|had|were given|were offered)\\s+(?:from|at|here|with)\\s+(?:us|the practice|the surgery|our)`, 'giu'),
  // the practice's records speaking
  new RegExp(`${B}(?:our|the)\\s+${anyOf(RECORDS)}\\s+(?:shows?|says?|indicates?|confirms?|suggests?|states?|has you|have you|records?|notes?)${A}`, 'giu'),
  new RegExp(`${B}(?:having\\s+)?(?:checked|checking|looked at|looking at|looked back at|looked back through|looked back over|looked into|pulled up|went through|went back through|been through|been back through|reviewed|reviewing|gone through|gone back through|going through|from|in|according to|on)\\s+(?:our|the)\\s+${anyOf(RECORDS.filter((r) => r !== 'list' && r !== 'register'))}${A}`, 'giu'),
  // we can see / confirm that you ...
  new RegExp(`${B}we\\s+(?:can\\s+)?(?:see|confirm|note|noted|understand from|know)\\s+(?:that\\s+)?${SECOND_OR_THIRD}\\s+(?:have|had|has|were|was|did|didn't|attended|missed|rang|phoned|called|came|are registered|is registered)${A}`, 'giu'),
  // belonging to the practice
  new RegExp(`${B}(?:with|at)\\s+(?:the|this|our|us)\\s*(?:practice|surgery|centre|medical centre)?\\s+(?:since|for)\\s+(?:\\d|many|over|more|years|a long|decades|a while)`, 'giu'),
  new RegExp(`${B}(?:on|off|to|from)\\s+(?:our|the practice's|the)\\s+(?:list|books|register|patient list)${A}`, 'giu'),
  new RegExp(`${B}(?:registered|a patient)\\s+(?:here|with us|at (?:the|this|our) (?:practice|surgery))${A}`, 'giu'),
  new RegExp(`${B}(?:as|being|are|is|were|was)\\s+(?:our|a|one of our)\\s+(?:(?:long-standing|longstanding|long standing|valued|registered|regular|loyal|elderly|young)\\s+)?patients?${A}`, 'giu'),
  new RegExp(`${B}(?:a|our)\\s+(?:(?:long-standing|longstanding|long standing|valued|registered|regular|loyal)\\s+)?patient\\s+(?:of|at)\\s+(?:ours|the practice|this practice|the surgery|ours)${A}`, 'giu'),
  new RegExp(`${B}(?:a|our|one of our)\\s+(?:long-standing|longstanding|long standing|valued|registered|regular|loyal)\\s+patients?${A}`, 'giu'),
  new RegExp(`${B}(?:since|when)\\s+${SECOND_OR_THIRD}\\s+(?:joined|registered|moved to|transferred)${A}`, 'giu'),
  // the practice doing something to the person: "we booked you in", "we saw your son", "we have you down as"
  new RegExp(`${B}we(?:'ve|\\s+have|\\s+had)?\\s+(?:also\\s+|already\\s+)?(?:booked|saw|seen|examined|treated|referred|registered|removed|discharged|called|rang|phoned|texted|triaged|prescribed|vaccinated|admitted|added|reviewed|flagged|updated|amended|rebooked|cancelled|moved|transferred|deregistered|coded|marked)\\s+(?:you|him|them|(?:your|her|his|their)${NOT_THEIR_POST})${A}`, 'giu'),
  new RegExp(`${B}(?:we\\s+)?(?:do\\s+)?(?:have|had|hold|held|got)\\s+(?:you|him|her|them)\\s+(?:down|listed|recorded|registered|booked|on)${A}`, 'giu'),
  new RegExp(`${B}(?:you|he|she|they)(?:'re|\\s+are|\\s+is|\\s+were|\\s+was)\\s+(?:still\\s+|now\\s+)?(?:on|at the top of|near the top of)\\s+(?:the|our)\\s+(?:waiting list|list|books|register)${A}`, 'giu'),
  new RegExp(`${B}(?:as\\s+)?per\\s+(?:our|the)\\s+${anyOf(RECORDS)}${A}`, 'giu'),
  new RegExp(`${B}(?:your|his|her|their)\\s+(?:time|years)\\s+(?:with|at)\\s+(?:us|the practice|the surgery)${A}`, 'giu'),
  new RegExp(`${B}(?:you|he|she|they)(?:'re|\\s+are|\\s+is)\\s+(?:still\\s+)?(?:registered|a patient|our patient|on our list)${A}`, 'giu'),
  new RegExp(`${B}(?:is|are|remains?)\\s+still\\s+(?:registered|on our list|on the list|with us)${A}`, 'giu'),
];

/**
 * "their" after "anyone", "patients" or "everyone" in the same sentence is everyone's ("anyone with
 * concerns about their care", "patients can see their GP record"), not one person's.
 */
const GENERIC_OWNER = /(?<![\p{L}\p{N}])(?:anyone|anybody|everyone|everybody|someone|somebody|whoever|patients|people|parents|carers|families|those|each|every|all)(?![\p{L}\p{N}])/iu;

export function theirIsEveryones(text: string, index: number): boolean {
  // "their care" at the match, or "their child's" just before it
  if (!/^their\b/i.test(text.slice(index, index + 6)) && !/\btheir\s+$/i.test(text.slice(Math.max(0, index - 8), index))) return false;
  const sentenceStart = Math.max(text.lastIndexOf('.', index), text.lastIndexOf('!', index), text.lastIndexOf('?', index), text.lastIndexOf('\n', index));
  return GENERIC_OWNER.test(text.slice(sentenceStart + 1, index));
}

/** "We cannot confirm whether anyone is a patient here": the duty of confidentiality, stated. */
const NOT_CONFIRMING = /(?<![\p{L}\p{N}])(?:cannot|can't|can not|unable to|won't|will not|do not|don't|never|neither)\s+(?:[\p{L}']+\s+){0,3}?(?:confirm|disclose|comment on|discuss|say)(?![\p{L}\p{N}])[^.!?\n]*(?<![\p{L}\p{N}])(?:whether|if|who|anyone|anybody|someone|somebody|an individual|any individual)(?![\p{L}\p{N}])/iu;

function inStatedConfidentiality(text: string, index: number): boolean {
  const from = Math.max(text.lastIndexOf('.', index - 1), text.lastIndexOf('!', index - 1), text.lastIndexOf('?', index - 1), text.lastIndexOf('\n', index - 1)) + 1;
  const to = text.slice(index).search(/[.!?\n]/);
  return NOT_CONFIRMING.test(text.slice(from, to < 0 ? text.length : index + to));
}

export function relationshipRule(words: string, findings: Findings): void {
  for (const re of PATTERNS) {
    for (const m of words.matchAll(re)) {
      if (theirIsEveryones(words, m.index) || inStatedConfidentiality(words, m.index)) continue;
      const span = { start: m.index, end: m.index + m[0].length };
      if (findings.overlaps(span, ['confirms-patient-relationship'])) continue;
      findings.add('confirms-patient-relationship', 'blocking', span.start, span.end, (q) =>
        `${q} confirms that someone is a patient here. GMC: criticism does not release the duty of confidentiality, and a reply must not confirm that someone is a patient.`);
    }
  }
}
