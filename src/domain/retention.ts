import { handlingOf, type Handling, type Person } from './handling.ts';
import type { Incident } from './incident.ts';
import { err, ok, type Result } from './result.ts';
import { isManager, type PracticeRoles } from './roles.ts';

/**
 * Records duties, pure: when a closed incident is due for deletion under the Records Management
 * Code, and the legal hold that stops it. The periods and what counts as serious are policy data
 * (src/policy/retention.ts); the job that deletes is src/app/retention.ts.
 */

/** The audit action of the entry left when an incident is deleted (by the job or the DPO). */
export const TOMBSTONE_ACTION = 'records.deleted';

export interface RetentionRules {
  /** Where the periods come from, quoted on tombstones and in reports. */
  source: string;
  standardYears: number;
  seriousYears: number;
  serious: {
    severities: readonly string[];
    policeActions: readonly string[];
    /** The reporter said someone was at risk: the bot told them to call the police. */
    policeWhenAtRisk: boolean;
    safeguardingCategories: readonly string[];
    safeguardingDeciders: readonly string[];
  };
}

/** A manager stops deletion, e.g. for a police investigation or a claim; kept until released. */
export interface LegalHold {
  by: Person;
  at: string;
  reason: string;
}

export const HOLD_REASON_LIMIT = 500;

/** Why an incident is serious under the rules; empty when it is not. */
export function seriousReasons(incident: Pick<Incident, 'facts' | 'handling'>, rules: RetentionRules): string[] {
  const h = handlingOf(incident);
  const reasons: string[] = [];
  const severity = h.grading?.severity;
  if (severity && rules.serious.severities.includes(severity)) reasons.push(`graded ${severity}`);
  const actions = [...(h.decision?.actions ?? []), ...(h.tasks ?? []).map((t) => t.actionId)];
  if (actions.some((a) => rules.serious.policeActions.includes(a)) || (rules.serious.policeWhenAtRisk && incident.facts.risk.atRisk)) {
    reasons.push('police involvement');
  }
  const safeguarding =
    incident.facts.what.categories.some((c) => rules.serious.safeguardingCategories.includes(c)) ||
    (h.grading?.deciders ?? []).some((d) => rules.serious.safeguardingDeciders.includes(d));
  if (safeguarding) reasons.push('safeguarding');
  return reasons;
}

/** Closure plus the period, in calendar years (a 29 February closure runs to 1 March). */
export function addYears(instant: string, years: number): string {
  const at = new Date(instant);
  at.setUTCFullYear(at.getUTCFullYear() + years);
  return at.toISOString();
}

/** The closed incident with its retention date fixed at the moment of closing. */
export function stampRetention(incident: Incident, rules: RetentionRules): Incident {
  const h = handlingOf(incident);
  if (incident.status !== 'closed' || !h.closure) return incident;
  const reasons = seriousReasons(incident, rules);
  const years = reasons.length > 0 ? rules.seriousYears : rules.standardYears;
  const retainUntil = addYears(h.closure.closedAt, years);
  const basis = `${years} years from closure${reasons.length ? ` (serious: ${reasons.join(', ')})` : ''}`;
  return { ...incident, handling: { ...h, closure: { ...h.closure, retainUntil, retentionBasis: basis } } };
}

export type RetentionState =
  | { state: 'open' }
  | { state: 'held'; hold: LegalHold; retainUntil?: string }
  | { state: 'kept'; retainUntil: string; basis: string }
  | { state: 'due'; retainUntil: string; basis: string };

/**
 * Where an incident stands: open ones are never deleted; held ones never while held; closed ones
 * once their date has passed. A closure stored before retention dates were kept is dated now.
 */
export function retentionOf(incident: Pick<Incident, 'status' | 'facts' | 'handling'>, rules: RetentionRules, now: Date): RetentionState {
  const h: Handling = handlingOf(incident);
  const closure = h.closure;
  if (incident.status !== 'closed' || !closure) return h.legalHold ? { state: 'held', hold: h.legalHold } : { state: 'open' };
  const stamped = closure.retainUntil && closure.retentionBasis
    ? { retainUntil: closure.retainUntil, basis: closure.retentionBasis }
    : (() => {
        const reasons = seriousReasons(incident, rules);
        const years = reasons.length > 0 ? rules.seriousYears : rules.standardYears;
        return { retainUntil: addYears(closure.closedAt, years), basis: `${years} years from closure${reasons.length ? ` (serious: ${reasons.join(', ')})` : ''}` };
      })();
  if (h.legalHold) return { state: 'held', hold: h.legalHold, retainUntil: stamped.retainUntil };
  return Date.parse(stamped.retainUntil) <= now.getTime() ? { state: 'due', ...stamped } : { state: 'kept', ...stamped };
}

export type HoldError = { kind: 'not-a-manager' } | { kind: 'invalid'; message: string } | { kind: 'already-held'; hold: LegalHold } | { kind: 'not-held' };

/** Only a practice manager places a hold, always with a reason that goes on the record. */
export function placeHold(incident: Incident, roles: PracticeRoles, actor: Person, reason: string, now: Date): Result<Incident, HoldError> {
  if (!isManager(roles, actor.aadObjectId)) return err({ kind: 'not-a-manager' });
  const text = reason.trim();
  if (!text) return err({ kind: 'invalid', message: 'Say why the incident must be kept, e.g. "incident PW-2026-0042 hold: police investigation".' });
  if (text.length > HOLD_REASON_LIMIT) return err({ kind: 'invalid', message: `Keep the reason under ${HOLD_REASON_LIMIT} characters.` });
  const h = handlingOf(incident);
  if (h.legalHold) return err({ kind: 'already-held', hold: h.legalHold });
  return ok({ ...incident, handling: { ...h, version: h.version + 1, legalHold: { by: actor, at: now.toISOString(), reason: text } } });
}

export function releaseHold(incident: Incident, roles: PracticeRoles, actor: Person): Result<Incident, HoldError> {
  if (!isManager(roles, actor.aadObjectId)) return err({ kind: 'not-a-manager' });
  const h = handlingOf(incident);
  if (!h.legalHold) return err({ kind: 'not-held' });
  const { legalHold: _released, ...rest } = h;
  return ok({ ...incident, handling: { ...rest, version: h.version + 1 } });
}
