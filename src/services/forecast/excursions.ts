import { fitRange, type PrefixSums } from './line-fit.ts';
import { bucketTime, buildGrid } from './resample.ts';
import { median, robustScale, theilSenSlope } from './robust-stats.ts';
import type { CurrentTrend } from './fit-current-trend.ts';
import type { Piece } from './segment-regimes.ts';

/**
 * How much the series usually moves over a given time: the spread of its change over every window
 * of that length in the history before a time. A "new trend" that does not leave this spread is
 * one of the series' own excursions (the up-swing of a band, a business morning, the climb after
 * a restart, a few minutes of churn), not a new trend.
 */
export interface TypicalChange {
  lagSeconds: number;
  /** Low and high quantiles (2% and 98%) of the change over `lagSeconds`, value units. */
  low: number;
  high: number;
  /** Windows looked at (overlapping, one per bucket). */
  windows: number;
}

/** At least this many bucket-steps of history before the candidate, in units of its duration. */
const MIN_HISTORY_LAGS = 2;
const BUCKETS_PER_LAG = 6;

function quantile(sorted: Float64Array, p: number): number {
  const x = p * (sorted.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

/** The spread of changes over `lag` seconds in windows ending at or before `before`; null without enough history. */
export function typicalChange(t: Float64Array, v: Float64Array, lag: number, before: number, typicalStep: number): TypicalChange | null {
  const n = t.length;
  if (n < 8 || !(lag > 0)) return null;
  const span = before - t[0];
  if (span < MIN_HISTORY_LAGS * lag) return null;
  const g = buildGrid(t, v, Math.max(typicalStep, lag / BUCKETS_PER_LAG), before);
  if (!g) return null;
  const L = Math.max(1, Math.round(lag / g.width));
  const m = g.length - L;
  if (m < 8) return null;
  const changes = new Float64Array(m);
  for (let k = 0; k < m; k++) changes[k] = g.mean[k + L] - g.mean[k];
  changes.sort();
  return { lagSeconds: L * g.width, low: quantile(changes, 0.02), high: quantile(changes, 0.98), windows: m };
}

/**
 * The long view the forecast falls back on when a recent change is only an excursion: a robust line
 * (Theil–Sen over at most 48 bucket means) over the last `from`..`now`, so that the swings, steps
 * and a deleted spike in it count for what they are, not as much as least squares would weigh
 * them. Its standard error comes from the buckets' scatter about the line.
 */
export function longRunTrend(ps: PrefixSums, t: Float64Array, v: Float64Array, from: number, now: number, excursionSeconds: number): CurrentTrend | null {
  const n = t.length;
  let i0 = 0;
  while (i0 < n && t[i0] < from) i0++;
  if (n - i0 < 8) return null;
  const span = now - t[i0];
  const buckets = Math.max(8, Math.min(48, Math.round((2 * span) / Math.max(excursionSeconds, 1))));
  const g = buildGrid(t.subarray(i0), v.subarray(i0), span / buckets, now);
  if (!g) return null;
  const x = new Float64Array(g.length);
  for (let k = 0; k < g.length; k++) x[k] = bucketTime(g, k);
  const slope = theilSenSlope(x, g.mean);
  const resid = new Float64Array(g.length);
  let mx = 0;
  for (let k = 0; k < g.length; k++) mx += x[k] / g.length;
  for (let k = 0; k < g.length; k++) resid[k] = g.mean[k] - slope * (x[k] - now);
  const level = median(resid);
  for (let k = 0; k < g.length; k++) resid[k] -= level;
  const scale = robustScale(resid) || Math.sqrt(resid.reduce((a, r) => a + r * r, 0) / Math.max(1, g.length - 2));
  let sxx = 0;
  for (let k = 0; k < g.length; k++) sxx += (x[k] - mx) ** 2;
  const slopeStdError = sxx > 0 && g.length > 2 ? scale / Math.sqrt(sxx) : Number.POSITIVE_INFINITY;
  const fit = fitRange(ps, i0, n);
  const piece: Piece = { fit: { ...fit, slope, slopeStdError }, from: t[i0], to: t[n - 1], start: i0 === 0 ? 'history' : 'kink', jumpBefore: 0, jumpAfter: 0 };
  const levelStdError = Math.sqrt((scale * scale) / g.length + (Number.isFinite(slopeStdError) ? (slopeStdError * (now - mx)) ** 2 : 0));
  return { slope, slopeStdError, level, levelStdError, residualScale: scale, used: [piece], skipped: [], previous: null };
}
