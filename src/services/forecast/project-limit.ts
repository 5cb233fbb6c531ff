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
}

/**
 * First time the sawtooth reaches `limit`: within the current cycle at the current rate, or in the
 * first later cycle whose peak reaches it (the crossing is where that cycle's climb meets the limit).
 */
export function sawtoothTimeToLimit(p: SawtoothProjection, limit: number, horizon: number): number | null {
  if (p.level >= limit) return 0;
  const end = p.now + horizon;
  const peakAt = (t: number) => p.peakIntercept + p.netSlope * (t - p.peakT0);
  if (p.currentRate > 0) {
    const cross = p.now + (limit - p.level) / p.currentRate;
    if (cross <= p.nextCleanup && cross <= end) return cross - p.now;
  }
  let cycleEnd = p.nextCleanup;
  if (peakAt(cycleEnd) >= limit && p.inCycleRate > 0) {
    const cross = Math.max(p.now, cycleEnd - (peakAt(cycleEnd) - limit) / p.inCycleRate);
    if (cross <= end) return cross - p.now;
    return null;
  }
  for (let k = 0; k < 10_000 && cycleEnd <= end; k++) {
    const cycleStart = cycleEnd;
    cycleEnd += p.periodSeconds;
    const peak = peakAt(cycleEnd);
    if (peak >= limit) {
      const rate = p.inCycleRate > 0 ? p.inCycleRate : Number.POSITIVE_INFINITY;
      const cross = Math.max(cycleStart, cycleEnd - (peak - limit) / rate);
      return cross <= end ? cross - p.now : null;
    }
  }
  return null;
}
