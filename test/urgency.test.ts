import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  CalendarConfigError,
  decideMention,
  isWorkingTime,
  nextWorkingPeriodStart,
  parseCalendar,
  zoneAbbreviation,
  type AlertStatus,
  type ForecastEta,
  type MentionDecision,
  type MentionPolicy,
  type TeamCalendar,
} from '../src/services/urgency/index.ts';
import { mentionReasonText } from '../src/handlers/alerts/render-alert.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import type { Language } from '../src/core/language.ts';

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

/** The reason as the post words it, with "today" at the decision's `now`. */
function said(decision: MentionDecision, now: number, opts: { language?: Language; timeZone?: string } = {}): string {
  const present = createPresenter({ language: opts.language ?? 'en', timeZone: opts.timeZone ?? 'Asia/Tokyo', now: () => now });
  return mentionReasonText(decision.reason, present).text;
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
  const FRI_9 = at('2026-11-20T09:00');
  const MON_9 = at('2026-11-16T09:00');

  it('stays quiet during working hours when the limit is days away', () => {
    const now = at('2026-11-19T11:00');
    const d = decide(now, eta(2 * DAY));
    expect(d).toEqual({ mention: false, code: 'can-wait', reason: { code: 'can-wait', full: 2 * DAY, when: FRI_9, inHours: true } });
    expect(said(d, now)).toBe('no mention: it is working hours and full in 2 days');
    expect(said(d, now, { language: 'ja' })).toBe('営業時間中で、上限に達するのは2日後のため通知しません');
  });

  it('mentions during working hours within the urgent window', () => {
    const now = at('2026-11-19T11:00');
    const d = decide(now, eta(45 * 60));
    expect(d).toEqual({ mention: true, code: 'urgent-in-hours', reason: { code: 'urgent-in-hours', full: 45 * 60 } });
    expect(said(d, now)).toBe('mentioning: full in 45 min, during working hours');
    expect(said(d, now, { language: 'ja' })).toBe('営業時間内の45分後に上限に達する見込みのため通知します');
  });

  it('mentions during working hours when it fills tonight', () => {
    const now = at('2026-11-19T15:00');
    const d = decide(now, eta(6 * H));
    expect(d).toEqual({ mention: true, code: 'before-next-working-period', reason: { code: 'before-next-working-period', full: 6 * H, when: FRI_9 } });
    expect(said(d, now)).toBe('mentioning: full in 6 h, before work starts Fri Nov 20, 09:00 JST');
  });

  it('at night: mentions only when it fills before the morning (plus margin)', () => {
    const night = at('2026-11-19T23:00'); // Thursday; work starts in 10 h
    const soon = decide(night, eta(3 * H));
    expect(soon).toMatchObject({ mention: true, reason: { code: 'before-next-working-period', full: 3 * H, when: FRI_9 } });
    expect(said(soon, night)).toBe('mentioning: full in 3 h, before work starts Fri Nov 20, 09:00 JST');
    expect(said(soon, night, { language: 'ja' })).toBe('3時間後、次の営業開始（11月20日(金) 9:00 JST）より前に上限に達する見込みのため通知します');
    const margin = decide(night, eta(10 * H + 30 * 60));
    expect(margin).toEqual({ mention: true, code: 'before-next-working-period', reason: { code: 'near-work-start', full: 10 * H + 30 * 60, when: FRI_9, marginMinutes: 60 } });
    expect(said(margin, night)).toBe('mentioning: full in 11 h, within 1 h of work starting Fri Nov 20, 09:00 JST');
    expect(said(margin, night, { language: 'ja' })).toBe('営業開始（11月20日(金) 9:00 JST）から1時間以内、11時間後に上限に達する見込みのため通知します');
    const later = decide(night, eta(11 * H + 1));
    expect(later).toMatchObject({ mention: false, code: 'can-wait', reason: { code: 'can-wait', inHours: false } });
    expect(said(later, night)).toBe('no mention: full in 11 h, after work starts Fri Nov 20, 09:00 JST');
    expect(decide(night, eta(11 * H + 1), { policy: { marginMinutes: 0 } }).mention).toBe(false);
  });

  it('uses the near end of the band', () => {
    const night = at('2026-11-19T23:00');
    const d = decide(night, eta(30 * H, 3 * H, 90 * H));
    expect(d).toMatchObject({ mention: true, reason: { code: 'before-next-working-period', full: 3 * H } });
    expect(said(d, night)).toBe('mentioning: full in 3 h, before work starts Fri Nov 20, 09:00 JST');
    expect(decide(night, eta(3 * H, null, null)).mention).toBe(true); // unbounded low: fall back to the estimate
    const open = decide(night, eta(null, 6 * DAY, null));
    expect(open).toMatchObject({ mention: false, reason: { code: 'can-wait', full: 6 * DAY } });
    expect(said(open, night)).toBe('no mention: full in 6 days, after work starts Fri Nov 20, 09:00 JST');
  });

  it('Friday evening waits for Monday', () => {
    const fri = at('2026-11-13T19:00');
    const d = decide(fri, eta(3 * H));
    expect(d).toEqual({ mention: true, code: 'before-next-working-period', reason: { code: 'before-next-working-period', full: 3 * H, when: MON_9 } });
    expect(said(d, fri)).toBe('mentioning: full in 3 h, before work starts Mon Nov 16, 09:00 JST');
    expect(decide(fri, eta(2 * DAY)).mention).toBe(true); // Sunday evening is still before Monday
    expect(decide(fri, eta(6 * DAY))).toEqual({ mention: false, code: 'can-wait', reason: { code: 'can-wait', full: 6 * DAY, when: MON_9, inHours: false } });
  });

  it('on a weekend', () => {
    const sat = at('2026-11-14T12:00');
    expect(said(decide(sat, eta(30 * H)), sat)).toBe('mentioning: full in 30 h, before work starts Mon Nov 16, 09:00 JST');
    expect(decide(sat, eta(4 * DAY)).mention).toBe(false);
  });

  it('on a holiday, including a holiday Monday after a weekend', () => {
    const holiday = at('2026-11-23T11:00'); // Monday, Labor Thanksgiving Day
    expect(decide(holiday, eta(45 * 60)).code).toBe('before-next-working-period'); // not "in hours"
    expect(said(decide(holiday, eta(20 * H)), holiday)).toBe('mentioning: full in 20 h, before work starts Tue Nov 24, 09:00 JST');
    // Friday evening before it: three nights until Tuesday.
    const fri = at('2026-11-20T19:00');
    expect(decide(fri, eta(3 * DAY)).reason).toEqual({ code: 'before-next-working-period', full: 3 * DAY, when: at('2026-11-24T09:00') });
    expect(said(decide(fri, eta(3 * DAY)), fri)).toBe('mentioning: full in 3 days, before work starts Tue Nov 24, 09:00 JST');
  });

  it('shows the date (and the year when it changes) of the next working period', () => {
    const cal = parseCalendar({ timezone: 'Asia/Tokyo', holidays: ['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01'] });
    const now = at('2026-12-25T19:00');
    const d = decide(now, eta(5 * DAY), { calendar: cal });
    expect(d.reason).toEqual({ code: 'before-next-working-period', full: 5 * DAY, when: at('2027-01-04T09:00') });
    expect(said(d, now)).toBe('mentioning: full in 5 days, before work starts Mon Jan 4, 2027, 09:00 JST');
    expect(said(d, now, { language: 'ja' })).toBe('5日後、次の営業開始（2027年1月4日(月) 9:00 JST）より前に上限に達する見込みのため通知します');
  });

  it('already full mentions at any time', () => {
    for (const now of [at('2026-11-19T11:00'), at('2026-11-19T23:00')]) {
      const d = decide(now, eta(0));
      expect(d).toEqual({ mention: true, code: 'already-full', reason: { code: 'already-full' } });
      expect(said(d, now)).toBe('mentioning: already at the limit');
      expect(said(d, now, { language: 'ja' })).toBe('すでに上限に達しているため通知します');
    }
    expect(decide(at('2026-11-19T11:00'), eta(-60)).code).toBe('already-full');
  });

  it('without a forecast, or with the limit out of sight, stays quiet', () => {
    const now = at('2026-11-19T23:00');
    const none = decide(now, undefined);
    expect(none).toEqual({ mention: false, code: 'no-forecast', reason: { code: 'no-forecast' } });
    expect(said(none, now)).toBe('no mention: no forecast');
    expect(decide(now, eta(null))).toMatchObject({ mention: false, code: 'can-wait', reason: { code: 'not-in-sight' } });
    expect(said(decide(now, eta(null)), now)).toBe('no mention: not expected to fill within the forecast horizon');
    expect(decide(now, eta(Number.NaN))).toMatchObject({ mention: false, code: 'can-wait' });
    const uncertain = decide(now, { ...eta(3 * H), method: 'uncertain' });
    expect(uncertain).toEqual({ mention: false, code: 'uncertain-forecast', reason: { code: 'uncertain-forecast' } });
    expect(said(uncertain, now)).toBe('no mention: the forecast cannot tell yet');
  });

  it('CRITICAL mentions when the config says so, otherwise the forecast decides', () => {
    const day = at('2026-11-19T11:00');
    const critical = decide(day, undefined, { status: 'CRITICAL' });
    expect(critical).toEqual({ mention: true, code: 'critical', reason: { code: 'critical' } });
    expect(said(critical, day)).toBe('mentioning: CRITICAL');
    expect(said(critical, day, { language: 'ja' })).toBe('CRITICAL のため通知します');
    expect(decide(day, eta(6 * DAY), { status: 'CRITICAL' }).code).toBe('critical');
    const off = { status: 'CRITICAL' as const, policy: { mentionOnCritical: false } };
    expect(decide(day, undefined, off)).toMatchObject({ mention: false, code: 'no-forecast' });
    expect(decide(day, eta(6 * DAY), off)).toMatchObject({ mention: false, code: 'can-wait' });
    expect(decide(day, eta(30 * 60), off)).toMatchObject({ mention: true, code: 'urgent-in-hours' });
  });

  it('resolved alerts never mention', () => {
    const now = at('2026-11-19T23:00');
    const d = decide(now, eta(0), { status: 'OK' });
    expect(d).toEqual({ mention: false, code: 'resolved', reason: { code: 'resolved' } });
    expect(said(d, now)).toBe('no mention: alert resolved');
  });

  it('names the zone across DST', () => {
    const fri = at('2026-03-06T20:00', 'America/New_York');
    const d = decide(fri, eta(50 * H), { calendar: NEW_YORK });
    expect(d.reason).toMatchObject({ code: 'before-next-working-period', when: at('2026-03-09T09:00', 'America/New_York') });
    expect(said(d, fri, { timeZone: 'America/New_York' })).toBe('mentioning: full in 2 days 2 h, before work starts Mon Mar 9, 09:00 EDT');
    expect(decide(fri, eta(61 * H), { calendar: NEW_YORK, policy: { marginMinutes: 0 } }).mention).toBe(false); // only 60 h until Monday
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
