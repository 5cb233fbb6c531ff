import { describe, expect, it } from 'vitest';
import { forecastTimeToLimit, parseForecastDocument } from '../src/services/forecast/index.ts';
import type { ForecastAdjustment, ForecastResult, MetricPoint } from '../src/services/forecast/index.ts';
import { buildForecastGraphSpec } from '../src/services/alerts/alert-graph.ts';
import { createGraphLabels } from '../src/handlers/present/graph-labels.ts';
import { describeForecastText, formatForecastValue, STORY_WIDTH } from '../src/handlers/present/forecast-story.ts';
import { createPresenter, type Presenter } from '../src/handlers/present/presenter.ts';
import { generateForecastScenarios, HELD_OUT_KINDS, SCENARIO_KINDS } from '../scripts/forecast-scenarios.ts';
import { seededRandom } from '../scripts/seeded-random.ts';
import { displayWidth as width } from '../src/core/display-width.ts';

const HOUR = 3600;
const DAY = 86400;
const GB = 1e9;
const GiB = 2 ** 30;
const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

const english = createPresenter({ language: 'en', timeZone: 'UTC', now: () => NOW });
const japanese = createPresenter({ language: 'ja', timeZone: 'Asia/Tokyo', now: () => NOW });

/** The explanation as the CLI and the alert posts word it, with "today" the analysis day. */
function explain(r: ForecastResult, language: 'en' | 'ja' = 'en'): string {
  return describeForecastText(r, createPresenter({ language, timeZone: language === 'ja' ? 'Asia/Tokyo' : 'UTC', now: () => r.now }));
}

/** Gaussian noise from a seed, repeatable. */
function gauss(seed: number): () => number {
  const u = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

function series(span: number, step: number, value: (t: number) => number): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (let t = NOW - span; t <= NOW; t += step) out.push({ time: t, value: value(t) });
  return out;
}

function adjustmentsOf(r: ForecastResult): ForecastAdjustment[] {
  return r.story.kind === 'trend' ? r.story.adjustments : [];
}

/** How many adjustments (steps, drops, deleted rises) the English explanation names. */
function namedEvents(text: string): number {
  return (text.match(/level shift|temporary rise/g) ?? []).length;
}

const SIGNED_ZERO = /[-+]0(?![.,\d])/;

describe('wording: numbers', () => {
  it('never prints a signed zero', () => {
    for (const present of [english, japanese] as Presenter[]) {
      for (const x of [-0, -0.0000004, -0.004, 0.0000004]) {
        expect(formatForecastValue(x, 'percent', present)).not.toMatch(SIGNED_ZERO);
        expect(formatForecastValue(x, 'number', present)).not.toMatch(SIGNED_ZERO);
        expect(formatForecastValue(x, 'bytes', present)).not.toMatch(SIGNED_ZERO);
      }
    }
    expect(formatForecastValue(5 * GiB, 'bytes', english)).toBe('5.00 GiB');
  });

  it('keeps small values readable instead of rounding them to 0', () => {
    expect(formatForecastValue(0.0042, 'number', english)).toBe('0.0042');
    expect(formatForecastValue(0.001, 'percent', english)).toBe('0.001%');
    expect(formatForecastValue(93.24, 'percent', english)).toBe('93.2%');
    expect(formatForecastValue(1234567, 'number', japanese)).toBe('1,234,567');
  });

  it('words percent rates as %/h and %/day, like the levels', () => {
    const r = forecastTimeToLimit({ points: series(12 * HOUR, 300, (t) => 60 + (0.3 * (t - NOW)) / HOUR), limit: 100, now: NOW }, { unit: 'percent' });
    expect(explain(r)).toMatch(/^growing 0\.3%\/h /);
    expect(explain(r)).not.toMatch(/points|of the limit/); // "60% (60% of the limit)" says it twice
    expect(explain(r, 'ja')).toMatch(/^直近12時間の増加傾向（1時間あたり0\.3%）から、/);
  });
});

