/**
 * opsbot's state, behind one async interface with two backends: node:sqlite (the embedded
 * default, one process) and PostgreSQL (`OPSBOT_DATABASE_URL`, any number of replicas).
 *
 * Correctness comes from unique keys and conditional writes, never from "I am the leader":
 * - a unit of work (a relay job, an alert record, an outbox entry) has a unique key, so two
 *   processes that both try to create it get one row and one winner;
 * - work in progress carries a lease (owner, token, expiry on the database's clock). Every
 *   write by the holder checks owner and token, so a holder whose lease was taken over (it
 *   stalled, it was partitioned away) can no longer change anything: its writes return false;
 * - expired leases are taken over by whoever sweeps first (`FOR UPDATE SKIP LOCKED` on PostgreSQL,
 *   a single conditional UPDATE on SQLite).
 *
 * Times are epoch seconds (fractions allowed) on the store's clock: PostgreSQL's
 * `clock_timestamp()`, or the injected clock of the SQLite store (tests fix it).
 */

/** Who holds a piece of work, and the fencing token that every write of theirs must carry. */
export interface Lease {
  owner: string;
  token: number;
  /** Store clock, epoch seconds. */
  expiresAt: number;
}

// ---------------------------------------------------------------------------------------------
// Handled events (Slack event_id, mention keys): a delivery is handled once across replicas.

