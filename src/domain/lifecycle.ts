import type { Person } from './handling.ts';
import type { IncidentStatus } from './incident.ts';
import { err, ok, type Result } from './result.ts';

/**
 * The life of an incident: reported -> awaiting decision -> in progress -> resolved -> closed,
 * and back again when a manager reopens it. Anything else is refused.
 */
export const TRANSITIONS: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  reported: ['awaiting-decision'],
  // A decision with follow-up tasks starts work; one without (no response) resolves at once.
  'awaiting-decision': ['in-progress', 'resolved'],
  // The last task done resolves it; a manager can close it early with an outcome.
  'in-progress': ['resolved', 'closed'],
  resolved: ['closed', 'in-progress'],
  // Reopened by a manager: back to a decision if none was made, else back to work.
  closed: ['awaiting-decision', 'in-progress'],
};

export type TransitionError = { kind: 'impossible-transition'; from: IncidentStatus; to: IncidentStatus };

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function transition(from: IncidentStatus, to: IncidentStatus): Result<IncidentStatus, TransitionError> {
  return canTransition(from, to) ? ok(to) : err({ kind: 'impossible-transition', from, to });
}

/** A chosen action, tracked until its owner says what happened. */
export interface Task {
  id: string;
  actionId: string;
  title: string;
  owner: Person;
  dueAt: string;
  status: 'open' | 'done';
  /** What happened: the platform's report reference, the police reference, the MDU's advice, the author's reply. */
  outcome?: string;
  doneBy?: Person;
  doneAt?: string;
}

export interface Closure {
  outcome: string;
  lessonsLearnt?: string;
  closedBy: Person;
  closedAt: string;
  /** When the Records Management Code period ends (set at closing, src/domain/retention.ts). */
  retainUntil?: string;
  /** Why that period, e.g. "20 years from closure (serious: police involvement)". */
  retentionBasis?: string;
}

export interface Reopening {
  by: Person;
  at: string;
  reason: string;
}

/** How long the owner has for a follow-up action: the decision target again, at least 4 hours, at most 3 days. */
export function taskHours(decisionTargetHours: number): number {
  return Math.min(72, Math.max(4, decisionTargetHours * 3));
}

/** Severities whose closure must say what was learnt (Caergwrle: lessons learnt fed back to practice meetings). */
export const LESSONS_REQUIRED = ['high', 'critical'] as const;

export const TASK_OUTCOME_LIMIT = 1_000;
export const CLOSURE_LIMIT = 2_000;
