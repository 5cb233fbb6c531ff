/**
 * bench:relay — relays a generated file (1 GiB by default; BENCH_RELAY_BYTES to change) from the
 * Slack simulator (behind its CDN redirect) to s3rver through the relay service, beside a direct
 * streamed upload of the same bytes to the same server. Each leg runs in its own child process,
 * so its peak RSS is its own, with the node flags of the `start` script and the config's default
 * part size and queue (what production runs). Targets: relay peak RSS < 200 MB, throughput
 * ≥ 0.9× direct. BENCH_RELAY_PART_BYTES, BENCH_RELAY_QUEUE and BENCH_RELAY_NODE_FLAGS override
 * those to explore; the output then says so.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { LegInput, LegOutput } from './bench-relay-leg.ts';
import { loadConfig } from '../src/core/config.ts';
import { startTestS3 } from '../test/helpers/s3rver.ts';
import { generatedContent, SlackSim } from '../test/sim/slack-sim.ts';

import { BENCH_TOKEN as TOKEN, BENCH_SEED as SEED } from './bench-relay-leg.ts';

/**
 * The node flags production runs with: those of package.json's `start` script
 * (`exec node <flags> bin/opsbot.js start`). Both legs get them, so the relay runs exactly as in
 * production and the ratio measures the relay's own cost, not the runtime's tuning.
 */
function productionNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } };
  const match = /^(?:exec\s+)?node((?:\s+--?\S+)*)\s+bin\/opsbot\.js\b/.exec(pkg.scripts.start);
  if (!match) throw new Error(`cannot read the node flags from the start script: ${pkg.scripts.start}`);
  return match[1]!.trim().split(/\s+/).filter(Boolean);
}

function spawnLeg(input: LegInput, nodeFlags: string[]): Promise<LegOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, fileURLToPath(new URL('./bench-relay-leg.ts', import.meta.url))], {
      stdio: ['pipe', 'pipe', 'inherit'],
      // NODE_OPTIONS would add flags production does not have.
      env: { ...process.env, NODE_OPTIONS: '' },
    });
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
  // The relay leg uses what production uses: the config defaults (overridable here only to explore).
  const defaults = loadConfig({ env: {}, cwd: tmpdir() }).s3;
  const partSizeBytes = Number(process.env.BENCH_RELAY_PART_BYTES ?? defaults.partSizeBytes);
  const queueSize = Number(process.env.BENCH_RELAY_QUEUE ?? defaults.queueSize);
  const overridden = partSizeBytes !== defaults.partSizeBytes || queueSize !== defaults.queueSize;
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
    console.log(
      `bench:relay — ${(size / 2 ** 30).toFixed(2)} GiB, part ${partSizeBytes / 2 ** 20} MiB × queue ${queueSize}${overridden ? ' (OVERRIDDEN, not the production defaults)' : ' (production defaults)'}, s3rver at ${s3.endpoint}`,
    );

    const flagsOverride = process.env.BENCH_RELAY_NODE_FLAGS;
    const nodeFlags = flagsOverride !== undefined ? flagsOverride.split(/\s+/).filter(Boolean) : productionNodeFlags();
    console.log(
      `node flags, both legs: ${nodeFlags.join(' ') || '(none)'}${flagsOverride !== undefined ? ' (OVERRIDDEN by BENCH_RELAY_NODE_FLAGS, not production)' : ' (from the start script, as in production)'}`,
    );
    const results: Record<string, LegOutput> = {};
    for (const leg of ['direct', 'relay'] as const) {
      const output = await spawnLeg({ leg, size, s3: s3Config, bucket: 'bench', key: 'direct/bench.bin', file, apiUrl: sim.apiUrl, dataDir }, nodeFlags);
      const head = await admin.send(new HeadObjectCommand({ Bucket: 'bench', Key: output.key }));
      if (head.ContentLength !== size) throw new Error(`${leg}: object has ${head.ContentLength} bytes, expected ${size}`);
      if (output.sha256 !== undefined && output.sha256 !== expectedSha) throw new Error(`${leg}: sha256 mismatch`);
      await admin.send(new DeleteObjectCommand({ Bucket: 'bench', Key: output.key }));
      results[leg] = output;
      const s = output.sampled;
      console.log(
        `${leg.padEnd(7)} ${output.seconds.toFixed(2).padStart(7)} s  ${(mb(size) / output.seconds).toFixed(1).padStart(7)} MB/s  ` +
          `peak RSS ${mb(output.peakRssBytes).toFixed(0)} MB (baseline before transfer ${mb(output.baselineRssBytes).toFixed(0)} MB, startup peak ${mb(output.startupPeakRssBytes).toFixed(0)} MB)`,
      );
      console.log(
        `        during transfer, max of: heapTotal ${mb(s.heapTotal).toFixed(0)} MB, heapUsed ${mb(s.heapUsed).toFixed(0)} MB, external ${mb(s.external).toFixed(0)} MB (arrayBuffers ${mb(s.arrayBuffers).toFixed(0)} MB)`,
      );
      console.log(`        CPU during transfer: ${output.cpu.user.toFixed(2)} s user, ${output.cpu.system.toFixed(2)} s system`);
      console.log(`        GC during transfer: ${output.gc.minor} minor, ${output.gc.major} major, ${output.gc.other} other, ${output.gc.ms.toFixed(0)} ms`);
      const p = output.atPeak;
      console.log(
        `        at the sampled RSS peak ${mb(p.rss).toFixed(0)} MB: heapTotal ${mb(p.heapTotal).toFixed(0)} MB, heapUsed ${mb(p.heapUsed).toFixed(0)} MB, external ${mb(p.external).toFixed(0)} MB (arrayBuffers ${mb(p.arrayBuffers).toFixed(0)} MB)`,
      );
    }
    const ratio = results.direct!.seconds / results.relay!.seconds;
    const rss = mb(results.relay!.peakRssBytes);
    console.log(`direct leg peak RSS ${mb(results.direct!.peakRssBytes).toFixed(0)} MB (reference only; the target applies to the relay)`);
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
