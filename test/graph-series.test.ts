import { describe, expect, it } from 'vitest';
import { prepareSeries } from '../src/services/graph/decimate.ts';

const breaks = (xy: { y: number | null }[]) => xy.filter((p) => p.y === null).length;

describe('graph series preparation', () => {
  it('keeps a week of 30-minute points joined to the last hours of 1-minute points (Mackerel granularity)', () => {
    const now = 1_800_000_000;
    const coarse = Array.from({ length: 330 }, (_, i) => ({ time: now - 7 * 86400 + i * 1800, value: i }));
    const fine = Array.from({ length: 360 }, (_, i) => ({ time: now - 6 * 3600 + i * 60, value: 400 + i }));
    const xy = prepareSeries([...fine, ...coarse], 500);
    expect(breaks(xy)).toBe(0);
    expect(xy).toHaveLength(690);
  });

  it('still breaks the line where data is missing, in fine and in coarse parts', () => {
    const fine = Array.from({ length: 100 }, (_, i) => ({ time: i < 50 ? i * 60 : 3 * 3600 + i * 60, value: i }));
    expect(breaks(prepareSeries(fine, 500))).toBe(1);
    const coarse = Array.from({ length: 40 }, (_, i) => ({ time: i < 20 ? i * 1800 : 86400 + i * 1800, value: i }));
    expect(breaks(prepareSeries(coarse, 500))).toBe(1);
  });

  it('drops non-finite values and sorts', () => {
    const xy = prepareSeries(
      [
        { time: 3, value: 1 },
        { time: 1, value: Number.NaN },
        { time: 2, value: 2 },
      ],
      500,
    );
    expect(xy).toEqual([
      { x: 2, y: 2 },
      { x: 3, y: 1 },
    ]);
  });
});
