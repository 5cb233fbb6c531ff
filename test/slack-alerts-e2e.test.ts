import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim } from './sim/slack-sim.ts';
import { startMackerelSim, type MackerelSim } from './sim/mackerel-sim.ts';
import { diskWebhook, GiB, linearDisk, MONITORS, WEB } from './helpers/alert-fixtures.ts';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from './helpers/start-test-bot.ts';

// Saturday 02:00 in Tokyo: outside working hours, so a disk full in ~6 h must mention.
const NOW = DateTime.fromISO('2025-11-22T02:00', { zone: 'Asia/Tokyo' }).toSeconds();
const MACKEREL_KEY = 'mkr-alerts-key-0123456789';
const HOOK_TOKEN = 'hook-secret-0123456789';
let slack: SlackSim;
let mackerel: MackerelSim;
let bot: TestBot;

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN, allowedMentions: ['<!subteam^S0ONCALL>'] }).start();
  mackerel = await startMackerelSim({ apiKey: MACKEREL_KEY, orgName: 'acme', now: () => NOW, monitors: [MONITORS.disk] });
  mackerel.addHost({ id: WEB.id, name: WEB.name, status: 'working', createdAt: NOW - 86400 * 100, roles: { [WEB.service]: [WEB.role] } });
  const disk = linearDisk({ now: NOW, size: 100 * GiB, percentNow: 85, etaSeconds: 6 * 3600 });
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.used', disk.used);
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.size', disk.size);
  mackerel.addAlert({ id: 'AE2E1', status: 'WARNING', monitorId: MONITORS.disk.id, type: 'host', hostId: WEB.id, value: 85.2, openedAt: NOW - 120 });
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-alerts-e2e-'));
  writeFileSync(
    join(dir, 'opsbot.yaml'),
    `alerts:\n  channel: C0ALERTS\n  pollSeconds: 0\n  mention: "<!subteam^S0ONCALL>"\n  calendar:\n    timezone: Asia/Tokyo\n    workdays: [1, 2, 3, 4, 5]\n    hours: "09:00-18:00"\n`,
  );
  bot = await startTestBot({
    dataDir: dir,
    now: () => NOW,
    env: { SLACK_API_URL: slack.apiUrl, MACKEREL_APIKEY: MACKEREL_KEY, MACKEREL_API_URL: mackerel.url, MACKEREL_WEBHOOK_TOKEN: HOOK_TOKEN },
  });
});

afterAll(async () => {
  await bot?.stop();
  await slack?.stop();
  await mackerel?.stop();
});

function webhook(status: string, closedAt: number | null = null) {
  return diskWebhook({ id: 'AE2E1', status, now: NOW, closedAt });
}

const post = (body: unknown, token = HOOK_TOKEN) =>
  fetch(`${bot.baseUrl}/webhooks/mackerel?token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('alerts end to end: Mackerel webhook → opsbot → Slack', () => {
  it('refuses a bad token and a malformed body, posting nothing', async () => {
    expect((await post(webhook('warning'), 'wrong')).status).toBe(401);
    expect((await post({ event: 'alert', alert: { status: 'warning' } })).status).toBe(400);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('posts the alert once, mentioning at night with the reason, and hangs the graph in its thread', async () => {
    expect((await post(webhook('warning'))).status).toBeLessThan(300);
    expect((await post(webhook('warning'))).status).toBeLessThan(300);
    const call = await slack.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0ALERTS');
    const text = `${String(call.args.text)} ${JSON.stringify(call.args.blocks)}`;
    expect(text).toContain('<!subteam^S0ONCALL>');
    expect(text).toMatch(/mentioning: /);
    expect(text).toContain('web-01');
    const complete = await slack.waitForCall('files.completeUploadExternal');
    const ts = slack.callsOf('chat.postMessage').find((c) => c.args.channel === 'C0ALERTS')!;
    expect(complete.args.channel_id).toBe('C0ALERTS');
    expect(complete.args.thread_ts).toBeDefined();
    const png = [...slack.uploads.values()].find((u) => u.filename.endsWith('.png'))!;
    // The SDK posts the bytes as multipart form data; the PNG signature is in there.
    expect(png.bytes.includes(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.channel === 'C0ALERTS' && !c.args.thread_ts)).toHaveLength(1);
    expect(ts.token).toBe(TEST_BOT_TOKEN);
  });

  it('edits the post when the alert closes', async () => {
    mackerel.closeAlert('AE2E1', 'ok', NOW + 60);
    expect((await post(webhook('ok', NOW + 60))).status).toBeLessThan(300);
    const update = await slack.waitForCall('chat.update', (c) => c.args.channel === 'C0ALERTS');
    expect(`${String(update.args.text)} ${JSON.stringify(update.args.blocks)}`).toMatch(/resolved|OK/i);
  });

  it('kept the API key and webhook token out of the logs', () => {
    const logs = bot.logs.join('\n');
    expect(logs).not.toContain(MACKEREL_KEY);
    expect(logs).not.toContain(HOOK_TOKEN);
  });
});
