import { analyzeSeries, type Context } from './forecast.ts';
import { cappedAt, cappedTimeToLimit, fitCappedCycle, type CappedCycle } from './capped-cycle.ts';
import { detectPeriod, type Periodicity } from './periodicity.ts';
import { bucketTime, buildGrid, gridAt, type Grid } from './resample.ts';
import { median } from './robust-stats.ts';
import { fitSeasonal, seasonalAt, seasonalTimeToLimit, type SeasonalModel } from './seasonal.ts';
import type { CycleName, ForecastStory } from './story.ts';
import type { ForecastResult } from './types.ts';

const HOUR = 3600;
const DAY = 86400;
/** Backtest horizons: how far ahead each rolling origin predicts. */
const BACKTEST_HORIZONS = [2 * HOUR, 6 * HOUR, 24 * HOUR];
const TREND_POINTS = 300;

/** The level a forecast result predicts at `time` (after its analysis time). */
export function predictFromResult(r: ForecastResult, time: number): number {
  const level = r.currentValue ?? 0;
  const dt = time - r.now;
  if (r.method === 'flat' || r.ratePerSecond === null) return level;
  if (r.method === 'rotation-adjusted' && r.cycle && r.trend) {
    const c = r.cycle;
    const rate = Math.max(0, c.inCycleRatePerSecond);
    if (time < c.nextCleanup) return level + r.ratePerSecond * dt;
    const k = Math.floor((time - c.nextCleanup) / c.periodSeconds);
    const start = c.nextCleanup + k * c.periodSeconds;
    const peak = r.trend.intercept + r.trend.slope * (start + c.periodSeconds - r.trend.t0);
    return peak - rate * c.periodSeconds + rate * (time - start);
  }
  return level + r.ratePerSecond * dt;
}

interface Backtest {
  horizon: number;
  origin: number;
  /** Per model: half the root mean square error over the buckets after the origin plus the error about their highest level. */
  trend: number;
  seasonal: number;
  capped: number;
}

function rms(sum: number, count: number): number {
  return count > 0 ? Math.sqrt(sum / count) : Number.POSITIVE_INFINITY;
}

/** Rolling-origin backtests of the trend analysis and the cycle model on the grid. */
export function backtest(g: Grid, period: number, ctx: Context): Backtest[] {
  const out: Backtest[] = [];
  const last = g.length - 1;
  for (const horizon of BACKTEST_HORIZONS) {
    const k0 = last - Math.round(horizon / g.width);
    if (k0 < 8 || last - k0 < 2) continue;
    const origin = bucketTime(g, k0);
    if (origin - period * 1.5 < g.t0) continue;
    const season = fitSeasonal(g, origin, period);
    if (!season) continue;
    const cap = fitCappedCycle(g, k0, period);
    // The trend analysis as it would have run at the origin, on bucket means merged to at most
    // TREND_POINTS points (it is the costly model; its pieces need no finer view).
    const merge = Math.max(1, Math.ceil((k0 + 1) / TREND_POINTS));
    const m = Math.ceil((k0 + 1) / merge);
    const t = new Float64Array(m);
    const v = new Float64Array(m);
    let used = 0;
    for (let k = k0; k >= 0; k -= merge) {
      let sum = 0;
      let c = 0;
      for (let j = k; j > k - merge && j >= 0; j--) {
        if (g.count[j] === 0) continue;
        sum += g.mean[j];
        c++;
      }
      if (c === 0) continue;
      t[m - 1 - used] = bucketTime(g, k) - ((merge - 1) / 2) * g.width;
      v[m - 1 - used] = sum / c;
      used++;
    }
    const past = analyzeSeries({ t: t.subarray(m - used), v: v.subarray(m - used), discarded: 0 }, { ...ctx, now: origin });
    let st = 0;
    let ss = 0;
    let sc = 0;
    let c = 0;
    // The highest level reached after the origin, and what each model said it would be.
    let top = Number.NEGATIVE_INFINITY;
    let topT = Number.NEGATIVE_INFINITY;
    let topS = Number.NEGATIVE_INFINITY;
    let topC = Number.NEGATIVE_INFINITY;
    for (let k = k0 + 1; k <= last; k++) {
      const time = bucketTime(g, k);
      const y = g.mean[k];
      const pt = predictFromResult(past, time);
      const ps = seasonalAt(season, time - origin);
      const pc = cap ? cappedAt(cap, time - origin) : Number.POSITIVE_INFINITY;
      st += (pt - y) ** 2;
      ss += (ps - y) ** 2;
      sc += (pc - y) ** 2;
      top = Math.max(top, y);
      topT = Math.max(topT, pt);
      topS = Math.max(topS, ps);
      topC = Math.max(topC, pc);
      c++;
    }
    // Half the fit of the path, and all of the error about its highest level: the envelope is what
    // "when will it be full" depends on.
    const score = (sq: number, peak: number) => 0.5 * rms(sq, c) + Math.abs(peak - top);
    out.push({ horizon, origin, trend: score(st, topT), seasonal: score(ss, topS), capped: score(sc, topC) });
  }
  return out;
}

