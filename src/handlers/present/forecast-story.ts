import { plain, type Mrkdwn } from '../../core/message.ts';
import {
  forecastOutcome,
  type ForecastAdjustment,
  type ForecastResult,
  type ForecastStory,
  type ForecastSwing,
  type RatePeriod,
  type SettledStory,
  type TrendBasis,
  type ValueUnit,
} from '../../services/forecast/index.ts';
import { displayWidth } from '../../core/display-width.ts';
import type { Presenter } from './presenter.ts';

/**
 * A forecast's story in words: the engine (src/services/forecast) says what it saw as data — the
 * trend, its rate and since when, the cleanups, the cap, what it set aside — and this turns it
 * into one line in the team's language, with sizes, rates, durations and times from the presenter.
 *
 * - {@link describeForecast}: the whole line, "growing 2.1 GiB/h over the last 6 h; full in about
 *   5 h (3 h – 8 h)" / 「直近6時間の増加傾向（1時間あたり2.1 GiB）から、約5時間で上限に達する見込みです（3時間〜8時間）」;
 * - {@link describeForecastReason}: the same without the outcome (for a line that states it itself);
 * - {@link describeForecastOutcome}: the outcome alone, "full in about 5 h (3 h – 8 h)".
 *
 * The line is kept short for an alert post: of the variants a story has (most detailed first),
 * the first that fits {@link STORY_WIDTH} is used.
 */
export type StoryPresenter = Pick<Presenter, 'text' | 'bytes' | 'duration' | 'time' | 'day' | 'number'>;

/** An explanation should read as one short line: this many columns (a Japanese character takes two). */
export const STORY_WIDTH = 160;

const HOUR = 3600;
const DAY = 86_400;

/** The whole explanation (reason, outcome, what was set aside) as mrkdwn. */
export function describeForecast(result: ForecastResult, present: StoryPresenter): Mrkdwn {
  return plain(describeForecastText(result, present));
}

/** The whole explanation as plain text (the CLI's `explanation`). */
export function describeForecastText(result: ForecastResult, present: StoryPresenter): string {
  const words = new StoryWords(result, present);
  return fitted(layouts(result.story, words).map((layout) => compose(layout, words.outcomeSentence(), words)));
}

/** The explanation without its outcome: for a line that states the outcome itself. */
export function describeForecastReason(result: ForecastResult, present: StoryPresenter): Mrkdwn {
  const words = new StoryWords(result, present);
  return plain(fitted(layouts(result.story, words).map((layout) => compose(layout, null, words))));
}

/** The outcome as a clause: "full in about 5 h (3 h – 8 h)", "not full within 14 days". */
export function describeForecastOutcome(result: ForecastResult, present: StoryPresenter): Mrkdwn {
  return plain(new StoryWords(result, present).outcomeClause());
}

/** The band after a time to the limit: " (3 h – 8 h)", " (up to 8 h)", " (3 h or later)"; '' when it adds nothing. */
export function describeForecastBand(result: ForecastResult, present: StoryPresenter): Mrkdwn {
  const s = result.secondsToLimit;
  return s === null ? plain('') : plain(new StoryWords(result, present).band(s, result.low, result.high));
}

/** A value in the metric's unit: "1.50 GiB", "93.2%", "1,234". */
export function formatForecastValue(value: number, unit: ValueUnit, present: Pick<Presenter, 'bytes' | 'number'>): string {
  if (unit === 'bytes') return present.bytes(Math.abs(value) < 0.5 ? 0 : value);
  const a = Math.abs(value);
  // About three significant digits; small values keep two ("0.0042"), never "-0".
  const digits = a >= 100 || a === 0 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : Math.min(8, 1 - Math.floor(Math.log10(a)));
  const rounded = Number(value.toFixed(digits)) || 0;
  const text = present.number(rounded, digits);
  return unit === 'percent' ? `${text}%` : text;
}

/** The first variant that fits the width (a wide character taking two columns), else the shortest. */
function fitted(variants: readonly string[]): string {
  for (const v of variants) if (displayWidth(v) <= STORY_WIDTH) return v;
  return variants.reduce((a, b) => (displayWidth(b) < displayWidth(a) ? b : a));
}

