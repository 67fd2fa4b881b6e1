import { INCIDENT_STATUSES } from './incident.ts';
import { labelOf, PLATFORMS, POST_CATEGORIES } from './vocabulary.ts';

/**
 * Trends for the practice manager (Caergwrle: "analyse ... to identify trends, actions and lessons
 * learnt"): counts over a period, and the authors who posted more than once (BMA: two or more
 * connected posts may be harassment).
 */
export interface SummaryInput {
  reportedAt: string;
  status: string;
  severity: string;
  platform: string;
  categories: string[];
  atRisk: boolean;
  authorKey: string;
  /** When the decision was made, if it has been. */
  decidedAt?: string;
  /** When the policy's decision target fell due (reported + the severity's hours). */
  decisionDueAt?: string;
}

/** How quickly the practice decides (Sprout Social and Hootsuite users value response-time targets). */
export interface ResponseFigures {
  decided: number;
  /** Median minutes from report to decision, of those decided. */
  medianMinutes?: number;
  /** Decided by the policy's target, of those decided with a known target. */
  withinTarget: number;
  withTarget: number;
  /** Not decided, and past the target now. */
  overdueNow: number;
}

export interface PracticeSummary {
  total: number;
  atRisk: number;
  open: number;
  bySeverity: Array<[string, number]>;
  byStatus: Array<[string, number]>;
  byCategory: Array<[string, number]>;
  byPlatform: Array<[string, number]>;
  byMonth: Array<[string, number]>;
  repeatAuthors: number;
  incidentsByRepeatAuthors: number;
  response: ResponseFigures;
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

export function summarise(rows: readonly SummaryInput[], now: Date = new Date()): PracticeSummary {
  const count = (keyOf: (r: SummaryInput) => string[]) => {
    const counts = new Map<string, number>();
    for (const r of rows) for (const k of keyOf(r)) counts.set(k, (counts.get(k) ?? 0) + 1);
    return counts;
  };
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const authors = count((r) => (r.authorKey ? [r.authorKey] : []));
  const repeat = [...authors.values()].filter((n) => n >= 2);
  const severities = count((r) => [r.severity || 'not graded']);
  return {
    total: rows.length,
    atRisk: rows.filter((r) => r.atRisk).length,
    open: rows.filter((r) => r.status !== 'closed').length,
    bySeverity: [...severities.entries()].sort((a, b) => rankOf(a[0]) - rankOf(b[0])),
    byStatus: sorted(count((r) => [labelOf(INCIDENT_STATUSES, r.status)])),
    byCategory: sorted(count((r) => r.categories.map((c) => labelOf(POST_CATEGORIES, c)))),
    byPlatform: sorted(count((r) => [labelOf(PLATFORMS, r.platform)])),
    byMonth: [...count((r) => [r.reportedAt.slice(0, 7)]).entries()].sort((a, b) => a[0].localeCompare(b[0])),
    repeatAuthors: repeat.length,
    incidentsByRepeatAuthors: repeat.reduce((a, b) => a + b, 0),
    response: responseFigures(rows, now),
  };
}

function responseFigures(rows: readonly SummaryInput[], now: Date): ResponseFigures {
  const time = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN);
  const decided = rows.filter((r) => !Number.isNaN(time(r.decidedAt)) && !Number.isNaN(time(r.reportedAt)));
  const minutes = decided.map((r) => Math.max(0, (time(r.decidedAt) - time(r.reportedAt)) / 60_000)).sort((a, b) => a - b);
  const mid = Math.floor(minutes.length / 2);
  const median = minutes.length === 0 ? undefined : minutes.length % 2 === 1 ? minutes[mid]! : (minutes[mid - 1]! + minutes[mid]!) / 2;
  const withTarget = decided.filter((r) => !Number.isNaN(time(r.decisionDueAt)));
  return {
    decided: decided.length,
    ...(median !== undefined ? { medianMinutes: Math.round(median) } : {}),
    withinTarget: withTarget.filter((r) => time(r.decidedAt) <= time(r.decisionDueAt)).length,
    withTarget: withTarget.length,
    overdueNow: rows.filter((r) => Number.isNaN(time(r.decidedAt)) && r.status !== 'closed' && time(r.decisionDueAt) < now.getTime()).length,
  };
}

function rankOf(severity: string): number {
  const i = SEVERITY_ORDER.indexOf(severity);
  return i === -1 ? SEVERITY_ORDER.length : i;
}
