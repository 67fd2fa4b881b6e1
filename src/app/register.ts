import { londonMonth } from '../domain/ukTime.ts';
import { decisionDue, handlingOf } from '../domain/handling.ts';
import { rank } from '../domain/policy/grade.ts';
import type { Practice } from '../domain/practice.ts';
import { holdsRole } from '../domain/roles.ts';
import { seesAsDecider } from '../domain/sight.ts';
import { summaryFromCounts, type PracticeSummary } from '../domain/summary.ts';
import { labelOf, PLATFORMS } from '../domain/vocabulary.ts';
import type { RegisterRow } from '../contract/registerRow.ts';
import type { OpenIncident, Stores } from '../store/ports.ts';
import { rolesOf } from './practiceRoles.ts';

export type { RegisterRow };

export type RegisterPage =
  | { kind: 'denied' }
  | { kind: 'page'; rows: RegisterRow[]; page: number; pageCount: number; total: number };

export const PAGE_SIZE = 10;
export const SUMMARY_MONTHS = 12;

/** "open incidents": for the practice's deciders only, and only that practice's incidents. */
export class Register {
  constructor(
    private readonly stores: Pick<Stores, 'incidents' | 'practices'>,
    private readonly now: () => Date,
  ) {}

  async open(practice: Practice, viewerAadObjectId: string, page: number): Promise<RegisterPage> {
    const roles = await rolesOf(this.stores.practices, practice);
    if (!holdsRole(roles, viewerAadObjectId)) return { kind: 'denied' };
    const open = (await this.stores.incidents.listOpen(practice.id)).filter((i) => seesAsDecider(i, roles, practice.id, viewerAadObjectId));
    const now = this.now();
    const rows = open.map((i) => rowOf(i, now)).sort(byUrgency);
    const pageCount = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
    const current = Math.min(Math.max(0, Math.floor(page)), pageCount - 1);
    return { kind: 'page', rows: rows.slice(current * PAGE_SIZE, (current + 1) * PAGE_SIZE), page: current, pageCount, total: rows.length };
  }
}

export type SummaryPage = { kind: 'denied' } | { kind: 'summary'; summary: PracticeSummary; since: string };

export class Summary {
  constructor(
    private readonly stores: Pick<Stores, 'incidents' | 'practices'>,
    private readonly now: () => Date,
  ) {}

  /** "summary": the practice's incidents over the last 12 months, for its deciders only. */
  async forPractice(practice: Practice, viewerAadObjectId: string): Promise<SummaryPage> {
    const roles = await rolesOf(this.stores.practices, practice);
    if (!holdsRole(roles, viewerAadObjectId)) return { kind: 'denied' };
    // Whole months: this month and the eleven before it, read from the monthly count rows; what is
    // overdue depends on the clock, so it is counted from the register's open rows awaiting a
    // decision (without a decision an incident is awaiting one: lifecycle.ts, a reopened one too).
    const now = this.now();
    // The months are London months, as the incidents are counted in them.
    const [year, month] = londonMonth(now).split('-').map(Number) as [number, number];
    const since = new Date(Date.UTC(year, month - 1 - (SUMMARY_MONTHS - 1), 1)).toISOString();
    const [counts, open] = await Promise.all([this.stores.incidents.summaryCounts(practice.id, since.slice(0, 7)), this.stores.incidents.listOpen(practice.id, 'awaiting-decision')]);
    const overdue = open.filter((o) => !o.handling?.decision && (decisionDue(o)?.getTime() ?? Infinity) < now.getTime()).length;
    return { kind: 'summary', summary: summaryFromCounts(counts, overdue), since };
  }
}

export function rowOf(incident: OpenIncident, now: Date): RegisterRow {
  const handling = handlingOf(incident);
  const next = nextStep(incident);
  return {
    practiceId: incident.practiceId,
    reference: incident.reference,
    version: handling.version,
    severity: handling.grading?.severity,
    status: incident.status,
    reportedAt: incident.reportedAt,
    platform: labelOf(PLATFORMS, incident.platform),
    nextStep: next.text,
    ...(next.due ? { nextStepDue: next.due } : {}),
    overdue: next.due !== undefined && Date.parse(next.due) < now.getTime(),
    urgent: incident.atRisk,
  };
}

function nextStep(incident: OpenIncident): { text: string; due?: string } {
  const handling = handlingOf(incident);
  switch (incident.status) {
    case 'reported':
      return { text: 'Being graded and sent to the practice manager' };
    case 'awaiting-decision': {
      const who = handling.assignedTo?.name ? handling.assignedTo.name : 'the practice manager';
      const due = decisionDue(incident);
      return { text: `Decision by ${who}`, ...(due ? { due: due.toISOString() } : {}) };
    }
    case 'in-progress': {
      const open = (handling.tasks ?? []).filter((t) => t.status === 'open').sort((a, b) => (a.dueAt < b.dueAt ? -1 : 1));
      const first = open[0];
      return first ? { text: `${first.title} — ${first.owner.name || 'owner'}${open.length > 1 ? ` (+${open.length - 1} more)` : ''}`, due: first.dueAt } : { text: 'Follow-up actions' };
    }
    case 'resolved':
      return { text: 'Close with the outcome and lessons learnt' };
    case 'closed':
      return { text: 'Closed' };
  }
}

function byUrgency(a: RegisterRow, b: RegisterRow): number {
  if (a.urgent !== b.urgent) return a.urgent ? -1 : 1;
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
  const severity = rank(b.severity ?? 'low') - rank(a.severity ?? 'low');
  if (severity !== 0) return severity;
  return a.reportedAt < b.reportedAt ? -1 : a.reportedAt > b.reportedAt ? 1 : 0;
}
