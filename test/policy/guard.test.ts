import { describe, expect, it } from 'vitest';
import { checkReply, guardContextFrom, hasBlocking, type ReplyContext } from '../../src/domain/policy/guard.ts';
import { isValidNhsNumber, nhsCheckDigit } from '../../src/domain/policy/nhs-number.ts';
import { renderReplyTemplate } from '../../src/domain/policy/templates.ts';
import { loadPolicy, presetPath } from '../../src/policy/load.ts';

const context: ReplyContext = {
  staffNames: ['Sarah Jones', 'Dr Amir Patel', 'Will Hope', 'Brown'],
  practicePhone: '0114 496 0000',
  practiceEmail: 'reception.millbrook@nhs.net',
  today: new Date('2026-11-15T12:00:00Z'),
};

const practice = { practiceName: 'Millbrook Medical Centre', practicePhone: '0114 496 0000', practiceEmail: 'reception.millbrook@nhs.net' };

function rendered(policyPath: string | undefined, templateId: string): string {
  const result = renderReplyTemplate(loadPolicy(policyPath), templateId, practice);
  if (!result.ok) throw new Error(result.error.join('; '));
  return result.value;
}

const longReply = `Thank you for your message. ${'We are always working hard to improve the service we offer to everyone who contacts us. '.repeat(6)}Please contact us directly.`;

type Expected = [rule: string, text: string][];

interface GuardCase {
  name: string;
  draft: string;
  /** Every finding, in order: the rule and the exact text of the offending span. */
  findings: Expected;
}

const clean: GuardCase[] = [
  { name: '"we value patient feedback" is innocent', draft: 'Thank you for your feedback. We value patient feedback and would like to hear more. Please call us on 0114 496 0000.', findings: [] },
  { name: 'the bare phrase', draft: 'We value patient feedback.', findings: [] },
  { name: "the practice's own phone and email", draft: 'Thank you for taking the time to share this. Please contact the practice manager on 0114 496 0000 or reception.millbrook@nhs.net.', findings: [] },
  { name: 'MDU-style apology', draft: 'Thank you for your comments. We are sorry to hear about your experience and would welcome the chance to discuss it. Please get in touch with the practice directly.', findings: [] },
  { name: 'default public reply template, rendered', draft: rendered(undefined, 'public-reply'), findings: [] },
  { name: 'Cockhedge public reply template, rendered', draft: rendered(presetPath('cockhedge'), 'public-reply'), findings: [] },
  { name: '"our patients\'" is generic', draft: "We are sorry you are unhappy with our service. Our patients' views matter to us; please contact us directly so we can look into this.", findings: [] },
  { name: 'a staff name that is an everyday word, used as a word', draft: 'Hope this helps. We will be in touch if you contact us directly.', findings: [] },
  { name: "the practice's number written internationally", draft: 'Thank you for your review. Please contact us on +44 114 496 0000.', findings: [] },
  { name: 'general information about normal practice', draft: 'Repeat prescriptions take two working days. Please contact the surgery if you would like to discuss this.', findings: [] },
  { name: "nobody's care in particular", draft: "We cannot discuss any individual's care on social media, but we would be glad to talk to you directly.", findings: [] },
  { name: 'opening hours are not phone numbers', draft: 'Thank you. Our opening hours are 8:00 to 18:30, Monday to Friday. Please call 0114 496 0000.', findings: [] },
  { name: "the practice's email in other case", draft: 'Thank you for letting us know there is a concern. We look forward to resolving the issue; please email Reception.Millbrook@NHS.net.', findings: [] },
  { name: 'asks for the practice manager', draft: 'We are sorry to read this. The practice manager would be happy to speak with you. Please ring 0114 496 0000 and ask for the practice manager.', findings: [] },
  { name: 'takes feedback seriously', draft: 'Thank you for your post. We take all feedback seriously and would welcome the opportunity to discuss this with you directly.', findings: [] },
  { name: 'complaints leaflet', draft: 'Thanks for getting in touch. Patients can find our complaints leaflet at reception or on our website.', findings: [] },
  { name: 'appointments in general', draft: 'We appreciate you raising this. Appointments can be booked online or by phone; please contact us to discuss your concerns.', findings: [] },
  { name: 'a surname that is an everyday word, lower case', draft: 'Please bring the brown form to reception if you wish to make a complaint.', findings: [] },
  { name: "the practice's number in brackets", draft: 'Thank you. We will always try to help; please call the practice on (0114) 496 0000.', findings: [] },
  { name: 'understand your concerns', draft: 'Thank you for sharing your views. We would be grateful if you could contact us directly so that we can understand your concerns.', findings: [] },
  { name: 'a recent date is only advisory', draft: 'Our new car park opened on 1 May 2026 and we hope it helps.', findings: [['date', '1 May 2026']] },
  { name: 'ten digits failing the modulus-11 check are not an NHS number', draft: 'Our reference for this is 943 476 5918.', findings: [['long-number', '943 476 5918']] },
];

