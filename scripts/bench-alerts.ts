/**
 * `npm run bench:alerts [-- --alerts 200 --workers N --unpaced-concurrency 64 --skip-paced]`
 *
 * Opens N alerts at once in the Mackerel simulator, lets one poll pick them up, and reports the
 * time from an alert becoming visible to its post and to its graph in the thread (p50/p95),
 * graph render time (inside the renderer and end to end, p50/p95), Mackerel calls and main-thread
 * event-loop delay.
 *
 * The simulator runs in a child process (this file with `--sim-child`), so its HTTP handling and
 * series generation do not share the bot's thread. Slack is a recording chat port that answers
 * after one event-loop turn (loopback-like; no Slack simulator). Three runs, each with a fresh
 * simulator, store and caches:
 *   1. baseline: graphs rendered on the main thread (as before the render pool), Mackerel unpaced;
 *   2. render pool, Mackerel unpaced: the figure the issue's targets are about ("excluding
 *      deliberate pacing");
 *   3. render pool with the service's default pacing (4 requests in flight, 10/s), i.e. production.
 * Ratios compare run 2 against run 1 (same machine, same process, same simulator build).
 *
 * The simulated org has two alerts per host on one monitor, so each pair posts the same graph:
 * the service draws it once (the "(N graphs)" count below). With distinct graphs per alert, the
 * render phase after the posts takes about alerts × render p50 / workers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../src/core/state/sqlite-store.ts';
import { createSilentLogger } from '../src/core/logger.ts';
import { createTaskTracker } from '../src/core/task-tracker.ts';
import type { ChatPort } from '../src/handlers/chat-port.ts';
import { assembleAlertJob } from '../src/app/assemble-alert-job.ts';
import { createMackerelAlertData } from '../src/services/alerts/mackerel-alert-data.ts';
import { createGraphLabels } from '../src/handlers/present/graph-labels.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { createGraphRenderPool, renderForecastGraph, safeRenderGraph, type GraphSpec } from '../src/services/graph/index.ts';
import { createMackerelClient } from '../src/services/mackerel/client.ts';
import { alertsConfig } from '../test/helpers/alert-fixtures.ts';
import { generateOrg } from '../test/sim/generate-org.ts';
import { startMackerelSim } from '../test/sim/mackerel-sim.ts';
import { nextMessage } from './child-messages.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const GiB = 1024 ** 3;

// ---------------------------------------------------------------------------------------------
// Child: the Mackerel simulator, driven over the IPC channel.

type ToSim = { type: 'open'; count: number } | { type: 'stats' };
type FromSim = { type: 'ready'; url: string; apiKey: string } | { type: 'opened' } | { type: 'stats'; total: number; routes: [string, number][] };

async function simChild(): Promise<void> {
  const now = arg('now', Math.floor(Date.now() / 1000));
  const alerts = arg('alerts', 200);
  const org = generateOrg({ hosts: Math.max(1, Math.ceil(alerts / 2)), now });
  const sim = await startMackerelSim({
    orgName: org.orgName,
    hosts: org.hosts,
    now: () => now,
    monitors: [{ id: 'MDISK', type: 'host', name: 'disk used %', metric: 'disk%', operator: '>', warning: 80, critical: 90 }],
    metricNamesOf: () => ['filesystem.xvda1.size', 'filesystem.xvda1.used', 'loadavg5'],
    seriesGenerator: (hostId, name, from, to) => {
      const span = to - from;
      const step = span <= 6 * 3600 ? 60 : span <= 2 * 86400 ? 300 : 1800;
      const size = 100 * GiB;
      const seed = [...hostId].reduce((a, c) => a + c.charCodeAt(0), 0);
      const eta = (2 + (seed % 120)) * 3600;
      const out = [];
      for (let t = Math.ceil(from / step) * step; t <= Math.min(to, now); t += step) {
        const used = Math.max(size * 0.3, size * 0.85 - ((size * 0.15) / eta) * (now - t)) + Math.sin(t / 5000 + seed) * size * 0.001;
        out.push({ time: t, value: name.endsWith('.size') ? size : used });
      }
      return out;
    },
  });
  const send = (msg: FromSim) => process.send!(msg);
  process.on('message', (msg: ToSim) => {
    if (msg.type === 'open') {
      for (let i = 0; i < msg.count; i++) {
        const host = org.hosts[i % org.hosts.length]!;
        sim.addAlert({ id: alertId(i), status: i % 5 === 0 ? 'CRITICAL' : 'WARNING', monitorId: 'MDISK', type: 'host', hostId: host.id, value: 85, openedAt: now - 30 });
      }
      send({ type: 'opened' });
    } else if (msg.type === 'stats') {
      send({ type: 'stats', total: sim.totalCalls(), routes: [...sim.calls] });
    }
  });
  process.on('disconnect', () => {
    sim.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('the simulator did not stop cleanly:', error);
        process.exit(1);
      },
    );
  });
  send({ type: 'ready', url: sim.url, apiKey: sim.apiKey });
}

const alertId = (i: number) => `BENCH${String(i).padStart(5, '0')}`;

// ---------------------------------------------------------------------------------------------
// Parent: the bot side.

interface SimHandle {
  url: string;
  apiKey: string;
  request<T extends FromSim['type']>(msg: ToSim, answer: T): Promise<Extract<FromSim, { type: T }>>;
  stop(): void;
}

async function startSimChild(alerts: number, now: number): Promise<SimHandle> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--sim-child', '--alerts', String(alerts), '--now', String(now)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T extends FromSim['type']>(type: T) => nextMessage<FromSim, T>(child, type);
  const ready = await next('ready');
  return {
    url: ready.url,
    apiKey: ready.apiKey,
    request(msg, answer) {
      const reply = next(answer);
      child.send(msg);
      return reply;
    },
    stop: () => child.disconnect(),
  };
}

interface RunOptions {
  label: string;
  alerts: number;
  now: number;
  concurrency: number;
  perSecond: number;
  /** Graphs the service renders at once (the pool's size; 1 on the main thread). */
  renderConcurrency: number;
  /** The renderer under test; reports its inner time (ms) through `inner`. */
  render: (spec: GraphSpec, inner: (ms: number) => void) => Promise<Buffer>;
}

