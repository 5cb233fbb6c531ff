import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  CalendarConfigError,
  decideMention,
  formatDuration,
  isWorkingTime,
  nextWorkingPeriodStart,
  parseCalendar,
  zoneAbbreviation,
  type AlertStatus,
  type ForecastEta,
  type MentionPolicy,
  type TeamCalendar,
} from '../src/services/urgency/index.ts';

const TOKYO = parseCalendar({
  timezone: 'Asia/Tokyo',
  workdays: [1, 2, 3, 4, 5],
  hours: '09:00-18:00',
  // Mon 23 Nov 2026 (Labor Thanksgiving Day, right after a weekend), New Year.
  holidays: ['2026-11-23', '2026-12-31', '2027-01-01'],
});
const NEW_YORK = parseCalendar({ timezone: 'America/New_York', hours: '09:00-17:00' });
const POLICY: MentionPolicy = { mentionOnCritical: true, marginMinutes: 60, urgentWithinMinutes: 120 };

const H = 3600;
const DAY = 86400;

/** Epoch seconds of a local wall-clock time in `zone`. */
function at(iso: string, zone = 'Asia/Tokyo'): number {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) throw new Error(`bad test time ${iso}`);
  return dt.toSeconds();
}

function eta(secondsToLimit: number | null, low: number | null = secondsToLimit, high: number | null = secondsToLimit): ForecastEta {
  return { secondsToLimit, low, high };
}

function decide(now: number, forecast: ForecastEta | undefined, opts: { status?: AlertStatus; calendar?: TeamCalendar; policy?: Partial<MentionPolicy> } = {}) {
  return decideMention({
    now,
    status: opts.status ?? 'WARNING',
    forecast,
    calendar: opts.calendar ?? TOKYO,
    policy: { ...POLICY, ...opts.policy },
  });
}

describe('parseCalendar', () => {
  it('accepts the documented shape and fills defaults', () => {
    expect(TOKYO).toEqual({
      timezone: 'Asia/Tokyo',
      workdays: [1, 2, 3, 4, 5],
      hours: { start: '09:00', end: '18:00' },
      holidays: ['2026-11-23', '2026-12-31', '2027-01-01'],
    });
    expect(parseCalendar({ timezone: 'UTC' })).toEqual({
      timezone: 'UTC',
      workdays: [1, 2, 3, 4, 5],
      hours: { start: '09:00', end: '18:00' },
      holidays: [],
    });
    expect(parseCalendar({ timezone: 'UTC', hours: '9:30 - 18:00' }).hours).toEqual({ start: '09:30', end: '18:00' });
  });

  it('names the bad key', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ timezone: 'Asia/Tokyo', hours: '9-18' }, 'alerts.calendar.hours', /expected "HH:MM-HH:MM", got "9-18"/],
      [{ timezone: 'Asia/Tokyo', hours: '09:00-25:00' }, 'alerts.calendar.hours', /00:00-23:59/],
      [{ timezone: 'Asia/Tokyo', hours: '09:00-09:00' }, 'alerts.calendar.hours', /same time/],
      [{ timezone: 'Asia/Tokio' }, 'alerts.calendar.timezone', /unknown IANA time zone "Asia\/Tokio"/],
      [{}, 'alerts.calendar.timezone', /expected an IANA time zone/],
      [{ timezone: 'Asia/Tokyo', workdays: [] }, 'alerts.calendar.workdays', /at least one workday/],
      [{ timezone: 'Asia/Tokyo', workdays: [1, 8] }, 'alerts.calendar.workdays[1]', /got 8/],
      [{ timezone: 'Asia/Tokyo', workdays: 'weekdays' }, 'alerts.calendar.workdays', /list of ISO weekdays/],
      [{ timezone: 'Asia/Tokyo', holidays: ['2026-02-30'] }, 'alerts.calendar.holidays[0]', /YYYY-MM-DD/],
      [{ timezone: 'Asia/Tokyo', holidays: ['12/31'] }, 'alerts.calendar.holidays[0]', /got "12\/31"/],
      [{ timeZone: 'Asia/Tokyo' }, 'alerts.calendar.timeZone', /unknown key/],
      ['Asia/Tokyo', 'alerts.calendar', /expected a mapping/],
    ];
    for (const [raw, key, message] of cases) {
      let err: unknown;
      try {
        parseCalendar(raw);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(raw)).toBeInstanceOf(CalendarConfigError);
      expect((err as CalendarConfigError).key).toBe(key);
      expect((err as Error).message.startsWith(`${key}: `)).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('accepts unquoted YAML 1.1 dates as holidays', () => {
    expect(parseCalendar({ timezone: 'UTC', holidays: [new Date('2026-12-31T00:00:00Z')] }).holidays).toEqual(['2026-12-31']);
  });
});

