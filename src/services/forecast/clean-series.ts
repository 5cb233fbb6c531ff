import type { MetricPoint } from './types.ts';

/** A series sorted by time with unique times and finite values. */
export interface CleanSeries {
  t: Float64Array;
  v: Float64Array;
  /** Input points dropped: non-finite, after `now`, or merged duplicates. */
  discarded: number;
}

function toFinite(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.trim() !== '') return Number(x);
  return Number.NaN;
}

/**
 * Sorts, drops non-finite values and points after `now`, and averages points that share a time
 * (Mackerel can return the same minute twice when ranges overlap).
 */
export function cleanSeries(points: readonly MetricPoint[], now: number): CleanSeries {
  const times: number[] = [];
  const values: number[] = [];
  let sorted = true;
  for (const p of points) {
    if (p === null || typeof p !== 'object') continue;
    const time = toFinite(p.time);
    const value = toFinite(p.value);
    if (!Number.isFinite(time) || !Number.isFinite(value) || time > now) continue;
    if (times.length > 0 && time < times[times.length - 1]) sorted = false;
    times.push(time);
    values.push(value);
  }
  let order: number[] | null = null;
  if (!sorted) {
    order = times.map((_, i) => i);
    order.sort((a, b) => times[a] - times[b] || a - b);
  }
  const t = new Float64Array(times.length);
  const v = new Float64Array(times.length);
  let n = 0;
  let dupCount = 1;
  for (let k = 0; k < times.length; k++) {
    const i = order === null ? k : order[k];
    if (n > 0 && times[i] === t[n - 1]) {
      dupCount++;
      v[n - 1] += (values[i] - v[n - 1]) / dupCount; // running mean
      continue;
    }
    t[n] = times[i];
    v[n] = values[i];
    dupCount = 1;
    n++;
  }
  return { t: t.subarray(0, n), v: v.subarray(0, n), discarded: points.length - n };
}
