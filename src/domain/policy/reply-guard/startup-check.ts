import { checkReply, hasBlocking } from '../guard.ts';
import type { Policy } from '../schema.ts';
import { splitSentences } from './sentences.ts';

/**
 * At start-up (policy load), every approved sentence goes through the reply guard with neutral
 * values in its slots: a sentence the guard would block cannot be approved in advance, and the
 * policy is refused with the sentence named, so the practice fixes its configuration rather than
 * every manager meeting the same blocked sentence.
 */

const NEUTRAL: Record<string, string> = {
  practiceName: 'the practice',
  practicePhone: 'the surgery',
  practiceEmail: 'the practice',
  role: 'practice manager',
};

export function approvedSentenceProblems(policy: Policy): string[] {
  const problems: string[] = [];
  const check = (where: string, template: string) => {
    for (const span of splitSentences(template)) {
      const sentence = template.slice(span.start, span.end);
      const filled = sentence.replace(/\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g, (_w, name: string) => NEUTRAL[name] ?? 'the practice');
      const findings = checkReply(filled, { staffNames: [], roles: policy.replyGuard.roles, extraClinicalTerms: policy.replyGuard.extraClinicalTerms });
      if (!hasBlocking(findings)) continue;
      const why = findings
        .filter((f) => f.severity === 'blocking')
        .map((f) => `${f.rule} "${filled.slice(f.start, f.end)}"`)
        .join(', ');
      problems.push(`${where}: the approved sentence "${sentence}" fails the reply guard (${why})`);
    }
  };
  policy.replyGuard.approvedSentences.forEach((s, i) => check(`replyGuard.approvedSentences[${i}]`, s));
  const template = policy.templates.find((t) => t.id === 'public-reply');
  if (template) check('templates[public-reply].text', template.text);
  return problems;
}
