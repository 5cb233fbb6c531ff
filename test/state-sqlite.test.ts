import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { applySqliteMigrations, sqliteMigrations } from '../src/core/state/migrations.ts';
import { openSqliteStore } from '../src/core/state/sqlite-store.ts';
import { describeStateStore, T0 } from './state-contract.ts';

const root = mkdtempSync(join(tmpdir(), 'opsbot-state-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

describeStateStore('sqlite', async () => {
  const path = join(root, `db-${++n}`, 'state.db');
  let t = T0;
  const now = () => t;
  const store = await openSqliteStore({ path, now });
  const other = await openSqliteStore({ path, now });
  return {
    store,
    other,
    clock: { set: (value: number) => void (t = value) },
    cleanup: async () => {
      await store.close();
      await other.close();
    },
  };
});

describe('sqlite state store', () => {
  it('migrations: recorded once, applying again is a no-op', async () => {
    const path = join(root, 'migrations', 'state.db');
    const store = await openSqliteStore({ path });
    await store.events.claim('e1');
    await store.close();
    const db = new DatabaseSync(path);
    try {
      expect(applySqliteMigrations(db)).toEqual([]);
      const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
      expect(versions).toEqual(sqliteMigrations.map((m) => m.version));
      expect(db.prepare('SELECT count(*) AS n FROM handled_events').get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
    const again = await openSqliteStore({ path });
    expect(await again.events.claim('e1')).toBe(false);
    await again.close();
  });

  it('a data dir of the old layout: alert posts and finished relay claims are carried over, old tables reused', async () => {
    const path = join(root, 'legacy', 'state.db');
    rmSync(join(root, 'legacy'), { recursive: true, force: true });
    mkdirSync(join(root, 'legacy'));
    const db = new DatabaseSync(path);
    // The tables as event-ledger.ts, relay-ledger.ts and alert-store.ts created them.
    db.exec(`
      CREATE TABLE handled_events (key TEXT PRIMARY KEY, handled_at INTEGER NOT NULL);
      INSERT INTO handled_events VALUES ('C1:1.1', ${T0});
      CREATE TABLE relay_claims (
        file_id TEXT NOT NULL, destination TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('in_progress', 'done', 'failed')),
        claimed_at REAL NOT NULL, owner TEXT NOT NULL, event_key TEXT NOT NULL, stored_json TEXT,
        PRIMARY KEY (file_id, destination));
      INSERT INTO relay_claims VALUES ('F1', 's3://b/', 'done', ${T0}, 'old', 'C1:100.1', '{"location":"s3://b/a","bytes":3,"sha256":"ab"}');
      INSERT INTO relay_claims VALUES ('F2', 's3://b/', 'failed', ${T0}, 'old', 'C1:100.2', NULL);
      INSERT INTO relay_claims VALUES ('F3', 's3://b/', 'in_progress', ${T0}, 'old', 'C1:100.3', NULL);
      CREATE TABLE relay_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, channel TEXT NOT NULL, user TEXT NOT NULL,
        file_id TEXT NOT NULL, file_name TEXT NOT NULL, destination TEXT NOT NULL, location TEXT,
        bytes INTEGER, sha256 TEXT, result TEXT NOT NULL, error_code TEXT);
      INSERT INTO relay_audit (at, channel, user, file_id, file_name, destination, result) VALUES (${T0}, 'C1', 'U1', 'F1', 'a', 's3://b/', 'done');
      CREATE TABLE alert_posts (
        alert_id TEXT PRIMARY KEY, state TEXT NOT NULL, channel TEXT, ts TEXT, status TEXT NOT NULL, host_id TEXT,
        mentioned INTEGER NOT NULL DEFAULT 0, mention_code TEXT, eta_at REAL, has_forecast INTEGER NOT NULL DEFAULT 0,
        claimed_at REAL NOT NULL, posted_at REAL, updated_at REAL, closed_at REAL);
      INSERT INTO alert_posts VALUES ('A1', 'posted', 'C9', '9.9', 'CRITICAL', 'h1', 1, 'critical', NULL, 1, ${T0}, ${T0 + 1}, ${T0 + 1}, NULL);
    `);
    db.close();
    const store = await openSqliteStore({ path, now: () => T0 + 10 });
    try {
      expect(await store.events.claim('C1:1.1')).toBe(false);
      expect(
        await store.relays.claim(
          { fileId: 'F1', destination: 's3://b/', eventKey: 'C2:5.5', intent: { channel: 'C2', messageTs: '5.5', user: 'U', fileName: 'a', fileSize: 3, keyword: 'k' } },
          'new',
          60,
        ),
      ).toEqual({ kind: 'done', stored: { location: 's3://b/a', bytes: 3, sha256: 'ab' }, sameEvent: false });
      expect(await store.relays.get('F1', 's3://b/')).toMatchObject({ state: 'done', eventKey: 'C1:100.1', intent: { channel: 'C1', messageTs: '100.1' } });
      expect(await store.relays.get('F2', 's3://b/')).toMatchObject({ state: 'failed' });
      expect(await store.relays.get('F3', 's3://b/')).toBeNull();
      expect((await store.relays.recent('C1', 5)).map((e) => e.fileId)).toEqual(['F1']);
      expect(await store.alerts.listOpen()).toMatchObject([{ alertId: 'A1', channel: 'C9', ts: '9.9', mentioned: true, hasForecast: true, postedAt: T0 + 1 }]);
    } finally {
      await store.close();
    }
  });

  it('processes racing on one fresh file: migrations applied once, exactly one winner per key (worker threads, separate connections)', async () => {
    // A fresh file: the workers also race to create it and apply the migrations.
    const path = join(root, 'workers', 'state.db');
    const workers = 4;
    const start = new SharedArrayBuffer(4);
    const storeUrl = pathToFileURL(join(import.meta.dirname, '..', 'src', 'core', 'state', 'sqlite-store.ts')).href;
    // Each worker opens its own connection, waits for the common start, then claims the same keys.
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.storeUrl).then(async ({ openSqliteStore }) => {
        const store = await openSqliteStore({ path: workerData.path, busyTimeoutMs: 20000 });
        const flag = new Int32Array(workerData.start);
        Atomics.add(flag, 0, 1);
        Atomics.notify(flag, 0);
        while (Atomics.load(flag, 0) < workerData.workers + 1) Atomics.wait(flag, 0, Atomics.load(flag, 0), 50);
        const won = [];
        const intent = { channel: 'C', messageTs: '1', user: 'U', fileName: 'f', fileSize: 1, keyword: 'k' };
        for (let i = 0; i < 40; i++) {
          if (await store.events.claim('e' + i)) won.push('event:' + i);
          const r = await store.relays.claim({ fileId: 'F' + i, destination: 'd', eventKey: 'C:' + workerData.id, intent }, 'w' + workerData.id, 60);
          if (r.kind === 'claimed') won.push('relay:' + i);
          if (await store.alerts.claim('A' + i, 'CRITICAL', 60)) won.push('alert:' + i);
          if ((await store.outbox.enqueue({ key: 'o' + i, kind: 'post', channel: 'C', payload: workerData.id })).created) won.push('outbox:' + i);
          if (await store.leases.acquire('role' + i, 'w' + workerData.id, 60)) won.push('lease:' + i);
        }
        const taken = await store.outbox.takeDue('w' + workerData.id, 60, 1000);
        for (const e of taken) won.push('sent:' + e.key);
        await store.close();
        parentPort.postMessage(won);
      }).catch((e) => { throw e; });
    `;
    const results = Array.from(
      { length: workers },
      (_, id) =>
        new Promise<string[]>((resolveWon, reject) => {
          const w = new Worker(code, { eval: true, workerData: { path, storeUrl, start, workers, id } });
          w.once('message', resolveWon);
          w.once('error', reject);
          w.once('exit', (c) => (c !== 0 ? reject(new Error(`worker exited ${c}`)) : undefined));
        }),
    );
    const flag = new Int32Array(start);
    const deadline = Date.now() + 30_000;
    while (Atomics.load(flag, 0) < workers) {
      if (Date.now() > deadline) throw new Error('workers did not start');
      await new Promise((r) => setTimeout(r, 5));
    }
    Atomics.add(flag, 0, 1);
    Atomics.notify(flag, 0);
    const won = (await Promise.all(results)).flat();
    const count = (prefix: string) => won.filter((w) => w.startsWith(prefix)).length;
    expect(new Set(won).size).toBe(won.length);
    for (const prefix of ['event:', 'relay:', 'alert:', 'outbox:', 'lease:']) expect(count(prefix), prefix).toBe(40);
    expect(count('sent:')).toBe(40);
    const db = new DatabaseSync(path);
    try {
      expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: sqliteMigrations.length });
    } finally {
      db.close();
    }
  });
});
