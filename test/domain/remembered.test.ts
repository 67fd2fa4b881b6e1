import { describe, expect, it } from 'vitest';
import { remembered } from '../../src/domain/remembered.ts';

describe('remembered answers', () => {
  it('works an answer out once per key and keeps at most the limit', () => {
    const cache = new Map<string, number>();
    let worked = 0;
    const answer = (key: string) => remembered(cache, key, 3, () => ++worked);
    expect([answer('a'), answer('a'), answer('b'), answer('a')]).toEqual([1, 1, 2, 1]);
    expect(worked).toBe(2);
    answer('c');
    answer('d'); // the fourth key empties the map first
    expect(cache.size).toBeLessThanOrEqual(3);
    expect(answer('a')).toBe(5); // worked out again, not a stale or missing answer
  });

  it('never holds more than the limit, whatever the keys (hostile input cannot grow it)', () => {
    const cache = new Map<number, number>();
    for (let i = 0; i < 10_000; i++) remembered(cache, i, 64, () => i);
    expect(cache.size).toBeLessThanOrEqual(64);
  });
});