/**
 * One way to tell a story: its reason (clauses already joined), how the outcome follows (`because`:
 * from a growth trend; `clause`: as the next sentence; `none`: the story has its own ending), and
 * notes told after the outcome.
 */
interface Layout {
  reason: string;
  link: 'because' | 'clause' | 'none';
  notes: readonly string[];
}

function compose(layout: Layout, outcome: string | null, words: StoryWords): string {
  let text = layout.reason;
  if (outcome !== null && layout.link !== 'none') text = words.join(layout.link, text, outcome);
  for (const note of layout.notes) text = words.join('clause', text, note);
  return text;
}

/** The ways to tell a story, most detailed first. */
function layouts(story: ForecastStory, w: StoryWords): Layout[] {
  const p = w.present;
  const told = (reason: string, link: Layout['link'] = 'clause', notes: readonly string[] = []): Layout => ({ reason, link, notes });
  switch (story.kind) {
    case 'no-data':
      return [told(p.text('forecast.noData'), 'none')];
    case 'too-little-history':
      return [
        told(
          p.text('forecast.tooLittleHistory', {
            count: story.points,
            span: w.duration(story.spanSeconds),
            minPoints: p.number(story.minPoints, 0),
            minSpan: w.duration(story.minSeconds),
          }),
          'none',
        ),
      ];
    case 'at-limit':
      return [told(p.text('forecast.atLimit', { level: w.value(story.level), limit: w.value(story.limit) }), 'none')];
    case 'trend': {
      const link = story.direction === 'growing' ? 'because' : 'clause';
      if (story.swing) {
        const trend = trendClause(story, w, false);
        return swingClauses(story.swing, w).map((swing) => told(w.clauses([swing, trend]), link));
      }
      const full = trendClause(story, w, true);
      const short = trendClause(story, w, false);
      const notes = (max: number, withCount: boolean) => story.adjustments.slice(-max).map((a) => adjustment(a, w, withCount));
      return [told(full, link, notes(2, true)), told(short, link, notes(2, false)), told(short, link, notes(1, false)), told(short, link)];
    }
    case 'accelerating':
      return [told(p.text('forecast.accelerating', { since: w.time(story.since), doubling: w.duration(story.doublingSeconds), rate: w.rate(story.ratePerSecond, 'hour') }))];
    case 'levelling-off':
      return [told(p.text('forecast.levellingOff', { level: w.value(story.toward), share: w.share(story.toward), since: w.time(story.since), rate: w.rate(story.ratePerSecond, 'hour') }))];
    case 'cleanups': {
      const what = cleanupClause(story, w);
      const runaway = story.runaway ? [p.text('forecast.runaway', { rate: w.rate(story.runaway.ratePerSecond, 'hour'), since: w.time(story.runaway.since) })] : [];
      if (story.pattern.kind === 'capped') return [told(w.clauses([what, ...runaway])), told(what)];
      const net = story.netRatePerSecond;
      const netText =
        net === 0 ? p.text('forecast.net.none') : net > 0 ? p.text('forecast.net.growth', { rate: w.rate(net, 'day') }) : p.text('forecast.net.decrease', { rate: w.rate(net, 'day') });
      const peaks = p.text('forecast.peaks', { level: w.value(story.peakLevel), share: w.share(story.peakLevel) });
      return [told(w.clauses([what, w.list([netText, peaks]), ...runaway])), told(w.clauses([what, netText, ...runaway])), told(w.clauses([what, ...runaway]))];
    }
    case 'capped-cycle':
      return [told(cappedCycleClause(story, w))];
    case 'cycle': {
      const level = w.value(story.peakLevel);
      const rate = story.peakRatePerSecond;
      const growth =
        rate === 0
          ? p.text('forecast.peaks.flat', { level })
          : rate > 0
            ? p.text('forecast.peaks.rising', { rate: w.rate(rate, story.per), level })
            : p.text('forecast.peaks.falling', { rate: w.rate(rate, story.per), level });
      return [told(w.list([cycleClause(story, w), growth]))];
    }
    case 'uncertain': {
      const why = headline(story.because, w);
      const earliest = story.earliestSeconds === null ? [] : [p.text('forecast.uncertain.earliest', { duration: w.duration(story.earliestSeconds) })];
      return [
        told(p.text('forecast.uncertain', { why, headroom: w.value(story.headroom) }), 'none', earliest),
        told(p.text('forecast.uncertainBrief', { why }), 'none', earliest),
        told(p.text('forecast.uncertainBrief', { why }), 'none'),
      ];
    }
  }
}

