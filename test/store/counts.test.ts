import { randomUUID } from 'node:crypto';
import { odata, TableClient } from '@azure/data-tables';
import { beforeAll, describe, expect, it } from 'vitest';
import { handlingOf, route } from '../../src/domain/handling.ts';
import { distinctPriorPosts } from '../../src/domain/rereport.ts';
import { authorKey, type Incident, type NewIncident } from '../../src/domain/incident.ts';
import { gradeReport, gradingFactsFrom } from '../../src/domain/policy/grade.ts';
import { summarise, summaryFromCounts } from '../../src/domain/summary.ts';
import { DEFAULT_POLICY } from '../../src/policy/default.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { IncidentStore } from '../../src/store/ports.ts';
import { Summary } from '../../src/app/register.ts';
import { useAzurite } from '../support/azurite.ts';

/**
 * Monthly count rows and per-author index rows, kept by the incident's own transactions: the
 * summary read from them must say what a scan of every incident says.
 */
const storage = useAzurite();
let incidents: IncidentStore;
let otherProcess: IncidentStore;

beforeAll(async () => {
  incidents = (await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix })).incidents;
  otherProcess = (await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix })).incidents;
});

const actor = { aadObjectId: 'aad-rita', name: 'Rita' };

type Facts = NewIncident['facts'];

function report(practiceId: string, at: string, options: { author?: string; categories?: Facts['what']['categories']; atRisk?: boolean; platform?: Facts['where']['platform'] } = {}): NewIncident {
  return {
    practiceId,
    status: 'reported',
    reportedAt: at,
    reporter: actor,
    draftId: randomUUID(),
    facts: {
      where: { platform: options.platform ?? 'facebook', postUrl: `https://www.facebook.com/post/${randomUUID()}`, seenAt: at, seenDate: at.slice(0, 10), seenTime: '09:00', authorRelationship: 'patient', ...(options.author ? { authorName: options.author } : {}) },
      what: { postText: `The receptionist was rude (${at})`, categories: options.categories ?? ['personal-attack'], namedParties: ['practice'] },
      risk: { atRisk: options.atRisk ?? false },
      evidence: { screenshots: [], noScreenshotReason: 'Post was deleted' },
    },
  };
}

/** Routing's grading and repeat-author count, as the app does it (earlier reports from the index rows). */
async function routeIt(store: IncidentStore, incident: Incident): Promise<Incident> {
  const key = authorKey(incident.facts);
  const found = key ? await store.earlierReports(incident.practiceId, { authorKey: key }, incident.reportedAt) : [];
  const prior = distinctPriorPosts(incident.facts, found.filter((i) => i.reportedAt < incident.reportedAt || (i.reportedAt === incident.reportedAt && i.reference < incident.reference)));
  const grading = gradeReport(DEFAULT_POLICY, gradingFactsFrom(incident.facts, prior));
  return store.update(route(incident, grading, prior, new Date(incident.reportedAt)), { actor, action: 'incident.routed', summary: 'Routed.' });
}

