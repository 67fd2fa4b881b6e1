import { beforeAll, describe, expect, it } from 'vitest';
import { holdsJobLease } from '../../src/app/jobLease.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

/** Of several instances one runs a background job: the lease every job takes, against Azurite. */
const storage = useAzurite();
let stores: Stores;
const start = new Date('2026-11-30T10:00:00.000Z');
const later = (ms: number) => new Date(start.getTime() + ms);

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now: () => start });
});

describe('holdsJobLease', () => {
  it('lets one instance hold a job for the lease\'s length, renew it, and another take it only once it has run out', async () => {
    const lease = { name: 'test-job', ms: 60_000 };
    expect(await holdsJobLease(stores.leases, lease, 'instance-a', start)).toBe(true);
    expect(await holdsJobLease(stores.leases, lease, 'instance-b', later(59_000))).toBe(false);
    expect(await holdsJobLease(stores.leases, lease, 'instance-a', later(30_000))).toBe(true);
    // Renewed at +30 s: still held at +61 s, free after +90 s.
    expect(await holdsJobLease(stores.leases, lease, 'instance-b', later(61_000))).toBe(false);
    expect(await holdsJobLease(stores.leases, lease, 'instance-b', later(91_000))).toBe(true);
    expect(await holdsJobLease(stores.leases, lease, 'instance-a', later(92_000))).toBe(false);
  });

  it('keeps each job\'s lease apart', async () => {
    expect(await holdsJobLease(stores.leases, { name: 'job-one', ms: 60_000 }, 'instance-a', start)).toBe(true);
    expect(await holdsJobLease(stores.leases, { name: 'job-two', ms: 60_000 }, 'instance-b', start)).toBe(true);
    expect(await holdsJobLease(stores.leases, { name: 'job-one', ms: 60_000 }, 'instance-b', start)).toBe(false);
  });
});