describe('working time', () => {
  it('knows working hours, nights, weekends and holidays', () => {
    expect(isWorkingTime(at('2026-11-20T09:00'), TOKYO)).toBe(true); // start inclusive
    expect(isWorkingTime(at('2026-11-20T17:59'), TOKYO)).toBe(true);
    expect(isWorkingTime(at('2026-11-20T18:00'), TOKYO)).toBe(false); // end exclusive
    expect(isWorkingTime(at('2026-11-20T03:00'), TOKYO)).toBe(false);
    expect(isWorkingTime(at('2026-11-21T11:00'), TOKYO)).toBe(false); // Saturday
    expect(isWorkingTime(at('2026-11-23T11:00'), TOKYO)).toBe(false); // holiday Monday
    expect(isWorkingTime(DateTime.fromISO('2026-11-20T02:00:00Z'), TOKYO)).toBe(true); // 11:00 JST given in UTC
  });

  it('finds the next working period, skipping weekends and holidays', () => {
    const next = (iso: string) => nextWorkingPeriodStart(at(iso), TOKYO).toISO();
    expect(next('2026-11-19T20:00')).toBe('2026-11-20T09:00:00.000+09:00'); // Thursday night → Friday
    expect(next('2026-11-19T08:59')).toBe('2026-11-19T09:00:00.000+09:00'); // early morning → same day
    expect(next('2026-11-19T10:00')).toBe('2026-11-20T09:00:00.000+09:00'); // during hours → the next one
    expect(next('2026-11-13T19:00')).toBe('2026-11-16T09:00:00.000+09:00'); // Friday evening → Monday
    expect(next('2026-11-20T19:00')).toBe('2026-11-24T09:00:00.000+09:00'); // Friday → Tuesday after holiday Monday
    expect(next('2026-12-30T19:00')).toBe('2027-01-04T09:00:00.000+09:00'); // New Year
  });

  it('handles overnight hours', () => {
    const night = parseCalendar({ timezone: 'Asia/Tokyo', workdays: [1, 2, 3, 4, 5], hours: '22:00-06:00' });
    expect(isWorkingTime(at('2026-11-20T23:00'), night)).toBe(true); // Friday's shift
    expect(isWorkingTime(at('2026-11-21T05:59'), night)).toBe(true); // still Friday's shift on Saturday
    expect(isWorkingTime(at('2026-11-21T06:00'), night)).toBe(false);
    expect(isWorkingTime(at('2026-11-21T23:00'), night)).toBe(false); // no Saturday shift
    expect(nextWorkingPeriodStart(at('2026-11-21T07:00'), night).toISO()).toBe('2026-11-23T22:00:00.000+09:00');
  });

  it('keeps local working hours across a DST change', () => {
    // US DST starts Sunday 8 March 2026: Friday is EST (-5), Monday is EDT (-4).
    const fri = at('2026-03-06T20:00', 'America/New_York');
    const mon = nextWorkingPeriodStart(fri, NEW_YORK);
    expect(mon.toISO()).toBe('2026-03-09T09:00:00.000-04:00');
    expect(mon.toSeconds() - fri).toBe(60 * H); // 61 wall-clock hours, one of them skipped
    expect(isWorkingTime(at('2026-03-09T09:30', 'America/New_York'), NEW_YORK)).toBe(true);
    expect(isWorkingTime(at('2026-03-09T08:30', 'America/New_York'), NEW_YORK)).toBe(false);
    // DST ends Sunday 1 November 2026.
    expect(nextWorkingPeriodStart(at('2026-10-30T20:00', 'America/New_York'), NEW_YORK).toISO()).toBe('2026-11-02T09:00:00.000-05:00');
  });

  it('terminates on a hand-built calendar with no workdays', () => {
    const broken: TeamCalendar = { ...TOKYO, workdays: [] };
    expect(() => nextWorkingPeriodStart(at('2026-11-20T20:00'), broken)).toThrow(RangeError);
  });
});

