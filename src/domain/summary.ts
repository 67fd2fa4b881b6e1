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
}

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

export function summarise(rows: readonly SummaryInput[]): PracticeSummary {
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
  };
}

function rankOf(severity: string): number {
  const i = SEVERITY_ORDER.indexOf(severity);
  return i === -1 ? SEVERITY_ORDER.length : i;
}
