import type { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectTaggingCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Config } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { OpsbotError, type S3Refusal } from '../../core/errors.ts';
import { multipartUpload } from './multipart-upload.ts';
import type { AbortStore } from '../../core/state/types.ts';

/**
 * An S3 client from opsbot's config. S3-compatible servers need checksums only "when required"
 * (the SDK's default trailing checksums corrupt streamed uploads on some of them), and response
 * validation is kept in step with it.
 */
export function createS3Client(s3: Config['s3'], extra: { credentials?: { accessKeyId: string; secretAccessKey: string } } = {}): S3Client {
  return new S3Client({
    region: s3.region,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    forcePathStyle: s3.forcePathStyle,
    requestChecksumCalculation: s3.requestChecksumCalculation,
    responseChecksumValidation: s3.requestChecksumCalculation,
    ...(extra.credentials ? { credentials: extra.credentials } : {}),
  });
}

export interface S3PutInput {
  bucket: string;
  key: string;
  /** The metered stream; its error (size cap, size mismatch, Slack) aborts the upload. */
  body: Readable;
  /** Used to size parts so even the largest file fits in 10,000 parts. */
  expectedBytes: number;
  contentType?: string;
  contentDisposition?: string;
  /** ASCII-safe values only (HTTP headers). */
  metadata: Record<string, string>;
  signal?: AbortSignal;
  /** Told the multipart upload's id as soon as S3 hands it out (the relay records it durably). */
  onUploadId?: (uploadId: string) => Promise<void> | void;
}

export interface S3Destination {
  /** Multipart-uploads the stream; on any failure the upload is aborted and no object remains. */
  put(input: S3PutInput): Promise<{ bytes: number }>;
  /** Tags the object with its SHA-256; false when the server does not support tagging. */
  tag(bucket: string, key: string, tags: Record<string, string>): Promise<boolean>;
  presign(bucket: string, key: string, seconds: number): Promise<string>;
  /**
   * Removes what an interrupted relay left: aborts its multipart upload (a failed abort is
   * recorded and retried by `sweepAborts`) and deletes the object if it was completed.
   */
  discard(bucket: string, key: string, uploadId?: string): Promise<void>;
  /** Retries recorded aborts that are due (backoff doubling from 30 s to 1 h); returns how many succeeded. */
  sweepAborts(owner: string): Promise<number>;
}

export interface S3DestinationOptions {
  client: S3Client;
  partSizeBytes: number;
  queueSize: number;
  /** Send `If-None-Match: *` so an existing object is never overwritten (AWS, MinIO, R2). */
  conditionalWrites?: boolean;
  log: Logger;
  /** Where failed aborts are kept until they succeed; without it a failed abort is only logged. */
  aborts?: AbortStore;
  /** Epoch seconds (the abort store's clock). */
  now?: () => number;
  /** First retry of a failed abort after this many seconds, doubling up to an hour. Default 30. */
  abortRetrySeconds?: number;
}

/** First retry of a failed abort after this long; doubling up to ABORT_RETRY_MAX_S. */
const ABORT_RETRY_FIRST_S = 30;
const ABORT_RETRY_MAX_S = 3600;

