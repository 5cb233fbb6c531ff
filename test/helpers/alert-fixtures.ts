import { toSlackMessage } from '../../src/core/message.ts';
import type { WireMessage } from './recording-chat-port.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/core/config.ts';
import { openSqliteStore } from '../../src/core/state/sqlite-store.ts';
import type { StateStore } from '../../src/core/state/types.ts';
import { createSilentLogger } from '../../src/core/logger.ts';
import { createTaskTracker } from '../../src/core/task-tracker.ts';
import type { ChatImage, ChatPort, ChatTarget, MessageRef } from '../../src/handlers/chat-port.ts';
import { assembleAlertJob, type AlertService, type AlertServiceOptions } from '../../src/app/assemble-alert-job.ts';
import type { Language } from '../../src/core/language.ts';
import { createPresenter } from '../../src/handlers/present/presenter.ts';
import { createMackerelAlertData } from '../../src/services/alerts/mackerel-alert-data.ts';
import { createMackerelClient } from '../../src/services/mackerel/client.ts';
import type { MackerelAlert, MetricPoint } from '../../src/services/mackerel/types.ts';
import { MackerelSim, startMackerelSim, type SeriesGenerator } from '../sim/mackerel-sim.ts';

export const GiB = 1024 ** 3;

/** Mackerel-like granularity: the step grows with the requested span. */
export function stepFor(span: number): number {
  if (span <= 6 * 3600) return 60;
  if (span <= 2 * 86400) return 300;
  return 1800;
}

/**
 * A filesystem (used, size in bytes) that is `percentNow` full at `now` and grows linearly to full
 * in `etaSeconds` (null: flat). Deterministic tiny noise.
 */
export function linearDisk(opts: { now: number; size: number; percentNow: number; etaSeconds: number | null }): { used: SeriesGenerator; size: SeriesGenerator } {
  const usedNow = opts.size * (opts.percentNow / 100);
  const rate = opts.etaSeconds === null ? 0 : (opts.size - usedNow) / opts.etaSeconds;
  const sample = (from: number, to: number, f: (t: number) => number): MetricPoint[] => {
    const step = stepFor(to - from);
    const out: MetricPoint[] = [];
    for (let t = Math.ceil(from / step) * step; t <= Math.min(to, opts.now); t += step) out.push({ time: t, value: f(t) });
    return out;
  };
  return {
    // Flat at 30% until growth began (a runaway writer), so short ETAs stay realistic.
    used: (_h, _n, from, to) => sample(from, to, (t) => Math.max(opts.size * 0.3, usedNow + rate * (t - opts.now)) + (((t * 7919) % 1000) / 1000 - 0.5) * opts.size * 0.00005),
    size: (_h, _n, from, to) => sample(from, to, () => opts.size),
  };
}

/** A ChatPort that records every call, as Slack would receive it; `ts` values are sequential. */
export interface RecordingChat extends ChatPort {
  posts: { target: ChatTarget; message: WireMessage; ref: MessageRef }[];
  updates: { ref: MessageRef; message: WireMessage }[];
  uploads: { target: ChatTarget; image: ChatImage }[];
  /** Make the next `n` posts throw. */
  failPosts: number;
}

export function createRecordingChat(): RecordingChat {
  let seq = 0;
  const chat: RecordingChat = {
    posts: [],
    updates: [],
    uploads: [],
    failPosts: 0,
    async post(target, message) {
      if (chat.failPosts > 0) {
        chat.failPosts--;
        throw new Error('slack down');
      }
      const ref = { channel: target.channel, ts: `1700000000.${String(++seq).padStart(6, '0')}` };
      chat.posts.push({ target, message: toSlackMessage(message), ref });
      return ref;
    },
    async update(ref, message) {
      chat.updates.push({ ref, message: toSlackMessage(message) });
    },
    async react() {},
    async unreact() {},
    async uploadImage(target, image) {
      chat.uploads.push({ target, image });
    },
  };
  return chat;
}

export function alertsConfig(overrides: Partial<Config['alerts']> = {}): Config['alerts'] {
  return {
    channel: 'C0ALERTS',
    pollSeconds: 0,
    mention: '<!subteam^S0ONCALL>',
    mentionOnCritical: true,
    marginMinutes: 60,
    urgentWithinMinutes: 120,
    refreshMinutes: 0,
    calendar: { timezone: 'Asia/Tokyo', workdays: [1, 2, 3, 4, 5], hours: '09:00-18:00', holidays: [] },
    ...overrides,
  };
}

export const WEB = { id: 'HWEB01', name: 'web-01', service: 'shop', role: 'web' };
export const MONITORS = {
  disk: { id: 'MDISK', type: 'host', name: 'disk used %', metric: 'disk%', operator: '>' as const, warning: 80, critical: 90 },
  cpu: { id: 'MCPU', type: 'host', name: 'cpu %', metric: 'cpu%', operator: '>' as const, warning: 70, critical: 90 },
  check: { id: 'MCHECK', name: 'nginx alive' },
};

/** A disk alert on web-01. */
export function diskAlert(id: string, now: number, overrides: Partial<MackerelAlert> = {}): MackerelAlert {
  return { id, status: 'WARNING', monitorId: MONITORS.disk.id, type: 'host', hostId: WEB.id, value: 85.2, openedAt: now - 120, ...overrides };
}

