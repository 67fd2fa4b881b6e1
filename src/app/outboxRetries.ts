import { describeError } from '../log.ts';
import { SendFailure } from './sending.ts';

/**
 * When a failed send is tried again, and the reason it is recorded with: one rule for single
 * sends and digests alike.
 */
const BASE_BACKOFF_MS = 2_000;
const MAX_BACKOFF_MS = 15 * 60_000;
/** 403/404 (app not installed for the person, conversation gone): kept, but only tried hourly. */
const PERMANENT_BACKOFF_MS = 60 * 60_000;

/** Exponential backoff with jitter (`random` in [0, 1)); never sooner than the connector's Retry-After. */
export function retryDelay(attempts: number, error: unknown, random: () => number): number {
  if (error instanceof SendFailure && error.permanent) return PERMANENT_BACKOFF_MS;
  const exponential = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempts);
  const jittered = exponential / 2 + random() * (exponential / 2);
  const retryAfter = error instanceof SendFailure ? (error.retryAfterMs ?? 0) : 0;
  return Math.max(retryAfter, Math.round(jittered));
}

/** "HTTP 429" for the connector's answers; the error's name for anything else (no message: it may hold data). */
export function failureReason(error: unknown): string {
  return error instanceof SendFailure ? `HTTP ${error.status ?? '?'}` : ((describeError(error).errorName as string | undefined) ?? 'error');
}