interface RunResult {
  label: string;
  pacing: string;
  posted: number;
  withGraph: number;
  wallMs: number;
  toPost: number[];
  toGraph: number[];
  renderInner: number[];
  renderEnd: number[];
  loopDelayP99: number;
  loopDelayMax: number;
  calls: Extract<FromSim, { type: 'stats' }>;
}

async function run(o: RunOptions): Promise<RunResult> {
  const sim = await startSimChild(o.alerts, o.now);
  const visibleAt = new Map<string, number>();
  const postedAt = new Map<string, number>();
  const graphAt = new Map<string, number>();
  const renderInner: number[] = [];
  const renderEnd: number[] = [];
  const tsToAlert = new Map<string, string>();
  let seq = 0;
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
  const chat: ChatPort = {
    async post(target, message) {
      await tick();
      const ts = `${o.now}.${String(++seq).padStart(6, '0')}`;
      const id = /alert (\S+?)>/.exec(JSON.stringify(message.blocks ?? []))?.[1];
      if (!target.threadTs && id) {
        postedAt.set(id, performance.now());
        tsToAlert.set(ts, id);
      }
      return { channel: target.channel, ts };
    },
    async update() {},
    async react() {},
    async unreact() {},
    async uploadImage(target) {
      await tick();
      const id = tsToAlert.get(target.threadTs ?? '');
      if (id) graphAt.set(id, performance.now());
    },
  };

  const log = createSilentLogger();
  const client = createMackerelClient({ apiKey: sim.apiKey, baseUrl: sim.url, log, retries: 1 });
  const data = createMackerelAlertData({ client, now: () => o.now, perSecond: o.perSecond, concurrency: o.concurrency });
  const service = assembleAlertJob({
    data,
    store: (await openSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'opsbot-bench-')), 'state.sqlite') })).alerts,
    chat,
    config: alertsConfig(),
    present: createPresenter({ language: 'en', timeZone: 'Asia/Tokyo', now: () => o.now }),
    log,
    now: () => o.now,
    tasks: createTaskTracker(),
    renderConcurrency: o.renderConcurrency,
    // The same never-throwing wrapper production uses, around the renderer under test.
    render: (spec) =>
      safeRenderGraph(spec, {
        log,
        render: async (s) => {
          const t0 = performance.now();
          const png = await o.render(s, (ms) => renderInner.push(ms));
          renderEnd.push(performance.now() - t0);
          return png;
        },
      }),
  });

  const loop = monitorEventLoopDelay({ resolution: 5 });
  const started = performance.now();
  loop.enable();
  // Conservative: "visible" is taken before the simulator is asked to open them.
  for (let i = 0; i < o.alerts; i++) visibleAt.set(alertId(i), started);
  await sim.request({ type: 'open', count: o.alerts }, 'opened');
  await service.pollOnce();
  const wallMs = performance.now() - started;
  loop.disable();
  const calls = await sim.request({ type: 'stats' }, 'stats');
  sim.stop();
  const pacing = Number.isFinite(o.perSecond) ? `${o.concurrency} in flight, ${o.perSecond}/s` : `unpaced (${o.concurrency} in flight, no rate limit)`;
  return {
    label: o.label,
    pacing,
    posted: postedAt.size,
    withGraph: graphAt.size,
    wallMs,
    toPost: [...postedAt].map(([id, t]) => t - visibleAt.get(id)!),
    toGraph: [...graphAt].map(([id, t]) => t - visibleAt.get(id)!),
    renderInner,
    renderEnd,
    loopDelayP99: loop.percentile(99) / 1e6,
    loopDelayMax: loop.max / 1e6,
    calls,
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);
const p5095 = (xs: number[]) => `p50 ${ms(pct(xs, 50)).padStart(9)}  p95 ${ms(pct(xs, 95)).padStart(9)}`;

