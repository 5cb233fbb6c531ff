import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { UploadRule } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { OpsbotError } from '../../core/errors.ts';
import type { SharedFile } from '../../core/chat-port.ts';
import type { Lease, RelayIntent, RelayJob, RelayStore, RelayUpload, StoredRelay } from '../../core/state/types.ts';
import type { FileDestination } from './file-destination.ts';
import { buildObjectKey, safeId } from './object-key.ts';
import type { S3Destination } from './s3-destination.ts';
import { createStreamMeter, tooBig } from './stream-meter.ts';
import { parseDestination } from './upload-rules.ts';

export type { StoredRelay };

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
  | { kind: 'duplicate'; sameEvent: boolean; previous?: StoredRelay; inProgress: boolean }
  /** Another run of the bot took the job over (this one stalled past its lease): it reports the outcome. */
  | { kind: 'superseded' };

export interface RelayHooks {
  /** Called once this run owns the work (not for duplicates), before any byte moves. */
  onStart?: () => void;
  onProgress?: (bytes: number, total: number) => void;
  /** Shutdown: abort cleanly and give the job back. */
  signal?: AbortSignal;
}

export interface RelayRequest extends RelayHooks {
  file: SharedFile;
  rule: UploadRule;
  /** Where it was shared and by whom: kept with the job so another run can finish or report it. */
  intent: Omit<RelayIntent, 'fileName' | 'fileSize' | 'mimetype' | 'keyword'>;
  /** Identifies the message (e.g. `C123:1700000000.000100`) so retries of it are recognised. */
  eventKey: string;
}

/** A relay this run now owns (its lease is kept alive until it has run), or why not. */
export type RelayClaimResult = { kind: 'claimed'; run(hooks: RelayHooks): Promise<RelayOutcome>; release(): Promise<void> } | Extract<RelayOutcome, { kind: 'duplicate' }>;

export interface RelayService {
  /**
   * Records the intent and takes the job: a message's files are all claimed before the first is
   * relayed, so a run that dies mid-way leaves every one of them for the next run.
   */
  claim(request: Omit<RelayRequest, keyof RelayHooks>): Promise<RelayClaimResult>;
  /** Claims and streams one file to the rule's destination, once per (file, destination). Throws OpsbotError. */
  relay(request: RelayRequest): Promise<RelayOutcome>;
  /** Finishes a job taken over from a run of the bot that died (see `RelayStore.takeExpired`). Throws OpsbotError. */
  resume(job: RelayJob & { lease: Lease }, file: SharedFile, rule: UploadRule, hooks?: RelayHooks): Promise<RelayOutcome>;
  /** Where the files one message shared stand, together: still working, all stored, or some failed. */
  messageState(eventKey: string): Promise<'working' | 'done' | 'failed' | 'none'>;
}

export interface RelayServiceOptions {
  relays: RelayStore;
  /** Needed when any rule points at S3. */
  s3?: S3Destination;
  files: FileDestination;
  /** Deletes the Slack copy (user token); rules with `deleteFromSlack` need it. */
  deleteSlackFile?: (fileId: string) => Promise<void>;
  log: Logger;
  /** Identifies this run of the bot in leases. */
  owner: string;
  /** Seconds a job's lease lasts; renewed every third of it. Default 60. */
  leaseSeconds?: number;
  /** Seconds since the epoch. */
  now?: () => number;
  /** Told every outcome (for metrics). */
  onOutcome?: (outcome: { kind: 'stored' | 'duplicate' | 'failed' | 'aborted' | 'superseded'; destinationKind: 's3' | 'file'; bytes?: number; seconds: number }) => void;
}

/**
 * The file relay: claim (a durable job with a lease) → check size → stream Slack → meter → S3 or
 * folder → verify → finish and audit. The job records what another run needs to finish or report
 * it (who, where, the multipart upload); a run that loses its lease stops without touching it.
 */
