import { ConflictError } from '../store/ports.ts';

/**
 * Read, decide, write: when the write loses a race (someone else saved first, ConflictError) the
 * whole attempt runs again on a fresh read. Nothing else is retried: an outage or a bug is not
 * cured by asking again at once, and the outbox or the person's next press does that.
 */

/**
 * Tries in all for a use case answering a person: three reads and writes stay well inside
 * CONTENTION_BUDGET_MS (src/store/ports.ts), itself under the few seconds Teams waits for an
 * invoke (INVOKE_BUDGET_MS in src/bot/routes/answers.ts), so a person losing races is still answered.
 */
export const CONFLICT_ATTEMPTS = 3;

export interface ConflictBudget<T> {
  /** Tries in all, the first included: 1 means no retry. */
  attempts: number;
  /** Every try lost: throw a ConflictError with this message (the last one is its cause). */
  message?: string;
  /** Every try lost: answer this instead of throwing (the caller has something true to say). */
  otherwise?: () => T;
}

/** Runs `attempt` (given the try number, from 0) until it does not lose a race or the budget is spent. */
export async function retryOnConflict<T>(budget: ConflictBudget<T>, attempt: (n: number) => Promise<T>): Promise<T> {
  if (!Number.isInteger(budget.attempts) || budget.attempts < 1) throw new RangeError('retryOnConflict: attempts must be a whole number of at least 1');
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (n + 1 < budget.attempts) continue;
      if (budget.otherwise) return budget.otherwise();
      if (budget.message !== undefined) throw new ConflictError(budget.message, { cause: error });
      throw error;
    }
  }
}
