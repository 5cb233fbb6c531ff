import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { UploadRule } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { OpsbotError } from '../../core/errors.ts';
import type { SharedFile } from '../../handlers/chat-port.ts';
import type { FileDestination } from './file-destination.ts';
import { buildObjectKey, safeId } from './object-key.ts';
import type { RelayLedger, StoredRelay } from './relay-ledger.ts';
import type { S3Destination } from './s3-destination.ts';
import { createStreamMeter, tooBig } from './stream-meter.ts';
import { parseDestination } from './upload-rules.ts';

export interface RelayResult extends StoredRelay {
  /** The rule's destination, e.g. `s3://bucket/prefix/`. */
  destination: string;
  /** A presigned GET link and when it stops working (epoch seconds), when the rule asks for one. */
  link?: { url: string; expiresAt: number };
  /** True when the Slack copy was deleted after the verified upload. */
  deletedFromSlack?: boolean;
}

export type RelayOutcome =
  | { kind: 'stored'; result: RelayResult }
  /** Already handled: `sameEvent` means a retry of the same message (stay quiet). */
  | { kind: 'duplicate'; sameEvent: boolean; previous?: StoredRelay; inProgress: boolean };

export interface RelayRequest {
  file: SharedFile;
  rule: UploadRule;
  user: string;
  channel: string;
  /** Identifies the message (e.g. `C123:1700000000.000100`) so retries of it are recognised. */
  eventKey: string;
  /** Called once this process owns the work (not for duplicates), before any byte moves. */
  onStart?: () => void;
  onProgress?: (bytes: number, total: number) => void;
  signal?: AbortSignal;
}

export interface RelayService {
  /** Streams one file to the rule's destination, once per (file, destination). Throws OpsbotError. */
  relay(request: RelayRequest): Promise<RelayOutcome>;
}

export interface RelayServiceOptions {
  ledger: RelayLedger;
  /** Needed when any rule points at S3. */
  s3?: S3Destination;
  files: FileDestination;
  /** Deletes the Slack copy (user token); rules with `deleteFromSlack` need it. */
  deleteSlackFile?: (fileId: string) => Promise<void>;
  log: Logger;
  /** Seconds since the epoch. */
  now?: () => number;
  heartbeatMs?: number;
}

