import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskWebhook, GiB, linearDisk, MONITORS, WEB } from './helpers/alert-fixtures.ts';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from './helpers/start-test-bot.ts';
import { startMackerelSim, type MackerelSim } from './sim/mackerel-sim.ts';
import { SlackSim } from './sim/slack-sim.ts';

/**
 * Mackerel hangs while an alert arrives: the alert is posted within the deadline with what its
 * webhook says (degraded), and edited with the details (host, forecast) once Mackerel answers.
 */

// A weekday afternoon in Tokyo, so the forecast (full in ~2 days) does not mention anyone.
const NOW = DateTime.fromISO('2025-11-19T14:00', { zone: 'Asia/Tokyo' }).toSeconds();
const MACKEREL_KEY = 'mkr-faults-key-0123456789';
const HOOK_TOKEN = 'hook-faults-0123456789';
const CHANNEL = 'C0FAULTS';
let slack: SlackSim;
let mackerel: MackerelSim;
let bot: TestBot;
let dataDir: string;

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  mackerel = await startMackerelSim({ apiKey: MACKEREL_KEY, orgName: 'acme', now: () => NOW, monitors: [MONITORS.disk] });
  mackerel.addHost({ id: WEB.id, name: WEB.name, status: 'working', createdAt: NOW - 86400 * 100, roles: { [WEB.service]: [WEB.role] } });
  const disk = linearDisk({ now: NOW, size: 100 * GiB, percentNow: 85, etaSeconds: 2 * 86400 });
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.used', disk.used);
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.size', disk.size);
  mackerel.addAlert({ id: 'AHANG1', status: 'WARNING', monitorId: MONITORS.disk.id, type: 'host', hostId: WEB.id, value: 85.2, openedAt: NOW - 60 });
  dataDir = mkdtempSync(join(tmpdir(), 'opsbot-faults-mkr-'));
  writeFileSync(join(dataDir, 'opsbot.yaml'), `alerts:\n  channel: ${CHANNEL}\n  pollSeconds: 0\n  refreshMinutes: 0\n  calendar:\n    timezone: Asia/Tokyo\n`);
  bot = await startTestBot({
    dataDir,
    now: () => NOW,
    env: { SLACK_API_URL: slack.apiUrl, MACKEREL_APIKEY: MACKEREL_KEY, MACKEREL_API_URL: mackerel.url, MACKEREL_WEBHOOK_TOKEN: HOOK_TOKEN },
  });
});
afterAll(async () => {
  await bot?.stop();
  await slack?.stop();
  await mackerel?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const webhook = diskWebhook({ id: 'AHANG1', status: 'warning', now: NOW, openedAgoSeconds: 60 });

describe('Mackerel hanging while an alert arrives', () => {
  it('posts the alert within the deadline without the details, then edits them in when Mackerel answers', async () => {
    // Every Mackerel answer now takes 4 s: longer than the 3 s the post waits for details.
    mackerel.delayMs = 4000;
    const sent = Date.now();
    const res = await fetch(`${bot.baseUrl}/webhooks/mackerel?token=${HOOK_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(webhook) });
    expect(res.status).toBe(202);
    const post = await slack.waitForCall('chat.postMessage', (c) => c.args.channel === CHANNEL && c.args.thread_ts === undefined, 10_000);
    const postedAfterMs = post.at - sent;
    expect(postedAfterMs).toBeLessThan(5000);
    expect(JSON.stringify(post.args.blocks)).toContain('web-01');
    expect(JSON.stringify(post.args.blocks)).not.toContain(':hourglass_flowing_sand:');
    expect(bot.logs.some((l) => l.includes('alert details are late'))).toBe(true);

    const ts = [...slack.messages].find(([, m]) => m.channel === CHANNEL && m.threadTs === undefined)![0];
    const edit = await slack.waitForCall('chat.update', (c) => c.args.ts === ts, 45_000);
    // The forecast (from the metrics Mackerel was holding) is in the edited post.
    expect(JSON.stringify(edit.args.blocks)).toContain(':hourglass_flowing_sand:');
    expect(edit.at - sent).toBeGreaterThan(4000);
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.channel === CHANNEL && c.args.thread_ts === undefined)).toHaveLength(1);
    mackerel.delayMs = 0;
  });
});
