import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim } from './sim/slack-sim.ts';
import { startMackerelSim, type MackerelSim } from './sim/mackerel-sim.ts';
import { diskWebhook, GiB, linearDisk, MONITORS, WEB } from './helpers/alert-fixtures.ts';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from './helpers/start-test-bot.ts';

/**
 * A Japanese team (`language: ja`): a Mackerel webhook through opsbot's HTTP route is posted in
 * Slack in Japanese, with times in Japanese style in the calendar's zone — the whole bot, as
 * deployed, against the Slack and Mackerel simulators.
 */

// Saturday 02:00 in Tokyo: outside working hours, so a disk full in about 6 h mentions.
const NOW = DateTime.fromISO('2025-11-22T02:00', { zone: 'Asia/Tokyo' }).toSeconds();
const MACKEREL_KEY = 'mkr-alerts-ja-key-0123456789';
const HOOK_TOKEN = 'hook-ja-secret-0123456789';
const ONCALL = '<!subteam^S0ONCALL>';
let slack: SlackSim;
let mackerel: MackerelSim;
let bot: TestBot;

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN, allowedMentions: [ONCALL] }).start();
  mackerel = await startMackerelSim({ apiKey: MACKEREL_KEY, orgName: 'acme', now: () => NOW, monitors: [MONITORS.disk] });
  mackerel.addHost({ id: WEB.id, name: WEB.name, status: 'working', createdAt: NOW - 86400 * 100, roles: { [WEB.service]: [WEB.role] } });
  const disk = linearDisk({ now: NOW, size: 100 * GiB, percentNow: 85, etaSeconds: 6 * 3600 });
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.used', disk.used);
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.size', disk.size);
  mackerel.addAlert({ id: 'AJA1', status: 'WARNING', monitorId: MONITORS.disk.id, type: 'host', hostId: WEB.id, value: 85.2, openedAt: NOW - 120 });
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-alerts-ja-e2e-'));
  writeFileSync(
    join(dir, 'opsbot.yaml'),
    [
      'language: ja',
      'alerts:',
      '  channel: C0ALERTS',
      '  pollSeconds: 0',
      `  mention: "${ONCALL}"`,
      '  calendar:',
      '    timezone: Asia/Tokyo',
      '    workdays: [1, 2, 3, 4, 5]',
      '    hours: "09:00-18:00"',
      '',
    ].join('\n'),
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

const post = (body: unknown) =>
  fetch(`${bot.baseUrl}/webhooks/mackerel?token=${HOOK_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('alerts end to end in Japanese: Mackerel webhook → opsbot → Slack', () => {
  it('posts the alert in Japanese, its mention reason and times in Japanese style, and Japanese buttons', async () => {
    expect((await post(diskWebhook({ id: 'AJA1', status: 'warning', now: NOW }))).status).toBeLessThan(300);
    const call = await slack.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0ALERTS' && !c.args.thread_ts);
    const text = String(call.args.text);
    const blocks = JSON.stringify(call.args.blocks);
    expect(text.startsWith(`${ONCALL} :large_orange_circle: WARNING web-01 の disk used % — `)).toBe(true);
    // The reason: the limit comes before Monday's working hours, named in Japanese style (no "Mon Nov 24").
    expect(text).toContain('後、次の営業開始（11月24日(月) 9:00 JST）より前に上限に達する見込みのため通知します');
    expect(blocks).toContain('ホスト *web-01* （`shop:web`）');
    expect(blocks).toContain('*85.2%* &gt; 警告 80%（重大 90%）');
    // The ETA, today, as a Japanese clock time: "8:00 JST頃", never "08:00" or a US-style date.
    expect(blocks).toMatch(/\*\/dev\/xvdb1\* は \*\d時間(\d+分)?\* 後(?:（[^）]+〜[^）]+）)?、\d{1,2}:\d\d JST頃に上限に達する見込みです。/);
    expect(blocks).toContain('"text":"対応します"');
    expect(blocks).toContain('"text":"営業時間まで通知を止める"');
    expect(`${text} ${blocks}`).not.toMatch(/\b(mentioning|no mention|full in|Runbook|escalated|Sat|Mon)\b/);
  });

  it('edits the post in Japanese when the alert closes', async () => {
    mackerel.closeAlert('AJA1', 'ok', NOW + 60);
    expect((await post(diskWebhook({ id: 'AJA1', status: 'ok', now: NOW, closedAt: NOW + 60 }))).status).toBeLessThan(300);
    const update = await slack.waitForCall('chat.update', (c) => c.args.channel === 'C0ALERTS');
    expect(String(update.args.text)).toBe(':large_green_circle: 解消（元は WARNING）web-01 の disk used %');
    expect(JSON.stringify(update.args.blocks)).toContain('2:01 JST に解消（継続時間 3分）');
    const note = await slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts !== undefined && String(c.args.text).includes('解消しました'));
    expect(String(note.args.text)).toBe(':large_green_circle: 3分で解消しました');
  });
});
