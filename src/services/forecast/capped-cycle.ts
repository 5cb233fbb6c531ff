import { median } from './robust-stats.ts';
import { bucketTime, type Grid } from './resample.ts';

/**
 * A threshold-driven sawtooth: the series climbs at the current rate until the level where every
 * earlier cycle stopped (a cgroup memory limit, a GC high watermark), then restarts from the usual
 * trough. Unlike the seasonal model it does not assume the restarts keep to a clock.
 */
export interface CappedCycle {
  origin: number;
  level: number;
  /** Current climb per second. */
  rate: number;
  /** Where the cycles stop (median of the earlier cycles' maxima) and restart. */
  cap: number;
  trough: number;
  periodSeconds: number;
  /** Start of the current climb. */
  climbFrom: number;
}

/** Fits the model on the grid up to bucket `end` (inclusive); null without two earlier full cycles. */
export function fitCappedCycle(g: Grid, end: number, period: number): CappedCycle | null {
  const w = Math.max(2, Math.round(period / g.width));
  const peaks: number[] = [];
  const troughs: number[] = [];
  for (let c = 1; c <= 6; c++) {
    const hi = end - c * w;
    const lo = hi - w + 1;
    if (lo < 0) break;
    let mx = Number.NEGATIVE_INFINITY;
    let mn = Number.POSITIVE_INFINITY;
    for (let k = lo; k <= hi; k++) {
      if (g.max[k] > mx) mx = g.max[k];
      if (g.mean[k] < mn) mn = g.mean[k];
    }
    peaks.push(mx);
    troughs.push(mn);
  }
  if (peaks.length < 2) return null;
  const cap = median(peaks);
  const trough = median(troughs);
  // The current climb: from the lowest point of the last cycle.
  let r = end;
  for (let k = Math.max(0, end - w + 1); k <= end; k++) if (g.mean[k] < g.mean[r]) r = k;
  let rate: number;
  let level = g.mean[end];
  if (end - r >= 3) {
    let st = 0;
    let sv = 0;
    const n = end - r + 1;
    for (let k = r; k <= end; k++) {
      st += k;
      sv += g.mean[k];
    }
    const mt = st / n;
    const mv = sv / n;
    let sxx = 0;
    let sxy = 0;
    for (let k = r; k <= end; k++) {
      sxx += (k - mt) ** 2;
      sxy += (k - mt) * (g.mean[k] - mv);
    }
    rate = sxx > 0 ? sxy / sxx / g.width : 0;
    level = mv + (sxx > 0 ? sxy / sxx : 0) * (end - mt);
  } else {
    rate = (cap - trough) / period;
  }
  return { origin: bucketTime(g, end), level, rate, cap, trough, periodSeconds: period, climbFrom: bucketTime(g, r) };
}

/** The model's level `tau` seconds after its origin. */
export function cappedAt(m: CappedCycle, tau: number): number {
  if (!(m.rate > 0)) return m.level;
  const v = m.level + m.rate * tau;
  if (v < m.cap || m.level >= m.cap) return Math.min(v, Math.max(m.cap, m.level));
  const hit = (m.cap - m.level) / m.rate;
  const climb = Math.max(m.cap - m.trough, 1e-12) / m.rate;
  const phase = (tau - hit) % climb;
  return m.trough + m.rate * phase;
}

/** Seconds until the limit: only when the cycles' cap reaches it (within `tolerance`). */
export function cappedTimeToLimit(m: CappedCycle, limit: number, horizon: number, tolerance: number): number | null {
  if (m.level >= limit) return 0;
  if (m.cap + tolerance < limit || !(m.rate > 0)) return null;
  const s = (limit - m.level) / m.rate;
  return s <= horizon ? s : null;
}
