import type { DatabaseSync } from '../../core/database.ts';

/** What a finished relay produced; kept with the claim so duplicates can point at it. */
export interface StoredRelay {
  /** `s3://bucket/key` or the local file path. */
  location: string;
  bytes: number;
  sha256: string;
}

export type ClaimResult =
  | { kind: 'claimed' }
  | { kind: 'done'; stored: StoredRelay; sameEvent: boolean }
  | { kind: 'in_progress'; sameEvent: boolean }
  | { kind: 'failed'; sameEvent: true };

export interface AuditEntry {
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

export interface RelayLedger {
  /**
   * Claims the (file, destination) pair for this process. Exactly one of any number of concurrent
   * claimants wins. A failed pair may be claimed again by another message (a fresh share) but not
   * by a retry of the same one; an in-progress claim whose heartbeat is older than the stale
   * timeout (a crashed process) is taken over.
   */
  claim(input: { fileId: string; destination: string; eventKey: string }): ClaimResult;
  /** Keeps a claim alive during a long transfer. */
  heartbeat(fileId: string, destination: string): void;
  finish(fileId: string, destination: string, outcome: { state: 'done'; stored: StoredRelay } | { state: 'failed' }): void;
  /** Forgets this process's claim (work interrupted by shutdown) so a retry may do it. */
  release(fileId: string, destination: string): void;
  audit(entry: AuditEntry): void;
  /** Most recent first. */
  recent(channel: string, limit: number): AuditEntry[];
}

export interface RelayLedgerOptions {
  db: DatabaseSync;
  /** Seconds since the epoch. */
  now?: () => number;
  /** An in-progress claim without a heartbeat for this long belongs to a dead process. */
  staleAfterSeconds?: number;
  /** Identifies this process's claims. */
  owner?: string;
}

/** The relay's persistent state (node:sqlite): claims for exactly-once, and the audit log. */
export function createRelayLedger(options: RelayLedgerOptions): RelayLedger {
  const { db } = options;
  const now = options.now ?? (() => Date.now() / 1000);
  const staleAfter = options.staleAfterSeconds ?? 120;
  const owner = options.owner ?? `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  db.exec(`
    CREATE TABLE IF NOT EXISTS relay_claims (
      file_id TEXT NOT NULL, destination TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('in_progress', 'done', 'failed')),
      claimed_at REAL NOT NULL, owner TEXT NOT NULL, event_key TEXT NOT NULL, stored_json TEXT,
      PRIMARY KEY (file_id, destination));
    CREATE TABLE IF NOT EXISTS relay_audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, channel TEXT NOT NULL, user TEXT NOT NULL,
      file_id TEXT NOT NULL, file_name TEXT NOT NULL, destination TEXT NOT NULL, location TEXT,
      bytes INTEGER, sha256 TEXT, result TEXT NOT NULL, error_code TEXT);
    CREATE INDEX IF NOT EXISTS relay_audit_channel ON relay_audit (channel, at);
  `);
  // One statement: SQLite runs it atomically, so racing claimants (threads or processes) get one winner.
  const claim = db.prepare(`
    INSERT INTO relay_claims (file_id, destination, state, claimed_at, owner, event_key) VALUES (?, ?, 'in_progress', ?, ?, ?)
    ON CONFLICT (file_id, destination) DO UPDATE SET state = 'in_progress', claimed_at = excluded.claimed_at,
      owner = excluded.owner, event_key = excluded.event_key, stored_json = NULL
    WHERE (relay_claims.state = 'failed' AND relay_claims.event_key <> excluded.event_key)
       OR (relay_claims.state = 'in_progress' AND relay_claims.claimed_at < ?)`);
  const select = db.prepare('SELECT state, event_key, stored_json FROM relay_claims WHERE file_id = ? AND destination = ?');
  const heartbeat = db.prepare("UPDATE relay_claims SET claimed_at = ? WHERE file_id = ? AND destination = ? AND owner = ? AND state = 'in_progress'");
  const finish = db.prepare('UPDATE relay_claims SET state = ?, stored_json = ?, claimed_at = ? WHERE file_id = ? AND destination = ? AND owner = ?');
  const release = db.prepare("DELETE FROM relay_claims WHERE file_id = ? AND destination = ? AND owner = ? AND state = 'in_progress'");
  const insertAudit = db.prepare(`INSERT INTO relay_audit (at, channel, user, file_id, file_name, destination, location, bytes, sha256, result, error_code)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const recent = db.prepare('SELECT * FROM relay_audit WHERE channel = ? ORDER BY at DESC, id DESC LIMIT ?');

  return {
    claim({ fileId, destination, eventKey }) {
      const t = now();
      if (Number(claim.run(fileId, destination, t, owner, eventKey, t - staleAfter).changes) === 1) return { kind: 'claimed' };
      const row = select.get(fileId, destination) as { state: string; event_key: string; stored_json: string | null } | undefined;
      const sameEvent = row?.event_key === eventKey;
      if (row?.state === 'done') return { kind: 'done', stored: JSON.parse(row.stored_json ?? '{}') as StoredRelay, sameEvent };
      if (row?.state === 'failed') return { kind: 'failed', sameEvent: true };
      return { kind: 'in_progress', sameEvent };
    },
    heartbeat(fileId, destination) {
      heartbeat.run(now(), fileId, destination, owner);
    },
    finish(fileId, destination, outcome) {
      finish.run(outcome.state, outcome.state === 'done' ? JSON.stringify(outcome.stored) : null, now(), fileId, destination, owner);
    },
    release(fileId, destination) {
      release.run(fileId, destination, owner);
    },
    audit(entry) {
      insertAudit.run(entry.at, entry.channel, entry.user, entry.fileId, entry.fileName, entry.destination, entry.location ?? null, entry.bytes ?? null, entry.sha256 ?? null, entry.result, entry.errorCode ?? null);
    },
    recent(channel, limit) {
      return (recent.all(channel, limit) as Record<string, unknown>[]).map((row) => ({
        at: Number(row.at),
        channel: String(row.channel),
        user: String(row.user),
        fileId: String(row.file_id),
        fileName: String(row.file_name),
        destination: String(row.destination),
        ...(row.location !== null ? { location: String(row.location) } : {}),
        ...(row.bytes !== null ? { bytes: Number(row.bytes) } : {}),
        ...(row.sha256 !== null ? { sha256: String(row.sha256) } : {}),
        result: row.result === 'done' ? 'done' : 'failed',
        ...(row.error_code !== null ? { errorCode: String(row.error_code) } : {}),
      }));
    },
  };
}
