/**
 * UK time in one place: every conversion between instants and Europe/London wall-clock time, and how
 * a date and time read to a practice ("3 Nov 2026, 14:05"). Built from Intl parts because ICU versions
 * differ in the punctuation they put between them; the offset is read with its minutes.
 */
import { remembered } from './remembered.ts';

const ZONE = 'Europe/London';

const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const LONDON_SHORT = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const LONDON_OFFSET = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, timeZoneName: 'shortOffset' });

const LONDON_DATE = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, day: 'numeric', month: 'short', year: 'numeric' });

const WALL_CLOCK_DATE = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

/**
 * Every format here shows whole minutes at most (and the UK changes its clocks on the hour), so the
 * parts of one minute are worked out once: formatToParts was a visible share of the bot's CPU,
 * with every card showing several times. A bounded cache per format; the answers are frozen.
 */
const MINUTE_MS = 60_000;
const CACHED_MINUTES = 512;
const cache = new Map<Intl.DateTimeFormat, Map<number, Readonly<Record<string, string>>>>();

function parts(format: Intl.DateTimeFormat, at: Date): Readonly<Record<string, string>> {
  const minute = Math.floor(at.getTime() / MINUTE_MS);
  let byMinute = cache.get(format);
  if (!byMinute) cache.set(format, (byMinute = new Map()));
  return remembered(byMinute, minute, CACHED_MINUTES, () => {
    const out: Record<string, string> = {};
    for (const p of format.formatToParts(minute * MINUTE_MS)) if (p.type !== 'literal') out[p.type] = p.value;
    return Object.freeze(out);
  });
}

/** London wall-clock fields of an instant, zero-padded: { year: '2026', month: '03', day: '29', hour: '01', minute: '05' }. */
export function londonParts(at: Date): { year: string; month: string; day: string; hour: string; minute: string } {
  const p = parts(LONDON_PARTS, at);
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute! };
}

/** The UK calendar day of an instant, YYYY-MM-DD. */
export function londonDay(at: Date): string {
  const p = londonParts(at);
  return `${p.year}-${p.month}-${p.day}`;
}

/** London's offset from UTC at an instant, in minutes (0 in winter, 60 in summer time). */
export function londonOffsetMinutes(at: Date): number {
  const name = parts(LONDON_OFFSET, at).timeZoneName ?? '';
  const match = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(name);
  if (!match) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * A Europe/London wall-clock date and time ("2026-03-29", "02:30") as an instant, handling BST.
 * Undefined when the date does not exist. A time in the spring gap or the autumn overlap is read
 * with the offset in force at that time taken as UTC (the later reading in the overlap).
 */
export function londonToInstant(date: string, time: string): Date | undefined {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  const [h, mi] = time.split(':').map(Number) as [number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return undefined;
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(asUtc);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return undefined;
  return new Date(asUtc - londonOffsetMinutes(check) * 60_000);
}

/** An instant (ISO 8601) as London wall-clock time, e.g. "3 Nov 2026, 14:05". */
export function londonDateTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return 'unknown date';
  const p = parts(LONDON_SHORT, at);
  return `${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute}`;
}

/** An instant (ISO 8601) as a UK calendar date, e.g. "30 Nov 2026" (records and reports, not cards). */
export function ukDate(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return 'unknown date';
  const p = parts(LONDON_DATE, at);
  return `${p.day} ${p.month} ${p.year}`;
}

/** dd/mm/yyyy hh:mm, London time: what Excel in a UK locale reads as a date; '' when there is none. */
export function ukNumericDateTime(iso: string | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const p = londonParts(at);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** The UK calendar year of an instant (incident references are numbered per UK year). */
export function londonYear(at: Date): number {
  return Number(londonParts(at).year);
}

/**
 * Midnight in London at the start of a day (an hour earlier in UTC during British Summer Time).
 * A day past the month's end rolls over as Date.UTC does (31 March + 1 is 1 April), so "the day
 * after" needs no calendar of its own. The clocks change at 01:00 UTC, so the offset at UTC
 * midnight is the offset at London midnight.
 */
export function londonMidnight(year: number, month: number, day: number): Date {
  const utc = Date.UTC(year, month - 1, day);
  return new Date(utc - londonOffsetMinutes(new Date(utc)) * 60_000);
}

/** An instant as London clock time, "14:05". */
export function londonClock(at: Date): string {
  const p = londonParts(at);
  return `${p.hour}:${p.minute}`;
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

// ---- London months (the summary card's months) --------------------------------------------------

const LONDON_MONTH_LABEL = new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, year: '2-digit', month: 'short' });

/** The London month an instant falls in, "2026-11" (a month starts at midnight London time). */
export function londonMonth(at: Date): string {
  const p = londonParts(at);
  return `${p.year}-${p.month}`;
}

/** The London month an instant falls in, as a chart labels it: "Nov 26" ("Sept 26" where ICU says so). */
export function londonMonthLabel(at: Date): string {
  const p = parts(LONDON_MONTH_LABEL, at);
  return `${p.month} ${p.year}`;
}
