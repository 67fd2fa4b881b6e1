import { INCIDENT_INPUTS, INCIDENT_VERBS, type IncidentPress } from '../contract/cards.ts';
import { askReporter, assign, close, decide, reopen, saveReplyDraft, type HandlingError, type Person } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import { hasBlocking, type ReplyReview } from '../domain/policy/guard.ts';
import { attestationKey } from '../domain/policy/reply-guard/attestation.ts';
import { ok, type Result } from '../domain/result.ts';
import { stampRetention } from '../domain/retention.ts';
import type { PracticeRoles } from '../domain/roles.ts';
import { londonDateTime } from '../domain/ukTime.ts';
import { RETENTION_RULES } from '../policy/retention.ts';
import type { Notice } from './reporting.ts';
import { approvalSummary } from './replyGuard.ts';

/**
 * What each of a decider's decisions does: the domain change it asks for, the line it adds to the
 * audit trail and what the decider is then told. The domain functions check who may (a decider;
 * reopening, a manager), whatever the card that was pressed says.
 */

export type DecisionVerb =
  | typeof INCIDENT_VERBS.checkReply
  | typeof INCIDENT_VERBS.approveReply
  | typeof INCIDENT_VERBS.noResponse
  | typeof INCIDENT_VERBS.chooseActions
  | typeof INCIDENT_VERBS.assign
  | typeof INCIDENT_VERBS.ask
  | typeof INCIDENT_VERBS.close
  | typeof INCIDENT_VERBS.reopen;

export interface DecisionInput {
  incident: Incident;
  roles: PracticeRoles;
  actor: Person;
  data: IncidentPress;
  now: Date;
  /** The reply as sent, and what the reply guard found in it (worked out on the server, never taken from the card). */
  replyText: string;
  review: ReplyReview;
  /** The name Teams gave a person (from their 1:1 chat with the bot), if known. */
  nameOf: (aadObjectId: string) => Promise<string | undefined>;
}

export interface Decision {
  result: Result<Incident, HandlingError>;
  /** The audit trail's line for it. */
  summary: string;
}

export interface DecisionRule {
  /** Reopening is the managers' alone: refused (and audited) before anything else is done. */
  managersOnly?: true;
  apply(input: DecisionInput): Decision | Promise<Decision>;
  /** What the decider is told once it is stored. */
  notice(review: ReplyReview): Notice;
  /** "Check reply" answers with the reply section still open. */
  keepsReplyOpen?: true;
}

const recorded = (text = 'Decision recorded. The reporter is being told.') => (): Notice => ({ tone: 'good', text });

/** One rule per decision verb: the type has no room for a verb without one, or for two. */
export const DECISIONS: Record<DecisionVerb, DecisionRule> = {
  [INCIDENT_VERBS.checkReply]: {
    apply: ({ incident, roles, actor, replyText, review }) => ({
      result: saveReplyDraft(incident, roles, actor, replyText),
      summary: `Reply checked: ${review.findings.filter((f) => f.severity === 'blocking').length} blocking, ${review.findings.filter((f) => f.severity === 'advisory').length} advisory findings.`,
    }),
    notice: checkedNotice,
    keepsReplyOpen: true,
  },
  [INCIDENT_VERBS.approveReply]: {
    // The tick carries the key of the sentences the card listed: it attests to those only.
    apply: ({ incident, roles, actor, data, now, replyText, review }) => {
      const freeText = review.freeText.map((s) => s.text);
      return {
        result: decide(incident, roles, actor, {
          kind: 'public-reply', replyText, freeText, replyBlocked: hasBlocking(review.findings),
          reporterPostsReply: data.reporterPostsReply === 'true',
          attested: freeText.length > 0 && data.attestFreeText === attestationKey(freeText),
        }, now),
        summary: approvalSummary(actor.name, freeText),
      };
    },
    notice: recorded(),
  },
  [INCIDENT_VERBS.noResponse]: {
    apply: ({ incident, roles, actor, data, now }) => ({
      result: decide(incident, roles, actor, { kind: 'no-response', reason: text(data.reason) }, now),
      summary: 'Decision: no public response.',
    }),
    notice: recorded(),
  },
  [INCIDENT_VERBS.chooseActions]: {
    apply: ({ incident, roles, actor, data, now }) => ({
      result: decide(incident, roles, actor, { kind: 'actions', actions: list(data.actions) }, now),
      summary: `Decision: actions chosen (${list(data.actions).join(', ')}).`,
    }),
    notice: recorded(),
  },
  [INCIDENT_VERBS.assign]: {
    apply: async ({ incident, roles, actor, data, nameOf }) => {
      const to = text(data.assignee);
      const name = await nameOf(to);
      return { result: assign(incident, roles, actor, { aadObjectId: to, name: name ?? '' }), summary: `Assigned to ${name || 'a deputy'}.` };
    },
    notice: recorded('Assigned.'),
  },
  [INCIDENT_VERBS.ask]: {
    apply: ({ incident, roles, actor, data, now }) => ({ result: askReporter(incident, roles, actor, text(data.question), now), summary: 'Asked the reporter for more information.' }),
    notice: recorded('Question sent to the reporter.'),
  },
  [INCIDENT_VERBS.close]: {
    apply: ({ incident, roles, actor, data, now }) => {
      let result = close(incident, roles, actor, { outcome: text(data.closeOutcome), lessonsLearnt: text(data.lessonsLearnt) }, now);
      // The Records Management Code period starts now: the date is fixed on the record.
      if (result.ok) result = ok(stampRetention(result.value, RETENTION_RULES));
      const closure = result.ok ? result.value.handling?.closure : undefined;
      return { result, summary: closure ? `Closed with an outcome. Kept until ${closure.retainUntil?.slice(0, 10)} (${closure.retentionBasis}).` : 'Closed with an outcome.' };
    },
    notice: recorded('Closed. The reporter is being told.'),
  },
  [INCIDENT_VERBS.reopen]: {
    managersOnly: true,
    apply: ({ incident, roles, actor, data, now }) => ({
      result: reopen(incident, roles, actor, text(data.reopenReason), now),
      summary: `Reopened: ${text(data.reopenReason).slice(0, 200)}`,
    }),
    notice: recorded('Reopened.'),
  },
};

