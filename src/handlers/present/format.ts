import { DateTime } from 'luxon';
import type { Language } from '../../core/language.ts';
import { binaryScale } from '../../core/units.ts';
import { zoneAbbreviation } from '../../services/urgency/zone-name.ts';

/**
 * The one way opsbot writes sizes, rates, durations, numbers and times, in either language.
 * Sizes are binary (KiB, MiB, GiB: what `ls -h`, Mackerel's graphs and S3's console show), a rate
 * is a size per second ("12.3 MiB/s"), a duration is one wording everywhere ("3 h 20 min",
 * "3時間20分"), and a time carries its day whenever that day is not today, and its zone.
 */

const numberFormats = new Map<string, Intl.NumberFormat>();

/** A number as the language writes it: "1,234", "1.5"; at most `digits` decimals. */
export function formatNumber(value: number, language: Language, digits = 2): string {
  const key = `${language}|${digits}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(language === 'ja' ? 'ja-JP' : 'en-US', { maximumFractionDigits: digits })));
  return format.format(value);
}

/** Binary units with three significant digits: "512 B", "1.50 KiB", "50.0 MiB", "1.00 GiB". */
export function formatBytes(bytes: number, language: Language = 'en'): string {
  if (!Number.isFinite(bytes)) return '?';
  const sign = bytes < 0 ? '-' : '';
  const { factor, unit } = binaryScale(bytes);
  if (factor === 1) return `${sign}${formatNumber(Math.round(Math.abs(bytes)), language, 0)} B`;
  const value = Math.abs(bytes) / factor;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${sign}${formatFixed(value, language, digits)} ${unit}`;
}

const fixedFormats = new Map<string, Intl.NumberFormat>();

/** Exactly `digits` decimals ("1.50"), as the language writes numbers. */
function formatFixed(value: number, language: Language, digits: number): string {
  const key = `${language}|${digits}`;
  let format = fixedFormats.get(key);
  if (!format) fixedFormats.set(key, (format = new Intl.NumberFormat(language === 'ja' ? 'ja-JP' : 'en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return format.format(value);
}

/** Bytes per second in binary units: "12.3 MiB/s". */
export function formatRate(bytesPerSecond: number, language: Language = 'en'): string {
  return `${formatBytes(bytesPerSecond, language)}/s`;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;

const UNIT_WORDS: Record<Language, { s: string; min: string; h: string; day: (n: number) => string; month: (n: number) => string; year: (n: number) => string; join: string }> = {
  en: { s: ' s', min: ' min', h: ' h', day: (n) => (n === 1 ? ' day' : ' days'), month: (n) => (n === 1 ? ' month' : ' months'), year: (n) => (n === 1 ? ' year' : ' years'), join: ' ' },
  ja: { s: '秒', min: '分', h: '時間', day: () => '日', month: () => 'か月', year: () => '年', join: '' },
};

/**
 * One duration wording: "45 s", "12 min", "3 h 20 min", "27 h", "3 days 4 h", "12 days", "5 months",
 * "2 years" — in Japanese "45秒", "12分", "3時間20分", "27時間", "3日4時間", "12日", "5か月", "2年".
 * Negative and non-finite values count as 0.
 */
export function formatDuration(seconds: number, language: Language = 'en'): string {
  const w = UNIT_WORDS[language];
  const s = Number.isFinite(seconds) ? Math.max(0, Math.round(seconds)) : 0;
  const n = (v: number) => formatNumber(v, language, 0);
  // Each step rounds to its own unit first and only then checks its bound, so 3,599 s is "1 h",
  // never "60 min", and 47.9 h is "2 days", never "48 h".
  if (s < MINUTE) return `${n(s)}${w.s}`;
  const totalMin = Math.round(s / MINUTE);
  if (totalMin < 60) return `${n(totalMin)}${w.min}`;
  if (totalMin < 600) {
    const h = Math.floor(totalMin / 60);
    const m = totalMin % 60;
    return m ? `${n(h)}${w.h}${w.join}${n(m)}${w.min}` : `${n(h)}${w.h}`;
  }
  const totalH = Math.round(s / HOUR);
  if (totalH < 48) return `${n(totalH)}${w.h}`;
  if (totalH < 240) {
    const d = Math.floor(totalH / 24);
    const h = totalH % 24;
    return h ? `${n(d)}${w.day(d)}${w.join}${n(h)}${w.h}` : `${n(d)}${w.day(d)}`;
  }
  const days = Math.round(s / DAY);
  if (days < 90) return `${n(days)}${w.day(days)}`;
  if (days < 730) {
    const m = Math.floor(days / 30);
    return `${n(m)}${w.month(m)}`;
  }
  const y = Math.floor(days / 365);
  return `${n(y)}${w.year(y)}`;
}

/** A moment's wall-clock fields in a zone. */
interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Minutes east of UTC. */
  offset: number;
}

const WEEKDAYS_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// One Intl formatter per zone, read as parts: luxon's zone arithmetic and formatting cost ~80 µs
// a time, and an alert post shows several; this costs a few µs.
const clockFormats = new Map<string, Intl.DateTimeFormat>();

function wallClock(epochSeconds: number, timeZone: string): WallClock {
  let format = clockFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    } catch {
      // An unknown zone (the configuration validates them): UTC.
      format =
        clockFormats.get('UTC') ??
        new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    }
    clockFormats.set(timeZone, format);
  }
  const minuteStart = Math.floor(epochSeconds / 60) * 60_000;
  const f: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(minuteStart))) if (part.type !== 'literal') f[part.type] = Number(part.value);
  const local = Date.UTC(f.year!, f.month! - 1, f.day!, f.hour!, f.minute!);
  return { year: f.year!, month: f.month!, day: f.day!, hour: f.hour!, minute: f.minute!, weekday: new Date(local).getUTCDay(), offset: Math.round((local - minuteStart) / 60_000) };
}

