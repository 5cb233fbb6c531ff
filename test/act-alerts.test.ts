import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim, type SimCall } from './sim/slack-sim.ts';
import { startMackerelSim, type MackerelSim } from './sim/mackerel-sim.ts';
import { diskWebhook, GiB, linearDisk, MONITORS, WEB } from './helpers/alert-fixtures.ts';
import { allText, press } from './helpers/act.ts';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from './helpers/start-test-bot.ts';

/**
 * Acting from Slack on an alert post: signed block_actions payloads through opsbot's HTTP edge
 * into Bolt, each button's effect on the post, Mackerel and the thread; refused and double presses.
 */

// Saturday 02:00 in Tokyo: a CRITICAL mentions (mentionOnCritical), a WARNING with nothing in sight does not.
const NOW = DateTime.fromISO('2025-11-22T02:00', { zone: 'Asia/Tokyo' }).toSeconds();
const KEY = 'mkr-act-key-0123456789';
const HOOK = 'hook-act-0123456789';
const ONCALL = '<!subteam^S0ONCALL>';
const ID = 'AACT1';
let slack: SlackSim;
let mackerel: MackerelSim;
let bot: TestBot;
let postTs: string;

const DAVE = { id: 'U0DAVE', name: 'dave' };
const ERIN = { id: 'U0ERIN', name: 'erin' };
const ALICE = { id: 'U0ALICE', name: 'alice' };
const CAROL = { id: 'U0CAROL', name: 'carol' };

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN, allowedMentions: [ONCALL] }).start();
  slack.userGroups.set('S0LEADS', ['U0CAROL']);
  mackerel = await startMackerelSim({ apiKey: KEY, writable: true, orgName: 'acme', now: () => NOW, monitors: [MONITORS.disk] });
  mackerel.addHost({ id: WEB.id, name: WEB.name, status: 'working', createdAt: NOW - 86400 * 100, roles: { [WEB.service]: [WEB.role] } });
  const disk = linearDisk({ now: NOW, size: 100 * GiB, percentNow: 85, etaSeconds: null });
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.used', disk.used);
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.size', disk.size);
  mackerel.addAlert({ id: ID, status: 'WARNING', monitorId: MONITORS.disk.id, type: 'host', hostId: WEB.id, value: 85.2, openedAt: NOW - 120 });
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-act-alerts-'));
  writeFileSync(
    join(dir, 'opsbot.yaml'),
    [
      'alerts:',
      '  channel: C0ALERTS',
      '  pollSeconds: 0',
      '  refreshMinutes: 0',
      `  mention: "${ONCALL}"`,
      '  closeButton: true',
      '  calendar:',
      '    timezone: Asia/Tokyo',
      '    workdays: [1, 2, 3, 4, 5]',
      '    hours: "09:00-18:00"',
      'permissions:',
      '  closeAlert: [U0BOSS, S0LEADS]',
      '',
    ].join('\n'),
  );
  bot = await startTestBot({ dataDir: dir, now: () => NOW, env: { SLACK_API_URL: slack.apiUrl, MACKEREL_APIKEY: KEY, MACKEREL_API_URL: mackerel.url, MACKEREL_WEBHOOK_TOKEN: HOOK } });
});

afterAll(async () => {
  await bot?.stop();
  await slack?.stop();
  await mackerel?.stop();
});

