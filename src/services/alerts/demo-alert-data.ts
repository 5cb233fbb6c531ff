import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../core/config.ts';
import type { MetricPoint } from '../forecast/index.ts';
import { readWebhookPayload, type AlertEvent } from './alert-event.ts';
import { mergeHistory, type AlertDataSource, type HistoryWindow, type HostInfo, type MonitorInfo } from './alert-data.ts';

/** One used/size pair of the demo set and how it behaves. */
interface DemoResource {
  host: string;
  used: string;
  size: string;
  sizeBytes: number;
  percentNow: number;
  pattern: 'linear' | 'runaway' | 'rotation' | 'flat';
  /** Hours until full from now (linear, runaway, rotation). */
  etaHours?: number;
}

interface DemoSet {
  org: string;
  anchor: number;
  hosts: HostInfo[];
  monitors: MonitorInfo[];
  resources: DemoResource[];
  gauges: { host: string; name: string; level: number }[];
}

export const DEMO_ALERTS_DIR = join(PROJECT_ROOT, 'demo/alerts');
export const DEMO_SET_FILE = join(PROJECT_ROOT, 'demo/metrics/demo-set.json');

/** Mackerel-like granularity: coarser steps for longer spans. */
export function demoStep(spanSeconds: number): number {
  if (spanSeconds <= 6 * 3600) return 60;
  if (spanSeconds <= 2 * 86400) return 300;
  return 1800;
}

/** Deterministic noise in [-0.5, 0.5) from a time and a key. */
function noise(t: number, key: number): number {
  let x = (Math.floor(t) ^ key) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296 - 0.5;
}

function keyOf(text: string): number {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** The used value of a demo resource at time `t`, seen from `now` (bytes). */
export function demoUsedAt(r: DemoResource, t: number, now: number): number {
  const size = r.sizeBytes;
  const usedNow = size * (r.percentNow / 100);
  const eta = (r.etaHours ?? 0) * 3600;
  const jitter = noise(t, keyOf(r.host + r.used)) * size * 0.002;
  const ago = now - t;
  switch (r.pattern) {
    case 'flat':
      return usedNow + jitter * 3;
    case 'linear': {
      const daily = Math.sin(((t % 86400) / 86400) * 2 * Math.PI) * size * 0.004;
      return usedNow - ((size - usedNow) / eta) * ago + daily + jitter;
    }
    case 'runaway': {
      // Slow growth (1% of the disk a day) until a writer started 8 hours ago.
      const rate = (size - usedNow) / eta;
      const start = 8 * 3600;
      const before = (size * 0.01) / 86400;
      return (ago < start ? usedNow - rate * ago : usedNow - rate * start - before * (ago - start)) + jitter;
    }
    case 'rotation': {
      // Logs grow 2% of the disk a day and are rotated at 04:00; the peaks still rise toward full.
      const net = (size - usedNow) / eta;
      const inDay = ((t + 5 * 3600) % 86400) / 86400;
      const nowInDay = ((now + 5 * 3600) % 86400) / 86400;
      return usedNow - net * ago + (inDay - nowInDay) * size * 0.02 + jitter;
    }
  }
}

/**
 * The offline data source: hosts and monitors from `demo/metrics/demo-set.json`, series generated
 * deterministically around `now()`, open alerts from the fixtures in `demo/alerts/` (times shifted
 * so they happened just now). Host names match `demo/inventory.yaml`.
 */
export function createDemoAlertData(options: { now: () => number; setFile?: string; alertsDir?: string }): AlertDataSource {
  const set = JSON.parse(readFileSync(options.setFile ?? DEMO_SET_FILE, 'utf8')) as DemoSet;
  const alertsDir = options.alertsDir ?? DEMO_ALERTS_DIR;
  let calls = 0;
  const hostById = new Map(set.hosts.map((h) => [h.id, h]));
  const hostName = (id: string) => hostById.get(id)?.name;
  const shift = (t: number) => t + (options.now() - set.anchor);

  const localize = (event: AlertEvent): AlertEvent => {
    const monitor = set.monitors.find((m) => m.name === event.monitorName || m.metric === event.metricLabel);
    const out: AlertEvent = { ...event, openedAt: shift(event.openedAt) };
    if (event.closedAt !== undefined) out.closedAt = shift(event.closedAt);
    if (!out.monitorId && monitor) out.monitorId = monitor.id;
    return out;
  };

  const fixtures = (): AlertEvent[] => {
    const files = readdirSync(alertsDir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const events = files.flatMap((f) => {
      const reading = readWebhookPayload(JSON.parse(readFileSync(join(alertsDir, f), 'utf8')), 'poll');
      return reading.kind === 'alert' ? [localize(reading.event)] : [];
    });
    // A closing fixture describes the alert's later life; the demo's "now" is while it is open.
    return events.filter((e) => e.open);
  };

  const resourceFor = (hostId: string, name: string): { r: DemoResource; part: 'used' | 'size' } | null => {
    const host = hostName(hostId);
    for (const r of set.resources) {
      if (r.host !== host) continue;
      if (r.used === name) return { r, part: 'used' };
      if (r.size === name) return { r, part: 'size' };
    }
    return null;
  };

  const sample = (hostId: string, name: string, from: number, to: number, step: number, now: number): MetricPoint[] => {
    const res = resourceFor(hostId, name);
    const gauge = set.gauges.find((g) => g.host === hostName(hostId) && g.name === name);
    if (!res && !gauge) throw new Error(`Metric Not Found: ${name} on ${hostName(hostId) ?? hostId}`);
    const out: MetricPoint[] = [];
    for (let t = Math.ceil(from / step) * step; t <= Math.min(to, now); t += step) {
      const value = res ? (res.part === 'size' ? res.r.sizeBytes : Math.min(res.r.sizeBytes, demoUsedAt(res.r, t, now))) : gauge!.level * (1 + noise(t, keyOf(name)) * 0.4);
      out.push({ time: t, value });
    }
    return out;
  };

  return {
    kind: 'demo',
    get calls() {
      return calls;
    },
    localize,
    async orgName() {
      return set.org;
    },
    async listOpenAlerts() {
      calls++;
      return fixtures();
    },
    async getAlert(id) {
      calls++;
      return fixtures().find((a) => a.id === id) ?? null;
    },
    async getMonitor(id) {
      calls++;
      return set.monitors.find((m) => m.id === id) ?? null;
    },
    async getHost(id) {
      calls++;
      return hostById.get(id) ?? null;
    },
    async findHosts(name) {
      calls++;
      const exact = set.hosts.filter((h) => h.name === name);
      return exact.length > 0 ? exact : set.hosts.filter((h) => h.name.includes(name));
    },
    async metricNames(hostId) {
      calls++;
      const host = hostName(hostId);
      return [...set.resources.filter((r) => r.host === host).flatMap((r) => [r.used, r.size]), ...set.gauges.filter((g) => g.host === host).map((g) => g.name)].sort();
    },
    async metricHistory(hostId, name, window: HistoryWindow) {
      calls++;
      const to = Math.floor(window.now);
      const coarse = sample(hostId, name, to - window.spanSeconds, to, demoStep(window.spanSeconds), window.now);
      if (window.fineSeconds <= 0 || window.spanSeconds <= window.fineSeconds) return coarse;
      return mergeHistory(coarse, sample(hostId, name, to - window.fineSeconds, to, demoStep(window.fineSeconds), window.now));
    },
  };
}

/** Fixture names in `demo/alerts/` (without `.json`). */
export function listDemoFixtures(dir = DEMO_ALERTS_DIR): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .sort();
  } catch {
    return [];
  }
}
