import { lineAt } from './line-fit.ts';
import { median } from './robust-stats.ts';
import type { Piece } from './segment-regimes.ts';

/** Recurring cleanups (log rotation, image GC, a nightly job deleting its output): a sawtooth. */
export interface CleanupCycles {
  /** Times of the cleanups (first point after each drop). */
  times: number[];
  periodSeconds: number;
  regular: boolean;
  /** Level just before each cleanup and just after it. */
  peaks: number[];
  troughs: number[];
  /** Shared-slope line through the peaks (and the troughs, with their own level): net growth per second. */
  netSlope: number;
  netSlopeStdError: number;
  /** Peak line: peakAt(t) = peakIntercept + netSlope * (t - peakT0). */
  peakIntercept: number;
  peakT0: number;
  /** Pooled slope of the growth inside cycles, per second, and its standard error. */
  inCycleSlope: number;
  inCycleSlopeStdError: number;
  /** Standard deviation of the peaks around the peak line (how exactly the cycles top out). */
  peakScatter: number;
  /** Slope of the climb right after each cleanup (the first piece after it), per second. */
  climbSlopes: number[];
}

const MIN_CLEANUPS = 3;
/** Two cleanups are enough when both start from the same level (a GC high watermark). */
const MIN_CAPPED_CLEANUPS = 2;

/** Slope shared by two series over the same x with separate intercepts, and its standard error. */
function sharedSlope(x: number[], ys: number[][]): { slope: number; se: number; means: number[]; meanX: number; scatter: number[] } {
  const n = x.length;
  const meanX = x.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  for (const xi of x) sxx += (xi - meanX) ** 2;
  let sxy = 0;
  const means = ys.map((y) => y.reduce((a, b) => a + b, 0) / n);
  ys.forEach((y, k) => y.forEach((yi, i) => (sxy += (x[i] - meanX) * (yi - means[k]))));
  const slope = sxx > 0 ? sxy / (ys.length * sxx) : 0;
  let rss = 0;
  const scatter = ys.map((y, k) => {
    let r = 0;
    y.forEach((yi, i) => (r += (yi - means[k] - slope * (x[i] - meanX)) ** 2));
    rss += r;
    return n > 2 ? Math.sqrt(r / (n - 2)) : 0;
  });
  const dof = n * ys.length - ys.length - 1;
  const se = sxx > 0 && dof > 0 ? Math.sqrt(rss / dof / (ys.length * sxx)) : Number.POSITIVE_INFINITY;
  return { slope, se, means, meanX, scatter };
}

/**
 * Recognises a sawtooth: at least three drops, each undoing a good part of the growth since the
 * one before, with growth (not noise) in between, and still going on. Returns null otherwise.
 */
export function detectCleanups(pieces: readonly Piece[], now: number, v: Float64Array | null = null): CleanupCycles | null {
  const drops: number[] = [];
  for (let i = 0; i + 1 < pieces.length; i++) if (pieces[i].jumpAfter < 0) drops.push(i);
  if (drops.length < MIN_CAPPED_CLEANUPS) return null;
  const ups = pieces.filter((p) => p.jumpBefore > 0).length;
  if (ups > drops.length / 2) return null; // jumps both ways: noise or steps, not cleanups

  const times: number[] = [];
  const peaks: number[] = [];
  const troughs: number[] = [];
  for (const i of drops) {
    const before = pieces[i];
    const after = pieces[i + 1];
    times.push(after.from);
    // The line's end, or the last points when they sit higher (a plateau at a cap the line rounds off).
    const end = lineAt(before.fit, before.fit.slope, before.to);
    const i1 = before.fit.i1;
    peaks.push(v && i1 - before.fit.i0 >= 3 ? Math.max(end, median(v.subarray(i1 - 3, i1))) : end);
    troughs.push(lineAt(after.fit, after.fit.slope, after.from));
  }
  const intervals = times.slice(1).map((t, k) => t - times[k]);
  const periodSeconds = median(intervals);
  if (now - times[times.length - 1] > 2 * periodSeconds) return null; // it stopped

  // Growth between cleanups: pooled over the pieces after the first cleanup.
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let count = 0;
  let groups = 0;
  for (let i = drops[0] + 1; i < pieces.length; i++) {
    const f = pieces[i].fit;
    if (f.count < 3) continue;
    sxx += f.sxx;
    sxy += f.sxy;
    syy += f.syy;
    count += f.count;
    groups++;
  }
  const dof = count - groups - 1;
  if (sxx <= 0 || dof <= 0) return null;
  const inCycleSlope = sxy / sxx / 3600;
  const inCycleSlopeStdError = Math.sqrt(Math.max(0, syy - (sxy * sxy) / sxx) / dof / sxx) / 3600;
  if (!(inCycleSlope > 3 * inCycleSlopeStdError)) return null;
  // Each drop must undo a real part of the growth before it, or these are not cleanups.
  const meaningful = drops.filter((i, k) => -pieces[i].jumpAfter >= 0.3 * inCycleSlope * (k > 0 ? times[k] - times[k - 1] : periodSeconds));
  if (meaningful.length < drops.length * 0.75) return null;
  if (drops.length < MIN_CLEANUPS) {
    // Two drops: cleanups only when both started from the same level and removed most of the climb.
    const size = drops.map((i) => -pieces[i].jumpAfter);
    const meanSize = (size[0] + size[1]) / 2;
    if (Math.abs(peaks[0] - peaks[1]) > 0.1 * meanSize || Math.abs(troughs[0] - troughs[1]) > 0.25 * meanSize) return null;
  }

  const fit = sharedSlope(times, [peaks, troughs]);
  const regular = intervals.every((d) => Math.abs(d - periodSeconds) <= 0.1 * periodSeconds);
  return {
    times,
    periodSeconds,
    regular,
    peaks,
    troughs,
    netSlope: fit.slope,
    netSlopeStdError: fit.se,
    peakIntercept: fit.means[0],
    peakT0: fit.meanX,
    inCycleSlope,
    inCycleSlopeStdError,
    peakScatter: fit.scatter[0],
    climbSlopes: drops
      .filter((i) => i + 1 < pieces.length - 1)
      .map((i) => pieces[i + 1])
      .filter((p) => p.fit.count >= 3)
      .map((p) => p.fit.slope),
  };
}
