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

/** The guard's verdict per filled sentence and settings: every practice shares most of the default's sentences. */
const verdicts = new Map<string, string>();

export function approvedSentenceProblems(policy: Policy): string[] {
  const problems: string[] = [];
  const check = (where: string, template: string) => {
    for (const span of splitSentences(template)) {
      const sentence = template.slice(span.start, span.end);
      const filled = sentence.replace(/\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g, (_w, name: string) => NEUTRAL[name] ?? 'the practice');
      const key = `${filled}\u0000${policy.replyGuard.extraClinicalTerms.join('\u0001')}`;
      let why = verdicts.get(key);
      if (why === undefined) {
        const findings = checkReply(filled, { staffNames: [], extraClinicalTerms: policy.replyGuard.extraClinicalTerms });
        why = hasBlocking(findings)
          ? findings
              .filter((f) => f.severity === 'blocking')
              .map((f) => `${f.rule} "${filled.slice(f.start, f.end)}"`)
              .join(', ')
          : '';
        verdicts.set(key, why);
      }
      if (!why) continue;
      problems.push(`${where}: the approved sentence "${sentence}" fails the reply guard (${why})`);
    }
  };
  policy.replyGuard.approvedSentences.forEach((s, i) => check(`replyGuard.approvedSentences[${i}]`, s));
  const template = policy.templates.find((t) => t.id === 'public-reply');
  if (template) check('templates[public-reply].text', template.text);
  return problems;
}
