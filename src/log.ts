import pino from 'pino';

/**
 * One structured logger. User text (post text, names, links) is never logged: log ids,
 * verbs, counts and error names only.
 */
export type Logger = pino.Logger;

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'postwatch' }, redact: ['*.postText', '*.text', '*.password'] });
}

/**
 * The business events an operator counts (App Service log stream, Log Analytics): one `info` line
 * each, `event` naming it. Fields are ids, references, verbs and counts: never what someone
 * wrote, never a person's name or object id.
 */
export type BusinessEvent =
  | 'report.stored'
  | 'card.delivered'
  | 'notification.delivered'
  | 'decision.recorded'
  | 'reminder.sent'
  | 'outbox.retry'
  | 'outbox.give-up'
  | 'audit.verified'
  | 'retention.deleted';

export function logEvent(
  log: Logger,
  event: BusinessEvent,
  fields: Record<string, string | number | boolean | undefined>,
  level: 'info' | 'warn' = 'info',
): void {
  log[level]({ event, ...fields }, event);
}

/** What may be logged about an error: its kind and codes, never its (possibly user-derived) details. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { errorType: typeof error };
  const e = error as Error & { code?: unknown; statusCode?: unknown };
  return {
    errorName: e.name,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.statusCode === 'number' ? { statusCode: e.statusCode } : {}),
  };
}
