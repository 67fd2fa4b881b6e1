import type { PracticeSummary } from '../domain/summary.ts';
import { londonMonth, londonMonthLabel } from '../domain/ukTime.ts';
import { duration } from './incidentHeadline.ts';
import { plainText } from './plainText.ts';
import { expandCard, type CardJson } from './templates.ts';

/**
 * The practice summary as a card: counts this month and over 12 months, by severity and platform;
 * Teams' chart elements for months (Chart.VerticalBar) and categories (Chart.Donut), each with a
 * FactSet fallback for clients without charts; and how quickly decisions are made.
 */

export interface SummaryCardOptions {
  practiceName: string;
  now: Date;
}

const MONTHS = 12;

/** The last 12 London months, oldest first, each with its label ("Dec 25"). */
export function lastMonths(now: Date): Array<{ key: string; label: string }> {
  const out: Array<{ key: string; label: string }> = [];
  // The 15th of each month is safely inside it whatever the time zone.
  const anchor = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 15));
  if (londonMonth(anchor) !== londonMonth(now)) anchor.setUTCMonth(anchor.getUTCMonth() + 1);
  for (let i = MONTHS - 1; i >= 0; i--) {
    const at = new Date(Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth() - i, 15));
    out.push({ key: londonMonth(at), label: londonMonthLabel(at) });
  }
  return out;
}

export function summaryCard(s: PracticeSummary, opts: SummaryCardOptions): CardJson {
  const months = lastMonths(opts.now);
  const byMonth = new Map(s.byMonth);
  const thisMonth = byMonth.get(months.at(-1)!.key) ?? 0;
  const fact = (title: string, value: string | number) => ({ title: plainText(title), value: plainText(String(value)) });
  const r = s.response;
  return expandCard('summary', {
    title: plainText(`${opts.practiceName}: incidents`),
    period: `This month and the last 12 months (${months[0]!.label} to ${months.at(-1)!.label})`,
    counts: [
      fact('This month', thisMonth),
      fact('Last 12 months', s.total),
      fact('Not yet closed', s.open),
      fact('Someone may have been at risk', s.atRisk),
    ],
    response: [
      fact('Median time to decision', r.medianMinutes === undefined ? 'No decisions yet' : duration(r.medianMinutes)),
      fact('Decided within the policy target', r.withTarget === 0 ? 'No decisions yet' : `${Math.round((100 * r.withinTarget) / r.withTarget)}% (${r.withinTarget} of ${r.withTarget})`),
      fact('Overdue now', r.overdueNow),
    ],
    months: {
      chart: months.map((m) => ({ x: m.label, y: byMonth.get(m.key) ?? 0 })),
      table: months.map((m) => fact(m.label, byMonth.get(m.key) ?? 0)),
    },
    categories: {
      any: s.byCategory.length > 0,
      chart: s.byCategory.map(([label, n]) => ({ legend: plainText(label), value: n })),
      table: s.byCategory.map(([label, n]) => fact(label, n)),
    },
    bySeverity: s.bySeverity.length > 0 ? s.bySeverity.map(([k, n]) => fact(`${k.charAt(0).toUpperCase()}${k.slice(1)} severity`, n)) : [fact('Severity', 'none')],
    byPlatform: s.byPlatform.length > 0 ? s.byPlatform.map(([k, n]) => fact(k, n)) : [fact('Platform', 'none')],
    repeat:
      s.repeatAuthors > 0
        ? plainText(`Repeat authors: ${s.repeatAuthors}, with ${s.incidentsByRepeatAuthors} posts between them (two or more connected posts may be harassment, BMA).`)
        : 'No author has posted more than once.',
  });
}
