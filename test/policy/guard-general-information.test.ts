import { describe, expect, it } from 'vitest';
import { checkReply, guardContextFrom, hasBlocking } from '../../src/domain/policy/guard.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { corpusContext } from './guard-corpus/context.ts';

/**
 * The general causes the second blind red team (redteam2.json) exposed, each checked on drafts in
 * no corpus: general information about normal practice passes, and care singled out is still blocked.
 */
const context = guardContextFrom(loadPolicy(), corpusContext);
const blocking = (draft: string) => checkReply(draft, context).filter((f) => f.severity === 'blocking');

describe('general information about normal practice (GMC: a reply may give it)', () => {
  it.each([
    'If you have diabetes, you can book a review with our nurses.',
    'Women over 25 are invited for cervical screening every three years.',
    'Our pharmacists can help with questions about your medicines and inhalers.',
    'If your baby is under 8 weeks and has a fever, call 111.',
    'Diabetes reviews are available every week with our nurses.',
    'People with asthma are invited for an annual review.',
    'If you need a sick note, please complete an online consultation.',
    'You can order your repeat prescription through the NHS App.',
    'Medication reviews are offered to everyone on long-term medicines.',
    'Everyone over 50 is invited for bowel screening every two years.',
    'Death certificates are now reviewed by the medical examiner before they are issued.',
    'If you are worried about a lump, please book an appointment.',
    'Our reception team answer 600 calls a day.',
    'Call the NHS Smokefree helpline free on 0300 123 1044.',
    "Happy St David's Day from everyone at Millbrook!",
    "We're closed on New Year's Eve afternoon.",
    'Staff from reception will be at the open day.',
    'Our locum GPs work on Tuesdays and Thursdays.',
    'Our nurse on Tuesday afternoons runs the travel clinic.',
    'We have your best interests at heart.',
    'Our team have been part of the community since 1974.',
    'Please leave your details with reception and the practice manager will call you back.',
  ])('passes "%s"', (draft) => {
    expect(blocking(draft)).toEqual([]);
  });

  it.each([
    'Anyone can see your diabetes is getting worse.',
    'Patients are offered a review, and your depression review is every month.',
    'Your asthma clinic is available every Tuesday.',
    'You may need another smear as the sample is being re-tested.',
    'Everyone in the team is thinking of your dad.',
    'People with cancer, like your wife, are offered extra support.',
    'You can collect your fit note from reception.',
    "If you're the person who posted, your results are ready.",
    'If you wish, you are welcome to discuss your diabetes with us.',
    'If your mum\'s diabetes is worse, we already offered a review last week.',
  ])('still blocks care singled out inside a general sentence: "%s"', (draft) => {
    expect(blocking(draft)).not.toEqual([]);
  });
});

describe('the patient relationship said without a record word', () => {
  it.each([
    'We have no record of your call.',
    'Our team holds your number and will ring later.',
    'The nurse involved has been spoken to.',
    'The receptionist on Monday has apologised.',
    "We've updated your record.",
    'Your poor mum has had a terrible time.',
    'That prescription of yours was ready on Friday.',
    'The address we have for you is out of date.',
    'We look forward to seeing you at your asthma review.',
    'She was part of our practice family for years.',
    'The GP who booked her in has been informed.',
    'Your 6-monthly review is due.',
    'He has been coming to the surgery since 1990.',
    'As your GP practice we have a duty of care.',
  ])('blocks "%s"', (draft) => {
    expect(blocking(draft).map((f) => f.rule)).toContain('confirms-patient-relationship');
  });
});

describe('disguises read through', () => {
  it.each([
    ['&#x4B;elly has apologised.', 'staff-name'],
    ['Our nurse K&#101;lly will ring.', 'staff-name'],
    ['Text 07700\u{1F31F}900\u{1F31F}456.', 'phone-number'],
    ['Ring 07700 9001four6 tonight.', 'phone-number'],
    ['The Hugh-es family have been told.', 'person-name'],
    ['Flat at twenty-one Mill Street, please.', 'home-address'],
    ['b. 1958, she qualifies.', 'date-of-birth'],
  ])('"%s" -> %s', (draft, rule) => {
    expect(blocking(draft).map((f) => f.rule)).toContain(rule);
  });
});
