import { DateTime } from 'luxon';
import type { ValueUnit } from './types.ts';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/** "123", "12.3", "1.23", "0.042": about three significant digits, trailing zeros trimmed, never "-0". */
export function trimNumber(x: number): string {
  const a = Math.abs(x);
  let text: string;
  if (a >= 100) text = x.toFixed(0);
  else if (a >= 10) text = x.toFixed(1);
  else if (a >= 1 || a === 0) text = x.toFixed(2);
  else text = a >= 0.001 ? x.toPrecision(2) : x.toFixed(4);
  if (text.includes('.') && !text.includes('e')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** A value for people: "21.5 GB", "93.2%", "1.2k". Bytes use SI units (1 GB = 10^9 bytes). */
export function formatValue(x: number, unit: ValueUnit): string {
  if (unit === 'percent') return `${trimNumber(x)}%`;
  const prefixes = unit === 'bytes' ? ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'] : ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let a = Math.abs(x);
  let k = 0;
  while (a >= 999.5 && k < prefixes.length - 1) {
    a /= 1000;
    k++;
  }
  const sep = unit === 'bytes' ? ' ' : '';
  const digits = trimNumber(a);
  return `${x < 0 && digits !== '0' ? '-' : ''}${digits}${sep}${prefixes[k]}`;
}

/** A signed size: "+5 GB", "-2.1%"; "0 GB" without a sign when it rounds to zero. */
export function formatSigned(x: number, unit: ValueUnit): string {
  const text = formatValue(x, unit);
  return x > 0 && Number.parseFloat(text) !== 0 ? `+${text}` : text;
}

/**
 * A rate for people, per hour or per day: "2.1 GB/h", "0.4 GB/day", "0.25%/h" (percentage points for
 * percent metrics, written like the levels: "93.2%").
 */
export function formatRate(perSecond: number, unit: ValueUnit, per: 'h' | 'day'): string {
  const value = perSecond * (per === 'h' ? HOUR : DAY);
  return `${formatValue(Math.abs(value), unit)}/${per}`;
}

type DurationUnit = 'min' | 'h' | 'days';

function unitFor(seconds: number): DurationUnit {
  return seconds < 90 * MINUTE ? 'min' : seconds < 48 * HOUR ? 'h' : 'days';
}

function inUnit(seconds: number, unit: DurationUnit): string {
  if (unit === 'min') return String(Math.max(1, Math.round(seconds / MINUTE)));
  if (unit === 'h') {
    const h = seconds / HOUR;
    return h < 10 ? trimNumber(Math.round(h * 10) / 10) : String(Math.round(h));
  }
  return trimNumber(Math.round((seconds / DAY) * 10) / 10);
}

/** "40 min", "5 h", "3.2 days". */
export function formatDuration(seconds: number): string {
  const unit = unitFor(seconds);
  return `${inUnit(seconds, unit)} ${unit}`;
}

/** A band in one unit, "3–8 h"; "3 h or later" / "up to 8 h" when one side is open; '' when it collapses. */
export function formatBand(low: number | null, high: number | null): string {
  if (low === null && high === null) return '';
  if (low === null) return `up to ${formatDuration(high as number)}`;
  if (high === null) return `${formatDuration(low)} or later`;
  const unit = unitFor(high);
  const lo = inUnit(low, unit);
  const hi = inUnit(high, unit);
  return lo === hi ? '' : `${lo}–${hi} ${unit}`;
}

/** Clock time in the zone: "13:10" when within the last day of `now`, "Mar 3 13:10" otherwise. */
export function formatClock(time: number, now: number, timeZone: string): string {
  let dt = DateTime.fromSeconds(time, { zone: timeZone });
  if (!dt.isValid) dt = DateTime.fromSeconds(time, { zone: 'UTC' });
  return now - time < DAY ? dt.toFormat('HH:mm') : dt.toFormat('MMM d HH:mm');
}

/** Time of day only: "04:00". */
export function formatTimeOfDay(time: number, timeZone: string): string {
  let dt = DateTime.fromSeconds(time, { zone: timeZone });
  if (!dt.isValid) dt = DateTime.fromSeconds(time, { zone: 'UTC' });
  return dt.toFormat('HH:mm');
}

/** The outcome clause: "full in about 5 h (3–8 h)" or "not full within 14 days". */
export function outcomeClause(seconds: number | null, low: number | null, high: number | null, horizon: number): string {
  if (seconds === null) {
    const soonest = low !== null ? ` (at the earliest in ${formatDuration(low)})` : '';
    return `not full within ${formatDuration(horizon)}${soonest}`;
  }
  if (seconds === 0) return 'already at the limit';
  const band = formatBand(low, high);
  return `full in about ${formatDuration(seconds)}${band ? ` (${band})` : ''}`;
}
