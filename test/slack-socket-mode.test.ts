import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpsbot, type RunningOpsbot } from '../src/app/start-opsbot.ts';
import { createSilentLogger } from '../src/core/logger.ts';
import { SlackSim } from './sim/slack-sim.ts';
import { SocketModeSim } from './sim/socket-mode-sim.ts';
import { TEST_BOT_TOKEN } from './helpers/start-test-bot.ts';

const APP_TOKEN = 'xapp-1-A0TEST-0123456789';
let slack: SlackSim;
let socket: SocketModeSim;
let bot: RunningOpsbot;

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  socket = await new SocketModeSim({ appToken: APP_TOKEN, forwardTo: slack.apiUrl }).start();
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-socket-'));
  bot = await startOpsbot({
    env: { SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: socket.apiUrl, PORT: '0', OPSBOT_DATA_DIR: dataDir },
    cwd: dataDir,
    log: createSilentLogger(),
  });
  await socket.waitForConnection();
});

afterAll(async () => {
  await bot?.stop(2000);
  await socket?.stop();
  await slack?.stop();
});

describe('Socket Mode', () => {
  it('connects with the app token, acks events and answers through the Web API', async () => {
    expect(bot.config.mode).toBe('socket');
    expect(socket.connectionsOpened).toBeGreaterThanOrEqual(1);
    const event = { type: 'app_mention', user: 'U0ALICE', text: `<@${slack.botUserId}> role shop:web`, ts: '1763700000.000001', channel: 'C0OPS' };
    await socket.sendEvent(event);
    await socket.sendEvent(event, { retryAttempt: 1 });
    const reply = await slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === event.ts);
    expect(JSON.stringify(reply.args.blocks)).toContain('web-01');
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === event.ts)).toHaveLength(1);
  });

  it('serves /healthz on PORT in Socket Mode too', async () => {
    const res = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, mode: 'socket' });
  });
});
