import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../src/core/config.ts';

/**
 * A faulting, throttling HTTP proxy on loopback in front of s3rver (test/helpers/s3rver.ts).
 *
 * Bodies stream through untouched (only the small XML answers of CreateMultipartUpload and
 * CompleteMultipartUpload are read, to learn the upload id and the outcome). Besides faults, it
 * supplies what s3rver lacks for crash-safety checks: it keeps its own record of multipart
 * uploads begun through it, answers ListMultipartUploads and ListParts from that record, answers
 * AbortMultipartUpload itself (204; s3rver's temp parts are removed when the proxy knows s3rver's
 * folder) and refuses UploadPart/CompleteMultipartUpload for an upload it does not know (aborted,
 * completed, or never begun through the proxy) with S3's 404 NoSuchUpload.
 */

export type S3Op =
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListMultipartUploads'
  | 'ListParts'
  | 'PutObject'
  | 'CopyObject'
  | 'PutObjectTagging'
  | 'GetObjectTagging'
  | 'HeadObject'
  | 'GetObject'
  | 'DeleteObject'
  | 'DeleteObjects'
  | 'ListObjects'
  | 'HeadBucket'
  | 'other';

export type S3FaultAction =
  /** Answer `status` with S3's XML error body for `code`. `applied: true` forwards the request first (the change happens), then answers the error instead of s3rver's answer. */
  | { kind: 'error'; status: number; code: string; message?: string; applied?: boolean }
  /** Hold the request without forwarding it; after `ms` (default: until clearFaults()/stop()) the connection is reset. */
  | { kind: 'hang'; ms?: number }
  /** Destroy the connection. `when: 'after'` forwards the request first (the change happens) and resets instead of answering; `afterBytes` reads that much of the body first (before only). */
  | { kind: 'reset'; when?: 'before' | 'after'; afterBytes?: number }
  /** Answer S3's throttling error (503 SlowDown by default) with a `Retry-After` header. */
  | { kind: 'throttle'; retryAfterSeconds: number; status?: number; code?: string };

export interface S3FaultRule {
  match?: {
    method?: string;
    op?: S3Op | 'any';
    /** Only requests for this key (exact) or keys matching this pattern. */
    key?: string | RegExp;
    /** Let this many matching requests through first. */
    afterN?: number;
  };
  action: S3FaultAction;
  /** How many requests it breaks (default: every matching one until cleared). */
  times?: number;
}

/** A handle on one rule: how often it fired, and removal. */
export interface S3FaultHandle {
  readonly fired: number;
  /** Requests that matched (fired or let through by `afterN`). */
  readonly seen: number;
  remove(): void;
}

export interface S3ProxyRequest {
  seq: number;
  at: number;
  method: string;
  op: S3Op;
  bucket: string | undefined;
  key: string | undefined;
  uploadId?: string;
  partNumber?: number;
  /** The fault applied, if any: `error`, `hang`, `reset`, `throttle`, `down`, or `NoSuchUpload` (the proxy's own answer). */
  fault?: string;
  /** Who answered: s3rver (`upstream`) or the proxy itself. */
  answeredBy?: 'upstream' | 'proxy';
  /** The status sent to the client (undefined while pending, or when the connection was reset). */
  status?: number;
  /** True once the request is finished one way or another. */
  done: boolean;
}

export interface OpenUpload {
  bucket: string;
  key: string;
  uploadId: string;
  /** Distinct part numbers uploaded successfully. */
  parts: number;
}

