import { bucketTime, gridAt, type Grid } from './resample.ts';

/**
 * "The next hours look like the same hours of the last cycles": the average shape of the last K
 * cycles after the same phase, anchored at the current level, plus the cycles' net growth per
 * cycle for each whole cycle ahead. It reproduces a sawtooth (rotation, OOM restarts), a business
 * day with its nightly delete and a band, and its peaks follow the envelope of the cycles.
 */
export interface SeasonalModel {
  origin: number;
  periodSeconds: number;
  cycles: number;
  level: number;
  /** Net change over one cycle (per-cycle growth of the envelope). */
  growthPerCycle: number;
  /** shape[j]: change from the origin's phase after j/steps of a cycle; shape[steps] = growthPerCycle. */
  shape: Float64Array;
  steps: number;
  /** Highest and lowest point of the average cycle relative to the level at its phase 0 (for wording). */
  peakAbove: number;
  troughBelow: number;
}

/** The cycles averaged: enough to smooth noise, few enough to follow a pattern that changes. */
function cyclesToUse(g: Grid, origin: number, period: number, maxCycles: number): number {
  const available = Math.floor((origin - bucketTime(g, 0)) / period);
  return Math.min(available, Math.max(3, Math.ceil(86400 / period)), maxCycles);
}

/** Fits the model on the grid up to `origin` (a time within the grid). Null with fewer than one full cycle. */
export function fitSeasonal(g: Grid, origin: number, period: number, level: number | null = null, maxCycles = 24): SeasonalModel | null {
  const cycles = cyclesToUse(g, origin, period, maxCycles);
  if (cycles < 1) return null;
  const steps = Math.max(8, Math.min(400, Math.round(period / g.width)));
  const shape = new Float64Array(steps + 1);
  for (let k = 1; k <= cycles; k++) {
    const start = origin - k * period;
    const base = gridAt(g, start);
    for (let j = 1; j <= steps; j++) shape[j] += gridAt(g, start + (j * period) / steps) - base;
  }
  let peakAbove = 0;
  let troughBelow = 0;
  for (let j = 1; j <= steps; j++) {
    shape[j] /= cycles;
    if (shape[j] > peakAbove) peakAbove = shape[j];
    if (shape[j] < troughBelow) troughBelow = shape[j];
  }
  return {
    origin,
    periodSeconds: period,
    cycles,
    level: level ?? gridAt(g, origin),
    growthPerCycle: shape[steps],
    shape,
    steps,
    peakAbove,
    troughBelow,
  };
}

/** The model's level `tau` seconds after its origin. */
export function seasonalAt(m: SeasonalModel, tau: number): number {
  if (!(tau > 0)) return m.level;
  const whole = Math.floor(tau / m.periodSeconds);
  const x = ((tau - whole * m.periodSeconds) / m.periodSeconds) * m.steps;
  const j = Math.min(m.steps - 1, Math.floor(x));
  const f = x - j;
  return m.level + whole * m.growthPerCycle + m.shape[j] * (1 - f) + m.shape[j + 1] * f;
}

/**
 * First time (seconds after the origin) the model, shifted by `offset(tau)`, reaches `limit`;
 * null when not within `horizon`. Scans in steps of a fraction of the cycle.
 */
export function seasonalTimeToLimit(m: SeasonalModel, limit: number, horizon: number, offset: (tau: number) => number = () => 0): number | null {
  if (m.level + offset(0) >= limit) return 0;
  const dt = Math.max(m.periodSeconds / m.steps, horizon / 20000);
  let prevTau = 0;
  let prev = m.level + offset(0);
  for (let tau = dt; tau <= horizon + dt / 2; tau += dt) {
    const v = seasonalAt(m, tau) + offset(tau);
    if (v >= limit) {
      const f = v > prev ? (limit - prev) / (v - prev) : 1;
      const at = prevTau + f * (tau - prevTau);
      return at <= horizon ? at : null;
    }
    prevTau = tau;
    prev = v;
  }
  return null;
}
