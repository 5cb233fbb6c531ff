/**
 * Micro benchmark of the forecast graph renderer: `node scripts/bench-graph.ts [renders] [--out file.png]`.
 * Prints p50/p95 over realistic specs (7 days of 5-minute points plus a projection).
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { renderForecastGraph, type GraphSpec } from '../src/services/graph/index.ts';
import { formatDuration } from '../src/handlers/present/format.ts';
import { createGraphLabels } from '../src/handlers/present/graph-labels.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';

const GiB = 1024 ** 3;

/** A realistic disk-usage spec: 7 days of 5-minute points, daily rhythm, noise, a trend to the limit. */
export function sampleForecastSpec(opts: { seed?: number; now?: number; points?: number } = {}): GraphSpec {
  let seed = opts.seed ?? 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const now = opts.now ?? 1763700000; // Fri 2025-11-21 13:40 JST
  const n = opts.points ?? 7 * 288;
  const step = 300;
  const start = now - n * step;
  const slope = (4 * GiB) / 86400;
  const base = 10 * GiB;
  const limit = 40 * GiB;
  const series = Array.from({ length: n }, (_, i) => {
    const time = start + i * step;
    const daily = Math.sin(((time % 86400) / 86400) * 2 * Math.PI) * 0.4 * GiB;
    return { time, value: base + slope * (time - start) + daily + (rand() - 0.5) * 0.3 * GiB };
  });
  const nowValue = base + slope * (now - start);
  const eta = now + (limit - nowValue) / slope;
  const spread = (eta - now) * 0.35;
  return {
    title: 'web-01 /dev/xvda1 ディスク使用量',
    subtitle: 'filesystem.xvda1.used · linear fit over 7 days',
    language: 'en',
    words: createGraphLabels(createPresenter({ language: 'en', timeZone: 'Asia/Tokyo', now: () => now })).words({
      subject: { kind: 'resource', host: 'web-01', resource: '/dev/xvda1', used: 'filesystem.xvda1.used', percent: false },
      unit: 'bytes',
      timeZone: 'Asia/Tokyo',
      now,
    }),
    unit: 'bytes',
    timeZone: 'Asia/Tokyo',
    now,
    series,
    trend: { from: { time: start, value: base }, to: { time: now, value: nowValue } },
    projection: {
      from: { time: now, value: nowValue },
      to: { time: eta, value: limit },
      low: { time: eta - spread, value: limit },
      high: { time: eta + spread, value: limit },
    },
    thresholds: { warning: limit * 0.8, critical: limit * 0.9, limit },
    eta: {
      time: eta,
      label: `full ~${new Date(eta * 1000).toLocaleString('en-US', { timeZone: 'Asia/Tokyo', weekday: 'short', hour: '2-digit', minute: '2-digit', hour12: false })} JST (in ${formatDuration(eta - now)})`,
    },
  };
}

/** Render-time percentiles in milliseconds. */
export interface GraphBenchResult {
  renders: number;
  p50: number;
  p95: number;
  max: number;
  bytes: number;
}

/** Renders `renders` graphs of `spec(i)` sequentially (after a warm-up) and returns timing percentiles. */
export async function measureGraphRender(opts: { renders?: number; spec?: (i: number) => GraphSpec } = {}): Promise<GraphBenchResult> {
  const renders = opts.renders ?? 100;
  const spec = opts.spec ?? ((i: number) => sampleForecastSpec({ seed: i + 1 }));
  let bytes = (await renderForecastGraph(spec(0))).length; // warm-up: font and chart registration
  const times: number[] = [];
  for (let i = 0; i < renders; i++) {
    const s = spec(i);
    const t0 = performance.now();
    bytes = (await renderForecastGraph(s)).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)];
  return { renders, p50: pct(50), p95: pct(95), max: times[times.length - 1], bytes };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  if (outAt >= 0) {
    writeFileSync(args[outAt + 1], await renderForecastGraph(sampleForecastSpec()));
    console.log(`wrote ${args[outAt + 1]}`);
  }
  const renders = Number(args.find((a) => /^\d+$/.test(a)) ?? 100);
  const r = await measureGraphRender({ renders });
  console.log(
    `graph render (7 d of 5-min points + projection, ${r.renders} renders): p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, PNG ${(r.bytes / 1024).toFixed(0)} KiB`,
  );
}