describe('wording: events', () => {
  const noisy: [string, (seed: number) => (t: number) => number][] = [
    [
      'quantised to 0.1',
      (seed) => {
        const g = gauss(seed);
        return (t) => Math.round((60 + (0.05 * (t - NOW)) / HOUR + 0.02 * g()) * 10) / 10;
      },
    ],
    [
      'heavy-tailed noise',
      (seed) => {
        const g = gauss(seed);
        const u = seededRandom(seed + 99);
        return (t) => 70 + (0.1 * (t - NOW)) / HOUR + 0.05 * g() * (u() < 0.1 ? 20 : 1);
      },
    ],
    [
      'bursty random walk',
      (seed) => {
        const g = gauss(seed);
        const u = seededRandom(seed + 7);
        let x = 50;
        return () => (x += u() < 0.05 ? 0.5 * g() : 0.002 * g());
      },
    ],
  ];
  for (const [name, make] of noisy) {
    it(`names no noise-sized jumps on a noisy percent series (${name})`, () => {
      for (let seed = 1; seed <= 5; seed++) {
        const r = forecastTimeToLimit({ points: series(DAY, 60, make(seed)), limit: 100, now: NOW }, { unit: 'percent' });
        const text = explain(r);
        expect(text).not.toMatch(SIGNED_ZERO);
        expect(text).not.toMatch(/ of 0(\.0+)?%|more\)/);
        expect(namedEvents(text)).toBeLessThanOrEqual(2);
        expect(adjustmentsOf(r).length).toBeLessThanOrEqual(2);
        expect(width(text)).toBeLessThanOrEqual(STORY_WIDTH);
        // Named events are material: at least 1% of the limit here.
        for (const a of adjustmentsOf(r)) expect(Math.abs(a.size)).toBeGreaterThanOrEqual(1);
        for (const e of r.events) if (e.kind === 'step' || e.kind === 'drop' || e.kind === 'transient') expect(Math.abs(e.size)).toBeGreaterThanOrEqual(1);
      }
    });
  }

  it('names a deleted spike once, not also as a drop', () => {
    const points = series(3 * DAY, 300, (t) => 100 * GB + (1 * GB * (t - NOW)) / DAY + (t >= NOW - 5 * HOUR && t < NOW - 2 * HOUR ? 40 * GB : 0));
    const r = forecastTimeToLimit({ points, limit: 200 * GB, now: NOW }, { unit: 'bytes' });
    const deleted = adjustmentsOf(r).filter((a) => a.kind === 'deleted-rise');
    expect(deleted).toHaveLength(1);
    expect(deleted[0]).toMatchObject({ at: NOW - 2 * HOUR });
    expect(deleted[0]!.size).toBeCloseTo(40 * GB, -9);
    const text = explain(r);
    expect(text).toMatch(/temporary rise of 37\.3 GiB deleted at Wed Dec 31, 2025, 22:00 UTC ignored/);
    expect(namedEvents(text)).toBe(1);
    expect(text).not.toMatch(/drop of/);
    expect(explain(r, 'ja')).toContain('7:00 JST に削除された一時的な増加（37.3 GiB）は除外しました');
  });

  it('does not call the start of a steep writer sampled every minute a step', () => {
    let bad = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const u = seededRandom(seed);
      const g = gauss(seed + 1000);
      const started = NOW - (8 + 80 * u()) * 60;
      const rate = ((50 + 300 * u()) * GB) / HOUR;
      const noise = 500 * GB * 0.0001 * (0.2 + 4 * u());
      const points = series(DAY, 60, (t) => 150 * GB + (t > started ? rate * (t - started) : 0) + noise * g());
      const r = forecastTimeToLimit({ points, limit: 500 * GB, now: NOW }, { unit: 'bytes' });
      if (r.method === 'already-full') continue;
      if (r.method !== 'recent-trend' || adjustmentsOf(r).some((a) => a.kind === 'level-shift' || a.kind === 'burst') || /step|level shift/.test(explain(r))) bad++;
    }
    expect(bad).toBe(0);
  });
});

describe('wording: every scenario kind', () => {
  it('gives one short line in either language, without signed zeros, zero rates or more than two named events', () => {
    for (const s of generateForecastScenarios({ perKind: 6, seed: 31337, kinds: [...SCENARIO_KINDS, ...HELD_OUT_KINDS] })) {
      const parsed = parseForecastDocument(s.document);
      if ('error' in parsed) throw new Error(parsed.error);
      const r = forecastTimeToLimit(parsed.input, { unit: parsed.unit });
      for (const language of ['en', 'ja'] as const) {
        const text = explain(r, language);
        const where = `${s.id} (${language}): ${text}`;
        expect(width(text), where).toBeLessThanOrEqual(STORY_WIDTH);
        expect(text, where).not.toMatch(/\n/);
        expect(text, where).not.toMatch(SIGNED_ZERO);
        expect(text, where).not.toMatch(/(^|[^\d.])0 ?([KMGTP]?i?B|%)?\/(h|day)|あたり0 ?([KMGTP]?i?B|%)?[（、）。]/);
        expect(text, where).not.toMatch(/drop of -|more\)|MB|GB\b|undefined|NaN|\{/);
      }
      expect(namedEvents(explain(r)), s.id).toBeLessThanOrEqual(2);
      // Japanese says it all in Japanese: no English words left but units and zone names.
      expect(explain(r, 'ja').replace(/[KMGTP]?i?B|JST|UTC/g, ''), s.id).not.toMatch(/[A-Za-z]{2,}/);
    }
  });
});

describe('wording: the graph subtitle', () => {
  it('names the newer methods in words, not ids', () => {
    const points = series(2 * DAY, 300, (t) => 50 * GB + (t - NOW) * (GB / DAY));
    const r = forecastTimeToLimit({ points, limit: 100 * GB, now: NOW }, { unit: 'bytes' });
    const resource = {
      pair: { used: 'filesystem.xvda1.used', size: 'filesystem.xvda1.size', kind: 'filesystem' as const, label: '/dev/xvda1', mode: 'absolute' as const },
      unit: 'bytes' as const,
      points,
      limit: 100 * GB,
    };
    const subtitle = (method: ForecastResult['method'], language: 'en' | 'ja' = 'en') =>
      buildForecastGraphSpec({ host: 'web-1', resource, forecast: { ...r, method }, labels: createGraphLabels(createPresenter({ language, timeZone: 'UTC' })), timeZone: 'UTC', now: NOW })
        .subtitle ?? '';
    expect(subtitle('cycle-envelope')).toMatch(/peaks of the repeating cycle/);
    expect(subtitle('uncertain')).toMatch(/can't tell yet/);
    expect(subtitle('cycle-envelope')).not.toMatch(/cycle-envelope/);
    expect(subtitle('cycle-envelope', 'ja')).toBe('filesystem.xvda1.used · 周期的な増減のピーク');
  });
});
