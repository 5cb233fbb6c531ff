import { loadImage, createCanvas } from '@napi-rs/canvas';
import { describe, expect, it, vi } from 'vitest';
import { GRAPH_COLORS, renderForecastGraph, safeRenderGraph, type GraphSpec } from '../src/services/graph/index.ts';
import { niceTicks, timeTicks, formatTimeTick, formatValueAuto } from '../src/services/graph/format.ts';
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
      const png = await renderForecastGraph({ title: 'empty', unit: 'bytes', timeZone: 'Asia/Tokyo', now: NOW, series });
      const { width, data } = await pixels(png);
      expect(width).toBe(1000);
      expect(variance(data)).toBeGreaterThan(10); // title, axes
    }
    const lone = await pixels(await renderForecastGraph({ title: 'one', unit: 'number', timeZone: 'Asia/Tokyo', now: NOW, series: [{ time: NOW - 600, value: 42 }] }));
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
    const png = await renderForecastGraph({ title: 'cpu', unit: 'percent', timeZone: 'America/New_York', now: NOW, series, thresholds: { limit: 100 } });
    expect((await pixels(png)).width).toBe(1000);
  });

  it('rejects an invalid spec', async () => {
    await expect(renderForecastGraph(spec({ timeZone: 'Mars/Olympus' }))).rejects.toThrow(/timeZone/);
    await expect(renderForecastGraph(spec({ width: 10 }))).rejects.toThrow(/width/);
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

  it('aligns time ticks to the local clock of the zone', () => {
    const ticks = timeTicks(NOW - 7 * 86400, NOW, 'Asia/Tokyo', 10);
    expect(ticks.length).toBeGreaterThan(3);
    expect(ticks.every((t) => formatTimeTick(t, 'Asia/Tokyo').match(/^[A-Z][a-z]{2} \d+\/\d+$/))).toBe(true);
    expect(formatTimeTick(NOW, 'Asia/Tokyo')).toBe('13:40');
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