function checkedNotice(review: ReplyReview): Notice {
  if (hasBlocking(review.findings)) return { tone: 'attention', text: 'The reply cannot be approved yet: see the problems under it.' };
  const free = review.freeText.length;
  if (free === 0) return { tone: 'good', text: 'Reply checked: nothing blocks approval.' };
  return { tone: 'good', text: `Reply checked: nothing blocks approval. ${free === 1 ? '1 sentence is' : `${free} sentences are`} not from the approved list: read them and tick the statement to approve.` };
}

/** What a refused decision shows on the decider's card: why, beside the answer that needs fixing. */
export interface RefusalShown {
  errors?: Record<string, string>;
  notice?: Notice;
}

/** Refusals about what was typed keep the reply box as it was sent, with what the guard found. */
export function keepsReply(error: HandlingError): boolean {
  return error.kind === 'reply-blocked' || error.kind === 'attestation-needed' || error.kind === 'invalid';
}

export function refusalShown(error: HandlingError, actor: Person): RefusalShown {
  switch (error.kind) {
    case 'already-decided': {
      const mine = error.decision.by.aadObjectId.toLowerCase() === actor.aadObjectId.toLowerCase();
      const when = londonDateTime(error.decision.at);
      return { notice: { tone: mine ? 'good' : 'attention', text: mine ? `You decided this at ${when}.` : `Already decided by ${error.decision.by.name || 'another decider'} at ${when}.` } };
    }
    case 'reply-blocked':
      return { errors: { [INCIDENT_INPUTS.replyText]: 'This reply cannot be approved: fix the problems listed under it.' } };
    case 'attestation-needed':
      return {
        errors: {
          [INCIDENT_INPUTS.attestFreeText]:
            'Some sentences are not from the approved list. Read each one listed, then tick the statement to approve. If you changed the reply, press Check reply first.',
        },
      };
    case 'invalid':
      return { errors: { [error.field]: error.message } };
    case 'not-routed':
      return { notice: { tone: 'default', text: 'This incident is still being graded. Try again in a moment.' } };
    case 'impossible-transition':
      return { notice: { tone: 'attention', text: `That cannot be done while the incident is ${error.from.replace('-', ' ')}.` } };
    case 'no-such-task':
      return { notice: { tone: 'attention', text: 'That action is no longer on this incident.' } };
    default:
      return {};
  }
}

/** A typed answer as kept: at most 5,000 characters (every input's own limit is lower). */
export function text(value: string | null | undefined): string {
  return (value ?? '').slice(0, 5_000);
}

function list(value: string | null | undefined): string[] {
  return text(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
