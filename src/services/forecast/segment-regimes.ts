import type { Jump } from './detect-jumps.ts';
import { fitRange, rangeRss, type LineFit, type PrefixSums } from './line-fit.ts';

/** A stretch of the series that one straight line describes. */
export interface Piece {
  fit: LineFit;
  /** Times of the first and last point. */
  from: number;
  to: number;
  /** What begins the piece: the start of the history, a jump, or a change of slope. */
  start: 'history' | 'jump' | 'kink';
  /** Level change at the start (jumps only). */
  jumpBefore: number;
  /** Level change at the end (negative: a drop, e.g. a delete or rotation); 0 when none. */
  jumpAfter: number;
}

const MIN_POINTS = 4;

/**
 * Binary segmentation with a BIC-style stopping rule: a stretch is split where two lines explain
 * it best, as long as the improvement beats `penalty * ln(n)`. Returns split indices in order.
 */
function splitStretch(ps: PrefixSums, t: Float64Array, a: number, b: number, minSeconds: number, out: number[], budget: { left: number }, endSeconds = minSeconds): void {
  const n = b - a;
  if (n < 2 * MIN_POINTS || budget.left <= 0) return;
  const whole = rangeRss(ps, a, b);
  const scale = ps.svv[b] - ps.svv[a];
  if (!(whole > 1e-18 * Math.max(scale, 1e-300))) return;
  let best = -1;
  let bestRss = whole;
  for (let k = a + MIN_POINTS; k <= b - MIN_POINTS; k++) {
    // The newest stretch may be shorter: a burst that ended minutes ago must not straddle the present.
    if (t[k - 1] - t[a] < minSeconds || t[b - 1] - t[k] < (b === t.length ? endSeconds : minSeconds)) continue;
    const rss = rangeRss(ps, a, k) + rangeRss(ps, k, b);
    if (rss < bestRss) {
      bestRss = rss;
      best = k;
    }
  }
  if (best < 0) return;
  const floor = whole * 1e-9;
  const gain = n * Math.log(whole / Math.max(bestRss, floor));
  if (gain <= 3 * Math.log(n) + 6) return;
  budget.left--;
  splitStretch(ps, t, a, best, minSeconds, out, budget);
  out.push(best);
  splitStretch(ps, t, best, b, minSeconds, out, budget, endSeconds);
}

/**
 * Cuts the series into pieces: at every jump, and inside the stretches between jumps wherever the
 * slope changes significantly (a new trend, a writer that started or stopped).
 */
export function segmentRegimes(ps: PrefixSums, t: Float64Array, jumps: readonly Jump[], typicalStep: number): Piece[] {
  const n = t.length;
  const bounds: { index: number; kind: 'jump' | 'kink'; size: number }[] = [];
  const stretchStarts = [0, ...jumps.map((j) => j.index), n];
  const budget = { left: 60 };
  const minSeconds = Math.max(600, 2 * typicalStep);
  // The newest points may be sampled finer than the history (Mackerel keeps minutes for hours only).
  const recentSteps = Array.from({ length: Math.min(10, n - 1) }, (_, i) => t[n - 1 - i] - t[n - 2 - i]).sort((a, b) => a - b);
  const endSeconds = Math.max(240, 3 * (recentSteps[recentSteps.length >> 1] ?? typicalStep));
  for (let s = 0; s + 1 < stretchStarts.length; s++) {
    const a = stretchStarts[s];
    const b = stretchStarts[s + 1];
    if (s > 0) bounds.push({ index: a, kind: 'jump', size: jumps[s - 1].size });
    const kinks: number[] = [];
    splitStretch(ps, t, a, b, minSeconds, kinks, budget, endSeconds);
    for (const k of kinks) bounds.push({ index: k, kind: 'kink', size: 0 });
  }
  // The newest piece once more, without the minimum duration on its older side: a burst that ended
  // minutes ago leaves a short calm tail that must not be averaged with the burst.
  const lastStart = bounds.length > 0 ? bounds[bounds.length - 1].index : 0;
  const tail: number[] = [];
  splitStretch(ps, t, lastStart, n, 0, tail, { left: 1 }, endSeconds);
  for (const k of tail) bounds.push({ index: k, kind: 'kink', size: 0 });
  const pieces: Piece[] = [];
  let start = 0;
  let startKind: Piece['start'] = 'history';
  let jumpBefore = 0;
  for (const bound of [...bounds, { index: n, kind: 'kink' as const, size: 0 }]) {
    if (bound.index > start) {
      pieces.push({ fit: fitRange(ps, start, bound.index), from: t[start], to: t[bound.index - 1], start: startKind, jumpBefore, jumpAfter: bound.kind === 'jump' ? bound.size : 0 });
    } else if (pieces.length > 0 && bound.kind === 'jump') {
      pieces[pieces.length - 1].jumpAfter += bound.size;
    }
    start = bound.index;
    startKind = bound.kind;
    jumpBefore = bound.kind === 'jump' ? bound.size : 0;
  }
  return pieces;
}
