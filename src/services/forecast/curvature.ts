import { bucketTime, buildGrid, type Grid } from './resample.ts';

const HOUR = 3600;

/**
 * A growth that curves: `value(t) = a + b·e^(k·(t − now)/1 h)`. With k > 0 and b > 0 the rate keeps
 * growing (a retry storm doubling its log rate every ln 2 / k hours); with k < 0 and b < 0 it
 * levels off toward `a` (a cache saturating below, or above, its cap).
 */
export interface CurveFit {
  a: number;
  b: number;
  /** Per hour. */
  k: number;
  now: number;
  from: number;
  /** Residual sums of squares of this fit and of a straight line on the same buckets. */
  rss: number;
  lineRss: number;
  buckets: number;
}

const MAX_BUCKETS = 240;
/** |k| per hour: from a doubling (or halving) time of 30 days to one of 20 minutes, log-spaced. */
const K_GRID: readonly number[] = (() => {
  const out: number[] = [];
  for (let x = Math.LN2 / (30 * 24); x <= Math.LN2 * 3; x *= 1.25) out.push(x, -x);
  return out;
})();

/** The value of the curve `tau` seconds after its `now`. */
export function curveAt(c: CurveFit, tau: number): number {
  return c.a + c.b * Math.exp((c.k * tau) / HOUR);
}

/** Current rate of change per second. */
export function curveRate(c: CurveFit): number {
  return (c.b * c.k) / HOUR;
}

function fitOn(g: Grid, lo: number, hi: number, now: number, from: number): CurveFit | null {
  const n = hi - lo;
  if (n < 8) return null;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = (bucketTime(g, lo + i) - now) / HOUR;
    y[i] = g.mean[lo + i];
  }
  let my = 0;
  for (let i = 0; i < n; i++) my += y[i] / n;
  let syy = 0;
  for (let i = 0; i < n; i++) syy += (y[i] - my) ** 2;
  // The straight line, for comparison.
  let mx = 0;
  for (let i = 0; i < n; i++) mx += x[i] / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const lineRss = sxx > 0 ? Math.max(0, syy - (sxy * sxy) / sxx) : syy;
  let best: CurveFit | null = null;
  const e = new Float64Array(n);
  for (const k of K_GRID) {
    let me = 0;
    for (let i = 0; i < n; i++) {
      e[i] = Math.exp(k * x[i]);
      me += e[i] / n;
    }
    let see = 0;
    let sey = 0;
    for (let i = 0; i < n; i++) {
      see += (e[i] - me) ** 2;
      sey += (e[i] - me) * (y[i] - my);
    }
    if (!(see > 0)) continue;
    const b = sey / see;
    const rss = Math.max(0, syy - (sey * sey) / see);
    if (!best || rss < best.rss) best = { a: my - b * me, b, k, now, from, rss, lineRss, buckets: n };
  }
  return best;
}

/**
 * Fits the curve to the series from `from` to `now` (bucket means, at most 240 buckets), and
 * backtests it: fitted on the first five sixths (and eleven twelfths), how far off is it after, beside
 * a straight line fitted on the last third of the same part. Null unless the curve explains the data clearly
 * better than a line (F > 20) and its backtests' squared errors are under 70% of the line's.
 */
export function fitCurve(t: Float64Array, v: Float64Array, from: number, now: number, typicalStep: number): CurveFit | null {
  let i0 = 0;
  while (i0 < t.length && t[i0] < from) i0++;
  if (t.length - i0 < 12) return null;
  const span = now - t[i0];
  const g = buildGrid(t.subarray(i0), v.subarray(i0), Math.max(typicalStep, span / MAX_BUCKETS), now);
  if (!g || g.length < 12) return null;
  const fit = fitOn(g, 0, g.length, now, t[i0]);
  if (!fit || !(fit.rss > 0 || fit.lineRss > 0)) return null;
  const f = (fit.lineRss - fit.rss) / Math.max(fit.rss / Math.max(1, fit.buckets - 3), 1e-300);
  if (!(f > 20)) return null;
  // Backtests from five sixths and eleven twelfths of the window, against a line on the stretch before each.
  let curveErr = 0;
  let lineErr = 0;
  for (const share of [5 / 6, 11 / 12]) {
    const cut = Math.floor(share * g.length);
    const origin = bucketTime(g, cut - 1);
    const early = fitOn(g, 0, cut, origin, t[i0]);
    if (!early) return null;
    const third = Math.max(4, Math.floor(cut / 3));
    let mx = 0;
    let my = 0;
    for (let k = cut - third; k < cut; k++) {
      mx += bucketTime(g, k) / third;
      my += g.mean[k] / third;
    }
    let sxx = 0;
    let sxy = 0;
    for (let k = cut - third; k < cut; k++) {
      sxx += (bucketTime(g, k) - mx) ** 2;
      sxy += (bucketTime(g, k) - mx) * (g.mean[k] - my);
    }
    const slope = sxx > 0 ? sxy / sxx : 0;
    for (let k = cut; k < g.length; k++) {
      const time = bucketTime(g, k);
      curveErr += (curveAt(early, time - origin) - g.mean[k]) ** 2;
      lineErr += (my + slope * (time - mx) - g.mean[k]) ** 2;
    }
  }
  if (!(curveErr < 0.7 * lineErr)) return null;
  return fit;
}

/** Seconds until the curve reaches `limit`; null when it never does within `horizon`. */
export function curveTimeToLimit(c: CurveFit, limit: number, horizon: number): number | null {
  const level = c.a + c.b;
  if (level >= limit) return 0;
  // Growing toward the limit: rising faster and faster (k, b > 0), or levelling off above it (k, b < 0).
  if (!((c.k > 0 && c.b > 0) || (c.k < 0 && c.b < 0 && c.a > limit))) return null;
  const ratio = (limit - c.a) / c.b;
  if (!(ratio > 0)) return null;
  const tau = (Math.log(ratio) / c.k) * HOUR;
  return tau >= 0 && tau <= horizon ? tau : null;
}
