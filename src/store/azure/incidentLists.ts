import { odata, type TableClient } from '@azure/data-tables';
import type { Handling } from '../../domain/handling.ts';
import type { Incident } from '../../domain/incident.ts';
import type { OpenIncident, SummaryRow } from '../ports.ts';
import { deadline } from './clients.ts';
import { etagOf, getJson, key, stringProp, unkey } from './entities.ts';
import { mapped } from './errors.ts';
import { fromIncidentEntity, INCIDENT_ROWS, OPEN_ROWS } from './incidentEntity.ts';

/**
 * The incident table's queries that list rather than change: a person's reports, the open
 * register, the summary's rows, the export's period, and the sweeps across practices (unrouted,
 * active, closed). AzureIncidentStore (incidentStore.ts) answers the IncidentStore port with them.
 */

/** A long scan gets more time than a point operation, but is still bounded. */
const SCAN_MS = 30_000;

export async function listByReporter(table: TableClient, practiceId: string, reporterAadObjectId: string, limit: number): Promise<Incident[]> {
  if (limit <= 0) return [];
  const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to} and reporterAadObjectId eq ${reporterAadObjectId}`;
  const incidents = await mapped('List reports', async () => {
    const found: Incident[] = [];
    for await (const entity of table.listEntities({ queryOptions: { filter }, abortSignal: deadline() })) {
      found.push(fromIncidentEntity(practiceId, entity, etagOf(entity)));
    }
    return found;
  });
  return incidents.sort((a, b) => compareDesc(a.reportedAt, b.reportedAt) || compareDesc(a.reference, b.reference)).slice(0, limit);
}

/**
 * The routing sweep, a practice at a time: incidents whose routing did not finish (a crash, an
 * outage). An incident not routed yet is still "reported" (routing makes it "awaiting-decision"),
 * and its register row says so, written in the same transaction: one small range read per
 * practice, where a filter on the incident rows would scan the whole table (every practice's
 * incidents and audit entries).
 */
export async function listUnrouted(table: TableClient, practiceId: string, limit: number): Promise<OpenIncident[]> {
  return (await listOpen(table, practiceId, 'reported')).slice(0, limit);
}

export async function listOpen(table: TableClient, practiceId: string, status?: OpenIncident['status']): Promise<OpenIncident[]> {
  const range = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${OPEN_ROWS.from} and RowKey lt ${OPEN_ROWS.to}`;
  const filter = status ? `${range} and ${odata`status eq ${status}`}` : range;
  return mapped('List open incidents', async () => {
    const found: OpenIncident[] = [];
    for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal: deadline(SCAN_MS) })) {
      const handling = getJson<Handling>(e, 'handling');
      found.push({
        practiceId,
        reference: stringProp(e, 'reference'),
        status: stringProp(e, 'status') as OpenIncident['status'],
        reportedAt: stringProp(e, 'reportedAt'),
        platform: typeof e.platform === 'string' ? e.platform : '',
        atRisk: e.atRisk === true,
        ...(handling ? { handling } : {}),
      });
    }
    return found;
  });
}

const ACTIVE: ReadonlySet<OpenIncident['status']> = new Set(['awaiting-decision', 'in-progress']);

/** A practice's incidents waiting for a decision or a follow-up action: its register rows, one range read. */
export async function listActive(table: TableClient, practiceId: string): Promise<OpenIncident[]> {
  return (await listOpen(table, practiceId)).filter((row) => ACTIVE.has(row.status));
}

export async function listSummaryRows(table: TableClient, practiceId: string, since: string): Promise<SummaryRow[]> {
  const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to} and reportedAt ge ${since}`;
  const select = ['reference', 'reportedAt', 'status', 'severity', 'platform', 'categories', 'atRisk', 'authorKey', 'decidedAt', 'decisionDueAt'];
  return mapped('Summarise incidents', async () => {
    const rows: SummaryRow[] = [];
    for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select }, abortSignal: deadline(SCAN_MS) })) {
      const text = (name: string) => (typeof e[name] === 'string' ? (e[name] as string) : '');
      rows.push({
        reference: text('reference'),
        reportedAt: text('reportedAt'),
        status: text('status'),
        severity: text('severity'),
        platform: text('platform'),
        categories: text('categories').split(',').filter((c) => c.length > 0),
        atRisk: e.atRisk === true,
        authorKey: text('authorKey'),
        ...(text('decidedAt') ? { decidedAt: text('decidedAt') } : {}),
        ...(text('decisionDueAt') ? { decisionDueAt: text('decisionDueAt') } : {}),
      });
    }
    return rows;
  });
}

export async function listReportedBetween(table: TableClient, practiceId: string, from: string, to: string): Promise<Incident[]> {
  const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to} and reportedAt ge ${from} and reportedAt lt ${to}`;
  const found = await listWhere(table, 'List incidents for export', filter, practiceId);
  return found.sort((a, b) => (a.reportedAt < b.reportedAt ? -1 : a.reportedAt > b.reportedAt ? 1 : a.reference < b.reference ? -1 : 1));
}

export async function listClosed(table: TableClient, practiceId?: string): Promise<Incident[]> {
  const filter =
    practiceId === undefined
      ? odata`RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to} and status eq 'closed'`
      : odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to} and status eq 'closed'`;
  return listWhere(table, 'List closed incidents', filter, practiceId);
}

async function listWhere(table: TableClient, operation: string, filter: string, practiceId?: string): Promise<Incident[]> {
  return mapped(operation, async () => {
    const found: Incident[] = [];
    for await (const entity of table.listEntities({ queryOptions: { filter }, abortSignal: deadline(SCAN_MS) })) {
      found.push(fromIncidentEntity(practiceId ?? unkey(entity.partitionKey ?? ''), entity, entity.etag ?? ''));
    }
    return found;
  });
}

function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
