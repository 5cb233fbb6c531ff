import { describe, expect, it } from 'vitest';
import { LANGUAGES, type Language } from '../src/core/language.ts';
import { textMessage } from '../src/core/message.ts';
import { describeForecast, describeForecastOutcome, describeForecastReason, describeForecastText } from '../src/handlers/present/forecast-story.ts';
import { createPresenter, type Presenter } from '../src/handlers/present/presenter.ts';
import { forecastOutcome, forecastTimeToLimit, type ForecastResult, type ForecastStory, type MetricPoint, type ValueUnit } from '../src/services/forecast/index.ts';
import { renderedBoth } from './helpers/render-snapshot.ts';

const MIN = 60;
const HOUR = 3600;
const DAY = 86_400;
const GiB = 2 ** 30;
const NOW = Date.UTC(2026, 11, 1, 3, 0) / 1000; // Tue Dec 1 2026, 12:00 JST

function presenter(language: Language): Presenter {
  return createPresenter({ language, timeZone: 'Asia/Tokyo', now: () => NOW });
}

/** A forecast result around a story: 100 GiB limit, bytes, analysed at NOW; the numbers given override. */
function result(story: ForecastStory, numbers: Partial<ForecastResult> = {}): ForecastResult {
  return {
    secondsToLimit: null,
    low: null,
    high: null,
    method: 'linear',
    story,
    unit: 'bytes',
    window: null,
    ratePerSecond: null,
    rateStdError: null,
    currentValue: null,
    limit: 100 * GiB,
    now: NOW,
    horizonSeconds: 14 * DAY,
    trend: null,
    fitted: null,
    projection: null,
    confidence: 'medium',
    events: [],
    cycle: null,
    pointsUsed: 100,
    pointsDiscarded: 0,
    ...numbers,
  };
}

const full = (secondsToLimit: number, low: number | null, high: number | null) => ({ secondsToLimit, low, high });
type TrendStory = Extract<ForecastStory, { kind: 'trend' }>;
const trend = (fields: Partial<TrendStory>): TrendStory => ({
  kind: 'trend',
  direction: 'growing',
  ratePerSecond: (1.2 * GiB) / HOUR,
  per: 'hour',
  basis: { kind: 'span', seconds: 6 * HOUR },
  level: 64 * GiB,
  previous: null,
  adjustments: [],
  swing: null,
  ...fields,
});

