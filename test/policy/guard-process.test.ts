import { describe, expect, it } from 'vitest';
import { checkReply, guardContextFrom, hasBlocking, reviewReply, usableNameParts } from '../../src/domain/policy/guard.ts';
import { renderReplyDraft } from '../../src/domain/policy/templates.ts';
import { normalise, originalSpan } from '../../src/domain/policy/reply-guard/normalise.ts';
import { validatePolicy } from '../../src/domain/policy/validate.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { corpusContext } from './guard-corpus/context.ts';
import { CORPORA, score } from './guard-corpus/evaluate.ts';

const policy = loadPolicy();
const context = guardContextFrom(policy, corpusContext);

describe('normalising a draft first', () => {
  it.each([
    ['homoglyphs', 'Dr Раtеl', 'Dr Patel'],
    ['zero-width and soft hyphens', 'y\u200bour pre\u00adscription', 'your prescription'],
    ['bidi controls', 'Dr\u202e Khan\u202c', 'Dr Khan'],
    ['full-width', 'ＮＨＳ ６２３', 'NHS 623'],
    ['digits of any script', '٤٧٣ ४३३', '473 433'],
    ['spelled digits in a number', 'call oh one one four, four nine six, zero one two three', 'call 01144960123'],
    ['letters for digits inside a number', '07700 9OO 4l2', '07700 900 412'],
    ['no-break spaces', '446\u00a0244', '446 244'],
  ])('%s', (_name, draft, expected) => {
    expect(normalise(draft).text).toBe(expected);
  });

  it('leaves words that are not numbers alone', () => {
    expect(normalise('One of our team will call you at two.').text).toBe('One of our team will call you at two.');
  });

  it('maps every finding back to the characters the manager typed', () => {
    const draft = 'Thanks. Please quote ６２３８\u200b０９６００４ or ask Dr Раtеl.';
    const found = checkReply(draft, context);
    expect(found.map((f) => [f.rule, draft.slice(f.start, f.end)])).toEqual([
      ['nhs-number', '６２３８\u200b０９６００４'],
      ['staff-name', 'Dr Раtеl'],
    ]);
    const n = normalise('ab\u200bc');
    expect(originalSpan(n, 2, 3)).toEqual({ start: 3, end: 4 });
  });
});

describe('approved sentences and free text', () => {
  it('a reply made of approved sentences, with the practice\'s values in the slots, has no free text', () => {
    const review = reviewReply(
      'Thank you for your feedback. We are sorry to read this. Please contact Millbrook Medical Centre directly on 0114 4960000 or at reception.millbrook@nhs.net. Please ask to speak to the practice manager.',
      context,
    );
    expect(review.freeText).toEqual([]);
    expect(review.sentences).toHaveLength(4);
    expect(hasBlocking(review.findings)).toBe(false);
  });

  it('every other sentence is free text, listed as typed', () => {
    const draft = 'Thank you for your feedback. Our phone lines open at 8am. Please ask to speak to the Dr. Smith.';
    const review = reviewReply(draft, context);
    expect(review.freeText.map((s) => s.text)).toEqual(['Our phone lines open at 8am.', 'Please ask to speak to the Dr. Smith.']);
    expect(review.freeText.map((s) => draft.slice(s.start, s.end))).toEqual(review.freeText.map((s) => s.text));
  });

  it('a slot takes only the practice\'s own values: another number makes the sentence free text', () => {
    const review = reviewReply('Please contact us directly on 0161 496 0123.', context);
    expect(review.freeText).toHaveLength(1);
    expect(review.findings.map((f) => f.rule)).toEqual(['phone-number']);
  });

  it('an approved sentence the guard would block is a configuration error naming it, at policy load', () => {
    const bad = { ...policy, replyGuard: { ...policy.replyGuard, approvedSentences: [...policy.replyGuard.approvedSentences, 'Your GP, Dr Shah, will call you back.'] } };
    const result = validatePolicy(bad);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toHaveLength(1);
      expect(result.error[0]).toContain('replyGuard.approvedSentences[');
      expect(result.error[0]).toContain('"Your GP, Dr Shah, will call you back."');
    }
    const unknownSlot = { ...policy, replyGuard: { ...policy.replyGuard, approvedSentences: ['Please ask for {{staffName}}.'] } };
    const slot = validatePolicy(unknownSlot);
    expect(slot.ok).toBe(false);
    if (!slot.ok) expect(slot.error.join('\n')).toContain('unknown slot {{staffName}}');
  });
});

describe('names typed by people are filtered before they become rules', () => {
  it('stop words, titles, single letters and lower-case everyday words are dropped', () => {
    expect(usableNameParts('the')).toEqual([]);
    expect(usableNameParts('thank, we')).toEqual([]);
    expect(usableNameParts('you practice x Dr')).toEqual([]);
    expect(usableNameParts('will')).toEqual([]);
    expect(usableNameParts('Will Hope')).toEqual(['Will', 'Hope']);
    expect(usableNameParts('@kelly_b')).toEqual(['kelly']);
  });

  it('"the, thank, we" as colleague names does not block every reply', () => {
    const ctx = guardContextFrom(policy, { staffNames: ['the', 'thank', 'we'], reportedNames: ['the', 'Thank', 'WE', 'you'] });
    const found = checkReply('Thank you for your feedback. We are sorry to read this and we would like to talk to you.', ctx);
    expect(found).toEqual([]);
  });

  it('names in the post, its author and the report block; the practice\'s own name does not', () => {
    expect(hasBlocking(checkReply('Kelly would like to apologise.', context))).toBe(true);
    expect(hasBlocking(checkReply('Hi Dave, please get in touch.', context))).toBe(true);
    expect(hasBlocking(checkReply('Okafor has read your post.', context))).toBe(true);
    expect(checkReply('Please contact Millbrook Medical Centre directly.', context)).toEqual([]);
  });
});

