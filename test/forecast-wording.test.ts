import { describe, expect, it } from 'vitest';
import { forecastTimeToLimit, parseForecastDocument } from '../src/services/forecast/index.ts';
import type { ForecastResult, MetricPoint } from '../src/services/forecast/index.ts';
import { buildForecastGraphSpec } from '../src/services/alerts/alert-graph.ts';
import { formatRate, formatSigned, formatValue, trimNumber } from '../src/services/forecast/wording.ts';
import { generateForecastScenarios, HELD_OUT_KINDS, SCENARIO_KINDS } from '../scripts/forecast-scenarios.ts';
import { seededRandom } from '../scripts/seeded-random.ts';

const HOUR = 3600;
const DAY = 86400;
const GB = 1e9;
const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z
const MAX_LENGTH = 160;

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

/** How many adjustments (steps, drops, deleted rises) the explanation names. */
function namedEvents(text: string): number {
  return (text.match(/level shift|temporary rise/g) ?? []).length;
}

const SIGNED_ZERO = /[-+]0(?![.,\d])/;

describe('wording: numbers', () => {
  it('never prints a signed zero', () => {
    for (const x of [-0, -0.0000004, -0.004, 0.0000004]) {
      expect(trimNumber(x)).not.toMatch(SIGNED_ZERO);
      expect(formatValue(x, 'percent')).not.toMatch(SIGNED_ZERO);
      expect(formatValue(x, 'bytes')).not.toMatch(SIGNED_ZERO);
      expect(formatSigned(x, 'bytes')).not.toMatch(SIGNED_ZERO);
    }
    expect(formatSigned(-1e-9, 'percent')).toBe('0%');
    expect(formatSigned(5 * GB, 'bytes')).toBe('+5 GB');
  });

  it('keeps small values readable instead of rounding them to 0', () => {
    expect(trimNumber(0.0042)).toBe('0.0042');
    expect(formatRate(0.001 / HOUR, 'percent', 'h')).toBe('0.001%/h');
    expect(formatRate(2.1e9 / HOUR, 'bytes', 'h')).toBe('2.1 GB/h');
  });

  it('words percent rates as %/h and %/day, like the levels', () => {
    expect(formatRate(0.25 / HOUR, 'percent', 'h')).toBe('0.25%/h');
    expect(formatRate(-4.8 / DAY, 'percent', 'day')).toBe('4.8%/day');
    const r = forecastTimeToLimit({ points: series(12 * HOUR, 300, (t) => 60 + (0.3 * (t - NOW)) / HOUR), limit: 100, now: NOW }, { unit: 'percent' });
    expect(r.explanation).toMatch(/^growing 0\.3%\/h /);
    expect(r.explanation).not.toMatch(/points|of the limit/); // "60% (60% of the limit)" says it twice
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
        expect(r.explanation).not.toMatch(SIGNED_ZERO);
        expect(r.explanation).not.toMatch(/ of 0(\.0+)?%|more\)/);
        expect(namedEvents(r.explanation)).toBeLessThanOrEqual(2);
        expect(r.explanation.length).toBeLessThanOrEqual(MAX_LENGTH);
        // Named events are material: at least 1% of the limit here.
        for (const m of r.explanation.matchAll(/(?:step of \+|drop of |rise of )([\d.]+)%/g)) expect(Number(m[1])).toBeGreaterThanOrEqual(1);
        for (const e of r.events) if (e.kind === 'step' || e.kind === 'drop' || e.kind === 'transient') expect(Math.abs(e.size)).toBeGreaterThanOrEqual(1);
      }
    });
  }

  it('names a deleted spike once, not also as a drop', () => {
    const points = series(3 * DAY, 300, (t) => 100 * GB + (1 * GB * (t - NOW)) / DAY + (t >= NOW - 5 * HOUR && t < NOW - 2 * HOUR ? 40 * GB : 0));
    const r = forecastTimeToLimit({ points, limit: 200 * GB, now: NOW }, { unit: 'bytes' });
    expect(r.explanation).toMatch(/temporary rise of 40 GB/);
    expect(namedEvents(r.explanation)).toBe(1);
    expect(r.explanation).not.toMatch(/drop of/);
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
      if (r.method !== 'recent-trend' || /step|level shift/.test(r.explanation)) bad++;
    }
    expect(bad).toBe(0);
  });
});

describe('wording: every scenario kind', () => {
  it('gives one short line without signed zeros, zero rates or more than two named events', () => {
    for (const s of generateForecastScenarios({ perKind: 6, seed: 31337, kinds: [...SCENARIO_KINDS, ...HELD_OUT_KINDS] })) {
      const parsed = parseForecastDocument(s.document);
      if ('error' in parsed) throw new Error(parsed.error);
      const text = forecastTimeToLimit(parsed.input, { unit: parsed.unit }).explanation;
      const where = `${s.id}: ${text}`;
      expect(text.length, where).toBeLessThanOrEqual(MAX_LENGTH);
      expect(text, where).not.toMatch(/\n/);
      expect(text, where).not.toMatch(SIGNED_ZERO);
      expect(text, where).not.toMatch(/(^|[^\d.])0 ?([KMGTP]?B|%)?\/(h|day)/);
      expect(text, where).not.toMatch(/drop of -|more\)/);
      expect(namedEvents(text), where).toBeLessThanOrEqual(2);
    }
  });
});

describe('wording: the graph subtitle', () => {
  it('names the newer methods in words, not ids', () => {
    const points = series(2 * DAY, 300, (t) => 50 * GB + (t - NOW) * (GB / DAY));
    const r = forecastTimeToLimit({ points, limit: 100 * GB, now: NOW }, { unit: 'bytes' });
    const resource = {
      pair: { used: 'filesystem.xvda1.used', size: 'filesystem.xvda1.size', label: '/dev/xvda1', mode: 'absolute' as const },
      unit: 'bytes' as const,
      points,
      limit: 100 * GB,
    };
    const subtitle = (method: ForecastResult['method']) =>
      buildForecastGraphSpec({ title: 'web-1 /dev/xvda1', resource, forecast: { ...r, method }, timeZone: 'UTC', now: NOW }).subtitle ?? '';
    expect(subtitle('cycle-envelope')).toMatch(/peaks of the repeating cycle/);
    expect(subtitle('uncertain')).toMatch(/can't tell yet/);
    expect(subtitle('cycle-envelope')).not.toMatch(/cycle-envelope/);
  });
});