/** One example of each story kind (and of each variant the wording has), with its outcome. */
const CASES: [string, ForecastResult][] = [
  ['trend growing over a span, full with a band', result(trend({}), full(5 * HOUR, 3 * HOUR, 8 * HOUR))],
  ['trend growing, a band open above', result(trend({ per: 'day', ratePerSecond: (3 * GiB) / DAY, basis: { kind: 'span', seconds: 7 * DAY + 3 * HOUR } }), full(9 * DAY, 6 * DAY, null))],
  ['trend growing, a band open below', result(trend({}), full(20 * HOUR, null, 30 * HOUR))],
  ['trend growing, a band too narrow to show', result(trend({}), full(10 * HOUR, 9.9 * HOUR, 10.1 * HOUR))],
  [
    'new trend after a flat stretch',
    result(trend({ basis: { kind: 'since', time: NOW - 40 * MIN }, ratePerSecond: (10 * GiB) / HOUR, previous: { kind: 'flat' } }), {
      method: 'recent-trend',
      ...full(3.3 * HOUR, 2.9 * HOUR, 3.8 * HOUR),
    }),
  ],
  [
    'new trend after slower growth, since yesterday',
    result(trend({ basis: { kind: 'since', time: NOW - 20 * HOUR }, ratePerSecond: (2 * GiB) / HOUR, previous: { kind: 'growing', ratePerSecond: (0.1 * GiB) / HOUR } }), {
      method: 'recent-trend',
      ...full(18 * HOUR, 15 * HOUR, 22 * HOUR),
    }),
  ],
  [
    'new trend after a decline',
    result(trend({ basis: { kind: 'since', time: NOW - 3 * HOUR }, previous: { kind: 'shrinking', ratePerSecond: (-0.5 * GiB) / HOUR } }), {
      method: 'recent-trend',
      ...full(30 * HOUR, 25 * HOUR, 40 * HOUR),
    }),
  ],
  ['flat', result(trend({ direction: 'flat', ratePerSecond: 1, basis: { kind: 'span', seconds: 3 * DAY }, level: 95 * GiB }), { method: 'flat' })],
  [
    'flat since a time, with an earliest possible fill',
    result(trend({ direction: 'flat', ratePerSecond: 0, basis: { kind: 'since', time: NOW - 2 * HOUR }, level: 88 * GiB }), { method: 'flat', low: 3 * DAY + 8 * HOUR }),
  ],
  ['flat percent of 100 (no share of the limit)', result(trend({ direction: 'flat', ratePerSecond: 0, level: 61.25 }), { method: 'flat', unit: 'percent', limit: 100 })],
  [
    'shrinking',
    result(trend({ direction: 'shrinking', ratePerSecond: (-2 * GiB) / DAY, per: 'day', basis: { kind: 'span', seconds: 42 * HOUR }, level: 72 * GiB }), { method: 'shrinking' }),
  ],
  [
    'level shift: a one-time step, and a deleted rise',
    result(
      trend({
        per: 'day',
        ratePerSecond: (1 * GiB) / DAY,
        basis: { kind: 'span', seconds: 4 * DAY },
        adjustments: [
          { kind: 'level-shift', size: 10 * GiB, at: NOW - 6 * HOUR, earlierShifts: 0 },
          { kind: 'deleted-rise', size: 20 * GiB, at: NOW - HOUR },
        ],
      }),
      { method: 'level-shift-adjusted', ...full(10 * DAY, 8 * DAY, 12 * DAY) },
    ),
  ],
  [
    'level shift: a drop with earlier shifts',
    result(
      trend({
        per: 'day',
        ratePerSecond: (1 * GiB) / DAY,
        basis: { kind: 'span', seconds: 4 * DAY },
        adjustments: [{ kind: 'level-shift', size: -3 * GiB, at: NOW - 26 * HOUR, earlierShifts: 2 }],
      }),
      { method: 'level-shift-adjusted', ...full(6 * DAY, 5 * DAY, 7 * DAY) },
    ),
  ],
  [
    'a burst that ended, and a deleted plateau',
    result(
      trend({
        per: 'day',
        ratePerSecond: (0.5 * GiB) / DAY,
        basis: { kind: 'span', seconds: 2 * DAY },
        adjustments: [
          { kind: 'deleted-plateau', size: 30 * GiB, from: NOW - 9 * HOUR, to: NOW - 7 * HOUR, earlierShifts: 1 },
          { kind: 'burst', size: 20 * GiB, at: NOW - 8 * MIN },
        ],
      }),
      { method: 'level-shift-adjusted' },
    ),
  ],
  [
    'a usual swing set aside',
    result(
      trend({
        direction: 'flat',
        ratePerSecond: 0,
        basis: { kind: 'span', seconds: 6 * DAY },
        level: 86 * GiB,
        swing: { kind: 'usual-swing', since: NOW - 5 * HOUR, change: 4 * GiB, steady: false, typical: { low: -6 * GiB, high: 6.5 * GiB, lagSeconds: 5 * HOUR } },
      }),
      { method: 'flat' },
    ),
  ],
  [
    'a steady spell within the usual swings',
    result(
      trend({
        per: 'day',
        ratePerSecond: (0.2 * GiB) / DAY,
        basis: { kind: 'span', seconds: 3 * DAY },
        swing: { kind: 'usual-swing', since: NOW - 2 * HOUR, change: 0.01 * GiB, steady: true, typical: { low: -1 * GiB, high: 1 * GiB, lagSeconds: 2 * HOUR } },
      }),
      full(13 * DAY, 9 * DAY, null),
    ),
  ],
  [
    'recurring drops set aside',
    result(
      trend({
        per: 'day',
        ratePerSecond: (379 * 2 ** 20) / DAY,
        basis: { kind: 'span', seconds: 7 * DAY },
        swing: { kind: 'recurring-drops', climbRatePerSecond: (47 * 2 ** 20) / HOUR, everySeconds: DAY },
      }),
      {},
    ),
  ],
  [
    'accelerating',
    result(
      { kind: 'accelerating', since: NOW - 10 * HOUR, doublingSeconds: 3 * HOUR, ratePerSecond: (1.5 * GiB) / HOUR },
      { method: 'recent-trend', ...full(17 * HOUR, 13 * HOUR, 25 * HOUR) },
    ),
  ],
  ['levelling off', result({ kind: 'levelling-off', since: NOW - 20 * HOUR, toward: 85 * GiB, ratePerSecond: (0.3 * GiB) / HOUR }, { method: 'recent-trend' })],
  [
    'daily rotation, peaks growing',
    result(
      { kind: 'cleanups', pattern: { kind: 'daily', lastAt: NOW - 23 * HOUR }, netRatePerSecond: (1 * GiB) / DAY, peakLevel: 84.3 * GiB, runaway: null },
      { method: 'rotation-adjusted' },
    ),
  ],
  [
    'regular cleanups, no net growth',
    result({ kind: 'cleanups', pattern: { kind: 'regular', periodSeconds: 6 * HOUR }, netRatePerSecond: 0, peakLevel: 70 * GiB, runaway: null }, { method: 'rotation-adjusted' }),
  ],
  [
    'irregular cleanups, net decrease, and a runaway writer',
    result(
      {
        kind: 'cleanups',
        pattern: { kind: 'irregular', periodSeconds: 26 * HOUR },
        netRatePerSecond: (-0.2 * GiB) / DAY,
        peakLevel: 60 * GiB,
        runaway: { ratePerSecond: (5 * GiB) / HOUR, since: NOW - 90 * MIN },
      },
      { method: 'rotation-adjusted', ...full(7 * HOUR, 6 * HOUR, 9 * HOUR) },
    ),
  ],
  [
    'capped cleanups (restarts at a cap)',
    result(
      { kind: 'cleanups', pattern: { kind: 'capped', level: 92 * GiB, periodSeconds: 15 * HOUR }, netRatePerSecond: 0, peakLevel: 92 * GiB, runaway: null },
      { method: 'rotation-adjusted' },
    ),
  ],
  [
    'a capped cycle that reaches the limit',
    result(
      { kind: 'capped-cycle', reachesLimit: true, cap: 100 * GiB, periodSeconds: 10 * HOUR, ratePerSecond: (7 * GiB) / HOUR },
      { method: 'cycle-envelope', ...full(4 * HOUR, 3 * HOUR, 6 * HOUR) },
    ),
  ],
  [
    'a capped cycle below the limit',
    result({ kind: 'capped-cycle', reachesLimit: false, cap: 76 * GiB, periodSeconds: 3 * HOUR, ratePerSecond: (1 * GiB) / HOUR }, { method: 'cycle-envelope' }),
  ],
  [
    'a daily cycle with rising peaks',
    result(
      { kind: 'cycle', name: 'daily', cleanup: false, periodSeconds: DAY, peakRatePerSecond: (2.1 * GiB) / DAY, per: 'day', peakLevel: 68.5 * GiB },
      { method: 'cycle-envelope', ...full(9 * DAY, 8.9 * DAY, 9.4 * DAY) },
    ),
  ],
  [
    'an hourly cleanup cycle with flat peaks',
    result({ kind: 'cycle', name: 'hourly', cleanup: true, periodSeconds: HOUR, peakRatePerSecond: 0, per: 'hour', peakLevel: 90.3 * GiB }, { method: 'cycle-envelope' }),
  ],
  [
    'a weekly cycle with falling peaks',
    result({ kind: 'cycle', name: 'weekly', cleanup: false, periodSeconds: 7 * DAY, peakRatePerSecond: (-1 * GiB) / DAY, per: 'day', peakLevel: 50 * GiB }, { method: 'cycle-envelope' }),
  ],
  [
    'another period, cleanup and plain',
    result({ kind: 'cycle', name: null, cleanup: true, periodSeconds: 2 * HOUR, peakRatePerSecond: (0.2 * GiB) / HOUR, per: 'hour', peakLevel: 40 * GiB }, { method: 'cycle-envelope' }),
  ],
  [
    'a repeating pattern without a name',
    result({ kind: 'cycle', name: null, cleanup: false, periodSeconds: 7 * HOUR, peakRatePerSecond: 0, per: 'hour', peakLevel: 860 * GiB }, { method: 'cycle-envelope', limit: 1024 * GiB }),
  ],
  [
    "can't tell yet",
    result(
      {
        kind: 'uncertain',
        because: { kind: 'cycle', name: 'daily', cleanup: false, periodSeconds: DAY, peakRatePerSecond: 0, per: 'day', peakLevel: 95 * GiB },
        headroom: 4 * GiB,
        earliestSeconds: 9 * HOUR,
      },
      { method: 'uncertain', low: 9 * HOUR, confidence: 'low' },
    ),
  ],
  ["can't tell yet, no earliest time", result({ kind: 'uncertain', because: trend({}), headroom: 2 * GiB, earliestSeconds: null }, { method: 'uncertain', confidence: 'low' })],
  ['no usable points', result({ kind: 'no-data' }, { method: 'insufficient-data', pointsUsed: 0 })],
  ['too little history (one point)', result({ kind: 'too-little-history', points: 1, spanSeconds: 0, minPoints: 6, minSeconds: 30 * MIN }, { method: 'insufficient-data', pointsUsed: 1 })],
  [
    'too little history (several points)',
    result({ kind: 'too-little-history', points: 11, spanSeconds: 10 * MIN, minPoints: 6, minSeconds: 30 * MIN }, { method: 'insufficient-data', pointsUsed: 11 }),
  ],
  ['already at the limit', result({ kind: 'at-limit', level: 100.4 * GiB, limit: 100 * GiB }, { method: 'already-full', ...full(0, 0, 0) })],
  ['already at the limit, in percent', result({ kind: 'at-limit', level: 100.5, limit: 100 }, { method: 'already-full', unit: 'percent', limit: 100, ...full(0, 0, 0) })],
  [
    'plain numbers (inodes)',
    result(trend({ ratePerSecond: 1234 / HOUR, level: 812_345, basis: { kind: 'span', seconds: 2 * DAY } }), {
      unit: 'number' as ValueUnit,
      limit: 1_000_000,
      ...full(6 * DAY, 5 * DAY, 7 * DAY),
    }),
  ],
];

