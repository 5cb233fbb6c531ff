/**
 * A uniform grid of bucket means over the cleaned series: the coarse view the model selection,
 * period detection and backtests work on (a week at one point a minute becomes about a thousand
 * buckets). Empty buckets are filled by linear interpolation and flagged.
 */
export interface Grid {
  /** Start time of bucket 0 and bucket width, seconds. Bucket k covers [t0 + k*width, t0 + (k+1)*width). */
  t0: number;
  width: number;
  /** Bucket means (gaps interpolated), maxima and minima (gaps: the interpolated mean). */
  mean: Float64Array;
  max: Float64Array;
  min: Float64Array;
  /** Points in each bucket (0: interpolated). */
  count: Uint32Array;
  length: number;
}

const MAX_BUCKETS = 2000;

/** Representative time of bucket k (its centre). */
export function bucketTime(g: Grid, k: number): number {
  return g.t0 + (k + 0.5) * g.width;
}

/** The grid's mean curve at time `time`, by linear interpolation between bucket centres (clamped at the ends). */
export function gridAt(g: Grid, time: number): number {
  const x = (time - g.t0) / g.width - 0.5;
  if (!(x > 0)) return g.mean[0];
  if (x >= g.length - 1) return g.mean[g.length - 1];
  const k = Math.floor(x);
  const f = x - k;
  return g.mean[k] * (1 - f) + g.mean[k + 1] * f;
}

/** Buckets of at least the typical sampling step, at most {@link MAX_BUCKETS} of them, ending at `end`. */
export function buildGrid(t: Float64Array, v: Float64Array, typicalStep: number, end: number): Grid | null {
  const n = t.length;
  if (n < 2) return null;
  const span = end - t[0];
  const width = Math.max(typicalStep, span / MAX_BUCKETS, 1);
  const length = Math.max(1, Math.ceil(span / width + 1e-9));
  const t0 = end - length * width;
  const sum = new Float64Array(length);
  const max = new Float64Array(length).fill(Number.NEGATIVE_INFINITY);
  const min = new Float64Array(length).fill(Number.POSITIVE_INFINITY);
  const count = new Uint32Array(length);
  for (let i = 0; i < n; i++) {
    let k = Math.floor((t[i] - t0) / width);
    if (k < 0) k = 0;
    if (k >= length) k = length - 1;
    sum[k] += v[i];
    count[k]++;
    if (v[i] > max[k]) max[k] = v[i];
    if (v[i] < min[k]) min[k] = v[i];
  }
  const mean = new Float64Array(length);
  let prev = -1;
  for (let k = 0; k < length; k++) {
    if (count[k] === 0) continue;
    mean[k] = sum[k] / count[k];
    if (prev < 0) {
      for (let j = 0; j < k; j++) mean[j] = mean[k];
    } else if (k - prev > 1) {
      for (let j = prev + 1; j < k; j++) mean[j] = mean[prev] + ((mean[k] - mean[prev]) * (j - prev)) / (k - prev);
    }
    prev = k;
  }
  for (let j = prev + 1; j < length; j++) mean[j] = mean[prev];
  for (let k = 0; k < length; k++) {
    if (count[k] === 0) {
      max[k] = mean[k];
      min[k] = mean[k];
    }
  }
  return { t0, width, mean, max, min, count, length };
}