const zoneNames = new Map<string, string>();

/** "JST", "EDT", "UTC+5:30": the zone's customary short name at that offset (kept per zone and offset). */
function zoneName(epochSeconds: number, timeZone: string, offset: number): string {
  const key = `${timeZone}|${offset}`;
  let name = zoneNames.get(key);
  if (name === undefined) {
    const dt = DateTime.fromSeconds(epochSeconds, { zone: timeZone });
    name = zoneAbbreviation(dt.isValid ? dt : DateTime.fromSeconds(epochSeconds, { zone: 'UTC' }));
    zoneNames.set(key, name);
  }
  return name;
}

const pad = (n: number) => String(n).padStart(2, '0');

function dayText(c: WallClock, language: Language, withYear: boolean): string {
  if (language === 'ja') return `${withYear ? `${c.year}年` : ''}${c.month}月${c.day}日(${WEEKDAYS_JA[c.weekday]})`;
  return `${WEEKDAYS_EN[c.weekday]} ${MONTHS_EN[c.month - 1]} ${c.day}${withYear ? `, ${c.year}` : ''}`;
}

/**
 * A moment in the team's zone: the time alone when it is today ("09:00 JST", "9:00 JST"), with its
 * day otherwise ("Tue Dec 1, 09:00 JST", "12月1日(火) 9:00 JST"), and the year when it is not this
 * year ("Fri Jan 1, 2027, 09:00 JST", "2027年1月1日(金) 9:00 JST").
 */
export function formatTime(epochSeconds: number, options: { language: Language; timeZone: string; now: number }): string {
  const c = wallClock(epochSeconds, options.timeZone);
  const today = wallClock(options.now, options.timeZone);
  const zone = zoneName(epochSeconds, options.timeZone, c.offset);
  const sameYear = c.year === today.year;
  const sameDay = sameYear && c.month === today.month && c.day === today.day;
  const clock = options.language === 'ja' ? `${c.hour}:${pad(c.minute)}` : `${pad(c.hour)}:${pad(c.minute)}`;
  if (sameDay) return `${clock} ${zone}`;
  const day = dayText(c, options.language, !sameYear);
  return options.language === 'ja' ? `${day} ${clock} ${zone}` : `${day}, ${clock} ${zone}`;
}

/** A calendar day in the team's zone: "Tue Dec 1" / "12月1日(火)" (with the year when not this year). */
export function formatDay(epochSeconds: number, options: { language: Language; timeZone: string; now: number }): string {
  const c = wallClock(epochSeconds, options.timeZone);
  return dayText(c, options.language, c.year !== wallClock(options.now, options.timeZone).year);
}
