import { describe, expect, it } from 'vitest';
import { forecastTimeToLimit } from '../src/services/forecast/index.ts';
import type { MetricPoint } from '../src/services/forecast/index.ts';
import { decideMention, parseCalendar } from '../src/services/urgency/index.ts';

const MIN = 60;
const HOUR = 3600;
const DAY = 86400;
const GB = 1e9;
const NOW = 1_767_225_600;

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

describe('forecastTimeToLimit: cycles, caps and bursts', () => {
  it("ends a daily cycle's projection on the limit at its ETA (a graph shows one moment, not two)", () => {
    // A daily swing of ±5 % whose peaks rise 5 %/day from 89 %: the limit is met at a peak.
    const level = (t: number) => 84 + 5 * ((t - NOW) / DAY) + 5 * Math.sin((2 * Math.PI * (t - NOW)) / DAY);
    const r = forecastTimeToLimit({ points: series(7 * DAY, 5 * MIN, level, 0.1), limit: 100, now: NOW }, { unit: 'percent' });
    expect(r.secondsToLimit).not.toBeNull();
    if (r.method === 'cycle-envelope') {
      expect(r.projection?.to).toEqual({ time: NOW + (r.secondsToLimit as number), value: 100 });
      if (r.low !== null) expect(r.projection?.lowTo).toEqual({ time: NOW + r.low, value: 100 });
    }
    // Whatever model told it, the projection reaches the limit no later than the ETA, and not long before.
    const to = r.projection!.to;
    const at = to.value >= 100 ? to.time - ((to.value - 100) / (to.value - r.projection!.from.value)) * (to.time - r.projection!.from.time) : Infinity;
    expect(Math.abs(at - (NOW + (r.secondsToLimit as number)))).toBeLessThan(0.05 * (r.secondsToLimit as number) + HOUR);
  });

  it('reads hourly rotation by its peaks, not by the climb inside the hour', () => {
    // Each hour climbs 0.5 GB and rotation removes it; the peaks creep 0.05 GB/h toward 100 GB from 95 GB.
    const level = (t: number) => {
      const start = Math.floor(t / HOUR) * HOUR;
      return 94.5 * GB + 0.05 * GB * ((start - NOW) / HOUR) + (0.5 * GB * (t - start)) / HOUR;
    };
    const r = forecastTimeToLimit({ points: series(7 * DAY, 5 * MIN, level, 0.01 * GB), limit: 100 * GB, now: NOW }, { unit: 'bytes' });
    // 5 GB of headroom at 0.05 GB/h of peak growth: about 100 h, not the ~10 h the in-hour climb says.
    expect(r.secondsToLimit === null || (r.secondsToLimit as number) > 2 * DAY).toBe(true);
    // Told as cycles (cleanups or a repeating pattern), not as a trend.
    expect(['cleanups', 'cycle', 'capped-cycle']).toContain(r.story.kind);
  });

  it('keeps a copy that ended minutes ago as a level shift, not as the trend', () => {
    const ended = NOW - 8 * MIN;
    const lasted = 40 * MIN;
    const level = (t: number) => 50 * GB + (t - NOW) * ((1 * GB) / DAY) + 20 * GB * Math.min(1, Math.max(0, (t - ended + lasted) / lasted)) - 20 * GB;
    const points = [...series(5 * DAY, 5 * MIN, level, 0.02 * GB).filter((p) => p.time < NOW - 6 * HOUR), ...series(6 * HOUR, MIN, level, 0.02 * GB)];
    const r = forecastTimeToLimit({ points, limit: 100 * GB, now: NOW }, { unit: 'bytes' });
    // 50 GB headroom at 1 GB/day: not within 14 days; the copy's 30 GB/h would say under 2 h.
    expect(r.secondsToLimit === null || (r.secondsToLimit as number) > 5 * DAY).toBe(true);
    const adjustments = r.story.kind === 'trend' ? r.story.adjustments : [];
    expect(adjustments.map((a) => a.kind)).not.toContain('deleted-rise');
    expect(adjustments.map((a) => a.kind)).not.toContain('deleted-plateau');
  });

  it('does not extrapolate a memory leak past the cap that stopped every earlier cycle', () => {
    // Climbs from 20% to a cap at 90% of the limit in 10 h, then restarts.
    const climb = 10 * HOUR;
    const level = (t: number) => 20 + (70 * (((t % climb) + climb) % climb)) / climb;
    const r = forecastTimeToLimit({ points: series(7 * DAY, 5 * MIN, level, 0.2), limit: 100, now: NOW }, { unit: 'percent' });
    expect(r.secondsToLimit).toBeNull();
  });

  it('says when the same leak reaches the limit itself', () => {
    const climb = 30 * HOUR;
    const phase = 10 * HOUR; // now is 10 h into a climb from 30% to 100%
    const level = (t: number) => 30 + (70 * ((((t - NOW + phase) % climb) + climb) % climb)) / climb;
    const r = forecastTimeToLimit({ points: series(7 * DAY, 5 * MIN, level, 0.2), limit: 100, now: NOW }, { unit: 'percent' });
    expect(r.secondsToLimit).not.toBeNull();
    expect(r.secondsToLimit as number).toBeGreaterThan(14 * HOUR);
    expect(r.secondsToLimit as number).toBeLessThan(26 * HOUR);
  });

  it('stays quiet on a slow oscillation inside a band just under the limit', () => {
    const level = (t: number) => 95 + 1.5 * Math.sin((2 * Math.PI * t) / (9 * HOUR));
    const r = forecastTimeToLimit({ points: series(7 * DAY, 5 * MIN, level, 0.05), limit: 100, now: NOW }, { unit: 'percent' });
    expect(r.secondsToLimit).toBeNull();
  });
});

describe('mention policy with an uncertain forecast', () => {
  const calendar = parseCalendar({ timezone: 'UTC', hours: '09:00-17:00' });
  const policy = { mentionOnCritical: true, marginMinutes: 60, urgentWithinMinutes: 120 };
  const uncertain = { secondsToLimit: null, low: 30 * MIN, high: null, method: 'uncertain' };
  it('does not mention for an uncertain forecast alone, even with a near earliest time', () => {
    const d = decideMention({ now: NOW, status: 'WARNING', forecast: uncertain, calendar, policy });
    expect(d).toMatchObject({ mention: false, code: 'uncertain-forecast' });
  });
  it('still mentions a CRITICAL alert', () => {
    expect(decideMention({ now: NOW, status: 'CRITICAL', forecast: uncertain, calendar, policy }).mention).toBe(true);
  });
});
