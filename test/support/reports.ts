import { randomUUID } from 'node:crypto';
import type { Incident } from '../../src/domain/incident.ts';
import type { Stores } from '../../src/store/ports.ts';

/**
 * A report stored as the submit stores it (not routed yet): a short post on X, no screenshots,
 * reported by `reporter` at `at`. Each call's post text is its own unless one is given.
 */
export async function storedReport(
  stores: Pick<Stores, 'incidents'>,
  reporter: { aadObjectId: string; name: string },
  at: Date,
  options: { practiceId?: string; atRisk?: boolean; postText?: string; seenTime?: string } = {},
): Promise<Incident> {
  const { incident } = await stores.incidents.submit(
    {
      practiceId: options.practiceId ?? 'millbrook',
      status: 'reported',
      reportedAt: at.toISOString(),
      reporter: { aadObjectId: reporter.aadObjectId, name: reporter.name },
      draftId: randomUUID(),
      facts: {
        where: { platform: 'x', seenAt: at.toISOString(), seenDate: at.toISOString().slice(0, 10), seenTime: options.seenTime ?? '08:00', authorRelationship: 'patient' },
        what: { postText: options.postText ?? `You lot are useless ${randomUUID()}`, categories: ['personal-attack'], namedParties: [] },
        risk: { atRisk: options.atRisk ?? false },
        evidence: { screenshots: [], noScreenshotReason: 'gone' },
      },
    },
    reporter,
  );
  return incident;
}
