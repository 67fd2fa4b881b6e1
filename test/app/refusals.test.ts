import { describe, expect, it } from 'vitest';
import { RefusalLimiter } from '../../src/app/refusals.ts';

describe('the refusal limiter', () => {
  it('limits a person after the limit until the window ends, per person', () => {
    let now = new Date('2026-11-30T10:00:00Z');
    const limiter = new RefusalLimiter(() => now, 3, 60_000, 100);
    for (let i = 0; i < 3; i++) {
      expect(limiter.limited('aad-nora')).toBe(false);
      limiter.count('aad-nora');
    }
    expect(limiter.limited('AAD-NORA')).toBe(true);
    expect(limiter.limited('aad-sam')).toBe(false);
    now = new Date(now.getTime() + 60_000);
    expect(limiter.limited('aad-nora')).toBe(false);
    expect(limiter.count('aad-nora')).toBe(1);
  });

  it('remembers at most its capacity, forgetting the least recently refused first', () => {
    const now = new Date('2026-11-30T10:00:00Z');
    const limiter = new RefusalLimiter(() => now, 2, 60_000, 50);
    limiter.count('aad-keep');
    limiter.count('aad-keep');
    for (let i = 0; i < 10_000; i++) limiter.count(`aad-${i}`);
    expect(limiter.size).toBe(50);
    expect(limiter.limited('aad-keep')).toBe(false);
    limiter.count('aad-9999');
    expect(limiter.limited('aad-9999')).toBe(true);
  });
});