/** The first clause of a story, briefly: what an `uncertain` forecast names as the chosen model's view. */
function headline(story: SettledStory, w: StoryWords): string {
  switch (story.kind) {
    case 'trend':
      return story.swing ? swingClauses(story.swing, w).at(-1)! : trendClause(story, w, false);
    case 'cleanups':
      return cleanupClause(story, w);
    case 'capped-cycle':
      return cappedCycleClause(story, w);
    case 'cycle':
      return cycleClause(story, w);
    default:
      return layouts(story, w)[0]!.reason;
  }
}

type TrendStory = Extract<ForecastStory, { kind: 'trend' }>;

/** "growing 2.10 GiB/h over the last 6 h"; for a new trend, with what came before when `detailed`. */
function trendClause(story: TrendStory, w: StoryWords, detailed: boolean): string {
  const p = w.present;
  const rate = w.rate(story.ratePerSecond, story.per);
  const basis = w.basis(story.basis);
  if (story.direction === 'flat') return p.text('forecast.trend.flat', { level: w.value(story.level), share: w.share(story.level), basis });
  if (story.direction === 'shrinking') return p.text('forecast.trend.shrinking', { rate, basis, level: w.value(story.level), share: w.share(story.level) });
  const prev = story.previous;
  if (prev === null || story.basis.kind !== 'since') return p.text('forecast.trend.growing', { rate, basis });
  const since = w.time(story.basis.time);
  if (!detailed) return p.text('forecast.trend.new', { rate, since });
  if (prev.kind === 'flat') return p.text('forecast.trend.newAfterFlat', { rate, since });
  const before = w.rate(prev.ratePerSecond, story.per);
  return prev.kind === 'growing' ? p.text('forecast.trend.newAfterGrowth', { rate, since, before }) : p.text('forecast.trend.newAfterDecline', { rate, since, before });
}

/** A swing set aside, most detailed first. */
function swingClauses(swing: ForecastSwing, w: StoryWords): string[] {
  const p = w.present;
  if (swing.kind === 'recurring-drops') {
    const every = w.duration(swing.everySeconds);
    return [p.text('forecast.swing.drops', { rate: w.rate(swing.climbRatePerSecond, 'hour'), every }), p.text('forecast.swing.dropsShort', { every })];
  }
  const since = w.time(swing.since);
  const size = w.value(Math.abs(swing.change));
  const moved = swing.steady ? p.text('forecast.moved.steady') : swing.change > 0 ? p.text('forecast.moved.up', { size }) : p.text('forecast.moved.down', { size });
  const brief = [p.text('forecast.swing.usualShort', { moved, since }), p.text('forecast.swing.usualBrief', { since })];
  const t = swing.typical;
  if (!t) return brief;
  return [p.text('forecast.swing.usual', { moved, since, low: w.signed(t.low), high: w.signed(t.high), lag: w.duration(t.lagSeconds) }), ...brief];
}

/** One thing the trend stepped over; `withCount`: with the earlier shifts also stepped over. */
function adjustment(a: ForecastAdjustment, w: StoryWords, withCount: boolean): string {
  const p = w.present;
  switch (a.kind) {
    case 'burst':
      return p.text('forecast.adjust.burst', { size: w.value(a.size), time: w.time(a.at) });
    case 'deleted-rise':
      return p.text('forecast.adjust.deletedRise', { size: w.value(a.size), time: w.time(a.at) });
    case 'deleted-plateau': {
      const params = { size: w.value(a.size), from: w.time(a.from), lasted: w.duration(a.to - a.from) };
      return withCount && a.earlierShifts > 0 ? p.text('forecast.adjust.deletedPlateauMore', { ...params, count: a.earlierShifts }) : p.text('forecast.adjust.deletedPlateau', params);
    }
    case 'level-shift': {
      const params = { size: w.value(Math.abs(a.size)), time: w.time(a.at) };
      const more = withCount && a.earlierShifts > 0 ? { ...params, count: a.earlierShifts } : null;
      if (a.size > 0) return more ? p.text('forecast.adjust.stepMore', more) : p.text('forecast.adjust.step', params);
      return more ? p.text('forecast.adjust.dropMore', more) : p.text('forecast.adjust.drop', params);
    }
  }
}