function medianStep(t: Float64Array): number {
  const d = new Float64Array(t.length - 1);
  for (let i = 0; i + 1 < t.length; i++) d[i] = t[i + 1] - t[i];
  return median(d);
}

/**
 * Chooses between the piecewise-trend analysis (`base`) and the cycle model by how well each
 * would have predicted the last hours from earlier origins, and bands the chosen forecast by
 * those backtest errors.
 */
export function selectModel(base: ForecastResult, kept: { t: Float64Array; v: Float64Array }, ctx: Context): ForecastResult {
  if (kept.t.length < 24) return base;
  const g = buildGrid(kept.t, kept.v, medianStep(kept.t), ctx.now);
  if (!g || g.length < 24) return base;
  const period = detectPeriod(g);
  if (!period || period.strength < 0.35) return base;
  // The cleanup model already found these cycles (its peak line is the envelope): keep its words.
  if (base.cycle && Math.abs(base.cycle.periodSeconds - period.periodSeconds) <= 0.1 * period.periodSeconds) return base;
  const tests = backtest(g, period.periodSeconds, ctx);
  if (tests.length === 0) return base;
  let trendScore = 0;
  let seasonScore = 0;
  let capScore = 0;
  // Geometric means over the horizons: each horizon counts, whatever its size of error.
  const tiny = 1e-9 * Math.abs(ctx.limit) + 1e-12;
  for (const b of tests) {
    trendScore += Math.log(b.trend + tiny) / tests.length;
    seasonScore += Math.log(b.seasonal + tiny) / tests.length;
    capScore += Math.log(b.capped + tiny) / tests.length;
  }
  let chosen = base;
  // The error of the chosen model over a few hours ahead (the middle backtest), for the 'uncertain' check.
  const mid = tests[Math.min(1, tests.length - 1)];
  let bestErr = mid.trend;
  if (capScore < seasonScore && capScore < trendScore + Math.log(0.8)) {
    const cap = fitCappedCycle(g, g.length - 1, period.periodSeconds);
    if (cap) {
      chosen = cappedForecast(base, g, cap, tests, ctx);
      bestErr = mid.capped;
    }
  } else if (seasonScore < trendScore + Math.log(0.8)) {
    const model = fitSeasonal(g, ctx.now, period.periodSeconds, gridAt(g, ctx.now));
    if (model) {
      chosen = cycleForecast(base, g, model, period, tests, ctx);
      bestErr = mid.seasonal;
    }
  }
  return uncertainIfUnresolved(chosen, base, bestErr, ctx);
}

const URGENT = DAY;

/**
 * When even the chosen model missed the last hours by more than the headroom left, and the
 * models disagree about whether the limit comes within a day, the forecast says so instead of
 * guessing: method `uncertain`, no time, the earliest plausible time as `low`.
 */
function uncertainIfUnresolved(chosen: ForecastResult, base: ForecastResult, err: number, ctx: Context): ForecastResult {
  const level = chosen.currentValue ?? base.currentValue;
  if (level === null || chosen === base) return chosen;
  const headroom = ctx.limit - level;
  const urgent = (r: ForecastResult) => r.secondsToLimit !== null && r.secondsToLimit <= URGENT;
  if (!(err > headroom) || urgent(chosen) === urgent(base)) return chosen;
  const times = [chosen.secondsToLimit, base.secondsToLimit, chosen.low, base.low].filter((x): x is number => x !== null);
  const low = times.length > 0 ? Math.min(...times) : null;
  const because = chosen.story.kind === 'uncertain' ? chosen.story.because : chosen.story;
  const story: ForecastStory = { kind: 'uncertain', because, headroom, earliestSeconds: low };
  return { ...chosen, method: 'uncertain', secondsToLimit: null, low, high: null, story, confidence: 'low' };
}

