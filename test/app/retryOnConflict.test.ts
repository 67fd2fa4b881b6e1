import { describe, expect, it } from 'vitest';
import { CONFLICT_ATTEMPTS, retryOnConflict } from '../../src/app/retryOnConflict.ts';
import { ConflictError, StorageUnavailableError } from '../../src/store/ports.ts';

/** An attempt that loses `conflicts` races (or fails with `error`) before it answers `answer`. */
function attempts<T>(plan: Array<Error | T>) {
  const tries: number[] = [];
  const attempt = async (n: number): Promise<T> => {
    tries.push(n);
    const next = plan[Math.min(n, plan.length - 1)];
    if (next instanceof Error) throw next;
    return next as T;
  };
  return { attempt, tries };
}

describe('retryOnConflict', () => {
  it('returns the first success without trying again', async () => {
    const { attempt, tries } = attempts(['saved']);
    await expect(retryOnConflict({ attempts: 3 }, attempt)).resolves.toBe('saved');
    expect(tries).toEqual([0]);
  });

  it('tries again after a lost race and returns what the next try answers', async () => {
    const { attempt, tries } = attempts<string>([new ConflictError('first lost'), new ConflictError('second lost'), 'third won', 'never reached']);
    await expect(retryOnConflict({ attempts: 3 }, attempt)).resolves.toBe('third won');
    expect(tries).toEqual([0, 1, 2]);
  });

  it('tries exactly the budget, then rethrows the last ConflictError itself', async () => {
    const last = new ConflictError('third lost');
    const { attempt, tries } = attempts<string>([new ConflictError('first lost'), new ConflictError('second lost'), last, 'too late']);
    const thrown = await retryOnConflict({ attempts: 3 }, attempt).catch((e: unknown) => e);
    expect(thrown).toBe(last);
    expect(tries).toEqual([0, 1, 2]);
  });

  it('keeps to a larger budget too (the budget is a parameter, not three)', async () => {
    const { attempt, tries } = attempts<string>([new ConflictError('lost')]);
    await expect(retryOnConflict({ attempts: 5 }, attempt)).rejects.toBeInstanceOf(ConflictError);
    expect(tries).toEqual([0, 1, 2, 3, 4]);
  });

  it('with a budget of 1 does not retry at all', async () => {
    const { attempt, tries } = attempts<string>([new ConflictError('lost'), 'would have won']);
    await expect(retryOnConflict({ attempts: 1 }, attempt)).rejects.toThrow('lost');
    expect(tries).toEqual([0]);
  });

  it('never retries any other error, whatever is left of the budget', async () => {
    for (const error of [new StorageUnavailableError('down'), new TypeError('bug'), Object.assign(new Error('looks like one'), { name: 'ConflictError' })]) {
      const { attempt, tries } = attempts<string>([error, 'would have won']);
      const thrown = await retryOnConflict({ attempts: 3 }, attempt).catch((e: unknown) => e);
      expect(thrown).toBe(error);
      expect(tries).toEqual([0]);
    }
  });

  it('a non-conflict error on a later try ends the retries with that error', async () => {
    const down = new StorageUnavailableError('down');
    const { attempt, tries } = attempts<string>([new ConflictError('lost'), down, 'would have won']);
    await expect(retryOnConflict({ attempts: 3 }, attempt)).rejects.toBe(down);
    expect(tries).toEqual([0, 1]);
  });

  it('throws a ConflictError with the caller\'s message (the last one as its cause) when every try lost', async () => {
    const last = new ConflictError('third lost');
    const { attempt } = attempts<string>([new ConflictError('lost'), new ConflictError('lost'), last]);
    const thrown = await retryOnConflict({ attempts: 3, message: 'Roles changed too often at once' }, attempt).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ConflictError);
    expect((thrown as Error).message).toBe('Roles changed too often at once');
    expect((thrown as Error).cause).toBe(last);
  });

  it('answers the caller\'s fallback when every try lost, and only then', async () => {
    const lost = attempts<string>([new ConflictError('lost')]);
    await expect(retryOnConflict({ attempts: 2, otherwise: () => 'busy, try again' }, lost.attempt)).resolves.toBe('busy, try again');
    expect(lost.tries).toEqual([0, 1]);
    const won = attempts<string>([new ConflictError('lost'), 'done']);
    await expect(retryOnConflict({ attempts: 2, otherwise: () => 'busy, try again' }, won.attempt)).resolves.toBe('done');
    const down = new StorageUnavailableError('down');
    const failed = attempts<string>([down]);
    await expect(retryOnConflict({ attempts: 2, otherwise: () => 'busy, try again' }, failed.attempt)).rejects.toBe(down);
  });

  it('refuses a budget that would not try at all', async () => {
    const { attempt, tries } = attempts(['saved']);
    for (const bad of [0, -1, 1.5, Number.NaN]) await expect(retryOnConflict({ attempts: bad }, attempt)).rejects.toBeInstanceOf(RangeError);
    expect(tries).toEqual([]);
  });

  it('the use cases\' budget stays three tries', () => {
    expect(CONFLICT_ATTEMPTS).toBe(3);
  });
});
