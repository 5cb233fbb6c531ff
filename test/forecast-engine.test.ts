import { describe, expect, it } from 'vitest';
import { describeForecastText } from '../src/handlers/present/forecast-story.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { forecastTimeToLimit, guessUnit, parseForecastDocument } from '../src/services/forecast/index.ts';
import type { MetricPoint } from '../src/services/forecast/index.ts';
import { generateForecastScenarios, SCENARIO_KINDS } from '../scripts/forecast-scenarios.ts';

const MIN = 60;
const HOUR = 3600;
const DAY = 86400;
const GB = 1e9;
const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

/** Deterministic small noise. */
function noise(i: number, scale: number): number {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return (x - Math.floor(x) - 0.5) * 2 * scale;
}

function series(span: number, step: number, level: (t: number) => number, noiseScale = 0): MetricPoint[] {
  const out: MetricPoint[] = [];
  let i = 0;
  for (let t = NOW - span; t <= NOW; t += step) out.push({ time: t, value: level(t) + noise(i++, noiseScale) });
  return out;
}

function ols(points: MetricPoint[]): { slope: number; at: (t: number) => number } {
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.time, 0) / n;
  const mv = points.reduce((a, p) => a + p.value, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.time - mt) ** 2;
    sxy += (p.time - mt) * (p.value - mv);
  }
  const slope = sxy / sxx;
  return { slope, at: (t) => mv + slope * (t - mt) };
}

