import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpsbot, type RunningOpsbot } from '../../src/app/start-opsbot.ts';
import { createLogSink } from './log-sink.ts';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789';
export const TEST_BOT_TOKEN = 'xoxb-test-bot-token-0123456789';

export interface TestBot {
  bot: RunningOpsbot;
  baseUrl: string;
  dataDir: string;
  logs: string[];
  /** POSTs a signed Events API envelope to /slack/events, as Slack would. */
  sendEvent(event: Record<string, unknown>, options?: { eventId?: string; retryNum?: number }): Promise<Response>;
  stop(): Promise<void>;
}

/** Signs a Slack request body with the v0 scheme. */
export function signSlackBody(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

let eventSeq = 0;

/**
 * Starts the whole bot in HTTP mode on an ephemeral port, against the given simulators.
 * `env` adds to (and overrides) the defaults: test tokens, PORT=0, a fresh data folder.
 */
export async function startTestBot(options: { env: Record<string, string>; dataDir?: string; now?: () => number }): Promise<TestBot> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'opsbot-test-'));
  const sink = createLogSink();
  const env: Record<string, string> = {
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    PORT: '0',
    LOG_LEVEL: 'debug',
    OPSBOT_DATA_DIR: dataDir,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    ...options.env,
  };
  const config = { env, cwd: dataDir, ...(options.now ? { now: options.now } : {}) };
  // The bot builds its own logger, so the tests see the production scrubbing of the configured secrets.
  const bot = await startOpsbot({ ...config, logDestination: sink.stream });
  const baseUrl = `http://127.0.0.1:${bot.port}`;
  return {
    bot,
    baseUrl,
    dataDir,
    logs: sink.lines,
    async sendEvent(event, sendOptions = {}) {
      const body = JSON.stringify({
        token: 'legacy-verification-token',
        team_id: 'T0TEST',
        api_app_id: 'A0TEST',
        type: 'event_callback',
        event_id: sendOptions.eventId ?? `Ev${Date.now()}${++eventSeq}`,
        event_time: Math.floor(Date.now() / 1000),
        event,
      });
      const headers: Record<string, string> = { 'content-type': 'application/json', ...signSlackBody(TEST_SIGNING_SECRET, body) };
      if (sendOptions.retryNum !== undefined) {
        headers['x-slack-retry-num'] = String(sendOptions.retryNum);
        headers['x-slack-retry-reason'] = 'http_timeout';
      }
      return fetch(`${baseUrl}/slack/events`, { method: 'POST', headers, body });
    },
    stop: () => bot.stop(5000),
  };
}
