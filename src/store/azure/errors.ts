import { ConflictError, StorageUnavailableError } from '../ports.ts';

/**
 * Storage errors mapped to the two errors the rest of the bot understands. Messages are built
 * here from the operation name, the HTTP status and the service's error code only: never from
 * the SDK's message (which can echo request details) and never with user text.
 */

export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = (error as { statusCode?: unknown }).statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

function codeOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : undefined;
  }
  return undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** 409 (already exists) or 412 (stale ETag): someone else wrote first. */
export function isConflict(error: unknown): boolean {
  const status = statusOf(error);
  return status === 409 || status === 412;
}

/** Passes our own errors through; 409/412 become ConflictError; everything else StorageUnavailableError. */
export function toStoreError(error: unknown, operation: string): Error {
  if (error instanceof ConflictError || error instanceof StorageUnavailableError) return error;
  const status = statusOf(error);
  const code = codeOf(error);
  if (status === 409 || status === 412) {
    return new ConflictError(`${operation}: someone else wrote first (HTTP ${status}).`, { cause: error });
  }
  const detail = status !== undefined ? `HTTP ${status}${code ? ` ${code}` : ''}` : (code ?? describeFailure(error));
  return new StorageUnavailableError(`${operation}: storage unavailable (${detail}).`, { cause: error });
}

function describeFailure(error: unknown): string {
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return 'timed out';
  return 'no answer';
}

/** Runs a storage call and maps whatever it throws. */
export async function mapped<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStoreError(error, operation);
  }
}
