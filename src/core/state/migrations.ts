import type { DatabaseSync } from 'node:sqlite';

/**
 * Versioned schema migrations, numbered steps per backend, recorded in `schema_migrations`.
 *
 * Applying is idempotent (a recorded version is never run again) and safe when several processes
 * start at once: SQLite applies under `BEGIN IMMEDIATE` (one writer; the others wait on the busy
 * timeout and then find the versions recorded), PostgreSQL under `LOCK TABLE schema_migrations IN
 * EXCLUSIVE MODE` inside the migration transaction.
 *
 * A step is never edited once released: a schema change is a new step at the end.
 *
 * Data of the older, table-per-service SQLite layout (before the state store):
 * - `handled_events` has the same shape and is used as it is;
 * - `relay_audit` has the same shape and is used as it is (the audit history stays);
 * - `alert_posts` rows are copied into `alert_records` (same columns);
 * - `relay_claims` rows that are `done` or `failed` are copied into `relay_jobs`, so a duplicate
 *   share of a file relayed before the upgrade still points at the stored copy. Their intent is
 *   rebuilt from the event key (`channel:ts`); user, file name, size and keyword are unknown
 *   (empty/0). `in_progress` claims are not copied: they belong to a process of the old version,
 *   carry nothing to resume from, and a retry claims the pair afresh.
 * The old tables are left in place (nothing reads them any more).
 */

export interface SqliteMigration {
  version: number;
  name: string;
  /** SQL run as one script, or a function for steps that depend on what exists. */
  up: string | ((db: DatabaseSync) => void);
}

