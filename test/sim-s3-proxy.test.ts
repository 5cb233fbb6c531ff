import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startS3Proxy, type S3Proxy } from './helpers/s3-proxy.ts';
import { startTestS3, type TestS3 } from './helpers/s3rver.ts';

const MiB = 1024 * 1024;
let s3: TestS3;
let proxy: S3Proxy;
let n = 0;
const key = (what: string) => `sim-proxy/${what}-${++n}`;

beforeAll(async () => {
  s3 = await startTestS3({ bucket: 'proxied' });
  proxy = await startS3Proxy(s3);
});
afterAll(async () => {
  await proxy.stop();
  await s3.stop();
});
afterEach(() => {
  proxy.clearFaults();
  proxy.up();
});

/** The rejection of `promise`, which must reject. */
async function rejection(promise: Promise<unknown>): Promise<S3ServiceException & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as S3ServiceException & { code?: string };
  }
  throw new Error('expected a rejection');
}

async function begin(k: string): Promise<string> {
  const out = await proxy.client.send(new CreateMultipartUploadCommand({ Bucket: 'proxied', Key: k }));
  return out.UploadId!;
}
const part = (k: string, uploadId: string, partNumber: number, body: Buffer | string = Buffer.alloc(5 * MiB, partNumber)) =>
  proxy.client.send(new UploadPartCommand({ Bucket: 'proxied', Key: k, UploadId: uploadId, PartNumber: partNumber, Body: body }));

