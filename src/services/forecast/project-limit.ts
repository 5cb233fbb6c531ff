/** Seconds until a straight line from `level` at `slope` reaches `limit`; null if not within `horizon`. */
export function linearTimeToLimit(level: number, slope: number, limit: number, horizon: number): number | null {
  if (level >= limit) return 0;
  if (!(slope > 0)) return null;
  const seconds = (limit - level) / slope;
  return seconds <= horizon ? seconds : null;
}

/** The sawtooth going forward: the current cycle, then cycles whose peaks follow the peak line. */
export interface SawtoothProjection {
  now: number;
  level: number;
  /** Rate in the current cycle, per second. */
  currentRate: number;
  /** Rate inside future cycles, per second. */
  inCycleRate: number;
  nextCleanup: number;
  periodSeconds: number;
  /** Peak at time t: peakIntercept + netSlope * (t - peakT0). */
  peakIntercept: number;
  peakT0: number;
  netSlope: number;
  /**
   * Whether the current cycle tops out at the peak line like the earlier ones (true unless the
   * current climb is faster than any usual one): then it reaches the limit only when its peak does.
   */
  boundByPeak: boolean;
  /** Peaks within this of the limit count as reaching it (a cgroup cap at the limit itself). */
  peakTolerance: number;
}

/**
 * First time the sawtooth reaches `limit`: within the current cycle at the current rate, or in the
 * first later cycle whose peak reaches it (the crossing is where that cycle's climb meets the limit).
 */
export function sawtoothTimeToLimit(p: SawtoothProjection, limit: number, horizon: number): number | null {
  if (p.level >= limit) return 0;
  const end = p.now + horizon;
  const peakAt = (t: number) => p.peakIntercept + p.netSlope * (t - p.peakT0);
  const reaches = (peak: number) => peak + p.peakTolerance >= limit;
  if (p.currentRate > 0) {
    const cross = p.now + (limit - p.level) / p.currentRate;
    if (!p.boundByPeak) {
      if (cross <= p.nextCleanup && cross <= end) return cross - p.now;
    } else if (reaches(peakAt(p.nextCleanup)) && cross <= p.nextCleanup + p.periodSeconds / 2) {
      // This cycle tops out at the limit (a leak OOM-killed at the limit itself): the climb decides.
      return cross <= end ? cross - p.now : null;
    }
  }
  let cycleEnd = p.nextCleanup;
  if (reaches(peakAt(cycleEnd)) && p.inCycleRate > 0) {
    const cross = Math.max(p.now, cycleEnd - Math.max(0, peakAt(cycleEnd) - limit) / p.inCycleRate);
    if (cross <= end) return cross - p.now;
    return null;
  }
  for (let k = 0; k < 10_000 && cycleEnd <= end; k++) {
    const cycleStart = cycleEnd;
    cycleEnd += p.periodSeconds;
    const peak = peakAt(cycleEnd);
    if (reaches(peak)) {
      const rate = p.inCycleRate > 0 ? p.inCycleRate : Number.POSITIVE_INFINITY;
      const cross = Math.max(cycleStart, cycleEnd - Math.max(0, peak - limit) / rate);
      return cross <= end ? cross - p.now : null;
    }
  }
  return null;
}
