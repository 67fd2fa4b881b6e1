import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gradeReport, gradingFactsFrom } from '../../src/domain/policy/grade.ts';
import { checkReply, guardContextFrom } from '../../src/domain/policy/guard.ts';
import { renderReplyDraft } from '../../src/domain/policy/templates.ts';
import { hasUrgentWording } from '../../src/domain/policy/urgency.ts';
import type { ReportFacts } from '../../src/domain/report.ts';
import { POST_CATEGORIES, labelOf } from '../../src/domain/vocabulary.ts';
import { DEFAULT_POLICY } from '../../src/policy/default.ts';
import { loadPolicy, presetPath } from '../../src/policy/load.ts';

/**
 * "Asks for medical help or shares their own health details" (Cockhedge: medical information does
 * not belong on social media, it is not secure): graded so urgency reaches the manager quickly,
 * and answered with the approved sentence that points to the practice's secure routes and to
 * NHS 111 or 999, saying nothing about the person's health.
 */

const COCKHEDGE_SENTENCE = 'Patients should not use any social media platform to communicate medical information with the Practice as this is not secure.';

function facts(postText: string, categories: ReportFacts['what']['categories'] = ['medical-help']): ReportFacts {
  return {
    where: { platform: 'facebook', postUrl: 'https://www.facebook.com/p/1', seenAt: '2026-11-03T13:45:00.000Z', seenDate: '2026-11-03', seenTime: '13:45', authorName: 'Sam', authorRelationship: 'patient' },
    what: { postText, categories, namedParties: ['practice'] },
    risk: { atRisk: false },
    evidence: { screenshots: [] },
  };
}
const grade = (postText: string, policy = DEFAULT_POLICY) => gradeReport(policy, gradingFactsFrom(facts(postText), 0));

describe('the medical-help category', () => {
  it('is on the report card and in the policy, citing Cockhedge verbatim', () => {
    expect(labelOf(POST_CATEGORIES, 'medical-help')).toBe('Asks for medical help or shares their own health details');
    const category = DEFAULT_POLICY.categories.find((c) => c.id === 'medical-help')!;
    expect(category.source).toMatchObject({ document: 'cockhedge', quote: COCKHEDGE_SENTENCE });
    const shared = readFileSync(new URL('../../../shared/policies/cockhedge.txt', import.meta.url), 'utf8');
    expect(shared.replace(/\s+/g, ' ')).toContain(COCKHEDGE_SENTENCE);
  });

  it('without urgent words: medium, the secure routes first, no generic public reply, the confidentiality warnings', () => {
    const g = grade('Can someone ring me back about my blood test results please');
    expect(g.severity).toBe('medium');
    expect(g.actions[0]?.id).toBe('direct-to-secure-routes');
    expect(g.actions.map((a) => a.id)).not.toContain('public-reply');
    expect(g.warnings.map((w) => w.id)).toEqual(expect.arrayContaining(['medical-info-not-secure', 'confidentiality']));
    expect(g.immediateAlert).toBe(false);
  });

  it.each([
    "I've had chest pains for three days and can't get an appointment",
    'My son is struggling to breathe and nobody answers the phone',
    'I feel suicidal and the surgery never calls back',
    'Bleeding heavily since yesterday, is anyone there?',
  ])('urgent words raise it: "%s" is critical, alerted at once, secure routes first', (post) => {
    const g = grade(post);
    expect(g.severity).toBe('critical');
    expect(g.immediateAlert).toBe(true);
    expect(g.decisionTargetHours).toBe(1);
    expect(g.actions[0]?.id).toBe('direct-to-secure-routes');
    expect(g.warnings.map((w) => w.id)).toContain('medical-help-urgent');
  });

  it('urgent words alone do not grade another kind of post as medical', () => {
    expect(hasUrgentWording('This is an emergency of bad service')).toBe(true);
    const g = gradeReport(DEFAULT_POLICY, gradingFactsFrom(facts('This is an emergency of bad service', ['other-criticism']), 0));
    expect(g.severity).not.toBe('critical');
    expect(g.actions.map((a) => a.id)).not.toContain('direct-to-secure-routes');
  });

  it.each([
    ['Riverside Surgery', '01709 123456'],
    ['Cockhedge Medical Centre', undefined],
  ])('the approved reply for %s points to the phone, online consultation, NHS 111 and 999, says nothing about health, and passes the reply guard', (practiceName, practicePhone) => {
    const r = renderReplyDraft(DEFAULT_POLICY, 'medical-help-reply', { practiceName, ...(practicePhone ? { practicePhone } : {}) });
    expect(r.ok).toBe(true);
    const text = r.ok ? r.value : '';
    expect(text).toMatch(/online consultation/);
    expect(text).toMatch(/NHS 111/);
    expect(text).toMatch(/999/);
    if (practicePhone) expect(text).toContain(practicePhone);
    expect(text).not.toMatch(/\{\{|\}\}| on \.| by phone on or/);
    expect(text).not.toMatch(/chest|pain|breath|symptom|results|your (health|condition|care)/i);
    const findings = checkReply(text, guardContextFrom(DEFAULT_POLICY, { staffNames: [], ...(practicePhone ? { practicePhone } : {}) }));
    expect(findings.filter((f) => f.severity === 'blocking')).toEqual([]);
  });

  it("Cockhedge's own policy (the preset) grades it the same way", () => {
    expect(grade("I've had chest pains for three days and can't get an appointment", loadPolicy(presetPath('cockhedge'))).severity).toBe('critical');
  });
});
