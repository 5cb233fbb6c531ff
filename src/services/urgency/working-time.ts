import { DateTime } from 'luxon';
import { clockMinutes, type TeamCalendar } from './calendar.ts';

/** A moment: a luxon DateTime or epoch seconds. */
export type Instant = DateTime | number;

/** One working period, in the calendar's zone. */
export interface WorkingPeriod {
  start: DateTime;
  end: DateTime;
}

/** Converts an {@link Instant} to a DateTime in the calendar's zone. */
export function toZoned(now: Instant, cal: TeamCalendar): DateTime {
  const dt = typeof now === 'number' ? DateTime.fromSeconds(now) : now;
  if (!dt.isValid) throw new RangeError(`invalid time: ${String(dt.invalidReason)}`);
  return dt.setZone(cal.timezone);
}

/** True when `now` falls inside a working period (start inclusive, end exclusive). */
export function isWorkingTime(now: Instant, cal: TeamCalendar): boolean {
  return workingPeriodAt(now, cal) !== null;
}

/** The working period containing `now`, or null outside working time. */
export function workingPeriodAt(now: Instant, cal: TeamCalendar): WorkingPeriod | null {
  const t = toZoned(now, cal);
  const today = t.startOf('day');
  // Yesterday too: an overnight period (22:00-06:00) that started yesterday may still be running.
  for (const day of [today.minus({ days: 1 }), today]) {
    const p = periodStartingOn(day, cal);
    if (p && p.start <= t && t < p.end) return p;
  }
  return null;
}

/**
 * Start of the next working period strictly after `now` (while at work, that is the next one, not
 * the current one). Skips non-workdays and holidays.
 *
 * @throws {RangeError} when the calendar has no working period ahead (e.g. no workdays) — the
 *   search is bounded so a misconfigured calendar cannot hang the caller.
 */
export function nextWorkingPeriodStart(now: Instant, cal: TeamCalendar): DateTime {
  const t = toZoned(now, cal);
  let day = t.startOf('day');
  // Each week has a workday; each holiday can cancel at most one of them.
  const maxDays = 7 * (cal.holidays.length + 2);
  for (let i = 0; i <= maxDays; i++, day = day.plus({ days: 1 })) {
    const p = periodStartingOn(day, cal);
    if (p && p.start > t) return p.start;
  }
  throw new RangeError(`calendar ${cal.timezone} has no working period within ${maxDays} days of ${t.toISO()}`);
}

/** The working period that starts on local date `day` (start of day, calendar zone), if any. */
function periodStartingOn(day: DateTime, cal: TeamCalendar): WorkingPeriod | null {
  if (!cal.workdays.includes(day.weekday)) return null;
  if (cal.holidays.includes(day.toISODate() ?? '')) return null;
  const s = minutesOf(cal.hours.start, 'start');
  const e = minutesOf(cal.hours.end, 'end');
  const start = atLocalMinutes(day, s);
  const end = e > s ? atLocalMinutes(day, e) : atLocalMinutes(day.plus({ days: 1 }), e);
  return { start, end };
}

/**
 * Local wall-clock time `minutes` after midnight of `day`. Built from calendar fields rather than
 * by adding durations, so 09:00 stays 09:00 on DST-change days (a time skipped by the change
 * moves forward, as luxon does).
 */
function atLocalMinutes(day: DateTime, minutes: number): DateTime {
  if (minutes >= 1440) return day.plus({ days: 1 }).startOf('day');
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });
}

function minutesOf(hhmm: string, which: string): number {
  const m = clockMinutes(hhmm);
  if (m === null) throw new RangeError(`calendar hours.${which}: expected "HH:MM", got ${JSON.stringify(hhmm)}`);
  return m;
}
