import type { Incident } from '../domain/incident.ts';
import { guardContextFrom, type ReplyContext } from '../domain/policy/guard.ts';
import { ATTESTATION_STATEMENT } from '../domain/policy/reply-guard/attestation.ts';
import type { Policy } from '../domain/policy/schema.ts';
import type { Practice } from '../domain/practice.ts';

/**
 * What the reply guard is told about an incident, and how an approval is written in the audit
 * trail. Kept apart from the deciding use case so both read in one place.
 */

/** The practice, its staff, and the report's own names: the post, its author, the colleagues named. */
export function replyGuardContext(incident: Incident, practice: Practice, policy: Policy): ReplyContext {
  const named = (incident.facts.what.namedColleagues ?? '')
    .split(/[,;\n/]|\band\b|&/)
    .map((s) => s.trim())
    .filter((s) => s.length > 1);
  return guardContextFrom(policy, {
    staffNames: practice.staffNames,
    reportedNames: named,
    postText: incident.facts.what.postText,
    ...(incident.facts.where.authorName ? { authorName: incident.facts.where.authorName } : {}),
    practiceName: practice.name,
    ...(practice.phone ? { practicePhone: practice.phone } : {}),
    ...(practice.email ? { practiceEmail: practice.email } : {}),
  });
}

/** The audit entry of an approval: with free text, the attestation and every sentence attested, on the record. */
export function approvalSummary(manager: string, freeText: readonly string[]): string {
  if (freeText.length === 0) return 'Decision: brief public reply approved (approved sentences only).';
  const listed = freeText.map((s, i) => `${i + 1}. "${s}"`).join(' ');
  return `Decision: brief public reply approved. ${manager || 'The approver'} attested: "${ATTESTATION_STATEMENT}" Free-text sentences (${freeText.length}): ${listed}`;
}

