import { describeAdjustments, isMaterial } from './adjustments.ts';
import { cleanSeries, type CleanSeries } from './clean-series.ts';
import { selectModel } from './select-model.ts';
import { detectCleanups, type CleanupCycles } from './detect-cleanups.ts';
import { detectJumps, withoutIndices, type Jump } from './detect-jumps.ts';
import { fitCurrentTrend, type CurrentTrend } from './fit-current-trend.ts';
import { curveAt, curveRate, curveTimeToLimit, fitCurve, type CurveFit } from './curvature.ts';
import { longRunTrend, typicalChange, type TypicalChange } from './excursions.ts';
import { buildPrefixSums, type PrefixSums } from './line-fit.ts';
import { linearTimeToLimit, sawtoothTimeToLimit, type SawtoothProjection } from './project-limit.ts';
import { median } from './robust-stats.ts';
import { segmentRegimes, type Piece } from './segment-regimes.ts';
import type { CleanupPattern, ForecastStory, ForecastSwing, PreviousTrend, RatePeriod } from './story.ts';
import type { ForecastEvent, ForecastInput, ForecastMethod, ForecastOptions, ForecastResult, ValueUnit } from './types.ts';

const DAY = 86400;
/** Below this much history, or this many points, nothing is guessed. */
export const MIN_HISTORY_SECONDS = 1800;
export const MIN_POINTS = 6;
/** Growth weaker than this many standard errors counts as no growth. */
const MIN_GROWTH_T = 2.5;

export interface Context {
  limit: number;
  now: number;
  horizon: number;
  unit: ValueUnit;
}

/** Two-sided 95% Student t quantile, approximated (exact enough for a band). */
function tQuantile(dof: number): number {
  if (!(dof > 0)) return 12.7;
  return 1.96 + 2.4 / dof + 3 / (dof * dof);
}

function emptyResult(ctx: Context, method: ForecastMethod, story: ForecastStory, used: number, discarded: number): ForecastResult {
  return {
    secondsToLimit: null,
    low: null,
    high: null,
    method,
    story,
    unit: ctx.unit,
    window: null,
    ratePerSecond: null,
    rateStdError: null,
    currentValue: null,
    limit: ctx.limit,
    now: ctx.now,
    horizonSeconds: ctx.horizon,
    trend: null,
    fitted: null,
    projection: null,
    confidence: 'low',
    events: [],
    cycle: null,
    pointsUsed: used,
    pointsDiscarded: discarded,
  };
}

function jumpEvents(jumps: readonly Jump[], outlierTimes: readonly number[]): ForecastEvent[] {
  const events: ForecastEvent[] = jumps.map((j) => ({ kind: j.size > 0 ? 'step' : 'drop', time: j.time, size: j.size }));
  for (const time of outlierTimes) events.push({ kind: 'outlier', time, size: 0 });
  return events.sort((a, b) => a.time - b.time);
}

/**
 * Forecasts when a resource metric reaches its limit. Pure: no I/O, no clock; O(n) after sorting.
 *
 * It cleans the series (sort, dedupe, drop non-finite and future points, remove single-point
 * glitches), cuts it at jumps and at significant slope changes, recognises recurring cleanups
 * (sawtooth) and otherwise pools the recent pieces that share a slope (one-time steps become level
 * shifts, deleted spikes are skipped). The band comes from the fit's standard errors.
 *
 * @throws RangeError when `limit` or `now` is not a finite number.
 */
export function forecastTimeToLimit(input: ForecastInput, options: ForecastOptions = {}): ForecastResult {
  const { limit, now } = input;
  if (!Number.isFinite(limit)) throw new RangeError('limit must be a finite number');
  if (!Number.isFinite(now)) throw new RangeError('now must be a finite number (epoch seconds)');
  const ctx: Context = {
    limit,
    now,
    horizon: options.horizonSeconds ?? 14 * DAY,
    unit: options.unit ?? 'number',
  };
  const clean = compressOld(cleanSeries(input.points, now), now);
  const kept: Kept = { t: clean.t, v: clean.v };
  const base = analyzeSeries(clean, ctx, kept);
  if (base.method === 'insufficient-data' || base.method === 'already-full') return base;
  return selectModel(base, kept, ctx);
}

