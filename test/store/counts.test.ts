import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { handlingOf, route } from '../../src/domain/handling.ts';
import { authorKey, type Incident, type NewIncident } from '../../src/domain/incident.ts';
import { gradeReport, gradingFactsFrom } from '../../src/domain/policy/grade.ts';
import { summarise, summaryFromCounts } from '../../src/domain/summary.ts';
import { DEFAULT_POLICY } from '../../src/policy/default.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { IncidentStore } from '../../src/store/ports.ts';
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
      where: { platform: options.platform ?? 'facebook', postUrl: 'https://www.facebook.com/post/1', seenAt: at, seenDate: at.slice(0, 10), seenTime: '09:00', authorRelationship: 'patient', ...(options.author ? { authorName: options.author } : {}) },
      what: { postText: 'The receptionist was rude', categories: options.categories ?? ['personal-attack'], namedParties: ['practice'] },
      risk: { atRisk: options.atRisk ?? false },
      evidence: { screenshots: [], noScreenshotReason: 'Post was deleted' },
    },
  };
}

/** Routing's grading and repeat-author count, as the app does it (the count from the index rows). */
async function routeIt(store: IncidentStore, incident: Incident): Promise<Incident> {
  const key = authorKey(incident.facts);
  const prior = key ? await store.countByAuthor(incident.practiceId, key, incident.reportedAt) : 0;
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

    const counted = summaryFromCounts(await incidents.summaryCounts(p, '2026-01'));
    const scanned = summarise(await incidents.listSummaryRows(p, '2026-01-01T00:00:00.000Z'));
    expect(counted.total).toBe(6);
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
    expect(await incidents.countByAuthor(p, 'facebook:author 1', '2026-12-01T00:00:00.000Z')).toBe(8);
  });
});
