import { INCIDENT_STATUSES } from './incident.ts';
import { labelOf, PLATFORMS, POST_CATEGORIES } from './vocabulary.ts';
import { londonMonth } from './ukTime.ts';

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
    byMonth: [...count((r) => [londonMonth(new Date(r.reportedAt))]).entries()].sort((a, b) => a[0].localeCompare(b[0])),
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

/**
 * The counters one incident adds to its month's count rows (the summary without reading every
 * incident): kept by the same transactions that change the incident, so an update removes the
 * keys of the version it replaces and adds those of the new one. "repeat" marks an incident whose
 * author had posted before it (BMA: the second post starts harassment); "repeatAuthor" marks the
 * second post itself, so each author who became a repeat author is counted once, in that month.
 */
export interface CountedFacts {
  status: string;
  severity: string;
  platform: string;
  categories: string[];
  atRisk: boolean;
  priorIncidentsByAuthor?: number;
  /** For the response figures: when it was reported, decided, and when the decision fell due. */
  reportedAt?: string;
  decidedAt?: string;
  decisionDueAt?: string;
}

export function countKeysOf(facts: CountedFacts): string[] {
  const keys = ['total', `status:${facts.status}`, `severity:${facts.severity || 'not graded'}`, `platform:${facts.platform}`];
  for (const category of new Set(facts.categories)) keys.push(`category:${category}`);
  if (facts.atRisk) keys.push('atRisk');
  if ((facts.priorIncidentsByAuthor ?? 0) >= 1) keys.push('repeat');
  if (facts.priorIncidentsByAuthor === 1) keys.push('repeatAuthor');
  const reported = Date.parse(facts.reportedAt ?? '');
  const decided = Date.parse(facts.decidedAt ?? '');
  if (!Number.isNaN(reported) && !Number.isNaN(decided)) {
    keys.push('decided', `decidedIn:${minutesBucket(Math.max(0, (decided - reported) / 60_000))}`);
    const due = Date.parse(facts.decisionDueAt ?? '');
    if (!Number.isNaN(due)) keys.push('decidedWithTarget', ...(decided <= due ? ['decidedWithinTarget'] : []));
  }
  return keys;
}

/**
 * Minutes to a decision as a counter: exact under an hour, to 15 minutes under a day, to the hour
 * under a fortnight, then to the day, so a month's count row keeps a few hundred of them at most.
 * The median read from them is the lower end of its step (summarise, over every row, is exact).
 */
export function minutesBucket(minutes: number): number {
  if (minutes < 60) return Math.floor(minutes);
  if (minutes < 1_440) return Math.floor(minutes / 15) * 15;
  if (minutes < 14 * 1_440) return Math.floor(minutes / 60) * 60;
  return Math.floor(minutes / 1_440) * 1_440;
}

/** The median of counted values (value -> how many), the mean of the middle two for an even count. */
function medianOf(counts: ReadonlyMap<number, number>): number | undefined {
  const values = [...counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = values.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return undefined;
  const at = (index: number) => {
    let seen = 0;
    for (const [value, n] of values) if ((seen += n) > index) return value;
    return values.at(-1)![0];
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

/** +1 for each key the new version has, -1 for each the old one had; nothing when they agree. */
export function countDelta(before: readonly string[], after: readonly string[]): Map<string, number> {
  const delta = new Map<string, number>();
  for (const k of before) delta.set(k, (delta.get(k) ?? 0) - 1);
  for (const k of after) delta.set(k, (delta.get(k) ?? 0) + 1);
  for (const [k, n] of delta) if (n === 0) delta.delete(k);
  return delta;
}

/**
 * The practice summary from monthly count rows (month "YYYY-MM" -> counter -> n). Repeat authors
 * are those whose second post fell in the period (an author whose earlier post was before the
 * period still counts: the policy's "two or more connected posts" does not stop at a year end).
 */
export function summaryFromCounts(months: ReadonlyMap<string, ReadonlyMap<string, number>>, overdueNow = 0): PracticeSummary {
  const all = new Map<string, number>();
  for (const counts of months.values()) for (const [k, n] of counts) all.set(k, (all.get(k) ?? 0) + n);
  const prefixed = (prefix: string, label: (id: string) => string) =>
    [...all.entries()].filter(([k, n]) => k.startsWith(prefix) && n > 0).map(([k, n]) => [label(k.slice(prefix.length)), n] as [string, number]);
  const sorted = (entries: Array<[string, number]>) => entries.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const total = all.get('total') ?? 0;
  return {
    total,
    atRisk: all.get('atRisk') ?? 0,
    open: total - (all.get('status:closed') ?? 0),
    bySeverity: prefixed('severity:', (s) => s).sort((a, b) => rankOf(a[0]) - rankOf(b[0])),
    byStatus: sorted(prefixed('status:', (s) => labelOf(INCIDENT_STATUSES, s))),
    byCategory: sorted(prefixed('category:', (c) => labelOf(POST_CATEGORIES, c))),
    byPlatform: sorted(prefixed('platform:', (p) => labelOf(PLATFORMS, p))),
    byMonth: [...months.entries()].map(([m, c]) => [m, c.get('total') ?? 0] as [string, number]).filter(([, n]) => n > 0).sort((a, b) => a[0].localeCompare(b[0])),
    repeatAuthors: all.get('repeatAuthor') ?? 0,
    incidentsByRepeatAuthors: (all.get('repeat') ?? 0) + (all.get('repeatAuthor') ?? 0),
    response: responseFromCounts(all, overdueNow),
  };
}

/** The response figures from the counters; "overdue now" depends on the clock, so the caller counts it. */
function responseFromCounts(all: ReadonlyMap<string, number>, overdueNow: number): ResponseFigures {
  const minutes = new Map<number, number>();
  for (const [k, n] of all) if (k.startsWith('decidedIn:')) minutes.set(Number(k.slice('decidedIn:'.length)), n);
  const median = medianOf(minutes);
  return {
    decided: all.get('decided') ?? 0,
    ...(median !== undefined ? { medianMinutes: Math.round(median) } : {}),
    withinTarget: all.get('decidedWithinTarget') ?? 0,
    withTarget: all.get('decidedWithTarget') ?? 0,
    overdueNow,
  };
}