/** Points kept at full resolution; older ones are averaged into bins when the history is long. */
const FULL_RESOLUTION_SECONDS = 12 * 3600;
const MAX_OLD_POINTS = 1500;

/**
 * Long, finely sampled histories (a week of minutes) are averaged into bins older than 12 hours, so
 * that at most about 1,500 points describe the older days: their slopes, cycles and steps need no
 * finer view, and the analysis stays fast. Single-point glitches there are averaged away too.
 */
function compressOld(clean: CleanSeries, now: number): CleanSeries {
  const n = clean.t.length;
  if (n <= 2 * MAX_OLD_POINTS) return clean;
  const cut = now - FULL_RESOLUTION_SECONDS;
  let split = 0;
  while (split < n && clean.t[split] < cut) split++;
  if (split <= MAX_OLD_POINTS) return clean;
  const width = (cut - clean.t[0]) / MAX_OLD_POINTS;
  const t = new Float64Array(MAX_OLD_POINTS + (n - split));
  const v = new Float64Array(t.length);
  let m = 0;
  let i = 0;
  while (i < split) {
    const bin = Math.floor((clean.t[i] - clean.t[0]) / width);
    let st = 0;
    let sv = 0;
    let c = 0;
    while (i < split && Math.floor((clean.t[i] - clean.t[0]) / width) === bin) {
      st += clean.t[i];
      sv += clean.v[i];
      c++;
      i++;
    }
    t[m] = st / c;
    v[m] = sv / c;
    m++;
  }
  for (let j = split; j < n; j++, m++) {
    t[m] = clean.t[j];
    v[m] = clean.v[j];
  }
  return { t: t.subarray(0, m), v: v.subarray(0, m), discarded: clean.discarded };
}

/** The glitch-free series the trend analysis kept (for the model selection). */
interface Kept {
  t: Float64Array;
  v: Float64Array;
}