const breaching: GuardCase[] = [
  { name: '"your GP" confirms a patient', draft: 'We are sorry your GP was running late.', findings: [['confirms-patient-relationship', 'your GP']] },
  { name: '"as our patient"', draft: 'As our patient, you can ask to speak to the practice manager.', findings: [['confirms-patient-relationship', 'As our patient']] },
  // The relationship rule now reads the encounter itself ("you were seen"), whatever word leads into it.
  { name: '"when you were seen"', draft: 'When you were seen last Tuesday, the doctor followed the guidelines.', findings: [['confirms-patient-relationship', 'you were seen']] },
  { name: '"your appointment"', draft: 'Your appointment was moved by the practice.', findings: [['confirms-patient-relationship', 'Your appointment']] },
  { name: '"your records" and a referral', draft: 'We have checked your records and the referral was sent.', findings: [['confirms-patient-relationship', 'your records'], ['clinical-information', 'referral']] },
  { name: 'medicines and diagnoses (plural form)', draft: 'Antibiotics are not appropriate for a viral infection.', findings: [['clinical-information', 'Antibiotics'], ['clinical-information', 'infection']] },
  { name: 'test results', draft: 'Your blood test was normal.', findings: [['confirms-patient-relationship', 'Your blood test'], ['clinical-information', 'blood test']] },
  { name: 'a diagnosis repeated back', draft: 'He was diagnosed with diabetes last year.', findings: [['clinical-information', 'diagnosed'], ['clinical-information', 'diabetes']] },
  // A prescription is general information, but someone's prescription is also clinical information.
  { name: '"your prescription"', draft: 'Thank you for your message. Your prescription was sent to the pharmacy.', findings: [['clinical-information', 'Your prescription'], ['confirms-patient-relationship', 'Your prescription']] },
  { name: '"a patient of ours", beside innocent "patient feedback"', draft: 'We value patient feedback, and as a patient of ours you will know how to reach us.', findings: [['confirms-patient-relationship', 'as a patient']] },
  { name: 'staff name with title', draft: 'Dr Patel has reviewed this.', findings: [['staff-name', 'Dr Patel']] },
  { name: 'staff full name, any case', draft: 'sarah jones on reception will call you.', findings: [['staff-name', 'sarah jones']] },
  { name: 'staff first name alone', draft: 'Please speak to Amir when you call us.', findings: [['staff-name', 'Amir']] },
  { name: 'an everyday-word name written as a name', draft: 'Please contact Will on reception.', findings: [['staff-name', 'Will']] },
  { name: 'NHS number with spaces', draft: 'The NHS number 943 476 5919 is on file.', findings: [['nhs-number', '943 476 5919']] },
  { name: 'NHS number without spaces', draft: 'Ref 4010232137.', findings: [['nhs-number', '4010232137']] },
  { name: 'ten digits failing the check but shaped like a phone number', draft: 'Ring 0114496000 for help.', findings: [['phone-number', '0114496000']] },
  { name: "a mobile number and a colleague's name", draft: "Please call Sarah's mobile 07700 900123.", findings: [['staff-name', 'Sarah'], ['phone-number', '07700 900123']] },
  { name: 'an international mobile', draft: 'Call us on +44 7700 900123.', findings: [['phone-number', '+44 7700 900123']] },
  { name: "someone else's email", draft: 'Email the practice manager at j.smith@gmail.com', findings: [['email-address', 'j.smith@gmail.com']] },
  { name: 'date of birth (numeric)', draft: 'Born on 12/03/1985, you are entitled to a review.', findings: [['date-of-birth', '12/03/1985']] },
  { name: 'date of birth (words)', draft: 'Date of birth: 3 March 1990.', findings: [['date-of-birth', '3 March 1990']] },
  { name: 'a DOB keyword alone', draft: 'We hold your DOB securely.', findings: [['confirms-patient-relationship', 'your DOB'], ['date-of-birth', 'DOB']] },
  { name: 'another phone number beside the practice\'s own', draft: 'Contact us at 0114 496 0000 or on 0161 496 0123.', findings: [['phone-number', '0161 496 0123']] },
  { name: 'too long (advisory)', draft: longReply, findings: [['too-long', longReply.split(/\s+/).slice(80).join(' ')]] },
  { name: 'argumentative (advisory)', draft: 'Frankly, this review is simply untrue.', findings: [['argumentative', 'Frankly'], ['argumentative', 'simply untrue']] },
  { name: 'legal threat (advisory)', draft: 'We will take legal action if this post is not removed.', findings: [['legal-threat', 'legal action']] },
  { name: 'solicitors (advisory)', draft: 'Our solicitors have been informed.', findings: [['legal-threat', 'solicitors']] },
  { name: 'shouting (advisory)', draft: 'THIS IS NOT ACCEPTABLE.', findings: [['argumentative', 'THIS IS NOT ACCEPTABLE']] },
  // Issue 11: any title with a name blocks, on the staff list or not (it was advisory).
  { name: 'a titled name not on the staff list blocks', draft: 'Dr Smith is a valued member of our team.', findings: [['person-name', 'Dr Smith']] },
];

