/** One leg of bench:relay in its own process (so its peak RSS is its own): reads a LegInput on stdin, prints a LegOutput. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import type { Config } from '../src/core/config.ts';
import { openSqliteStore } from '../src/core/state/sqlite-store.ts';
import { createSilentLogger } from '../src/core/logger.ts';
import { createFileDestination } from '../src/services/relay/file-destination.ts';
import { createRelayService } from '../src/services/relay/relay-service.ts';
import { createS3Client, createS3Destination } from '../src/services/relay/s3-destination.ts';
import { createSlackFileDownloader, createSlackFileOpener, trustSlackAndApiHost } from '../src/services/slack-files/slack-file-downloader.ts';
import { generatedContent } from '../test/sim/generated-content.ts';

export const BENCH_TOKEN = 'xoxb-bench-relay-token-1';
export const BENCH_SEED = 77;
const TOKEN = BENCH_TOKEN;
const SEED = BENCH_SEED;

export interface LegInput {
  leg: 'direct' | 'relay';
  size: number;
  s3: Config['s3'];
  bucket: string;
  key: string;
  file?: Record<string, unknown>;
  apiUrl?: string;
  dataDir?: string;
}

export interface LegOutput {
  seconds: number;
  bytes: number;
  sha256?: string;
  key: string;
  /** RSS just before the transfer starts (runtime, modules and clients loaded). */
  baselineRssBytes: number;
  /** The RSS high-water mark before the transfer (module loading). */
  startupPeakRssBytes: number;
  /** The kernel's high-water mark of this process's RSS (VmHWM), so no short spike is missed. */
  peakRssBytes: number;
  /** Highest values seen by a 10 ms sampler during the transfer. */
  sampled: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** process.memoryUsage() at the sample with the highest RSS. */
  atPeak: NodeJS.MemoryUsage;
  /** CPU seconds this process used during the transfer. */
  cpu: { user: number; system: number };
  /** Garbage collections during the transfer, by kind (from perf_hooks). */
  gc: { minor: number; major: number; other: number; ms: number };
}

/** VmHWM from /proc (Linux): the peak RSS of this process image, reset at exec (unlike getrusage's maxRSS, which may carry the parent's). */
export function peakRss(): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

async function runLeg(input: LegInput): Promise<LegOutput> {
  const baselineRssBytes = process.memoryUsage().rss;
  const startupPeakRssBytes = peakRss() ?? baselineRssBytes;
  const sampled = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  let atPeak = process.memoryUsage();
  const gc = { minor: 0, major: 0, other: 0, ms: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
      else gc.other++;
      gc.ms += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > sampled.rss) atPeak = m;
    for (const k of Object.keys(sampled) as (keyof typeof sampled)[]) sampled[k] = Math.max(sampled[k], m[k]);
  }, 10);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let out: Pick<LegOutput, 'bytes' | 'sha256' | 'key'>;
  if (input.leg === 'direct') {
    const client = createS3Client(input.s3, { credentials });
    await new Upload({
      client,
      params: { Bucket: input.bucket, Key: input.key, Body: Readable.from(generatedContent(input.size, SEED)()) },
      partSize: input.s3.partSizeBytes,
      queueSize: input.s3.queueSize,
    }).done();
    out = { bytes: input.size, key: input.key };
  } else {
    const log = createSilentLogger();
    const client = createS3Client(input.s3, { credentials });
    const service = createRelayService({
      relays: (await openSqliteStore({ path: join(input.dataDir!, 'bench.sqlite') })).relays,
      owner: 'bench',
      s3: createS3Destination({ client, partSizeBytes: input.s3.partSizeBytes, queueSize: input.s3.queueSize, log }),
      files: createFileDestination({ log }),
      log,
    });
    const object = input.file as { id: string; name: string; size: number; url_private_download: string };
    const open = createSlackFileOpener(createSlackFileDownloader({ token: TOKEN, log, trustedHost: trustSlackAndApiHost(input.apiUrl!) }));
    const outcome = await service.relay({
      file: { id: object.id, name: object.name, size: object.size, open: (signal) => open(object, signal) },
      rule: { keyword: '!bench', destination: `s3://${input.bucket}/bench/` },
      intent: { user: 'UBENCH', channel: 'CBENCH', messageTs: '1700000000.000001' },
      eventKey: 'bench',
    });
    if (outcome.kind !== 'stored') throw new Error('relay did not store the file');
    out = { bytes: outcome.result.bytes, sha256: outcome.result.sha256, key: outcome.result.location.replace(`s3://${input.bucket}/`, '') };
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuUsed = process.cpuUsage(cpuBefore);
  const cpu = { user: cpuUsed.user / 1e6, system: cpuUsed.system / 1e6 };
  clearInterval(sampler);
  observer.disconnect();
  const peakRssBytes = Math.max(sampled.rss, peakRss() ?? process.resourceUsage().maxRSS * 1024);
  return { ...out, seconds, baselineRssBytes, startupPeakRssBytes, peakRssBytes, sampled, atPeak, cpu, gc };
}

if (import.meta.main) {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const output = await runLeg(JSON.parse(Buffer.concat(chunks).toString('utf8')) as LegInput);
  process.stdout.write(`${JSON.stringify(output)}\n`);
  process.exit(0);
}
