import { loadImage, createCanvas } from '@napi-rs/canvas';
import { describe, expect, it, vi } from 'vitest';
import { fitTimeWindow, GRAPH_COLORS, outlineGraph, renderForecastGraph, safeRenderGraph, type GraphSpec } from '../src/services/graph/index.ts';
import { niceTicks, timeTicks, formatTimeTick, formatValueAuto } from '../src/services/graph/format.ts';
import { diskWords } from './fixtures/graphs/reference-specs.ts';
import { prepareSeries } from '../src/services/graph/decimate.ts';
import { encodePngFast } from '../src/services/graph/png.ts';

const GiB = 1024 ** 3;
const NOW = 1763700000; // Fri 2025-11-21 13:40 JST
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function spec(overrides: Partial<GraphSpec> = {}): GraphSpec {
  const series = Array.from({ length: 7 * 288 }, (_, i) => {
    const time = NOW - (7 * 288 - i) * 300;
    return { time, value: 10 * GiB + (time - (NOW - 7 * 86400)) * ((20 * GiB) / (7 * 86400)) };
  });
  return {
    title: 'web-01 /dev/xvda1 ディスク',
    subtitle: 'filesystem.xvda1.used',
    language: 'en',
    words: diskWords('en'),
    unit: 'bytes',
    timeZone: 'Asia/Tokyo',
    now: NOW,
    series,
    trend: { from: { time: NOW - 7 * 86400, value: 10 * GiB }, to: { time: NOW, value: 30 * GiB } },
    projection: {
      from: { time: NOW, value: 30 * GiB },
      to: { time: NOW + 3 * 86400, value: 40 * GiB },
      low: { time: NOW + 2 * 86400, value: 40 * GiB },
      high: { time: NOW + 5 * 86400, value: 40 * GiB },
    },
    thresholds: { warning: 32 * GiB, critical: 36 * GiB, limit: 40 * GiB },
    eta: { time: NOW + 3 * 86400, label: 'full ~Mon 13:40 JST (in ~3 days)' },
    width: 800,
    height: 400,
    ...overrides,
  };
}

/** A percent metric's history alone (no trend, projection or ETA). */
function percentSpec(series: GraphSpec['series'], overrides: Partial<GraphSpec> = {}): GraphSpec {
  return spec({ unit: 'percent', words: diskWords('en', true), series, trend: undefined, projection: undefined, eta: undefined, ...overrides });
}

async function pixels(png: Buffer) {
  const img = await loadImage(png);
  const canvas = createCanvas(img.width, img.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { width: img.width, height: img.height, data: ctx.getImageData(0, 0, img.width, img.height).data };
}

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Count of pixels within `tol` of the colour on every channel. */
function countColor(data: Uint8ClampedArray, hex: string, tol = 8): number {
  const [r, g, b] = rgb(hex);
  let n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - r) <= tol && Math.abs(data[i + 1] - g) <= tol && Math.abs(data[i + 2] - b) <= tol) n++;
  }
  return n;
}

function variance(data: Uint8ClampedArray): number {
  let sum = 0;
  let sq = 0;
  const n = data.length / 4;
  for (let i = 0; i < data.length; i += 4) {
    const l = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sum += l;
    sq += l * l;
  }
  return sq / n - (sum / n) ** 2;
}