function cappedForecast(base: ForecastResult, g: Grid, m: CappedCycle, tests: Backtest[], ctx: Context): ForecastResult {
  const longest = tests[tests.length - 1];
  const err = longest.capped;
  const tolerance = Math.max(0.005 * Math.abs(ctx.limit), Math.min(err, 0.02 * Math.abs(ctx.limit)));
  const secondsToLimit = cappedTimeToLimit(m, ctx.limit, ctx.horizon, tolerance);
  const fast = { ...m, rate: m.rate * 1.3 };
  const slow = { ...m, rate: m.rate * 0.7 };
  let low = cappedTimeToLimit(fast, ctx.limit, ctx.horizon, tolerance + err);
  let high = secondsToLimit === null ? null : cappedTimeToLimit(slow, ctx.limit, ctx.horizon, tolerance);
  if (secondsToLimit !== null && low !== null && low > secondsToLimit) low = secondsToLimit;
  if (secondsToLimit !== null && high !== null && high < secondsToLimit) high = secondsToLimit;
  const story: ForecastStory = {
    kind: 'capped-cycle',
    reachesLimit: secondsToLimit !== null || m.cap + tolerance >= ctx.limit,
    cap: m.cap,
    periodSeconds: m.periodSeconds,
    ratePerSecond: m.rate,
  };
  const end = ctx.now + (secondsToLimit ?? ctx.horizon);
  return {
    ...base,
    method: 'cycle-envelope',
    secondsToLimit,
    low,
    high,
    story,
    ratePerSecond: m.rate,
    rateStdError: null,
    currentValue: m.level,
    window: { from: m.climbFrom, to: ctx.now },
    trend: { slope: m.rate, intercept: m.level, t0: ctx.now },
    fitted: { from: { time: m.climbFrom, value: m.level - m.rate * (ctx.now - m.climbFrom) }, to: { time: ctx.now, value: m.level } },
    projection: {
      from: { time: ctx.now, value: m.level },
      to: { time: end, value: Math.min(Math.max(m.cap, ctx.limit), m.level + m.rate * (end - ctx.now)) },
      lowTo: null,
      highTo: null,
    },
    confidence: 'medium',
    cycle: null,
  };
}

function cycleForecast(base: ForecastResult, g: Grid, m: SeasonalModel, period: Periodicity, tests: Backtest[], ctx: Context): ForecastResult {
  const longest = tests[tests.length - 1];
  const err = longest.seasonal;
  const spread = (tau: number) => 2 * err * Math.sqrt(Math.max(tau, g.width) / longest.horizon);
  const secondsToLimit = seasonalTimeToLimit(m, ctx.limit, ctx.horizon);
  let low = seasonalTimeToLimit(m, ctx.limit, ctx.horizon, spread);
  let high = secondsToLimit === null ? null : seasonalTimeToLimit(m, ctx.limit, ctx.horizon, (tau) => -spread(tau));
  if (secondsToLimit !== null && low !== null && low > secondsToLimit) low = secondsToLimit;
  if (secondsToLimit !== null && high !== null && high < secondsToLimit) high = secondsToLimit;
  const P = m.periodSeconds;
  const perPeak = m.growthPerCycle / P;
  const peak = m.level + m.peakAbove;
  const story: ForecastStory = {
    kind: 'cycle',
    name: cycleName(P),
    cleanup: isSawtooth(m),
    periodSeconds: P,
    peakRatePerSecond: Math.abs(m.growthPerCycle) <= 2 * err ? 0 : perPeak,
    per: P < 6 * HOUR ? 'hour' : 'day',
    peakLevel: peak,
  };
  const end = ctx.now + (secondsToLimit ?? ctx.horizon);
  return {
    ...base,
    method: 'cycle-envelope',
    secondsToLimit,
    low,
    high,
    story,
    ratePerSecond: perPeak,
    rateStdError: err / P,
    currentValue: m.level,
    window: { from: ctx.now - m.cycles * P, to: ctx.now },
    trend: { slope: perPeak, intercept: peak, t0: ctx.now },
    fitted: { from: { time: ctx.now - m.cycles * P, value: peak - m.growthPerCycle * m.cycles }, to: { time: ctx.now, value: peak } },
    // The limit is reached at a peak of the cycle, which can come up to a period after the peaks'
    // line crosses it: the projection ends where the forecast does, on the limit at the ETA (and
    // the band where the earliest and latest peaks reach it), so a graph shows one moment, not two.
    projection:
      secondsToLimit === null
        ? {
            from: { time: ctx.now, value: peak },
            to: { time: end, value: peak + perPeak * (end - ctx.now) },
            lowTo: { time: end, value: peak + perPeak * (end - ctx.now) + spread(end - ctx.now) },
            highTo: { time: end, value: peak + perPeak * (end - ctx.now) - spread(end - ctx.now) },
          }
        : {
            from: { time: ctx.now, value: peak },
            to: { time: end, value: ctx.limit },
            lowTo: low === null ? null : { time: ctx.now + low, value: ctx.limit },
            highTo: high === null ? null : { time: ctx.now + high, value: ctx.limit },
          },
    confidence: period.strength > 0.8 ? 'high' : 'medium',
    cycle: null,
  };
}

/** Whether the average cycle drops sharply once a period (a cleanup) rather than swinging smoothly. */
function isSawtooth(m: SeasonalModel): boolean {
  let maxDrop = 0;
  for (let j = 0; j < m.steps; j++) maxDrop = Math.max(maxDrop, m.shape[j] - m.shape[j + 1]);
  const amplitude = m.peakAbove - m.troughBelow;
  return amplitude > 0 && maxDrop > 0.4 * amplitude;
}

function cycleName(P: number): CycleName | null {
  return Math.abs(P - HOUR) < 0.1 * HOUR ? 'hourly' : Math.abs(P - DAY) < 0.05 * DAY ? 'daily' : Math.abs(P - 7 * DAY) < 0.05 * 7 * DAY ? 'weekly' : null;
}
