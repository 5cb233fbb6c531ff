import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contentSha256, FAST_RECOVERY_ENV, fileShareEvent, nextMessageTs, slowContent, startBotProcess, until, type BotProcess } from './helpers/bot-world.ts';
import { startS3Proxy, type S3Proxy } from './helpers/s3-proxy.ts';
import { startTestS3, type TestS3 } from './helpers/s3rver.ts';
import { TEST_BOT_TOKEN } from './helpers/start-test-bot.ts';
import { SlackSim } from './sim/slack-sim.ts';

/**
 * kill -9 of a real bot process in the middle of a relay, then a restart on the same data folder:
 * the next run takes the job over (its lease expired), cleans up what the dead run left in S3,
 * fetches the file again by id and relays it. Nothing lost, nothing doubled: one object with the
 * file's SHA-256, one outcome reply, the progress message finished, only ✅ on the message, no
 * multipart upload left open.
 */

const MiB = 1024 * 1024;
const SIZE = 32 * MiB;
const CHANNEL = 'CCRASH';
const BUCKET = 'crash';

let sim: SlackSim;
let s3: TestS3;
let proxy: S3Proxy;
const bots: BotProcess[] = [];

beforeAll(async () => {
  sim = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  s3 = await startTestS3({ bucket: BUCKET });
  proxy = await startS3Proxy(s3);
});
// A case that failed may leave its bot running: it must not act in the next case.
afterEach(async () => {
  await Promise.all(bots.splice(0).map((b) => b.kill9()));
});
afterAll(async () => {
  await proxy?.stop();
  await s3?.stop();
  await sim?.stop();
});

const env = () => ({
  SLACK_API_URL: sim.apiUrl,
  S3_ENDPOINT: proxy.endpoint,
  S3_FORCE_PATH_STYLE: 'true',
  AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
  ...FAST_RECOVERY_ENV,
});

async function bot(dataDir: string, prefix: string): Promise<BotProcess> {
  const started = await startBotProcess(env(), { dataDir, configYaml: `uploads:\n  - keyword: "!fileupload"\n    destination: s3://${BUCKET}/${prefix}/\n` });
  bots.push(started);
  return started;
}

const outboxKey = (key: string) => sim.messagesWithMetadata(CHANNEL, 'opsbot_outbox', { key });

/**
 * Shares a file, kills the bot once `killPoint` resolves, restarts it, and checks the end state.
 * `seed` makes each case's bytes (and SHA-256) its own.
 */
async function crashAndRecover(prefix: string, seed: number, killPoint: (ctx: { ts: string; fileId: string }) => Promise<unknown>, afterKill?: () => void) {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-crash-relay-'));
  try {
    const first = await bot(dataDir, prefix);
    const file = sim.addFile({ name: `${prefix}.bin`, content: slowContent(SIZE, seed, 24), actualSize: SIZE });
    const fileId = String(file.id);
    const ts = nextMessageTs();
    sim.addMessage(CHANNEL, { text: '!fileupload', ts, user: 'UPERSON' });
    expect((await first.sendEvent(fileShareEvent(CHANNEL, [file], '!fileupload', ts), `Ev${prefix}`)).status).toBe(200);
    await killPoint({ ts, fileId });
    await first.kill9();
    afterKill?.();

    const second = await bot(dataDir, prefix);
    const destination = `s3://${BUCKET}/${prefix}/`;
    const keys = { outcome: `relay:${fileId}:${destination}:outcome`, progress: `relay:${fileId}:${destination}:progress` };
    await second.waitForLog('resuming a relay a previous run did not finish', (l) => l.file === fileId);
    await until(() => outboxKey(keys.outcome).length > 0, 'the outcome reply', 60_000);
    await until(
      () => sim.reactionsOf(CHANNEL, ts).join() === 'white_check_mark',
      () => `only ✅ on the message (now ${sim.reactionsOf(CHANNEL, ts).join()})`,
    );
    await until(
      () => outboxKey(keys.progress)[0]?.text.startsWith('Stored') ?? false,
      () => `the progress message finished (now ${outboxKey(keys.progress)[0]?.text})`,
    );
    await until(
      () => proxy.openUploads().length === 0,
      () => `no open multipart upload (open: ${JSON.stringify(proxy.openUploads())})`,
    );
    // A clean stop drains everything queued: nothing more may appear after it.
    expect(await second.stop()).toBe(0);

    const objects = await s3.listKeys(`${prefix}/`);
    expect(objects).toHaveLength(1);
    expect(await s3.sha256Of(objects[0]!)).toBe(contentSha256(SIZE, seed));
    const outcome = outboxKey(keys.outcome);
    expect(outcome).toHaveLength(1);
    expect(outcome[0]!.text).toMatch(new RegExp(`^Stored ${prefix}\\.bin at s3://${BUCKET}/${prefix}/.*sha256 ${contentSha256(SIZE, seed)}`));
    expect(outboxKey(keys.progress)).toHaveLength(1);
    // The thread holds the progress message and the outcome, once each.
    const thread = [...sim.messages.values()].filter((m) => m.channel === CHANNEL && m.threadTs === ts);
    expect(thread.map((m) => m.text.split(' ')[0])).toEqual(['Stored', 'Stored']);
    expect(sim.reactionsOf(CHANNEL, ts)).toEqual(['white_check_mark']);
    expect(proxy.openUploads()).toEqual([]);
    return { second, fileId };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('kill -9 mid-relay, restart on the same data folder', () => {
  it('killed right after the ⏳ reaction: the next run relays the file once and finishes the thread', async () => {
    await crashAndRecover('after-working', 71, ({ ts }) => sim.waitForCall('reactions.add', (c) => c.args.timestamp === ts && c.args.name === 'hourglass_flowing_sand'));
  });

  it('killed after three parts were uploaded: the dead upload is aborted and the file relayed again', async () => {
    const prefix = 'after-parts';
    let deadUpload = '';
    await crashAndRecover(prefix, 72, async () => {
      const part = await proxy.waitForRequest((r) => r.op === 'UploadPart' && r.partNumber === 3 && r.key?.startsWith(`${prefix}/`) === true && r.status === 200, {
        done: true,
        timeoutMs: 30_000,
      });
      deadUpload = part.uploadId!;
    });
    // The dead run's upload was aborted by the run that took the job over.
    expect(proxy.requestsOf('AbortMultipartUpload').some((r) => r.uploadId === deadUpload)).toBe(true);
  });

  it("killed after CompleteMultipartUpload, before the reply: the dead run's object is removed and exactly one remains", async () => {
    const prefix = 'after-complete';
    const hang = proxy.fault({ match: { op: 'HeadObject', key: new RegExp(`^${prefix}/`) }, action: { kind: 'hang' }, times: 1 });
    let deadKey = '';
    await crashAndRecover(
      prefix,
      73,
      async () => {
        const complete = await proxy.waitForRequest((r) => r.op === 'CompleteMultipartUpload' && r.key?.startsWith(`${prefix}/`) === true && r.status === 200, {
          done: true,
          timeoutMs: 30_000,
        });
        deadKey = complete.key!;
        await until(() => hang.fired === 1 && proxy.hanging() === 1, 'the HeadObject after complete to hang');
      },
      () => proxy.clearFaults(),
    );
    expect(proxy.requestsOf('DeleteObject').some((r) => r.key === deadKey)).toBe(true);
    expect(await s3.listKeys(`${prefix}/`)).not.toContain(deadKey);
  });
});