describe('forecastTimeToLimit: patterns', () => {
  it('agrees with least squares within 5% on clean linear growth', () => {
    const points = series(3 * DAY, 5 * MIN, (t) => 40 * GB + (t - NOW) * ((5 * GB) / DAY), 0.05 * GB);
    const r = forecastTimeToLimit({ points, limit: 50 * GB, now: NOW }, { unit: 'bytes' });
    const line = ols(points);
    const olsTtl = (50 * GB - line.at(NOW)) / line.slope;
    expect(r.method).toBe('linear');
    expect(r.secondsToLimit).not.toBeNull();
    expect(Math.abs((r.secondsToLimit as number) / olsTtl - 1)).toBeLessThan(0.05);
    expect(r.low as number).toBeLessThanOrEqual(r.secondsToLimit as number);
    expect(r.high as number).toBeGreaterThanOrEqual(r.secondsToLimit as number);
    expect(r.story).toMatchObject({ kind: 'trend', direction: 'growing', per: 'day', basis: { kind: 'span' }, previous: null, swing: null });
    expect(r.story.kind === 'trend' && r.story.ratePerSecond * DAY).toBeCloseTo(5 * GB, -8);
  });

  it('treats a writer that started 40 minutes ago as a new trend', () => {
    const start = NOW - 40 * MIN;
    const points = series(2 * DAY, MIN, (t) => 60 * GB + Math.max(0, t - start) * ((10 * GB) / HOUR), 0.02 * GB);
    const r = forecastTimeToLimit({ points, limit: 100 * GB, now: NOW }, { unit: 'bytes' });
    expect(r.method).toBe('recent-trend');
    // 33 GB headroom at 10 GB/h: about 3.3 h
    expect(r.secondsToLimit as number).toBeGreaterThan(2.8 * HOUR);
    expect(r.secondsToLimit as number).toBeLessThan(3.8 * HOUR);
    expect(r.story).toMatchObject({ kind: 'trend', direction: 'growing', basis: { kind: 'since' }, previous: { kind: 'flat' } });
    const since = r.story.kind === 'trend' && r.story.basis.kind === 'since' ? r.story.basis.time : 0;
    expect(Math.abs(since - start)).toBeLessThanOrEqual(5 * MIN);
    // Worded in the team's zone: 23:20 UTC is 08:20 in Tokyo.
    expect(describeForecastText(r, createPresenter({ language: 'en', timeZone: 'Asia/Tokyo', now: () => NOW }))).toContain('since 08:');
    expect(r.window?.from).toBeGreaterThanOrEqual(start - 2 * MIN);
  });

  it('uses the net growth of a daily rotation sawtooth, not the climb inside a day', () => {
    const phase = 4 * HOUR;
    const level = (t: number) => {
      const cycleStart = Math.floor((t - phase) / DAY) * DAY + phase;
      return 50 * GB + ((cycleStart - NOW) / DAY) * 0.5 * GB + (t - cycleStart) * ((8 * GB) / DAY);
    };
    const points = series(7 * DAY, 5 * MIN, level, 0.05 * GB);
    const r = forecastTimeToLimit({ points, limit: 70 * GB, now: NOW }, { unit: 'bytes' });
    expect(r.method).toBe('rotation-adjusted');
    expect(r.secondsToLimit).toBeNull(); // peaks ~58 GB growing 0.5 GB/day: > 14 days
    expect(r.cycle?.periodSeconds).toBeCloseTo(DAY, -3);
    expect(r.cycle?.netRatePerSecond as number).toBeGreaterThan((0.3 * GB) / DAY);
    expect(r.story).toMatchObject({ kind: 'cleanups', pattern: { kind: 'daily' }, runaway: null });
    if (r.story.kind !== 'cleanups' || r.story.pattern.kind !== 'daily') throw new Error('not a daily rotation');
    expect(Math.abs((r.story.pattern.lastAt % DAY) - 4 * HOUR)).toBeLessThanOrEqual(10 * MIN);
    expect(r.story.netRatePerSecond * DAY).toBeGreaterThan(0.3 * GB);
    expect(r.story.netRatePerSecond * DAY).toBeLessThan(0.6 * GB);
    // least squares over the last 6 hours would have said about 1.5 days
  });

  it('ignores a spike that was written and deleted', () => {
    const level = (t: number) => 70 * GB + (t - NOW) * ((0.1 * GB) / DAY) + (t > NOW - 4 * HOUR && t < NOW - HOUR ? ((t - NOW + 4 * HOUR) / (3 * HOUR)) * 20 * GB : 0);
    const points = series(5 * DAY, 5 * MIN, level, 0.05 * GB);
    const r = forecastTimeToLimit({ points, limit: 100 * GB, now: NOW }, { unit: 'bytes' });
    expect(r.secondsToLimit).toBeNull();
    expect(r.events.some((e) => e.kind === 'drop')).toBe(true);
    expect(r.window?.from as number).toBeLessThan(NOW - 2 * DAY); // the baseline before the spike is used
  });

  it('treats a one-time step as a level shift, not a slope', () => {
    const level = (t: number) => 40 * GB + (t - NOW) * ((1 * GB) / DAY) + (t >= NOW - 6 * HOUR ? 10 * GB : 0);
    const points = series(4 * DAY, 5 * MIN, level, 0.03 * GB);
    const r = forecastTimeToLimit({ points, limit: 60 * GB, now: NOW }, { unit: 'bytes' });
    expect(r.method).toBe('level-shift-adjusted');
    // 10 GB headroom at 1 GB/day: about 10 days, not the hours a fit through the step would say
    expect(r.secondsToLimit as number).toBeGreaterThan(8 * DAY);
    expect(r.secondsToLimit as number).toBeLessThan(12 * DAY);
    expect(r.story).toMatchObject({ kind: 'trend', adjustments: [{ kind: 'level-shift', earlierShifts: 0 }] });
    const shift = r.story.kind === 'trend' ? r.story.adjustments[0] : undefined;
    expect(shift?.kind === 'level-shift' && shift.size).toBeCloseTo(10 * GB, -9);
  });

  it('says flat for high but steady usage', () => {
    const points = series(3 * DAY, 5 * MIN, () => 95 * GB, 0.2 * GB);
    const r = forecastTimeToLimit({ points, limit: 100 * GB, now: NOW }, { unit: 'bytes' });
    expect(r.method).toBe('flat');
    expect(r.secondsToLimit).toBeNull();
    expect(r.story).toMatchObject({ kind: 'trend', direction: 'flat' });
    expect(r.story.kind === 'trend' && r.story.level).toBeCloseTo(95 * GB, -9);
  });

  it('says shrinking for decreasing usage', () => {
    const points = series(2 * DAY, 5 * MIN, (t) => 50 + (t - NOW) * (-5 / DAY), 0.1);
    const r = forecastTimeToLimit({ points, limit: 100, now: NOW }, { unit: 'percent' });
    expect(r.method).toBe('shrinking');
    expect(r.secondsToLimit).toBeNull();
    expect(r.ratePerSecond as number).toBeLessThan(0);
  });

  it('does not invent growth from noise', () => {
    const points = series(2 * DAY, 5 * MIN, () => 60 * GB, 3 * GB);
    const r = forecastTimeToLimit({ points, limit: 100 * GB, now: NOW }, { unit: 'bytes' });
    expect(r.secondsToLimit).toBeNull();
    expect(['flat', 'shrinking']).toContain(r.method);
  });

  it('reports already full as 0', () => {
    const points = series(DAY, 5 * MIN, () => 100.5, 0.01);
    const r = forecastTimeToLimit({ points, limit: 100, now: NOW }, { unit: 'percent' });
    expect(r.method).toBe('already-full');
    expect(r.secondsToLimit).toBe(0);
  });

  it('says so instead of guessing on a very short history', () => {
    const points = series(10 * MIN, MIN, (t) => 90 + (t - NOW) * 0.01);
    const r = forecastTimeToLimit({ points, limit: 100, now: NOW });
    expect(r.method).toBe('insufficient-data');
    expect(r.secondsToLimit).toBeNull();
    expect(r.story).toEqual({ kind: 'too-little-history', points: 11, spanSeconds: 10 * MIN, minPoints: 6, minSeconds: 30 * MIN });
  });

  it('handles unsorted, duplicated, NaN and gappy irregular input like the clean series', () => {
    const level = (t: number) => 30 * GB + (t - NOW) * ((2 * GB) / DAY);
    const clean = series(3 * DAY, 5 * MIN, level);
    const messy: MetricPoint[] = clean.filter((p, i) => i % 3 !== 0 && !(p.time > NOW - 30 * HOUR && p.time < NOW - 20 * HOUR));
    messy.push({ ...messy[10] }, { ...messy[200] }, { time: NOW - 100, value: Number.NaN }, { time: NOW + 3600, value: 99 * GB });
    messy.reverse();
    const a = forecastTimeToLimit({ points: clean, limit: 40 * GB, now: NOW });
    const b = forecastTimeToLimit({ points: messy, limit: 40 * GB, now: NOW });
    expect(b.pointsDiscarded).toBeGreaterThanOrEqual(4);
    expect(b.secondsToLimit as number).toBeCloseTo(a.secondsToLimit as number, -3);
    expect(b.secondsToLimit as number).toBeCloseTo(5 * DAY, -4);
  });

  it('drops a single-point glitch', () => {
    const points = series(DAY, 5 * MIN, (t) => 50 + (t - NOW) * (10 / DAY), 0.05);
    points[points.length - 5].value = 99.9;
    const r = forecastTimeToLimit({ points, limit: 100, now: NOW });
    expect(r.events.some((e) => e.kind === 'outlier')).toBe(true);
    expect(r.secondsToLimit as number).toBeCloseTo(5 * DAY, -4);
  });

  it('returns geometry for a graph that passes through the current level', () => {
    const points = series(DAY, 5 * MIN, (t) => 10 + (t - NOW) * (20 / DAY));
    const r = forecastTimeToLimit({ points, limit: 20, now: NOW });
    expect(r.projection?.from.time).toBe(NOW);
    expect(r.projection?.to.value as number).toBeCloseTo(20, 3);
    expect(r.fitted?.to.value as number).toBeCloseTo(r.currentValue as number, 6);
    expect(r.trend?.slope as number).toBeCloseTo(20 / DAY, 8);
  });
});

