import { describe, expect, it } from 'vitest';
import { checkReply, guardContextFrom, hasBlocking } from '../../src/domain/policy/guard.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { corpusContext } from './guard-corpus/context.ts';

/**
 * The general causes the blind red-team corpus exposed (issue 11 part 5), each checked on drafts
 * that are in no corpus: what must now be blocked, and the everyday replies that must still pass.
 */
const context = guardContextFrom(loadPolicy(), corpusContext);
const blocked = (draft: string) => hasBlocking(checkReply(draft, context));
const rulesOf = (draft: string) => checkReply(draft, context).filter((f) => f.severity === 'blocking').map((f) => f.rule);

describe('the patient relationship told as a story', () => {
  it.each([
    'I called you on Friday to apologise.',
    'Our receptionist spoke to you at length about this.',
    'We did try to contact your husband but there was no answer.',
    'We emailed you the forms.',
    'The letter I sent you explains everything.',
    'It was great to meet her at the open day.',
    'Our GP remembers your mum very well.',
    'Following your conversation with our clinician, a plan has been made.',
    'See you at your review on Tuesday.',
    'The patient in question has since been discharged.',
    'This lady has been offered a meeting.',
  ])('blocks "%s" as confirming a patient', (draft) => {
    expect(rulesOf(draft)).toContain('confirms-patient-relationship');
  });

  it.each([
    'The call you made on Tuesday was answered in four minutes.',
    'Your visit on the 14th was with a locum.',
    'We checked and the doctor did return the call at 11:15 yesterday, she said.',
  ])('blocks what the person did, pinned to a day: "%s"', (draft) => {
    expect(blocked(draft)).toBe(true);
  });

  it.each([
    'We would be happy to speak to you about this, please call the surgery.',
    'Our team will call you back if you leave a message.',
    'We have seen your comments and would like to help.',
    'We saw your post and we are sorry to read this.',
    'Thank you, we really appreciated your kind words last week.',
    'If you called on Monday morning, we apologise: our phone lines were down for two hours.',
    'We are sorry you had to wait so long on the phone yesterday.',
    'It was lovely to see so many people at our open day on Saturday.',
    'Please note the surgery was closed on Monday afternoon for staff training.',
    "We'd like to reassure everyone that patient confidentiality matters to us.",
    'We cannot confirm or deny whether anyone is a patient at the practice.',
  ])('lets the general reply "%s" through', (draft) => {
    expect(checkReply(draft, context).filter((f) => f.severity === 'blocking')).toEqual([]);
  });
});

describe('"their" after anyone, patients or parents is everyone\'s', () => {
  it.each([
    'Anyone who has concerns about their medication should speak to their pharmacist.',
    'Patients can order their repeat prescriptions through the NHS App.',
    "Parents can book their child's vaccinations online.",
  ])('lets "%s" through', (draft) => {
    expect(checkReply(draft, context).filter((f) => f.severity === 'blocking')).toEqual([]);
  });

  it('still blocks "their" about one person', () => {
    expect(rulesOf('We have reviewed their notes and their medication.')).toContain('confirms-patient-relationship');
  });
});

describe('clinical information the word list missed', () => {
  it.each([
    'She was given naproxen for the pain.',
    'The co-codamol was stopped.',
    'We hope he is recovering well.',
    'Hope the little one is feeling better!',
    'The flu jab was postponed until next week.',
  ])('blocks "%s"', (draft) => {
    expect(rulesOf(draft)).toContain('clinical-information');
  });

  it('a campaign in general still passes', () => {
    expect(blocked('The flu vaccine is offered every autumn to eligible patients.')).toBe(false);
    expect(blocked('Services across the NHS are still recovering after the pandemic.')).toBe(false);
  });
});

describe('names in a signature or disguised with digits', () => {
  it.each(['Thanks, Practice Manager (RB)', 'Best wishes, KP', 'JW, Practice Manager', 'Our receptionist K3lly was following the script.', 'Please speak to Dr 0kaf0r.'])(
    'blocks "%s"',
    (draft) => {
      expect(rulesOf(draft).some((r) => r === 'person-name' || r === 'staff-name')).toBe(true);
    },
  );

  it('an acronym beside a role is not someone\'s initials', () => {
    expect(blocked('Please contact the NHS, PALS or our practice manager.')).toBe(false);
    expect(blocked('Kind regards, NHS Millbrook Medical Centre')).toBe(false);
  });
});

describe('answering on the page is not a contact with the practice', () => {
  it.each(["We've sent you a private message.", "We've sent you a DM with the practice manager's email.", 'Thank you for your patience while we upgraded our phones on Monday.'])(
    'lets "%s" through',
    (draft) => {
      expect(checkReply(draft, context).filter((f) => f.severity === 'blocking')).toEqual([]);
    },
  );

  it('but a text about their appointment is', () => {
    expect(blocked("We've sent you a text with your appointment time.")).toBe(true);
  });
});
