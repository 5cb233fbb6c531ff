import { DateTime, IANAZone } from 'luxon';

/**
 * A team's working calendar: when people are at their desks and an alert can wait for them.
 *
 * A working period starts on a workday that is not a holiday, at `hours.start` local time, and ends
 * at `hours.end`. When `end` is not after `start` (e.g. `22:00-06:00`) the period runs overnight and
 * ends the next day; the workday/holiday check applies to the day the period starts.
 */
export interface TeamCalendar {
  /** IANA time zone, e.g. `Asia/Tokyo`. Hours, weekdays and holidays are read in this zone. */
  timezone: string;
  /** ISO weekdays that are workdays, Monday = 1 … Sunday = 7. Never empty after {@link parseCalendar}. */
  workdays: number[];
  /** Local `HH:MM` times; `end` may be `24:00`. */
  hours: { start: string; end: string };
  /** Non-working dates `YYYY-MM-DD`, in the calendar's zone. */
  holidays: string[];
}

/** A config error that names the offending key, e.g. `alerts.calendar.hours`. */
export class CalendarConfigError extends Error {
  /** Dotted path of the bad key. */
  readonly key: string;
  constructor(key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'CalendarConfigError';
    this.key = key;
  }
}

const KEYS = ['timezone', 'workdays', 'hours', 'holidays'] as const;
const HOURS_RE = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Validates the `alerts.calendar` config section and returns a {@link TeamCalendar}.
 *
 * `timezone` is required; `workdays` defaults to Monday–Friday, `hours` to `09:00-18:00`,
 * `holidays` to none. Unknown keys are rejected so a typo (`timeZone`) does not silently fall back.
 *
 * @param raw the parsed YAML value
 * @param path key prefix used in error messages
 * @throws {CalendarConfigError} naming the bad key
 */
export function parseCalendar(raw: unknown, path = 'alerts.calendar'): TeamCalendar {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CalendarConfigError(path, `expected a mapping with ${KEYS.join(', ')}, got ${describe(raw)}`);
  }
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new CalendarConfigError(`${path}.${key}`, `unknown key (expected one of ${KEYS.join(', ')})`);
    }
  }
  return {
    timezone: parseTimezone(obj.timezone, `${path}.timezone`),
    workdays: parseWorkdays(obj.workdays, `${path}.workdays`),
    hours: parseHours(obj.hours, `${path}.hours`),
    holidays: parseHolidays(obj.holidays, `${path}.holidays`),
  };
}

function parseTimezone(v: unknown, key: string): string {
  if (typeof v !== 'string' || v.trim() === '') {
    throw new CalendarConfigError(key, `expected an IANA time zone such as "Asia/Tokyo", got ${describe(v)}`);
  }
  if (!IANAZone.isValidZone(v)) {
    throw new CalendarConfigError(key, `unknown IANA time zone ${JSON.stringify(v)}`);
  }
  return v;
}

function parseWorkdays(v: unknown, key: string): number[] {
  if (v === undefined) return [1, 2, 3, 4, 5];
  if (!Array.isArray(v)) {
    throw new CalendarConfigError(key, `expected a list of ISO weekdays 1-7 (Monday = 1), got ${describe(v)}`);
  }
  if (v.length === 0) {
    throw new CalendarConfigError(key, 'must name at least one workday, otherwise nobody is ever at work');
  }
  v.forEach((d, i) => {
    if (!Number.isInteger(d) || (d as number) < 1 || (d as number) > 7) {
      throw new CalendarConfigError(`${key}[${i}]`, `expected an ISO weekday 1-7 (Monday = 1), got ${describe(d)}`);
    }
  });
  return [...new Set(v as number[])].sort((a, b) => a - b);
}

function parseHours(v: unknown, key: string): { start: string; end: string } {
  if (v === undefined) return { start: '09:00', end: '18:00' };
  const m = typeof v === 'string' ? HOURS_RE.exec(v.trim()) : null;
  if (!m) throw new CalendarConfigError(key, `expected "HH:MM-HH:MM", got ${describe(v)}`);
  const start = `${m[1].padStart(2, '0')}:${m[2]}`;
  const end = `${m[3].padStart(2, '0')}:${m[4]}`;
  const s = clockMinutes(start);
  const e = clockMinutes(end);
  if (s === null || e === null || s === 1440) {
    throw new CalendarConfigError(key, `times must be 00:00-23:59 (end may be 24:00), got ${describe(v)}`);
  }
  if (s === e % 1440 && !(s === 0 && e === 1440)) {
    throw new CalendarConfigError(key, `start and end are the same time in ${describe(v)}; use "00:00-24:00" for whole days`);
  }
  return { start, end };
}

function parseHolidays(v: unknown, key: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new CalendarConfigError(key, `expected a list of dates "YYYY-MM-DD", got ${describe(v)}`);
  return v.map((d, i) => {
    // YAML 1.1 parsers turn unquoted dates into Date objects at UTC midnight.
    const s = d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString().slice(0, 10) : d;
    if (typeof s !== 'string' || !DATE_RE.test(s) || !DateTime.fromISO(s).isValid) {
      throw new CalendarConfigError(`${key}[${i}]`, `expected a date "YYYY-MM-DD", got ${describe(d)}`);
    }
    return s;
  });
}

/** Minutes since local midnight for `HH:MM` (0‥1440), or null when malformed. */
export function clockMinutes(hhmm: string): number | null {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
