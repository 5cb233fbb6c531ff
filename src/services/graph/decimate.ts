import type { GraphPoint } from './spec.ts';

/** A chart point; `y: null` breaks the line at a gap in the data. */
export interface XY {
  x: number;
  y: number | null;
}

/**
 * Sorts, drops non-finite points, breaks the line at gaps, and reduces the series to at most
 * ~2 × `buckets` points by keeping each time bucket's minimum and maximum (peaks survive,
 * unlike plain sampling). A gap is a step `gapFactor` times longer than the steps on both sides
 * of it: Mackerel mixes granularities (30-minute points a week back, 1-minute points for the
 * last hours), so one global spacing would call the whole coarse part a gap.
 */
export function prepareSeries(series: readonly GraphPoint[], buckets: number, gapFactor = 5): XY[] {
  const pts = series.filter((p) => Number.isFinite(p.time) && Number.isFinite(p.value));
  pts.sort((a, b) => a.time - b.time);
  if (pts.length <= 2 * buckets) return withGaps(pts, gapFactor, 0);
  // Points of neighbouring buckets can lie up to two bucket widths apart: not a gap.
  const bucketWidth = (pts[pts.length - 1].time - pts[0].time) / buckets;
  return withGaps(minMaxBuckets(pts, buckets), gapFactor, 2.5 * bucketWidth);
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

function withGaps(pts: GraphPoint[], gapFactor: number, minGap: number): XY[] {
  const out: XY[] = [];
  const step = (i: number) => (i >= 1 && i < pts.length ? pts[i].time - pts[i - 1].time : undefined);
  for (let i = 0; i < pts.length; i++) {
    if (i > 0 && isGap(step(i)!, step(i - 1), step(i + 1), gapFactor, minGap)) out.push({ x: (pts[i].time + pts[i - 1].time) / 2, y: null });
    out.push({ x: pts[i].time, y: pts[i].value });
  }
  return out;
}

function isGap(step: number, before: number | undefined, after: number | undefined, gapFactor: number, minGap: number): boolean {
  if (step <= minGap || (before === undefined && after === undefined)) return false;
  return (before === undefined || step > gapFactor * before) && (after === undefined || step > gapFactor * after);
}