function report(r: RunResult): void {
  console.log(`\n[${r.label}]  Mackerel pacing: ${r.pacing}`);
  console.log(`  posted ${r.posted}, with graph ${r.withGraph}; wall ${ms(r.wallMs)}`);
  console.log(`  visible → post:             ${p5095(r.toPost)}`);
  console.log(`  visible → post with graph:  ${p5095(r.toGraph)}`);
  console.log(`  render, in renderer:        ${p5095(r.renderInner)}  (${r.renderInner.length} graphs)`);
  console.log(`  render, end to end:         ${p5095(r.renderEnd)}  (queue + hand-over included)`);
  console.log(`  main event-loop delay:      p99 ${ms(r.loopDelayP99)}, max ${ms(r.loopDelayMax)}`);
  console.log(`  Mackerel calls: ${r.calls.total} (${r.calls.routes.map(([route, n]) => `${route} ${n}`).join(', ')})`);
}

async function main(): Promise<void> {
  const alerts = arg('alerts', 200);
  const workers = arg('workers', Math.max(1, availableParallelism() - 1));
  const unpacedConcurrency = arg('unpaced-concurrency', 64);
  const skipPaced = process.argv.includes('--skip-paced');
  const now = Math.floor(Date.now() / 1000);
  console.log(`bench:alerts: ${alerts} alerts opened at once; Mackerel simulator in a child process; Slack = recording chat port (one event-loop turn per call)`);
  console.log(
    `machine: ${availableParallelism()} cores, Node ${process.version}; render pool: ${workers} worker thread(s); load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work on the machine skews all runs)`,
  );

  const warmSpec: GraphSpec = {
    title: 'warm-up',
    language: 'en',
    words: createGraphLabels(createPresenter({ language: 'en', timeZone: 'UTC' })).words({
      subject: { kind: 'metric', host: 'warm-up', metric: 'warm-up' },
      unit: 'percent',
      timeZone: 'UTC',
      now,
    }),
    unit: 'percent',
    timeZone: 'UTC',
    now,
    series: [
      { time: now - 60, value: 1 },
      { time: now, value: 2 },
    ],
  };
  await renderForecastGraph(warmSpec);
  const baseline = await run({
    label: '1 baseline: render on the main thread',
    alerts,
    now,
    concurrency: unpacedConcurrency,
    perSecond: Number.POSITIVE_INFINITY,
    renderConcurrency: 1,
    render: async (spec, inner) => {
      const t0 = performance.now();
      const png = await renderForecastGraph(spec);
      inner(performance.now() - t0);
      return png;
    },
  });
  report(baseline);

  const pool = createGraphRenderPool({ size: workers });
  const coldStart = performance.now();
  await Promise.all(Array.from({ length: workers }, () => pool.render(warmSpec)));
  console.log(`\nrender pool cold start (${workers} worker(s) started and warmed): ${ms(performance.now() - coldStart)}; not included below`);
  const poolRender = async (spec: GraphSpec, inner: (ms: number) => void) => {
    const r = await pool.renderTimed(spec);
    inner(r.renderMs);
    return r.png;
  };
  const unpaced = await run({
    label: '2 render pool, unpaced',
    alerts,
    now,
    concurrency: unpacedConcurrency,
    perSecond: Number.POSITIVE_INFINITY,
    renderConcurrency: workers,
    render: poolRender,
  });
  report(unpaced);
  const paced = skipPaced ? null : await run({ label: '3 render pool, default pacing', alerts, now, concurrency: 4, perSecond: 10, renderConcurrency: workers, render: poolRender });
  if (paced) report(paced);
  await pool.close();

  const ratio = (metric: (r: RunResult) => number) => `${ms(metric(baseline))} → ${ms(metric(unpaced))} (×${(metric(baseline) / metric(unpaced)).toFixed(2)}; >1 = pool faster)`;
  console.log('\nrender pool vs baseline (run 2 vs run 1, unpaced):');
  console.log(`  visible → post p95:             ${ratio((r) => pct(r.toPost, 95))}`);
  console.log(`  visible → post with graph p95:  ${ratio((r) => pct(r.toGraph, 95))}`);
  console.log(`  wall:                           ${ratio((r) => r.wallMs)}`);
  const render95 = pct(unpaced.renderEnd, 95);
  const post95 = pct(unpaced.toPost, 95);
  console.log(`targets (unpaced): render p95 < 100 ms: ${ms(render95)} ${render95 < 100 ? 'met' : 'MISSED'}; visible → post p95 < 1 s: ${ms(post95)} ${post95 < 1000 ? 'met' : 'MISSED'}`);
  if (paced)
    console.log(
      `with the default pacing, ${paced.calls.total} Mackerel calls at 10/s take ≥ ${ms((paced.calls.total / 10) * 1000)} by design; that run shows the production figure, not the target.`,
    );
}

if (process.argv.includes('--sim-child')) await simChild();
else await main();
