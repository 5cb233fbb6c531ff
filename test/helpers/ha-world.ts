import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { diskAlert, GiB, linearDisk, MONITORS, WEB } from './alert-fixtures.ts';
import { FAST_RECOVERY_ENV, startBotProcess, until, type BotProcess } from './bot-world.ts';
import { startS3Proxy, type S3Proxy } from './s3-proxy.ts';
import { startTestS3, type TestS3 } from './s3rver.ts';
import { signSlackBody, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from './start-test-bot.ts';
import { generateOrg } from '../sim/generate-org.ts';
import { startMackerelSim, type MackerelSim } from '../sim/mackerel-sim.ts';
import { SlackSim, type SimMessage } from '../sim/slack-sim.ts';

/**
 * Several real bot processes (replicas) on one PostgreSQL database, in HTTP mode, against one
 * Slack simulator, one Mackerel simulator and one S3 (s3rver behind the fault proxy): what the
 * multi-replica tests (test/ha-*.test.ts) and the HA bench (scripts/bench-ha.ts) share.
 *
 * Each replica has its own port and data folder and the same OPSBOT_DATABASE_URL (or, for the
 * single-process comparison, no database URL: SQLite in its data folder). Events are signed as
 * Slack signs them and can be sent to any replica, as a retry (x-slack-retry-num) too. The
 * Mackerel simulator's calls are recorded with their times, so listings and polls can be counted
 * over a measured window.
 */

export const HA_CHANNEL = 'C0HAOPS';
export const HA_ALERTS = 'C0HAALERTS';
export const HA_BUCKET = 'ha-files';
export const HA_MACKEREL_KEY = 'mkr-ha-key-0123456789';

export interface HaConfig {
  /** Seconds between alert polls (the leader's); 0 turns polling off. */
  pollSeconds?: number;
  /** inventory.ttlSeconds. */
  ttlSeconds?: number;
  /** Upload prefix (under the bucket) for `!fileupload`. */
  prefix?: string;
}

export function haConfigYaml(config: HaConfig = {}): string {
  return [
    'uploads:',
    '  - keyword: "!fileupload"',
    `    destination: s3://${HA_BUCKET}/${config.prefix ?? 'files'}/`,
    'alerts:',
    `  channel: ${HA_ALERTS}`,
    `  pollSeconds: ${config.pollSeconds ?? 1}`,
    '  refreshMinutes: 0',
    'inventory:',
    `  ttlSeconds: ${config.ttlSeconds ?? 3}`,
    '',
  ].join('\n');
}

export interface Replica extends BotProcess {
  /** r1, r2, … in start order (a replacement gets the next name). */
  name: string;
  pid: number;
  /** True until it exited. */
  alive(): boolean;
  /** POSTs a signed Events API envelope, as Slack does; `retryNum` marks a redelivery. */
  deliver(event: Record<string, unknown>, options: { eventId: string; retryNum?: number }): Promise<Response>;
  /** opsbot_lease_held{role} from GET /metrics (false when the replica does not answer). */
  holds(role: 'alert-poller' | 'inventory-refresher'): Promise<boolean>;
}

/** One call the Mackerel simulator received: its route (`GET /api/v0/hosts`) and when (ms). */
export interface TimedCall {
  route: string;
  at: number;
}

export interface HaWorldOptions {
  /** Replicas share this PostgreSQL database; without it each process has its own SQLite state (use one process). */
  databaseUrl?: string;
  config?: HaConfig;
  /** Added to every replica's environment (after the defaults). */
  env?: Record<string, string>;
  /** Hosts in the Mackerel organisation besides web-01 (default 200). */
  hosts?: number;
}

export interface HaWorld {
  slack: SlackSim;
  mackerel: MackerelSim;
  s3: TestS3;
  proxy: S3Proxy;
  databaseUrl: string | undefined;
  /** Every replica started, dead ones included. */
  replicas: Replica[];
  live(): Replica[];
  /** Starts one more replica (its own data folder) and waits until it is ready. */
  startReplica(config?: HaConfig): Promise<Replica>;
  /** Mackerel calls so far, with their times. */
  mackerelCalls: TimedCall[];
  /** Calls of `route` between `from` and `to` (ms, inclusive). */
  callsOf(route: string, from?: number, to?: number): TimedCall[];
  /** The replica(s) now holding the role, by /metrics. */
  holders(role: 'alert-poller' | 'inventory-refresher'): Promise<Replica[]>;
  /** The replica whose run holds a lease in the database (owner is host-pid-random), or undefined. */
  replicaOfOwner(owner: string | null | undefined): Replica | undefined;
  /** One query on the shared database (PostgreSQL worlds only). */
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

export const ROUTES = {
  hosts: 'GET /api/v0/hosts',
  alerts: 'GET /api/v0/alerts',
};

const metricLine = (role: string) => new RegExp(`^opsbot_lease_held\\{role="${role}"\\} (\\d+)`, 'm');

export async function startHaWorld(options: HaWorldOptions = {}): Promise<HaWorld> {
  const slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  const org = generateOrg({ hosts: options.hosts ?? 200, orgName: 'acme' });
  const mackerel = await startMackerelSim({ apiKey: HA_MACKEREL_KEY, orgName: 'acme', hosts: org.hosts, services: org.services, monitors: [MONITORS.disk] });
  const now = Math.floor(Date.now() / 1000);
  mackerel.addHost({ id: WEB.id, name: WEB.name, status: 'working', createdAt: now - 86400 * 100, roles: { [WEB.service]: [WEB.role] } });
  const disk = linearDisk({ now, size: 100 * GiB, percentNow: 85, etaSeconds: null });
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.used', disk.used);
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.size', disk.size);
  // The simulator counts calls per route; the HA checks need their times too.
  const mackerelCalls: TimedCall[] = [];
  const counts = mackerel.calls;
  const set = counts.set.bind(counts);
  counts.set = (route: string, n: number) => {
    mackerelCalls.push({ route, at: Date.now() });
    return set(route, n);
  };
  const s3 = await startTestS3({ bucket: HA_BUCKET });
  const proxy = await startS3Proxy(s3);
  const pool = options.databaseUrl ? new pg.Pool({ connectionString: options.databaseUrl, max: 2 }) : undefined;
  const dataDirs: string[] = [];
  const replicas: Replica[] = [];

  const env = (): Record<string, string> => ({
    SLACK_API_URL: slack.apiUrl,
    MACKEREL_APIKEY: HA_MACKEREL_KEY,
    MACKEREL_API_URL: mackerel.url,
    S3_ENDPOINT: proxy.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    ...FAST_RECOVERY_ENV,
    OPSBOT_LEADER_LEASE_SECONDS: '3',
    ...(options.databaseUrl ? { OPSBOT_DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  });

  async function startReplica(config: HaConfig = options.config ?? {}): Promise<Replica> {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-ha-'));
    dataDirs.push(dataDir);
    const bot = await startBotProcess(env(), { dataDir, configYaml: haConfigYaml(config) });
    const base = `http://127.0.0.1:${bot.port}`;
    const replica: Replica = {
      ...bot,
      name: `r${replicas.length + 1}`,
      pid: bot.child.pid!,
      alive: () => bot.child.exitCode === null && bot.child.signalCode === null,
      deliver(event, { eventId, retryNum }) {
        const body = JSON.stringify({
          token: 'legacy',
          team_id: 'T0TEST',
          api_app_id: 'A0TEST',
          type: 'event_callback',
          event_id: eventId,
          event_time: Math.floor(Date.now() / 1000),
          event,
        });
        const headers: Record<string, string> = { 'content-type': 'application/json', ...signSlackBody(TEST_SIGNING_SECRET, body) };
        if (retryNum !== undefined) {
          headers['x-slack-retry-num'] = String(retryNum);
          headers['x-slack-retry-reason'] = 'http_timeout';
        }
        return fetch(`${base}/slack/events`, { method: 'POST', headers, body });
      },
      async holds(role) {
        if (!replica.alive()) return false;
        try {
          const text = await (await fetch(`${base}/metrics`)).text();
          return metricLine(role).exec(text)?.[1] === '1';
        } catch {
          return false;
        }
      },
    };
    replicas.push(replica);
    return replica;
  }

  const live = () => replicas.filter((r) => r.alive());
  const callsOf = (route: string, from = 0, to = Number.POSITIVE_INFINITY) => mackerelCalls.filter((c) => c.route === route && c.at >= from && c.at <= to);

  return {
    slack,
    mackerel,
    s3,
    proxy,
    databaseUrl: options.databaseUrl,
    replicas,
    live,
    startReplica,
    mackerelCalls,
    callsOf,
    async holders(role) {
      const held = await Promise.all(live().map(async (r) => ((await r.holds(role)) ? r : undefined)));
      return held.filter((r): r is Replica => r !== undefined);
    },
    replicaOfOwner(owner) {
      const pid = owner ? Number(/-(\d+)-[0-9a-f]+$/.exec(owner)?.[1]) : NaN;
      return replicas.find((r) => r.pid === pid);
    },
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      if (!pool) throw new Error('no shared database in this world');
      return (await pool.query(sql, params)).rows as T[];
    },
    async stop() {
      await Promise.all(replicas.map((r) => r.kill9()));
      await pool?.end();
      await proxy.stop();
      await s3.stop();
      await slack.stop();
      await mackerel.stop();
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

let tsSeq = 0;
/** A unique message ts a few seconds in the past. */
export function haTs(): string {
  return `${Math.floor(Date.now() / 1000) - 2}.${String(++tsSeq).padStart(6, '0')}`;
}

/** A new message by UPERSON mentioning the bot in `channel` (in the simulator, as in Slack), and its app_mention event. */
export function newMention(slack: SlackSim, channel: string, text: string): { ts: string; event: Record<string, unknown> } {
  const ts = haTs();
  const body = `<@${slack.botUserId}> ${text}`;
  slack.addMessage(channel, { text: body, ts, user: 'UPERSON' });
  return { ts, event: { type: 'app_mention', user: 'UPERSON', text: body, ts, channel, event_ts: ts } };
}

/** The bot's replies in the thread of `ts`, oldest first. */
export function threadReplies(slack: SlackSim, channel: string, ts: string): SimMessage[] {
  return [...slack.messages.values()].filter((m) => m.channel === channel && m.threadTs === ts && m.fromBot === true);
}

/** Outbox-keyed messages (metadata `opsbot_outbox`, payload `key`). */
export const keyed = (slack: SlackSim, channel: string, key: string) => slack.messagesWithMetadata(channel, 'opsbot_outbox', { key });

/** Relay idempotency keys of one file. */
export const relayKeys = (fileId: string, destination: string) => ({
  outcome: `relay:${fileId}:${destination}:outcome`,
  progress: `relay:${fileId}:${destination}:progress`,
});

/** Alerts: the top-level post, the resolved note, and whether the post reads RESOLVED. */
export const alertPosts = (slack: SlackSim, id: string) => keyed(slack, HA_ALERTS, `alert:${id}:post`);
export const alertResolvedNotes = (slack: SlackSim, id: string) => keyed(slack, HA_ALERTS, `alert:${id}:closed`);
export const alertIsResolved = (slack: SlackSim, id: string) => alertPosts(slack, id).some((p) => /RESOLVED/.test(JSON.stringify(p.blocks)));
export const topLevelAlertPosts = (slack: SlackSim) => [...slack.messages.values()].filter((m) => m.channel === HA_ALERTS && m.threadTs === undefined);

let alertSeq = 0;
/** Opens a disk alert on web-01 in the Mackerel simulator; returns its id. */
export function openAlert(world: { mackerel: MackerelSim }, prefix = 'AHA'): string {
  const id = `${prefix}${++alertSeq}`;
  world.mackerel.addAlert(diskAlert(id, Math.floor(Date.now() / 1000)));
  return id;
}

/** Waits until every alert has been posted, and every closed one edited to RESOLVED with its note. */
export async function untilAlertsSettled(slack: SlackSim, open: readonly string[], closed: readonly string[], timeoutMs = 45_000): Promise<void> {
  await until(
    () => open.every((id) => alertPosts(slack, id).length > 0) && closed.every((id) => alertIsResolved(slack, id) && alertResolvedNotes(slack, id).length > 0),
    () =>
      `alerts settled: not posted ${open.filter((id) => alertPosts(slack, id).length === 0).join(',') || '-'}; not resolved ${closed.filter((id) => !alertIsResolved(slack, id) || alertResolvedNotes(slack, id).length === 0).join(',') || '-'}`,
    timeoutMs,
  );
}

/** Most calls of `route` in any window of `windowMs` within [from, to]. */
export function maxInWindow(calls: readonly TimedCall[], windowMs: number): number {
  let best = 0;
  for (let i = 0; i < calls.length; i++) {
    let n = 0;
    for (let j = i; j < calls.length && calls[j]!.at - calls[i]!.at < windowMs; j++) n++;
    best = Math.max(best, n);
  }
  return best;
}