describe('forecastTimeToLimit: malformed input', () => {
  it('rejects a non-finite limit or now', () => {
    expect(() => forecastTimeToLimit({ points: [], limit: Number.NaN, now: NOW })).toThrow(RangeError);
    expect(() => forecastTimeToLimit({ points: [], limit: 1, now: Number.POSITIVE_INFINITY })).toThrow(RangeError);
  });

  it('answers insufficient-data when no point is usable', () => {
    const r = forecastTimeToLimit({
      points: [
        { time: NOW + 10, value: 1 },
        { time: Number.NaN, value: 2 },
      ],
      limit: 10,
      now: NOW,
    });
    expect(r.method).toBe('insufficient-data');
    expect(r.pointsUsed).toBe(0);
  });
});

describe('parseForecastDocument', () => {
  it('validates the contract shape', () => {
    expect(parseForecastDocument([])).toHaveProperty('error');
    expect(parseForecastDocument({ now: 1, metrics: [] })).toEqual({ code: 'bad_limit', error: expect.stringContaining('"limit"') });
    expect(parseForecastDocument({ limit: 1, metrics: [] })).toEqual({ code: 'bad_now', error: expect.stringContaining('"now"') });
    expect(parseForecastDocument({ limit: 1, now: 1, metrics: {} })).toEqual({ code: 'bad_metrics', error: expect.stringContaining('"metrics"') });
    expect(parseForecastDocument({ limit: 1, now: 1, metrics: [{ time: 1 }] })).toEqual({ code: 'no_usable_points', error: expect.stringContaining('no usable points') });
    const ok = parseForecastDocument({ name: 'filesystem.xvda1.used', limit: 1, now: 1, metrics: [{ time: 1, value: 0 }] });
    expect(ok).toMatchObject({ name: 'filesystem.xvda1.used', unit: 'bytes' });
  });

  it('guesses the wording unit from the metric name', () => {
    expect(guessUnit('memory.used')).toBe('bytes');
    expect(guessUnit('custom.disk.percentage')).toBe('percent');
    expect(guessUnit('custom.queue.length')).toBe('number');
  });
});