export function createRelayService(options: RelayServiceOptions): RelayService {
  const { relays, log, owner } = options;
  const now = options.now ?? (() => Date.now() / 1000);
  const leaseSeconds = options.leaseSeconds ?? 60;

  async function transfer(
    file: SharedFile,
    rule: UploadRule,
    channel: string,
    user: string,
    hooks: RelayHooks,
    onUpload: (upload: RelayUpload | null) => Promise<void>,
    signal: AbortSignal,
  ): Promise<RelayResult> {
    const destination = parseDestination(rule.destination);
    if (rule.maxBytes !== undefined && file.size > rule.maxBytes) throw tooBig(rule.maxBytes, file.size);
    const key = buildObjectKey({
      prefix: destination.kind === 's3' ? destination.prefix : '',
      date: new Date(now() * 1000),
      channel,
      fileId: file.id,
      fileName: file.name,
      unique: randomBytes(4).toString('hex'),
    });
    const meter = createStreamMeter({
      expectedBytes: file.size,
      ...(rule.maxBytes !== undefined ? { maxBytes: rule.maxBytes } : {}),
      ...(hooks.onProgress ? { onProgress: (bytes: number) => hooks.onProgress!(bytes, file.size) } : {}),
    });
    const opened = await file.open(signal);
    const source = opened.body instanceof ReadableStream ? Readable.fromWeb(opened.body as import('node:stream/web').ReadableStream) : (opened.body as Readable);
    // Errors of the download reach the meter, and through it the destination, which then aborts;
    // a connection that breaks mid-download is Slack's side, whatever the destination then says.
    source.on('error', (error) => meter.stream.destroy(error instanceof OpsbotError || signal.aborted ? error : downloadBrokeOff(error)));
    meter.stream.on('close', () => source.destroy());
    source.pipe(meter.stream);

    if (destination.kind === 'file') {
      const { path } = await options.files.put({ dir: destination.dir, relativePath: key, body: meter.stream, signal });
      return { destination: destination.uri, location: path, bytes: meter.bytes, sha256: meter.sha256() };
    }
    if (!options.s3) throw new OpsbotError('s3_unconfigured', {}, { message: `${rule.destination}: no S3 client configured` });
    // Recorded before the first byte: a run that dies from here on leaves a job that says which
    // object and which multipart upload to clean up.
    await onUpload({ bucket: destination.bucket, key, uploadId: '', parts: [] });
    const { bytes } = await options.s3.put({
      bucket: destination.bucket,
      key,
      body: meter.stream,
      expectedBytes: file.size,
      contentType: opened.contentType && !/^text\/html/i.test(opened.contentType) ? opened.contentType : (file.mimetype ?? 'application/octet-stream'),
      contentDisposition: contentDisposition(file.name),
      metadata: {
        'slack-file-id': safeId(file.id),
        'slack-channel': safeId(channel),
        'slack-user': safeId(user),
        'original-name': encodeURIComponent(file.name.normalize('NFC')).slice(0, 1024),
      },
      signal,
      onUploadId: (uploadId) => onUpload({ bucket: destination.bucket, key, uploadId, parts: [] }),
    });
    const sha256 = meter.sha256();
    await options.s3.tag(destination.bucket, key, { sha256 });
    const result: RelayResult = { destination: destination.uri, location: `s3://${destination.bucket}/${key}`, bytes, sha256 };
    if (rule.presignSeconds) {
      result.link = { url: await options.s3.presign(destination.bucket, key, rule.presignSeconds), expiresAt: Math.floor(now()) + rule.presignSeconds };
    }
    return result;
  }

  /**
   * Keeps a job's lease alive from the moment it is claimed (a file waiting behind another in the
   * same message too) until `stop`; `signal` fires when the lease is lost to another run.
   */
  function keepLease(fileId: string, destination: string, lease: Lease) {
    const lostLease = new AbortController();
    const keeper = {
      held: lease,
      signal: lostLease.signal,
      stop: () => clearInterval(beat),
    };
    const beat = setInterval(
      () => {
        relays.renew(fileId, destination, keeper.held, leaseSeconds).then(
          (renewed) => {
            if (renewed) keeper.held = renewed;
            else if (!lostLease.signal.aborted) {
              log.warn({ file: fileId, destination }, 'relay lease lost (another run took the job over): stopping this transfer');
              lostLease.abort(new Error('relay lease lost'));
              clearInterval(beat);
            }
          },
          (error: unknown) => log.warn({ err: error, file: fileId }, 'could not renew the relay lease'),
        );
      },
      (leaseSeconds * 1000) / 3,
    );
    beat.unref();
    return keeper;
  }

  /** Runs a claimed job to its end under its lease. */
  async function run(
    job: { fileId: string; destination: string; intent: RelayIntent; upload: RelayUpload | null },
    keeper: ReturnType<typeof keepLease>,
    file: SharedFile,
    rule: UploadRule,
    hooks: RelayHooks,
  ): Promise<RelayOutcome> {
    const { fileId, destination } = job;
    const started = now();
    const destinationKind = destination.startsWith('s3://') ? 's3' : 'file';
    // The transfer stops when shutdown asks (hooks.signal) or when the lease is lost.
    const stop = new AbortController();
    const onShutdown = () => stop.abort(hooks.signal?.reason);
    const onLost = () => stop.abort(keeper.signal.reason);
    hooks.signal?.addEventListener('abort', onShutdown, { once: true });
    keeper.signal.addEventListener('abort', onLost, { once: true });
    if (hooks.signal?.aborted) onShutdown();
    if (keeper.signal.aborted) onLost();
    const lost = () => keeper.signal.aborted;
    const base = { channel: job.intent.channel, user: job.intent.user, fileId, fileName: job.intent.fileName, destination };
    try {
      // What a dead run left behind: its multipart upload is aborted and any object it completed
      // is removed, so the job ends with exactly one object (the one this run stores).
      if (job.upload && options.s3) await options.s3.discard(job.upload.bucket, job.upload.key, job.upload.uploadId || undefined);
      hooks.onStart?.();
      const record = async (upload: RelayUpload | null) => {
        if (!(await relays.record(fileId, destination, keeper.held, { upload }))) throw new Error('relay lease lost');
      };
      const result = await transfer(file, rule, job.intent.channel, job.intent.user, hooks, record, stop.signal);
      if (rule.deleteFromSlack) result.deletedFromSlack = await deleteFromSlack(fileId);
      if (!(await relays.finish(fileId, destination, keeper.held, { state: 'done', stored: { location: result.location, bytes: result.bytes, sha256: result.sha256 } }))) {
        // Fenced out at the last moment: the object is ours but the job is someone else's now.
        if (destinationKind === 's3') await options.s3?.discard(...s3Location(result.location));
        options.onOutcome?.({ kind: 'superseded', destinationKind, seconds: now() - started });
        return { kind: 'superseded' };
      }
      await relays.audit({ ...base, at: now(), location: result.location, bytes: result.bytes, sha256: result.sha256, result: 'done' });
      log.info({ file: fileId, location: result.location, bytes: result.bytes, sha256: result.sha256 }, 'file relayed');
      options.onOutcome?.({ kind: 'stored', destinationKind, bytes: result.bytes, seconds: now() - started });
      return { kind: 'stored', result };
    } catch (error) {
      if (lost()) {
        options.onOutcome?.({ kind: 'superseded', destinationKind, seconds: now() - started });
        return { kind: 'superseded' };
      }
      const failure = asRelayError(error, hooks.signal);
      if (failure.code === 'relay_aborted') {
        // Shutdown: give the job back; the next run (or another replica) redoes it.
        await relays.release(fileId, destination, keeper.held).catch((e: unknown) => log.warn({ err: e, file: fileId }, 'could not release the relay job'));
        options.onOutcome?.({ kind: 'aborted', destinationKind, seconds: now() - started });
      } else {
        await relays.finish(fileId, destination, keeper.held, { state: 'failed', errorCode: failure.code });
        await relays.audit({ ...base, at: now(), result: 'failed', errorCode: failure.code });
        options.onOutcome?.({ kind: 'failed', destinationKind, seconds: now() - started });
      }
      log.warn({ err: error, code: failure.code, file: fileId, destination }, 'file relay failed');
      throw failure;
    } finally {
      keeper.stop();
      hooks.signal?.removeEventListener('abort', onShutdown);
      keeper.signal.removeEventListener('abort', onLost);
    }
  }

  const service: RelayService = {
    async claim(request) {
      const { file, rule } = request;
      const destination = rule.destination;
      const intent: RelayIntent = { ...request.intent, fileName: file.name, fileSize: file.size, keyword: rule.keyword, ...(file.mimetype ? { mimetype: file.mimetype } : {}) };
      const claim = await relays.claim({ fileId: file.id, destination, eventKey: request.eventKey, intent }, owner, leaseSeconds);
      if (claim.kind !== 'claimed') {
        log.info({ file: file.id, destination, state: claim.kind, sameEvent: claim.sameEvent }, 'duplicate relay request ignored');
        options.onOutcome?.({ kind: 'duplicate', destinationKind: destination.startsWith('s3://') ? 's3' : 'file', seconds: 0 });
        return { kind: 'duplicate', sameEvent: claim.sameEvent, inProgress: claim.kind === 'in_progress', ...(claim.kind === 'done' ? { previous: claim.stored } : {}) };
      }
      const keeper = keepLease(file.id, destination, claim.lease);
      // A takeover by a new delivery: the job may carry a dead run's upload.
      const job = claim.attempts > 1 ? await relays.get(file.id, destination) : null;
      return {
        kind: 'claimed',
        run: (hooks) => run({ fileId: file.id, destination, intent, upload: job?.upload ?? null }, keeper, file, rule, hooks),
        async release() {
          keeper.stop();
          await relays.release(file.id, destination, keeper.held);
        },
      };
    },
    async relay(request) {
      const claimed = await service.claim(request);
      return claimed.kind === 'claimed' ? claimed.run(request) : claimed;
    },
    resume(job, file, rule, hooks = {}) {
      log.info({ file: job.fileId, destination: job.destination, attempts: job.attempts }, 'resuming a relay a previous run did not finish');
      return run(job, keepLease(job.fileId, job.destination, job.lease), file, rule, hooks);
    },
    async messageState(eventKey) {
      const jobs = await relays.listByEvent(eventKey);
      if (jobs.length === 0) return 'none';
      if (jobs.some((j) => j.state === 'in_progress')) return 'working';
      return jobs.some((j) => j.state === 'failed') ? 'failed' : 'done';
    },
  };
  return service;

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

function downloadBrokeOff(cause: Error): OpsbotError {
  return new OpsbotError('slack_unreachable', { during: 'transfer' }, { cause, message: `download failed: ${cause.message}` });
}

function s3Location(location: string): [string, string] {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
  return m ? [m[1]!, m[2]!] : ['', ''];
}

function asRelayError(error: unknown, signal?: AbortSignal): OpsbotError {
  if (error instanceof OpsbotError) return error;
  if (signal?.aborted) return new OpsbotError('relay_aborted', {}, { cause: error, message: 'shutdown during the relay' });
  return new OpsbotError('relay_failed', {}, { cause: error, message: `relay failed: ${(error as Error).message}` });
}

/** `attachment` with the original name (RFC 6266/5987), so downloads keep it whatever the key. */
export function contentDisposition(name: string): string {
  const ascii = name.normalize('NFC').replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name.normalize('NFC')).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