/** The piecewise-trend analysis (steps, transients, recurring cleanups, a recent new trend) of a cleaned series. */
export function analyzeSeries(clean: CleanSeries, ctx: Context, kept: Kept | null = null): ForecastResult {
  const { limit, now } = ctx;
  const n0 = clean.t.length;
  if (n0 === 0) return emptyResult(ctx, 'insufficient-data', { kind: 'no-data' }, 0, clean.discarded);

  const recent = median(clean.v.subarray(Math.max(0, n0 - 3)));
  if (recent >= limit) {
    const r = emptyResult(ctx, 'already-full', { kind: 'at-limit', level: recent, limit }, n0, clean.discarded);
    return { ...r, secondsToLimit: 0, low: 0, high: 0, currentValue: recent, confidence: 'high', window: { from: clean.t[Math.max(0, n0 - 3)], to: clean.t[n0 - 1] } };
  }
  const span = clean.t[n0 - 1] - clean.t[0];
  if (n0 < MIN_POINTS || span < MIN_HISTORY_SECONDS) {
    const r = emptyResult(
      ctx,
      'insufficient-data',
      { kind: 'too-little-history', points: n0, spanSeconds: span, minPoints: MIN_POINTS, minSeconds: MIN_HISTORY_SECONDS },
      n0,
      clean.discarded,
    );
    return { ...r, currentValue: clean.v[n0 - 1], window: { from: clean.t[0], to: clean.t[n0 - 1] } };
  }

  // Glitches first, then jumps on the series without them.
  const first = detectJumps(clean.t, clean.v);
  const outlierTimes = first.outliers.map((i) => clean.t[i]);
  const { t, v } = withoutIndices(clean.t, clean.v, first.outliers);
  if (kept) {
    kept.t = t;
    kept.v = v;
  }
  const { jumps } = first.outliers.length > 0 ? detectJumps(t, v) : first;
  const n = t.length;
  const steps = new Float64Array(n - 1);
  for (let i = 0; i + 1 < n; i++) steps[i] = t[i + 1] - t[i];
  const typicalStep = median(steps);

  const ps = buildPrefixSums(t, v, now, v[n - 1]);
  const pieces = segmentRegimes(ps, t, jumps, typicalStep);
  const trend = fitCurrentTrend(pieces, now);
  const cycles = detectCleanups(pieces, now, v);
  const events = jumpEvents(jumps, outlierTimes);
  for (const p of trend.skipped) if (p.fit.count >= 3) events.push({ kind: 'transient', time: p.from, size: p.fit.slope * (p.to - p.from) });
  if (trend.previous) events.push({ kind: 'trend-change', time: trend.used[0].from, size: trend.slope - trend.previous.fit.slope });
  // Steps, drops and transients too small to matter (quantisation, noise bursts) are not events.
  const material = events.filter((e) => e.kind === 'outlier' || e.kind === 'trend-change' || isMaterial(e.size, trend.level, limit, trend.residualScale));
  material.sort((a, b) => a.time - b.time);

  const common = { events: material, pointsUsed: n, pointsDiscarded: clean.discarded + first.outliers.length };
  if (trend.level >= limit) {
    const r = emptyResult(ctx, 'already-full', { kind: 'at-limit', level: trend.level, limit }, n, common.pointsDiscarded);
    return { ...r, ...common, secondsToLimit: 0, low: 0, high: 0, currentValue: trend.level, ratePerSecond: trend.slope, rateStdError: trend.slopeStdError, confidence: 'medium' };
  }
  if (cycles) return sawtoothForecast(ctx, trend, cycles, common);
  const swing = usualSwing(trend, pieces, t, v, ps, typicalStep, ctx, span) ?? recurringDrops(trend, t, v, ps, ctx);
  if (swing) return trendForecast(ctx, swing.longRun, span, common, swing);
  const curve = curvedGrowth(trend, pieces, t, v, typicalStep, ctx);
  if (curve) return curveForecast(ctx, trend, curve, common);
  return trendForecast(ctx, trend, span, common);
}

/**
 * Curvature, where the data supports it: when the newest pieces' slopes keep rising (a retry storm
 * doubling its rate) or keep falling while still growing (a cache saturating), over at least two
 * pieces without a jump between them, the curve is fitted over them and kept when it explains them
 * clearly better than a line and backtests better than one (see {@link fitCurve}).
 */
function curvedGrowth(trend: CurrentTrend, pieces: readonly Piece[], t: Float64Array, v: Float64Array, typicalStep: number, ctx: Context): CurveFit | null {
  if (trend.previous === null || pieces.length < 2) return null;
  const last = pieces.length - 1;
  let k = last;
  let direction = 0;
  while (k > 0) {
    const p = pieces[k - 1];
    const q = pieces[k];
    // The curve is the growth: the calm before it (or a decline) is not part of it.
    if (q.start !== 'kink' || p.fit.count < 3 || ctx.now - p.from > 3 * DAY || !(p.fit.slope > 2 * p.fit.slopeStdError)) break;
    // Slopes that differ by less than their noise neither bend the curve nor break it.
    const diff = q.fit.slope - p.fit.slope;
    const d = Math.abs(diff) > 2 * Math.hypot(p.fit.slopeStdError, q.fit.slopeStdError) ? Math.sign(diff) : 0;
    if (d !== 0 && direction !== 0 && d !== direction) break;
    // Levelling off is growth that slows: every piece of it still grows.
    if (d <= 0 && !(q.fit.slope > 0)) break;
    if (d !== 0) direction = d;
    k--;
  }
  if (last - k < 1 || direction === 0) return null;
  const c = fitCurve(t, v, pieces[k].from, ctx.now, typicalStep);
  if (!c || Math.sign(c.k) !== direction) return null;
  return c;
}

