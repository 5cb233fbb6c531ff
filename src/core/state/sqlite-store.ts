import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { applySqliteMigrations } from './migrations.ts';
import { abortFromRow, alertFromRow, auditFromRow, leaseOf, outboxFromRow, payloadText, relayJobFromRow, type Row } from './rows.ts';
import type {
  AbortStore,
  AlertRecord,
  AlertRecordStore,
  EventStore,
  Lease,
  LeaseStore,
  OutboxEntry,
  OutboxStore,
  RelayClaim,
  RelayJob,
  RelayStore,
  SnapshotStore,
  StateStore,
} from './types.ts';

export interface SqliteStoreOptions {
  /** The database file (its directory is created), or `:memory:`. */
  path: string;
  /** The store clock, epoch seconds (fractions allowed). Default: the system clock. Tests inject one. */
  now?: () => number;
  /** How long a statement waits for another connection's write lock (ms). Default 5000. */
  busyTimeoutMs?: number;
}

/** Snapshots kept besides the newest (readers that just learnt a version can still load it). */
const SNAPSHOTS_KEPT = 2;

/**
 * Notifications within this process, per database file: two stores opened on one file (the bot and
 * a second connection in tests) hear each other. Other processes on the file hear nothing (they poll).
 */
const hubs = new Map<string, { emitter: EventEmitter; stores: number }>();

function openHub(key: string): EventEmitter {
  let hub = hubs.get(key);
  if (!hub) {
    hub = { emitter: new EventEmitter(), stores: 0 };
    hub.emitter.setMaxListeners(0);
    hubs.set(key, hub);
  }
  hub.stores++;
  return hub.emitter;
}

function closeHub(key: string): void {
  const hub = hubs.get(key);
  if (hub && --hub.stores <= 0) hubs.delete(key);
}

