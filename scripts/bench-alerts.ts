/**
 * `npm run bench:alerts [-- --alerts 200 --per-second 200 --concurrency 8]`: opens N alerts at once
 * in the Mackerel simulator, lets one poll pick them up, and reports the time from an alert being
 * visible to its post and to its graph in the thread (p50/p95), graph render time (p50/p95) and
 * Mackerel calls. Slack is a recording chat port with loopback-like latency (no Slack simulator).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/core/database.ts';
import { createSilentLogger } from '../src/core/logger.ts';
import { createTaskTracker } from '../src/core/task-tracker.ts';
import type { ChatPort } from '../src/handlers/chat-port.ts';
import { createAlertService } from '../src/services/alerts/alert-service.ts';
import { createAlertStore } from '../src/services/alerts/alert-store.ts';
import { createMackerelAlertData } from '../src/services/alerts/mackerel-alert-data.ts';
import { renderForecastGraph, type GraphSpec } from '../src/services/graph/index.ts';
import { createMackerelClient } from '../src/services/mackerel/client.ts';
import { generateOrg } from '../test/sim/generate-org.ts';
import { startMackerelSim } from '../test/sim/mackerel-sim.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ALERTS = arg('alerts', 200);
const PER_SECOND = arg('per-second', 200);
const CONCURRENCY = arg('concurrency', 8);
const GiB = 1024 ** 3;
const now = Math.floor(Date.now() / 1000);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

const org = generateOrg({ hosts: Math.max(1, Math.ceil(ALERTS / 2)), now });
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

const visibleAt = new Map<string, number>();
const postedAt = new Map<string, number>();
const graphAt = new Map<string, number>();
const renderTimes: number[] = [];
const tsToAlert = new Map<string, string>();
let seq = 0;
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const chat: ChatPort = {
  async post(target, message) {
    await tick();
    const ts = `${now}.${String(++seq).padStart(6, '0')}`;
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
const data = createMackerelAlertData({ client, now: () => now, perSecond: PER_SECOND, concurrency: CONCURRENCY });
const service = createAlertService({
  data,
  store: createAlertStore(openDatabase(join(mkdtempSync(join(tmpdir(), 'opsbot-bench-')), 'state.sqlite'))),
  chat,
  config: { channel: 'C0ALERTS', pollSeconds: 0, mention: '<!subteam^S0ONCALL>', mentionOnCritical: true, marginMinutes: 60, urgentWithinMinutes: 120, refreshMinutes: 0, calendar: { timezone: 'Asia/Tokyo', workdays: [1, 2, 3, 4, 5], hours: '09:00-18:00', holidays: [] } },
  log,
  now: () => now,
  tasks: createTaskTracker(),
  render: async (spec: GraphSpec) => {
    const t0 = performance.now();
    const png = await renderForecastGraph(spec);
    renderTimes.push(performance.now() - t0);
    return png;
  },
});

await renderForecastGraph({ title: 'warm-up', unit: 'percent', timeZone: 'UTC', now, series: [{ time: now - 60, value: 1 }, { time: now, value: 2 }] });
const started = performance.now();
for (let i = 0; i < ALERTS; i++) {
  const host = org.hosts[i % org.hosts.length]!;
  const id = `BENCH${String(i).padStart(5, '0')}`;
  sim.addAlert({ id, status: i % 5 === 0 ? 'CRITICAL' : 'WARNING', monitorId: 'MDISK', type: 'host', hostId: host.id, value: 85, openedAt: now - 30 });
  visibleAt.set(id, performance.now());
}
await service.pollOnce();
const wall = performance.now() - started;

const toPost = [...postedAt].map(([id, t]) => t - visibleAt.get(id)!);
const toGraph = [...graphAt].map(([id, t]) => t - visibleAt.get(id)!);
console.log(`alerts: ${ALERTS} opened at once; posted ${postedAt.size}, with graph ${graphAt.size}; wall ${ms(wall)}`);
console.log(`pacing: ${CONCURRENCY} Mackerel requests in flight, ${PER_SECOND}/s`);
console.log(`visible → post:            p50 ${ms(pct(toPost, 50))}  p95 ${ms(pct(toPost, 95))}`);
console.log(`visible → post with graph: p50 ${ms(pct(toGraph, 50))}  p95 ${ms(pct(toGraph, 95))}`);
console.log(`graph render:              p50 ${ms(pct(renderTimes, 50))}  p95 ${ms(pct(renderTimes, 95))}  (${renderTimes.length} graphs)`);
console.log(`Mackerel calls: ${sim.totalCalls()} (${[...sim.calls].map(([r, n]) => `${r} ${n}`).join(', ')})`);
await sim.stop();