describe('S3 proxy: multipart bookkeeping s3rver lacks', () => {
  it('tracks an upload through UploadPart; ListMultipartUploads and ListParts via the SDK list it', async () => {
    const k = key('listed');
    const uploadId = await begin(k);
    await part(k, uploadId, 1);
    await part(k, uploadId, 2, 'tail');
    expect(proxy.openUploads()).toContainEqual({ bucket: 'proxied', key: k, uploadId, parts: 2 });

    const listed = await proxy.client.send(new ListMultipartUploadsCommand({ Bucket: 'proxied', Prefix: 'sim-proxy/listed' }));
    expect(listed.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([[k, uploadId]]);
    expect(listed.Uploads?.[0]?.Initiated).toBeInstanceOf(Date);
    expect(listed.IsTruncated).toBe(false);

    const parts = await proxy.client.send(new ListPartsCommand({ Bucket: 'proxied', Key: k, UploadId: uploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 5 * MiB],
      [2, 4],
    ]);
    expect(parts.Parts?.[0]?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    await proxy.client.send(new AbortMultipartUploadCommand({ Bucket: 'proxied', Key: k, UploadId: uploadId }));
  });

  it('pages ListMultipartUploads with max-uploads and markers', async () => {
    const ks = [key('page-a'), key('page-b'), key('page-c')];
    const ids = [];
    for (const k of ks) ids.push(await begin(k));
    const first = await proxy.client.send(new ListMultipartUploadsCommand({ Bucket: 'proxied', Prefix: 'sim-proxy/page-', MaxUploads: 2 }));
    expect(first.Uploads?.map((u) => u.Key)).toEqual(ks.slice(0, 2));
    expect(first.IsTruncated).toBe(true);
    const second = await proxy.client.send(
      new ListMultipartUploadsCommand({ Bucket: 'proxied', Prefix: 'sim-proxy/page-', MaxUploads: 2, KeyMarker: first.NextKeyMarker, UploadIdMarker: first.NextUploadIdMarker }),
    );
    expect(second.Uploads?.map((u) => u.Key)).toEqual(ks.slice(2));
    expect(second.IsTruncated).toBe(false);
    for (const [i, k] of ks.entries()) await proxy.client.send(new AbortMultipartUploadCommand({ Bucket: 'proxied', Key: k, UploadId: ids[i] }));
  });

  it('AbortMultipartUpload via the SDK: 204 from the proxy, gone from openUploads and s3rver temp parts; later parts get NoSuchUpload', async () => {
    const k = key('aborted');
    const uploadId = await begin(k);
    await part(k, uploadId, 1);
    expect(s3.inProgressUploads()).toContain(uploadId);

    const out = await proxy.client.send(new AbortMultipartUploadCommand({ Bucket: 'proxied', Key: k, UploadId: uploadId }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    expect(proxy.openUploads().map((u) => u.uploadId)).not.toContain(uploadId);
    expect(s3.inProgressUploads()).not.toContain(uploadId);
    expect(proxy.requestsOf('AbortMultipartUpload').at(-1)).toMatchObject({ answeredBy: 'proxy', status: 204 });

    const late = await rejection(part(k, uploadId, 2));
    expect(late.name).toBe('NoSuchUpload');
    expect(late.$metadata.httpStatusCode).toBe(404);
    const again = await rejection(proxy.client.send(new AbortMultipartUploadCommand({ Bucket: 'proxied', Key: k, UploadId: uploadId })));
    expect(again.name).toBe('NoSuchUpload');
    const complete = await rejection(
      proxy.client.send(new CompleteMultipartUploadCommand({ Bucket: 'proxied', Key: k, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"x"' }] } })),
    );
    expect(complete.name).toBe('NoSuchUpload');
  });

  it('CompleteMultipartUpload removes the upload and the object is whole', async () => {
    const k = key('completed');
    const uploadId = await begin(k);
    const p1 = await part(k, uploadId, 1);
    const p2 = await part(k, uploadId, 2, 'end');
    await proxy.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'proxied',
        Key: k,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    );
    expect(proxy.openUploads().map((u) => u.uploadId)).not.toContain(uploadId);
    expect((await s3.head(k)).ContentLength).toBe(5 * MiB + 3);
  });

  it('lib-storage Upload whose second part fails aborts, and the proxy sees the upload gone', async () => {
    const k = key('lib-storage');
    const rule = proxy.fault({ match: { op: 'UploadPart', afterN: 1 }, action: { kind: 'error', status: 500, code: 'InternalError' } });
    const upload = new Upload({ client: proxy.client, params: { Bucket: 'proxied', Key: k, Body: Buffer.alloc(11 * MiB, 7) }, queueSize: 1, partSize: 5 * MiB, leavePartsOnError: false });
    const error = await rejection(upload.done());
    expect(error.name).toBe('InternalError');
    expect(rule.fired).toBeGreaterThanOrEqual(1);
    expect(proxy.requestsOf('AbortMultipartUpload').some((r) => r.key === k && r.status === 204)).toBe(true);
    expect(proxy.openUploads().filter((u) => u.key === k)).toEqual([]);
  });
});

describe('S3 proxy: fault injection', () => {
  it('error: S3 XML error body, only after N matching requests, only `times` times', async () => {
    const k = key('err');
    const uploadId = await begin(k);
    const rule = proxy.fault({ match: { op: 'UploadPart', afterN: 1 }, action: { kind: 'error', status: 500, code: 'InternalError' }, times: 1 });
    await part(k, uploadId, 1, 'one');
    const error = await rejection(part(k, uploadId, 2, 'two'));
    expect(error.name).toBe('InternalError');
    expect(error.message).toBe('We encountered an internal error. Please try again.');
    expect(error.$metadata.httpStatusCode).toBe(500);
    await part(k, uploadId, 3, 'three');
    expect(rule).toMatchObject({ fired: 1, seen: 3 });
    expect(proxy.openUploads().find((u) => u.uploadId === uploadId)?.parts).toBe(2);

    // The raw body is S3's error document.
    proxy.fault({ match: { op: 'HeadObject' }, action: { kind: 'error', status: 503, code: 'ServiceUnavailable' }, times: 1 });
    proxy.fault({ match: { op: 'GetObject' }, action: { kind: 'error', status: 500, code: 'InternalError' }, times: 1 });
    const raw = await fetch(`${proxy.endpoint}/proxied/${k}`);
    expect(raw.status).toBe(500);
    expect(raw.headers.get('content-type')).toBe('application/xml');
    expect(await raw.text()).toMatch(
      /^<\?xml[^>]*>\n<Error><Code>InternalError<\/Code><Message>We encountered an internal error\. Please try again\.<\/Message><Resource>\/proxied\/sim-proxy\/err-\d+<\/Resource><RequestId>/,
    );
  });

  it('throttle: 503 SlowDown with Retry-After (or 429), seen by the SDK as SlowDown', async () => {
    proxy.fault({ match: { op: 'PutObject' }, action: { kind: 'throttle', retryAfterSeconds: 7 }, times: 1 });
    const k = key('throttled');
    const error = await rejection(proxy.client.send(new PutObjectCommand({ Bucket: 'proxied', Key: k, Body: 'x' })));
    expect(error.name).toBe('SlowDown');
    expect(error.$metadata.httpStatusCode).toBe(503);

    proxy.fault({ match: { method: 'PUT' }, action: { kind: 'throttle', retryAfterSeconds: 3, status: 429 }, times: 1 });
    const raw = await fetch(`${proxy.endpoint}/proxied/${k}`, { method: 'PUT', body: 'x' });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('3');
    expect(await raw.text()).toContain('<Code>TooManyRequests</Code>');
    await expect(s3.listKeys(k)).resolves.toEqual([]);
  });

  it('hang: the request is held (never reaches s3rver) until clearFaults(), then the connection resets', async () => {
    const k = key('hung');
    proxy.fault({ match: { op: 'PutObject' }, action: { kind: 'hang' } });
    const pending = rejection(proxy.client.send(new PutObjectCommand({ Bucket: 'proxied', Key: k, Body: 'held' })));
    await proxy.waitForRequest((r) => r.key === k && r.fault === 'hang');
    expect(proxy.hanging()).toBe(1);
    proxy.clearFaults();
    const error = await pending;
    expect(error.code ?? error.name).toMatch(/ECONNRESET|socket hang up/i);
    expect(proxy.hanging()).toBe(0);
    await expect(s3.listKeys(k)).resolves.toEqual([]);
  });

  it('hang with ms: resets after that long; the caller’s own abort works too', async () => {
    const k = key('hung-ms');
    proxy.fault({ match: { op: 'HeadObject' }, action: { kind: 'hang', ms: 30 } });
    const error = await rejection(proxy.client.send(new HeadObjectCommand({ Bucket: 'proxied', Key: k })));
    expect(error.code ?? error.name).toMatch(/ECONNRESET|socket hang up/i);

    const controller = new AbortController();
    proxy.fault({ match: { op: 'PutObject' }, action: { kind: 'hang' } });
    const pending = rejection(proxy.client.send(new PutObjectCommand({ Bucket: 'proxied', Key: k, Body: 'x' }), { abortSignal: controller.signal }));
    await proxy.waitForRequest((r) => r.key === k && r.op === 'PutObject' && r.fault === 'hang');
    controller.abort();
    expect((await pending).name).toBe('AbortError');
    await proxy.waitForRequest((r) => r.key === k && r.op === 'PutObject' && r.done);
    expect(proxy.hanging()).toBe(0);
  });

  it('reset before forwarding: the caller sees ECONNRESET and nothing is stored', async () => {
    const k = key('reset-before');
    proxy.fault({ match: { op: 'PutObject', key: k }, action: { kind: 'reset' } });
    const error = await rejection(proxy.client.send(new PutObjectCommand({ Bucket: 'proxied', Key: k, Body: 'x' })));
    expect(error.code ?? error.name).toMatch(/ECONNRESET|socket hang up|EPIPE/i);
    await expect(s3.listKeys(k)).resolves.toEqual([]);
  });

  it('reset mid-body (afterBytes) on a big part', async () => {
    const k = key('reset-mid');
    const uploadId = await begin(k);
    proxy.fault({ match: { op: 'UploadPart' }, action: { kind: 'reset', afterBytes: MiB }, times: 1 });
    const error = await rejection(part(k, uploadId, 1));
    expect(error.code ?? error.name).toMatch(/ECONNRESET|socket hang up|EPIPE/i);
    expect(proxy.openUploads().find((u) => u.uploadId === uploadId)?.parts).toBe(0);
    await part(k, uploadId, 1);
    expect(proxy.openUploads().find((u) => u.uploadId === uploadId)?.parts).toBe(1);
  });

  it('ambiguous: applied then reset, or applied then an error — the object exists although the caller saw a failure', async () => {
    const k1 = key('applied-reset');
    proxy.fault({ match: { op: 'PutObject', key: k1 }, action: { kind: 'reset', when: 'after' } });
    await rejection(proxy.client.send(new PutObjectCommand({ Bucket: 'proxied', Key: k1, Body: 'landed' })));
    expect((await s3.getObject(k1)).toString()).toBe('landed');

    const k2 = key('applied-error');
    const uploadId = await begin(k2);
    const p1 = await part(k2, uploadId, 1, 'only');
    proxy.fault({ match: { op: 'CompleteMultipartUpload' }, action: { kind: 'error', status: 500, code: 'InternalError', applied: true }, times: 1 });
    const error = await rejection(
      proxy.client.send(new CompleteMultipartUploadCommand({ Bucket: 'proxied', Key: k2, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] } })),
    );
    expect(error.name).toBe('InternalError');
    expect((await s3.getObject(k2)).toString()).toBe('only');
    expect(proxy.openUploads().map((u) => u.uploadId)).not.toContain(uploadId);
  });

  it('down / up: resets, or 503 ServiceUnavailable, for every request until up()', async () => {
    const k = key('down');
    proxy.down();
    expect(proxy.isDown).toBe(true);
    const reset = await rejection(proxy.client.send(new PutObjectCommand({ Bucket: 'proxied', Key: k, Body: 'x' })));
    expect(reset.code ?? reset.name).toMatch(/ECONNRESET|socket hang up|EPIPE/i);
    proxy.down('unavailable');
    const unavailable = await rejection(proxy.client.send(new ListMultipartUploadsCommand({ Bucket: 'proxied' })));
    expect(unavailable.name).toBe('ServiceUnavailable');
    expect(unavailable.$metadata.httpStatusCode).toBe(503);
    proxy.up();
    await proxy.client.send(new PutObjectCommand({ Bucket: 'proxied', Key: k, Body: 'x' }));
    expect(await s3.listKeys(k)).toEqual([k]);
    expect(proxy.requests.filter((r) => r.key === k).map((r) => r.fault)).toEqual(['down', undefined]);
  });

  it('streams bodies through: a 24 MiB PutObject arrives whole', async () => {
    const k = key('big');
    const body = Buffer.alloc(24 * MiB, 3);
    await proxy.client.send(new PutObjectCommand({ Bucket: 'proxied', Key: k, Body: body }));
    expect((await s3.head(k)).ContentLength).toBe(24 * MiB);
    expect(proxy.config?.endpoint).toBe(proxy.endpoint);
  });
});
