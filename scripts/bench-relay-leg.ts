/** One leg of bench:relay in its own process (so its peak RSS is its own): reads a LegInput on stdin, prints a LegOutput. */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import type { Config } from '../src/core/config.ts';
import { openDatabase } from '../src/core/database.ts';
import { createSilentLogger } from '../src/core/logger.ts';
import { createFileDestination } from '../src/services/relay/file-destination.ts';
import { createRelayLedger } from '../src/services/relay/relay-ledger.ts';
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
  peakRssBytes: number;
}

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

async function runLeg(input: LegInput): Promise<LegOutput> {
  if (process.env.BENCH_DEBUG) console.error(`${input.leg}: rss at start ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB, max so far ${(process.resourceUsage().maxRSS / 1e3).toFixed(0)} MB`);
  let sampled = 0;
  const sampler = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 50);
  const started = performance.now();
  let out: Omit<LegOutput, 'peakRssBytes' | 'seconds'>;
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
      ledger: createRelayLedger({ db: openDatabase(join(input.dataDir!, 'bench.sqlite')) }),
      s3: createS3Destination({ client, partSizeBytes: input.s3.partSizeBytes, queueSize: input.s3.queueSize, log }),
      files: createFileDestination({ log }),
      log,
    });
    const object = input.file as { id: string; name: string; size: number; url_private_download: string };
    const open = createSlackFileOpener(createSlackFileDownloader({ token: TOKEN, log, trustedHost: trustSlackAndApiHost(input.apiUrl!) }));
    const outcome = await service.relay({
      file: { id: object.id, name: object.name, size: object.size, open: (signal) => open(object, signal) },
      rule: { keyword: '!bench', destination: `s3://${input.bucket}/bench/` },
      user: 'UBENCH',
      channel: 'CBENCH',
      eventKey: 'bench',
    });
    if (outcome.kind !== 'stored') throw new Error('relay did not store the file');
    out = { bytes: outcome.result.bytes, sha256: outcome.result.sha256, key: outcome.result.location.replace(`s3://${input.bucket}/`, '') };
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const peakRssBytes = Math.max(sampled, process.resourceUsage().maxRSS * 1024);
  return { ...out, seconds, peakRssBytes };
}


if (import.meta.main) {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const output = await runLeg(JSON.parse(Buffer.concat(chunks).toString('utf8')) as LegInput);
  process.stdout.write(`${JSON.stringify(output)}\n`);
  process.exit(0);
}