describe('decideMention', () => {
  it('stays quiet during working hours when the limit is days away', () => {
    expect(decide(at('2026-11-19T11:00'), eta(2 * DAY))).toEqual({
      mention: false,
      code: 'can-wait',
      reason: 'no mention: within working hours and full in ~2 days',
    });
  });

  it('mentions during working hours within the urgent window', () => {
    expect(decide(at('2026-11-19T11:00'), eta(45 * 60))).toEqual({
      mention: true,
      code: 'urgent-in-hours',
      reason: 'mentioning: full in ~45 min, during working hours',
    });
  });

  it('mentions during working hours when it fills tonight', () => {
    expect(decide(at('2026-11-19T15:00'), eta(6 * H))).toEqual({
      mention: true,
      code: 'before-next-working-period',
      reason: 'mentioning: full in ~6 h, before Friday 09:00 JST',
    });
  });

  it('at night: mentions only when it fills before the morning (plus margin)', () => {
    const night = at('2026-11-19T23:00'); // Thursday; work starts in 10 h
    expect(decide(night, eta(3 * H))).toMatchObject({ mention: true, reason: 'mentioning: full in ~3 h, before Friday 09:00 JST' });
    expect(decide(night, eta(10 * H + 30 * 60))).toEqual({
      mention: true,
      code: 'before-next-working-period',
      reason: 'mentioning: full in ~11 h, within 60 min of work starting Friday 09:00 JST',
    });
    expect(decide(night, eta(11 * H + 1))).toMatchObject({ mention: false, code: 'can-wait', reason: 'no mention: full in ~11 h' });
    expect(decide(night, eta(11 * H + 1), { policy: { marginMinutes: 0 } }).mention).toBe(false);
  });

  it('uses the near end of the band', () => {
    const night = at('2026-11-19T23:00');
    expect(decide(night, eta(30 * H, 3 * H, 90 * H))).toMatchObject({ mention: true, reason: 'mentioning: full in ~3 h, before Friday 09:00 JST' });
    expect(decide(night, eta(3 * H, null, null)).mention).toBe(true); // unbounded low: fall back to the estimate
    expect(decide(night, eta(null, 6 * DAY, null))).toMatchObject({ mention: false, reason: 'no mention: full in ~6 days' });
  });

  it('Friday evening waits for Monday', () => {
    const fri = at('2026-11-13T19:00');
    expect(decide(fri, eta(3 * H))).toEqual({
      mention: true,
      code: 'before-next-working-period',
      reason: 'mentioning: full in ~3 h, before Monday 09:00 JST',
    });
    expect(decide(fri, eta(2 * DAY)).mention).toBe(true); // Sunday evening is still before Monday
    expect(decide(fri, eta(6 * DAY))).toEqual({ mention: false, code: 'can-wait', reason: 'no mention: full in ~6 days' });
  });

  it('on a weekend', () => {
    const sat = at('2026-11-14T12:00');
    expect(decide(sat, eta(30 * H)).reason).toBe('mentioning: full in ~30 h, before Monday 09:00 JST');
    expect(decide(sat, eta(4 * DAY)).mention).toBe(false);
  });

  it('on a holiday, including a holiday Monday after a weekend', () => {
    const holiday = at('2026-11-23T11:00'); // Monday, Labor Thanksgiving Day
    expect(decide(holiday, eta(45 * 60)).code).toBe('before-next-working-period'); // not "in hours"
    expect(decide(holiday, eta(20 * H)).reason).toBe('mentioning: full in ~20 h, before Tuesday 09:00 JST');
    // Friday evening before it: three nights until Tuesday.
    expect(decide(at('2026-11-20T19:00'), eta(3 * DAY)).reason).toBe('mentioning: full in ~3 days, before Tuesday 09:00 JST');
  });

  it('adds the date when the next working period is a week or more away', () => {
    const cal = parseCalendar({ timezone: 'Asia/Tokyo', holidays: ['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01'] });
    expect(decide(at('2026-12-25T19:00'), eta(5 * DAY), { calendar: cal }).reason).toBe('mentioning: full in ~5 days, before Monday 4 January 09:00 JST');
  });

  it('already full mentions at any time', () => {
    for (const now of [at('2026-11-19T11:00'), at('2026-11-19T23:00')]) {
      expect(decide(now, eta(0))).toEqual({ mention: true, code: 'already-full', reason: 'mentioning: already at the limit' });
    }
    expect(decide(at('2026-11-19T11:00'), eta(-60)).code).toBe('already-full');
  });

  it('without a forecast, or with the limit out of sight, stays quiet', () => {
    expect(decide(at('2026-11-19T23:00'), undefined)).toEqual({ mention: false, code: 'no-forecast', reason: 'no mention: no forecast' });
    expect(decide(at('2026-11-19T23:00'), eta(null))).toMatchObject({ mention: false, code: 'can-wait' });
    expect(decide(at('2026-11-19T23:00'), eta(Number.NaN))).toMatchObject({ mention: false, code: 'can-wait' });
  });

  it('CRITICAL mentions when the config says so, otherwise the forecast decides', () => {
    const day = at('2026-11-19T11:00');
    expect(decide(day, undefined, { status: 'CRITICAL' })).toEqual({ mention: true, code: 'critical', reason: 'mentioning: CRITICAL' });
    expect(decide(day, eta(6 * DAY), { status: 'CRITICAL' }).code).toBe('critical');
    const off = { status: 'CRITICAL' as const, policy: { mentionOnCritical: false } };
    expect(decide(day, undefined, off)).toMatchObject({ mention: false, code: 'no-forecast' });
    expect(decide(day, eta(6 * DAY), off)).toMatchObject({ mention: false, code: 'can-wait' });
    expect(decide(day, eta(30 * 60), off)).toMatchObject({ mention: true, code: 'urgent-in-hours' });
  });

  it('resolved alerts never mention', () => {
    expect(decide(at('2026-11-19T23:00'), eta(0), { status: 'OK' })).toEqual({ mention: false, code: 'resolved', reason: 'no mention: alert resolved' });
  });

  it('names the zone across DST', () => {
    const fri = at('2026-03-06T20:00', 'America/New_York');
    expect(decide(fri, eta(50 * H), { calendar: NEW_YORK }).reason).toBe('mentioning: full in ~2 days, before Monday 09:00 EDT');
    expect(decide(fri, eta(61 * H), { calendar: NEW_YORK, policy: { marginMinutes: 0 } }).mention).toBe(false); // only 60 h until Monday
  });
});