function webhook(status: string) {
  return diskWebhook({ id: ID, status, now: NOW, isOpen: true, metricValue: status === 'critical' ? 92 : 85.2 });
}
const hook = (body: unknown) => fetch(`${bot.baseUrl}/webhooks/mackerel?token=${HOOK}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const pressOn = (actionId: string, user: { id: string; name: string }) => press(bot.baseUrl, slack, { actionId, value: ID, user, channel: 'C0ALERTS', messageTs: postTs });
const updatesOfPost = () => slack.callsOf('chat.update').filter((c) => c.args.ts === postTs);
const buttonsOf = (call: SimCall) =>
  ((call.args.blocks as { type: string; elements?: { action_id: string }[] }[] | undefined) ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .map((e) => e.action_id);
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));
const CLOSE_ROUTE = 'POST /api/v0/alerts/:id/close';

describe('acting from Slack on an alert post', () => {
  it('posts the alert with its buttons, "Close in Mackerel" behind a confirmation', async () => {
    expect((await hook(webhook('warning'))).status).toBeLessThan(300);
    const post = await slack.waitForCall('chat.postMessage', (c) => c.args.channel === 'C0ALERTS' && !c.args.thread_ts);
    postTs = [...slack.messages.entries()].find(([, m]) => m.channel === 'C0ALERTS' && !m.threadTs)![0];
    expect(buttonsOf(post)).toEqual(['opsbot_alert_ack', 'opsbot_alert_snooze_1h', 'opsbot_alert_snooze_work', 'opsbot_alert_graph', 'opsbot_alert_close']);
    expect(allText(post.args)).not.toContain(ONCALL);
    expect(JSON.stringify(post.args.blocks)).toMatch(/"confirm":\{"title":\{"type":"plain_text","text":"Close this alert in Mackerel\?"/);
  });

  it('a refused press gets an ephemeral explanation and changes nothing', async () => {
    const before = updatesOfPost().length;
    const { status, responseId } = await pressOn('opsbot_alert_close', ALICE);
    expect(status).toBe(200);
    const reply = await slack.waitForResponse(responseId);
    expect(reply.response_type).toBe('ephemeral');
    expect(allText(reply)).toMatch(/permissions\.closeAlert.*you are not among them/);
    await settle();
    expect(mackerel.callCount(CLOSE_ROUTE)).toBe(0);
    expect(updatesOfPost()).toHaveLength(before);
  });

  it("I'm on it: the post shows who; a second press (anyone's) changes nothing", async () => {
    const { status } = await pressOn('opsbot_alert_ack', DAVE);
    expect(status).toBe(200);
    const update = await slack.waitForCall('chat.update', (c) => c.args.ts === postTs && allText(c.args).includes('is on it'));
    expect(allText(update.args)).toContain('*dave* is on it');
    expect(buttonsOf(update)).not.toContain('opsbot_alert_ack');
    const count = updatesOfPost().length;
    const second = await pressOn('opsbot_alert_ack', ERIN);
    expect(allText(await slack.waitForResponse(second.responseId))).toContain('dave is already on it');
    await settle();
    expect(updatesOfPost()).toHaveLength(count);
  });

  it('an escalation still edits the post, visibly, without pinging anyone', async () => {
    expect((await hook(webhook('critical'))).status).toBeLessThan(300);
    const update = await slack.waitForCall('chat.update', (c) => c.args.ts === postTs && allText(c.args).includes('escalated from WARNING'));
    expect(allText(update.args)).toContain('CRITICAL');
    expect(allText(update.args)).toContain('is on it');
    expect(allText(update.args)).not.toContain(ONCALL);
    const note = await slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === postTs && String(c.args.text).includes('escalated'));
    expect(String(note.args.text)).not.toContain(ONCALL);
    expect(slack.callsOf('chat.postMessage').filter((c) => allText(c.args).includes(ONCALL))).toHaveLength(0);
  });

  it('snooze: mentions held back for an hour, shown on the post and told to the presser', async () => {
    const { responseId } = await pressOn('opsbot_alert_snooze_1h', ERIN);
    // An hour from 02:00 is still today: the time alone, in the team's zone.
    expect(allText(await slack.waitForResponse(responseId))).toMatch(/Mentions for this alert are snoozed until 03:00 JST\./);
    const update = await slack.waitForCall('chat.update', (c) => c.args.ts === postTs && allText(c.args).includes('mentions snoozed until'));
    expect(allText(update.args)).toContain('by *erin*');
    const again = await pressOn('opsbot_alert_snooze_1h', ERIN);
    expect(allText(await slack.waitForResponse(again.responseId))).toContain('Mentions for this alert are already snoozed until 03:00 JST.');
  });

  it('7-day graph: uploaded into the thread once, however often it is pressed', async () => {
    const first = pressOn('opsbot_alert_graph', DAVE);
    const second = pressOn('opsbot_alert_graph', ERIN);
    await Promise.all([first, second]);
    const weekGraphs = () => [...slack.uploads.values()].filter((u) => u.filename === `alert-${ID}-7d.png`);
    await slack.waitForCall('files.completeUploadExternal', () => weekGraphs().some((u) => u.completed));
    expect(weekGraphs()[0]).toMatchObject({ channel: 'C0ALERTS', threadTs: postTs });
    await settle();
    expect(weekGraphs()).toHaveLength(1);
  });

  it('close: Mackerel closes it with a reason naming the person (a user group member), and the post resolves; a second press does not close again', async () => {
    const first = pressOn('opsbot_alert_close', CAROL);
    const second = pressOn('opsbot_alert_close', CAROL);
    await Promise.all([first, second]);
    const resolved = await slack.waitForCall('chat.update', (c) => c.args.ts === postTs && allText(c.args).includes('RESOLVED'));
    expect(buttonsOf(resolved)).toEqual([]);
    expect(mackerel.callCount(CLOSE_ROUTE)).toBe(1);
    const closed = (await (await fetch(`${mackerel.url}api/v0/alerts/${ID}`, { headers: { 'X-Api-Key': KEY } })).json()) as { reason?: string; alert?: { reason?: string } };
    expect(closed.reason ?? closed.alert?.reason).toBe('Closed from Slack by carol (U0CAROL) via opsbot');
    const note = await slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === postTs && String(c.args.text).includes('resolved'));
    expect(String(note.args.text)).toContain('carol');
    const late = await pressOn('opsbot_alert_close', CAROL);
    expect(allText(await slack.waitForResponse(late.responseId))).toContain('already closed');
    expect(mackerel.callCount(CLOSE_ROUTE)).toBe(1);
  });
});
