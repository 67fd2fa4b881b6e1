import { odata, TableClient, type TransactionAction } from '@azure/data-tables';
import type { Handling } from '../src/domain/handling.ts';
import type { Incident, IncidentStatus } from '../src/domain/incident.ts';
import { gradeReport, gradingFactsFrom } from '../src/domain/policy/grade.ts';
import { formatReference } from '../src/domain/reference.ts';
import type { ReportFacts } from '../src/domain/report.ts';
import { loadPolicy } from '../src/policy/load.ts';
import { startAzuriteProcess } from '../src/store/azuriteProcess.ts';
import { createAzureStores } from '../src/store/azure/index.ts';
import { summarise as summarisePractice } from '../src/domain/summary.ts';
import { INCIDENT_ROWS, toIncidentEntity, toOpenEntity } from '../src/store/azure/incidentEntity.ts';
import { countKeysOfIncident, countRowKey, monthOf } from '../src/store/azure/incidentCounts.ts';
import { key, putJson } from '../src/store/azure/entities.ts';
import { Summary } from '../src/app/register.ts';
import type { Practice } from '../src/domain/practice.ts';
import { devConnectionString } from '../src/store/embeddedAzurite.ts';
import { TableProxy } from './tableProxy.ts';

/**
 * The register and summary queries at 1k, 10k (and optionally 100k) stored incidents for one
 * practice, with other practices' incidents in the same table. Incidents are written in the
 * store's own layout (toIncidentEntity: PartitionKey = practice, RowKey incident|<reference>, flat
 * status/reportedAt/reporter columns, facts and handling as JSON) with submitTransaction batches of
 * 100. Only incident rows are seeded (not their audit entries and draft markers).
 *
 * What is timed:
 * - incidents.listByReporter (the store's own query: "my reports"), one reporter of 25;
 * - incidents.listOpen (the store's own register query: every incident not closed, whole
 *   entities with their facts and handling JSON), which "open incidents" reads for every page;
 * - for comparison, the open incidents read the leaner way: a status filter for the open
 *   statuses only and $select of the columns a register line shows;
 * - the summary as the product computes it (app/register.ts Summary.forPractice: the roles, the
 *   last 12 months of count rows, and the register's rows awaiting a decision for what is overdue
 *   now), and its
 *   count-row part alone. Count rows are seeded as the store keeps them (one per practice and
 *   month, the counters of each incident as stored: incidentCounts.ts);
 * - for comparison, the scans the summary made before the count rows: flat columns of every
 *   incident, and (before the flat columns) parsing every incident's handling JSON.
 */

export interface RegisterPoint {
  size: number;
  rows: number;
  medianMs: number;
  maxMs: number;
  /** HTTP requests (result pages) one query took. */
  requests: number;
  growth?: number;
}

export interface RegisterResult {
  queries: Array<{ name: string; points: RegisterPoint[] }>;
  seeded: number;
  seedMs: number;
  repeats: number;
}

const TARGET = 'reg-target';
const OTHERS = ['reg-other-1', 'reg-other-2'];
const REPORTERS = 25;
const OPEN: IncidentStatus[] = ['reported', 'awaiting-decision', 'in-progress'];

