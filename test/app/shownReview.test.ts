import { describe, expect, it } from 'vitest';
import { replyGuardContext, shownReview } from '../../src/app/replyGuard.ts';
import { reviewReply } from '../../src/domain/policy/guard.ts';
import type { Practice } from '../../src/domain/practice.ts';
import { DEFAULT_POLICY } from '../../src/policy/default.ts';
import { FACTS, routed } from '../support/incidentSamples.ts';

const practice = (id: string, staffNames: string[]): Practice => ({ id, name: 'Wickersley Medical Practice', teamIds: [], staff: [], staffNames, managers: [], deputies: [], dataProtectionOfficers: [] });
const wickersley = practice('wickersley', ['Jane Doe']);

/** The review a decider's card shows is the guard's own, worked out once per reply, never another's. */
describe('the review shown on a decider\'s card', () => {
  it('is what the guard says of that reply, for that incident and practice', () => {
    const incident = routed();
    for (const reply of ['Thank you for your feedback. Please contact the practice manager.', 'Jane Doe was not rude, and Jay Smith knows it.', 'Call us on 01234 567890 about your test results.']) {
      const expected = reviewReply(reply, replyGuardContext(incident, wickersley, DEFAULT_POLICY));
      expect(shownReview(incident, wickersley, DEFAULT_POLICY, reply)).toEqual(expected);
      // Asked again: the same answer (once worked out, kept).
      expect(shownReview(incident, wickersley, DEFAULT_POLICY, reply)).toBe(shownReview(incident, wickersley, DEFAULT_POLICY, reply));
    }
  });

  it('is worked out again for another reply, another post, another author, another practice\'s staff', () => {
    const reply = 'Jane Doe and Jay Smith: please contact the practice manager.';
    const incident = routed();
    const first = shownReview(incident, wickersley, DEFAULT_POLICY, reply);
    const namesFound = (r: ReturnType<typeof shownReview>) => r.findings.map((f) => `${f.rule}@${f.start}`).sort();
    // Another practice with the same reference, whose staff do not include Jane Doe.
    const other = shownReview({ ...incident, practiceId: 'elsewhere' }, practice('elsewhere', []), DEFAULT_POLICY, reply);
    expect(other).toEqual(reviewReply(reply, replyGuardContext(incident, practice('elsewhere', []), DEFAULT_POLICY)));
    expect(namesFound(other)).not.toEqual(namesFound(first));
    // The same incident with another author named: the author's name is no longer the report's.
    const renamed = { ...incident, facts: { ...FACTS, where: { ...FACTS.where, authorName: 'Someone Else' } } };
    expect(shownReview(renamed, wickersley, DEFAULT_POLICY, reply)).toEqual(reviewReply(reply, replyGuardContext(renamed, wickersley, DEFAULT_POLICY)));
    expect(shownReview(renamed, wickersley, DEFAULT_POLICY, reply)).not.toBe(first);
  });
});