describe('checkReply', () => {
  it('has at least 40 drafts, half clean and half breaching', () => {
    expect(clean.length + breaching.length).toBeGreaterThanOrEqual(40);
    expect(clean.length).toBeGreaterThanOrEqual(20);
    expect(breaching.length).toBeGreaterThanOrEqual(20);
  });

  it.each(clean)('clean: $name', ({ draft, findings }) => {
    const found = checkReply(draft, context);
    expect(hasBlocking(found)).toBe(false);
    expect(found.map((f) => [f.rule, draft.slice(f.start, f.end)])).toEqual(findings);
  });

  it.each(breaching)('breach: $name', ({ draft, findings }) => {
    const found = checkReply(draft, context);
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((f) => [f.rule, draft.slice(f.start, f.end)])).toEqual(findings);
  });

  it('grades each rule blocking or advisory as the policy says', () => {
    const blocking = ['confirms-patient-relationship', 'clinical-information', 'staff-name', 'person-name', 'nhs-number', 'date-of-birth', 'age', 'phone-number', 'email-address', 'home-address'];
    for (const { draft } of [...clean, ...breaching]) {
      for (const f of checkReply(draft, context)) {
        expect(f.severity, `${f.rule} in "${draft}"`).toBe(blocking.includes(f.rule) ? 'blocking' : 'advisory');
        expect(f.message.length).toBeGreaterThan(10);
        expect(f.start).toBeLessThan(f.end);
      }
    }
  });

  it('uses the policy\'s brief limit and extra clinical words', () => {
    const policy = loadPolicy();
    const ctx = guardContextFrom({ ...policy, replyGuard: { ...policy.replyGuard, briefWordLimit: 5, extraClinicalTerms: ['flu jab'] } }, { staffNames: [] });
    const found = checkReply('Thank you, the flu jab clinic is open to everyone today.', ctx);
    expect(found.map((f) => f.rule)).toEqual(['clinical-information', 'too-long']);
    expect(checkReply('Thank you, the flu jab clinic is open to everyone today.', { staffNames: [] })).toEqual([]);
  });

  it('without a practice number, every phone number is flagged', () => {
    expect(checkReply('Call 0114 496 0000.', { staffNames: [] }).map((f) => f.rule)).toEqual(['phone-number']);
  });

  // Issue 11: two clean replies were blocked because a historic date was read as a birth date.
  it('a bare historic date is only advisory; with birth context it blocks', () => {
    expect(checkReply('Thank you. 04/07/1962', context).map((f) => [f.rule, f.severity])).toEqual([['date', 'advisory']]);
    expect(checkReply('We have served the town since 1 May 1974.', context).map((f) => [f.rule, f.severity])).toEqual([['date', 'advisory']]);
    expect(hasBlocking(checkReply('Born 04/07/1962, you are eligible.', context))).toBe(true);
    expect(hasBlocking(checkReply('As a 41-year-old you would not be offered this.', context))).toBe(true);
  });
});

describe('NHS number check', () => {
  it.each([
    ['9434765919', true],
    ['943 476 5919', true],
    ['943-476-5919', true],
    ['4010232137', true],
    ['9434765918', false],
    ['943 476 5918', false],
    ['94347659190', false],
    ['9434 765 919', false],
    ['abcdefghij', false],
  ])('%s -> %s', (text, valid) => {
    expect(isValidNhsNumber(text)).toBe(valid);
  });

  it('has no check digit when the remainder gives 10', () => {
    // 1*10 + 0*9 ... = 10 -> 11 - 10 = 1; find a prefix whose check would be 10.
    const prefix = Array.from({ length: 1000 }, (_, i) => `123456${String(i).padStart(3, '0')}`).find((p) => nhsCheckDigit(p) === undefined);
    expect(prefix).toBeDefined();
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`${prefix}${d}`)).toBe(false);
  });
});