describe('scenario generator', () => {
  it('is deterministic and covers every kind with a truth', () => {
    const a = generateForecastScenarios({ perKind: 2, seed: 1 });
    const b = generateForecastScenarios({ perKind: 2, seed: 1 });
    expect(a).toEqual(b);
    expect(new Set(a.map((s) => s.kind)).size).toBe(SCENARIO_KINDS.length);
    expect(a.filter((s) => s.kind === 'already-full').every((s) => s.truth.secondsToLimit === 0)).toBe(true);
  });

  it('gets urgency right on most generated scenarios', () => {
    const scenarios = generateForecastScenarios({ perKind: 6, seed: 99 }).filter((s) => !s.truth.expectedMethod);
    let right = 0;
    for (const s of scenarios) {
      const p = forecastTimeToLimit({ points: s.document.metrics, limit: s.document.limit, now: s.document.now }).secondsToLimit;
      const t = s.truth.secondsToLimit;
      if ((p !== null && p <= DAY) === (t !== null && t <= DAY)) right++;
    }
    expect(right / scenarios.length).toBeGreaterThan(0.9);
  });
});

describe('regressions found with the scenario generator', () => {
  it('counts repeated steps up (a daily import) as growth, not as level shifts', () => {
    const level = (t: number) => 20 * GB + Math.floor((t - NOW) / DAY) * 5 * GB;
    const points = series(6 * DAY, 5 * MIN, level, 0.02 * GB);
    const r = forecastTimeToLimit({ points, limit: 40 * GB, now: NOW }, { unit: 'bytes' });
    // 20 GB headroom at about 5 GB/day: days, not "never"
    expect(r.secondsToLimit).not.toBeNull();
    expect(r.secondsToLimit as number).toBeLessThan(6 * DAY);
  });

  it('sees a steep writer sampled every minute as a trend, not a run of steps', () => {
    const start = NOW - 15 * MIN;
    const points = series(DAY, MIN, (t) => 50 * GB + Math.max(0, t - start) * ((30 * GB) / HOUR), 0.01 * GB);
    const r = forecastTimeToLimit({ points, limit: 100 * GB, now: NOW }, { unit: 'bytes' });
    // 42.5 GB headroom at 30 GB/h: 85 min
    expect(r.secondsToLimit as number).toBeGreaterThan(70 * MIN);
    expect(r.secondsToLimit as number).toBeLessThan(100 * MIN);
  });
});

describe('median (quickselect)', async () => {
  const { median } = await import('../src/services/forecast/robust-stats.ts');
  it('matches the sorted definition', () => {
    for (let n = 1; n < 40; n++) {
      const xs = Array.from({ length: n }, (_, i) => Math.round(noise(i * n, 50)));
      const s = [...xs].sort((a, b) => a - b);
      const h = n >> 1;
      expect(median(xs)).toBe(n % 2 ? s[h] : (s[h - 1] + s[h]) / 2);
    }
  });
});
