import { beforeAll, describe, expect, it } from 'vitest';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { MembershipStore } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

const storage = useAzurite();
let memberships: MembershipStore;

beforeAll(async () => {
  memberships = (await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix })).memberships;
});

describe('membership store (Azure Tables)', () => {
  it('knows nobody at first', async () => {
    expect(await memberships.practiceOf('aad-unknown')).toBeUndefined();
  });

  it('returns the practice a person was most recently seen in', async () => {
    await memberships.remember('aad-1', 'practice-a', new Date('2026-11-01T09:00:00Z'));
    expect(await memberships.practiceOf('aad-1')).toBe('practice-a');

    await memberships.remember('aad-1', 'practice-b', new Date('2026-11-02T09:00:00Z'));
    expect(await memberships.practiceOf('aad-1')).toBe('practice-b');

    // Seen again in the first practice later on.
    await memberships.remember('aad-1', 'practice-a', new Date('2026-11-03T09:00:00Z'));
    expect(await memberships.practiceOf('aad-1')).toBe('practice-a');

    // Someone else is unaffected.
    await memberships.remember('aad-2', 'practice-c', new Date('2026-11-01T09:00:00Z'));
    expect(await memberships.practiceOf('aad-2')).toBe('practice-c');
    expect(await memberships.practiceOf('aad-1')).toBe('practice-a');
  });

  it('keeps practice ids with awkward characters intact', async () => {
    await memberships.remember("aad-3", "St Mary's/Surgery #2", new Date('2026-11-01T09:00:00Z'));
    expect(await memberships.practiceOf('aad-3')).toBe("St Mary's/Surgery #2");
  });
});
