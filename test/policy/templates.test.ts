import { describe, expect, it } from 'vitest';
import { renderReplyDraft } from '../../src/domain/policy/templates.ts';
import { DEFAULT_POLICY } from '../../src/policy/default.ts';

/** A practice without a phone number or e-mail address configured still gets a draft that reads whole. */

const NAME = 'Riverside Surgery';
const PHONE = '01709 123456';
const EMAIL = 'riverside.surgery@nhs.net';
const draft = (id: string, values: Record<string, string>) => {
  const r = renderReplyDraft(DEFAULT_POLICY, id, { practiceName: NAME, ...values });
  if (!r.ok) throw new Error(r.error.join('; '));
  return r.value;
};
const BROKEN = /\{\{|\}\}| (on|at|or|and|call|email) *[.,]|\bor or\b|: please\.|  /;

describe('reply drafts drop the clause of a contact detail the practice has not given', () => {
  it.each([
    ['public-reply', { practicePhone: PHONE, practiceEmail: EMAIL }, `please contact ${NAME} directly on ${PHONE} or at ${EMAIL}.`],
    ['public-reply', { practiceEmail: EMAIL }, `please contact ${NAME} directly at ${EMAIL}.`],
    ['public-reply', { practicePhone: PHONE }, `please contact ${NAME} directly on ${PHONE}.`],
    ['public-reply', {}, `please contact ${NAME} directly.`],
    ['removal-request', { practiceEmail: EMAIL }, `please email ${EMAIL}.`],
    ['removal-request', { practicePhone: PHONE }, `please call ${PHONE}.`],
    ['removal-request', {}, 'so that we can try to resolve them. Thank you.'],
    ['complaints-invitation', {}, `Please contact ${NAME}.`],
    ['complaints-invitation', { practicePhone: PHONE }, `Please contact ${NAME} on ${PHONE}.`],
  ])('%s with %o: "…%s"', (id, values, expected) => {
    const text = draft(id, values);
    expect(text).toContain(expected);
    expect(text).not.toMatch(BROKEN);
    expect(text).not.toMatch(/the surgery or at the practice/);
  });

  it('the practice name is never dropped: without it there is no draft', () => {
    const r = renderReplyDraft(DEFAULT_POLICY, 'public-reply', { practiceName: '' });
    expect(r.ok).toBe(false);
  });
});
