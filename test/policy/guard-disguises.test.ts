import { describe, expect, it } from 'vitest';
import { checkReply, guardContextFrom, hasBlocking } from '../../src/domain/policy/guard.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { corpusContext } from './guard-corpus/context.ts';

/**
 * The general causes the third blind red team (redteam3.json, deliberate disguises) exposed, each
 * checked on drafts that are in no corpus: what must now be blocked, and the replies that must pass.
 */
const context = guardContextFrom(loadPolicy(), corpusContext);
const blocked = (draft: string) => hasBlocking(checkReply(draft, context));
const rulesOf = (draft: string) => checkReply(draft, context).filter((f) => f.severity === 'blocking').map((f) => f.rule);

describe('letters from other scripts and styles', () => {
  it.each([
    ['Armenian', 'We have read y\u0585\u057dr n\u0585tes.'],
    ['Cherokee', 'Your \u13b7\u13a1\u13a0ICAL history is on file.'],
    ['Lisu', 'Your \ua4e3\ua4f0\ua4da\ua4f3\ua4e3\ua4d3\ua4e2 were checked.'],
    ['small capitals', 'Your \u1d05\u026a\u1d00\u0299\u1d07\u1d1b\u1d07\ua731 review is due.'],
    ['squared and negative-circled letters', 'We checked your \u{1f181}\u{1f174}\u{1f172}\u{1f17e}\u{1f181}\u{1f173}\u{1f182}.'],
    ['regional-indicator letters', 'We checked your \u{1f1f3}\u{1f1f4}\u{1f1f9}\u{1f1ea}\u{1f1f8}.'],
  ])('%s', (_how, draft) => {
    expect(blocked(draft)).toBe(true);
  });
});

describe('words split or wrapped', () => {
  it.each([
    'We checked your no tes and they are complete.',
    'Your pres.cription is at the chemist.',
    'Your as\nthma review is overdue.',
    'Your prescrip-\ntion has been sent.',
    'We checked your rec<i>ords</i>.',
    'We checked your `notes` carefully.',
    'Your repeat of omepra_zole is ready.',
    'The message from Kel ly was passed on.',
    'Please email k.hughes%40gmail.com.',
  ])('%s', (draft) => {
    expect(blocked(draft)).toBe(true);
  });

  it('reads text under a right-to-left override as it is shown, and as it was typed', () => {
    expect(blocked('We looked at \u202estluser ruoy\u202c today.')).toBe(true);
    expect(blocked('Dr\u202e Okafor\u202c will reply.')).toBe(true);
  });

  it('reads a name run into a hashtag or an @handle, and a name typed backwards', () => {
    expect(rulesOf('Thanks to #NurseKelly for her help.').length).toBeGreaterThan(0);
    expect(rulesOf('@dr.okafor will be in touch.').length).toBeGreaterThan(0);
    expect(rulesOf('Please ask for Dr nosliW.').length).toBeGreaterThan(0);
  });

  it('passes everyday words that only sit next to each other, and the practice signing itself', () => {
    expect(blocked('We are sorry. Please call Millbrook Medical Centre on 0114 496 0000.')).toBe(false);
    expect(blocked('**Thank you** for your _kind_ words, we will pass them on to the team.')).toBe(false);
    expect(blocked('Follow #ThankYouNHS for stories from across the NHS.')).toBe(false);
    expect(blocked('A doctor will call back anyone who asks for a call back.')).toBe(false);
  });
});

describe('numbers told in pieces', () => {
  it('blocks an NHS number split across sentences (its pieces pass the checksum together)', () => {
    expect(rulesOf('The first part is 401 023. The rest is 2137.')).toContain('nhs-number');
  });

  it('leaves dates and counts that happen to sit near each other', () => {
    expect(rulesOf('We had 123 calls on Monday, 456 on Tuesday and 7890 this month.')).not.toContain('nhs-number');
  });

  it('blocks a UK mobile written as 44 without its plus', () => {
    expect(rulesOf('Text 447700 900321 for a reply.')).toContain('phone-number');
  });
});

describe('the relationship by implication, negation or question', () => {
  it.each([
    'This gentleman was not refused an appointment.',
    'Was she not offered a telephone consultation?',
    'The nurse concerned has since been spoken to.',
    'That referral was delayed by the hospital, not us.',
    'We never lost your sample.',
    'There is no record of any call from that number.',
    'Our call recordings do show the conversation.',
    'Your slot at 9:40 tomorrow is confirmed.',
    'Thank you for popping in this afternoon.',
    'The complainant\u2019s repeat prescription was issued.',
    'We have watched back the CCTV from that morning.',
    'Sorry the receptionist was short with you.',
    'Yr referral went off on time.',
    'Your sugar levels were fine.',
    'She lives on Mill Lane, so she is in our area.',
    'Being nearly sixty, you are due a check.',
    'We have your N.H.S. number already.',
    'As a 52-year-old, you would usually be invited.',
  ])('%s', (draft) => {
    expect(blocked(draft)).toBe(true);
  });

  it.each([
    'Fit notes can be requested online.',
    'Our nursing team runs baby clinics each Tuesday.',
    'Antibiotics are usually not needed for a sore throat.',
    'Have you seen our new website?',
    'Thanks for coming to our open day, it was great to meet so many of you.',
    'We never refuse to see anyone who needs urgent care.',
    'Get your free flu jab at our Saturday clinic.',
    'We would love to see you at our open evening next Thursday.',
    'Raised cholesterol usually causes no symptoms.',
    'Cervical screening letters are posted by the national programme.',
    '#Millbrook #GP #Sheffield #NHS',
  ])('passes general information: %s', (draft) => {
    expect(blocked(draft)).toBe(false);
  });
});

describe('long hostile drafts', () => {
  it.each(['re cords ', '\u202e', '#Dr', '@a.b', '%41', '<b>', '_a_', 'x\n', 'Kel ly ', '943 476. ', '\u{1f181}', 'aA '])(
    'a 5,000-character draft of %j returns a result',
    (piece) => {
      const draft = piece.repeat(Math.ceil(5000 / piece.length)).slice(0, 5000);
      expect(Array.isArray(checkReply(draft, context))).toBe(true);
    },
  );
});