describe('count rows and author rows', () => {
  it('give the same summary as reading every incident, through submits, routing, status changes and two processes', async () => {
    const p = 'counts-same';
    const made: Incident[] = [];
    const plan: Array<[string, Parameters<typeof report>[2]]> = [
      ['2026-09-03T10:00:00.000Z', { author: 'Pat Poster', categories: ['threat'] }],
      ['2026-10-11T10:00:00.000Z', { author: 'Pat Poster', categories: ['personal-attack', 'names-staff'], atRisk: true }],
      ['2026-10-12T10:00:00.000Z', { author: 'Pat Poster', categories: ['harassment'] }],
      ['2026-10-20T10:00:00.000Z', { author: 'Someone Else' }],
      ['2026-11-02T10:00:00.000Z', { platform: 'x' }],
      ['2026-11-05T10:00:00.000Z', { author: 'Someone Else', categories: ['complaint'] }],
    ];
    for (const [i, [at, options]] of plan.entries()) {
      const store = i % 2 === 0 ? incidents : otherProcess;
      const { incident } = await store.submit(report(p, at, options), actor);
      made.push(await routeIt(store, incident));
    }
    // The repeat-author count came from the index rows: 0, 1, 2 for Pat; 0, 1 for the other author.
    expect(made.map((i) => handlingOf(i).priorIncidentsByAuthor)).toEqual([0, 1, 2, 0, 0, 1]);
    // Status changes move counters between statuses, from either process.
    await otherProcess.update({ ...(await otherProcess.get(p, made[0]!.reference))!, status: 'closed' }, { actor, action: 'incident.closed', summary: 'Closed.' });
    await incidents.update({ ...(await incidents.get(p, made[3]!.reference))!, status: 'in-progress' }, { actor, action: 'incident.started', summary: 'Started.' });

    // Decisions 30 min, 2 h and 30 h after the report (the targets are hours): counted with the
    // minutes to decide and whether the target was met.
    for (const [i, minutes] of [[1, 30], [2, 120], [4, 30 * 60]] as const) {
      const current = (await incidents.get(p, made[i]!.reference))!;
      const at = new Date(Date.parse(current.reportedAt) + minutes * 60_000).toISOString();
      await incidents.update({ ...current, handling: { ...current.handling!, version: current.handling!.version + 1, decision: { kind: 'no-response', by: actor, at, reason: 'Ignore.' } } }, { actor, action: 'decision.recorded', summary: 'Decided.' });
    }

    const counted = summaryFromCounts(await incidents.summaryCounts(p, '2026-01'));
    const scanned = summarise(await incidents.listSummaryRows(p, '2026-01-01T00:00:00.000Z'));
    expect(counted.total).toBe(6);
    // The response figures but "overdue now" (the clock's, counted by the caller from open rows).
    const { overdueNow: _counted, ...countedResponse } = counted.response;
    const { overdueNow: _scanned, ...scannedResponse } = scanned.response;
    expect(countedResponse).toEqual(scannedResponse);
    expect(countedResponse).toMatchObject({ decided: 3, medianMinutes: 120, withTarget: 3 });
    for (const field of ['total', 'atRisk', 'open', 'bySeverity', 'byStatus', 'byCategory', 'byPlatform', 'byMonth'] as const) {
      expect(counted[field], field).toEqual(scanned[field]);
    }
    // Two authors posted more than once; 5 of their posts are in the period.
    expect(counted.repeatAuthors).toBe(2);
    expect(counted.incidentsByRepeatAuthors).toBe(scanned.incidentsByRepeatAuthors);
    // From a later month on, earlier months are not read.
    expect(summaryFromCounts(await incidents.summaryCounts(p, '2026-11')).total).toBe(2);
    // Another practice's counts are its own.
    expect(summaryFromCounts(await incidents.summaryCounts('counts-elsewhere', '2026-01')).total).toBe(0);
  });

  it('count a report in the London month it was made in, as the summary card labels it (BST: 23:30 UTC on 30 June is July)', async () => {
    const p = 'counts-london-month';
    for (const at of ['2026-06-30T22:59:59.000Z', '2026-06-30T23:30:00.000Z', '2026-12-31T23:30:00.000Z', '2027-01-01T00:00:00.000Z']) await incidents.submit(report(p, at), actor);
    const byMonth = summaryFromCounts(await incidents.summaryCounts(p, '2026-01')).byMonth;
    expect(byMonth).toEqual([['2026-06', 1], ['2026-07', 1], ['2026-12', 1], ['2027-01', 1]]);
    // The scan of every incident agrees.
    expect(summarise(await incidents.listSummaryRows(p, '2026-01-01T00:00:00.000Z')).byMonth).toEqual(byMonth);
  });

  it('keep counting right when many submits and updates in one practice land at once, from two processes', async () => {
    const p = 'counts-burst';
    const submitted = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? incidents : otherProcess).submit(report(p, `2026-11-${String(10 + (i % 3)).padStart(2, '0')}T10:00:00.000Z`, { author: `Author ${i % 4}` }), actor)),
    );
    await Promise.all(submitted.slice(0, 10).map(({ incident }, i) => (i % 2 ? incidents : otherProcess).update({ ...incident, status: 'awaiting-decision' }, { actor, action: 'incident.triaged', summary: 'Triaged.' }).catch(async () => {
      // A version this process did not write may need reading first (the other process's cache).
      const fresh = await otherProcess.get(p, incident.reference);
      return otherProcess.update({ ...fresh!, status: 'awaiting-decision' }, { actor, action: 'incident.triaged', summary: 'Triaged.' });
    })));
    const counted = summaryFromCounts(await incidents.summaryCounts(p, '2026-01'));
    const scanned = summarise(await incidents.listSummaryRows(p, '2026-01-01T00:00:00.000Z'));
    expect(counted.total).toBe(30);
    expect(counted.byStatus).toEqual(scanned.byStatus);
    expect(await incidents.earlierReports(p, { authorKey: 'facebook:author 1' }, '2026-12-01T00:00:00.000Z')).toHaveLength(8);
  });

  it('spread one process\'s transactions in a busy practice over the month\'s rows instead of queueing them on one, and still add up', async () => {
    const p = 'counts-spread';
    const submitted = await Promise.all(Array.from({ length: 12 }, (_, i) => incidents.submit(report(p, `2026-11-20T10:00:${String(i).padStart(2, '0')}.000Z`), actor)));
    await Promise.all(submitted.map(({ incident }) => incidents.update({ ...incident, status: 'awaiting-decision' }, { actor, action: 'incident.triaged', summary: 'Triaged.' })));
    const table = TableClient.fromConnectionString(storage.connectionString, `${storage.tablePrefix}incidents`, { allowInsecureConnection: true });
    const rows: string[] = [];
    for await (const e of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${p} and RowKey ge 'count|' and RowKey lt 'count}'` } })) rows.push(e.rowKey ?? '');
    // Twelve submits at once were not one queue: several of the month's rows took them.
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.every((r) => r.startsWith('count|2026-11|s'))).toBe(true);
    const counted = summaryFromCounts(await incidents.summaryCounts(p, '2026-01'));
    expect(counted.total).toBe(12);
    expect(counted.byStatus).toEqual(summarise(await incidents.listSummaryRows(p, '2026-01-01T00:00:00.000Z')).byStatus);
  });

  it('the "summary" counts as overdue now exactly the incidents past their decision target without a decision, reading only those awaiting one', async () => {
    const p = 'counts-overdue';
    const at = '2026-11-02T09:00:00.000Z';
    const routed: Incident[] = [];
    for (const categories of [['threat'], ['personal-attack'], ['complaint']] as Array<Facts['what']['categories']>) {
      routed.push(await routeIt(incidents, (await incidents.submit(report(p, at, { categories }), actor)).incident));
    }
    // One decided (work under way), one closed and reopened before any decision: back to awaiting one.
    const decided = routed[0]!;
    await incidents.update({ ...decided, status: 'in-progress', handling: { ...handlingOf(decided), decision: { kind: 'no-response', by: actor, at, reason: 'Not worth a reply.' } } }, { actor, action: 'decision.recorded', summary: 'Decided.' });
    const closed = await incidents.update({ ...routed[1]!, status: 'closed' }, { actor, action: 'incident.close', summary: 'Closed.' });
    await incidents.update({ ...closed, status: 'awaiting-decision' }, { actor, action: 'incident.reopen', summary: 'Reopened.' });
    const stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix });
    const practice = { id: p, name: 'Overdue', teamIds: [], staff: [], staffNames: [], managers: ['aad-mary'], deputies: [], dataProtectionOfficers: [] };
    const overdueAt = async (now: Date) => {
      const page = await new Summary(stores, () => now).forPractice(practice, 'aad-mary');
      if (page.kind !== 'summary') throw new Error('refused');
      return page.summary.response.overdueNow;
    };
    // Before any target has passed, nothing; long after, the two without a decision.
    expect(await overdueAt(new Date(Date.parse(at) + 60_000))).toBe(0);
    expect(await overdueAt(new Date(Date.parse(at) + 90 * 24 * 3_600_000))).toBe(2);
  });
});
