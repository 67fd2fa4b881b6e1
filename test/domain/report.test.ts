import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  move,
  newDraft,
  parseReport,
  parseWhat,
  parseWhere,
  takeAnswers,
  type ReportDraft,
} from '../../src/domain/report.ts';
import { londonToInstant } from '../../src/domain/ukTime.ts';
import { formatReference, parseReference } from '../../src/domain/reference.ts';

const now = new Date('2026-11-24T10:30:00Z');
const reporter = { aadObjectId: 'aad-1', name: 'Rita Reception' };

function draft(): ReportDraft {
  return newDraft({ id: 'd1', practiceId: 'millbrook', reporter, now });
}

const whereOk = { platform: 'facebook', postUrl: 'https://facebook.com/p/1', seenDate: '2026-11-24', seenTime: '09:15', authorRelationship: 'patient' };
const whatOk = { postText: 'The receptionist is useless', categories: 'personal-attack,names-staff', namedParties: 'colleagues' };

function filled(): ReportDraft {
  let d = takeAnswers(draft(), 'where', whereOk, now);
  d = takeAnswers(d, 'what', whatOk, now);
  d = takeAnswers(d, 'risk', { atRisk: 'no' }, now);
  d = takeAnswers(d, 'evidence', { noScreenshot: 'true', noScreenshotReason: 'Post already deleted' }, now);
  return d;
}

describe('a new draft', () => {
  it('starts at the first step, defaults the time seen to now in UK time and expires in 7 days', () => {
    const d = draft();
    expect(d.step).toBe('where');
    expect(d.answers.seenDate).toBe('2026-11-24');
    expect(d.answers.seenTime).toBe('10:30');
    expect(d.expiresAt).toBe('2026-12-01T10:30:00.000Z');
  });
});

describe('where', () => {
  it('accepts a complete answer', () => {
    const r = parseWhere(takeAnswers(draft(), 'where', whereOk, now).answers, now);
    expect(r.ok && r.value.seenAt).toBe('2026-11-24T09:15:00.000Z');
  });
  it.each([
    [{ platform: '' }, 'platform'],
    [{ platform: 'myspace' }, 'platform'],
    [{ postUrl: 'javascript:alert(1)' }, 'postUrl'],
    [{ postUrl: 'not a link' }, 'postUrl'],
    [{ postUrl: 'ftp://example.com/x' }, 'postUrl'],
    [{ seenDate: '' }, 'seenDate'],
    [{ seenDate: '2026-02-30' }, 'seenDate'],
    [{ seenTime: 'noon' }, 'seenTime'],
    [{ seenDate: '2026-11-25' }, 'seenTime'],
    [{ seenDate: '2024-01-01' }, 'seenDate'],
    [{ authorName: 'x'.repeat(LIMITS.authorName + 1) }, 'authorName'],
    [{ authorRelationship: 'alien' }, 'authorRelationship'],
  ])('refuses %o on the field %s', (change, field) => {
    const r = parseWhere(takeAnswers(draft(), 'where', { ...whereOk, ...change }, now).answers, now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.error)).toContain(field);
  });
  it('treats a BST wall-clock time as UK time', () => {
    expect(londonToInstant('2026-07-01', '09:00')?.toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(londonToInstant('2026-12-01', '09:00')?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });
});

describe('what', () => {
  it('requires the post text and at least one category', () => {
    const r = parseWhat({ postText: '  ', categories: '' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.error).sort()).toEqual(['categories', 'postText']);
  });
  it('refuses a post text over the limit and unknown categories', () => {
    const r = parseWhat({ postText: 'x'.repeat(LIMITS.postText + 1), categories: 'threat,made-up' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.error).sort()).toEqual(['categories', 'postText']);
  });
  it('keeps hostile text exactly as written', () => {
    const text = '${$root.secret} [click](http://evil.example) {"type":"Action.OpenUrl"}';
    const r = parseWhat({ postText: text, categories: 'other-criticism' });
    expect(r.ok && r.value.postText).toBe(text);
  });
  it('counts named colleagues as naming colleagues', () => {
    const r = parseWhat({ postText: 'x', categories: 'names-staff', namedColleagues: 'Dr Smith' });
    expect(r.ok && r.value.namedParties).toEqual(['colleagues']);
  });
});

describe('taking answers', () => {
  it('ignores fields that do not belong to the step and values that are not text', () => {
    const d = takeAnswers(draft(), 'where', { ...whereOk, postText: 'sneaky', step: 'review', platform: { evil: true } }, now);
    expect(d.answers.postText).toBeUndefined();
    expect(d.answers.platform).toBe('');
  });
  it('never keeps an unbounded value', () => {
    const d = takeAnswers(draft(), 'what', { postText: 'y'.repeat(100_000) }, now);
    expect(d.answers.postText?.length).toBe(LIMITS.postText + 1);
  });
  it('keeps the risk answer when the Next button (which has no risk input) is pressed', () => {
    const d = takeAnswers(takeAnswers(draft(), 'risk', { atRisk: 'yes' }, now), 'risk', { riskDetails: 'Threat to Dr A' }, now);
    expect(d.answers.atRisk).toBe('yes');
  });
});

describe('moving between steps', () => {
  it('Next validates and stays with errors; Back never validates', () => {
    const d = takeAnswers(draft(), 'where', { platform: '' }, now);
    const next = move(d, 'where', { kind: 'next' }, now);
    expect(next.draft.step).toBe('where');
    expect(next.errors.platform).toBeDefined();
    const what = { ...d, step: 'what' as const };
    expect(move(what, 'what', { kind: 'back' }, now).draft.step).toBe('where');
  });
  it('Edit from the review returns to the review after Next', () => {
    const d = { ...filled(), step: 'review' as const };
    const editing = move(d, 'review', { kind: 'edit', step: 'what' }, now).draft;
    expect(editing.step).toBe('what');
    expect(move(editing, 'what', { kind: 'next' }, now).draft.step).toBe('review');
  });
});

describe('evidence and the whole report', () => {
  it('needs a screenshot or an explicit "no screenshot"', () => {
    const d = takeAnswers(filled(), 'evidence', { noScreenshot: 'false' }, now);
    const r = parseReport(d, now);
    expect(!r.ok && r.error.step).toBe('evidence');
  });
  it('records the lack of a screenshot', () => {
    const r = parseReport(filled(), now);
    expect(r.ok && r.value.evidence.noScreenshotReason).toBe('Post already deleted');
  });
  it('reports the first step with a problem', () => {
    const d = { ...filled(), answers: { ...filled().answers, postText: '' } };
    const r = parseReport(d, now);
    expect(!r.ok && r.error.step).toBe('what');
  });
});

describe('references', () => {
  it('formats and reads back what people type', () => {
    expect(formatReference(2026, 42)).toBe('PW-2026-0042');
    expect(parseReference(' pw 2026 42 ')).toBe('PW-2026-0042');
    expect(parseReference('PW-2026-0042')).toBe('PW-2026-0042');
    expect(parseReference('2026-42')).toBeUndefined();
  });
});
