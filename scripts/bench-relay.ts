/**
 * bench:relay — relays a generated file (1 GiB by default; BENCH_RELAY_BYTES to change) from the
 * Slack simulator (behind its CDN redirect) to s3rver through the relay service, beside a direct
 * streamed upload of the same bytes to the same server. Each leg runs in its own child process,
 * so its peak RSS is its own. Targets: relay peak RSS < 200 MB, throughput ≥ 0.9× direct.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { LegInput, LegOutput } from './bench-relay-leg.ts';
import { startTestS3 } from '../test/helpers/s3rver.ts';
import { generatedContent, SlackSim } from '../test/sim/slack-sim.ts';

import { BENCH_TOKEN as TOKEN, BENCH_SEED as SEED } from './bench-relay-leg.ts';

function spawnLeg(input: LegInput): Promise<LegOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./bench-relay-leg.ts', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${input.leg} leg exited with ${code}`));
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as LegOutput);
    });
    child.stdin.end(JSON.stringify(input));
  });
}

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const mb = (bytes: number) => bytes / 1e6;

async function main(): Promise<void> {
  const size = Number(process.env.BENCH_RELAY_BYTES ?? 2 ** 30);
  const partSizeBytes = Number(process.env.BENCH_RELAY_PART_BYTES ?? 8 * 1024 * 1024);
  const queueSize = Number(process.env.BENCH_RELAY_QUEUE ?? 4);
  const sim = await new SlackSim({ botToken: TOKEN }).start();
  const s3 = await startTestS3({ bucket: 'bench' });
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-bench-relay-'));
  const admin = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials });
  try {
    const s3Config = { ...s3.config, partSizeBytes, queueSize };
    const expected = createHash('sha256');
    for (const chunk of generatedContent(size, SEED)() as Iterable<Uint8Array>) expected.update(chunk);
    const expectedSha = expected.digest('hex');
    const file = sim.addFile({ name: 'bench-1GiB.bin', content: generatedContent(size, SEED), actualSize: size });
    console.log(`bench:relay — ${(size / 2 ** 30).toFixed(2)} GiB, part ${partSizeBytes / 2 ** 20} MiB × queue ${queueSize}, s3rver at ${s3.endpoint}`);

    const results: Record<string, LegOutput> = {};
    for (const leg of ['direct', 'relay'] as const) {
      const output = await spawnLeg({ leg, size, s3: s3Config, bucket: 'bench', key: 'direct/bench.bin', file, apiUrl: sim.apiUrl, dataDir });
      const head = await admin.send(new HeadObjectCommand({ Bucket: 'bench', Key: output.key }));
      if (head.ContentLength !== size) throw new Error(`${leg}: object has ${head.ContentLength} bytes, expected ${size}`);
      if (output.sha256 !== undefined && output.sha256 !== expectedSha) throw new Error(`${leg}: sha256 mismatch`);
      await admin.send(new DeleteObjectCommand({ Bucket: 'bench', Key: output.key }));
      results[leg] = output;
      console.log(`${leg.padEnd(7)} ${output.seconds.toFixed(2).padStart(7)} s  ${(mb(size) / output.seconds).toFixed(1).padStart(7)} MB/s  peak RSS ${mb(output.peakRssBytes).toFixed(0)} MB`);
    }
    const ratio = results.direct!.seconds / results.relay!.seconds;
    const rss = mb(results.relay!.peakRssBytes);
    const cdnAuth = sim.downloads.filter((d) => d.host === 'cdn' && d.authorization !== undefined).length;
    console.log(`relay/direct throughput ratio ${ratio.toFixed(2)} (target ≥ 0.90): ${ratio >= 0.9 ? 'OK' : 'BELOW TARGET'}`);
    console.log(`relay peak RSS ${rss.toFixed(0)} MB (target < 200 MB): ${rss < 200 ? 'OK' : 'ABOVE TARGET'}`);
    console.log(`relay sha256 ${results.relay!.sha256} verified; token sent to the CDN host: ${cdnAuth === 0 ? 'never' : `${cdnAuth} times (BUG)`}`);
  } finally {
    admin.destroy();
    await sim.stop();
    await s3.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