describe('the corpus (test/policy/guard-corpus)', () => {
  it('has at least 200 breaching and 60 clean drafts', () => {
    const all = score('all', CORPORA.all);
    expect(all.breachTotal).toBeGreaterThanOrEqual(200);
    expect(all.cleanTotal).toBeGreaterThanOrEqual(60);
  });

  it('scores the blind red-team part (redteam.json): at least 120 breaching and 80 clean drafts, every class present', () => {
    const red = score('redteam', CORPORA.redteam);
    expect(red.breachTotal).toBeGreaterThanOrEqual(120);
    expect(red.cleanTotal).toBeGreaterThanOrEqual(80);
    expect(red.classes.filter((row) => row.total === 0).map((row) => row.cls)).toEqual([]);
  });

  it('scores the second blind red-team part (redteam2.json): at least 120 breaching and 100 clean drafts, every class present', () => {
    const red = score('redteam2', CORPORA.redteam2);
    expect(red.breachTotal).toBeGreaterThanOrEqual(120);
    expect(red.cleanTotal).toBeGreaterThanOrEqual(100);
    expect(red.classes.filter((row) => row.total === 0).map((row) => row.cls)).toEqual([]);
  });

  it('scores the third blind red-team part (redteam3.json, deliberate disguises): at least 100 breaching and 100 clean drafts, every class present', () => {
    const red = score('redteam3', CORPORA.redteam3);
    expect(red.breachTotal).toBeGreaterThanOrEqual(100);
    expect(red.cleanTotal).toBeGreaterThanOrEqual(100);
    expect(red.classes.filter((row) => row.total === 0).map((row) => row.cls)).toEqual([]);
  });

  it.each(Object.keys(CORPORA) as (keyof typeof CORPORA)[])('%s: at least 95 percent of breaching drafts blocked, at most 3 percent of clean ones', (name) => {
    const s = score(name, CORPORA[name]);
    expect(s.missed.map((m) => m.draft), 'missed').toHaveLength(Math.min(s.missed.length, Math.floor(s.breachTotal * 0.05)));
    expect(s.breachCaught / s.breachTotal).toBeGreaterThanOrEqual(0.95);
    expect(s.cleanBlocked / s.cleanTotal).toBeLessThanOrEqual(0.03);
  });
});

describe('the guard works its patterns out once and keeps them apart', () => {
  it('gives the same review the second time, for each practice and staff list on its own', () => {
    const draft = 'Please contact Dr Okafor or Millbrook Smith at reception.';
    const millbrook = guardContextFrom(policy, { staffNames: ['Millbrook Smith'], practiceName: 'Millbrook Medical Centre' });
    const other = guardContextFrom(policy, { staffNames: ['Millbrook Smith'], practiceName: 'Riverside Surgery' });
    const staffFound = (context: typeof millbrook) => reviewReply(draft, context).findings.filter((f) => f.rule === 'staff-name').map((f) => draft.slice(f.start, f.end));
    // At Millbrook "Millbrook" is the practice's own word, so the staff name is "Smith"; elsewhere it
    // is the whole name. Asked in turn, each practice keeps its own reading (no pattern leaks across).
    const atMillbrook = staffFound(millbrook);
    const atRiverside = staffFound(other);
    expect(atMillbrook).toContain('Smith');
    expect(atMillbrook).not.toContain('Millbrook Smith');
    expect(atRiverside).toContain('Millbrook Smith');
    expect([staffFound(millbrook), staffFound(other), staffFound(millbrook)]).toEqual([atMillbrook, atRiverside, atMillbrook]);
    const noStaff = reviewReply(draft, guardContextFrom(policy, { staffNames: [], practiceName: 'Riverside Surgery' }));
    expect(noStaff.findings.some((f) => f.rule === 'staff-name')).toBe(false);
  });

  it('matches approved sentences with each practice own name and number, not the last one seen', () => {
    const millbrook = { practiceName: 'Millbrook Medical Centre', practicePhone: '01632 960000', practiceEmail: 'reception.millbrook@nhs.net' };
    const riverside = { practiceName: 'Riverside Surgery', practicePhone: '01632 960111', practiceEmail: 'riverside.surgery@nhs.net' };
    const drafted = renderReplyDraft(policy, 'public-reply', millbrook);
    if (!drafted.ok) throw new Error('the default policy drafts a public reply');
    const asMillbrook = () => reviewReply(drafted.value, guardContextFrom(policy, { staffNames: [], ...millbrook }));
    expect(asMillbrook().freeText).toEqual([]);
    // The same words are free text for a practice whose name and number they are not.
    expect(reviewReply(drafted.value, guardContextFrom(policy, { staffNames: [], ...riverside })).freeText.length).toBeGreaterThan(0);
    expect(asMillbrook().freeText).toEqual([]);
  });
});