export interface AlertHarness {
  sim: MackerelSim;
  chat: RecordingChat;
  /** The state store (a real SQLite file) on the harness clock. */
  store: StateStore;
  dbPath: string;
  service: AlertService;
  /** Moves the service's (and the data source's) clock forward; the simulator's series stay put. */
  advance(seconds: number): void;
  /** A new service on the same database and chat (a restart). */
  restart(overrides?: Partial<AlertServiceOptions>): AlertService;
  close(): Promise<void>;
}

/**
 * web-01 with two filesystems (xvdb1 is the fuller one and fills in `etaSeconds`), the Mackerel
 * simulator serving it over HTTP, a recording chat, a real SQLite file, and the alert service.
 */
export async function startAlertHarness(opts: {
  now: number;
  etaSeconds?: number | null;
  config?: Partial<Config['alerts']>;
  service?: Partial<AlertServiceOptions>;
  /** The team's language (default English); times in the calendar's zone, on the harness clock. */
  language?: Language;
}): Promise<AlertHarness> {
  const { now } = opts;
  const sim = await startMackerelSim({ orgName: 'acme', now: () => now, monitors: [MONITORS.disk, MONITORS.cpu], checkMonitors: [MONITORS.check] });
  sim.addHost({ id: WEB.id, name: WEB.name, status: 'working', createdAt: now - 86400 * 100, roles: { [WEB.service]: [WEB.role] } });
  const root = linearDisk({ now, size: 20 * GiB, percentNow: 40, etaSeconds: null });
  const data = linearDisk({ now, size: 100 * GiB, percentNow: 85, etaSeconds: opts.etaSeconds === undefined ? 6 * 3600 : opts.etaSeconds });
  sim.setSeries(WEB.id, 'filesystem.xvda1.used', root.used);
  sim.setSeries(WEB.id, 'filesystem.xvda1.size', root.size);
  sim.setSeries(WEB.id, 'filesystem.xvdb1.used', data.used);
  sim.setSeries(WEB.id, 'filesystem.xvdb1.size', data.size);
  sim.setSeries(WEB.id, 'loadavg5', (_h, _n, from, to) => [{ time: Math.floor((from + to) / 2), value: 1 }]);

  const dbPath = join(mkdtempSync(join(tmpdir(), 'opsbot-alerts-')), 'state.sqlite');
  const chat = createRecordingChat();
  const log = createSilentLogger();
  let current = now;
  const clock = () => current;
  const store = await openSqliteStore({ path: dbPath, now: clock });
  const config = alertsConfig(opts.config);
  const present = createPresenter({ language: opts.language ?? 'en', timeZone: config.calendar.timezone ?? 'UTC', now: clock });
  const make = (overrides: Partial<AlertServiceOptions> = {}) => {
    const client = createMackerelClient({ apiKey: sim.apiKey, baseUrl: sim.url, log, retries: 0, timeoutMs: 5000 });
    return assembleAlertJob({
      data: createMackerelAlertData({ client, now: clock, perSecond: 100 }),
      store: store.alerts,
      chat,
      config,
      present,
      log,
      now: clock,
      tasks: createTaskTracker(),
      ...opts.service,
      ...overrides,
    });
  };
  const services: AlertService[] = [];
  const first = make();
  services.push(first);
  return {
    sim,
    chat,
    store,
    dbPath,
    service: first,
    advance(seconds) {
      current += seconds;
    },
    restart(overrides) {
      const s = make(overrides);
      services.push(s);
      return s;
    },
    async close() {
      for (const s of services) await s.stop();
      await store.close();
      await sim.stop();
    },
  };
}

/** Plain text of a message: its text and every mrkdwn string of its blocks. */
export function messageText(message: WireMessage): string {
  return [message.text, JSON.stringify(message.blocks ?? [])].join('\n');
}

/**
 * A Mackerel webhook body for a disk alert on web-01, as Mackerel posts it (one builder for every
 * test and bench that sends one). `status` is Mackerel's lower-case status.
 */
export function diskWebhook(options: {
  id: string;
  status: string;
  now: number;
  openedAgoSeconds?: number;
  closedAt?: number | null;
  isOpen?: boolean;
  metricValue?: number;
  extra?: Record<string, unknown>;
}) {
  const { id, status, now } = options;
  const openedAt = now - (options.openedAgoSeconds ?? 120);
  return {
    orgName: 'acme',
    event: 'alert',
    type: 'host',
    message: 'disk used % 85.2 > 80',
    imageUrl: null,
    host: {
      id: WEB.id,
      name: WEB.name,
      url: `https://mackerel.io/orgs/acme/hosts/${WEB.id}`,
      status: 'working',
      isRetired: false,
      roles: [{ fullname: 'shop: web', serviceName: 'shop', roleName: 'web' }],
    },
    alert: {
      id,
      url: `https://mackerel.io/orgs/acme/alerts/${id}`,
      status,
      isOpen: options.isOpen ?? status !== 'ok',
      trigger: 'monitor',
      openedAt,
      closedAt: options.closedAt ?? null,
      createdAt: openedAt * 1000,
      monitorName: 'disk used %',
      metricLabel: 'disk%',
      metricValue: options.metricValue ?? 85.2,
      monitorOperator: '>',
      warningThreshold: 80,
      criticalThreshold: 90,
      ...options.extra,
    },
  };
}