/**
 * The state store on node:sqlite: the embedded default (one bot process; the shell or a restarted
 * bot may share the file). WAL and a busy timeout let several connections and processes use one file;
 * every check-and-write is one statement or a `BEGIN IMMEDIATE` transaction, so racing writers (in
 * any process) get one winner. Calls are synchronous underneath and resolve at once.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<StateStore> {
  const { path } = options;
  const clock = options.now ?? (() => Date.now() / 1000);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;`);
  applySqliteMigrations(db);

  const hubKey = path === ':memory:' ? `:memory:${Math.random()}` : resolve(path);
  const hub = openHub(hubKey);
  const myListeners = new Set<{ topic: string; fn: () => void }>();
  let closed = false;

  const statements = new Map<string, StatementSync>();
  const prep = (sql: string): StatementSync => {
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  type Params = Record<string, SQLInputValue>;
  const run = (sql: string, params: Params = {}) => Number(prep(sql).run(params).changes);
  const get = (sql: string, params: Params = {}) => prep(sql).get(params) as Row | undefined;
  const all = (sql: string, params: Params = {}) => prep(sql).all(params) as Row[];
  /** Runs `fn` in a write transaction taken up front, so a read-then-write can't interleave with another writer. */
  const tx = <T>(fn: () => T): T => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      try {
        db.exec('ROLLBACK');
      } catch {
        // the failed statement already ended it
      }
      throw error;
    }
  };
  const now = () => clock();
  const live = () => {
    if (closed) throw new Error('the state store is closed');
  };

  // -------------------------------------------------------------------------------------------
  const events: EventStore = {
    async claim(key) {
      live();
      return run('INSERT INTO handled_events (key, handled_at) VALUES (:key, :now) ON CONFLICT (key) DO NOTHING', { key, now: now() }) === 1;
    },
    async prune(maxAgeSeconds) {
      live();
      run('DELETE FROM handled_events WHERE handled_at < :cut', { cut: now() - maxAgeSeconds });
    },
  };

  // -------------------------------------------------------------------------------------------
  const fence = "file_id = :fileId AND destination = :destination AND state = 'in_progress' AND lease_owner = :owner AND lease_token = :token";
  const relays: RelayStore = {
    async claim({ fileId, destination, eventKey, intent }, owner, leaseSeconds) {
      live();
      return tx((): RelayClaim => {
        const t = now();
        // Same rules as the old relay ledger: a new pair, a failed pair asked for by another message,
        // or an in-progress job whose lease expired. A takeover keeps the upload and progress message
        // (the new holder resumes or aborts it); a fresh share of a failed pair starts over.
        const won = get(
          `INSERT INTO relay_jobs (file_id, destination, event_key, state, intent, lease_owner, lease_token, lease_expires_at, attempts, created_at, updated_at)
           VALUES (:fileId, :destination, :eventKey, 'in_progress', :intent, :owner, 1, :expires, 1, :now, :now)
           ON CONFLICT (file_id, destination) DO UPDATE SET
             state = 'in_progress', event_key = excluded.event_key, intent = excluded.intent,
             lease_owner = excluded.lease_owner, lease_token = relay_jobs.lease_token + 1, lease_expires_at = excluded.lease_expires_at,
             attempts = CASE WHEN relay_jobs.state = 'failed' THEN 1 ELSE relay_jobs.attempts + 1 END,
             upload = CASE WHEN relay_jobs.state = 'failed' THEN NULL ELSE relay_jobs.upload END,
             progress_ts = CASE WHEN relay_jobs.state = 'failed' THEN NULL ELSE relay_jobs.progress_ts END,
             created_at = CASE WHEN relay_jobs.state = 'failed' THEN excluded.created_at ELSE relay_jobs.created_at END,
             stored = NULL, error_code = NULL, updated_at = excluded.updated_at
           WHERE (relay_jobs.state = 'failed' AND relay_jobs.event_key <> excluded.event_key)
              OR (relay_jobs.state = 'in_progress' AND relay_jobs.lease_expires_at <= :now)
           RETURNING lease_owner, lease_token, lease_expires_at, attempts`,
          { fileId, destination, eventKey, intent: JSON.stringify(intent), owner, expires: t + leaseSeconds, now: t },
        );
        if (won) return { kind: 'claimed', lease: leaseOf(won)!, attempts: Number(won.attempts) };
        const row = get('SELECT state, event_key, stored FROM relay_jobs WHERE file_id = :fileId AND destination = :destination', { fileId, destination })!;
        const sameEvent = row.event_key === eventKey;
        if (row.state === 'done') return { kind: 'done', stored: JSON.parse(String(row.stored)), sameEvent };
        if (row.state === 'failed') return { kind: 'failed', sameEvent: true };
        return { kind: 'in_progress', sameEvent };
      });
    },
    async renew(fileId, destination, lease, leaseSeconds) {
      live();
      const row = get(`UPDATE relay_jobs SET lease_expires_at = :expires, updated_at = :now WHERE ${fence} RETURNING lease_owner, lease_token, lease_expires_at`, {
        fileId,
        destination,
        owner: lease.owner,
        token: lease.token,
        expires: now() + leaseSeconds,
        now: now(),
      });
      return row ? leaseOf(row) : null;
    },
    async record(fileId, destination, lease, patch) {
      live();
      const sets: string[] = ['updated_at = :now'];
      const params: Params = { fileId, destination, owner: lease.owner, token: lease.token, now: now() };
      if (patch.upload !== undefined) {
        sets.push('upload = :upload');
        params.upload = patch.upload === null ? null : JSON.stringify(patch.upload);
      }
      if (patch.progressTs !== undefined) {
        sets.push('progress_ts = :progressTs');
        params.progressTs = patch.progressTs;
      }
      return run(`UPDATE relay_jobs SET ${sets.join(', ')} WHERE ${fence}`, params) === 1;
    },
    async finish(fileId, destination, lease, outcome) {
      live();
      return (
        run(`UPDATE relay_jobs SET state = :state, stored = :stored, error_code = :errorCode, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now WHERE ${fence}`, {
          fileId,
          destination,
          owner: lease.owner,
          token: lease.token,
          now: now(),
          state: outcome.state,
          stored: outcome.state === 'done' ? JSON.stringify(outcome.stored) : null,
          errorCode: outcome.state === 'failed' ? outcome.errorCode : null,
        }) === 1
      );
    },
    async release(fileId, destination, lease) {
      live();
      run(`UPDATE relay_jobs SET lease_expires_at = :now, updated_at = :now WHERE ${fence}`, { fileId, destination, owner: lease.owner, token: lease.token, now: now() });
    },
    async takeExpired(owner, leaseSeconds, limit) {
      live();
      const t = now();
      // One statement: SQLite runs it alone, so two sweepers never take the same job.
      const rows = all(
        `UPDATE relay_jobs SET lease_owner = :owner, lease_token = lease_token + 1, lease_expires_at = :expires, attempts = attempts + 1, updated_at = :now
         WHERE rowid IN (SELECT rowid FROM relay_jobs WHERE state = 'in_progress' AND lease_expires_at <= :now ORDER BY lease_expires_at LIMIT :limit)
         RETURNING *`,
        { owner, expires: t + leaseSeconds, now: t, limit },
      );
      const jobs = rows.map(relayJobFromRow) as (RelayJob & { lease: Lease })[];
      return jobs.sort((a, b) => a.createdAt - b.createdAt || a.fileId.localeCompare(b.fileId) || a.destination.localeCompare(b.destination));
    },
    async get(fileId, destination) {
      live();
      const row = get('SELECT * FROM relay_jobs WHERE file_id = :fileId AND destination = :destination', { fileId, destination });
      return row ? relayJobFromRow(row) : null;
    },
    async listByEvent(eventKey) {
      live();
      return all('SELECT * FROM relay_jobs WHERE event_key = :eventKey ORDER BY created_at, file_id, destination', { eventKey }).map(relayJobFromRow);
    },
    async audit(e) {
      live();
      run(
        `INSERT INTO relay_audit (at, channel, user, file_id, file_name, destination, location, bytes, sha256, result, error_code)
         VALUES (:at, :channel, :user, :fileId, :fileName, :destination, :location, :bytes, :sha256, :result, :errorCode)`,
        {
          at: e.at,
          channel: e.channel,
          user: e.user,
          fileId: e.fileId,
          fileName: e.fileName,
          destination: e.destination,
          location: e.location ?? null,
          bytes: e.bytes ?? null,
          sha256: e.sha256 ?? null,
          result: e.result,
          errorCode: e.errorCode ?? null,
        },
      );
    },
    async recent(channel, limit) {
      live();
      return all('SELECT * FROM relay_audit WHERE channel = :channel ORDER BY at DESC, id DESC LIMIT :limit', { channel, limit }).map(auditFromRow);
    },
  };

  // -------------------------------------------------------------------------------------------
  const aborts: AbortStore = {
    async add({ bucket, key, uploadId }) {
      live();
      run(
        `INSERT INTO pending_aborts (upload_id, bucket, key, attempts, next_attempt_at, created_at) VALUES (:uploadId, :bucket, :key, 0, :now, :now)
         ON CONFLICT (upload_id) DO NOTHING`,
        { uploadId, bucket, key, now: now() },
      );
    },
    async takeDue(owner, leaseSeconds, limit) {
      live();
      const t = now();
      // Taking an entry counts an attempt and moves its next attempt to the lease's end: a sweeper
      // that dies mid-abort leaves it due again then, and no other sweeper takes it before.
      const rows = all(
        `UPDATE pending_aborts SET attempts = attempts + 1, next_attempt_at = :expires, lease_owner = :owner
         WHERE upload_id IN (SELECT upload_id FROM pending_aborts WHERE next_attempt_at <= :now ORDER BY next_attempt_at, upload_id LIMIT :limit)
         RETURNING *`,
        { owner, expires: t + leaseSeconds, now: t, limit },
      );
      return rows.map(abortFromRow).sort((a, b) => a.uploadId.localeCompare(b.uploadId));
    },
    async done(uploadId) {
      live();
      run('DELETE FROM pending_aborts WHERE upload_id = :uploadId', { uploadId });
    },
    async retryAt(uploadId, nextAttemptAt, error) {
      live();
      run('UPDATE pending_aborts SET next_attempt_at = :next, last_error = :error, lease_owner = NULL WHERE upload_id = :uploadId', { uploadId, next: nextAttemptAt, error });
    },
    async list() {
      live();
      return all('SELECT * FROM pending_aborts ORDER BY next_attempt_at, upload_id').map(abortFromRow);
    },
  };

  // -------------------------------------------------------------------------------------------
  const alerts: AlertRecordStore = {
    async claim(alertId, status, takeoverSeconds) {
      live();
      const t = now();
      // One statement: a new alert, or a `posting` claim whose poster has not finished in time.
      return (
        run(
          `INSERT INTO alert_records (alert_id, state, status, claimed_at) VALUES (:alertId, 'posting', :status, :now)
         ON CONFLICT (alert_id) DO UPDATE SET claimed_at = excluded.claimed_at, status = excluded.status
         WHERE alert_records.state = 'posting' AND alert_records.claimed_at <= :cut`,
          { alertId, status, now: t, cut: t - takeoverSeconds },
        ) === 1
      );
    },
    async release(alertId) {
      live();
      run("DELETE FROM alert_records WHERE alert_id = :alertId AND state = 'posting'", { alertId });
    },
    async markPosted(alertId, f) {
      live();
      run(
        `UPDATE alert_records SET state = 'posted', channel = :channel, ts = :ts, status = :status, host_id = :hostId, mentioned = :mentioned, mention_code = :mentionCode,
           eta_at = :etaAt, has_forecast = :hasForecast, posted_at = :now, updated_at = :now WHERE alert_id = :alertId`,
        {
          alertId,
          channel: f.channel,
          ts: f.ts,
          status: f.status,
          hostId: f.hostId,
          mentioned: f.mentioned ? 1 : 0,
          mentionCode: f.mentionCode,
          etaAt: f.etaAt,
          hasForecast: f.hasForecast ? 1 : 0,
          now: now(),
        },
      );
    },
    async update(alertId, f) {
      live();
      const sets: string[] = ['updated_at = :now'];
      const params: Params = { alertId, now: now() };
      const set = (column: string, name: string, value: SQLInputValue) => (sets.push(`${column} = :${name}`), (params[name] = value));
      if (f.status !== undefined) set('status', 'status', f.status);
      if (f.mentioned !== undefined) set('mentioned', 'mentioned', f.mentioned ? 1 : 0);
      if (f.mentionCode !== undefined) set('mention_code', 'mentionCode', f.mentionCode);
      if (f.etaAt !== undefined) set('eta_at', 'etaAt', f.etaAt);
      if (f.hasForecast !== undefined) set('has_forecast', 'hasForecast', f.hasForecast ? 1 : 0);
      if (f.channel !== undefined) set('channel', 'channel', f.channel);
      if (f.ts !== undefined) set('ts', 'ts', f.ts);
      run(`UPDATE alert_records SET ${sets.join(', ')} WHERE alert_id = :alertId`, params);
    },
    async markClosed(alertId) {
      live();
      run("UPDATE alert_records SET state = 'closed', status = 'OK', closed_at = :now, updated_at = :now WHERE alert_id = :alertId", { alertId, now: now() });
    },
    async get(alertId) {
      live();
      const row = get('SELECT * FROM alert_records WHERE alert_id = :alertId', { alertId });
      return row ? alertFromRow(row) : null;
    },
    async listOpen(): Promise<AlertRecord[]> {
      live();
      return all("SELECT * FROM alert_records WHERE state = 'posted' ORDER BY posted_at, alert_id").map(alertFromRow);
    },
    async listPosting(): Promise<AlertRecord[]> {
      live();
      return all("SELECT * FROM alert_records WHERE state = 'posting' ORDER BY claimed_at, alert_id").map(alertFromRow);
    },
    async acknowledge(alertId, user) {
      live();
      return (
        run("UPDATE alert_records SET acked_by = :id, acked_by_name = :name, acked_at = :now, updated_at = :now WHERE alert_id = :alertId AND state = 'posted' AND acked_by IS NULL", {
          alertId,
          id: user.id,
          name: user.name,
          now: now(),
        }) === 1
      );
    },
    async snooze(alertId, until, byName) {
      live();
      return (
        run(
          "UPDATE alert_records SET snoozed_until = :until, snoozed_by_name = :name, updated_at = :now WHERE alert_id = :alertId AND state = 'posted' AND (snoozed_until IS NULL OR snoozed_until < :until - 60)",
          { alertId, until, name: byName, now: now() },
        ) === 1
      );
    },
  };

  // -------------------------------------------------------------------------------------------
  const outboxFence = "id = :id AND state = 'sending' AND lease_owner = :owner AND lease_token = :token";
  const outbox: OutboxStore = {
    async enqueue(input) {
      live();
      const t = now();
      const row = get(
        `INSERT INTO outbox (key, kind, channel, ref_ts, ref_post_of, grp, payload, state, attempts, next_attempt_at, created_at, updated_at)
         VALUES (:key, :kind, :channel, :refTs, :refPostOf, :grp, :payload, 'pending', 0, :notBefore, :now, :now)
         ON CONFLICT (key) DO NOTHING RETURNING *`,
        {
          key: input.key,
          kind: input.kind,
          channel: input.channel,
          refTs: input.ref && 'ts' in input.ref ? input.ref.ts : null,
          refPostOf: input.ref && 'postOf' in input.ref ? input.ref.postOf : null,
          grp: input.group ?? null,
          payload: payloadText(input.payload),
          notBefore: input.notBefore ?? t,
          now: t,
        },
      );
      if (row) return { entry: outboxFromRow(row), created: true };
      return { entry: outboxFromRow(get('SELECT * FROM outbox WHERE key = :key', { key: input.key })!), created: false };
    },
    async takeDue(owner, leaseSeconds, limit) {
      live();
      return tx(() => {
        const t = now();
        // Entries waiting for a post that failed for good fail with it (and so on down a chain).
        while (
          run(
            `UPDATE outbox SET state = 'failed', last_error = 'the post ' || ref_post_of || ' it refers to failed', lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
             WHERE state = 'pending' AND ref_post_of IS NOT NULL AND EXISTS (SELECT 1 FROM outbox p WHERE p.key = outbox.ref_post_of AND p.state = 'failed')`,
            { now: t },
          ) > 0
        );
        const rows = all(
          `UPDATE outbox SET state = 'sending', lease_owner = :owner, lease_token = lease_token + 1, lease_expires_at = :expires, attempts = attempts + 1, updated_at = :now,
             ref_resolved_ts = COALESCE(ref_ts, (SELECT p.result_ts FROM outbox p WHERE p.key = outbox.ref_post_of))
           WHERE id IN (
             SELECT o.id FROM outbox o
             WHERE o.state IN ('pending', 'sending') AND (o.state = 'pending' OR o.lease_expires_at <= :now)
               AND o.next_attempt_at <= :now
               AND (o.ref_post_of IS NULL OR EXISTS (SELECT 1 FROM outbox p WHERE p.key = o.ref_post_of AND p.state = 'sent'))
               AND (o.grp IS NULL OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.grp = o.grp AND e.id < o.id AND e.state IN ('pending', 'sending')))
             ORDER BY o.id LIMIT :limit)
           RETURNING *`,
          { owner, expires: t + leaseSeconds, now: t, limit },
        );
        return rows.map(outboxFromRow).sort((a, b) => a.id - b.id) as (OutboxEntry & { lease: Lease })[];
      });
    },
    async complete(id, lease, resultTs) {
      live();
      return (
        run(`UPDATE outbox SET state = 'sent', result_ts = :resultTs, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now WHERE ${outboxFence}`, {
          id,
          owner: lease.owner,
          token: lease.token,
          resultTs: resultTs ?? null,
          now: now(),
        }) === 1
      );
    },
    async retryAt(id, lease, nextAttemptAt, error) {
      live();
      return (
        run(`UPDATE outbox SET state = 'pending', next_attempt_at = :next, last_error = :error, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now WHERE ${outboxFence}`, {
          id,
          owner: lease.owner,
          token: lease.token,
          next: nextAttemptAt,
          error,
          now: now(),
        }) === 1
      );
    },
    async fail(id, lease, error) {
      live();
      return (
        run(`UPDATE outbox SET state = 'failed', last_error = :error, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now WHERE ${outboxFence}`, {
          id,
          owner: lease.owner,
          token: lease.token,
          error,
          now: now(),
        }) === 1
      );
    },
    async get(key) {
      live();
      const row = get('SELECT * FROM outbox WHERE key = :key', { key });
      return row ? outboxFromRow(row) : null;
    },
    async depth() {
      live();
      const row = get("SELECT count(*) AS n, min(created_at) AS oldest FROM outbox WHERE state IN ('pending', 'sending')")!;
      const count = Number(row.n);
      return { count, oldestAgeSeconds: count > 0 && row.oldest !== null ? Math.max(0, now() - Number(row.oldest)) : null };
    },
    async prune(maxAgeSeconds) {
      live();
      run("DELETE FROM outbox WHERE state IN ('sent', 'failed') AND updated_at < :cut", { cut: now() - maxAgeSeconds });
    },
  };

  // -------------------------------------------------------------------------------------------
  const asLease = (row: Row | undefined): Lease | null => (row ? { owner: String(row.owner), token: Number(row.token), expiresAt: Number(row.expires_at) } : null);
  const leases: LeaseStore = {
    async acquire(role, owner, ttlSeconds) {
      live();
      const t = now();
      return asLease(
        get(
          `INSERT INTO leases (role, owner, token, expires_at) VALUES (:role, :owner, 1, :expires)
           ON CONFLICT (role) DO UPDATE SET token = CASE WHEN leases.owner = excluded.owner THEN leases.token ELSE leases.token + 1 END,
             owner = excluded.owner, expires_at = excluded.expires_at
           WHERE leases.owner = excluded.owner OR leases.expires_at <= :now
           RETURNING owner, token, expires_at`,
          { role, owner, expires: t + ttlSeconds, now: t },
        ),
      );
    },
    async renew(role, lease, ttlSeconds) {
      live();
      return asLease(
        get('UPDATE leases SET expires_at = :expires WHERE role = :role AND owner = :owner AND token = :token RETURNING owner, token, expires_at', {
          role,
          owner: lease.owner,
          token: lease.token,
          expires: now() + ttlSeconds,
        }),
      );
    },
    async release(role, lease) {
      live();
      run('UPDATE leases SET expires_at = :now WHERE role = :role AND owner = :owner AND token = :token AND expires_at > :now', { role, owner: lease.owner, token: lease.token, now: now() });
    },
    async holder(role) {
      live();
      return asLease(get('SELECT owner, token, expires_at FROM leases WHERE role = :role AND expires_at > :now', { role, now: now() }));
    },
  };

  // -------------------------------------------------------------------------------------------
  const snapshots: SnapshotStore = {
    async put(role, lease, snapshot) {
      live();
      return tx(() => {
        const row = get(
          `INSERT INTO inventory_snapshots (stored_at, role, owner, token, snapshot)
           SELECT :now, :role, :owner, :token, :snapshot WHERE EXISTS (SELECT 1 FROM leases WHERE role = :role AND owner = :owner AND token = :token)
           RETURNING version`,
          { role, owner: lease.owner, token: lease.token, snapshot: JSON.stringify(snapshot ?? null), now: now() },
        );
        if (!row) return null;
        run('DELETE FROM inventory_snapshots WHERE version NOT IN (SELECT version FROM inventory_snapshots ORDER BY version DESC LIMIT :keep)', { keep: SNAPSHOTS_KEPT + 1 });
        return Number(row.version);
      });
    },
    async get() {
      live();
      const row = get('SELECT version, stored_at, snapshot FROM inventory_snapshots ORDER BY version DESC LIMIT 1');
      return row ? { version: Number(row.version), storedAt: Number(row.stored_at), snapshot: JSON.parse(String(row.snapshot)) as unknown } : null;
    },
    async version() {
      live();
      return Number(get('SELECT coalesce(max(version), 0) AS v FROM inventory_snapshots')!.v);
    },
  };

  return {
    backend: 'sqlite',
    events,
    relays,
    aborts,
    alerts,
    outbox,
    leases,
    snapshots,
    async now() {
      return now();
    },
    subscribe(topic, listener) {
      live();
      const entry = { topic, fn: () => listener() };
      myListeners.add(entry);
      hub.on(topic, entry.fn);
      return () => {
        myListeners.delete(entry);
        hub.off(topic, entry.fn);
      };
    },
    async notify(topic) {
      live();
      // Delivered on a later tick, as a database notification would be; a throwing listener is its own problem.
      setImmediate(() => {
        for (const fn of hub.listeners(topic) as (() => void)[]) {
          try {
            fn();
          } catch {
            // listeners must not throw; one that does does not stop the others
          }
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const { topic, fn } of myListeners) hub.off(topic, fn);
      myListeners.clear();
      closeHub(hubKey);
      db.close();
    },
  };
}