function curveForecast(ctx: Context, trend: CurrentTrend, c: CurveFit, common: Common): ForecastResult {
  const secondsToLimit = curveTimeToLimit(c, ctx.limit, ctx.horizon);
  const rate = curveRate(c);
  const level = c.a + c.b;
  // The band: the curve's own rate of bending a third faster or slower.
  const faster = { ...c, k: c.k * (c.k > 0 ? 1.3 : 0.7) };
  const slower = { ...c, k: c.k * (c.k > 0 ? 0.7 : 1.3) };
  let low = curveTimeToLimit(faster, ctx.limit, ctx.horizon);
  let high = secondsToLimit === null ? null : curveTimeToLimit(slower, ctx.limit, ctx.horizon);
  if (secondsToLimit !== null && low !== null && low > secondsToLimit) low = secondsToLimit;
  if (secondsToLimit !== null && high !== null && high < secondsToLimit) high = secondsToLimit;
  const story: ForecastStory =
    c.k > 0
      ? { kind: 'accelerating', since: c.from, doublingSeconds: (Math.LN2 / c.k) * 3600, ratePerSecond: rate }
      : { kind: 'levelling-off', since: c.from, toward: c.a, ratePerSecond: rate };
  const end = ctx.now + (secondsToLimit ?? ctx.horizon);
  const at = (m: CurveFit, time: number) => ({ time, value: curveAt(m, time - ctx.now) });
  return {
    ...emptyResult(ctx, 'recent-trend', story, common.pointsUsed, common.pointsDiscarded),
    ...common,
    secondsToLimit,
    low,
    high,
    ratePerSecond: rate,
    rateStdError: Math.abs(rate) * 0.3,
    currentValue: level,
    window: { from: c.from, to: ctx.now },
    trend: { slope: rate, intercept: level, t0: ctx.now },
    fitted: { from: at(c, c.from), to: { time: ctx.now, value: level } },
    projection: { from: { time: ctx.now, value: level }, to: at(c, end), lowTo: at(faster, end), highTo: at(slower, end) },
    confidence: 'medium',
  };
}

/** A recent change the series' own history shows to be one of its usual swings, and the long view instead. */
interface UsualSwing {
  /** The recent regime as the segmentation saw it. */
  recent: CurrentTrend;
  /** The spread of changes at the recent regime's time scale; null for recurring drops. */
  typical: TypicalChange | null;
  longRun: CurrentTrend;
  /** Recurring drops between the pooled pieces: their typical spacing, seconds. */
  dropsEvery?: number;
}

/**
 * Pieces pooled with one slope whose levels keep falling back (small rotations or cleanups too
 * noisy to be seen as jumps): when the series over the pooled span rose less than half of what
 * the pooled slope claims, after at least two such drops, the slope is the climb inside the
 * cycles, and the long run (the robust line over the span) is the growth.
 */
function recurringDrops(trend: CurrentTrend, t: Float64Array, v: Float64Array, ps: PrefixSums, ctx: Context): UsualSwing | null {
  const used = trend.used;
  if (used.length < 3 || !(trend.slope > 0)) return null;
  const s = trend.slope;
  const drops: number[] = [];
  for (let k = 1; k < used.length; k++) {
    const a = used[k - 1].fit;
    const b = used[k].fit;
    const gap = b.meanV - s * b.meanT - (a.meanV - s * a.meanT);
    if (gap < -3 * trend.residualScale) drops.push(used[k].from);
  }
  if (drops.length < 2) return null;
  const from = used[0].from;
  const claimed = s * (ctx.now - from);
  const first = used[0].fit;
  const actual = trend.level - (first.meanV + s * (from - first.meanT));
  if (!(actual < 0.5 * claimed)) return null;
  const spacing = drops.slice(1).map((x, k) => x - drops[k]);
  const every = spacing.length > 0 ? median(spacing) : ctx.now - drops[0];
  const longRun = longRunTrend(ps, t, v, from, ctx.now, every);
  if (!longRun) return null;
  return { recent: trend, typical: null, longRun, dropsEvery: every };
}

