import { describe, expect, it } from 'vitest';
import { guardContextFrom, hasBlocking, reviewReply } from '../../src/domain/policy/guard.ts';
import { PUBLIC_REPLY_TEMPLATES, renderReplyDraft } from '../../src/domain/policy/templates.ts';
import { loadPolicy, presetPath, PRESETS } from '../../src/policy/load.ts';

/**
 * The reply a practice's own policy drafts is made of its approved sentences: it is never blocked
 * and needs no attestation, whichever contact details the practice gave and whoever is on its staff
 * list, including a surname that is also an everyday word ("Rita Reception": the reply may say
 * "reception", it never names Rita).
 */
const POLICIES = [['the default policy', loadPolicy()] as const, ...PRESETS.map((p) => [`the ${p} preset`, loadPolicy(presetPath(p))] as const)];
const CONTACTS = [
  ['phone and e-mail', { practicePhone: '01234 567890', practiceEmail: 'reception.millbrook@nhs.net' }],
  ['phone only', { practicePhone: '01234 567890' }],
  ['e-mail only', { practiceEmail: 'reception.millbrook@nhs.net' }],
  ['neither', {}],
] as const;
const STAFF = ['Rita Reception', 'Will Hope', 'Sarah Jones'];

describe("the practice's own drafted reply", () => {
  for (const [policyName, policy] of POLICIES) {
    for (const templateId of PUBLIC_REPLY_TEMPLATES) {
      it.each(CONTACTS)(`${policyName}, ${templateId}, %s: approved sentences only, nothing blocks`, (_label, contact) => {
        const draft = renderReplyDraft(policy, templateId, { practiceName: 'Millbrook Medical Centre', ...contact });
        expect(draft.ok).toBe(true);
        if (!draft.ok) return;
        const context = guardContextFrom(policy, { staffNames: STAFF, reportedNames: ['Rita Reception'], practiceName: 'Millbrook Medical Centre', ...contact });
        const review = reviewReply(draft.value, context);
        expect(review.findings.filter((f) => f.severity === 'blocking')).toEqual([]);
        expect(review.freeText.map((s) => s.text)).toEqual([]);
        // The same context still catches the staff member's first name and a sentence of the manager's own.
        const changed = reviewReply(`${draft.value} Please ask for Rita.`, context);
        expect(hasBlocking(changed.findings)).toBe(true);
        expect(changed.freeText.map((s) => s.text)).toEqual(['Please ask for Rita.']);
      });
    }
  }

  it('a contact clause dropped from a template is approved only in the shape the template gives it', () => {
    const policy = loadPolicy();
    const context = guardContextFrom(policy, { staffNames: [], practiceName: 'Millbrook Medical Centre' });
    const review = reviewReply('Please contact Millbrook Medical Centre directly on 0800 123 456.', context);
    expect(review.freeText).toHaveLength(1);
  });
});