function cleanupClause(story: Extract<ForecastStory, { kind: 'cleanups' }>, w: StoryWords): string {
  const p = w.present;
  const c = story.pattern;
  switch (c.kind) {
    case 'capped':
      return p.text('forecast.cleanups.capped', { level: w.value(c.level), share: w.share(c.level), period: w.duration(c.periodSeconds) });
    case 'daily':
      return p.text('forecast.cleanups.daily', { time: w.timeOfDay(c.lastAt) });
    case 'regular':
      return p.text('forecast.cleanups.regular', { period: w.duration(c.periodSeconds) });
    case 'irregular':
      return p.text('forecast.cleanups.irregular', { period: w.duration(c.periodSeconds) });
  }
}

function cappedCycleClause(story: Extract<ForecastStory, { kind: 'capped-cycle' }>, w: StoryWords): string {
  const period = w.duration(story.periodSeconds);
  if (story.reachesLimit) return w.present.text('forecast.cappedCycle.reaches', { period, rate: w.rate(story.ratePerSecond, 'hour') });
  return w.present.text('forecast.cappedCycle.below', { level: w.value(story.cap), share: w.share(story.cap), period });
}

function cycleClause(story: Extract<ForecastStory, { kind: 'cycle' }>, w: StoryWords): string {
  const p = w.present;
  const period = w.duration(story.periodSeconds);
  if (story.cleanup) {
    if (story.name === 'hourly') return p.text('forecast.cycle.hourlyCleanup');
    if (story.name === 'daily') return p.text('forecast.cycle.dailyCleanup');
    if (story.name === 'weekly') return p.text('forecast.cycle.weeklyCleanup');
    return p.text('forecast.cycle.otherCleanup', { period });
  }
  if (story.name === 'hourly') return p.text('forecast.cycle.hourly');
  if (story.name === 'daily') return p.text('forecast.cycle.daily');
  if (story.name === 'weekly') return p.text('forecast.cycle.weekly');
  return p.text('forecast.cycle.other', { period });
}

/** The words of one result's story: values, rates, times and the outcome, bound to the presenter. */
class StoryWords {
  readonly #r: ForecastResult;
  readonly #p: StoryPresenter;
  constructor(result: ForecastResult, present: StoryPresenter) {
    this.#r = result;
    this.#p = present;
  }

  get present(): StoryPresenter {
    return this.#p;
  }

