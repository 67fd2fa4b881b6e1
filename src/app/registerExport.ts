import { stringify } from 'csv-stringify/sync';
import { decisionDue, DECISION_KINDS, handlingOf } from '../domain/handling.ts';
import { INCIDENT_STATUSES, type Incident } from '../domain/incident.ts';
import type { Person } from '../domain/handling.ts';
import type { Practice } from '../domain/practice.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { holdsRole, type PracticeRoles } from '../domain/roles.ts';
import { seesAsDecider } from '../domain/sight.ts';
import { londonMidnight, ukNumericDateTime } from '../domain/ukTime.ts';
import { labelOf, PLATFORMS, POST_CATEGORIES } from '../domain/vocabulary.ts';
import type { Stores } from '../store/ports.ts';
import { describeClient, type DownloadClient } from './downloadClient.ts';
import { rolesOf } from './practiceRoles.ts';

/**
 * "export register": the practice's incidents over a period as a CSV for people outside Teams (a
 * CQC inspection, an ICB return). Facts about handling only: no post text, no author, no reporter,
 * no names. Written with csv-stringify (RFC 4180 quoting, CRLF records) with formula escaping on,
 * so a cell starting with = + - @ tab or CR is prefixed with ' and Excel shows it as text rather
 * than running it; a UTF-8 BOM and dd/mm/yyyy dates so Excel in a UK locale opens it correctly.
 */

export interface ExportPeriod {
  from: string;
  to: string;
  /** How the period is described to people and in the file name. */
  label: string;
}

export const PERIOD_HELP =
  'Say which period, for example: "export register" (the last 12 months), "export register 2026" (a calendar year) or "export register 01/04/2026 to 31/03/2027".';

const DATE = String.raw`(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})`;
const RANGE = new RegExp(String.raw`^(?:from\s+)?${DATE}\s*(?:to|until|-|–)\s*${DATE}$`, 'i');

/** The period people typed after "export register"; end dates are inclusive, days are UK days. */
export function parsePeriod(text: string, now: Date): Result<ExportPeriod, string> {
  const words = text.trim().toLowerCase();
  if (words === '' || words === 'last 12 months' || words === 'last year') {
    const from = new Date(now);
    from.setUTCMonth(from.getUTCMonth() - 12);
    return ok({ from: from.toISOString(), to: new Date(now.getTime() + 1).toISOString(), label: 'last 12 months' });
  }
  const year = /^(\d{4})$/.exec(words);
  if (year) {
    const y = Number(year[1]);
    return ok({ from: londonMidnight(y, 1, 1).toISOString(), to: londonMidnight(y + 1, 1, 1).toISOString(), label: String(y) });
  }
  const range = RANGE.exec(words);
  const start = range && dayOf(range[1] ?? '');
  const end = range && dayOf(range[2] ?? '');
  if (!start || !end) return err(PERIOD_HELP);
  const from = londonMidnight(start.y, start.m, start.d);
  const to = londonMidnight(end.y, end.m, end.d + 1);
  if (from >= to) return err('The period ends before it starts. ' + PERIOD_HELP);
  return ok({ from: from.toISOString(), to: to.toISOString(), label: `${iso(start)} to ${iso(end)}` });
}

function dayOf(text: string): { y: number; m: number; d: number } | undefined {
  const isoDay = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ukDay = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const [y, m, d] = isoDay ? [Number(isoDay[1]), Number(isoDay[2]), Number(isoDay[3])] : ukDay ? [Number(ukDay[3]), Number(ukDay[2]), Number(ukDay[1])] : [0, 0, 0];
  const at = new Date(Date.UTC(y, m - 1, d));
  if (!y || at.getUTCFullYear() !== y || at.getUTCMonth() !== m - 1 || at.getUTCDate() !== d) return undefined;
  return { y, m, d };
}