export interface EventStore {
  /** True for the first claim of a key, false for every later one (any process). */
  claim(key: string): Promise<boolean>;
  /** Forgets claims older than `maxAgeSeconds`. */
  prune(maxAgeSeconds: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// File relays: durable intent, so another run of the bot can finish or report the work.

/** Everything needed to redo or report a relay without the original event. */
export interface RelayIntent {
  channel: string;
  /** The shared message (reactions go on it; replies go in its thread). */
  messageTs: string;
  /** Thread of the shared message, when it was shared in a thread. */
  threadTs?: string;
  user: string;
  fileName: string;
  /** Slack's size of the file. */
  fileSize: number;
  mimetype?: string;
  /** The matching rule's keyword (the rule is looked up again by keyword and destination). */
  keyword: string;
}

/** A multipart upload the job started, and the parts S3 has confirmed so far. */
export interface RelayUpload {
  bucket: string;
  key: string;
  uploadId: string;
  parts: { partNumber: number; etag: string; size: number }[];
}

export interface StoredRelay {
  /** `s3://bucket/key` or the local file path. */
  location: string;
  bytes: number;
  sha256: string;
}

export interface RelayJob {
  fileId: string;
  destination: string;
  /** Identifies the message that asked (`C…:ts`): retries of it are recognised. */
  eventKey: string;
  state: 'in_progress' | 'done' | 'failed';
  intent: RelayIntent;
  /** Set while in progress. */
  lease: Lease | null;
  /** How many times the job was started (1 for the first run, +1 per takeover). */
  attempts: number;
  upload: RelayUpload | null;
  /** The progress message, once posted (so a takeover can finish it). */
  progressTs: string | null;
  stored: StoredRelay | null;
  errorCode: string | null;
  createdAt: number;
  updatedAt: number;
}

export type RelayClaim =
  | { kind: 'claimed'; lease: Lease; attempts: number }
  | { kind: 'done'; stored: StoredRelay; sameEvent: boolean }
  | { kind: 'in_progress'; sameEvent: boolean }
  | { kind: 'failed'; sameEvent: true };

export interface RelayAuditEntry {
  at: number;
  channel: string;
  user: string;
  fileId: string;
  fileName: string;
  destination: string;
  location?: string;
  bytes?: number;
  sha256?: string;
  result: 'done' | 'failed';
  errorCode?: string;
}

export interface RelayStore {
  /**
   * Claims (file, destination) for `owner`. One of any number of concurrent claimants wins.
   * A failed pair may be claimed again by another message (a fresh share) but not by a retry of
   * the same one; an in-progress job whose lease expired is taken over (attempts + 1, new token).
   */
  claim(input: { fileId: string; destination: string; eventKey: string; intent: RelayIntent }, owner: string, leaseSeconds: number): Promise<RelayClaim>;
  /** Extends the lease; false when the lease is no longer this holder's (stop working). */
  renew(fileId: string, destination: string, lease: Lease, leaseSeconds: number): Promise<Lease | null>;
  /** Records progress (the upload and its parts, the progress message); false when fenced out. */
  record(fileId: string, destination: string, lease: Lease, patch: { upload?: RelayUpload | null; progressTs?: string }): Promise<boolean>;
  /** Ends the job; false when fenced out (another holder finishes it). */
  finish(fileId: string, destination: string, lease: Lease, outcome: { state: 'done'; stored: StoredRelay } | { state: 'failed'; errorCode: string }): Promise<boolean>;
  /** Gives the job back (shutdown): the lease expires now, so a sweep or a retry redoes it. */
  release(fileId: string, destination: string, lease: Lease): Promise<void>;
  /** Takes over in-progress jobs whose lease expired (at most `limit`), for `owner`. */
  takeExpired(owner: string, leaseSeconds: number, limit: number): Promise<(RelayJob & { lease: Lease })[]>;
  get(fileId: string, destination: string): Promise<RelayJob | null>;
  /** The jobs one message asked for (its files), in any state: the message's reaction reflects them all. */
  listByEvent(eventKey: string): Promise<RelayJob[]>;
  audit(entry: RelayAuditEntry): Promise<void>;
  /** Most recent first. */
  recent(channel: string, limit: number): Promise<RelayAuditEntry[]>;
}

// ---------------------------------------------------------------------------------------------
// Multipart uploads that must still be aborted (a failed abort is retried with backoff).

export interface PendingAbort {
  bucket: string;
  key: string;
  uploadId: string;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface AbortStore {
  /** Records an upload to abort (idempotent by uploadId); first attempt due now. */
  add(input: { bucket: string; key: string; uploadId: string }): Promise<void>;
  /** Due entries, leased to `owner` for `leaseSeconds` so two sweepers don't both try. */
  takeDue(owner: string, leaseSeconds: number, limit: number): Promise<PendingAbort[]>;
  /** The abort succeeded (or the upload is already gone). */
  done(uploadId: string): Promise<void>;
  /** The abort failed: try again at `nextAttemptAt`. */
  retryAt(uploadId: string, nextAttemptAt: number, error: string): Promise<void>;
  list(): Promise<PendingAbort[]>;
}

// ---------------------------------------------------------------------------------------------
// Alert records: one post per alert, edited through its life.

export type AlertStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

export interface AlertRecord {
  alertId: string;
  /** `posting`: claimed, post queued (or its poster crashed); `posted`: open post exists; `closed`: resolved. */
  state: 'posting' | 'posted' | 'closed';
  channel: string | null;
  ts: string | null;
  status: AlertStatus;
  hostId: string | null;
  mentioned: boolean;
  mentionCode: string | null;
  /** Forecast limit time (epoch seconds); null: none in sight or no forecast. */
  etaAt: number | null;
  hasForecast: boolean;
  claimedAt: number;
  postedAt: number | null;
  updatedAt: number | null;
  closedAt: number | null;
  /** Who pressed "I'm on it" (Slack user ID and the name shown), and when; null: nobody yet. */
  ackedBy: string | null;
  ackedByName: string | null;
  ackedAt: number | null;
  /** Mentions for this alert are snoozed until then (epoch seconds); null: never snoozed. */
  snoozedUntil: number | null;
  snoozedByName: string | null;
}

export interface AlertRecordStore {
  /** True for a new alert, or a `posting` claim older than `takeoverSeconds`. Atomic. */
  claim(alertId: string, status: AlertStatus, takeoverSeconds: number): Promise<boolean>;
  release(alertId: string): Promise<void>;
  markPosted(
    alertId: string,
    fields: { channel: string; ts: string; status: AlertStatus; hostId: string | null; mentioned: boolean; mentionCode: string; etaAt: number | null; hasForecast: boolean },
  ): Promise<void>;
  update(alertId: string, fields: Partial<Pick<AlertRecord, 'status' | 'mentioned' | 'mentionCode' | 'etaAt' | 'hasForecast' | 'channel' | 'ts'>>): Promise<void>;
  markClosed(alertId: string): Promise<void>;
  get(alertId: string): Promise<AlertRecord | null>;
  /** Posted, not closed. */
  listOpen(): Promise<AlertRecord[]>;
  /** Claimed and not marked posted: being posted now, or left so by a run that died (its post may be out). */
  listPosting(): Promise<AlertRecord[]>;
  /**
   * Records who acknowledged a posted alert. Atomic and first-wins: true only for the call that
   * set it (a double press, or a press on another replica, gets false and changes nothing).
   */
  acknowledge(alertId: string, user: { id: string; name: string }): Promise<boolean>;
  /**
   * Snoozes the mentions of a posted alert until `until` (store clock, epoch seconds). True when
   * it moved the snooze later by more than a minute; false for a repeat (a double press) or an
   * alert that is not posted.
   */
  snooze(alertId: string, until: number, byName: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// The outbox: every Slack side effect, queued durably and sent once by a dispatcher.

export type OutboxKind = 'post' | 'update' | 'react' | 'unreact' | 'upload';

/** A message or reaction target: a known `ts`, or the `ts` another outbox entry's post will get. */
export type OutboxRef = { ts: string } | { postOf: string };

export interface OutboxEntryInput {
  /** Unique idempotency key, e.g. `alert:4abc:post`, `relay:F1:s3://b/:reply`. Enqueuing it again is a no-op. */
  key: string;
  kind: OutboxKind;
  channel: string;
  /** post/upload: the thread to reply in, if any. update/react/unreact: the message. */
  ref?: OutboxRef;
  /**
   * Entries with the same group are sent one after another in `enqueue` order (reactions and
   * edits of one message), each only after the previous one is sent or has failed for good.
   */
  group?: string;
  /** The wire payload (Slack's `text`/`blocks`, a reaction name, an image…), as JSON. */
  payload: unknown;
  /** Not before this time (store clock); default now. */
  notBefore?: number;
}

export interface OutboxEntry extends Required<Pick<OutboxEntryInput, 'key' | 'kind' | 'channel' | 'payload'>> {
  id: number;
  ref: OutboxRef | null;
  group: string | null;
  /** `sending`: leased to a dispatcher; `sent`: done (with `resultTs` for posts); `failed`: gave up. */
  state: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: number;
  lease: Lease | null;
  /** The ts of the posted message (posts) once sent. */
  resultTs: string | null;
  /** The ts the ref resolved to (set when taken for sending). */
  refTs: string | null;
  lastError: string | null;
  createdAt: number;
}

export interface OutboxStore {
  /** Queues an entry; returns the existing one when the key was already queued. */
  enqueue(entry: OutboxEntryInput): Promise<{ entry: OutboxEntry; created: boolean }>;
  /**
   * Leases due entries to `owner`: pending (or sending with an expired lease), past
   * `nextAttemptAt`, whose `ref` is resolvable (a `postOf` whose post was sent), and first in
   * their group. Entries whose `postOf` post failed for good are failed with them.
   */
  takeDue(owner: string, leaseSeconds: number, limit: number): Promise<(OutboxEntry & { lease: Lease })[]>;
  /** Sent (posts: with the message ts). False when fenced out. */
  complete(id: number, lease: Lease, resultTs?: string): Promise<boolean>;
  /** Not sent this time: try again at `nextAttemptAt` (a Retry-After or backoff). */
  retryAt(id: number, lease: Lease, nextAttemptAt: number, error: string): Promise<boolean>;
  /** Gave up (a permanent error). */
  fail(id: number, lease: Lease, error: string): Promise<boolean>;
  get(key: string): Promise<OutboxEntry | null>;
  /** Entries not yet sent or failed, and the age of the oldest (seconds). */
  depth(): Promise<{ count: number; oldestAgeSeconds: number | null }>;
  /** Forgets sent and failed entries older than `maxAgeSeconds`. */
  prune(maxAgeSeconds: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Leader leases (the alert poller, the inventory refresher).

export interface LeaseStore {
  /**
   * Takes the role for `owner` when it is free, expired or already theirs (then renewed).
   * A change of holder increments the token. Null when someone else holds it.
   */
  acquire(role: string, owner: string, ttlSeconds: number): Promise<Lease | null>;
  /** Renews a held lease; null when it is no longer this holder's (stop acting as leader). */
  renew(role: string, lease: Lease, ttlSeconds: number): Promise<Lease | null>;
  /** Gives the role up (shutdown), so another replica takes it at once. */
  release(role: string, lease: Lease): Promise<void>;
  holder(role: string): Promise<Lease | null>;
}

// ---------------------------------------------------------------------------------------------
// The shared inventory snapshot (the leader refreshes it, every replica reads it).

export interface SnapshotStore {
  /** Stores a new version, if `lease` still holds `role` (fencing); returns the version, or null when fenced out. */
  put(role: string, lease: Lease, snapshot: unknown): Promise<number | null>;
  /** The latest version. */
  get(): Promise<{ version: number; storedAt: number; snapshot: unknown } | null>;
  /** Only the version number (cheap freshness check). */
  version(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------

export interface StateStore {
  readonly backend: 'sqlite' | 'postgres';
  readonly events: EventStore;
  readonly relays: RelayStore;
  readonly aborts: AbortStore;
  readonly alerts: AlertRecordStore;
  readonly outbox: OutboxStore;
  readonly leases: LeaseStore;
  readonly snapshots: SnapshotStore;
  /** The store's clock (epoch seconds). */
  now(): Promise<number>;
  /**
   * Calls `listener` when another process (or this one) notifies `topic` (PostgreSQL
   * LISTEN/NOTIFY; in-process for SQLite). Notifications may be lost: poll as well.
   */
  subscribe(topic: string, listener: () => void): () => void;
  notify(topic: string): Promise<void>;
  close(): Promise<void>;
}