  value(x: number): string {
    return formatForecastValue(x, this.#r.unit, this.#p);
  }

  /** "+5.00 GiB", "-2.1%"; no sign when it rounds to zero. */
  signed(x: number): string {
    const text = this.value(x);
    return x > 0 && /[1-9]/.test(text) ? `+${text}` : text;
  }

  /** " (84% of the limit)"; '' when the value says it already (percent of 100) or there is no limit. */
  share(level: number): string {
    const { limit, unit } = this.#r;
    if (!(limit > 0) || (unit === 'percent' && limit === 100)) return '';
    return this.#p.text('forecast.share', { percent: `${this.#p.number(Math.round((level / limit) * 100), 0)}%` });
  }

  /** A rate's size per hour or per day, without its sign: "2.10 GiB/h", "1日あたり0.5%". */
  rate(perSecond: number, per: RatePeriod): string {
    const amount = this.value(Math.abs(perSecond) * (per === 'hour' ? HOUR : DAY));
    return per === 'hour' ? this.#p.text('forecast.perHour', { amount }) : this.#p.text('forecast.perDay', { amount });
  }

  time(t: number): string {
    return this.#p.time(t);
  }

  duration(seconds: number): string {
    return this.#p.duration(seconds);
  }

  /**
   * The time of day of a daily event: the same clock time on the analysis day, so that it shows
   * without a date ("04:00 JST"), whichever day the last one was.
   */
  timeOfDay(t: number): string {
    const today = this.#p.day(this.#r.now);
    const start = t + Math.floor((this.#r.now - t) / DAY) * DAY - DAY;
    for (let k = 0; k < 3; k++) if (this.#p.day(start + k * DAY) === today) return this.#p.time(start + k * DAY);
    return this.#p.time(t);
  }

  /** "since 13:10 JST", "over the last 5 days" (a span rounded as people say it: whole days from two days, whole hours from ten). */
  basis(basis: TrendBasis): string {
    if (basis.kind === 'since') return this.#p.text('forecast.since', { time: this.time(basis.time) });
    const s = basis.seconds;
    const rounded = s >= 2 * DAY ? Math.round(s / DAY) * DAY : s >= 10 * HOUR ? Math.round(s / HOUR) * HOUR : s;
    return this.#p.text('forecast.span', { duration: this.duration(rounded) });
  }

  join(kind: 'list' | 'clause' | 'because', first: string, second: string): string {
    const key = kind === 'list' ? 'forecast.join.list' : kind === 'clause' ? 'forecast.join.clause' : 'forecast.join.because';
    return this.#p.text(key, { first, second });
  }

  /** Clauses as a list ("a; b; c" / 「a、b、c」). */
  list(parts: readonly string[]): string {
    return parts.reduce((a, b) => this.join('list', a, b));
  }

  /** Clauses as sentences ("a; b" / 「a。b」). */
  clauses(parts: readonly string[]): string {
    return parts.reduce((a, b) => this.join('clause', a, b));
  }

  /** The band around `seconds`; none when it is too narrow to matter (within 3% of the time). */
  band(seconds: number, low: number | null, high: number | null): string {
    if (low === null && high === null) return '';
    if (low !== null && high !== null && high - low <= 0.03 * seconds) return '';
    if (low === null) return this.#p.text('forecast.outcome.bandUpTo', { high: this.duration(high!) });
    if (high === null) return this.#p.text('forecast.outcome.bandFrom', { low: this.duration(low) });
    const lo = this.duration(low);
    const hi = this.duration(high);
    return lo === hi ? '' : this.#p.text('forecast.outcome.band', { low: lo, high: hi });
  }

  /** The outcome as a clause, for a line or a list. */
  outcomeClause(): string {
    const o = forecastOutcome(this.#r);
    const p = this.#p;
    switch (o.kind) {
      case 'full':
        return p.text('forecast.outcome.full', { duration: this.duration(o.seconds), band: this.band(o.seconds, o.low, o.high) });
      case 'not-full':
        return p.text('forecast.outcome.notFull', { horizon: this.duration(o.horizonSeconds), earliest: this.#earliest(o.earliestSeconds) });
      case 'at-limit':
        return p.text('forecast.outcome.atLimit');
      case 'uncertain':
        return p.text('forecast.outcome.uncertain', {
          earliest: o.earliestSeconds === null ? '' : p.text('forecast.outcome.uncertainEarliest', { duration: this.duration(o.earliestSeconds) }),
        });
      case 'unknown':
        return p.text('forecast.outcome.unknown');
    }
  }

  /** The outcome as the end of an explanation; null when the story tells its own ending. */
  outcomeSentence(): string | null {
    const o = forecastOutcome(this.#r);
    const p = this.#p;
    switch (o.kind) {
      case 'full':
        return p.text('forecast.sentence.full', { duration: this.duration(o.seconds), band: this.band(o.seconds, o.low, o.high) });
      case 'not-full':
        return p.text('forecast.sentence.notFull', { horizon: this.duration(o.horizonSeconds), earliest: this.#earliest(o.earliestSeconds) });
      case 'at-limit':
        return p.text('forecast.sentence.atLimit');
      default:
        return null;
    }
  }

  #earliest(seconds: number | null): string {
    return seconds === null ? '' : this.#p.text('forecast.outcome.earliest', { duration: this.duration(seconds) });
  }
}
