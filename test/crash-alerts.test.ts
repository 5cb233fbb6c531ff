import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { diskAlert, GiB, linearDisk, MONITORS, WEB } from './helpers/alert-fixtures.ts';
import { FAST_RECOVERY_ENV, startBotProcess, until, type BotProcess } from './helpers/bot-world.ts';
import { TEST_BOT_TOKEN } from './helpers/start-test-bot.ts';
import { startMackerelSim, type MackerelSim } from './sim/mackerel-sim.ts';
import { SlackSim } from './sim/slack-sim.ts';

/**
 * kill -9 of a real bot process at chosen points of an alert's life (polling Mackerel every
 * second), then a restart on the same data folder: every alert ends with exactly one top-level
 * post, and every alert that closed has its post edited to RESOLVED.
 */

const CHANNEL = 'C0ALERTS';
const MACKEREL_KEY = 'mkr-crash-key-0123456789';
let slack: SlackSim;
let mackerel: MackerelSim;
const bots: BotProcess[] = [];
const now = Math.floor(Date.now() / 1000);

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  mackerel = await startMackerelSim({ apiKey: MACKEREL_KEY, orgName: 'acme', monitors: [MONITORS.disk] });
  mackerel.addHost({ id: WEB.id, name: WEB.name, status: 'working', createdAt: now - 86400 * 100, roles: { [WEB.service]: [WEB.role] } });
  const disk = linearDisk({ now, size: 100 * GiB, percentNow: 85, etaSeconds: null });
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.used', disk.used);
  mackerel.setSeries(WEB.id, 'filesystem.xvdb1.size', disk.size);
});
// A case that failed may leave its bot running: it must not act in the next case. Each case's
// fresh data folder sees only its own alerts.
afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.kill9()));
  mackerel.alerts = [];
  mackerel.clearFaults();
  slack.clearFaults();
});
afterAll(async () => {
  await slack?.stop();
  await mackerel?.stop();
});

async function bot(dataDir: string): Promise<BotProcess> {
  const started = await startBotProcess(
    { SLACK_API_URL: slack.apiUrl, MACKEREL_APIKEY: MACKEREL_KEY, MACKEREL_API_URL: mackerel.url, ...FAST_RECOVERY_ENV },
    { dataDir, configYaml: `alerts:\n  channel: ${CHANNEL}\n  pollSeconds: 1\n  refreshMinutes: 0\n` },
  );
  bots.push(started);
  return started;
}

const postsOf = (id: string) => slack.messagesWithMetadata(CHANNEL, 'opsbot_outbox', { key: `alert:${id}:post` });
const topLevelPosts = () => [...slack.messages.values()].filter((m) => m.channel === CHANNEL && m.threadTs === undefined);
const resolvedNotes = (id: string) => slack.messagesWithMetadata(CHANNEL, 'opsbot_outbox', { key: `alert:${id}:closed` });
const isResolved = (id: string) => postsOf(id).some((p) => /RESOLVED/.test(JSON.stringify(p.blocks)));

/** Exactly one top-level post for the alert; resolved when `closed`; then a clean stop and the whole channel checked. */
async function expectOnePost(second: BotProcess, id: string, closed: boolean) {
  await until(() => postsOf(id).length > 0, `the post of ${id}`, 45_000);
  if (closed) await until(() => isResolved(id) && resolvedNotes(id).length > 0, `${id} edited to RESOLVED with its note`, 45_000);
  else await second.waitForLog('alert posted', (l) => l.alertId === id, 45_000);
  expect(await second.stop()).toBe(0);
  expect(postsOf(id)).toHaveLength(1);
  if (closed) {
    expect(isResolved(id)).toBe(true);
    expect(resolvedNotes(id)).toHaveLength(1);
  }
}

let seq = 0;
/** A new open alert in Mackerel. */
function newAlert(): string {
  const id = `ACRASH${++seq}`;
  mackerel.addAlert(diskAlert(id, now));
  return id;
}

describe("kill -9 during an alert's life, restart on the same data folder", () => {
  it('killed after the claim, before the post (Mackerel holding the details): the next run posts it once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-crash-alert-'));
    try {
      mackerel.injectFault({ kind: 'hang' }, { route: 'GET /api/v0/hosts/:id' });
      const first = await bot(dataDir);
      const id = newAlert();
      await until(() => mackerel.hangingRequests() > 0, 'the details request to hang');
      await first.kill9();
      mackerel.clearFaults();
      expect(postsOf(id)).toHaveLength(0);
      const second = await bot(dataDir);
      await expectOnePost(second, id, false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('killed after Slack stored the post but before the bot heard back: the next run finds it and does not post again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-crash-alert-'));
    try {
      slack.faultMethod('chat.postMessage', { kind: 'hang', then: 'apply' }, { times: 1 });
      const first = await bot(dataDir);
      const id = newAlert();
      await until(() => slack.hangingCalls() === 1, 'the post to hang');
      await first.kill9();
      slack.releaseHeld('apply');
      slack.clearFaults();
      expect(postsOf(id)).toHaveLength(1);
      const second = await bot(dataDir);
      await expectOnePost(second, id, false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('killed after the post landed, and the alert closed while the bot was down: the post ends RESOLVED', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-crash-alert-'));
    try {
      slack.faultMethod('chat.postMessage', { kind: 'hang', then: 'apply' }, { times: 1 });
      const first = await bot(dataDir);
      const id = newAlert();
      await until(() => slack.hangingCalls() === 1, 'the post to hang');
      await first.kill9();
      slack.releaseHeld('apply');
      slack.clearFaults();
      mackerel.closeAlert(id, 'disk cleaned up');
      const second = await bot(dataDir);
      await expectOnePost(second, id, true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('killed during a close (the edit held): the next run finishes the close once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-crash-alert-'));
    try {
      const first = await bot(dataDir);
      const id = newAlert();
      await first.waitForLog('alert posted', (l) => l.alertId === id);
      slack.faultMethod('chat.update', { kind: 'hang' }, { times: 1 });
      mackerel.closeAlert(id, 'disk cleaned up');
      await until(() => slack.hangingCalls() === 1, 'the RESOLVED edit to hang');
      await first.kill9();
      slack.clearFaults();
      expect(isResolved(id)).toBe(false);
      const second = await bot(dataDir);
      await expectOnePost(second, id, true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('every alert of this file has exactly one top-level post', () => {
    const ids = Array.from({ length: seq }, (_, i) => `ACRASH${i + 1}`);
    for (const id of ids) expect(postsOf(id)).toHaveLength(1);
    expect(topLevelPosts()).toHaveLength(ids.length);
  });
});
