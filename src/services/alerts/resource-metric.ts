import type { MetricPoint } from '../forecast/index.ts';

/**
 * Which metrics describe the resource an alert is about, for a time-to-limit forecast.
 * `percent`: the monitor watches used/size in percent (`disk%`, `memory%`), so the forecast runs on
 * the ratio with limit 100. `absolute`: the monitor watches the used metric itself
 * (`filesystem.xvda1.used`, `custom.pool.used`), so the limit is the latest size.
 */
export interface ResourcePair {
  used: string;
  size: string;
  /** What the resource is: handlers word `memory` in the team's language and show the others' label. */
  kind: 'filesystem' | 'memory' | 'other';
  /** Short name from the metric: `/dev/xvda1`, `memory`, `custom.pool`. */
  label: string;
  mode: 'percent' | 'absolute';
}

const FS_USED = /^filesystem\.(.+)\.used$/;

function nameOf(used: string): Pick<ResourcePair, 'kind' | 'label'> {
  const fs = FS_USED.exec(used);
  if (fs) return { kind: 'filesystem', label: `/dev/${fs[1]}` };
  const label = used.replace(/\.used$/, '');
  return { kind: label === 'memory' ? 'memory' : 'other', label };
}

/**
 * The used/size pairs a monitor's metric points at, given the host's metric names.
 * `disk%` yields every filesystem (the caller picks the fullest); an empty list means the alert is
 * not about a resource with a limit (CPU, load, connectivity…).
 */
export function resourceCandidates(metric: string | undefined, names: readonly string[]): ResourcePair[] {
  if (!metric) return [];
  const have = new Set(names);
  if (metric === 'disk%') {
    return names
      .filter((n) => FS_USED.test(n))
      .map((used) => ({ used, size: used.replace(/\.used$/, '.size') }))
      .filter((p) => have.has(p.size))
      .sort((a, b) => a.used.localeCompare(b.used))
      .map((p) => ({ ...p, ...nameOf(p.used), mode: 'percent' as const }));
  }
  if (metric === 'memory%') {
    return have.has('memory.used') && have.has('memory.total') ? [{ used: 'memory.used', size: 'memory.total', kind: 'memory', label: 'memory', mode: 'percent' }] : [];
  }
  if (metric.endsWith('.used') && have.has(metric)) {
    const base = metric.slice(0, -'.used'.length);
    const size = [`${base}.size`, `${base}.total`].find((n) => have.has(n));
    if (size) return [{ used: metric, size, ...nameOf(metric), mode: 'absolute' }];
    if (base === 'memory' && have.has('memory.total')) return [{ used: metric, size: 'memory.total', kind: 'memory', label: 'memory', mode: 'absolute' }];
  }
  return [];
}

/** Index of the pair whose latest used/size ratio is highest (the fullest filesystem); -1 when none is known. */
export function pickFullest(latest: readonly { used: number | null; size: number | null }[]): number {
  let best = -1;
  let bestRatio = -Infinity;
  latest.forEach((l, i) => {
    if (l.used === null || l.size === null || !(l.size > 0)) return;
    const ratio = l.used / l.size;
    if (ratio > bestRatio) {
      bestRatio = ratio;
      best = i;
    }
  });
  return best;
}

/**
 * used/size × 100 at each `used` time, with the size taken from the same time or the latest size
 * before it (sizes change rarely and may be sampled differently).
 */
export function percentSeries(used: readonly MetricPoint[], size: readonly MetricPoint[]): MetricPoint[] {
  const sizes = [...size].filter((p) => Number.isFinite(p.value) && p.value > 0).sort((a, b) => a.time - b.time);
  if (sizes.length === 0) return [];
  const out: MetricPoint[] = [];
  let j = 0;
  for (const p of [...used].sort((a, b) => a.time - b.time)) {
    while (j + 1 < sizes.length && sizes[j + 1]!.time <= p.time) j++;
    const s = sizes[j]!;
    if (Number.isFinite(p.value)) out.push({ time: p.time, value: (p.value / s.value) * 100 });
  }
  return out;
}

/** The newest finite value, or null. */
export function latestValue(points: readonly MetricPoint[]): number | null {
  let best: MetricPoint | null = null;
  for (const p of points) if (Number.isFinite(p.value) && (!best || p.time > best.time)) best = p;
  return best ? best.value : null;
}