export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'state store tables',
    up: `
      CREATE TABLE IF NOT EXISTS handled_events (key TEXT PRIMARY KEY, handled_at REAL NOT NULL);
      CREATE INDEX IF NOT EXISTS handled_events_at ON handled_events (handled_at);

      CREATE TABLE relay_jobs (
        file_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        event_key TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('in_progress', 'done', 'failed')),
        intent TEXT NOT NULL,
        lease_owner TEXT,
        lease_token INTEGER NOT NULL DEFAULT 0,
        lease_expires_at REAL,
        attempts INTEGER NOT NULL DEFAULT 0,
        upload TEXT,
        progress_ts TEXT,
        stored TEXT,
        error_code TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (file_id, destination));
      CREATE INDEX relay_jobs_expiry ON relay_jobs (lease_expires_at) WHERE state = 'in_progress';

      CREATE TABLE IF NOT EXISTS relay_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, channel TEXT NOT NULL, user TEXT NOT NULL,
        file_id TEXT NOT NULL, file_name TEXT NOT NULL, destination TEXT NOT NULL, location TEXT,
        bytes INTEGER, sha256 TEXT, result TEXT NOT NULL, error_code TEXT);
      CREATE INDEX IF NOT EXISTS relay_audit_channel ON relay_audit (channel, at);

      CREATE TABLE pending_aborts (
        upload_id TEXT PRIMARY KEY,
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        last_error TEXT,
        lease_owner TEXT,
        created_at REAL NOT NULL);
      CREATE INDEX pending_aborts_due ON pending_aborts (next_attempt_at);

      CREATE TABLE alert_records (
        alert_id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('posting', 'posted', 'closed')),
        channel TEXT,
        ts TEXT,
        status TEXT NOT NULL,
        host_id TEXT,
        mentioned INTEGER NOT NULL DEFAULT 0,
        mention_code TEXT,
        eta_at REAL,
        has_forecast INTEGER NOT NULL DEFAULT 0,
        claimed_at REAL NOT NULL,
        posted_at REAL,
        updated_at REAL,
        closed_at REAL);
      CREATE INDEX alert_records_open ON alert_records (posted_at) WHERE state = 'posted';

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        channel TEXT NOT NULL,
        ref_ts TEXT,
        ref_post_of TEXT,
        grp TEXT,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        lease_owner TEXT,
        lease_token INTEGER NOT NULL DEFAULT 0,
        lease_expires_at REAL,
        result_ts TEXT,
        ref_resolved_ts TEXT,
        last_error TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL);
      CREATE INDEX outbox_open ON outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
      CREATE INDEX outbox_group ON outbox (grp, id) WHERE grp IS NOT NULL;
      CREATE INDEX outbox_finished ON outbox (updated_at) WHERE state IN ('sent', 'failed');

      CREATE TABLE leases (
        role TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        token INTEGER NOT NULL,
        expires_at REAL NOT NULL);

      CREATE TABLE inventory_snapshots (
        version INTEGER PRIMARY KEY AUTOINCREMENT,
        stored_at REAL NOT NULL,
        role TEXT NOT NULL,
        owner TEXT NOT NULL,
        token INTEGER NOT NULL,
        snapshot TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'copy alert_posts and finished relay_claims of the old layout',
    up: (db) => {
      const has = (table: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
      if (has('alert_posts')) {
        db.exec(`INSERT OR IGNORE INTO alert_records (alert_id, state, channel, ts, status, host_id, mentioned, mention_code, eta_at, has_forecast, claimed_at, posted_at, updated_at, closed_at)
          SELECT alert_id, state, channel, ts, status, host_id, mentioned, mention_code, eta_at, has_forecast, claimed_at, posted_at, updated_at, closed_at
          FROM alert_posts WHERE state IN ('posting', 'posted', 'closed')`);
      }
      if (has('relay_claims')) {
        db.exec(`INSERT OR IGNORE INTO relay_jobs (file_id, destination, event_key, state, intent, attempts, stored, error_code, created_at, updated_at)
          SELECT file_id, destination, event_key, state,
            json_object('channel', CASE WHEN instr(event_key, ':') > 0 THEN substr(event_key, 1, instr(event_key, ':') - 1) ELSE '' END,
                        'messageTs', CASE WHEN instr(event_key, ':') > 0 THEN substr(event_key, instr(event_key, ':') + 1) ELSE event_key END,
                        'user', '', 'fileName', '', 'fileSize', 0, 'keyword', ''),
            1, CASE WHEN state = 'done' THEN stored_json END, CASE WHEN state = 'failed' THEN 'unknown' END, claimed_at, claimed_at
          FROM relay_claims WHERE state IN ('done', 'failed')`);
      }
    },
  },
  {
    version: 3,
    name: 'relay jobs by event',
    up: 'CREATE INDEX relay_jobs_event ON relay_jobs (event_key)',
  },
  {
    version: 4,
    name: 'outbox entries waiting for a post',
    up: "CREATE INDEX outbox_waiting_ref ON outbox (ref_post_of) WHERE state IN ('pending', 'sending') AND ref_post_of IS NOT NULL",
  },
  {
    version: 5,
    name: 'alert acknowledgement and mention snooze (Slack buttons)',
    up: `
      ALTER TABLE alert_records ADD COLUMN acked_by TEXT;
      ALTER TABLE alert_records ADD COLUMN acked_by_name TEXT;
      ALTER TABLE alert_records ADD COLUMN acked_at REAL;
      ALTER TABLE alert_records ADD COLUMN snoozed_until REAL;
      ALTER TABLE alert_records ADD COLUMN snoozed_by_name TEXT;
    `,
  },
];

export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'state store tables',
    sql: `
      CREATE TABLE handled_events (key text PRIMARY KEY, handled_at double precision NOT NULL);
      CREATE INDEX handled_events_at ON handled_events (handled_at);

      CREATE TABLE relay_jobs (
        file_id text NOT NULL,
        destination text NOT NULL,
        event_key text NOT NULL,
        state text NOT NULL CHECK (state IN ('in_progress', 'done', 'failed')),
        intent text NOT NULL,
        lease_owner text,
        lease_token integer NOT NULL DEFAULT 0,
        lease_expires_at double precision,
        attempts integer NOT NULL DEFAULT 0,
        upload text,
        progress_ts text,
        stored text,
        error_code text,
        created_at double precision NOT NULL,
        updated_at double precision NOT NULL,
        PRIMARY KEY (file_id, destination));
      CREATE INDEX relay_jobs_expiry ON relay_jobs (lease_expires_at) WHERE state = 'in_progress';

      CREATE TABLE relay_audit (
        id bigserial PRIMARY KEY, at double precision NOT NULL, channel text NOT NULL, "user" text NOT NULL,
        file_id text NOT NULL, file_name text NOT NULL, destination text NOT NULL, location text,
        bytes bigint, sha256 text, result text NOT NULL, error_code text);
      CREATE INDEX relay_audit_channel ON relay_audit (channel, at);

      CREATE TABLE pending_aborts (
        upload_id text PRIMARY KEY,
        bucket text NOT NULL,
        key text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at double precision NOT NULL,
        last_error text,
        lease_owner text,
        created_at double precision NOT NULL);
      CREATE INDEX pending_aborts_due ON pending_aborts (next_attempt_at);

      CREATE TABLE alert_records (
        alert_id text PRIMARY KEY,
        state text NOT NULL CHECK (state IN ('posting', 'posted', 'closed')),
        channel text,
        ts text,
        status text NOT NULL,
        host_id text,
        mentioned boolean NOT NULL DEFAULT false,
        mention_code text,
        eta_at double precision,
        has_forecast boolean NOT NULL DEFAULT false,
        claimed_at double precision NOT NULL,
        posted_at double precision,
        updated_at double precision,
        closed_at double precision);
      CREATE INDEX alert_records_open ON alert_records (posted_at) WHERE state = 'posted';

      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        key text NOT NULL UNIQUE,
        kind text NOT NULL,
        channel text NOT NULL,
        ref_ts text,
        ref_post_of text,
        grp text,
        payload text NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at double precision NOT NULL,
        lease_owner text,
        lease_token integer NOT NULL DEFAULT 0,
        lease_expires_at double precision,
        result_ts text,
        ref_resolved_ts text,
        last_error text,
        created_at double precision NOT NULL,
        updated_at double precision NOT NULL);
      CREATE INDEX outbox_open ON outbox (next_attempt_at) WHERE state IN ('pending', 'sending');
      CREATE INDEX outbox_group ON outbox (grp, id) WHERE grp IS NOT NULL;
      CREATE INDEX outbox_post_of ON outbox (ref_post_of) WHERE ref_post_of IS NOT NULL;
      CREATE INDEX outbox_finished ON outbox (updated_at) WHERE state IN ('sent', 'failed');

      CREATE TABLE leases (
        role text PRIMARY KEY,
        owner text NOT NULL,
        token integer NOT NULL,
        expires_at double precision NOT NULL);

      CREATE TABLE inventory_snapshots (
        version bigserial PRIMARY KEY,
        stored_at double precision NOT NULL,
        role text NOT NULL,
        owner text NOT NULL,
        token integer NOT NULL,
        snapshot text NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'relay jobs by event',
    sql: 'CREATE INDEX relay_jobs_event ON relay_jobs (event_key)',
  },
  {
    version: 3,
    name: 'outbox entries waiting for a post',
    sql: "CREATE INDEX outbox_waiting_ref ON outbox (ref_post_of) WHERE state IN ('pending', 'sending') AND ref_post_of IS NOT NULL",
  },
  {
    version: 4,
    name: 'alert acknowledgement and mention snooze (Slack buttons)',
    sql: `
      ALTER TABLE alert_records ADD COLUMN acked_by text;
      ALTER TABLE alert_records ADD COLUMN acked_by_name text;
      ALTER TABLE alert_records ADD COLUMN acked_at double precision;
      ALTER TABLE alert_records ADD COLUMN snoozed_until double precision;
      ALTER TABLE alert_records ADD COLUMN snoozed_by_name text;
    `,
  },
];

