import { describe, expect, it } from 'vitest';
import { londonClock, londonDateTime, londonDay, londonMidnight, londonOffsetMinutes, londonParts, londonToInstant, londonYear, londonMonth, londonMonthLabel, ukDate, ukNumericDateTime, wallClock } from '../../src/domain/ukTime.ts';

// 2026: summer time starts Sunday 29 March at 01:00 UTC (clocks 01:00 -> 02:00) and ends Sunday
// 25 October at 01:00 UTC (clocks 02:00 -> 01:00).
const at = (iso: string) => new Date(iso);

describe('UK time across the spring change (29 March 2026, 01:00 UTC)', () => {
  it('is GMT a second before and BST at the change', () => {
    expect(londonOffsetMinutes(at('2026-03-29T00:59:59Z'))).toBe(0);
    expect(londonOffsetMinutes(at('2026-03-29T01:00:00Z'))).toBe(60);
    expect(londonDateTime('2026-03-29T00:59:00Z')).toBe('29 Mar 2026, 00:59');
    expect(londonDateTime('2026-03-29T01:00:00Z')).toBe('29 Mar 2026, 02:00');
    expect(londonClock(at('2026-03-29T01:30:00Z'))).toBe('02:30');
  });

  it('turns wall-clock times either side into the right instants', () => {
    expect(londonToInstant('2026-03-29', '00:30')?.toISOString()).toBe('2026-03-29T00:30:00.000Z');
    expect(londonToInstant('2026-03-29', '02:30')?.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(londonToInstant('2026-03-28', '23:59')?.toISOString()).toBe('2026-03-28T23:59:00.000Z');
    expect(londonToInstant('2026-03-30', '09:00')?.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });
});

describe('UK time across the autumn change (25 October 2026, 01:00 UTC)', () => {
  it('is BST a second before and GMT at the change', () => {
    expect(londonOffsetMinutes(at('2026-10-25T00:59:59Z'))).toBe(60);
    expect(londonOffsetMinutes(at('2026-10-25T01:00:00Z'))).toBe(0);
    expect(londonDateTime('2026-10-25T00:59:00Z')).toBe('25 Oct 2026, 01:59');
    expect(londonDateTime('2026-10-25T01:00:00Z')).toBe('25 Oct 2026, 01:00');
    expect(londonParts(at('2026-10-24T23:30:00Z'))).toEqual({ year: '2026', month: '10', day: '25', hour: '00', minute: '30' });
  });

  it('turns wall-clock times either side into the right instants', () => {
    expect(londonToInstant('2026-10-25', '00:30')?.toISOString()).toBe('2026-10-24T23:30:00.000Z');
    expect(londonToInstant('2026-10-25', '03:00')?.toISOString()).toBe('2026-10-25T03:00:00.000Z');
    expect(londonToInstant('2026-10-24', '12:00')?.toISOString()).toBe('2026-10-24T11:00:00.000Z');
  });
});

describe('UK days and wall-clock text', () => {
  it('puts an instant on its UK calendar day, midnight at 00 (not 24)', () => {
    expect(londonDay(at('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonDay(at('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
    expect(londonParts(at('2026-12-01T00:00:00Z')).hour).toBe('00');
    expect(londonDateTime('2026-06-30T23:00:00Z')).toBe('1 Jul 2026, 00:00');
  });

  it('keeps the year, says "unknown date" for nonsense and refuses dates that do not exist', () => {
    expect(londonDateTime('2027-01-05T09:05:00Z')).toBe('5 Jan 2027, 09:05');
    expect(londonDateTime('not a date')).toBe('unknown date');
    expect(londonToInstant('2026-02-30', '09:00')).toBeUndefined();
    expect(londonToInstant('2026-13-01', '09:00')).toBeUndefined();
    expect(wallClock('2026-11-03', '14:05')).toBe('Tue 3 Nov 2026, 14:05');
    expect(wallClock('2026-02-29', '14:05')).toBeUndefined();
  });
});

describe('UK dates for records, spreadsheets, references and periods, across both 2026 changes', () => {
  it('dates an instant by the UK calendar: the hour after UTC midnight in summer is the next UK day', () => {
    expect(ukDate('2026-03-28T23:30:00Z')).toBe('28 Mar 2026');
    expect(ukDate('2026-03-29T23:30:00Z')).toBe('30 Mar 2026');
    expect(ukDate('2026-10-24T23:30:00Z')).toBe('25 Oct 2026');
    expect(ukDate('2026-10-25T23:30:00Z')).toBe('25 Oct 2026');
    expect(ukDate('')).toBe('unknown date');
  });

  it('writes dd/mm/yyyy hh:mm in London time, empty for a missing or invalid instant', () => {
    expect(ukNumericDateTime('2026-03-29T00:59:00Z')).toBe('29/03/2026 00:59');
    expect(ukNumericDateTime('2026-03-29T01:00:00Z')).toBe('29/03/2026 02:00');
    expect(ukNumericDateTime('2026-10-25T00:59:00Z')).toBe('25/10/2026 01:59');
    expect(ukNumericDateTime('2026-10-25T01:00:00Z')).toBe('25/10/2026 01:00');
    expect(ukNumericDateTime('2026-06-30T23:05:00Z')).toBe('01/07/2026 00:05');
    expect(ukNumericDateTime(undefined)).toBe('');
    expect(ukNumericDateTime('not a date')).toBe('');
  });

  it('gives clock times either side of each change', () => {
    expect(londonClock(at('2026-03-29T00:59:00Z'))).toBe('00:59');
    expect(londonClock(at('2026-10-25T00:59:00Z'))).toBe('01:59');
    expect(londonClock(at('2026-10-25T01:00:00Z'))).toBe('01:00');
    expect(londonClock(at('2026-07-01T23:10:00Z'))).toBe('00:10');
  });

  it('numbers by the UK year: New Year in London is New Year in UTC (GMT in winter)', () => {
    expect(londonYear(at('2026-12-31T23:59:59Z'))).toBe(2026);
    expect(londonYear(at('2027-01-01T00:00:00Z'))).toBe(2027);
    expect(londonYear(at('2026-03-29T01:00:00Z'))).toBe(2026);
  });

  it('starts a UK day at London midnight on and around both changes, rolling over month ends', () => {
    expect(londonMidnight(2026, 3, 29).toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(londonMidnight(2026, 3, 30).toISOString()).toBe('2026-03-29T23:00:00.000Z');
    expect(londonMidnight(2026, 10, 25).toISOString()).toBe('2026-10-24T23:00:00.000Z');
    expect(londonMidnight(2026, 10, 26).toISOString()).toBe('2026-10-26T00:00:00.000Z');
    expect(londonMidnight(2026, 3, 32).toISOString()).toBe('2026-03-31T23:00:00.000Z');
    expect(londonMidnight(2027, 1, 1).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});

// ---- London months (the summary card's months) --------------------------------------------------

describe('London months across the 2026 clock changes and at midnight London time', () => {
  const month = (iso: string) => [londonMonth(at(iso)), londonMonthLabel(at(iso))];

  it.each([
    ['a second before the spring change', '2026-03-29T00:59:59Z', ['2026-03', 'Mar 26']],
    ['at the spring change', '2026-03-29T01:00:00Z', ['2026-03', 'Mar 26']],
    ['a second after the spring change', '2026-03-29T01:00:01Z', ['2026-03', 'Mar 26']],
    ['a second before the autumn change', '2026-10-25T00:59:59Z', ['2026-10', 'Oct 26']],
    ['at the autumn change', '2026-10-25T01:00:00Z', ['2026-10', 'Oct 26']],
    ['a second after the autumn change', '2026-10-25T01:00:01Z', ['2026-10', 'Oct 26']],
  ] as const)('%s (%s): %j', (_, iso, expected) => {
    expect(month(iso)).toEqual(expected);
  });

  it.each([
    // Winter (GMT): London midnight is UTC midnight.
    ['2026-02-28T23:59:59Z', ['2026-02', 'Feb 26'], '2026-03-01T00:00:00Z', ['2026-03', 'Mar 26']],
    ['2026-10-31T23:59:59Z', ['2026-10', 'Oct 26'], '2026-11-01T00:00:00Z', ['2026-11', 'Nov 26']],
    ['2026-12-31T23:59:59Z', ['2026-12', 'Dec 26'], '2027-01-01T00:00:00Z', ['2027-01', 'Jan 27']],
    // Summer (BST): London midnight is 23:00 UTC the evening before.
    ['2026-03-31T22:59:59Z', ['2026-03', 'Mar 26'], '2026-03-31T23:00:00Z', ['2026-04', 'Apr 26']],
    ['2026-06-30T22:59:59Z', ['2026-06', 'Jun 26'], '2026-06-30T23:00:00Z', ['2026-07', 'Jul 26']],
    ['2026-09-30T22:59:59Z', ['2026-09', expect.stringMatching(/^Sept? 26$/)], '2026-09-30T23:00:00Z', ['2026-10', 'Oct 26']],
  ] as const)('a second before London midnight (%s) is %j; midnight (%s) is %j', (before, inBefore, midnight, inAfter) => {
    expect(month(before)).toEqual(inBefore);
    expect(month(midnight)).toEqual(inAfter);
  });
});
