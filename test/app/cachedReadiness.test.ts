import { describe, expect, it } from 'vitest';
import { CachedReadiness, READINESS_FOR_MS, type PracticeReadiness } from '../../src/app/readiness.ts';

const ready = (id: string): PracticeReadiness => ({ id, managers: 1, deputies: 0, dpos: 0, safeguardingLeads: 0, reachableDeciders: 1, reviewChannel: true, warnings: [] });

describe('readiness served on /healthz', () => {
  it('is read once for requests that arrive together, kept a minute, then read again; a failed read is not kept', async () => {
    let clock = 0;
    let reads = 0;
    let fail = false;
    const cache = new CachedReadiness(async () => {
      reads++;
      if (fail) throw new Error('storage down');
      return [ready(`p${reads}`)];
    }, () => new Date(clock));
    const together = await Promise.all([cache.get(), cache.get(), cache.get()]);
    expect(reads).toBe(1);
    expect(together.map((r) => r[0]!.id)).toEqual(['p1', 'p1', 'p1']);
    clock += READINESS_FOR_MS - 1;
    expect((await cache.get())[0]!.id).toBe('p1');
    clock += 1;
    fail = true;
    await expect(cache.get()).rejects.toThrow('storage down');
    fail = false;
    // The failure was not kept: the next request reads again at once.
    expect((await cache.get())[0]!.id).toBe('p3');
    expect(reads).toBe(3);
  });
});
