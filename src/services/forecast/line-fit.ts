/**
 * Least-squares lines over index ranges in O(1) each, from prefix sums. Times are shifted to
 * hours from a reference and values shifted by a reference so that the sums keep their precision
 * (epoch seconds squared and byte counts squared would not).
 */
export interface PrefixSums {
  tRef: number;
  vRef: number;
  n: Float64Array;
  st: Float64Array;
  sv: Float64Array;
  stt: Float64Array;
  stv: Float64Array;
  svv: Float64Array;
}

/** A least-squares line over points [i0, i1). Slope is per second; `meanT`/`meanV` in original units. */
export interface LineFit {
  i0: number;
  i1: number;
  count: number;
  slope: number;
  meanT: number;
  meanV: number;
  /** Centered sums in scaled units (hours, value - vRef): used for pooling slopes across pieces. */
  sxx: number;
  sxy: number;
  syy: number;
  /** Residual sum of squares (value units squared). */
  rss: number;
  /** Standard error of the slope (per second); Infinity when it cannot be estimated. */
  slopeStdError: number;
}

const HOUR = 3600;

export function buildPrefixSums(t: Float64Array, v: Float64Array, tRef: number, vRef: number): PrefixSums {
  const len = t.length + 1;
  const ps: PrefixSums = {
    tRef,
    vRef,
    n: new Float64Array(len),
    st: new Float64Array(len),
    sv: new Float64Array(len),
    stt: new Float64Array(len),
    stv: new Float64Array(len),
    svv: new Float64Array(len),
  };
  for (let i = 0; i < t.length; i++) {
    const x = (t[i] - tRef) / HOUR;
    const y = v[i] - vRef;
    ps.n[i + 1] = ps.n[i] + 1;
    ps.st[i + 1] = ps.st[i] + x;
    ps.sv[i + 1] = ps.sv[i] + y;
    ps.stt[i + 1] = ps.stt[i] + x * x;
    ps.stv[i + 1] = ps.stv[i] + x * y;
    ps.svv[i + 1] = ps.svv[i] + y * y;
  }
  return ps;
}

/** Residual sum of squares of the best line over [i0, i1); cheap, for segmentation searches. */
export function rangeRss(ps: PrefixSums, i0: number, i1: number): number {
  const n = i1 - i0;
  if (n < 3) return 0;
  const st = ps.st[i1] - ps.st[i0];
  const sv = ps.sv[i1] - ps.sv[i0];
  const sxx = ps.stt[i1] - ps.stt[i0] - (st * st) / n;
  const sxy = ps.stv[i1] - ps.stv[i0] - (st * sv) / n;
  const syy = ps.svv[i1] - ps.svv[i0] - (sv * sv) / n;
  const rss = sxx > 0 ? syy - (sxy * sxy) / sxx : syy;
  return rss > 0 ? rss : 0;
}

export function fitRange(ps: PrefixSums, i0: number, i1: number): LineFit {
  const n = i1 - i0;
  const st = ps.st[i1] - ps.st[i0];
  const sv = ps.sv[i1] - ps.sv[i0];
  const sxx = Math.max(0, ps.stt[i1] - ps.stt[i0] - (st * st) / n);
  const sxy = ps.stv[i1] - ps.stv[i0] - (st * sv) / n;
  const syy = Math.max(0, ps.svv[i1] - ps.svv[i0] - (sv * sv) / n);
  const slopePerHour = sxx > 0 ? sxy / sxx : 0;
  const rss = Math.max(0, sxx > 0 ? syy - slopePerHour * sxy : syy);
  const se = n > 2 && sxx > 0 ? Math.sqrt(rss / (n - 2) / sxx) / HOUR : Number.POSITIVE_INFINITY;
  return {
    i0,
    i1,
    count: n,
    slope: slopePerHour / HOUR,
    meanT: ps.tRef + (st / n) * HOUR,
    meanV: ps.vRef + sv / n,
    sxx,
    sxy,
    syy,
    rss,
    slopeStdError: se,
  };
}

/** Value of a fitted line at time `time`. */
export function lineAt(fit: { meanT: number; meanV: number }, slope: number, time: number): number {
  return fit.meanV + slope * (time - fit.meanT);
}
