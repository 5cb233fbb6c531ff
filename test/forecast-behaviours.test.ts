import { describe, expect, it } from 'vitest';
import { forecastTimeToLimit } from '../src/services/forecast/index.ts';
import type { MetricPoint } from '../src/services/forecast/index.ts';

const MIN = 60;
const HOUR = 3600;
const DAY = 86400;
const GB = 1e9;
const NOW = 1_767_225_600 + 7 * HOUR; // a Thursday, 07:00 UTC

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

const run = (points: MetricPoint[], limit: number) => forecastTimeToLimit({ points, limit, now: NOW }, { unit: 'bytes' });

describe('forecastTimeToLimit: behaviours beyond a straight line', () => {
  it('reads the up-swing of a series that stays inside a band as a swing, not a new trend', () => {
    // 80–90 GB of 100 GB, swinging irregularly (no clean period) for six days; now in an up-swing.
    const level = (t: number) => 85 * GB - 5 * GB * Math.cos((2 * Math.PI * (t - NOW + 6 * HOUR)) / (30 * HOUR) + 2.5 * Math.sin((2 * Math.PI * (t - NOW)) / (81 * HOUR)));
    const r = run(series(6 * DAY, 5 * MIN, level, 0.1 * GB), 100 * GB);
    expect(r.secondsToLimit).toBeNull();
    expect(r.story).toMatchObject({ kind: 'trend', swing: { kind: 'usual-swing' } });
  });

  it('does not extrapolate a few minutes of churn on a noisy series', () => {
    const level = (t: number) => 70 * GB + (t > NOW - 12 * MIN ? 1.5 * GB : 0) * Math.min(1, (t - NOW + 12 * MIN) / (6 * MIN));
    const r = run(series(3 * DAY, MIN, level, 1 * GB), 100 * GB);
    expect(r.secondsToLimit === null || (r.secondsToLimit as number) > DAY).toBe(true);
  });

  it('stays quiet at night on a business-hours writer whose nightly batch deletes the day', () => {
    // Weekdays 09:00–18:00 write 20 GB; 01:00 deletes it all; the peaks reach 80 GB of 100 GB.
    const level = (t: number) => {
      const hour = (((t % DAY) + DAY) % DAY) / HOUR;
      const weekday = (Math.floor(t / DAY) + 4) % 7;
      const written = weekday === 0 || weekday === 6 ? 0 : Math.min(1, Math.max(0, (hour - 9) / 9));
      return 60 * GB + (hour >= 1 ? 20 * GB * written : 0);
    };
    const r = run(series(7 * DAY, 5 * MIN, level, 0.05 * GB), 100 * GB);
    expect(r.secondsToLimit).toBeNull();
  });

  it('ends an OOM cycle at its cap below the limit, through restart dips', () => {
    // Climbs from 30% to 88% in 14 h, sits at the cap, is killed (one low sample) and restarts.
    const cycle = 15 * HOUR;
    const level = (t: number) => {
      const phase = (((t - NOW + 11 * HOUR) % cycle) + cycle) % cycle;
      if (phase < 5 * MIN) return 5 * GB;
      return 30 * GB + 58 * GB * Math.min(1, phase / (14 * HOUR));
    };
    const r = run(series(7 * DAY, 5 * MIN, level, 0.1 * GB), 100 * GB);
    expect(r.secondsToLimit).toBeNull();
  });

  it('reaches the limit with a leak whose cycles plateau at the limit itself', () => {
    const cycle = 15 * HOUR;
    const level = (t: number) => {
      const phase = (((t - NOW + 7 * HOUR) % cycle) + cycle) % cycle;
      if (phase < 5 * MIN) return 5 * GB;
      return 30 * GB + 70 * GB * Math.min(1, phase / (14 * HOUR));
    };
    const r = run(series(7 * DAY, 5 * MIN, level, 0.1 * GB), 100 * GB);
    // 7 h into a 14 h climb: about 7 h to go.
    expect(r.secondsToLimit).not.toBeNull();
    expect(r.secondsToLimit as number).toBeGreaterThan(5 * HOUR);
    expect(r.secondsToLimit as number).toBeLessThan(9 * HOUR);
  });

  it('sees a retry storm whose log rate doubles as accelerating, not as a straight line', () => {
    // Started 10 h ago at 0.2 GB/h, doubling every 3 h; 30 GB of headroom left: about 6.5 h, where the
    // last hour's straight line says about 17 h.
    const k = Math.LN2 / (3 * HOUR);
    const started = NOW - 10 * HOUR;
    const level = (t: number) => 300 * GB + (t < started ? 0 : ((0.2 * GB) / HOUR / k) * (Math.exp(k * (t - started)) - 1));
    const limit = level(NOW) + 30 * GB;
    const r = run(series(3 * DAY, MIN, level, 0.02 * GB), limit);
    const truth = Math.log(1 + ((limit - 300 * GB) * k * HOUR) / (0.2 * GB)) / k - 10 * HOUR;
    expect(r.secondsToLimit).not.toBeNull();
    expect(Math.abs(Math.log((r.secondsToLimit as number) / truth))).toBeLessThan(Math.log(1.5));
    expect(r.story.kind).toBe('accelerating');
  });

  it('sees a cache levelling off below the limit as not filling it', () => {
    const started = NOW - 20 * HOUR;
    const level = (t: number) => (t < started ? 10 * GB : 85 * GB - 75 * GB * Math.exp(-(t - started) / (8 * HOUR)));
    const r = run(series(3 * DAY, 5 * MIN, level, 0.1 * GB), 100 * GB);
    expect(r.secondsToLimit).toBeNull();
  });

  it('counts a staircase by its steps, not by the minutes of writing of the last one', () => {
    // 2 GB written over 10 minutes every 6 h; the last step ended 2 min ago. 40 GB left: about 5 days.
    const every = 6 * HOUR;
    const level = (t: number) => {
      const k = Math.floor((t - NOW + 12 * MIN) / every);
      const into = t - NOW + 12 * MIN - k * every;
      return 60 * GB + 2 * GB * (k + Math.min(1, into / (10 * MIN)));
    };
    const r = run(series(4 * DAY, MIN, level, 0.02 * GB), 100 * GB);
    expect(r.secondsToLimit === null || (r.secondsToLimit as number) > 2 * DAY).toBe(true);
  });

  it('reads a small hourly rotation hidden in noise by its net growth', () => {
    const level = (t: number) => {
      const start = Math.floor(t / HOUR) * HOUR;
      return 90 * GB + ((t - NOW) * 0.3 * GB) / DAY + (0.6 * GB * (t - start)) / HOUR;
    };
    const r = run(series(2 * DAY, MIN, level, 0.15 * GB), 100 * GB);
    // The climb inside the hour (0.6 GB/h) would say about 16 h; the net growth (0.3 GB/day) says weeks.
    expect(r.secondsToLimit === null || (r.secondsToLimit as number) > 3 * DAY).toBe(true);
  });

  it('knows image GC from two cleanups at the same high watermark', () => {
    // 70% → 85% in 30 h, then GC back to 70%; now at 84%.
    const period = 30 * HOUR;
    const level = (t: number) => 70 * GB + (15 * GB * ((((t - NOW + 28 * HOUR) % period) + period) % period)) / period;
    const r = run(series(3 * DAY, 5 * MIN, level, 0.05 * GB), 100 * GB);
    expect(r.secondsToLimit).toBeNull();
  });
});
