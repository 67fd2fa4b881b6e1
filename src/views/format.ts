/** How dates, sizes and hashes read on the cards: UK style, Europe/London time. */

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const WALL_CLOCK_DATE = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});

/** Built from parts: ICU versions differ in the punctuation they put between them. */
function parts(format: Intl.DateTimeFormat, at: Date): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of format.formatToParts(at)) if (p.type !== 'literal') out[p.type] = p.value;
  return out;
}

/** An instant (ISO 8601) as London wall-clock time, e.g. "3 Nov 2026, 14:05". */
export function londonDateTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return 'unknown date';
  const p = parts(LONDON, at);
  return `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute}`;
}

/**
 * A date and time as the person typed them (already UK wall-clock), e.g. "Tue 3 Nov 2026, 14:05".
 * Returns undefined when they do not make a real date, so the caller can show the raw text.
 */
export function wallClock(date: string, time: string): string | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::\d{2})?$/.exec(time);
  if (!d || !t) return undefined;
  const [y, mo, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const at = new Date(Date.UTC(y, mo - 1, day));
  if (at.getUTCFullYear() !== y || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== day) return undefined;
  if (Number(t[1]) > 23 || Number(t[2]) > 59) return undefined;
  const p = parts(WALL_CLOCK_DATE, at);
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${t[1]}:${t[2]}`;
}
export function fileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return 'unknown size';
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Enough of a SHA-256 to compare by eye with the stored evidence (first 12 hex characters). */
export function shortHash(sha256: string): string {
  return sha256.toLowerCase().replace(/[^0-9a-f]/g, '').slice(0, 12);
}

/**
 * A link as shown on a card: a zero-width space after each "/", "?", "&" and "=" lets a long link
 * wrap on a phone instead of running off the card. Only what is shown; the record keeps the link.
 */
export function wrappableLink(shown: string): string {
  return shown.replace(/([/?&=])(?=[^\s\u200b])/g, '$1\u200b');
}
