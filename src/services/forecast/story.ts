import type { ForecastResult } from './types.ts';

/**
 * What a forecast rests on, as data: the facts its explanation states, without words. The engine
 * fills one {@link ForecastStory} per result; the handlers word it in the team's language
 * (src/handlers/present/forecast-story.ts), with sizes, rates, durations and times formatted by the
 * presenter. Numbers stay numbers: values in the metric's unit (the result's `unit`), rates per
 * second, durations in seconds, times in epoch seconds.
 */

/** The period a rate reads best in: per hour for fast or recent changes, per day for slow ones. */
export type RatePeriod = 'hour' | 'day';

/** Since when the trend holds: a clock time (a trend that began then), or the span up to now. */
export type TrendBasis = { kind: 'since'; time: number } | { kind: 'span'; seconds: number };

/** What came before a trend that began recently (`recent-trend`). */
export type PreviousTrend = { kind: 'flat' } | { kind: 'growing' | 'shrinking'; ratePerSecond: number };

/**
 * Something the pooled trend stepped over, named because it is material:
 * - `burst`: a burst of +size that ended at `at` (a big copy), kept as a level shift;
 * - `deleted-rise`: a temporary rise of `size`, deleted at `at`, ignored;
 * - `deleted-plateau`: a step up at `from` undone by a drop of about its size at `to`, ignored;
 * - `level-shift`: a one-time step (size > 0) or drop (size < 0) at `at`, kept as a level shift.
 * `earlierShifts` counts the earlier material shifts also stepped over.
 */
export type ForecastAdjustment =
  | { kind: 'burst'; size: number; at: number }
  | { kind: 'deleted-rise'; size: number; at: number }
  | { kind: 'deleted-plateau'; size: number; from: number; to: number; earlierShifts: number }
  | { kind: 'level-shift'; size: number; at: number; earlierShifts: number };

/**
 * A recent change the forecast set aside because the series' own history shows it is usual:
 * - `usual-swing`: the change since `since` (`steady`: within the noise) is within the spread of
 *   changes over windows as long earlier (`low`…`high` in `lagSeconds`; both signed);
 * - `recurring-drops`: the level climbs `climbRatePerSecond` and falls back about every `everySeconds`.
 * Either way the trend told is the long run.
 */
export type ForecastSwing =
  | { kind: 'usual-swing'; since: number; change: number; steady: boolean; typical: { low: number; high: number; lagSeconds: number } | null }
  | { kind: 'recurring-drops'; climbRatePerSecond: number; everySeconds: number };

/** How recurring cleanups show (for `cleanups`). */
export type CleanupPattern =
  /** Climbs to the same level each time, then drops back (a restart at a cap, a GC watermark). */
  | { kind: 'capped'; level: number; periodSeconds: number }
  /** A daily rotation; `lastAt` is the latest one (its clock time is the rotation's time of day). */
  | { kind: 'daily'; lastAt: number }
  /** A regular cleanup on a timer. */
  | { kind: 'regular'; periodSeconds: number }
  /** Cleanups at irregular times (threshold-driven), about every `periodSeconds`. */
  | { kind: 'irregular'; periodSeconds: number };

/** The named period of a repeating pattern, when it has one. */
export type CycleName = 'hourly' | 'daily' | 'weekly';

/**
 * The facts behind a forecast, by kind:
 * - `no-data`: no usable point at or before the analysis time;
 * - `too-little-history`: `points` over `spanSeconds`, fewer than `minPoints` over `minSeconds`;
 * - `at-limit`: the level is already at or above the limit;
 * - `trend`: one trend (`direction`, its rate, since when), what it stepped over, and, for a trend
 *   that began recently, what came before; with a `swing` when a recent change was set aside;
 * - `accelerating` / `levelling-off`: growth that bends (a retry storm, a filling cache);
 * - `cleanups`: recurring cleanups (rotation, GC) whose peaks' net growth decides;
 * - `capped-cycle`: a cycle that climbs to a cap and restarts;
 * - `cycle`: a repeating pattern (hourly, daily, weekly or another period) whose peaks decide;
 * - `uncertain`: no model predicted the last hours within the headroom left; `because` is the
 *   chosen model's story.
 */
