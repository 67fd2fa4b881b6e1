import { describe, expect, it } from 'vitest';
import {
  CARD_VERBS,
  DIGEST_VERBS,
  digestOpenSchema,
  ID_MAX,
  INCIDENT_INPUTS,
  INCIDENT_VERBS,
  incidentPressSchema,
  INPUT_MAX,
  REFERENCE_MAX,
  REGISTER_PAGE_MAX,
  REGISTER_VERBS,
  registerPageSchema,
  reportStepSchema,
  VERBS,
} from '../../src/contract/cards.ts';
import { LIMITS, STEP_FIELDS } from '../../src/domain/report.ts';

/** The card contract's schemas: what a press's data must be before anything is read for it. */

const CARD = { practiceId: 'millbrook', reference: 'PW-2026-0042', version: 3 };

describe('the card verbs', () => {
  it('are distinct across the families, and CARD_VERBS lists each once', () => {
    const all = [...Object.values(VERBS), ...Object.values(INCIDENT_VERBS), ...Object.values(DIGEST_VERBS), ...Object.values(REGISTER_VERBS)];
    expect(new Set(all).size).toBe(all.length);
    expect([...CARD_VERBS].sort()).toEqual([...all].sort());
  });
});

describe('incident press data', () => {
  it('takes what the incident card sends: its ids and its inputs', () => {
    const parsed = incidentPressSchema.parse({ ...CARD, reason: 'Not worth a reply', replyText: 'Thank you.', reporterPostsReply: 'false' });
    expect(parsed).toMatchObject({ ...CARD, reason: 'Not worth a reply', replyText: 'Thank you.', reporterPostsReply: 'false' });
    // "incident PW-…" and the digest send no version; old cards no practice.
    expect(incidentPressSchema.safeParse({ reference: CARD.reference }).success).toBe(true);
  });

  it('reads only the outcome box of the task pressed, never a taskOutcome the client sent as such', () => {
    const data = { ...CARD, taskId: 't2', [`${INCIDENT_INPUTS.taskOutcomePrefix}t1`]: 'other task', [`${INCIDENT_INPUTS.taskOutcomePrefix}t2`]: 'Reported to Facebook, ref 123', taskOutcome: 'forged' };
    expect(incidentPressSchema.parse(data).taskOutcome).toBe('Reported to Facebook, ref 123');
    expect(incidentPressSchema.parse({ ...CARD, taskId: 't3', taskOutcome: 'forged' }).taskOutcome).toBeUndefined();
    // A task id naming a key of every object finds nothing of the prototype.
    expect(incidentPressSchema.parse({ ...CARD, taskId: '_proto__' }).taskOutcome).toBeUndefined();
  });

  it('keeps nothing it does not know: extra keys, __proto__ and constructor are dropped, and no prototype is touched', () => {
    const raw = JSON.parse(`{"__proto__":{"practiceId":"cockhedge"},"constructor":{"prototype":{"polluted":true}},"role":"manager","reference":"PW-2026-0042"}`);
    const parsed = incidentPressSchema.parse(raw);
    expect(Object.keys(parsed).filter((k) => (parsed as Record<string, unknown>)[k] !== undefined)).toEqual(['reference']);
    expect(parsed.practiceId).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).practiceId).toBeUndefined();
  });

  it.each([
    ['no reference', { practiceId: 'millbrook' }],
    ['a reference that is not a string', { reference: { $gt: '' } }],
    ['a reference longer than any reference', { reference: `PW-2026-0042${'x'.repeat(REFERENCE_MAX)}` }],
    ['a practice id longer than any practice id', { ...CARD, practiceId: 'p'.repeat(ID_MAX + 1) }],
    ['a version that is not a count', { ...CARD, version: 'latest' }],
    ['a typed answer that is not text', { ...CARD, replyText: ['Thank', 'you'] }],
    ['a typed answer longer than anyone types', { ...CARD, replyText: 'x'.repeat(INPUT_MAX + 1) }],
    ['a task outcome longer than anyone types', { ...CARD, taskId: 't1', outcome_t1: 'x'.repeat(INPUT_MAX + 1) }],
    ['not an object', 'PW-2026-0042'],
  ])('refuses %s', (_, data) => {
    expect(incidentPressSchema.safeParse(data).success).toBe(false);
  });

  it('takes a typed answer right up to the bound', () => {
    expect(incidentPressSchema.safeParse({ ...CARD, replyText: 'x'.repeat(INPUT_MAX) }).success).toBe(true);
  });
});

describe('report step data', () => {
  it('has a bounded text field for every input of every step card, and no other', () => {
    const inputs = Object.keys(reportStepSchema.shape).filter((k) => !['draftId', 'step', 'editStep', 'answer'].includes(k));
    expect(inputs.sort()).toEqual([...new Set(Object.values(STEP_FIELDS).flat())].sort());
  });

  it('keeps an answer over its field limit, so the person is shown the field\'s own "too long" message', () => {
    const parsed = reportStepSchema.parse({ draftId: 'd1', step: 'what', postText: 'x'.repeat(LIMITS.postText + 1) });
    expect(parsed.postText).toHaveLength(LIMITS.postText + 1);
  });

  it.each([
    ['no draft id', { step: 'where' }],
    ['a draft id that is not a string', { draftId: 7, step: 'where' }],
    ['a draft id longer than any id', { draftId: 'd'.repeat(ID_MAX + 1), step: 'where' }],
    ['a step name longer than any step', { draftId: 'd1', step: 'w'.repeat(100) }],
    ['an answer that is not text', { draftId: 'd1', step: 'where', platform: { facebook: true } }],
    ['an answer longer than anyone types', { draftId: 'd1', step: 'what', postText: 'x'.repeat(INPUT_MAX + 1) }],
  ])('refuses %s', (_, data) => {
    expect(reportStepSchema.safeParse(data).success).toBe(false);
  });
});

describe('the digest and the register', () => {
  it('a digest line names a practice and a reference, both bounded', () => {
    expect(digestOpenSchema.parse({ practiceId: 'digest', reference: 'PW-2026-0001', extra: 1 })).toEqual({ practiceId: 'digest', reference: 'PW-2026-0001' });
    expect(digestOpenSchema.safeParse({ practiceId: 'digest', reference: 'x'.repeat(REFERENCE_MAX + 1) }).success).toBe(false);
    expect(digestOpenSchema.safeParse({ reference: 'PW-2026-0001' }).success).toBe(false);
  });

  it('a register page is a whole number from 0 to the cap; absent is the first page', () => {
    expect(registerPageSchema.parse({}).page).toBe(0);
    expect(registerPageSchema.parse({ page: 2 }).page).toBe(2);
    expect(registerPageSchema.parse({ page: '3' }).page).toBe(3);
    expect(registerPageSchema.parse({ page: -0 }).page).toBe(0);
    expect(registerPageSchema.parse({ page: REGISTER_PAGE_MAX }).page).toBe(REGISTER_PAGE_MAX);
    for (const page of [-1, 1.5, REGISTER_PAGE_MAX + 1, 1e308, '9'.repeat(300), 'two', { valueOf: 1 }, [1, 2]]) {
      expect(registerPageSchema.safeParse({ page }).success, String(page)).toBe(false);
    }
  });
});
