import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { zoneAbbreviation } from '../src/services/urgency/zone-name.ts';
import { formatBytes, formatDay, formatDuration, formatRate, formatTime } from '../src/handlers/present/format.ts';

describe('presentation kit formatters', () => {
  it('writes sizes in binary units with three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(50 * 1024 ** 2)).toBe('50.0 MiB');
    expect(formatBytes(1024 ** 3)).toBe('1.00 GiB');
    expect(formatBytes(300 * 1024 ** 4)).toBe('300 TiB');
    expect(formatRate(12.34 * 1024 ** 2)).toBe('12.3 MiB/s');
    expect(formatBytes(1536, 'ja')).toBe('1.50 KiB');
  });

  it('words durations one way in each language', () => {
    const cases: [number, string, string][] = [
      [45, '45 s', '45秒'],
      [12 * 60, '12 min', '12分'],
      [3 * 3600 + 20 * 60, '3 h 20 min', '3時間20分'],
      [5 * 3600, '5 h', '5時間'],
      [27 * 3600, '27 h', '27時間'],
      [3 * 86400 + 4 * 3600, '3 days 4 h', '3日4時間'],
      [86400 * 2, '2 days', '2日'],
      [12 * 86400, '12 days', '12日'],
      [150 * 86400, '5 months', '5か月'],
      [800 * 86400, '2 years', '2年'],
    ];
    for (const [s, en, ja] of cases) {
      expect(formatDuration(s, 'en')).toBe(en);
      expect(formatDuration(s, 'ja')).toBe(ja);
    }
  });

  it('rounds to the unit before choosing it: no "60 min", "48 h" or "10 days 0 h" at the boundaries', () => {
    expect(formatDuration(3599)).toBe('1 h');
    expect(formatDuration(59.6)).toBe('1 min');
    expect(formatDuration(10 * 3600 - 20)).toBe('10 h');
    expect(formatDuration(48 * 3600 - 60)).toBe('2 days');
    expect(formatDuration(240 * 3600 - 60)).toBe('10 days');
    expect(formatDuration(3599, 'ja')).toBe('1時間');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 * 365 * 86400 }), (s) => {
        const out = formatDuration(s);
        expect(out).not.toMatch(/^60 min$|^(4[89]|[5-9]\d) h$|^60 s$| 24 h$| 60 min$/);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws and never says NaN for any duration', () => {
    fc.assert(
      fc.property(fc.double(), (s) => {
        const out = formatDuration(s, 'en') + formatDuration(s, 'ja');
        expect(out).not.toMatch(/NaN|Infinity|undefined/);
      }),
    );
  });

  it('shows the day of a moment only when it is not today, in the team zone', () => {
    const now = Date.UTC(2026, 11, 1, 3, 0) / 1000; // Tue 1 Dec 2026 12:00 JST
    const nine = Date.UTC(2026, 11, 1, 0, 0) / 1000; // 09:00 JST the same day
    const tomorrow = nine + 86400;
    const nextYear = Date.UTC(2027, 0, 1, 0, 0) / 1000;
    const tz = { timeZone: 'Asia/Tokyo', now };
    expect(formatTime(nine, { ...tz, language: 'en' })).toBe('09:00 JST');
    expect(formatTime(nine, { ...tz, language: 'ja' })).toBe('9:00 JST');
    expect(formatTime(tomorrow, { ...tz, language: 'en' })).toBe('Wed Dec 2, 09:00 JST');
    expect(formatTime(tomorrow, { ...tz, language: 'ja' })).toBe('12月2日(水) 9:00 JST');
    expect(formatTime(nextYear, { ...tz, language: 'ja' })).toBe('2027年1月1日(金) 9:00 JST');
    expect(formatTime(nextYear, { ...tz, language: 'en' })).toBe('Fri Jan 1, 2027, 09:00 JST');
    expect(formatDay(tomorrow, { ...tz, language: 'ja' })).toBe('12月2日(水)');
  });

  it('agrees with luxon for any moment, zone (DST and half-hour offsets included) and language', () => {
    // The reference: luxon's zone arithmetic, as the kit did before it read Intl's parts directly.
    const reference = (t: number, zone: string, now: number, language: 'en' | 'ja') => {
      const dt = DateTime.fromSeconds(t, { zone });
      const today = DateTime.fromSeconds(now, { zone });
      const abbr = zoneAbbreviation(dt);
      const local = dt.setLocale(language === 'ja' ? 'ja' : 'en-US');
      const clock = local.toFormat(language === 'ja' ? 'H:mm' : 'HH:mm');
      if (dt.hasSame(today, 'day')) return `${clock} ${abbr}`;
      const sameYear = dt.hasSame(today, 'year');
      if (language === 'ja') return `${local.toFormat(sameYear ? 'M月d日(ccc)' : 'yyyy年M月d日(ccc)')} ${clock} ${abbr}`;
      return `${local.toFormat(sameYear ? 'ccc MMM d' : 'ccc MMM d, yyyy')}, ${clock} ${abbr}`;
    };
    const zones = ['Asia/Tokyo', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns', 'UTC'];
    fc.assert(
      fc.property(
        fc.integer({ min: 946_684_800, max: 2_208_988_800 }),
        fc.integer({ min: -400 * 86400, max: 400 * 86400 }),
        fc.constantFrom(...zones),
        fc.constantFrom('en' as const, 'ja' as const),
        (t, delta, timeZone, language) => {
          expect(formatTime(t, { language, timeZone, now: t + delta })).toBe(reference(t, timeZone, t + delta, language));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
