import { DateTime } from 'luxon';
import type { Language } from '../../core/language.ts';
import { binaryScale } from '../../core/units.ts';
import type { GraphUnit } from './spec.ts';

/** Scale and suffix used for a value axis whose largest magnitude is `max`. */
export interface ValueScale {
  factor: number;
  suffix: string;
}

/** Picks the display unit for a whole axis (so all ticks share it): bytes are binary (GiB). */
export function valueScale(unit: GraphUnit, max: number): ValueScale {
  if (unit === 'percent') return { factor: 1, suffix: '%' };
  if (unit === 'number') return { factor: 1, suffix: '' };
  const { factor, unit: suffix } = binaryScale(max);
  return { factor, suffix: ` ${suffix}` };
}

/** Formats a value in the scale: "12.5 GiB", "87%", "1,234". */
export function formatValue(value: number, scale: ValueScale): string {
  const v = value / scale.factor;
  const digits = Math.abs(v) >= 100 || Number.isInteger(v) ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${NUMBER_FORMATS[digits]!.format(v)}${scale.suffix}`;
}

// `toLocaleString` with options builds an Intl.NumberFormat per call (~20 µs); the three used are built once.
const NUMBER_FORMATS = [0, 1, 2].map((digits) => new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }));

/** Formats a single value with its own best scale. */
export function formatValueAuto(value: number, unit: GraphUnit): string {
  return formatValue(value, valueScale(unit, value));
}

/**
 * "Nice" tick values from at or below `min` to at or above `max`, about `count` intervals, stepped
 * in the display unit (so byte axes get 2 GiB steps, not 2,000,000,000).
 */
export function niceTicks(min: number, max: number, count: number, factor: number): number[] {
  const lo = min / factor;
  const hi = max / factor;
  const raw = (hi - lo) / Math.max(1, count) || Math.abs(hi) || 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.max(first + 1, Math.ceil(hi / step - 1e-9));
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(Number((k * step * factor).toPrecision(12)));
  return ticks;
}

const TIME_STEPS_H = [1, 2, 3, 6, 12, 24, 48, 72, 168];

/**
 * Tick times (epoch s) aligned to the local clock in `zone`: every N hours from local midnight, or
 * every N days at midnight — so ticks land on 00:00 / 06:00 …, not on arbitrary seconds.
 */
export function timeTicks(min: number, max: number, zone: string, maxTicks: number): number[] {
  const spanH = (max - min) / 3600;
  const stepH = TIME_STEPS_H.find((h) => spanH / h <= maxTicks) ?? Math.ceil(spanH / maxTicks / 24) * 24;
  const ticks: number[] = [];
  let t = DateTime.fromSeconds(min, { zone }).startOf('day');
  // Walk local days, then hours within each day, so DST days keep 00:00/06:00/… alignment.
  for (let guard = 0; t.toSeconds() <= max && guard < 10_000; guard++) {
    if (stepH >= 24) {
      if (t.toSeconds() >= min) ticks.push(t.toSeconds());
      t = t.plus({ days: stepH / 24 });
      continue;
    }
    for (let h = 0; h < 24; h += stepH) {
      const s = t.set({ hour: h }).toSeconds();
      if (s >= min && s <= max) ticks.push(s);
    }
    t = t.plus({ days: 1 });
  }
  return [...new Set(ticks)];
}

/**
 * Tick label in the language's style: at local midnight the day ("Mon 11/17", "11/17(月)"), otherwise
 * the clock ("06:00", "6:00").
 */
export function formatTimeTick(t: number, zone: string, language: Language = 'en'): string {
  const dt = DateTime.fromSeconds(t, { zone });
  const midnight = dt.hour === 0 && dt.minute === 0;
  if (language === 'ja') return dt.setLocale('ja').toFormat(midnight ? 'M/d(ccc)' : 'H:mm');
  return dt.setLocale('en-US').toFormat(midnight ? 'ccc M/d' : 'HH:mm');
}
