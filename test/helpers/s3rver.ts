import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { createRequire } from 'node:module';
import type { Config } from '../../src/core/config.ts';

/** How to break UploadPart requests: cut the connection after some bytes, or answer an S3 error. */
export interface PartFault {
  /** Only parts with this number (default: every part). */
  partNumber?: number;
  /** `reset`: read this many body bytes, then destroy the socket. `error`: answer `code` at once. */
  mode: 'reset' | 'error';
  afterBytes?: number;
  code?: string;
  status?: number;
}

export interface TestS3 {
  endpoint: string;
  bucket: string;
  dir: string;
  /** opsbot's `Config.s3` for this server. */
  config: Config['s3'];
  credentials: { accessKeyId: string; secretAccessKey: string };
  client: S3Client;
  listKeys(prefix?: string): Promise<string[]>;
  getObject(key: string): Promise<Buffer>;
  /** Streams the object through SHA-256 (no buffering, for big objects). */
  sha256Of(key: string): Promise<string>;
  head(key: string): Promise<HeadObjectCommandOutput>;
  getTags(key: string): Promise<Record<string, string>>;
  /** Multipart uploads begun and neither completed nor aborted (s3rver keeps them on disk). */
  inProgressUploads(): string[];
  /** Counts of requests by kind, e.g. `abort`, `uploadPart`. */
  readonly requests: Record<string, number>;
  failParts(fault: PartFault | undefined): void;
  stop(): Promise<void>;
}

interface S3rverInstance {
  middleware: Middleware[];
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
// s3rver ships no types; this is the part used here.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

type KoaContext = {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  req: import('node:http').IncomingMessage;
  status: number;
  body: unknown;
  type: string;
  respond?: boolean;
};
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

/**
 * s3rver on a temp folder and an ephemeral port, with one bucket — plus what s3rver lacks for the
 * relay's tests: AbortMultipartUpload (it answers MethodNotAllowed otherwise) and fault injection
 * on UploadPart at the HTTP level (connection reset mid-part, or an S3 error answer).
 */
export async function startTestS3(options: { bucket?: string } = {}): Promise<TestS3> {
  const bucket = options.bucket ?? 'relay-test';
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory: dir, silent: true, configureBuckets: [{ name: bucket, configs: [] }] });
  const requests: Record<string, number> = {};
  const count = (kind: string) => (requests[kind] = (requests[kind] ?? 0) + 1);
  let fault: PartFault | undefined;
  const uploadsDir = join(dir, bucket, '._S3rver_uploads');

  const extra: Middleware = async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    if (ctx.method === 'DELETE' && uploadId !== undefined) {
      count('abort');
      const path = join(uploadsDir, uploadId.replace(/[^A-Za-z0-9_-]/g, ''));
      const exists = readdirSafe(uploadsDir).includes(uploadId);
      rmSync(path, { recursive: true, force: true });
      ctx.status = exists ? 204 : 404;
      ctx.type = 'application/xml';
      ctx.body = exists ? '' : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>';
      return;
    }
    if (ctx.method === 'PUT' && uploadId !== undefined && ctx.query.partNumber !== undefined) {
      count('uploadPart');
      const f = fault;
      if (f && (f.partNumber === undefined || Number(ctx.query.partNumber) === f.partNumber)) {
        count('faultedPart');
        if (f.mode === 'error') {
          ctx.status = f.status ?? 500;
          ctx.type = 'application/xml';
          ctx.body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${f.code ?? 'InternalError'}</Code><Message>injected</Message></Error>`;
          return;
        }
        await new Promise<void>((resolve) => {
          let seen = 0;
          ctx.req.on('data', (chunk: Buffer) => {
            seen += chunk.length;
            if (seen >= (f.afterBytes ?? 0)) {
              ctx.req.socket.destroy();
              resolve();
            }
          });
          ctx.req.on('close', () => resolve());
        });
        ctx.respond = false;
        return;
      }
    }
    if (ctx.method === 'POST' && ctx.query.uploads !== undefined) count('createMultipart');
    if (ctx.method === 'POST' && uploadId !== undefined) count('completeMultipart');
    await next();
  };
  server.middleware.unshift(extra);

  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const get = async (key: string) => (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body as NodeJS.ReadableStream & AsyncIterable<Buffer>;

  return {
    endpoint,
    bucket,
    dir,
    credentials,
    client,
    requests,
    config: { endpoint, forcePathStyle: true, region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED', partSizeBytes: 5 * 1024 * 1024, queueSize: 4 },
    async listKeys(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}), ...(token ? { ContinuationToken: token } : {}) }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async getObject(key) {
      const chunks: Buffer[] = [];
      for await (const chunk of await get(key)) chunks.push(Buffer.from(chunk));
      return Buffer.concat(chunks);
    },
    async sha256Of(key) {
      const hash = createHash('sha256');
      for await (const chunk of await get(key)) hash.update(chunk);
      return hash.digest('hex');
    },
    head: (key) => client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })),
    async getTags(key) {
      const { GetObjectTaggingCommand } = await import('@aws-sdk/client-s3');
      const out = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
      return Object.fromEntries((out.TagSet ?? []).map((t) => [t.Key!, t.Value!]));
    },
    inProgressUploads: () => readdirSafe(uploadsDir),
    failParts(next) {
      fault = next;
    },
    async stop() {
      client.destroy();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
