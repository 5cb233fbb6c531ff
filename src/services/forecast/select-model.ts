import { analyzeSeries, type Context } from './forecast.ts';
import { detectPeriod, type Periodicity } from './periodicity.ts';
import { bucketTime, buildGrid, gridAt, type Grid } from './resample.ts';
import { median } from './robust-stats.ts';
import { fitSeasonal, seasonalAt, seasonalTimeToLimit, type SeasonalModel } from './seasonal.ts';
import type { ForecastResult } from './types.ts';
import { formatDuration, formatRate, formatValue, outcomeClause } from './wording.ts';

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
  /** Root mean square error over the buckets after the origin, per model. */
  trend: number;
  seasonal: number;
}

function rms(sum: number, count: number): number {
  return count > 0 ? Math.sqrt(sum / count) : Number.POSITIVE_INFINITY;
}

/** Rolling-origin backtests of the trend analysis and the cycle model on the grid. */
function backtest(g: Grid, period: number, ctx: Context): Backtest[] {
  const out: Backtest[] = [];
  const last = g.length - 1;
  for (const horizon of BACKTEST_HORIZONS) {
    const k0 = last - Math.round(horizon / g.width);
    if (k0 < 8 || last - k0 < 2) continue;
    const origin = bucketTime(g, k0);
    if (origin - period * 1.5 < g.t0) continue;
    const season = fitSeasonal(g, origin, period);
    if (!season) continue;
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
    let c = 0;
    for (let k = k0 + 1; k <= last; k++) {
      const time = bucketTime(g, k);
      const y = g.mean[k];
      st += (predictFromResult(past, time) - y) ** 2;
      ss += (seasonalAt(season, time - origin) - y) ** 2;
      c++;
    }
    out.push({ horizon, origin, trend: rms(st, c), seasonal: rms(ss, c) });
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
  for (const b of tests) {
    trendScore += b.trend;
    seasonScore += b.seasonal;
  }
  if (!(seasonScore < 0.8 * trendScore)) return base;
  const model = fitSeasonal(g, ctx.now, period.periodSeconds, gridAt(g, ctx.now));
  if (!model) return base;
  return cycleForecast(base, g, model, period, tests, ctx);
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
  const per: 'h' | 'day' = P < 6 * HOUR ? 'h' : 'day';
  const peak = m.level + m.peakAbove;
  const what = cycleWords(m, P);
  const growth = Math.abs(m.growthPerCycle) <= 2 * err ? 'peaks flat' : `peaks ${perPeak > 0 ? 'rising' : 'falling'} ${formatRate(perPeak, ctx.unit, per)}`;
  const explanation = `${what}; ${growth} near ${formatValue(peak, ctx.unit)}; ${outcomeClause(secondsToLimit, low, high, ctx.horizon)}`;
  const end = ctx.now + (secondsToLimit ?? ctx.horizon);
  return {
    ...base,
    method: 'cycle-envelope',
    secondsToLimit,
    low,
    high,
    explanation,
    ratePerSecond: perPeak,
    rateStdError: err / P,
    currentValue: m.level,
    window: { from: ctx.now - m.cycles * P, to: ctx.now },
    trend: { slope: perPeak, intercept: peak, t0: ctx.now },
    fitted: { from: { time: ctx.now - m.cycles * P, value: peak - m.growthPerCycle * m.cycles }, to: { time: ctx.now, value: peak } },
    projection: {
      from: { time: ctx.now, value: peak },
      to: { time: end, value: peak + perPeak * (end - ctx.now) },
      lowTo: { time: end, value: peak + perPeak * (end - ctx.now) + spread(end - ctx.now) },
      highTo: { time: end, value: peak + perPeak * (end - ctx.now) - spread(end - ctx.now) },
    },
    confidence: period.strength > 0.8 ? 'high' : 'medium',
    cycle: null,
  };
}

function cycleWords(m: SeasonalModel, P: number): string {
  let maxDrop = 0;
  for (let j = 0; j < m.steps; j++) maxDrop = Math.max(maxDrop, m.shape[j] - m.shape[j + 1]);
  const amplitude = m.peakAbove - m.troughBelow;
  const sawtooth = amplitude > 0 && maxDrop > 0.4 * amplitude;
  const name = Math.abs(P - HOUR) < 0.1 * HOUR ? 'hourly' : Math.abs(P - DAY) < 0.05 * DAY ? 'daily' : Math.abs(P - 7 * DAY) < 0.05 * 7 * DAY ? 'weekly' : null;
  if (sawtooth) return name ? `${name} cleanup cycle` : `cleanup every ~${formatDuration(P)}`;
  return name ? `${name} cycle` : `repeats every ~${formatDuration(P)}`;
}