/** Applies the SQLite steps not yet recorded; returns the versions it applied. */
export function applySqliteMigrations(db: DatabaseSync, steps: readonly SqliteMigration[] = sqliteMigrations): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)');
  db.exec('BEGIN IMMEDIATE');
  try {
    const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => Number(r.version)));
    const applied: number[] = [];
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const step of [...steps].sort((a, b) => a.version - b.version)) {
      if (done.has(step.version)) continue;
      if (typeof step.up === 'string') db.exec(step.up);
      else step.up(db);
      record.run(step.version, step.name, Date.now() / 1000);
      applied.push(step.version);
    }
    db.exec('COMMIT');
    return applied;
  } catch (error) {
    try {
      db.exec('ROLLBACK');
    } catch {
      // already rolled back
    }
    throw error;
  }
}

/** What `applyPostgresMigrations` needs of a connection (a `pg.PoolClient` or `pg.Client`). */
export interface PostgresQueryable {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Applies the PostgreSQL steps not yet recorded, in one transaction that holds an exclusive lock
 * on `schema_migrations` (other starters wait, then find the versions recorded). Returns the
 * versions it applied. `CREATE TABLE IF NOT EXISTS` itself can race on a fresh database (two
 * sessions creating the same catalog row); that error is retried.
 */
export async function applyPostgresMigrations(client: PostgresQueryable, steps: readonly PostgresMigration[] = postgresMigrations): Promise<number[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query('BEGIN');
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())');
      await client.query('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
      const done = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
      const applied: number[] = [];
      for (const step of [...steps].sort((a, b) => a.version - b.version)) {
        if (done.has(step.version)) continue;
        await client.query(step.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
        applied.push(step.version);
      }
      await client.query('COMMIT');
      return applied;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const code = (error as { code?: string }).code;
      // 23505: unique_violation (pg_type/pg_class rows of a concurrently created table); 42P07: duplicate_table;
      // 42710: duplicate_object ('type "schema_migrations" already exists', seen once with three replicas starting together).
      if (attempt < 5 && (code === '23505' || code === '42P07' || code === '42710')) continue;
      throw error;
    }
  }
}