export interface S3ProxyTarget {
  endpoint: string;
  /** s3rver's folder: lets an abort remove s3rver's temp parts. */
  dir?: string;
  config?: Config['s3'];
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface S3Proxy {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** The target's `Config.s3` with the endpoint pointed at the proxy (when the target has one). */
  readonly config: Config['s3'] | undefined;
  /** An S3 client (path-style, checksums only when required) pointed at the proxy; `maxAttempts` 1 so faults are seen as they are. */
  readonly client: S3Client;
  /** Every request, in arrival order. */
  readonly requests: S3ProxyRequest[];
  fault(rule: S3FaultRule): S3FaultHandle;
  clearFaults(): void;
  /** Every request fails until up(): the connection is reset (default) or answered 503 ServiceUnavailable. */
  down(mode?: 'reset' | 'unavailable'): void;
  up(): void;
  readonly isDown: boolean;
  openUploads(): OpenUpload[];
  /** Requests now held by a hang. */
  hanging(): number;
  requestsOf(op: S3Op): S3ProxyRequest[];
  /** Resolves with the first (past or future) request that satisfies `predicate`, once it is `done` if `done` is asked. */
  waitForRequest(predicate: (r: S3ProxyRequest) => boolean, options?: { done?: boolean; timeoutMs?: number }): Promise<S3ProxyRequest>;
  stop(): Promise<void>;
}

interface Tracked {
  bucket: string;
  key: string;
  uploadId: string;
  initiated: Date;
  parts: Map<number, { etag: string; size: number; at: Date }>;
}

interface Rule {
  rule: S3FaultRule;
  seen: number;
  fired: number;
  removed: boolean;
}

const S3_MESSAGES: Record<string, string> = {
  InternalError: 'We encountered an internal error. Please try again.',
  ServiceUnavailable: 'Please reduce your request rate.',
  SlowDown: 'Please reduce your request rate.',
  NoSuchUpload: 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  AccessDenied: 'Access Denied',
  RequestTimeout: 'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
  InvalidPart: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
  EntityTooSmall: 'Your proposed upload is smaller than the minimum allowed object size.',
  NoSuchKey: 'The specified key does not exist.',
  TooManyRequests: 'Please reduce your request rate.',
};

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** S3's XML error document. */
export function s3ErrorXml(code: string, options: { message?: string; resource?: string; requestId?: string; extra?: Record<string, string> } = {}): string {
  const requestId = options.requestId ?? randomBytes(8).toString('hex').toUpperCase();
  const extra = Object.entries(options.extra ?? {})
    .map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(options.message ?? S3_MESSAGES[code] ?? code)}</Message>${extra}` +
    `${options.resource ? `<Resource>${xmlEscape(options.resource)}</Resource>` : ''}<RequestId>${requestId}</RequestId>` +
    `<HostId>${randomBytes(24).toString('base64')}</HostId></Error>`
  );
}

interface Parsed {
  op: S3Op;
  bucket: string | undefined;
  key: string | undefined;
  uploadId: string | undefined;
  partNumber: number | undefined;
  query: URLSearchParams;
}

function classify(req: IncomingMessage): Parsed {
  const url = new URL(req.url ?? '/', 'http://proxy');
  const q = url.searchParams;
  const segments = url.pathname.split('/').slice(1);
  const bucket = segments[0] ? decodeURIComponent(segments[0]) : undefined;
  const rest = segments.slice(1).join('/');
  const key = rest ? decodeURIComponent(rest) : undefined;
  const uploadId = q.get('uploadId') ?? undefined;
  const partNumber = q.has('partNumber') ? Number(q.get('partNumber')) : undefined;
  const method = (req.method ?? 'GET').toUpperCase();
  const copy = req.headers['x-amz-copy-source'] !== undefined;
  let op: S3Op = 'other';
  if (bucket && key) {
    if (method === 'POST' && q.has('uploads')) op = 'CreateMultipartUpload';
    else if (method === 'POST' && uploadId !== undefined) op = 'CompleteMultipartUpload';
    else if (method === 'PUT' && uploadId !== undefined) op = copy ? 'UploadPartCopy' : 'UploadPart';
    else if (method === 'DELETE' && uploadId !== undefined) op = 'AbortMultipartUpload';
    else if (method === 'GET' && uploadId !== undefined) op = 'ListParts';
    else if (method === 'PUT' && q.has('tagging')) op = 'PutObjectTagging';
    else if (method === 'GET' && q.has('tagging')) op = 'GetObjectTagging';
    else if (method === 'PUT') op = copy ? 'CopyObject' : 'PutObject';
    else if (method === 'HEAD') op = 'HeadObject';
    else if (method === 'GET') op = 'GetObject';
    else if (method === 'DELETE') op = 'DeleteObject';
  } else if (bucket) {
    if (method === 'GET' && q.has('uploads')) op = 'ListMultipartUploads';
    else if (method === 'POST' && q.has('delete')) op = 'DeleteObjects';
    else if (method === 'GET') op = 'ListObjects';
    else if (method === 'HEAD') op = 'HeadBucket';
  }
  return { op, bucket, key, uploadId, partNumber, query: q };
}

/** Starts the proxy in front of `target` (a TestS3 from startTestS3, or just an endpoint). */
export async function startS3Proxy(target: S3ProxyTarget): Promise<S3Proxy> {
  const upstream = new URL(target.endpoint);
  const uploads = new Map<string, Tracked>();
  const rules: Rule[] = [];
  const requests: S3ProxyRequest[] = [];
  const waiters = new Set<() => void>();
  const hung = new Set<{ socket: Socket; timer: NodeJS.Timeout | undefined; entry: S3ProxyRequest }>();
  let downMode: 'reset' | 'unavailable' | undefined;
  let seq = 0;

  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const finish = (entry: S3ProxyRequest, status: number | undefined, by: 'upstream' | 'proxy' | undefined) => {
    if (status !== undefined) entry.status = status;
    if (by) entry.answeredBy = by;
    entry.done = true;
    notify();
  };

  const sendXml = (res: ServerResponse, entry: S3ProxyRequest, status: number, body: string, headers: Record<string, string> = {}) => {
    const head = entry.method === 'HEAD';
    res.writeHead(status, {
      'content-type': 'application/xml',
      'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
      ...(head ? {} : { 'content-length': String(Buffer.byteLength(body)) }),
      ...headers,
    });
    res.end(head ? undefined : body);
    finish(entry, status, 'proxy');
  };

  /** Answers without reading the whole body: the rest is drained so the connection stays usable. */
  const answerEarly = (req: IncomingMessage, res: ServerResponse, entry: S3ProxyRequest, status: number, body: string, headers: Record<string, string> = {}) => {
    req.resume();
    sendXml(res, entry, status, body, headers);
  };

  const reset = (req: IncomingMessage, entry: S3ProxyRequest) => {
    req.socket.destroy();
    finish(entry, undefined, undefined);
  };

  const pickRule = (req: IncomingMessage, parsed: Parsed): Rule | undefined => {
    for (const r of rules) {
      if (r.removed) continue;
      const m = r.rule.match ?? {};
      if (m.method && m.method.toUpperCase() !== (req.method ?? '').toUpperCase()) continue;
      if (m.op && m.op !== 'any' && m.op !== parsed.op) continue;
      if (m.key !== undefined) {
        if (parsed.key === undefined) continue;
        if (typeof m.key === 'string' ? m.key !== parsed.key : !m.key.test(parsed.key)) continue;
      }
      r.seen += 1;
      if (r.seen <= (m.afterN ?? 0)) continue;
      if (r.fired >= (r.rule.times ?? Number.POSITIVE_INFINITY)) continue;
      r.fired += 1;
      return r;
    }
    return undefined;
  };

  const noSuchUpload = (parsed: Parsed) => s3ErrorXml('NoSuchUpload', { resource: `/${parsed.bucket}/${parsed.key}`, extra: parsed.uploadId ? { UploadId: parsed.uploadId } : {} });

  /** Forwards to s3rver. `onResponse` may take over the answer (then it must end `res` or destroy the socket). */
  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    entry: S3ProxyRequest,
    options: { collect?: boolean; after?: (status: number, headers: IncomingMessage['headers'], body: Buffer | undefined) => boolean | void } = {},
  ) => {
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const status = up.statusCode ?? 502;
      if (!options.collect) {
        if (options.after?.(status, up.headers, undefined)) {
          up.resume();
          return;
        }
        res.writeHead(status, up.headers);
        up.pipe(res);
        up.on('end', () => finish(entry, status, 'upstream'));
        up.on('error', () => reset(req, entry));
        return;
      }
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('error', () => reset(req, entry));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        if (options.after?.(status, up.headers, body)) return;
        res.writeHead(status, up.headers);
        res.end(body);
        finish(entry, status, 'upstream');
      });
    });
    out.on('error', () => {
      if (!res.headersSent) sendXml(res, entry, 502, s3ErrorXml('InternalError', { message: 'proxy: s3rver unreachable' }));
      else reset(req, entry);
    });
    req.pipe(out);
    req.on('close', () => {
      if (!req.complete) out.destroy();
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const parsed = classify(req);
    const entry: S3ProxyRequest = {
      seq: ++seq,
      at: Date.now(),
      method: req.method ?? 'GET',
      op: parsed.op,
      bucket: parsed.bucket,
      key: parsed.key,
      ...(parsed.uploadId !== undefined ? { uploadId: parsed.uploadId } : {}),
      ...(parsed.partNumber !== undefined ? { partNumber: parsed.partNumber } : {}),
      done: false,
    };
    requests.push(entry);
    notify();

    if (downMode) {
      entry.fault = 'down';
      if (downMode === 'reset') return reset(req, entry);
      return answerEarly(req, res, entry, 503, s3ErrorXml('ServiceUnavailable', { resource: `/${parsed.bucket ?? ''}${parsed.key ? `/${parsed.key}` : ''}` }));
    }

    const fired = pickRule(req, parsed);
    const action = fired?.rule.action;
    if (action) {
      entry.fault = action.kind;
      notify();
    }
    const resource = `/${parsed.bucket ?? ''}${parsed.key ? `/${parsed.key}` : ''}`;
    if (action?.kind === 'hang') {
      req.pause();
      const held = { socket: req.socket, timer: undefined as NodeJS.Timeout | undefined, entry };
      hung.add(held);
      if (action.ms !== undefined) {
        held.timer = setTimeout(() => {
          hung.delete(held);
          reset(req, entry);
        }, action.ms);
      }
      req.socket.once('close', () => {
        hung.delete(held);
        if (held.timer) clearTimeout(held.timer);
        if (!entry.done) finish(entry, undefined, undefined);
      });
      return;
    }
    if (action?.kind === 'reset' && action.when !== 'after') {
      const limit = action.afterBytes ?? 0;
      if (limit <= 0) return reset(req, entry);
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen >= limit) reset(req, entry);
      });
      req.on('end', () => reset(req, entry));
      return;
    }
    if (action?.kind === 'throttle') {
      const status = action.status ?? 503;
      const code = action.code ?? (status === 429 ? 'TooManyRequests' : 'SlowDown');
      return answerEarly(req, res, entry, status, s3ErrorXml(code, { resource }), { 'retry-after': String(action.retryAfterSeconds) });
    }
    if (action?.kind === 'error' && !action.applied) {
      return answerEarly(req, res, entry, action.status, s3ErrorXml(action.code, { resource, ...(action.message ? { message: action.message } : {}) }));
    }
    // From here the request is applied (possibly followed by an `after` fault).
    const afterFault = (status: number): boolean => {
      if (action?.kind === 'reset') {
        reset(req, entry);
        return true;
      }
      if (action?.kind === 'error') {
        entry.status = status;
        sendXml(res, entry, action.status, s3ErrorXml(action.code, { resource, ...(action.message ? { message: action.message } : {}) }));
        return true;
      }
      return false;
    };

    const tracked = parsed.uploadId !== undefined ? uploads.get(parsed.uploadId) : undefined;
    switch (parsed.op) {
      case 'ListMultipartUploads':
        req.resume();
        return sendXml(res, entry, 200, listUploadsXml(parsed, [...uploads.values()]));
      case 'ListParts':
        req.resume();
        if (!tracked) return sendXml(res, entry, 404, noSuchUpload(parsed));
        return sendXml(res, entry, 200, listPartsXml(parsed, tracked));
      case 'AbortMultipartUpload': {
        req.resume();
        if (!tracked) {
          entry.fault ??= 'NoSuchUpload';
          return sendXml(res, entry, 404, noSuchUpload(parsed));
        }
        uploads.delete(tracked.uploadId);
        if (target.dir) rmSync(join(target.dir, tracked.bucket, '._S3rver_uploads', tracked.uploadId.replace(/[^A-Za-z0-9_-]/g, '')), { recursive: true, force: true });
        if (afterFault(204)) return;
        res.writeHead(204, { 'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase() });
        res.end();
        return finish(entry, 204, 'proxy');
      }
      case 'UploadPart':
      case 'UploadPartCopy':
        if (!tracked) {
          entry.fault ??= 'NoSuchUpload';
          return answerEarly(req, res, entry, 404, noSuchUpload(parsed));
        }
        return forward(req, res, entry, {
          after: (status, headers) => {
            if (status >= 200 && status < 300 && uploads.has(tracked.uploadId)) {
              tracked.parts.set(parsed.partNumber ?? 0, { etag: String(headers.etag ?? ''), size: Number(req.headers['content-length'] ?? 0), at: new Date() });
            }
            return afterFault(status);
          },
        });
      case 'CompleteMultipartUpload':
        if (!tracked) {
          entry.fault ??= 'NoSuchUpload';
          return answerEarly(req, res, entry, 404, noSuchUpload(parsed));
        }
        return forward(req, res, entry, {
          collect: true,
          after: (status, _headers, body) => {
            if (status === 200 && !/<Error>/.test(body?.toString('utf8') ?? '')) uploads.delete(tracked.uploadId);
            return afterFault(status);
          },
        });
      case 'CreateMultipartUpload':
        return forward(req, res, entry, {
          collect: true,
          after: (status, _headers, body) => {
            const id = /<UploadId>([^<]+)<\/UploadId>/.exec(body?.toString('utf8') ?? '')?.[1];
            if (status === 200 && id && parsed.bucket && parsed.key) {
              uploads.set(id, { bucket: parsed.bucket, key: parsed.key, uploadId: id, initiated: new Date(), parts: new Map() });
            }
            return afterFault(status);
          },
        });
      default:
        return forward(req, res, entry, { after: (status) => afterFault(status) });
    }
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new S3Client({
    region: target.config?.region ?? 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: target.credentials ?? { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });

  const releaseHangs = () => {
    for (const held of [...hung]) {
      hung.delete(held);
      if (held.timer) clearTimeout(held.timer);
      held.socket.destroy();
      if (!held.entry.done) finish(held.entry, undefined, undefined);
    }
  };

  return {
    endpoint,
    config: target.config ? { ...target.config, endpoint } : undefined,
    client,
    requests,
    fault(rule) {
      const r: Rule = { rule, seen: 0, fired: 0, removed: false };
      rules.push(r);
      return {
        get fired() {
          return r.fired;
        },
        get seen() {
          return r.seen;
        },
        remove() {
          r.removed = true;
        },
      };
    },
    clearFaults() {
      for (const r of rules) r.removed = true;
      rules.length = 0;
      releaseHangs();
    },
    down(mode = 'reset') {
      downMode = mode;
    },
    up() {
      downMode = undefined;
    },
    get isDown() {
      return downMode !== undefined;
    },
    openUploads: () => [...uploads.values()].map((u) => ({ bucket: u.bucket, key: u.key, uploadId: u.uploadId, parts: u.parts.size })),
    hanging: () => hung.size,
    requestsOf: (op) => requests.filter((r) => r.op === op),
    waitForRequest(predicate, options = {}) {
      const timeoutMs = options.timeoutMs ?? 20_000;
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = requests.find((r) => predicate(r) && (!options.done || r.done));
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`s3-proxy: timed out waiting for a request; seen: ${requests.map((r) => `${r.op}${r.fault ? `(${r.fault})` : ''}`).join(', ')}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    async stop() {
      releaseHangs();
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listUploadsXml(parsed: Parsed, all: Tracked[]): string {
  const q = parsed.query;
  const prefix = q.get('prefix') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const uploadIdMarker = q.get('upload-id-marker') ?? '';
  const max = Math.min(Math.max(Number(q.get('max-uploads') ?? 1000) || 1000, 0), 1000);
  const sorted = all
    .filter((u) => u.bucket === parsed.bucket && u.key.startsWith(prefix))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated.getTime() - b.initiated.getTime() || (a.uploadId < b.uploadId ? -1 : 1)));
  let list = sorted;
  if (keyMarker) {
    // S3: with an upload-id-marker, uploads of key-marker after that id; otherwise keys after key-marker.
    const at = uploadIdMarker ? sorted.findIndex((u) => u.key === keyMarker && u.uploadId === uploadIdMarker) : -1;
    list = at >= 0 ? sorted.slice(at + 1) : sorted.filter((u) => u.key > keyMarker);
  }
  const page = list.slice(0, max);
  const truncated = list.length > page.length;
  const last = page.at(-1);
  const owner = '<Owner><ID>S3RVER</ID><DisplayName>S3rver</DisplayName></Owner>';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Bucket>${xmlEscape(parsed.bucket ?? '')}</Bucket><KeyMarker>${xmlEscape(keyMarker)}</KeyMarker><UploadIdMarker>${xmlEscape(uploadIdMarker)}</UploadIdMarker>` +
    (truncated && last
      ? `<NextKeyMarker>${xmlEscape(last.key)}</NextKeyMarker><NextUploadIdMarker>${xmlEscape(last.uploadId)}</NextUploadIdMarker>`
      : '<NextKeyMarker></NextKeyMarker><NextUploadIdMarker></NextUploadIdMarker>') +
    (prefix ? `<Prefix>${xmlEscape(prefix)}</Prefix>` : '') +
    `<MaxUploads>${max}</MaxUploads><IsTruncated>${truncated}</IsTruncated>` +
    page
      .map(
        (u) =>
          `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${xmlEscape(u.uploadId)}</UploadId><Initiator><ID>S3RVER</ID><DisplayName>S3rver</DisplayName></Initiator>${owner}` +
          `<StorageClass>STANDARD</StorageClass><Initiated>${u.initiated.toISOString()}</Initiated></Upload>`,
      )
      .join('') +
    '</ListMultipartUploadsResult>'
  );
}

function listPartsXml(parsed: Parsed, upload: Tracked): string {
  const q = parsed.query;
  const marker = Number(q.get('part-number-marker') ?? 0) || 0;
  const max = Math.min(Math.max(Number(q.get('max-parts') ?? 1000) || 1000, 0), 1000);
  const all = [...upload.parts].sort((a, b) => a[0] - b[0]).filter(([n]) => n > marker);
  const page = all.slice(0, max);
  const truncated = all.length > page.length;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Bucket>${xmlEscape(upload.bucket)}</Bucket><Key>${xmlEscape(upload.key)}</Key><UploadId>${xmlEscape(upload.uploadId)}</UploadId>` +
    `<PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${page.at(-1)?.[0] ?? 0}</NextPartNumberMarker><MaxParts>${max}</MaxParts><IsTruncated>${truncated}</IsTruncated>` +
    '<StorageClass>STANDARD</StorageClass>' +
    page.map(([n, p]) => `<Part><PartNumber>${n}</PartNumber><LastModified>${p.at.toISOString()}</LastModified><ETag>${xmlEscape(p.etag)}</ETag><Size>${p.size}</Size></Part>`).join('') +
    '</ListPartsResult>'
  );
}
