import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadRule } from '../src/core/config.ts';
import { startTestS3, type TestS3 } from './helpers/s3rver.ts';
import { startTestBot } from './helpers/start-test-bot.ts';
import { generatedContent, SlackSim } from './sim/slack-sim.ts';

const BOT = 'xoxb-e2e-relay-bot-987654';
const MiB = 1024 * 1024;

let sim: SlackSim;
let s3: TestS3;
beforeAll(async () => {
  sim = await new SlackSim({ botToken: BOT }).start();
  s3 = await startTestS3({ bucket: 'e2e' });
});
afterAll(async () => {
  await sim.stop();
  await s3.stop();
});

/** The whole bot (HTTP mode, signed events) with these relay rules (and more configuration), on a data folder that can outlive it. */
async function startRelayBot(dataDir: string, rules: UploadRule[], more: Record<string, unknown> = {}) {
  writeFileSync(join(dataDir, 'opsbot.yaml'), stringifyYaml({ uploads: rules, ...more }));
  const bot = await startTestBot({ dataDir, env: { SLACK_BOT_TOKEN: BOT, SLACK_API_URL: sim.apiUrl, S3_ENDPOINT: s3.config.endpoint! } });
  return {
    logs: bot.logs,
    send: (event: Record<string, unknown>, eventId: string, retryNum?: number) => bot.sendEvent(event, { eventId, ...(retryNum !== undefined ? { retryNum } : {}) }),
    stop: () => bot.stop(),
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let n = 0;
function fileShare(file: Record<string, unknown>, text = '!fileupload') {
  const ts = `1710000${++n}.000200`;
  return { ts, event: { type: 'message', subtype: 'file_share', channel: 'CE2E', channel_type: 'channel', user: 'UPERSON', text, ts, event_ts: ts, files: [file] } };
}

const duplicateLogs = (logs: string[]) => logs.filter((l) => l.includes('duplicate relay request ignored')).length;
const doneReactions = (ts: string) => sim.callsOf('reactions.add').filter((c) => c.args.timestamp === ts && c.args.name === 'white_check_mark').length;
const repliesIn = (ts: string) => sim.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === ts).length;

describe('relay end to end: signed Slack events → Bolt → handler → S3', () => {
  it('relays a shared file and answers in its thread; retries 1–3 of the event store nothing more', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-e2e-relay-'));
    const bot = await startRelayBot(dataDir, [{ keyword: '!fileupload', destination: 's3://e2e/retries/' }]);
    try {
      const { ts, event } = fileShare(sim.addFile({ name: 'e2e.bin', content: generatedContent(6 * MiB, 31), actualSize: 6 * MiB }));
      expect((await bot.send(event, 'EvRETRY')).status).toBe(200);
      await until(() => doneReactions(ts) === 1, 'the done reaction');
      for (const retryNum of [1, 2, 3]) expect((await bot.send(event, 'EvRETRY', retryNum)).status).toBe(200);
      await until(() => duplicateLogs(bot.logs) === 3, 'three duplicates');
      expect(await s3.listKeys('retries/')).toHaveLength(1);
      expect(repliesIn(ts)).toBe(1);
      const reply = sim.callsOf('chat.postMessage').find((c) => c.args.thread_ts === ts)!;
      expect(String(reply.args.text)).toMatch(/^Stored e2e\.bin at s3:\/\/e2e\/retries\//);
      expect(sim.downloads.filter((d) => d.host === 'cdn' && d.authorization !== undefined)).toEqual([]);
      expect(bot.logs.join('\n')).not.toContain(BOT);
    } finally {
      await bot.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('stores one object when duplicate deliveries race', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-e2e-relay-'));
    const bot = await startRelayBot(dataDir, [{ keyword: '!fileupload', destination: 's3://e2e/race/' }]);
    try {
      const { ts, event } = fileShare(sim.addFile({ name: 'race.bin', content: generatedContent(8 * MiB, 32), actualSize: 8 * MiB }));
      const responses = await Promise.all([bot.send(event, 'EvRACE'), bot.send(event, 'EvRACE', 1), bot.send(event, 'EvRACE2'), bot.send(event, 'EvRACE', 2)]);
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      await until(() => doneReactions(ts) === 1 && duplicateLogs(bot.logs) === 3, 'one relay and three duplicates');
      expect(await s3.listKeys('race/')).toHaveLength(1);
      expect(repliesIn(ts)).toBe(1);
    } finally {
      await bot.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('after a restart between delivery and retry, the retry stores nothing and says nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-e2e-relay-'));
    const rules: UploadRule[] = [{ keyword: '!fileupload', destination: 's3://e2e/restart/' }];
    const { ts, event } = fileShare(sim.addFile({ name: 'restart.bin', content: generatedContent(2 * MiB, 33), actualSize: 2 * MiB }));
    const first = await startRelayBot(dataDir, rules);
    try {
      await first.send(event, 'EvRESTART');
      await until(() => doneReactions(ts) === 1, 'the done reaction');
    } finally {
      await first.stop();
    }
    const second = await startRelayBot(dataDir, rules);
    try {
      await second.send(event, 'EvRESTART', 1);
      await until(() => duplicateLogs(second.logs) === 1, 'the duplicate after restart');
      expect(await s3.listKeys('restart/')).toHaveLength(1);
      expect(repliesIn(ts)).toBe(1);
    } finally {
      await second.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('ignores a file shared without the keyword', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-e2e-relay-'));
    const bot = await startRelayBot(dataDir, [{ keyword: '!fileupload', destination: 's3://e2e/none/' }]);
    try {
      const file = sim.addFile({ name: 'cat.png', content: Buffer.from('meow') });
      const { ts, event } = fileShare(file, 'my cat');
      const marker = fileShare(sim.addFile({ name: 'marker.txt', content: Buffer.from('m') }));
      await bot.send(event, 'EvNONE');
      await bot.send(marker.event, 'EvMARK');
      await until(() => doneReactions(marker.ts) === 1, 'the marker relay');
      expect(sim.downloads.filter((d) => d.fileId === file.id)).toEqual([]);
      expect(sim.callsOf('reactions.add').filter((c) => c.args.timestamp === ts)).toEqual([]);
      expect(await s3.listKeys('none/')).toHaveLength(1);
    } finally {
      await bot.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('tells the person why an external file or an undescribable Slack Connect stub is not relayed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-e2e-relay-'));
    const bot = await startRelayBot(dataDir, [{ keyword: '!fileupload', destination: 's3://e2e/skipped/' }]);
    try {
      const external = { id: 'FEXTERNAL1', name: 'plan.gdoc', mode: 'external', is_external: true, size: 0 };
      const stub = { id: 'FSTUBGONE1', mode: 'file_access', file_access: 'check_file_info', created: 0, user: '' };
      const { ts, event } = fileShare(external);
      (event.files as unknown[]).push(stub);
      await bot.send(event, 'EvSKIP');
      const reply = await sim.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts);
      expect(String(reply.args.text)).toMatch(/can't relay `plan\.gdoc`: it is an external file/);
      expect(String(reply.args.text)).toMatch(/can't relay `FSTUBGONE1`: Slack would not give me its details/);
      expect(await s3.listKeys('skipped/')).toHaveLength(0);
    } finally {
      await bot.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('speaks Japanese to a team whose configuration says language: ja (the stored reply, its link, a file it cannot relay)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-e2e-relay-'));
    const bot = await startRelayBot(dataDir, [{ keyword: '!fileupload', destination: 's3://e2e/ja/', presignSeconds: 3600 }], {
      language: 'ja',
      alerts: { calendar: { timezone: 'Asia/Tokyo' } },
    });
    try {
      const { ts, event } = fileShare(sim.addFile({ name: '障害報告.txt', content: Buffer.from('hello relay') }));
      (event.files as unknown[]).push({ id: 'FEXTERNALJA', name: 'plan.gdoc', mode: 'external', is_external: true, size: 0 });
      await bot.send(event, 'EvJA');
      const inThread = (c: { args: Record<string, unknown> }) => c.args.thread_ts === ts;
      const stored = await sim.waitForCall('chat.postMessage', (c) => inThread(c) && String(c.args.text).includes('保存しました'));
      const skipped = await sim.waitForCall('chat.postMessage', (c) => inThread(c) && String(c.args.text).includes('plan.gdoc'));
      await until(() => doneReactions(ts) === 1, 'the done reaction');
      const [key] = await s3.listKeys('ja/');
      const reply = JSON.stringify(stored.args);
      expect(String(stored.args.text)).toMatch(new RegExp(`^障害報告\\.txt を s3://e2e/${key!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} に保存しました（11 B、SHA-256 [0-9a-f]{64}）$`));
      expect(reply).toContain('サイズ: 11 B（11 バイト）');
      expect(reply).toMatch(/\|ダウンロードリンク>（(\d{1,2}月\d{1,2}日\([日月火水木金土]\) )?\d{1,2}:\d{2} JST まで有効）/);
      expect(String(skipped.args.text)).toBe(
        ':warning: `plan.gdoc` は転送できません: 外部ファイル（他サービスへのリンク）で、Slack に保存されたファイルではありません。ファイル自体をアップロードしてください。',
      );
      // Nothing said in English but names: no words of the English replies left.
      for (const said of [reply, String(skipped.args.text)]) expect(said).not.toMatch(/Stored|stored|Size|Download|valid until|can't relay|external file/);
    } finally {
      await bot.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