export async function runRegisterBench(args: { sizes: number[]; otherRatio: number; log: (text: string) => void }): Promise<RegisterResult> {
  const azurite = await startAzuriteProcess(); // in memory, its own process
  const proxy = await new TableProxy(azurite.tableEndpoint).start();
  try {
    const connectionString = devConnectionString({ tableEndpoint: proxy.endpoint, blobEndpoint: azurite.blobEndpoint });
    const stores = await createAzureStores(connectionString, { tablePrefix: 'reg' });
    const table = TableClient.fromConnectionString(connectionString, 'regincidents', { allowInsecureConnection: true });
    const templates = incidentTemplates();

    const counts = new Map<string, number>([[TARGET, 0], ...OTHERS.map((p) => [p, 0] as [string, number])]);
    let seeded = 0;
    let seedMs = 0;
    const results = new Map<string, RegisterPoint[]>();
    const repeats = 5;

    for (const size of args.sizes) {
      const t0 = performance.now();
      const wanted = new Map<string, number>([[TARGET, size], ...OTHERS.map((p) => [p, Math.round((size * args.otherRatio) / OTHERS.length)] as [string, number])]);
      for (const [practiceId, target] of wanted) {
        const from = counts.get(practiceId)!;
        if (target > from) {
          await seed(table, practiceId, from, target, templates);
          seeded += target - from;
          counts.set(practiceId, target);
        }
      }
      seedMs += performance.now() - t0;
      args.log(`register: ${size} incidents seeded for the practice (+ ${[...wanted.values()].reduce((a, b) => a + b, 0) - size} for others) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

      const time = async (name: string, query: () => Promise<number>) => {
        await query(); // warm
        const times: number[] = [];
        let rows = 0;
        let requests = 0;
        const n = size >= 100_000 ? 3 : repeats;
        for (let i = 0; i < n; i++) {
          const before = proxy.counts.total;
          const t = performance.now();
          rows = await query();
          times.push(performance.now() - t);
          requests = proxy.counts.total - before;
        }
        times.sort((a, b) => a - b);
        const points = results.get(name) ?? [];
        const previous = points.at(-1);
        const medianMs = times[Math.floor(times.length / 2)]!;
        points.push({ size, rows, medianMs, maxMs: times.at(-1)!, requests, ...(previous ? { growth: medianMs / previous.medianMs } : {}) });
        results.set(name, points);
        args.log(`register: ${name} at ${size}: ${medianMs.toFixed(0)} ms (${rows} rows, ${requests} requests)`);
      };

      await time('incidents.listByReporter (my reports, limit 20)', async () => (await stores.incidents.listByReporter(TARGET, reporterId(3), 20)).length);
      await time('incidents.listOpen (the register: not closed, its own projection rows)', async () => (await stores.incidents.listOpen(TARGET)).length);
      await time('open incidents, selected columns (status filter + $select)', async () => (await openIncidents(table, TARGET)).length);
      // The product's summary, at the moment of the latest seeded incident (its last 12 months of history).
      const now = new Date(reportedAtOf(counts.get(TARGET)! - 1));
      const summary = new Summary(stores, () => now);
      const manager: Practice = { id: TARGET, name: 'Register bench', teamIds: [], staff: [], staffNames: [], managers: ['aad-manager'], deputies: [], dataProtectionOfficers: [] };
      await time('summary (the "summary" command: roles, 12 months of count rows, open rows awaiting a decision for overdue)', async () => {
        const page = await summary.forPractice(manager, 'aad-manager');
        if (page.kind !== 'summary') throw new Error('register bench: the summary was refused');
        return page.summary.total;
      });
      await time('  its count rows alone (incidents.summaryCounts, 12 months)', async () => (await stores.incidents.summaryCounts(TARGET, monthOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1)).toISOString()))).size);
      // Every seeded incident (they span more than a year): the command read 12 months, so this is its worst case.
      await time('summary before count rows (flat columns, every incident)', async () =>
        summarisePractice(await stores.incidents.listSummaryRows(TARGET, '2000-01-01T00:00:00.000Z')).total,
      );
      await time('summary by parsing every incident\'s JSON (before the flat columns)', async () => {
        const summary = await summarise(table, TARGET);
        return [...summary.byStatus.values()].reduce((a, b) => a + b, 0);
      });
    }
    return { queries: [...results].map(([name, points]) => ({ name, points })), seeded, seedMs, repeats };
  } finally {
    await proxy.stop();
    await azurite.close();
  }
}

/** One incident an hour from 2020: 10k incidents span 14 months. */
function reportedAtOf(i: number): string {
  return new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString();
}

function reporterId(i: number): string {
  return `aad-reporter-${i}`;
}

/** Open incidents, lean: only the open statuses, only the columns a register line needs. */
export async function openIncidents(table: TableClient, practiceId: string): Promise<Array<{ reference: string; status: string; reportedAt: string; severity?: string }>> {
  const open = OPEN.map((s) => odata`status eq ${s}`).join(' or ');
  const filter = `${odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to}`} and (${open})`;
  const found: Array<{ reference: string; status: string; reportedAt: string; severity?: string }> = [];
  for await (const e of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter, select: ['reference', 'status', 'reportedAt', 'platform', 'reporterName', 'handling'] },
  })) {
    const handling = typeof e.handling === 'string' ? (JSON.parse(e.handling) as Handling) : undefined;
    found.push({ reference: String(e.reference), status: String(e.status), reportedAt: String(e.reportedAt), ...(handling?.grading ? { severity: handling.grading.severity } : {}) });
  }
  return found.sort((a, b) => (a.reportedAt < b.reportedAt ? 1 : -1));
}