/**
 * A "new trend" must outlast the series' own typical excursions at its time scale. A recent regime
 * steeper than the one before it is an excursion when the change since it began is within the
 * spread of the changes over windows of the same length earlier in the history (the up-swing of a
 * band, a business morning, the climb after a restart, a few minutes of churn). A calmer regime
 * after a steeper piece is a pause between excursions when that steeper piece was itself one of the
 * usual ones (the steps of a staircase), and a one-time event otherwise (a copy that finished: the
 * trend analysis keeps it as a level shift). Either way the forecast then rests on the long run:
 * several times the excursion's length, at least a day.
 */
function usualSwing(trend: CurrentTrend, pieces: readonly Piece[], t: Float64Array, v: Float64Array, ps: PrefixSums, typicalStep: number, ctx: Context, span: number): UsualSwing | null {
  const prev = trend.previous;
  if (prev === null || trend.used[0].start === 'history') return null;
  const from = trend.used[0].from;
  const d = ctx.now - from;
  if (!(d > 0) || d > 0.5 * span) return null;
  let typical: TypicalChange | null;
  let scale: number;
  if (trend.slope > prev.fit.slope) {
    typical = typicalChange(t, v, d, from, typicalStep);
    const change = trend.slope * d;
    if (!typical || change > typical.high || change < typical.low) return null;
    scale = d;
  } else {
    // Only a short burst before a longer calm (a step of a staircase), not the steeper part of a
    // curve that is levelling off.
    const dp = prev.to - prev.from;
    if (!(dp > 0) || dp > 0.5 * d) return null;
    let k = pieces.indexOf(prev) - 1;
    while (k >= 0 && pieces[k].fit.count < 3) k--;
    if (k < 0 || !(pieces[k].fit.slope < 0.5 * prev.fit.slope)) return null;
    const before = typicalChange(t, v, dp, prev.from, typicalStep);
    const change = prev.fit.slope * dp;
    if (!before || change > before.high || change < before.low) return null;
    // ...and the calm since must be usual too (after a saturating climb it is below every change before).
    typical = typicalChange(t, v, d, from, typicalStep);
    const calm = trend.slope * d;
    if (!typical || calm > typical.high || calm < typical.low) return null;
    scale = Math.max(d, dp);
  }
  const longRun = longRunTrend(ps, t, v, Math.max(t[0], ctx.now - Math.max(8 * scale, DAY)), ctx.now, scale);
  if (!longRun) return null;
  return { recent: trend, typical, longRun };
}

type Common = Pick<ForecastResult, 'events' | 'pointsUsed' | 'pointsDiscarded'>;

function trendGeometry(ctx: Context, trend: CurrentTrend, slope: number, toSeconds: number | null, lowSlope: number | null, highSlope: number | null) {
  const from = trend.used[0].from;
  const level = trend.level;
  const end = ctx.now + (toSeconds ?? ctx.horizon);
  const at = (s: number | null, time: number) => (s === null ? null : { time, value: level + s * (time - ctx.now) });
  return {
    window: { from, to: ctx.now },
    trend: { slope, intercept: level, t0: ctx.now },
    fitted: { from: { time: from, value: level + slope * (from - ctx.now) }, to: { time: ctx.now, value: level } },
    projection: {
      from: { time: ctx.now, value: level },
      to: { time: end, value: level + slope * (end - ctx.now) },
      lowTo: at(lowSlope, end),
      highTo: at(highSlope, end),
    },
  };
}