/** Every wording of one result in one language: the line, its reason alone, its outcome alone. */
function worded(r: ForecastResult, language: Language): string {
  const p = presenter(language);
  return [`line:    ${describeForecastText(r, p)}`, `reason:  ${describeForecastReason(r, p).text}`, `outcome: ${describeForecastOutcome(r, p).text}`].join('\n');
}

describe('describeForecast: every story kind in both languages (Asia/Tokyo, Tue Dec 1 2026 12:00 JST)', () => {
  it('covers every story kind and every outcome kind', () => {
    const kinds = new Set(CASES.map(([, r]) => r.story.kind));
    expect([...kinds].sort()).toEqual(['accelerating', 'at-limit', 'capped-cycle', 'cleanups', 'cycle', 'levelling-off', 'no-data', 'too-little-history', 'trend', 'uncertain'].sort());
    expect(new Set(CASES.map(([, r]) => forecastOutcome(r).kind))).toEqual(new Set(['full', 'not-full', 'at-limit', 'uncertain', 'unknown']));
  });

  it.each(CASES)('%s', (_, r) => {
    expect(LANGUAGES.map((language) => `=== ${language} ===\n${worded(r, language)}`).join('\n')).toMatchSnapshot();
  });

  it('is a message like any other (Slack payload and shell text)', () => {
    const r = CASES[4]![1];
    expect(LANGUAGES.map((language) => `=== ${language} ===\n${renderedBoth(textMessage(describeForecast(r, presenter(language))))}`).join('\n')).toMatchSnapshot();
  });
});

