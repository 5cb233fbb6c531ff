import pg from 'pg';
import type { Logger } from '../logger.ts';
import { applyPostgresMigrations } from './migrations.ts';
import { abortFromRow, alertFromRow, auditFromRow, leaseOf, outboxFromRow, payloadText, relayJobFromRow, type Row } from './rows.ts';
import type { AbortStore, AlertRecordStore, EventStore, Lease, LeaseStore, OutboxEntry, OutboxStore, RelayClaim, RelayJob, RelayStore, SnapshotStore, StateStore } from './types.ts';

export interface PostgresStoreOptions {
  /** `postgres://user:pass@host:port/db` (libpq URL; `?sslmode=` etc. as node-postgres reads them). */
  url: string;
  log?: Pick<Logger, 'warn' | 'info'>;
  /** Pool size (connections for queries; LISTEN uses one more). Default 10. */
  poolSize?: number;
  /** Shown in pg_stat_activity. Default `opsbot`. */
  applicationName?: string;
  /**
   * Tests only: a fixed store clock (epoch seconds) passed with every statement instead of the
   * database's `clock_timestamp()`. Production leaves it unset: every replica then shares the
   * database's clock, whatever their own clocks say.
   */
  now?: () => number;
}

const SNAPSHOTS_KEPT = 2;

/**
 * The store clock inside a statement that has it as `$1`: the test override when given, else the
 * database's clock. Statements that need one value throughout take it once as `c.now` from
 * `FROM (SELECT ${NOW} AS now) c`.
 */
const NOW = 'COALESCE($1::float8, extract(epoch from clock_timestamp())::float8)';
const CLOCK = `(SELECT ${NOW} AS now) c`;

