import { median, robustScale } from './robust-stats.ts';

/** A sudden level change between two consecutive points. */
export interface Jump {
  /** Index of the first point after the jump. */
  index: number;
  time: number;
  /** Level change beyond what the local trend explains (negative for drops). */
  size: number;
}

export interface JumpAnalysis {
  jumps: Jump[];
  /** Indices of single points that jump away and straight back (measurement glitches). */
  outliers: number[];
  /** Robust scale of the point-to-point changes left after the local trend. */
  diffNoise: number;
}

const NEIGHBOURS = 5;
const JUMP_SIGMAS = 7;

/** Median of the local rates around change `i` (excluding it). */
function localRate(rates: Float64Array, i: number, buf: Float64Array): number {
  const m = medianRate(rates, i - NEIGHBOURS, i + NEIGHBOURS, buf, i);
  return Number.isNaN(m) ? 0 : m;
}

/** Median of `rates[lo..hi]` (inclusive, without index `skip`; NaN when empty), by insertion into a tiny buffer. */
function medianRate(rates: Float64Array, lo: number, hi: number, buf: Float64Array, skip = -1): number {
  let m = 0;
  for (let j = Math.max(0, lo); j <= Math.min(rates.length - 1, hi); j++) {
    if (j === skip) continue;
    const x = rates[j];
    let k = m++;
    while (k > 0 && buf[k - 1] > x) {
      buf[k] = buf[k - 1];
      k--;
    }
    buf[k] = x;
  }
  if (m === 0) return Number.NaN;
  return m % 2 === 1 ? buf[m >> 1] : (buf[(m >> 1) - 1] + buf[m >> 1]) / 2;
}

/**
 * The change not explained by the local rate on either side: a real step stands out against both
 * sides' rates; the first change of a steep climb (a writer that just started) matches one of them
 * (or lies between them) and is 0 here. One side missing (the series' ends): the other decides.
 */
function sidedExcess(change: number, dt: number, left: number, right: number): number {
  const eL = Number.isNaN(left) ? Number.NaN : change - left * dt;
  const eR = Number.isNaN(right) ? Number.NaN : change - right * dt;
  if (Number.isNaN(eL)) return Number.isNaN(eR) ? change : eR;
  if (Number.isNaN(eR)) return eL;
  if (Math.sign(eL) !== Math.sign(eR)) return 0;
  return Math.abs(eL) < Math.abs(eR) ? eL : eR;
}

/**
 * Finds jumps (changes far larger than the noise and than the local trend explains) and isolated
 * outliers (a jump immediately undone). A steep but steady climb is not a jump: its neighbours
 * climb as fast.
 */
export function detectJumps(t: Float64Array, v: Float64Array): JumpAnalysis {
  const n = t.length;
  if (n < 4) return { jumps: [], outliers: [], diffNoise: 0 };
  const rates = new Float64Array(n - 1);
  for (let i = 0; i < n - 1; i++) rates[i] = (v[i + 1] - v[i]) / (t[i + 1] - t[i]);
  // `excess` (against the median rate of both sides) sets the noise scale and flags candidates;
  // the one-sided check (computed for candidates only) decides.
  const excess = new Float64Array(n - 1);
  const buf = new Float64Array(2 * NEIGHBOURS + 1);
  for (let i = 0; i < n - 1; i++) {
    excess[i] = v[i + 1] - v[i] - localRate(rates, i, buf) * (t[i + 1] - t[i]);
  }
  const sided = (i: number): number => sidedExcess(v[i + 1] - v[i], t[i + 1] - t[i], medianRate(rates, i - NEIGHBOURS, i - 1, buf), medianRate(rates, i + 1, i + NEIGHBOURS, buf));
  let diffNoise = robustScale(excess);
  const level = Math.abs(median(v));
  // Noise-free data (synthetic, or a counter that moves in big quanta) must not make every wiggle a jump.
  const floor = 1e-7 * level + 1e-12;
  if (!(diffNoise > floor)) diffNoise = floor;
  const threshold = JUMP_SIGMAS * diffNoise;

  const outliers: number[] = [];
  const jumps: Jump[] = [];
  for (let i = 0; i < n - 1; i++) {
    if (Math.abs(excess[i]) <= threshold) continue;
    const e = sided(i);
    if (Math.abs(e) <= threshold) continue;
    const next = i + 1 < n - 1 && Math.abs(excess[i + 1]) > threshold ? sided(i + 1) : 0;
    const undone = Math.abs(next) > threshold && Math.sign(next) !== Math.sign(e) && Math.abs(e + next) < 0.5 * Math.max(Math.abs(e), Math.abs(next));
    if (undone) {
      outliers.push(i + 1);
      i++; // the return jump belongs to the same outlier
      continue;
    }
    jumps.push({ index: i + 1, time: t[i + 1], size: e });
  }
  const kept = withoutRamps(jumps);
  return { jumps: kept, outliers: withTransitions(kept, outliers), diffNoise };
}

/**
 * A jump followed within two points by another (a process killed and restarting through a low
 * sample or two, a rotation caught mid-way) is one change: the one or two points in between are
 * transitional, like a glitch, and are dropped so that the change is seen as one jump.
 */
function withTransitions(jumps: readonly Jump[], outliers: number[]): number[] {
  const extra: number[] = [];
  for (let k = 0; k + 1 < jumps.length; k++) {
    // A chain of jumps, each within two points of the one before.
    let j = k;
    while (j + 1 < jumps.length && jumps[j + 1].index - jumps[j].index <= 2) j++;
    for (let i = jumps[k].index; i < jumps[j].index; i++) extra.push(i);
    k = j;
  }
  if (extra.length === 0) return outliers;
  return [...new Set([...outliers, ...extra])].sort((a, b) => a - b);
}

/**
 * Three or more same-direction jumps in a row are a steep climb (a runaway writer seen against a
 * calm past), not steps: the local-trend check is one-sided at the end of the series.
 */
function withoutRamps(jumps: Jump[]): Jump[] {
  const keep: Jump[] = [];
  let i = 0;
  while (i < jumps.length) {
    let j = i + 1;
    while (j < jumps.length && jumps[j].index === jumps[j - 1].index + 1 && Math.sign(jumps[j].size) === Math.sign(jumps[i].size)) j++;
    if (j - i < 3) for (let k = i; k < j; k++) keep.push(jumps[k]);
    i = j;
  }
  return keep;
}

/** The series without the given indices. */
export function withoutIndices(t: Float64Array, v: Float64Array, drop: readonly number[]): { t: Float64Array; v: Float64Array } {
  if (drop.length === 0) return { t, v };
  const skip = new Set(drop);
  const nt = new Float64Array(t.length - skip.size);
  const nv = new Float64Array(t.length - skip.size);
  let k = 0;
  for (let i = 0; i < t.length; i++) {
    if (skip.has(i)) continue;
    nt[k] = t[i];
    nv[k] = v[i];
    k++;
  }
  return { t: nt, v: nv };
}