export function createS3Destination(options: S3DestinationOptions): S3Destination {
  const { client, log } = options;

  const now = options.now ?? (() => Date.now() / 1000);

  /** True when the upload is gone (aborted now, or already: NoSuchUpload is the good answer). */
  async function abortUpload(bucket: string, key: string, uploadId: string): Promise<true | Error> {
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'NoSuchUpload') return true;
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * Multipart uploads begun for exactly this key. A run can die after S3 handed out an upload id
   * and before the id was recorded; the key (unique per relay attempt) still finds the upload.
   */
  async function uploadsOf(bucket: string, key: string): Promise<string[]> {
    const ids: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await client.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key, ...(keyMarker ? { KeyMarker: keyMarker } : {}), ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}) }),
      );
      for (const upload of page.Uploads ?? []) if (upload.Key === key && upload.UploadId) ids.push(upload.UploadId);
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return ids;
  }

  async function cleanUp(bucket: string, key: string, uploadIds: readonly string[]): Promise<void> {
    for (const id of uploadIds) {
      const aborted = await abortUpload(bucket, key, id);
      if (aborted !== true) {
        log.warn({ err: aborted, bucket, key }, 'could not abort the multipart upload: recorded, will retry');
        await options.aborts?.add({ bucket, key, uploadId: id });
      }
    }
    if (await objectExists(bucket, key)) {
      log.warn({ bucket, key }, 'removing the object of a failed relay');
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    }
  }

  async function objectExists(bucket: string, key: string): Promise<boolean> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) return false;
      throw error;
    }
  }

  return {
    async put(input) {
      let bodyError: Error | undefined;
      input.body.once('error', (error) => {
        bodyError ??= error;
      });
      const onAbort = () => input.body.destroy(new OpsbotError('relay_aborted', {}, { message: 'shutdown during the S3 upload' }));
      input.signal?.addEventListener('abort', onAbort, { once: true });
      let uploadId: string | undefined;
      try {
        await multipartUpload({
          client,
          bucket: input.bucket,
          key: input.key,
          body: input.body,
          partSize: Math.max(options.partSizeBytes, Math.ceil(input.expectedBytes / 9_000)),
          queueSize: options.queueSize,
          metadata: input.metadata,
          ...(input.contentType ? { contentType: input.contentType } : {}),
          ...(input.contentDisposition ? { contentDisposition: input.contentDisposition } : {}),
          ifNoneMatch: options.conditionalWrites !== false,
          onUploadId: (id) => {
            uploadId = id;
            Promise.resolve(input.onUploadId?.(id)).catch((error: unknown) => log.warn({ err: error, key: input.key }, 'could not record the multipart upload id'));
          },
        });
        const head = await client.send(new HeadObjectCommand({ Bucket: input.bucket, Key: input.key }));
        if (head.ContentLength !== input.expectedBytes) {
          throw new OpsbotError('s3_mismatch', {}, { message: `S3 object has ${head.ContentLength} bytes, sent ${input.expectedBytes}` });
        }
        return { bytes: head.ContentLength };
      } catch (error) {
        await cleanUp(input.bucket, input.key, uploadId ? [uploadId] : []).catch((cleanupError: unknown) =>
          log.error({ err: cleanupError, key: input.key }, 'cleanup after a failed upload failed'),
        );
        throw bodyError ?? s3Failure(error);
      } finally {
        input.signal?.removeEventListener('abort', onAbort);
      }
    },
    async tag(bucket, key, tags) {
      try {
        await client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } }));
        return true;
      } catch (error) {
        log.warn({ err: error, bucket, key }, 'could not tag the object (tagging unsupported?)');
        return false;
      }
    },
    presign: (bucket, key, seconds) => getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: seconds }),
    async discard(bucket, key, uploadId) {
      try {
        await cleanUp(bucket, key, uploadId ? [uploadId] : await uploadsOf(bucket, key));
      } catch (error) {
        // S3 unreachable: the upload (if any) is recorded for the sweep; an object left behind is logged.
        if (uploadId) await options.aborts?.add({ bucket, key, uploadId });
        log.warn({ err: error, bucket, key }, 'could not clean up after an interrupted relay');
      }
    },
    async sweepAborts(owner) {
      if (!options.aborts) return 0;
      let done = 0;
      for (const pending of await options.aborts.takeDue(owner, 120, 50)) {
        const aborted = await abortUpload(pending.bucket, pending.key, pending.uploadId);
        if (aborted === true) {
          await options.aborts.done(pending.uploadId);
          log.info({ bucket: pending.bucket, key: pending.key, attempts: pending.attempts }, 'multipart upload aborted on retry');
          done++;
        } else {
          const delay = Math.min(ABORT_RETRY_MAX_S, (options.abortRetrySeconds ?? ABORT_RETRY_FIRST_S) * 2 ** Math.max(0, pending.attempts - 1));
          await options.aborts.retryAt(pending.uploadId, now() + delay, aborted.message.slice(0, 500));
        }
      }
      return done;
    },
  };
}

/** An S3 failure as a code and a closed reason; the SDK's detail stays in the log message. */
export function s3Failure(error: unknown): OpsbotError {
  if (error instanceof OpsbotError) return error;
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'network error');
  const detail = `${name}${status ? `, HTTP ${status}` : ''}`;
  return new OpsbotError('s3_refused', { reason: s3Refusal(name, status), ...(status ? { status } : {}) }, { cause: error, message: `S3 upload failed: ${detail}: ${e.message ?? ''}` });
}

/** What an S3 answer means for the person: no HTTP status at all is a connection that failed. */
function s3Refusal(name: string, status: number | undefined): S3Refusal {
  if (name === 'AccessDenied' || status === 403) return 'access_denied';
  if (name === 'NoSuchBucket') return 'no_bucket';
  if (name === 'PreconditionFailed' || status === 412) return 'exists';
  return status ? 'other' : 'unreachable';
}
