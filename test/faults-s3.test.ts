import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileShareEvent, nextMessageTs, slowContent, until } from './helpers/bot-world.ts';
import { startS3Proxy, type S3Proxy } from './helpers/s3-proxy.ts';
import { startTestS3, type TestS3 } from './helpers/s3rver.ts';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from './helpers/start-test-bot.ts';
import { SlackSim } from './sim/slack-sim.ts';

/**
 * S3 goes down in the middle of an upload: the person is told why nothing was stored, and the
 * multipart upload that could not be aborted then is aborted by the sweep once S3 is back (the
 * pending abort is retried with backoff, not forgotten).
 */

const MiB = 1024 * 1024;
const CHANNEL = 'CFAULTS3';
let sim: SlackSim;
let s3: TestS3;
let proxy: S3Proxy;
let bot: TestBot;
let dataDir: string;

beforeAll(async () => {
  sim = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  s3 = await startTestS3({ bucket: 'faults' });
  proxy = await startS3Proxy(s3);
  dataDir = mkdtempSync(join(tmpdir(), 'opsbot-faults-s3-'));
  writeFileSync(join(dataDir, 'opsbot.yaml'), 'uploads:\n  - keyword: "!fileupload"\n    destination: s3://faults/down/\n');
  bot = await startTestBot({
    dataDir,
    env: {
      SLACK_API_URL: sim.apiUrl,
      S3_ENDPOINT: proxy.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      // The sweep every second and the first abort retry after a second (src/app/tuning.ts).
      OPSBOT_RELAY_SWEEP_SECONDS: '1',
      OPSBOT_ABORT_RETRY_SECONDS: '1',
    },
  });
});
afterAll(async () => {
  await bot?.stop();
  await proxy?.stop();
  await s3?.stop();
  await sim?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The recorded aborts still to do, with how often each was tried by the sweep. */
function pendingAborts(): { upload_id: string; attempts: number }[] {
  const db = new DatabaseSync(join(dataDir, 'opsbot.sqlite'), { readOnly: true });
  try {
    return db.prepare('SELECT upload_id, attempts FROM pending_aborts').all() as { upload_id: string; attempts: number }[];
  } finally {
    db.close();
  }
}

describe('S3 down mid-upload', () => {
  it('tells the person why (❌), and aborts the multipart upload once S3 is back', async () => {
    const file = sim.addFile({ name: 'down.bin', content: slowContent(24 * MiB, 91, 24), actualSize: 24 * MiB });
    const ts = nextMessageTs();
    sim.addMessage(CHANNEL, { text: '!fileupload', ts, user: 'UPERSON' });
    await bot.sendEvent(fileShareEvent(CHANNEL, [file], '!fileupload', ts));
    const part = await proxy.waitForRequest((r) => r.op === 'UploadPart' && r.partNumber === 2 && r.status === 200, { done: true, timeoutMs: 30_000 });
    proxy.down('reset');

    const outcome = `relay:${String(file.id)}:s3://faults/down/:outcome`;
    await until(() => sim.messagesWithMetadata(CHANNEL, 'opsbot_outbox', { key: outcome }).length === 1, 'the failure reply');
    const reply = sim.messagesWithMetadata(CHANNEL, 'opsbot_outbox', { key: outcome })[0]!;
    expect(reply.text).toMatch(/^Could not relay down\.bin: The connection to S3 failed during the upload, so nothing was stored\. Please try again later/);
    await until(
      () => sim.reactionsOf(CHANNEL, ts).join() === 'x',
      () => `only ❌ on the message (now ${sim.reactionsOf(CHANNEL, ts).join()})`,
    );

    // The abort failed while S3 was down, was recorded, and is retried by the sweep (with backoff) while S3 stays down.
    expect(proxy.requestsOf('AbortMultipartUpload').some((r) => r.uploadId === part.uploadId && r.fault === 'down')).toBe(true);
    await until(
      () => (pendingAborts()[0]?.attempts ?? 0) >= 2,
      () => `two failed retries of the abort while S3 is down (${JSON.stringify(pendingAborts())})`,
    );
    expect(pendingAborts().map((p) => p.upload_id)).toEqual([part.uploadId]);
    expect(proxy.openUploads().map((u) => u.uploadId)).toEqual([part.uploadId]);

    proxy.up();
    await until(
      () => proxy.openUploads().length === 0,
      () => `the upload aborted once S3 is back (open: ${JSON.stringify(proxy.openUploads())})`,
      30_000,
    );
    await until(() => pendingAborts().length === 0, 'pending_aborts drained');
    expect(await s3.listKeys('down/')).toEqual([]);
    expect(bot.logs.some((l) => l.includes('multipart upload aborted on retry'))).toBe(true);
  });
});