describe('renderForecastGraph', () => {
  it('renders a valid, non-blank PNG of the requested size with the threshold colours', async () => {
    const png = await renderForecastGraph(spec());
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const { width, height, data } = await pixels(png);
    expect([width, height]).toEqual([800, 400]);
    expect(variance(data)).toBeGreaterThan(100);
    expect(countColor(data, GRAPH_COLORS.limit)).toBeGreaterThan(300); // a 3 px line across the plot
    expect(countColor(data, GRAPH_COLORS.critical)).toBeGreaterThan(300);
    expect(countColor(data, GRAPH_COLORS.history)).toBeGreaterThan(300);
    expect(countColor(data, GRAPH_COLORS.eta)).toBeGreaterThan(100);
  });

  it('without thresholds, their colours are absent (the colour check can fail)', async () => {
    const { data } = await pixels(await renderForecastGraph(spec({ thresholds: undefined, eta: undefined })));
    expect(countColor(data, GRAPH_COLORS.limit, 4)).toBeLessThan(20);
  });

  it('uses the default size', async () => {
    const { width, height } = await pixels(await renderForecastGraph(spec({ width: undefined, height: undefined })));
    expect([width, height]).toEqual([1000, 500]);
  });

  it('renders "no data" for an empty series, and a lone point', async () => {
    for (const series of [[], [{ time: NOW - 600, value: 5 * GiB }]]) {
      const png = await renderForecastGraph({ title: 'empty', language: 'en', words: diskWords(), unit: 'bytes', timeZone: 'Asia/Tokyo', now: NOW, series });
      const { width, data } = await pixels(png);
      expect(width).toBe(1000);
      expect(variance(data)).toBeGreaterThan(10); // title, axes
    }
    const lone = await pixels(
      await renderForecastGraph({ title: 'one', language: 'en', words: diskWords(), unit: 'number', timeZone: 'Asia/Tokyo', now: NOW, series: [{ time: NOW - 600, value: 42 }] }),
    );
    expect(countColor(lone.data, GRAPH_COLORS.history)).toBeGreaterThan(10); // drawn as a dot
  });

  it('skips NaN values instead of failing', async () => {
    const s = spec();
    s.series = s.series.map((p, i) => (i % 7 === 0 ? { ...p, value: Number.NaN } : p));
    s.series.push({ time: Number.NaN, value: 1 });
    const png = await renderForecastGraph(s);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it('handles a 10k-point unsorted series and percent units', async () => {
    const series = Array.from({ length: 10_000 }, (_, i) => ({ time: NOW - i * 60, value: 50 + Math.sin(i / 50) * 10 }));
    const png = await renderForecastGraph({
      title: 'cpu',
      language: 'en',
      words: diskWords('en', true),
      unit: 'percent',
      timeZone: 'America/New_York',
      now: NOW,
      series,
      thresholds: { limit: 100 },
    });
    expect((await pixels(png)).width).toBe(1000);
  });

  it('rejects an invalid spec', async () => {
    await expect(renderForecastGraph(spec({ timeZone: 'Mars/Olympus' }))).rejects.toThrow(/timeZone/);
    await expect(renderForecastGraph(spec({ width: 10 }))).rejects.toThrow(/width/);
    await expect(renderForecastGraph(spec({ window: { from: NOW, to: NOW - 1 } }))).rejects.toThrow(/window/);
    await expect(renderForecastGraph(spec({ words: undefined as unknown as GraphSpec['words'] }))).rejects.toThrow(/words/);
  });
});

describe('encodePngFast', () => {
  it('writes the same pixels as the Skia PNG encoder', async () => {
    const skia = await loadImage(await renderForecastGraph(spec()));
    const canvas = createCanvas(skia.width, skia.height);
    canvas.getContext('2d').drawImage(skia, 0, 0);
    const fast = encodePngFast(canvas);
    expect(fast.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const back = createCanvas(skia.width, skia.height);
    back.getContext('2d').drawImage(await loadImage(fast), 0, 0);
    expect(Buffer.from(back.data()).equals(Buffer.from(canvas.data()))).toBe(true);
  });
});

describe('safeRenderGraph', () => {
  it('returns the PNG when rendering works', async () => {
    const png = await safeRenderGraph(spec(), { timeoutMs: 30_000 });
    expect(png?.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });

  it('returns null and logs when rendering fails', async () => {
    const warn = vi.fn();
    expect(await safeRenderGraph(spec({ timeZone: 'Mars/Olympus' }), { log: { warn } })).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][1]).toMatch(/failed/);
    expect(await safeRenderGraph(null as unknown as GraphSpec, { log: { warn } })).toBeNull();
  });

  it('returns null and logs on timeout without waiting for the renderer', async () => {
    const warn = vi.fn();
    const never = () => new Promise<Buffer>(() => {});
    expect(await safeRenderGraph(spec(), { timeoutMs: 10, log: { warn }, render: never })).toBeNull();
    expect(warn.mock.calls[0][1]).toMatch(/timed out/);
  });
});

describe('graph helpers', () => {
  it('steps byte ticks in the display unit', () => {
    expect(niceTicks(0, 42 * GiB, 6, GiB).map((v) => v / GiB)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0, 100, 5, 1)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(formatValueAuto(12.5 * GiB, 'bytes')).toBe('12.5 GiB');
    expect(formatValueAuto(87, 'percent')).toBe('87%');
  });

  it('aligns time ticks to the local clock of the zone, labelled in the language', () => {
    const ticks = timeTicks(NOW - 7 * 86400, NOW, 'Asia/Tokyo', 10);
    expect(ticks.length).toBeGreaterThan(3);
    expect(ticks.every((t) => formatTimeTick(t, 'Asia/Tokyo', 'en').match(/^[A-Z][a-z]{2} \d+\/\d+$/))).toBe(true);
    expect(ticks.every((t) => formatTimeTick(t, 'Asia/Tokyo', 'ja').match(/^\d+\/\d+\([月火水木金土日]\)$/))).toBe(true);
    expect(formatTimeTick(ticks[0]!, 'Asia/Tokyo', 'ja')).toBe('11/15(土)');
    expect(formatTimeTick(ticks[0]!, 'Asia/Tokyo', 'en')).toBe('Sat 11/15');
    expect(formatTimeTick(NOW, 'Asia/Tokyo', 'en')).toBe('13:40');
    expect(formatTimeTick(NOW - 5 * 3600, 'Asia/Tokyo', 'en')).toBe('08:40');
    expect(formatTimeTick(NOW - 5 * 3600, 'Asia/Tokyo', 'ja')).toBe('8:40');
  });

  it('decimates long series keeping peaks, and breaks lines at gaps', () => {
    const series = Array.from({ length: 10_000 }, (_, i) => ({ time: i * 60, value: i === 5000 ? 999 : 1 }));
    const out = prepareSeries(series, 500);
    expect(out.length).toBeLessThanOrEqual(1002);
    expect(out.some((p) => p.y === 999)).toBe(true);
    const gappy = prepareSeries(
      [0, 60, 120, 180, 3600, 3660].map((time) => ({ time, value: 1 })),
      500,
    );
    expect(gappy.filter((p) => p.y === null)).toHaveLength(1);
  });
});

describe('fitted time axis (fitTimeWindow)', () => {
  const H = 3600;
  const D = 86400;
  const weekOfData = NOW - 7 * D;

  it('an ETA 5 h away: about 2.5 × the ETA of history, ending 15 % after the ETA', () => {
    expect(fitTimeWindow({ now: NOW, dataFrom: weekOfData, secondsToLimit: 5 * H, low: 4 * H, high: 9 * H })).toEqual({ from: NOW - 12.5 * H, to: NOW + 5.75 * H });
  });

  it('takes in the whole band when its far end is near (within 1.5 × the ETA)', () => {
    expect(fitTimeWindow({ now: NOW, dataFrom: weekOfData, secondsToLimit: 5 * H, low: 4 * H, high: 6.5 * H }).to).toBeCloseTo(NOW + 6.5 * H * 1.05);
  });

  it('never shows history it has not got, and keeps it at least a fifth of the axis', () => {
    expect(fitTimeWindow({ now: NOW, dataFrom: NOW - 2 * D, secondsToLimit: 3 * D })).toEqual({ from: NOW - 2 * D, to: NOW + 3.45 * D });
    expect(fitTimeWindow({ now: NOW, dataFrom: NOW - 2 * D, secondsToLimit: 60 * D })).toEqual({ from: NOW - 2 * D, to: NOW + 8 * D });
  });

  it('at least an hour of history for a limit minutes away', () => {
    expect(fitTimeWindow({ now: NOW, dataFrom: weekOfData, secondsToLimit: 600 })).toEqual({ from: NOW - H, to: NOW + 690 });
  });

  it("a metric that won't fill: its history and a short stretch of projection, not 14 days of it", () => {
    expect(fitTimeWindow({ now: NOW, dataFrom: weekOfData, secondsToLimit: null, projection: true })).toEqual({ from: weekOfData, to: NOW + 0.7 * D });
    expect(fitTimeWindow({ now: NOW, dataFrom: weekOfData, secondsToLimit: 0, projection: false }).to).toBeCloseTo(NOW + 0.14 * D);
  });

  it('without a central ETA, the near end of the band is the horizon', () => {
    expect(fitTimeWindow({ now: NOW, dataFrom: weekOfData, secondsToLimit: null, low: 10 * H, high: null })).toEqual({ from: NOW - 25 * H, to: NOW + 11.5 * H });
  });

  it('the 7-day button keeps 7 days of history and still ends a little after the ETA', () => {
    expect(fitTimeWindow({ now: NOW, dataFrom: weekOfData, secondsToLimit: 5 * H, historySeconds: 7 * D })).toEqual({ from: NOW - 7 * D, to: NOW + 5.75 * H });
    expect(fitTimeWindow({ now: NOW, dataFrom: weekOfData, secondsToLimit: null, projection: true, historySeconds: 7 * D })).toEqual({ from: NOW - 7 * D, to: NOW + 0.7 * D });
  });
});

describe('what the graph shows (outlineGraph)', () => {
  it('the axis is the window, and the y axis fits what is inside it', () => {
    const window = { from: NOW - 12 * 3600, to: NOW + 6 * 3600 };
    const o = outlineGraph(spec({ window }));
    expect([o.xMin, o.xMax]).toEqual([window.from, window.to]);
    // A week of data from 10 to 30 GiB: the last 12 hours are ~28.6-30 GiB, the limit 40 GiB.
    expect(o.yMin).toBeGreaterThanOrEqual(20 * GiB);
    expect(o.yMax).toBeGreaterThanOrEqual(40 * GiB);
  });

  it('names in the legend only what is drawn', () => {
    expect(outlineGraph(spec()).legend).toEqual(['history', 'trend', 'projection', 'likely ETA range']);
    expect(outlineGraph(spec({ projection: undefined, eta: undefined })).legend).toEqual(['history', 'trend']);
    expect(outlineGraph(spec({ trend: undefined, projection: undefined, eta: undefined })).legend).toEqual(['history']);
    // A trend that lies wholly before the window is not drawn, so not named.
    const early = spec({ window: { from: NOW - 3600, to: NOW + 3600 }, trend: { from: { time: NOW - 7 * 86400, value: 1 }, to: { time: NOW - 6 * 86400, value: 2 } } });
    expect(outlineGraph(early).legend).not.toContain('trend');
    // No data in the window: no history entry.
    expect(outlineGraph(spec({ series: [], trend: undefined, projection: undefined, eta: undefined })).legend).toEqual([]);
    // A band a few minutes wide on a 10-day axis cannot be seen: not drawn, not named.
    const narrow = {
      from: { time: NOW, value: 30 * GiB },
      to: { time: NOW + 3 * 86400, value: 40 * GiB },
      low: { time: NOW + 3 * 86400 - 300, value: 40 * GiB },
      high: { time: NOW + 3 * 86400 + 300, value: 40 * GiB },
    };
    expect(outlineGraph(spec({ projection: narrow })).legend).toEqual(['history', 'trend', 'projection']);
  });

  it('percentages stop at 100 %, with the limit on the top edge', () => {
    const series = Array.from({ length: 500 }, (_, i) => ({ time: NOW - (500 - i) * 60, value: 97 + (i / 500) * 2.5 }));
    const o = outlineGraph(percentSpec(series, { thresholds: { limit: 100, critical: 95 } }));
    expect(o.yMax).toBe(100);
    expect(Math.max(...o.yTicks)).toBeLessThanOrEqual(100);
    // Zoomed on the top: the data fills the upper part, not a sliver of 0-100.
    expect(o.yMin).toBeGreaterThan(80);
  });

  it('an ETA past the window is marked at the right edge', () => {
    expect(outlineGraph(spec({ window: { from: NOW - 86400, to: NOW + 86400 } })).etaBeyond).toBe(true);
    expect(outlineGraph(spec({ window: { from: NOW - 86400, to: NOW + 4 * 86400 } })).etaBeyond).toBe(false);
  });
});

describe('drawing details', () => {
  it('draws the band visibly, under the lines', async () => {
    const { data } = await pixels(await renderForecastGraph(spec({ window: { from: NOW - 5 * 86400, to: NOW + 6 * 86400 } })));
    // The band's fill over white: rgba(255,127,14,0.3) → about (255, 216, 186).
    expect(countColor(data, '#ffd8ba', 10)).toBeGreaterThan(2000);
    const without = await pixels(
      await renderForecastGraph(
        spec({ window: { from: NOW - 5 * 86400, to: NOW + 6 * 86400 }, projection: { from: { time: NOW, value: 30 * GiB }, to: { time: NOW + 3 * 86400, value: 40 * GiB } } }),
      ),
    );
    expect(countColor(without.data, '#ffd8ba', 10)).toBeLessThan(200);
  });

  it('keeps a limit on 100 % whole and the last tick label inside the image', async () => {
    // The axis ends on a local midnight (a tick and its day label at the right edge).
    const midnight = 1763737200; // Sat 2025-11-22 00:00 JST
    const series = Array.from({ length: 300 }, (_, i) => ({ time: NOW - (300 - i) * 300, value: 60 + i / 10 }));
    const { width, height, data } = await pixels(await renderForecastGraph(percentSpec(series, { thresholds: { limit: 100 }, window: { from: NOW - 86400, to: midnight } })));
    // The 3 px limit line: at least 2 full rows across the plot.
    expect(countColor(data, GRAPH_COLORS.limit, 6)).toBeGreaterThan(2 * 0.8 * width);
    // Nothing dark in the last three columns (a clipped label would touch the edge).
    for (let y = 0; y < height; y++) {
      for (let x = width - 3; x < width; x++) {
        const i = (y * width + x) * 4;
        expect(data[i]! + data[i + 1]! + data[i + 2]!, `pixel ${x},${y}`).toBeGreaterThan(600);
      }
    }
  });
});