/** Channel names are identifiers: at most 63 bytes. */
function channelName(topic: string): string {
  if (topic.length === 0 || Buffer.byteLength(topic) > 63) throw new Error(`notification topic must be 1 to 63 bytes: ${JSON.stringify(topic)}`);
  return topic;
}
const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The state store on PostgreSQL, for any number of replicas on one database. Every conditional write
 * is one statement (an upsert with a condition, or an UPDATE fenced by owner and token); sweepers
 * take expired work with `FOR UPDATE SKIP LOCKED`, so they neither wait on each other nor take the
 * same row twice. The clock is the database's. Notifications use LISTEN/NOTIFY on a dedicated
 * connection that reconnects; listeners are called once after a reconnect, since notifications sent
 * while it was away are lost (callers poll as well).
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<StateStore> {
  const { log } = options;
  const override = options.now;
  const applicationName = options.applicationName ?? 'opsbot';
  const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10, application_name: applicationName });
  pool.on('error', (error) => log?.warn({ err: error }, 'state store: an idle PostgreSQL connection failed (it is replaced)'));

  try {
    const client = await pool.connect();
    try {
      const applied = await applyPostgresMigrations(client);
      if (applied.length) log?.info({ versions: applied }, 'state store: applied PostgreSQL migrations');
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }

  let closed = false;
  const live = () => {
    if (closed) throw new Error('the state store is closed');
  };
  /** A statement whose `$1` is the store clock; `params` are `$2`… */
  const q = async (sql: string, params: unknown[] = []): Promise<pg.QueryResult<Row>> => {
    live();
    return pool.query<Row>(sql, [override ? override() : null, ...params]);
  };
  /** A statement without the clock; `params` are `$1`… */
  const plain = async (sql: string, params: unknown[] = []): Promise<Row[]> => {
    live();
    return (await pool.query<Row>(sql, params)).rows;
  };
  const one = async (sql: string, params: unknown[] = []) => (await q(sql, params)).rows[0] as Row | undefined;
  const all = async (sql: string, params: unknown[] = []) => (await q(sql, params)).rows;
  const count = async (sql: string, params: unknown[] = []) => (await q(sql, params)).rowCount ?? 0;

  // -------------------------------------------------------------------------------------------
  const events: EventStore = {
    async claim(key) {
      return (await count(`INSERT INTO handled_events (key, handled_at) SELECT $2, c.now FROM ${CLOCK} ON CONFLICT (key) DO NOTHING`, [key])) === 1;
    },
    async prune(maxAgeSeconds) {
      await q(`DELETE FROM handled_events WHERE handled_at < ${NOW} - $2`, [maxAgeSeconds]);
    },
  };

  // -------------------------------------------------------------------------------------------
  // $2 file, $3 destination, $4 owner, $5 token.
  const fence = "j.file_id = $2 AND j.destination = $3 AND j.state = 'in_progress' AND j.lease_owner = $4 AND j.lease_token = $5";
  const relays: RelayStore = {
    async claim({ fileId, destination, eventKey, intent }, owner, leaseSeconds) {
      // The rules of the old relay ledger, as one upsert (see the SQLite store). Between a lost upsert
      // and the read, a rival's job may have failed; then the upsert is tried again.
      for (let attempt = 0; ; attempt++) {
        const won = await one(
          `INSERT INTO relay_jobs AS j (file_id, destination, event_key, state, intent, lease_owner, lease_token, lease_expires_at, attempts, created_at, updated_at)
           SELECT $2, $3, $4, 'in_progress', $5, $6, 1, c.now + $7, 1, c.now, c.now FROM ${CLOCK}
           ON CONFLICT (file_id, destination) DO UPDATE SET
             state = 'in_progress', event_key = excluded.event_key, intent = excluded.intent,
             lease_owner = excluded.lease_owner, lease_token = j.lease_token + 1, lease_expires_at = excluded.lease_expires_at,
             attempts = CASE WHEN j.state = 'failed' THEN 1 ELSE j.attempts + 1 END,
             upload = CASE WHEN j.state = 'failed' THEN NULL ELSE j.upload END,
             progress_ts = CASE WHEN j.state = 'failed' THEN NULL ELSE j.progress_ts END,
             created_at = CASE WHEN j.state = 'failed' THEN excluded.created_at ELSE j.created_at END,
             stored = NULL, error_code = NULL, updated_at = excluded.updated_at
           WHERE (j.state = 'failed' AND j.event_key <> excluded.event_key)
              OR (j.state = 'in_progress' AND j.lease_expires_at <= excluded.updated_at)
           RETURNING lease_owner, lease_token, lease_expires_at, attempts`,
          [fileId, destination, eventKey, JSON.stringify(intent), owner, leaseSeconds],
        );
        if (won) return { kind: 'claimed', lease: leaseOf(won)!, attempts: Number(won.attempts) } satisfies RelayClaim;
        const row = (await plain('SELECT state, event_key, stored FROM relay_jobs WHERE file_id = $1 AND destination = $2', [fileId, destination]))[0];
        const sameEvent = row?.event_key === eventKey;
        if (row?.state === 'done') return { kind: 'done', stored: JSON.parse(String(row.stored)), sameEvent };
        if (row?.state === 'failed' && sameEvent) return { kind: 'failed', sameEvent: true };
        if (row?.state === 'in_progress') return { kind: 'in_progress', sameEvent };
        if (attempt >= 5) return { kind: 'in_progress', sameEvent };
      }
    },
    async renew(fileId, destination, lease, leaseSeconds) {
      const row = await one(
        `UPDATE relay_jobs j SET lease_expires_at = c.now + $6, updated_at = c.now FROM ${CLOCK} WHERE ${fence} RETURNING j.lease_owner, j.lease_token, j.lease_expires_at`,
        [fileId, destination, lease.owner, lease.token, leaseSeconds],
      );
      return row ? leaseOf(row) : null;
    },
    async record(fileId, destination, lease, patch) {
      const params: unknown[] = [fileId, destination, lease.owner, lease.token];
      const sets = ['updated_at = c.now'];
      if (patch.upload !== undefined) {
        params.push(patch.upload === null ? null : JSON.stringify(patch.upload));
        sets.push(`upload = $${params.length + 1}`);
      }
      if (patch.progressTs !== undefined) {
        params.push(patch.progressTs);
        sets.push(`progress_ts = $${params.length + 1}`);
      }
      return (await count(`UPDATE relay_jobs j SET ${sets.join(', ')} FROM ${CLOCK} WHERE ${fence}`, params)) === 1;
    },
    async finish(fileId, destination, lease, outcome) {
      return (
        (await count(`UPDATE relay_jobs j SET state = $6, stored = $7, error_code = $8, lease_owner = NULL, lease_expires_at = NULL, updated_at = c.now FROM ${CLOCK} WHERE ${fence}`, [
          fileId,
          destination,
          lease.owner,
          lease.token,
          outcome.state,
          outcome.state === 'done' ? JSON.stringify(outcome.stored) : null,
          outcome.state === 'failed' ? outcome.errorCode : null,
        ])) === 1
      );
    },
    async release(fileId, destination, lease) {
      await q(`UPDATE relay_jobs j SET lease_expires_at = c.now, updated_at = c.now FROM ${CLOCK} WHERE ${fence}`, [fileId, destination, lease.owner, lease.token]);
    },
    async takeExpired(owner, leaseSeconds, limit) {
      const rows = await all(
        `UPDATE relay_jobs j SET lease_owner = $2, lease_token = j.lease_token + 1, lease_expires_at = c.now + $3, attempts = j.attempts + 1, updated_at = c.now
         FROM ${CLOCK}
         WHERE (j.file_id, j.destination) IN (
           SELECT file_id, destination FROM relay_jobs WHERE state = 'in_progress' AND lease_expires_at <= ${NOW}
           ORDER BY lease_expires_at LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING j.*`,
        [owner, leaseSeconds, limit],
      );
      const jobs = rows.map(relayJobFromRow) as (RelayJob & { lease: Lease })[];
      return jobs.sort((a, b) => a.createdAt - b.createdAt || a.fileId.localeCompare(b.fileId) || a.destination.localeCompare(b.destination));
    },
    async get(fileId, destination) {
      const [row] = await plain('SELECT * FROM relay_jobs WHERE file_id = $1 AND destination = $2', [fileId, destination]);
      return row ? relayJobFromRow(row) : null;
    },
    async listByEvent(eventKey) {
      return (await plain('SELECT * FROM relay_jobs WHERE event_key = $1 ORDER BY created_at, file_id, destination', [eventKey])).map(relayJobFromRow);
    },
    async audit(e) {
      await plain(
        `INSERT INTO relay_audit (at, channel, "user", file_id, file_name, destination, location, bytes, sha256, result, error_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [e.at, e.channel, e.user, e.fileId, e.fileName, e.destination, e.location ?? null, e.bytes ?? null, e.sha256 ?? null, e.result, e.errorCode ?? null],
      );
    },
    async recent(channel, limit) {
      return (await plain('SELECT * FROM relay_audit WHERE channel = $1 ORDER BY at DESC, id DESC LIMIT $2', [channel, limit])).map(auditFromRow);
    },
  };

  // -------------------------------------------------------------------------------------------
  const aborts: AbortStore = {
    async add({ bucket, key, uploadId }) {
      await q(
        `INSERT INTO pending_aborts (upload_id, bucket, key, attempts, next_attempt_at, created_at) SELECT $2, $3, $4, 0, c.now, c.now FROM ${CLOCK}
         ON CONFLICT (upload_id) DO NOTHING`,
        [uploadId, bucket, key],
      );
    },
    async takeDue(owner, leaseSeconds, limit) {
      // Taking counts an attempt and moves the next attempt to the lease's end (see the SQLite store).
      const rows = await all(
        `UPDATE pending_aborts a SET attempts = a.attempts + 1, next_attempt_at = c.now + $3, lease_owner = $2
         FROM ${CLOCK}
         WHERE a.upload_id IN (SELECT upload_id FROM pending_aborts WHERE next_attempt_at <= ${NOW} ORDER BY next_attempt_at, upload_id LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING a.*`,
        [owner, leaseSeconds, limit],
      );
      return rows.map(abortFromRow).sort((a, b) => a.uploadId.localeCompare(b.uploadId));
    },
    async done(uploadId) {
      await plain('DELETE FROM pending_aborts WHERE upload_id = $1', [uploadId]);
    },
    async retryAt(uploadId, nextAttemptAt, error) {
      await plain('UPDATE pending_aborts SET next_attempt_at = $2, last_error = $3, lease_owner = NULL WHERE upload_id = $1', [uploadId, nextAttemptAt, error]);
    },
    async list() {
      return (await plain('SELECT * FROM pending_aborts ORDER BY next_attempt_at, upload_id')).map(abortFromRow);
    },
  };

  // -------------------------------------------------------------------------------------------
  const alerts: AlertRecordStore = {
    async claim(alertId, status, takeoverSeconds) {
      return (
        (await count(
          `INSERT INTO alert_records AS r (alert_id, state, status, claimed_at) SELECT $2, 'posting', $3, c.now FROM ${CLOCK}
           ON CONFLICT (alert_id) DO UPDATE SET claimed_at = excluded.claimed_at, status = excluded.status
           WHERE r.state = 'posting' AND r.claimed_at <= excluded.claimed_at - $4`,
          [alertId, status, takeoverSeconds],
        )) === 1
      );
    },
    async release(alertId) {
      await plain("DELETE FROM alert_records WHERE alert_id = $1 AND state = 'posting'", [alertId]);
    },
    async markPosted(alertId, f) {
      await q(
        `UPDATE alert_records SET state = 'posted', channel = $3, ts = $4, status = $5, host_id = $6, mentioned = $7, mention_code = $8,
           eta_at = $9, has_forecast = $10, posted_at = c.now, updated_at = c.now FROM ${CLOCK} WHERE alert_id = $2`,
        [alertId, f.channel, f.ts, f.status, f.hostId, f.mentioned, f.mentionCode, f.etaAt, f.hasForecast],
      );
    },
    async update(alertId, f) {
      const params: unknown[] = [alertId];
      const sets = ['updated_at = c.now'];
      const set = (column: string, value: unknown) => (params.push(value), sets.push(`${column} = $${params.length + 1}`));
      if (f.status !== undefined) set('status', f.status);
      if (f.mentioned !== undefined) set('mentioned', f.mentioned);
      if (f.mentionCode !== undefined) set('mention_code', f.mentionCode);
      if (f.etaAt !== undefined) set('eta_at', f.etaAt);
      if (f.hasForecast !== undefined) set('has_forecast', f.hasForecast);
      if (f.channel !== undefined) set('channel', f.channel);
      if (f.ts !== undefined) set('ts', f.ts);
      await q(`UPDATE alert_records SET ${sets.join(', ')} FROM ${CLOCK} WHERE alert_id = $2`, params);
    },
    async markClosed(alertId) {
      await q(`UPDATE alert_records SET state = 'closed', status = 'OK', closed_at = c.now, updated_at = c.now FROM ${CLOCK} WHERE alert_id = $2`, [alertId]);
    },
    async get(alertId) {
      const [row] = await plain('SELECT * FROM alert_records WHERE alert_id = $1', [alertId]);
      return row ? alertFromRow(row) : null;
    },
    async listOpen() {
      return (await plain("SELECT * FROM alert_records WHERE state = 'posted' ORDER BY posted_at, alert_id")).map(alertFromRow);
    },
    async listPosting() {
      return (await plain("SELECT * FROM alert_records WHERE state = 'posting' ORDER BY claimed_at, alert_id")).map(alertFromRow);
    },
    async acknowledge(alertId, user) {
      return (
        (await count(
          `UPDATE alert_records SET acked_by = $3, acked_by_name = $4, acked_at = c.now, updated_at = c.now FROM ${CLOCK}
           WHERE alert_id = $2 AND state = 'posted' AND acked_by IS NULL`,
          [alertId, user.id, user.name],
        )) === 1
      );
    },
    async snooze(alertId, until, byName) {
      return (
        (await count(
          `UPDATE alert_records SET snoozed_until = $3::float8, snoozed_by_name = $4, updated_at = c.now FROM ${CLOCK}
           WHERE alert_id = $2 AND state = 'posted' AND (snoozed_until IS NULL OR snoozed_until < $3::float8 - 60)`,
          [alertId, until, byName],
        )) === 1
      );
    },
  };

  // -------------------------------------------------------------------------------------------
  // $2 id, $3 owner, $4 token.
  const outboxFence = "o.id = $2 AND o.state = 'sending' AND o.lease_owner = $3 AND o.lease_token = $4";
  const outbox: OutboxStore = {
    async enqueue(input) {
      const row = await one(
        `INSERT INTO outbox (key, kind, channel, ref_ts, ref_post_of, grp, payload, state, attempts, next_attempt_at, created_at, updated_at)
         SELECT $2, $3, $4, $5, $6, $7, $8, 'pending', 0, COALESCE($9::float8, c.now), c.now, c.now FROM ${CLOCK}
         ON CONFLICT (key) DO NOTHING RETURNING *`,
        [
          input.key,
          input.kind,
          input.channel,
          input.ref && 'ts' in input.ref ? input.ref.ts : null,
          input.ref && 'postOf' in input.ref ? input.ref.postOf : null,
          input.group ?? null,
          payloadText(input.payload),
          input.notBefore ?? null,
        ],
      );
      if (row) return { entry: outboxFromRow(row), created: true };
      // The winner of a racing enqueue has committed by now (ON CONFLICT waited for it).
      const [existing] = await plain('SELECT * FROM outbox WHERE key = $1', [input.key]);
      return { entry: outboxFromRow(existing!), created: false };
    },
    async takeDue(owner, leaseSeconds, limit) {
      // Entries waiting for a post that failed for good fail with it (and so on down a chain). Rows
      // another dispatcher is failing right now are skipped: it fails them.
      while (
        (await count(
          `UPDATE outbox o SET state = 'failed', last_error = 'the post ' || o.ref_post_of || ' it refers to failed', lease_owner = NULL, lease_expires_at = NULL, updated_at = c.now
           FROM ${CLOCK}
           WHERE o.id IN (SELECT id FROM outbox WHERE state = 'pending' AND ref_post_of IS NOT NULL AND EXISTS (SELECT 1 FROM outbox p WHERE p.key = outbox.ref_post_of AND p.state = 'failed') FOR UPDATE SKIP LOCKED)`,
        )) > 0
      );
      const rows = await all(
        `UPDATE outbox o SET state = 'sending', lease_owner = $2, lease_token = o.lease_token + 1, lease_expires_at = c.now + $3, attempts = o.attempts + 1, updated_at = c.now,
           ref_resolved_ts = COALESCE(o.ref_ts, (SELECT p.result_ts FROM outbox p WHERE p.key = o.ref_post_of))
         FROM ${CLOCK}
         WHERE o.id IN (
           SELECT x.id FROM outbox x
           WHERE x.state IN ('pending', 'sending') AND (x.state = 'pending' OR x.lease_expires_at <= ${NOW})
             AND x.next_attempt_at <= ${NOW}
             AND (x.ref_post_of IS NULL OR EXISTS (SELECT 1 FROM outbox p WHERE p.key = x.ref_post_of AND p.state = 'sent'))
             AND (x.grp IS NULL OR NOT EXISTS (SELECT 1 FROM outbox e WHERE e.grp = x.grp AND e.id < x.id AND e.state IN ('pending', 'sending')))
           ORDER BY x.id LIMIT $4 FOR UPDATE SKIP LOCKED)
         RETURNING o.*`,
        [owner, leaseSeconds, limit],
      );
      return rows.map(outboxFromRow).sort((a, b) => a.id - b.id) as (OutboxEntry & { lease: Lease })[];
    },
    async complete(id, lease, resultTs) {
      return (
        (await count(`UPDATE outbox o SET state = 'sent', result_ts = $5, lease_owner = NULL, lease_expires_at = NULL, updated_at = c.now FROM ${CLOCK} WHERE ${outboxFence}`, [
          id,
          lease.owner,
          lease.token,
          resultTs ?? null,
        ])) === 1
      );
    },
    async retryAt(id, lease, nextAttemptAt, error) {
      return (
        (await count(
          `UPDATE outbox o SET state = 'pending', next_attempt_at = $5, last_error = $6, lease_owner = NULL, lease_expires_at = NULL, updated_at = c.now FROM ${CLOCK} WHERE ${outboxFence}`,
          [id, lease.owner, lease.token, nextAttemptAt, error],
        )) === 1
      );
    },
    async fail(id, lease, error) {
      return (
        (await count(`UPDATE outbox o SET state = 'failed', last_error = $5, lease_owner = NULL, lease_expires_at = NULL, updated_at = c.now FROM ${CLOCK} WHERE ${outboxFence}`, [
          id,
          lease.owner,
          lease.token,
          error,
        ])) === 1
      );
    },
    async get(key) {
      const [row] = await plain('SELECT * FROM outbox WHERE key = $1', [key]);
      return row ? outboxFromRow(row) : null;
    },
    async depth() {
      const row = (await one(`SELECT count(*) AS n, min(created_at) AS oldest, ${NOW} AS now FROM outbox WHERE state IN ('pending', 'sending')`))!;
      const n = Number(row.n);
      return { count: n, oldestAgeSeconds: n > 0 && row.oldest !== null ? Math.max(0, Number(row.now) - Number(row.oldest)) : null };
    },
    async prune(maxAgeSeconds) {
      await q(`DELETE FROM outbox WHERE state IN ('sent', 'failed') AND updated_at < ${NOW} - $2`, [maxAgeSeconds]);
    },
  };

  // -------------------------------------------------------------------------------------------
  const asLease = (row: Row | undefined): Lease | null => (row ? { owner: String(row.owner), token: Number(row.token), expiresAt: Number(row.expires_at) } : null);
  const leases: LeaseStore = {
    async acquire(role, owner, ttlSeconds) {
      return asLease(
        await one(
          `INSERT INTO leases AS l (role, owner, token, expires_at) SELECT $2, $3, 1, c.now + $4 FROM ${CLOCK}
           ON CONFLICT (role) DO UPDATE SET token = CASE WHEN l.owner = excluded.owner THEN l.token ELSE l.token + 1 END,
             owner = excluded.owner, expires_at = excluded.expires_at
           WHERE l.owner = excluded.owner OR l.expires_at <= ${NOW}
           RETURNING owner, token, expires_at`,
          [role, owner, ttlSeconds],
        ),
      );
    },
    async renew(role, lease, ttlSeconds) {
      return asLease(
        await one(`UPDATE leases l SET expires_at = c.now + $5 FROM ${CLOCK} WHERE l.role = $2 AND l.owner = $3 AND l.token = $4 RETURNING l.owner, l.token, l.expires_at`, [
          role,
          lease.owner,
          lease.token,
          ttlSeconds,
        ]),
      );
    },
    async release(role, lease) {
      await q(`UPDATE leases l SET expires_at = c.now FROM ${CLOCK} WHERE l.role = $2 AND l.owner = $3 AND l.token = $4 AND l.expires_at > c.now`, [role, lease.owner, lease.token]);
    },
    async holder(role) {
      return asLease(await one(`SELECT owner, token, expires_at FROM leases WHERE role = $2 AND expires_at > ${NOW}`, [role]));
    },
  };

  // -------------------------------------------------------------------------------------------
  const snapshots: SnapshotStore = {
    async put(role, lease, snapshot) {
      // FOR SHARE on the lease row: a takeover (an UPDATE of that row) waits for this insert, or this
      // insert sees the new token and stores nothing. Versions therefore follow the holders' order.
      const row = await one(
        `WITH held AS (SELECT 1 FROM leases WHERE role = $2 AND owner = $3 AND token = $4 FOR SHARE)
         INSERT INTO inventory_snapshots (stored_at, role, owner, token, snapshot)
         SELECT c.now, $2, $3, $4, $5 FROM ${CLOCK} WHERE EXISTS (SELECT 1 FROM held)
         RETURNING version`,
        [role, lease.owner, lease.token, JSON.stringify(snapshot ?? null)],
      );
      if (!row) return null;
      const version = Number(row.version);
      await plain('DELETE FROM inventory_snapshots WHERE version < $1 AND version NOT IN (SELECT version FROM inventory_snapshots ORDER BY version DESC LIMIT $2)', [
        version,
        SNAPSHOTS_KEPT + 1,
      ]);
      return version;
    },
    async get() {
      const [row] = await plain('SELECT version, stored_at, snapshot FROM inventory_snapshots ORDER BY version DESC LIMIT 1');
      return row ? { version: Number(row.version), storedAt: Number(row.stored_at), snapshot: JSON.parse(String(row.snapshot)) as unknown } : null;
    },
    async version() {
      return Number((await plain('SELECT coalesce(max(version), 0) AS v FROM inventory_snapshots'))[0].v);
    },
  };

  // -------------------------------------------------------------------------------------------
  const listener = createListener({ url: options.url, applicationName: `${applicationName}-listen`, log });

  return {
    backend: 'postgres',
    events,
    relays,
    aborts,
    alerts,
    outbox,
    leases,
    snapshots,
    async now() {
      return Number((await one(`SELECT ${NOW} AS now`))!.now);
    },
    subscribe(topic, fn) {
      live();
      return listener.subscribe(channelName(topic), fn);
    },
    async notify(topic) {
      live();
      await pool.query('SELECT pg_notify($1, $2)', [channelName(topic), '']);
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener.close();
      await pool.end();
    },
  };
}

/**
 * LISTEN on one dedicated connection, opened with the first subscription. When it fails it is
 * reopened (backoff up to 5 s), its channels listened to again, and every listener called once:
 * what was notified meanwhile is lost, so they should look now.
 */
function createListener(options: { url: string; applicationName: string; log?: Pick<Logger, 'warn' | 'info'> }) {
  const { log } = options;
  const topics = new Map<string, Set<() => void>>();
  let client: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let backoffMs = 100;
  let closed = false;
  /** LISTEN/UNLISTEN go through this chain, in order, on the current connection. */
  let chain: Promise<unknown> = Promise.resolve();

  const call = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      log?.warn({ err: error }, 'state store: a notification listener threw');
    }
  };

  const onNotification = (message: pg.Notification) => {
    for (const fn of [...(topics.get(message.channel) ?? [])]) call(fn);
  };

  const lost = (c: pg.Client, error?: unknown) => {
    if (client !== c) return;
    client = null;
    c.removeAllListeners('notification');
    c.end().catch(() => undefined);
    if (closed) return;
    log?.warn({ err: error }, 'state store: the LISTEN connection was lost; reconnecting (notifications meanwhile are lost, pollers catch up)');
    schedule();
  };

  const schedule = () => {
    if (closed || retryTimer || topics.size === 0) return;
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect(true).catch((error: unknown) => log?.warn({ err: error }, 'state store: reconnecting LISTEN failed'));
    }, backoffMs);
    retryTimer.unref();
    backoffMs = Math.min(backoffMs * 2, 5000);
  };

  const connect = (reconnected: boolean): Promise<void> => {
    if (connecting) return connecting;
    connecting = (async () => {
      const c = new pg.Client({ connectionString: options.url, application_name: options.applicationName });
      c.on('error', (error) => lost(c, error));
      c.on('end', () => lost(c));
      c.on('notification', onNotification);
      try {
        await c.connect();
        for (const topic of topics.keys()) await c.query(`LISTEN ${quoteIdent(topic)}`);
      } catch (error) {
        c.removeAllListeners();
        c.on('error', () => undefined);
        await c.end().catch(() => undefined);
        log?.warn({ err: error }, 'state store: could not LISTEN; retrying');
        connecting = null;
        schedule();
        return;
      }
      if (closed) {
        c.removeAllListeners();
        c.on('error', () => undefined);
        await c.end().catch(() => undefined);
        connecting = null;
        return;
      }
      client = c;
      backoffMs = 100;
      connecting = null;
      if (reconnected) for (const set of topics.values()) for (const fn of [...set]) call(fn);
    })();
    return connecting;
  };

  const send = (sql: string) => {
    chain = chain.then(async () => {
      if (closed) return;
      // Connecting LISTENs every topic known then; the statement is sent as well, since this topic may
      // have come after that (LISTEN twice is harmless). A connection lost meanwhile is redone by `lost`.
      if (!client) await connect(false);
      const c = client;
      if (c) await c.query(sql).catch((error: unknown) => lost(c, error));
    });
  };

  return {
    subscribe(topic: string, fn: () => void): () => void {
      if (closed) throw new Error('the state store is closed');
      const entry = () => fn();
      let set = topics.get(topic);
      if (!set) {
        set = new Set();
        topics.set(topic, set);
        send(`LISTEN ${quoteIdent(topic)}`);
      }
      set.add(entry);
      return () => {
        const current = topics.get(topic);
        if (!current?.delete(entry) || current.size > 0) return;
        topics.delete(topic);
        send(`UNLISTEN ${quoteIdent(topic)}`);
      };
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      await chain.catch(() => undefined);
      await connecting?.catch(() => undefined);
      const c = client;
      client = null;
      topics.clear();
      if (c) {
        c.removeAllListeners();
        c.on('error', () => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}
