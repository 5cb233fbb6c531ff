/** One sample of a metric, in Mackerel's shape: epoch seconds and a value. */
export interface MetricPoint {
  time: number;
  value: number;
}

import type { ForecastStory } from './story.ts';

/** What the engine needs: the history, the value at which the resource is exhausted, and the analysis time. */
export interface ForecastInput {
  /** Any order; gaps, duplicates and non-finite values are tolerated (and discarded). */
  points: readonly MetricPoint[];
  /** The value at which the resource is exhausted (a filesystem's size, 100 for percent). */
  limit: number;
  /** Analysis time, epoch seconds. Points after it are ignored. */
  now: number;
}

/** What the metric's values are, for showing them: sizes in bytes, percentages, plain numbers. */
export type ValueUnit = 'bytes' | 'percent' | 'number';

export interface ForecastOptions {
  /** What the values are; default `'number'` (the CLI guesses it from the metric name). Carried to the result for its wording. */
  unit?: ValueUnit;
  /** How far ahead a limit counts as "expected"; default 14 days. */
  horizonSeconds?: number;
}

/**
 * Short machine-friendly id of the model that produced the forecast:
 * - `insufficient-data`: too little history; nothing is guessed.
 * - `already-full`: the current level is at or above the limit.
 * - `linear`: one steady trend over (most of) the history.
 * - `recent-trend`: a trend that began recently (e.g. a runaway writer) and differs from the past.
 * - `level-shift-adjusted`: one trend across one-time steps or deleted spikes, which are treated as level shifts.
 * - `rotation-adjusted`: recurring cleanups (log rotation, image GC); the peaks' net growth decides.
 * - `flat`: no significant growth.
 * - `shrinking`: significant decrease.
 * - `cycle-envelope`: the series repeats (hourly rotation, business days, restarts, a band); the
 *   average cycle and the growth of its peaks decide.
 * - `uncertain`: no model predicts the series' own recent past well enough to say; `secondsToLimit`
 *   is null and `low` the earliest plausible time.
 */
export type ForecastMethod =
  'insufficient-data' | 'already-full' | 'linear' | 'recent-trend' | 'level-shift-adjusted' | 'rotation-adjusted' | 'flat' | 'shrinking' | 'cycle-envelope' | 'uncertain';

export interface TimeValue {
  time: number;
  value: number;
}

/** The fitted line `value(t) = intercept + slope * (t - t0)`, slope per second. */
export interface TrendLine {
  slope: number;
  intercept: number;
  t0: number;
}

/** Something the engine noticed in the history and accounted for. */
export interface ForecastEvent {
  kind: 'step' | 'drop' | 'transient' | 'trend-change' | 'outlier';
  time: number;
  /** Level change (value units) for steps and drops; slope change (per second) for trend changes. */
  size: number;
}

/** Recurring-cleanup model details (present for `rotation-adjusted`). */
export interface CycleInfo {
  /** Median time between cleanups, seconds. */
  periodSeconds: number;
  /** Number of cleanups seen. */
  cleanups: number;
  lastCleanup: number;
  nextCleanup: number;
  /** Net growth of the cycle peaks, per second. */
  netRatePerSecond: number;
  /** Growth rate inside a cycle, per second. */
  inCycleRatePerSecond: number;
  /** Whether the spacing is regular (timer-driven) rather than threshold-driven. */
  regular: boolean;
}

/**
 * Time-to-limit forecast. Times are epoch seconds, durations seconds, values in the input's unit.
 *
 * For drawing: plot `fitted.from → fitted.to` over the history (the trend the forecast rests on),
 * then `projection.from → projection.to` (to the limit crossing, or to the horizon), and the band
 * as `projection.from → projection.lowTo` (fast case) and `projection.from → projection.highTo` (slow case).
 * For `rotation-adjusted` the projection is the envelope of the cycle peaks.
 */
export interface ForecastResult {
  /** Seconds from `now` until the limit is reached; `null` when not expected within the horizon; `0` when already reached. */
  secondsToLimit: number | null;
  /** Earliest plausible time to limit (seconds), `null` when unbounded within the horizon. */
  low: number | null;
  /** Latest plausible time to limit (seconds), `null` when unbounded within the horizon. */
  high: number | null;
  method: ForecastMethod;
  /** What the forecast rests on, as data; the handlers word it (src/handlers/present/forecast-story.ts). */
  story: ForecastStory;
  /** What the values are (from the options), for wording the story. */
  unit: ValueUnit;
  /** Time span of the data the trend was fitted on; `null` without usable data. */
  window: { from: number; to: number } | null;
  /** Current rate of change per second (in-cycle rate for rotation); `null` when unknown. */
  ratePerSecond: number | null;
  /** Standard error of `ratePerSecond`. */
  rateStdError: number | null;
  /** The level at `now` according to the fit (robust to the last point's noise). */
  currentValue: number | null;
  limit: number;
  now: number;
  horizonSeconds: number;
  /** The fitted trend (level shifts already applied: it passes through the current level). */
  trend: TrendLine | null;
  /** The fitted line's end points over `window`. */
  fitted: { from: TimeValue; to: TimeValue } | null;
  /** The projection from now, with the fast (`lowTo`) and slow (`highTo`) ends of the band. */
  projection: { from: TimeValue; to: TimeValue; lowTo: TimeValue | null; highTo: TimeValue | null } | null;
  /** Rough confidence in the forecast, from the evidence's strength. */
  confidence: 'high' | 'medium' | 'low';
  /** Trend changes and outliers noticed, and the material steps, drops and transients (at least 1% of the limit or 5% of the level, well above the noise). */
  events: ForecastEvent[];
  cycle: CycleInfo | null;
  /** Points usable after cleaning, and points discarded (non-finite, duplicate, after `now`). */
  pointsUsed: number;
  pointsDiscarded: number;
}