/** Counts by status and by severity over every incident of the practice. */
export async function summarise(table: TableClient, practiceId: string): Promise<{ byStatus: Map<string, number>; bySeverity: Map<string, number> }> {
  const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to}`;
  const byStatus = new Map<string, number>();
  const bySeverity = new Map<string, number>();
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['status', 'handling'] } })) {
    const status = String(e.status);
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const severity = typeof e.handling === 'string' ? ((JSON.parse(e.handling) as Handling).grading?.severity ?? 'ungraded') : 'ungraded';
    bySeverity.set(severity, (bySeverity.get(severity) ?? 0) + 1);
  }
  return { byStatus, bySeverity };
}

/**
 * The same counts if severity were a flat column: only two short columns per incident cross the
 * wire (status and platform stand in for status and severity) and no JSON is parsed.
 */
export async function summariseFlat(table: TableClient, practiceId: string): Promise<Map<string, number>> {
  const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to}`;
  const counts = new Map<string, number>();
  for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['status', 'platform'] } })) {
    const k = `${String(e.status)}|${String(e.platform)}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

interface Template {
  facts: ReportFacts;
  handling: Handling;
}

/** A handful of realistic incidents (graded by the default policy) to copy. */
function incidentTemplates(): Template[] {
  const policy = loadPolicy();
  const kinds: Array<{ categories: ReportFacts['what']['categories']; atRisk: boolean; platform: ReportFacts['where']['platform'] }> = [
    { categories: ['personal-attack', 'names-staff'], atRisk: false, platform: 'facebook' },
    { categories: ['complaint'], atRisk: false, platform: 'google-reviews' },
    { categories: ['threat'], atRisk: true, platform: 'x' },
    { categories: ['false-or-misleading'], atRisk: false, platform: 'nhs-website' },
    { categories: ['other-criticism'], atRisk: false, platform: 'facebook' },
    { categories: ['discloses-patient-info'], atRisk: false, platform: 'instagram' },
  ];
  const at = '2026-03-02T09:30:00.000Z';
  return kinds.map((k, i) => {
    const facts: ReportFacts = {
      where: { platform: k.platform, postUrl: `https://example.org/posts/${i}`, seenAt: at, seenDate: '2026-03-02', seenTime: '09:30', authorName: `Author ${i}`, authorRelationship: 'patient' },
      what: { postText: 'The receptionist was rude and this practice is a disgrace. Avoid at all costs, they never answer the phone.', categories: k.categories, namedParties: ['practice'] },
      risk: { atRisk: k.atRisk, ...(k.atRisk ? { riskDetails: 'Says he will wait in the car park' } : {}) },
      evidence: { screenshots: [], noScreenshotReason: 'The post was deleted' },
    };
    const grading = gradeReport(policy, gradingFactsFrom(facts, 0));
    const handling: Handling = { version: 1, routedAt: at, grading, priorIncidentsByAuthor: 0 };
    return { facts, handling };
  });
}

/** Most incidents over the years are closed; a few are still open. */
function statusFor(i: number): IncidentStatus {
  const r = i % 20;
  if (r === 0) return 'awaiting-decision';
  if (r === 1 || r === 2) return 'in-progress';
  if (r < 8) return 'resolved';
  return 'closed';
}

async function seed(table: TableClient, practiceId: string, from: number, to: number, templates: Template[]): Promise<void> {
  const decidedBy = { aadObjectId: 'aad-manager', name: 'Manager' };
  const entityFor = (i: number) => {
    const template = templates[i % templates.length]!;
    const status = statusFor(i);
    const reportedAt = reportedAtOf(i);
    const handling: Handling =
      status === 'awaiting-decision'
        ? template.handling
        : { ...template.handling, version: 2, decision: { kind: 'no-response', by: decidedBy, at: reportedAt, reason: 'Replying would draw attention to the post.' } };
    const incident: Omit<Incident, 'etag'> = {
      practiceId,
      reference: formatReference(2020 + Math.floor(i / 100_000), (i % 100_000) + 1),
      status,
      reportedAt,
      reporter: { aadObjectId: reporterId(i % REPORTERS), name: `Reporter ${i % REPORTERS}` },
      draftId: `draft-${practiceId}-${i}`,
      facts: template.facts,
      handling,
    };
    // As the store writes them: the incident, and the register's row while it is not closed.
    const rows = [toIncidentEntity(incident, { auditSequence: 2, auditHash: 'a'.repeat(64) })];
    if (status !== 'closed') rows.push(toOpenEntity(incident));
    const month = monthOf(reportedAt);
    const counts = monthCounts.get(month) ?? new Map<string, number>();
    for (const k of countKeysOfIncident(incident)) counts.set(k, (counts.get(k) ?? 0) + 1);
    monthCounts.set(month, counts);
    return rows;
  };
  const monthCounts = countsSoFar.get(practiceId) ?? new Map<string, Map<string, number>>();
  countsSoFar.set(practiceId, monthCounts);
  const batches: number[][] = [];
  // Up to two rows an incident, and a batch holds at most 100 operations.
  for (let start = from; start < to; start += 50) batches.push([start, Math.min(to, start + 50)]);
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const [a, b] = batches[next++]!;
      const actions: TransactionAction[] = [];
      for (let i = a!; i < b!; i++) for (const row of entityFor(i)) actions.push(['create', row]);
      await table.submitTransaction(actions);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  // The month's count row as the store keeps it (one shard here: the store spreads a month over a
  // few shards per process, which the summary reads as one range either way).
  for (const [month, counts] of monthCounts) {
    const row: Record<string, unknown> & { partitionKey: string; rowKey: string } = { partitionKey: key(practiceId), rowKey: countRowKey(month, 0), kind: 'count' };
    putJson(row, 'counts', Object.fromEntries(counts));
    await table.upsertEntity(row, 'Replace');
  }
}

/** Practice -> month -> counter -> n, over every incident seeded so far (seeding is incremental). */
const countsSoFar = new Map<string, Map<string, Map<string, number>>>();
