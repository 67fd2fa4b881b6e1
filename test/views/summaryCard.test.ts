import { describe, expect, it } from 'vitest';
import { summarise, type SummaryInput } from '../../src/domain/summary.ts';
import { summaryCard } from '../../src/views/index.ts';
import { lastMonths } from '../../src/views/summaryCard.ts';
import { bytes, elements, fact, problems, TEAMS_MAX_BYTES, texts, type Json } from '../support/cardChecks.ts';
import { contrastFailures } from '../support/contrast.ts';

/** "summary" as a card: charts for Teams, FactSets for every other client, and the response figures. */

const NOW = new Date('2026-11-24T10:30:00Z');
const row = (over: Partial<SummaryInput>): SummaryInput => ({
  reportedAt: '2026-11-02T09:00:00Z', status: 'closed', severity: 'medium', platform: 'facebook', categories: ['complaint'], atRisk: false, authorKey: '', ...over,
});
const ROWS: SummaryInput[] = [
  // Decided in 1 h, target 8 h: within.
  row({ reportedAt: '2026-11-02T09:00:00Z', decidedAt: '2026-11-02T10:00:00Z', decisionDueAt: '2026-11-02T17:00:00Z', categories: ['personal-attack', 'names-staff'] }),
  // Decided in 3 h, target 1 h: late.
  row({ reportedAt: '2026-10-05T09:00:00Z', severity: 'critical', atRisk: true, decidedAt: '2026-10-05T12:00:00Z', decisionDueAt: '2026-10-05T10:00:00Z', categories: ['threat'] }),
  // Decided in 2 h, target 4 h: within.
  row({ reportedAt: '2026-06-10T09:00:00Z', severity: 'high', decidedAt: '2026-06-10T11:00:00Z', decisionDueAt: '2026-06-10T13:00:00Z', platform: 'google-reviews' }),
  // Not decided and past its target: overdue now.
  row({ reportedAt: '2026-11-23T09:00:00Z', status: 'awaiting-decision', decisionDueAt: '2026-11-23T17:00:00Z', categories: ['medical-help'] }),
  // Not decided, due later today: not overdue.
  row({ reportedAt: '2026-11-24T09:00:00Z', status: 'awaiting-decision', decisionDueAt: '2026-11-24T17:00:00Z', severity: 'low' }),
];

describe('the summary card', () => {
  const summary = summarise(ROWS, NOW);
  const card = summaryCard(summary, { practiceName: 'Riverside Surgery', now: NOW });

  it('is a valid card under 28 KB whose only unknown elements are Teams charts with FactSet fallbacks', () => {
    expect(problems(card)).toEqual([]);
    expect(bytes(card)).toBeLessThan(TEAMS_MAX_BYTES);
    expect(contrastFailures(card)).toEqual([]);
  });

  it('counts this month and the last 12 months, by severity and platform', () => {
    expect(fact(card, 'This month')).toBe('3');
    expect(fact(card, 'Last 12 months')).toBe('5');
    expect(fact(card, 'Not yet closed')).toBe('2');
    expect(fact(card, 'Someone may have been at risk')).toBe('1');
    expect(fact(card, 'Critical severity')).toBe('1');
    expect(fact(card, 'Medium severity')).toBe('2');
    expect(fact(card, 'Google reviews')).toBe('1');
  });

  it('months: a Chart.VerticalBar of the last 12 months, zeros included, falling back to a FactSet', () => {
    const bar = elements(card).find((e) => e.type === 'Chart.VerticalBar')!;
    const data = bar.data as Array<{ x: string; y: number }>;
    expect(data.map((d) => d.x)).toEqual(lastMonths(NOW).map((m) => m.label));
    expect(data).toHaveLength(12);
    expect(data.at(-1)).toEqual({ x: 'Nov 26', y: 3 });
    expect(data.find((d) => d.x === 'Oct 26')?.y).toBe(1);
    expect(data.find((d) => d.x === 'Sept 26' || d.x === 'Sep 26')?.y).toBe(0);
    const fallback = bar.fallback as Json;
    expect(fallback.type).toBe('FactSet');
    expect((fallback.facts as Array<{ title: string; value: string }>).map((f) => [f.title, Number(f.value)])).toEqual(data.map((d) => [d.x, d.y]));
  });

  it('the 12 months end with the London month of now: across midnight London time and the 2026 clock changes', () => {
    const months = (iso: string) => lastMonths(new Date(iso));
    const ends = (iso: string) => [months(iso)[0]!.key, months(iso).at(-1)!.key, months(iso).at(-1)!.label];
    expect(ends('2026-06-30T22:59:59Z')).toEqual(['2025-07', '2026-06', 'Jun 26']);
    expect(ends('2026-06-30T23:00:00Z')).toEqual(['2025-08', '2026-07', 'Jul 26']); // 00:00 BST on 1 July
    expect(ends('2026-03-29T00:59:59Z')).toEqual(['2025-04', '2026-03', 'Mar 26']);
    expect(ends('2026-03-29T01:00:00Z')).toEqual(['2025-04', '2026-03', 'Mar 26']);
    expect(ends('2026-10-25T00:59:59Z')).toEqual(['2025-11', '2026-10', 'Oct 26']);
    expect(ends('2026-10-25T01:00:00Z')).toEqual(['2025-11', '2026-10', 'Oct 26']);
    expect(ends('2026-12-31T23:59:59Z')).toEqual(['2026-01', '2026-12', 'Dec 26']);
    expect(ends('2027-01-01T00:00:00Z')).toEqual(['2026-02', '2027-01', 'Jan 27']);
    // Twelve different months, one after the other.
    const keys = months('2026-06-30T23:00:00Z').map((m) => m.key);
    expect(new Set(keys).size).toBe(12);
    expect(keys).toEqual([...keys].sort());
  });

  it('categories: a Chart.Donut, falling back to a FactSet', () => {
    const donut = elements(card).find((e) => e.type === 'Chart.Donut')!;
    expect(donut.data).toEqual(expect.arrayContaining([{ legend: 'Complaint about care', value: 2 }, { legend: 'Threat of violence or harm', value: 1 }, { legend: 'Asks for medical help or shares their own health details', value: 1 }]));
    expect((donut.fallback as Json).type).toBe('FactSet');
  });

  it('response figures: median time to decision, share within the target, overdue now', () => {
    expect(summary.response).toEqual({ decided: 3, medianMinutes: 120, withinTarget: 2, withTarget: 3, overdueNow: 1 });
    expect(fact(card, 'Median time to decision')).toBe('2 h');
    expect(fact(card, 'Decided within the policy target')).toBe('67% (2 of 3)');
    expect(fact(card, 'Overdue now')).toBe('1');
  });

  it('with nothing reported: says so, no empty donut, no division by zero', () => {
    const empty = summaryCard(summarise([], NOW), { practiceName: 'Riverside Surgery', now: NOW });
    expect(problems(empty)).toEqual([]);
    expect(elements(empty).filter((e) => e.type === 'Chart.Donut')).toEqual([]);
    expect(texts(empty)).toContain('No reports in this period.');
    expect(fact(empty, 'Median time to decision')).toBe('No decisions yet');
    expect(fact(empty, 'Decided within the policy target')).toBe('No decisions yet');
  });
});
