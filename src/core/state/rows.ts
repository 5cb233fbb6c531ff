import type { AlertRecord, Lease, OutboxEntry, PendingAbort, RelayAuditEntry, RelayJob } from './types.ts';

/**
 * Row → object mapping shared by both backends. Both schemas use the same column names; the
 * backends differ in value types (SQLite: 0/1 for booleans; PostgreSQL: bigint and count as
 * strings), which the helpers below absorb.
 */
export type Row = Record<string, unknown>;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = <T>(v: unknown): T | null => (v === null || v === undefined ? null : (JSON.parse(String(v)) as T));

/** The lease in a row's `lease_owner`/`lease_token`/`lease_expires_at`, when it has one. */
export function leaseOf(row: Row): Lease | null {
  if (row.lease_owner === null || row.lease_owner === undefined || row.lease_expires_at === null || row.lease_expires_at === undefined) return null;
  return { owner: String(row.lease_owner), token: num(row.lease_token), expiresAt: num(row.lease_expires_at) };
}

export function relayJobFromRow(row: Row): RelayJob {
  const state = String(row.state) as RelayJob['state'];
  return {
    fileId: String(row.file_id),
    destination: String(row.destination),
    eventKey: String(row.event_key),
    state,
    intent: json(row.intent) as RelayJob['intent'],
    lease: state === 'in_progress' ? leaseOf(row) : null,
    attempts: num(row.attempts),
    upload: json(row.upload),
    progressTs: strOrNull(row.progress_ts),
    stored: json(row.stored),
    errorCode: strOrNull(row.error_code),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

export function auditFromRow(row: Row): RelayAuditEntry {
  return {
    at: num(row.at),
    channel: String(row.channel),
    user: String(row.user),
    fileId: String(row.file_id),
    fileName: String(row.file_name),
    destination: String(row.destination),
    ...(row.location !== null ? { location: String(row.location) } : {}),
    ...(row.bytes !== null ? { bytes: num(row.bytes) } : {}),
    ...(row.sha256 !== null ? { sha256: String(row.sha256) } : {}),
    result: row.result === 'done' ? 'done' : 'failed',
    ...(row.error_code !== null ? { errorCode: String(row.error_code) } : {}),
  };
}

export function abortFromRow(row: Row): PendingAbort {
  return {
    bucket: String(row.bucket),
    key: String(row.key),
    uploadId: String(row.upload_id),
    attempts: num(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    lastError: strOrNull(row.last_error),
  };
}

export function alertFromRow(row: Row): AlertRecord {
  return {
    alertId: String(row.alert_id),
    state: String(row.state) as AlertRecord['state'],
    channel: strOrNull(row.channel),
    ts: strOrNull(row.ts),
    status: String(row.status) as AlertRecord['status'],
    hostId: strOrNull(row.host_id),
    mentioned: Boolean(row.mentioned),
    mentionCode: strOrNull(row.mention_code),
    etaAt: numOrNull(row.eta_at),
    hasForecast: Boolean(row.has_forecast),
    claimedAt: num(row.claimed_at),
    postedAt: numOrNull(row.posted_at),
    updatedAt: numOrNull(row.updated_at),
    closedAt: numOrNull(row.closed_at),
    ackedBy: strOrNull(row.acked_by),
    ackedByName: strOrNull(row.acked_by_name),
    ackedAt: numOrNull(row.acked_at),
    snoozedUntil: numOrNull(row.snoozed_until),
    snoozedByName: strOrNull(row.snoozed_by_name),
  };
}

export function outboxFromRow(row: Row): OutboxEntry {
  const state = String(row.state) as OutboxEntry['state'];
  return {
    id: num(row.id),
    key: String(row.key),
    kind: String(row.kind) as OutboxEntry['kind'],
    channel: String(row.channel),
    ref:
      row.ref_ts !== null && row.ref_ts !== undefined ? { ts: String(row.ref_ts) } : row.ref_post_of !== null && row.ref_post_of !== undefined ? { postOf: String(row.ref_post_of) } : null,
    group: strOrNull(row.grp),
    payload: JSON.parse(String(row.payload)) as unknown,
    state,
    attempts: num(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    lease: state === 'sending' ? leaseOf(row) : null,
    resultTs: strOrNull(row.result_ts),
    refTs: strOrNull(row.ref_resolved_ts),
    lastError: strOrNull(row.last_error),
    createdAt: num(row.created_at),
  };
}

/** The stored form of an outbox payload (JSON text; `undefined` is stored as `null`). */
export function payloadText(payload: unknown): string {
  return JSON.stringify(payload ?? null);
}
