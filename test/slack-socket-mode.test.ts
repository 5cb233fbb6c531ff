import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningOpsbot } from '../src/app/start-opsbot.ts';
import type { SlackSim } from './sim/slack-sim.ts';
import type { SocketModeSim } from './sim/socket-mode-sim.ts';
import { startSocketModeWorld, type SocketModeWorld } from './helpers/socket-mode-world.ts';

let world: SocketModeWorld;
let slack: SlackSim;
let socket: SocketModeSim;
let bot: RunningOpsbot;

beforeAll(async () => {
  world = await startSocketModeWorld({ appToken: 'xapp-1-A0TEST-0123456789', dataDirPrefix: 'opsbot-socket-' });
  ({ slack, socket, bot } = world);
});

afterAll(async () => {
  await world?.stop();
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
