import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatedContent, type ContentSource } from '../sim/generated-content.ts';
import { spawnBot, type SpawnedBot } from './spawn-bot.ts';
import { signSlackBody, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from './start-test-bot.ts';

/**
 * What crash tests and the fault bench share: real bot processes that can be killed with
 * SIGKILL and restarted on the same data folder and environment, the signed events Slack would
 * send them, and files whose bytes (and SHA-256) are known in advance.
 */

/** Shortened crash-safety timings (src/app/tuning.ts) so a killed run's work is taken over in seconds. */
export const FAST_RECOVERY_ENV: Record<string, string> = {
  OPSBOT_RELAY_LEASE_SECONDS: '3',
  OPSBOT_RELAY_SWEEP_SECONDS: '1',
  OPSBOT_ABORT_RETRY_SECONDS: '1',
  OPSBOT_OUTBOX_LEASE_SECONDS: '4',
  OPSBOT_ALERT_CLAIM_TAKEOVER_SECONDS: '3',
  OPSBOT_LEADER_LEASE_SECONDS: '3',
};

/** Polls `check` every 20 ms until it holds, or throws after `timeoutMs` naming `what`. */
export async function until(check: () => boolean | Promise<boolean>, what: string | (() => string), timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(20);
  }
}

/** `generatedContent` delivered at about `mibPerSecond` (1 MiB blocks), so a kill lands mid-transfer. */
export function slowContent(size: number, seed: number, mibPerSecond: number): ContentSource {
  const source = generatedContent(size, seed);
  return async function* () {
    for (const block of source() as Iterable<Uint8Array>) {
      await sleep(1000 / mibPerSecond);
      yield block;
    }
  };
}

/** SHA-256 (hex) of what `generatedContent(size, seed)` produces. */
export function contentSha256(size: number, seed: number): string {
  const hash = createHash('sha256');
  for (const block of generatedContent(size, seed)() as Iterable<Uint8Array>) hash.update(block);
  return hash.digest('hex');
}

export interface BotProcess extends SpawnedBot {
  port: number;
  /** The bot's JSON log lines so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Resolves with the first log line (past or future) with this `msg` that satisfies `predicate`. */
  waitForLog(msg: string, predicate?: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** POSTs a signed Events API envelope, as Slack would. */
  sendEvent(event: Record<string, unknown>, eventId: string): Promise<Response>;
  /** POSTs a Mackerel webhook. */
  postWebhook(body: unknown, token: string): Promise<Response>;
  /** SIGKILL, and waits for the process to be gone. */
  kill9(): Promise<void>;
  /** SIGTERM, and waits for the exit code. */
  stop(): Promise<number | null>;
}

let eventSeq = 0;

/** Spawns `opsbot start` (see spawnBot) with the test Slack credentials plus `env`, and waits until it is ready. */
export async function startBotProcess(env: Record<string, string>, options: { configYaml?: string; dataDir?: string } = {}): Promise<BotProcess> {
  const bot = spawnBot({ SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, ...env }, options);
  const port = await bot.ready();
  const parsed: Record<string, unknown>[] = [];
  let consumed = 0;
  const lines = () => {
    const out = bot.out();
    const end = out.lastIndexOf('\n') + 1;
    if (end > consumed) {
      for (const line of out.slice(consumed, end).split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          parsed.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a log line
        }
      }
      consumed = end;
    }
    return parsed;
  };
  const base = `http://127.0.0.1:${port}`;
  return {
    ...bot,
    port,
    lines,
    async waitForLog(msg, predicate = () => true, timeoutMs = 30_000) {
      let found: Record<string, unknown> | undefined;
      await until(
        () => {
          found = lines().find((l) => l.msg === msg && predicate(l));
          return found !== undefined || bot.child.exitCode !== null || bot.child.signalCode !== null;
        },
        () => `log "${msg}"; last lines:\n${bot.out().split('\n').slice(-15).join('\n')}`,
        timeoutMs,
      );
      if (!found) throw new Error(`the bot exited before logging "${msg}": ${bot.err().slice(-2000)}`);
      return found;
    },
    sendEvent(event, eventId) {
      const body = JSON.stringify({
        token: 'legacy',
        team_id: 'T0TEST',
        api_app_id: 'A0TEST',
        type: 'event_callback',
        event_id: eventId ?? `EvCrash${++eventSeq}`,
        event_time: Math.floor(Date.now() / 1000),
        event,
      });
      return fetch(`${base}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json', ...signSlackBody(TEST_SIGNING_SECRET, body) }, body });
    },
    postWebhook(body, token) {
      return fetch(`${base}/webhooks/mackerel?token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    },
    async kill9() {
      if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
      await bot.exited;
    },
    async stop() {
      if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGTERM');
      return bot.exited;
    },
  };
}

/** A file_share message event in `channel` by UPERSON with `text`, for the files given. */
export function fileShareEvent(channel: string, files: Record<string, unknown>[], text: string, ts: string): Record<string, unknown> {
  return { type: 'message', subtype: 'file_share', channel, channel_type: 'channel', user: 'UPERSON', text, ts, event_ts: ts, files };
}

let tsSeq = 0;
/** A unique message ts (seconds in the past, so the bot's history look-ups see later posts). */
export function nextMessageTs(): string {
  return `${Math.floor(Date.now() / 1000) - 1}.${String(++tsSeq).padStart(6, '0')}`;
}