function trendForecast(ctx: Context, trend: CurrentTrend, historySpan: number, common: Common, swing: UsualSwing | null = null): ForecastResult {
  const { slope, slopeStdError: se, level, levelStdError: seLevel } = trend;
  const count = trend.used.reduce((a, p) => a + p.fit.count, 0);
  const q = tQuantile(count - trend.used.length - 1);
  const regimeSpan = ctx.now - trend.used[0].from;
  const tStat = Number.isFinite(se) && se > 0 ? slope / se : slope === 0 ? 0 : Math.sign(slope) * Number.POSITIVE_INFINITY;
  const per: RatePeriod = regimeSpan < DAY || Math.abs(slope) * DAY > Math.max(ctx.limit - level, 0) ? 'hour' : 'day';
  const lowSlope = Number.isFinite(se) ? slope + q * se : null;
  const highSlope = Number.isFinite(se) ? slope - q * se : null;
  const newTrend = trend.previous !== null && trend.used[0].start !== 'history';
  const adjustments = describeAdjustments(trend, ctx.limit);
  const confidence: ForecastResult['confidence'] = Math.abs(tStat) > 10 && regimeSpan >= 6 * 3600 && count >= 30 ? 'high' : Math.abs(tStat) < 4 || regimeSpan < 3600 ? 'low' : 'medium';

  let method: ForecastMethod;
  let secondsToLimit: number | null;
  let low: number | null;
  let high: number | null;
  let direction: 'growing' | 'flat' | 'shrinking';
  if (!(tStat >= MIN_GROWTH_T)) {
    secondsToLimit = null;
    high = null;
    low = lowSlope !== null ? linearTimeToLimit(level + q * seLevel, lowSlope, ctx.limit, ctx.horizon) : null;
    method = tStat <= -MIN_GROWTH_T ? 'shrinking' : 'flat';
    direction = method;
  } else {
    secondsToLimit = linearTimeToLimit(level, slope, ctx.limit, ctx.horizon);
    low = lowSlope !== null ? linearTimeToLimit(Math.min(ctx.limit, level + q * seLevel), lowSlope, ctx.limit, ctx.horizon) : null;
    high = highSlope !== null && highSlope > 0 ? linearTimeToLimit(level - q * seLevel, highSlope, ctx.limit, ctx.horizon) : null;
    if (secondsToLimit !== null && low !== null && low > secondsToLimit) low = secondsToLimit;
    if (secondsToLimit !== null && high !== null && high < secondsToLimit) high = secondsToLimit;
    // Only material adjustments make the forecast "level-shift-adjusted": noise-sized jumps do not.
    method = newTrend && regimeSpan < 0.6 * historySpan ? 'recent-trend' : adjustments.length > 0 ? 'level-shift-adjusted' : 'linear';
    direction = 'growing';
  }
  const story: Extract<ForecastStory, { kind: 'trend' }> = {
    kind: 'trend',
    direction,
    ratePerSecond: slope,
    per,
    basis: newTrend ? { kind: 'since', time: trend.used[0].from } : { kind: 'span', seconds: regimeSpan },
    level,
    previous: method === 'recent-trend' ? previousTrend(trend) : null,
    adjustments,
    swing: null,
  };
  /** The trend's forecast, with its geometry, as the result (method, story and confidence vary). */
  const result = (resultMethod: typeof method, resultStory: ForecastStory, resultConfidence: typeof confidence): ForecastResult => ({
    ...emptyResult(ctx, resultMethod, resultStory, common.pointsUsed, common.pointsDiscarded),
    ...common,
    ...trendGeometry(ctx, trend, slope, secondsToLimit, lowSlope, highSlope),
    secondsToLimit,
    low,
    high,
    ratePerSecond: slope,
    rateStdError: Number.isFinite(se) ? se : null,
    currentValue: level,
    confidence: resultConfidence,
  });
  if (swing) {
    // The recent change is one of the series' usual swings: say so, then the long run.
    const r = swing.recent;
    const since = r.used[0].from;
    const change = r.slope * (ctx.now - since);
    const steady = Math.abs(change) < Math.max(3 * r.residualScale, 1e-9 * Math.abs(ctx.limit));
    const typical = swing.typical;
    const told: ForecastSwing =
      typical || swing.dropsEvery === undefined
        ? { kind: 'usual-swing', since, change, steady, typical: typical ? { low: typical.low, high: typical.high, lagSeconds: typical.lagSeconds } : null }
        : { kind: 'recurring-drops', climbRatePerSecond: r.slope, everySeconds: swing.dropsEvery };
    method = method === 'recent-trend' ? 'linear' : method;
    return result(method, { ...story, previous: null, adjustments: [], swing: told }, confidence === 'high' ? 'medium' : confidence);
  }
  return result(method, story, confidence);
}