/** The file relay: claim → check size → stream Slack → meter → S3 or folder → verify → audit. */
export function createRelayService(options: RelayServiceOptions): RelayService {
  const { ledger, log } = options;
  const now = options.now ?? (() => Date.now() / 1000);

  async function transfer(request: RelayRequest): Promise<RelayResult> {
    const { file, rule } = request;
    const destination = parseDestination(rule.destination);
    if (rule.maxBytes !== undefined && file.size > rule.maxBytes) throw tooBig(rule.maxBytes, file.size);
    const key = buildObjectKey({
      prefix: destination.kind === 's3' ? destination.prefix : '',
      date: new Date(now() * 1000),
      channel: request.channel,
      fileId: file.id,
      fileName: file.name,
      unique: randomBytes(4).toString('hex'),
    });
    const meter = createStreamMeter({
      expectedBytes: file.size,
      ...(rule.maxBytes !== undefined ? { maxBytes: rule.maxBytes } : {}),
      ...(request.onProgress ? { onProgress: (bytes: number) => request.onProgress!(bytes, file.size) } : {}),
    });
    const opened = await file.open(request.signal);
    const source = opened.body instanceof ReadableStream ? Readable.fromWeb(opened.body as import('node:stream/web').ReadableStream) : (opened.body as Readable);
    // Errors of the download reach the meter, and through it the destination, which then aborts.
    source.on('error', (error) => meter.stream.destroy(error));
    meter.stream.on('close', () => source.destroy());
    source.pipe(meter.stream);

    if (destination.kind === 'file') {
      const { path } = await options.files.put({ dir: destination.dir, relativePath: key, body: meter.stream, ...(request.signal ? { signal: request.signal } : {}) });
      return { destination: destination.uri, location: path, bytes: meter.bytes, sha256: meter.sha256() };
    }
    if (!options.s3) throw new OpsbotError('s3_unconfigured', 'This keyword points at S3, but opsbot has no S3 access configured. Tell the opsbot admins.');
    const { bytes } = await options.s3.put({
      bucket: destination.bucket,
      key,
      body: meter.stream,
      expectedBytes: file.size,
      contentType: opened.contentType && !/^text\/html/i.test(opened.contentType) ? opened.contentType : (file.mimetype ?? 'application/octet-stream'),
      contentDisposition: contentDisposition(file.name),
      metadata: {
        'slack-file-id': safeId(file.id),
        'slack-channel': safeId(request.channel),
        'slack-user': safeId(request.user),
        'original-name': encodeURIComponent(file.name.normalize('NFC')).slice(0, 1024),
      },
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const sha256 = meter.sha256();
    await options.s3.tag(destination.bucket, key, { sha256 });
    const result: RelayResult = { destination: destination.uri, location: `s3://${destination.bucket}/${key}`, bytes, sha256 };
    if (rule.presignSeconds) {
      result.link = { url: await options.s3.presign(destination.bucket, key, rule.presignSeconds), expiresAt: Math.floor(now()) + rule.presignSeconds };
    }
    return result;
  }

  return {
    async relay(request) {
      const destination = request.rule.destination;
      const claim = ledger.claim({ fileId: request.file.id, destination, eventKey: request.eventKey });
      if (claim.kind !== 'claimed') {
        log.info({ file: request.file.id, destination, state: claim.kind, sameEvent: claim.sameEvent }, 'duplicate relay request ignored');
        return { kind: 'duplicate', sameEvent: claim.sameEvent, inProgress: claim.kind === 'in_progress', ...(claim.kind === 'done' ? { previous: claim.stored } : {}) };
      }
      request.onStart?.();
      const beat = setInterval(() => ledger.heartbeat(request.file.id, destination), options.heartbeatMs ?? 15_000);
      const base = { at: now(), channel: request.channel, user: request.user, fileId: request.file.id, fileName: request.file.name, destination };
      try {
        const result = await transfer(request);
        if (request.rule.deleteFromSlack) result.deletedFromSlack = await deleteFromSlack(request.file.id);
        ledger.finish(request.file.id, destination, { state: 'done', stored: { location: result.location, bytes: result.bytes, sha256: result.sha256 } });
        ledger.audit({ ...base, location: result.location, bytes: result.bytes, sha256: result.sha256, result: 'done' });
        log.info({ file: request.file.id, location: result.location, bytes: result.bytes, sha256: result.sha256 }, 'file relayed');
        return { kind: 'stored', result };
      } catch (error) {
        const failure = asRelayError(error, request.signal);
        if (failure.code === 'relay_aborted') ledger.release(request.file.id, destination);
        else ledger.finish(request.file.id, destination, { state: 'failed' });
        ledger.audit({ ...base, result: 'failed', errorCode: failure.code });
        log.warn({ err: error, code: failure.code, file: request.file.id, destination }, 'file relay failed');
        throw failure;
      } finally {
        clearInterval(beat);
      }
    },
  };

  async function deleteFromSlack(fileId: string): Promise<boolean> {
    if (!options.deleteSlackFile) return false;
    try {
      await options.deleteSlackFile(fileId);
      return true;
    } catch (error) {
      log.warn({ err: error, file: fileId }, 'could not delete the Slack copy');
      return false;
    }
  }
}

function asRelayError(error: unknown, signal?: AbortSignal): OpsbotError {
  if (error instanceof OpsbotError) return error;
  if (signal?.aborted) return new OpsbotError('relay_aborted', 'opsbot stopped while relaying this file, so nothing was stored. Please share it again.', { cause: error });
  return new OpsbotError('relay_failed', 'Relaying the file failed unexpectedly, so nothing was stored. Please try again; if it keeps failing, tell the opsbot admins.', { cause: error, message: `relay failed: ${(error as Error).message}` });
}

/** `attachment` with the original name (RFC 6266/5987), so downloads keep it whatever the key. */
export function contentDisposition(name: string): string {
  const ascii = name.normalize('NFC').replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name.normalize('NFC')).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