describe('formatDuration', () => {
  it('rounds to a human unit', () => {
    expect(formatDuration(0)).toBe('<1 min');
    expect(formatDuration(59)).toBe('<1 min');
    expect(formatDuration(45 * 60)).toBe('~45 min');
    expect(formatDuration(3 * H)).toBe('~3 h');
    expect(formatDuration(35 * H)).toBe('~35 h');
    expect(formatDuration(36 * H)).toBe('~2 days');
    expect(formatDuration(6 * DAY + 3 * H)).toBe('~6 days');
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError);
  });
});

describe('zoneAbbreviation', () => {
  it('prefers customary abbreviations and falls back to an offset', () => {
    const t = DateTime.fromISO('2026-07-15T00:00:00Z');
    expect(zoneAbbreviation(t.setZone('Asia/Tokyo'))).toBe('JST');
    expect(zoneAbbreviation(t.setZone('America/New_York'))).toBe('EDT');
    expect(zoneAbbreviation(t.setZone('Europe/Berlin'))).toBe('CEST');
    expect(zoneAbbreviation(t.setZone('UTC'))).toBe('UTC');
    expect(zoneAbbreviation(t.setZone('Asia/Seoul'))).toMatch(/^(KST|UTC\+9)$/);
    expect(zoneAbbreviation(t.setZone('Asia/Kathmandu'))).toMatch(/^(NPT|UTC\+5:45)$/);
  });
});
