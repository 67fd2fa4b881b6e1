import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewIncident } from '../../src/domain/incident.ts';
import { newDraft } from '../../src/domain/report.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { startEmbeddedAzurite, type EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { StorageUnavailableError, type Stores } from '../../src/store/ports.ts';
import { uniqueTablePrefix } from '../support/azurite.ts';

// Storage kept in a folder, stopped mid-flow and started again on the same ports.
let folder: string;
let azurite: EmbeddedAzurite;
let stores: Stores;
const tablePrefix = uniqueTablePrefix();
const reporter = { aadObjectId: 'aad-reporter', name: 'Rita Reception' };

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'postwatch-store-'));
  azurite = await startEmbeddedAzurite({ location: folder, tablePort: 0, blobPort: 0 });
  stores = await createAzureStores(azurite.connectionString, { tablePrefix });
});

afterAll(async () => {
  await azurite?.close();
  if (folder) await rm(folder, { recursive: true, force: true });
});

function newIncident(): NewIncident {
  return {
    practiceId: 'practice-outage',
    status: 'reported',
    reportedAt: '2026-11-20T10:15:00.000Z',
    reporter,
    draftId: randomUUID(),
    facts: {
      where: { platform: 'x', seenAt: '2026-11-20T09:00:00.000Z', seenDate: '2026-11-20', seenTime: '09:00', authorRelationship: 'unknown' },
      what: { postText: 'You lot are useless', categories: ['other-criticism'], namedParties: [] },
      risk: { atRisk: false },
      evidence: { screenshots: [], noScreenshotReason: 'No reason given' },
    },
  };
}

describe('when storage goes away and comes back', () => {
  it('reports health, refuses writes plainly, leaves nothing half-written, and keeps what was stored', async () => {
    expect(await stores.health.check()).toEqual({ ok: true });
    const before = newIncident();
    const stored = await stores.incidents.submit(before, reporter);
    expect(stored.incident.reference).toBe('PW-2026-0001');
    const draft = newDraft({ id: randomUUID(), practiceId: 'practice-outage', reporter, now: new Date() });
    await stores.drafts.create(draft);
    const screenshot = await stores.evidence.put({
      practiceId: 'practice-outage',
      draftId: draft.id,
      fileName: 'shot.png',
      contentType: 'image/png',
      bytes: Buffer.from('png bytes'),
      receivedAt: new Date(),
    });

    const { tablePort, blobPort, connectionString } = azurite;
    await azurite.close();

    const health = await stores.health.check();
    expect(health.ok).toBe(false);
    if (!health.ok) {
      expect(health.reason).toMatch(/table storage/);
      expect(health.reason).not.toMatch(/AccountKey|devstoreaccount1|Eby8/);
    }
    const lost = newIncident();
    await expect(stores.incidents.submit(lost, reporter)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(stores.incidents.update(stored.incident, { actor: reporter, action: 'x', summary: 'x' })).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    await expect(stores.drafts.get('practice-outage', reporter.aadObjectId)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(stores.drafts.save(draft, 'W/"x"')).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(stores.memberships.practiceOf(reporter.aadObjectId)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(stores.evidence.read(screenshot.blobName)).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(createAzureStores(connectionString, { tablePrefix: uniqueTablePrefix() })).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );

    azurite = await startEmbeddedAzurite({ location: folder, tablePort, blobPort });
    expect(azurite.connectionString).toBe(connectionString);
    expect(await stores.health.check()).toEqual({ ok: true });

    // What was stored before the outage is still there.
    expect(await stores.incidents.get('practice-outage', 'PW-2026-0001')).toEqual(stored.incident);
    expect((await stores.drafts.get('practice-outage', reporter.aadObjectId))?.value).toEqual(draft);
    expect((await stores.evidence.read(screenshot.blobName)).toString()).toBe('png bytes');
    expect((await stores.incidents.auditTrail('practice-outage', 'PW-2026-0001')).map((e) => e.action)).toEqual([
      'incident.reported',
    ]);

    // The failed submit left nothing behind: no incident, no marker, no audit entry, no used-up number.
    expect(await stores.incidents.findByDraft('practice-outage', lost.draftId)).toBeUndefined();
    expect((await stores.incidents.listByReporter('practice-outage', reporter.aadObjectId, 10)).map((i) => i.reference)).toEqual([
      'PW-2026-0001',
    ]);
    expect(await stores.incidents.auditTrail('practice-outage', 'PW-2026-0002')).toEqual([]);

    // Retrying the same report now works and takes the next number.
    const retried = await stores.incidents.submit(lost, reporter);
    expect(retried).toMatchObject({ created: true, incident: { reference: 'PW-2026-0002', draftId: lost.draftId } });
  });
});