/** What came before a trend that began recently: flat, or its own rate. */
function previousTrend(trend: CurrentTrend): PreviousTrend {
  const prev = trend.previous;
  if (!prev) return { kind: 'flat' };
  const s = prev.fit.slope;
  const flat = Math.abs(s) <= 2.5 * prev.fit.slopeStdError || Math.abs(s) < 0.05 * Math.abs(trend.slope);
  return flat ? { kind: 'flat' } : { kind: s > 0 ? 'growing' : 'shrinking', ratePerSecond: s };
}

function sawtoothForecast(ctx: Context, trend: CurrentTrend, cycles: CleanupCycles, common: Common): ForecastResult {
  const last = cycles.times[cycles.times.length - 1];
  const period = cycles.periodSeconds;
  let nextCleanup = last + period;
  while (nextCleanup <= ctx.now) nextCleanup += period;
  // The climb since the last cleanup (pooled with earlier climbs like it, if any): the current rate.
  const inCurrent = trend.used[trend.used.length - 1].from >= last && trend.slope > MIN_GROWTH_T * trend.slopeStdError;
  // A writer inside the current cycle that is clearly faster than any usual climb wins over the
  // cycles' peaks (compared with the climbs after earlier cleanups, not with the pooled in-cycle
  // rate, which the plateaus of capped cycles pull down).
  const usualClimb = Math.max(cycles.inCycleSlope, cycles.climbSlopes.length > 0 ? median(cycles.climbSlopes) : 0);
  const runaway =
    trend.previous !== null &&
    inCurrent &&
    trend.used[0].from >= last &&
    trend.slope > 1.25 * usualClimb &&
    trend.slope - usualClimb > 3 * Math.hypot(trend.slopeStdError, cycles.inCycleSlopeStdError);
  const currentRate = inCurrent ? trend.slope : cycles.inCycleSlope;
  const currentSe = inCurrent ? trend.slopeStdError : cycles.inCycleSlopeStdError;
  const q = tQuantile(cycles.times.length * 2 - 3);
  const netSe = Number.isFinite(cycles.netSlopeStdError) ? cycles.netSlopeStdError : Math.abs(cycles.netSlope);
  // Peaks without significant net growth are flat (the band keeps the possible growth).
  const netSlope = Math.abs(cycles.netSlope) <= 2 * netSe ? 0 : cycles.netSlope;
  // Cycles that top out at the same level again and again (a cap) reach the limit when that level
  // is within about 1% of it: memory plateaus at its cgroup limit before the OOM kill.
  const peakTolerance = netSlope !== 0 ? 0 : Math.min(0.02 * Math.abs(ctx.limit), Math.max(0.01 * Math.abs(ctx.limit), 1.5 * cycles.peakScatter));
  const base: SawtoothProjection = {
    now: ctx.now,
    level: trend.level,
    currentRate,
    inCycleRate: cycles.inCycleSlope,
    nextCleanup,
    periodSeconds: period,
    peakIntercept: cycles.peakIntercept,
    peakT0: cycles.peakT0,
    netSlope,
    boundByPeak: !runaway,
    peakTolerance,
  };
  const fast: SawtoothProjection = {
    ...base,
    currentRate: currentRate + q * currentSe,
    inCycleRate: cycles.inCycleSlope + q * cycles.inCycleSlopeStdError,
    netSlope: cycles.netSlope + q * netSe,
  };
  const slow: SawtoothProjection = {
    ...base,
    currentRate: Math.max(0, currentRate - q * currentSe),
    inCycleRate: Math.max(0, cycles.inCycleSlope - q * cycles.inCycleSlopeStdError),
    netSlope: cycles.netSlope - q * netSe,
  };
  const secondsToLimit = sawtoothTimeToLimit(base, ctx.limit, ctx.horizon);
  let low = sawtoothTimeToLimit(fast, ctx.limit, ctx.horizon);
  let high = secondsToLimit === null ? null : sawtoothTimeToLimit(slow, ctx.limit, ctx.horizon);
  if (secondsToLimit !== null && low !== null && low > secondsToLimit) low = secondsToLimit;
  if (secondsToLimit !== null && high !== null && high < secondsToLimit) high = secondsToLimit;

  const daily = cycles.regular && Math.abs(period - DAY) <= 0.05 * DAY;
  // Flat peaks at a level the cycles stop at, not on a daily clock: a cap (OOM kill, GC watermark).
  const capped = !daily && netSlope === 0 && peakTolerance > 0 && cycles.peakScatter < 0.05 * Math.abs(median(cycles.peaks) - median(cycles.troughs));
  const pattern: CleanupPattern = capped
    ? { kind: 'capped', level: median(cycles.peaks), periodSeconds: period }
    : daily
      ? { kind: 'daily', lastAt: last }
      : cycles.regular
        ? { kind: 'regular', periodSeconds: period }
        : { kind: 'irregular', periodSeconds: period };
  const net = netSlope;
  const story: ForecastStory = {
    kind: 'cleanups',
    pattern,
    netRatePerSecond: Math.abs(net) <= 2 * netSe ? 0 : net,
    peakLevel: cycles.peakIntercept + net * (nextCleanup - cycles.peakT0),
    runaway: runaway ? { ratePerSecond: currentRate, since: trend.used[0].from } : null,
  };
  const end = ctx.now + (secondsToLimit ?? ctx.horizon);
  const peakAt = (s: number, time: number) => cycles.peakIntercept + s * (time - cycles.peakT0);
  const from = cycles.times[0];
  return {
    ...emptyResult(ctx, 'rotation-adjusted', story, common.pointsUsed, common.pointsDiscarded),
    ...common,
    secondsToLimit,
    low,
    high,
    ratePerSecond: currentRate,
    rateStdError: Number.isFinite(currentSe) ? currentSe : null,
    currentValue: trend.level,
    window: { from, to: ctx.now },
    trend: { slope: net, intercept: cycles.peakIntercept, t0: cycles.peakT0 },
    fitted: { from: { time: from, value: peakAt(net, from) }, to: { time: ctx.now, value: peakAt(net, ctx.now) } },
    projection: {
      from: { time: ctx.now, value: peakAt(net, ctx.now) },
      to: { time: end, value: peakAt(net, end) },
      lowTo: { time: end, value: peakAt(fast.netSlope, end) },
      highTo: { time: end, value: peakAt(slow.netSlope, end) },
    },
    confidence: cycles.times.length >= 5 && cycles.regular ? 'high' : 'medium',
    cycle: {
      periodSeconds: period,
      cleanups: cycles.times.length,
      lastCleanup: last,
      nextCleanup,
      netRatePerSecond: net,
      inCycleRatePerSecond: cycles.inCycleSlope,
      regular: cycles.regular,
    },
  };
}
