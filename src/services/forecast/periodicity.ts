import type { Grid } from './resample.ts';

/** A repeating pattern in the series: its period and how strongly the series repeats at it. */
export interface Periodicity {
  periodSeconds: number;
  /** Autocorrelation of the detrended series at the period (1: identical cycles). */
  strength: number;
}

/** Shortest period looked for, seconds (faster cycles are noise at a metric's sampling). */
const MIN_PERIOD = 20 * 60;

/** Autocorrelation at a lag in buckets, possibly fractional (the lagged series linearly interpolated). */
function autocorrelation(x: Float64Array, lag: number, denom: number): number {
  let s = 0;
  const n = x.length;
  const whole = Math.floor(lag);
  const f = lag - whole;
  const start = f > 0 ? whole + 1 : whole;
  if (f === 0) for (let i = whole; i < n; i++) s += x[i] * x[i - whole];
  else for (let i = start; i < n; i++) s += x[i] * (x[i - whole] * (1 - f) + x[i - whole - 1] * f);
  return s / denom / ((n - start) / n);
}

/** Best fractional lag near `lag` (within ±`reach` buckets, in tenths) and its autocorrelation. */
function refine(x: Float64Array, lag: number, reach: number, denom: number, minLag: number): { lag: number; acf: number } {
  let best = { lag, acf: autocorrelation(x, lag, denom) };
  // Coarse then fine steps around the best so far.
  for (const step of [Math.max(0.25, reach / 4), 0.05]) {
    const centre = best.lag;
    const span = step === 0.05 ? 0.25 : reach;
    for (let l = Math.max(minLag, centre - span); l <= centre + span + 1e-9; l += step) {
      const a = autocorrelation(x, l, denom);
      if (a > best.acf) best = { lag: l, acf: a };
    }
  }
  return best;
}

/**
 * Finds the period at which the series repeats (log rotation every hour, business days, OOM-kill
 * cycles, an oscillation inside a band): the autocorrelation of the linearly detrended bucket means,
 * on a geometric grid of lags, must peak (rise again after a dip) at a lag that fits at least
 * `minCycles` times into the history. Null when nothing repeats.
 */
export function detectPeriod(g: Grid, minCycles = 2.5): Periodicity | null {
  const n = g.length;
  const minLag = Math.max(3, Math.ceil(MIN_PERIOD / g.width));
  const maxLag = Math.floor(n / minCycles);
  if (maxLag < minLag + 2) return null;
  // Detrend: least squares line over the bucket means.
  let st = 0;
  let sv = 0;
  for (let i = 0; i < n; i++) {
    st += i;
    sv += g.mean[i];
  }
  const mt = st / n;
  const mv = sv / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (i - mt) ** 2;
    sxy += (i - mt) * (g.mean[i] - mv);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const x = new Float64Array(n);
  let denom = 0;
  for (let i = 0; i < n; i++) {
    x[i] = g.mean[i] - mv - slope * (i - mt);
    denom += x[i] * x[i];
  }
  if (!(denom > 0)) return null;
  const lags: number[] = [];
  for (let l = minLag; l <= maxLag; l = Math.max(l + 1, Math.round(l * 1.04))) lags.push(l);
  const acf = lags.map((l) => autocorrelation(x, l, denom));
  // Every peak of the coarse autocorrelation (after a dip), refined to a fractional lag: a sharp
  // sawtooth only repeats well at its exact period, which a bucket grid rarely hits.
  const coarse: { k: number; min: number }[] = [];
  let runningMin = Number.POSITIVE_INFINITY;
  for (let k = 0; k < lags.length; k++) {
    runningMin = Math.min(runningMin, acf[k]);
    const left = k > 0 ? acf[k - 1] : Number.POSITIVE_INFINITY;
    const right = k + 1 < lags.length ? acf[k + 1] : Number.NEGATIVE_INFINITY;
    if (!(acf[k] >= left && acf[k] >= right)) continue;
    if (acf[k] < 0.15 || runningMin > acf[k] - 0.2) continue;
    coarse.push({ k, min: runningMin });
  }
  // The few strongest coarse peaks (noise makes many tiny ones), in lag order.
  const chosen = coarse
    .sort((a, b) => acf[b.k] - acf[a.k])
    .slice(0, 5)
    .sort((a, b) => a.k - b.k);
  const peaks: { lag: number; acf: number }[] = [];
  for (const { k, min } of chosen) {
    const r = refine(x, lags[k], Math.max(1, lags[k] * 0.04), denom, minLag);
    if (r.acf >= 0.3 && min <= r.acf - 0.25) peaks.push(r);
  }
  if (peaks.length === 0) return null;
  // Multiples of the period peak too: the shortest lag that repeats about as well as the best.
  const strongest = Math.max(...peaks.map((p) => p.acf));
  const found = peaks.find((p) => p.acf >= strongest - 0.12) as { lag: number; acf: number };
  return { periodSeconds: found.lag * g.width, strength: found.acf };
}
