import { handlingOf, type Person } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import { guardContextFrom, reviewReply, type Finding, type ReplyContext, type ReplyReview } from '../domain/policy/guard.ts';
import { ATTESTATION_STATEMENT } from '../domain/policy/reply-guard/attestation.ts';
import type { Policy } from '../domain/policy/schema.ts';
import { PUBLIC_REPLY_TEMPLATES, renderReplyDraft } from '../domain/policy/templates.ts';
import type { Practice } from '../domain/practice.ts';
import { remembered } from '../domain/remembered.ts';

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

const SHOWN_REVIEWS = 256;
const shownReviews = new WeakMap<Policy, WeakMap<Practice, Map<string, ReplyReview>>>();

/**
 * The guard's review of a reply as a decider's card shows it. Every card drawn for every decider
 * (and every refresh) showed the same reply reviewed again, a visible share of the bot's CPU; the
 * review depends only on the text, the report's own names and the practice's policy and staff, so
 * it is worked out once per reply of an incident. A decision never uses this: it reviews the text
 * it was sent afresh (deciding.ts).
 */
export function shownReview(incident: Incident, practice: Practice, policy: Policy, replyText: string): ReplyReview {
  let byPractice = shownReviews.get(policy);
  if (!byPractice) shownReviews.set(policy, (byPractice = new WeakMap()));
  let reviews = byPractice.get(practice);
  if (!reviews) byPractice.set(practice, (reviews = new Map()));
  const { what, where } = incident.facts;
  const key = [incident.practiceId, incident.reference, what.postText, what.namedColleagues ?? '', where.authorName ?? '', replyText].join('\u0000');
  return remembered(reviews, key, SHOWN_REVIEWS, () => reviewReply(replyText, replyGuardContext(incident, practice, policy)));
}

/** The audit entry of an approval: with free text, the attestation and every sentence attested, on the record. */
export function approvalSummary(manager: string, freeText: readonly string[]): string {
  if (freeText.length === 0) return 'Decision: brief public reply approved (approved sentences only).';
  const listed = freeText.map((s, i) => `${i + 1}. "${s}"`).join(' ');
  return `Decision: brief public reply approved. ${manager || 'The approver'} attested: "${ATTESTATION_STATEMENT}" Free-text sentences (${freeText.length}): ${listed}`;
}


/** A reply the guard refused to approve is on the record, with what it found (not the draft itself). */
export function blockedReplyAudit(actor: Person, findings: readonly Finding[], from: string): { actor: Person; action: string; summary: string } {
  const blocking = findings.filter((f) => f.severity === 'blocking');
  const found = blocking.map((f) => `${f.rule}: ${f.message}`).join('; ');
  return {
    actor,
    action: 'decision.reply-blocked',
    summary: `Approval refused: the reply check found ${blocking.length} problem${blocking.length === 1 ? '' : 's'}${from}. ${found}`.slice(0, 1_000),
  };
}

/** The practice's drafted reply for an incident, before any manager has typed one. */
export function defaultReply(policy: Policy, practice: Practice, incident: Incident): string {
  // The most important recommendation that drafts a public reply chooses the words (for a post
  // asking for medical help: the approved "secure routes, NHS 111 or 999" sentence).
  const templateId = handlingOf(incident).grading?.actions.find((a) => a.templateId && PUBLIC_REPLY_TEMPLATES.includes(a.templateId))?.templateId ?? 'public-reply';
  // A contact detail the practice has not configured drops its clause: the draft never reads broken.
  const rendered = renderReplyDraft(policy, templateId, {
    practiceName: practice.name,
    ...(practice.phone ? { practicePhone: practice.phone } : {}),
    ...(practice.email ? { practiceEmail: practice.email } : {}),
  });
  return rendered.ok ? rendered.value : '';
}
