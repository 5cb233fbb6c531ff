import type { GraphPoint } from './spec.ts';

/** A chart point; `y: null` breaks the line at a gap in the data. */
export interface XY {
  x: number;
  y: number | null;
}

/**
 * Sorts, drops non-finite points, breaks the line at gaps longer than `gapFactor` × the median
 * spacing, and reduces the series to at most ~2 × `buckets` points by keeping each time bucket's
 * minimum and maximum (peaks survive, unlike plain sampling).
 */
export function prepareSeries(series: readonly GraphPoint[], buckets: number, gapFactor = 5): XY[] {
  const pts = series.filter((p) => Number.isFinite(p.time) && Number.isFinite(p.value));
  pts.sort((a, b) => a.time - b.time);
  if (pts.length <= 2 * buckets) return withGaps(pts, medianStep(pts) * gapFactor);
  // Points of neighbouring buckets can lie up to two bucket widths apart: not a gap.
  const bucketWidth = (pts[pts.length - 1].time - pts[0].time) / buckets;
  return withGaps(minMaxBuckets(pts, buckets), Math.max(medianStep(pts) * gapFactor, 2.5 * bucketWidth));
}

function minMaxBuckets(pts: GraphPoint[], buckets: number): GraphPoint[] {
  const t0 = pts[0].time;
  const span = pts[pts.length - 1].time - t0 || 1;
  const out: GraphPoint[] = [];
  let i = 0;
  for (let b = 0; b < buckets && i < pts.length; b++) {
    const end = t0 + (span * (b + 1)) / buckets;
    let min: GraphPoint | null = null;
    let max: GraphPoint | null = null;
    for (; i < pts.length && (pts[i].time <= end || b === buckets - 1); i++) {
      const p = pts[i];
      if (!min || p.value < min.value) min = p;
      if (!max || p.value > max.value) max = p;
    }
    if (min && max) {
      if (min === max) out.push(min);
      else if (min.time <= max.time) out.push(min, max);
      else out.push(max, min);
    }
  }
  return out;
}

function medianStep(pts: GraphPoint[]): number {
  if (pts.length < 3) return Number.POSITIVE_INFINITY;
  const steps: number[] = [];
  for (let i = 1; i < pts.length; i++) steps.push(pts[i].time - pts[i - 1].time);
  steps.sort((a, b) => a - b);
  return steps[steps.length >> 1] || Number.POSITIVE_INFINITY;
}

function withGaps(pts: GraphPoint[], maxStep: number): XY[] {
  const out: XY[] = [];
  for (let i = 0; i < pts.length; i++) {
    if (i > 0 && pts[i].time - pts[i - 1].time > maxStep) out.push({ x: (pts[i].time + pts[i - 1].time) / 2, y: null });
    out.push({ x: pts[i].time, y: pts[i].value });
  }
  return out;
}