export type ForecastStory =
  | { kind: 'no-data' }
  | { kind: 'too-little-history'; points: number; spanSeconds: number; minPoints: number; minSeconds: number }
  | { kind: 'at-limit'; level: number; limit: number }
  | {
      kind: 'trend';
      /** `flat` and `shrinking` when the growth is not significant (`ratePerSecond` may still be slightly positive). */
      direction: 'growing' | 'flat' | 'shrinking';
      ratePerSecond: number;
      per: RatePeriod;
      basis: TrendBasis;
      /** The level now, according to the fit. */
      level: number;
      /** Set for a trend that began recently (`recent-trend`). */
      previous: PreviousTrend | null;
      /** Oldest first. */
      adjustments: ForecastAdjustment[];
      swing: ForecastSwing | null;
    }
  | { kind: 'accelerating'; since: number; doublingSeconds: number; ratePerSecond: number }
  | { kind: 'levelling-off'; since: number; toward: number; ratePerSecond: number }
  | {
      kind: 'cleanups';
      pattern: CleanupPattern;
      /** Net growth of the peaks per second; 0 when not significant. */
      netRatePerSecond: number;
      /** Where the peaks stand at the next cleanup. */
      peakLevel: number;
      /** A writer in the current cycle clearly faster than the usual climbs. */
      runaway: { ratePerSecond: number; since: number } | null;
    }
  | { kind: 'capped-cycle'; reachesLimit: boolean; cap: number; periodSeconds: number; ratePerSecond: number }
  | {
      kind: 'cycle';
      name: CycleName | null;
      /** Sawtooth-shaped: a cleanup each period, not a smooth swing. */
      cleanup: boolean;
      periodSeconds: number;
      /** Growth of the peaks per second; 0 when the peaks are flat. */
      peakRatePerSecond: number;
      per: RatePeriod;
      peakLevel: number;
    }
  | { kind: 'uncertain'; because: SettledStory; headroom: number; earliestSeconds: number | null };

/** A story a model told (every kind but `uncertain`). */
export type SettledStory = Exclude<ForecastStory, { kind: 'uncertain' }>;

/**
 * The forecast's outcome, from its numbers:
 * - `full`: the limit in about `seconds`, between `low` and `high` (null: open on that side);
 * - `not-full`: not within `horizonSeconds`; `earliestSeconds` is the fast case, when bounded;
 * - `at-limit`: already there;
 * - `uncertain`: no time given; `earliestSeconds` is the earliest plausible one;
 * - `unknown`: too little data to say.
 */
export type ForecastOutcome =
  | { kind: 'full'; seconds: number; low: number | null; high: number | null }
  | { kind: 'not-full'; horizonSeconds: number; earliestSeconds: number | null }
  | { kind: 'at-limit' }
  | { kind: 'uncertain'; earliestSeconds: number | null }
  | { kind: 'unknown' };

/** The outcome of a forecast result (derived from its numbers, so it cannot disagree with them). */
export function forecastOutcome(result: Pick<ForecastResult, 'method' | 'secondsToLimit' | 'low' | 'high' | 'horizonSeconds'>): ForecastOutcome {
  const { secondsToLimit: seconds, low, high } = result;
  if (result.method === 'insufficient-data') return { kind: 'unknown' };
  if (result.method === 'uncertain') return { kind: 'uncertain', earliestSeconds: low };
  if (seconds === 0) return { kind: 'at-limit' };
  if (seconds === null) return { kind: 'not-full', horizonSeconds: result.horizonSeconds, earliestSeconds: low };
  return { kind: 'full', seconds, low, high };
}