describe('describeForecast: from the engine', () => {
  const series = (span: number, step: number, level: (t: number) => number): MetricPoint[] => {
    const out: MetricPoint[] = [];
    for (let t = NOW - span, i = 0; t <= NOW; t += step, i++) out.push({ time: t, value: level(t) + Math.sin(i * 12.9898) * 0.02 * GiB });
    return out;
  };

  it('words a writer that started 40 minutes ago, a daily rotation and a short history', () => {
    const start = NOW - 40 * MIN;
    const writer = forecastTimeToLimit({ points: series(2 * DAY, MIN, (t) => 60 * GiB + Math.max(0, t - start) * ((10 * GiB) / HOUR)), limit: 100 * GiB, now: NOW }, { unit: 'bytes' });
    const phase = 4 * HOUR;
    const rotation = forecastTimeToLimit(
      {
        points: series(7 * DAY, 5 * MIN, (t) => {
          const cycleStart = Math.floor((t - phase) / DAY) * DAY + phase;
          return 50 * GiB + ((cycleStart - NOW) / DAY) * 0.5 * GiB + (t - cycleStart) * ((8 * GiB) / DAY);
        }),
        limit: 70 * GiB,
        now: NOW,
      },
      { unit: 'bytes' },
    );
    const short = forecastTimeToLimit({ points: series(10 * MIN, MIN, () => 90), limit: 100, now: NOW }, { unit: 'percent' });
    expect([writer.method, rotation.method, short.method]).toEqual(['recent-trend', 'rotation-adjusted', 'insufficient-data']);
    const text = [writer, rotation, short].map((r) => LANGUAGES.map((language) => `${language}: ${describeForecastText(r, presenter(language))}`).join('\n')).join('\n');
    // The rotation is at 04:00 UTC, 13:00 in Tokyo.
    expect(text).toContain('daily rotation at 13:00 JST detected');
    expect(text).toContain('毎日 13:00 JST のローテーションを検出');
    expect(text).toMatchSnapshot();
  });
});