function iso(day: { y: number; m: number; d: number }): string {
  return `${day.y}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
}

export const REGISTER_COLUMNS = [
  'Reference',
  'Reported',
  'Platform',
  'Categories',
  'Severity',
  'Status',
  'Decision',
  'Decided',
  'Hours to decision',
  'Decision within target',
  'Closed',
  'Closure outcome',
] as const;

/** One row per incident: handling facts only (see the module comment). */
export function registerRow(incident: Incident, now: Date): string[] {
  const h = handlingOf(incident);
  const decision = h.decision;
  const due = decisionDue(incident);
  const title = (id: string) => h.grading?.actions.find((a) => a.id === id)?.title ?? id;
  const decided = decision ? `${labelOf(DECISION_KINDS, decision.kind)}${decision.actions?.length ? `: ${decision.actions.map(title).join('; ')}` : ''}` : '';
  const hours = decision ? ((Date.parse(decision.at) - Date.parse(incident.reportedAt)) / 3_600_000).toFixed(1) : '';
  const withinTarget = !due ? '' : decision ? (Date.parse(decision.at) <= due.getTime() ? 'Yes' : 'No') : now.getTime() > due.getTime() ? 'No (not yet decided)' : 'Not yet decided';
  return [
    incident.reference,
    ukNumericDateTime(incident.reportedAt),
    labelOf(PLATFORMS, incident.facts.where.platform),
    incident.facts.what.categories.map((c) => labelOf(POST_CATEGORIES, c)).join('; '),
    h.grading?.severity ?? '',
    labelOf(INCIDENT_STATUSES, incident.status),
    decided,
    ukNumericDateTime(decision?.at),
    hours,
    withinTarget,
    ukNumericDateTime(h.closure?.closedAt),
    h.closure?.outcome ?? '',
  ];
}

export function registerCsv(incidents: readonly Incident[], now: Date): Buffer {
  const text = stringify([[...REGISTER_COLUMNS], ...incidents.map((i) => registerRow(i, now))], {
    bom: true,
    escape_formulas: true,
    record_delimiter: 'windows',
  });
  return Buffer.from(text, 'utf8');
}

/** What a verified register link names: its own id (single use), when it expires, and the period. */
export interface ExportLink {
  id: string;
  expiresAt: number;
  from: string;
  to: string;
}

export type ExportRequest = { kind: 'denied' } | { kind: 'invalid'; message: string } | { kind: 'allowed'; period: ExportPeriod };

/** The use case: who may export, what goes in the file, and the audit of both steps. */
export class RegisterExport {
  constructor(
    private readonly stores: Pick<Stores, 'incidents' | 'practices' | 'leases'>,
    private readonly now: () => Date,
  ) {}

  /** For the practice's deciders only; the link's issue is recorded in the practice's audit. */
  async request(practice: Practice, person: Person, periodText: string): Promise<ExportRequest> {
    if (!(await this.allowed(practice, person.aadObjectId))) return { kind: 'denied' };
    const period = parsePeriod(periodText, this.now());
    if (!period.ok) return { kind: 'invalid', message: period.error };
    await this.stores.practices.audit(practice.id, { actor: person, action: 'register-export.issued', summary: `Register export link issued (${period.value.label}).` });
    return { kind: 'allowed', period: period.value };
  }

  /**
   * The file, once per link, if the person the link was issued to still decides for the practice.
   * The link is used up first, like the evidence pack's: a forwarded or leaked link does not keep
   * serving the register.
   */
  async download(practice: Practice, person: Person, link: ExportLink, client: DownloadClient): Promise<{ fileName: string; bytes: Buffer; rows: number } | 'refused' | 'used'> {
    if (!(await this.stores.leases.useOnce(`register-link|${link.id}`, new Date(link.expiresAt)))) return 'used';
    const period = { from: link.from, to: link.to };
    const roles = await this.roles(practice);
    if (!holdsRole(roles, person.aadObjectId)) return 'refused';
    // Each row only for someone who may open that incident as a decider (the DPO: personal data ones).
    const incidents = (await this.stores.incidents.listReportedBetween(practice.id, period.from, period.to)).filter((i) => seesAsDecider(i, roles, practice.id, person.aadObjectId));
    const bytes = registerCsv(incidents, this.now());
    const fileName = `register-${practice.id.replace(/[^A-Za-z0-9-]/g, '').slice(0, 40) || 'practice'}-${period.from.slice(0, 10)}-to-${period.to.slice(0, 10)}.csv`;
    await this.stores.practices.audit(practice.id, { actor: person, action: 'register-export.downloaded', summary: `Register exported as CSV: ${incidents.length} incidents reported ${period.from} to ${period.to}, downloaded by ${describeClient(client)}.` });
    return { fileName, bytes, rows: incidents.length };
  }

  private async allowed(practice: Practice, aadObjectId: string): Promise<boolean> {
    return holdsRole(await this.roles(practice), aadObjectId);
  }

  private async roles(practice: Practice): Promise<PracticeRoles> {
    return rolesOf(this.stores.practices, practice);
  }
}
