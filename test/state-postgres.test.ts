import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPostgresMigrations, postgresMigrations } from '../src/core/state/migrations.ts';
import { openPostgresStore } from '../src/core/state/postgres-store.ts';
import type { StateStore } from '../src/core/state/types.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { describeStateStore, T0 } from './state-contract.ts';

let server: TestPostgres;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});

/** Waits for `check` to hold, polling, with a deadline. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The contract's tests share one database (CREATE DATABASE takes up to a second on a busy machine):
 * each test starts with every state table emptied (identities restarted), which is what a fresh
 * database would give it. Opening stores on it each time re-runs the (recorded) migrations.
 */
let contractUrl: string | undefined;
async function emptyStateTables(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'");
    if (rows.length) await admin.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY`);
  } finally {
    await admin.end();
  }
}

describeStateStore('postgres', async () => {
  const url = (contractUrl ??= await server.createDatabase());
  let t = T0;
  const now = () => t;
  const store = await openPostgresStore({ url, now, poolSize: 6 });
  await emptyStateTables(url);
  const other = await openPostgresStore({ url, now, poolSize: 6 });
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

describe('postgres state store', () => {
  it('migrations: several replicas starting at once on a fresh database apply them once; again is a no-op', async () => {
    const url = await server.createDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url, poolSize: 2 })));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
      expect(await applyPostgresMigrations(client)).toEqual([]);
      expect(await stores[0].events.claim('e1')).toBe(true);
      expect(await stores[3].events.claim('e1')).toBe(false);
    } finally {
      await client.end();
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('the store clock is the database clock, and a real lease expires on it', async () => {
    const url = await server.createDatabase();
    const a = await openPostgresStore({ url });
    const b = await openPostgresStore({ url });
    try {
      const dbNow = await a.now();
      expect(Math.abs(dbNow - Date.now() / 1000)).toBeLessThan(5);
      expect(await b.now()).toBeGreaterThanOrEqual(dbNow);
      const held = (await a.leases.acquire('poller', 'r1', 0.3))!;
      expect(held.expiresAt).toBeGreaterThan(dbNow);
      expect(held.expiresAt).toBeLessThan(dbNow + 1);
      expect(await b.leases.acquire('poller', 'r2', 30)).toBeNull();
      let taken: Awaited<ReturnType<StateStore['leases']['acquire']>> = null;
      await until('the lease to expire', async () => (taken = await b.leases.acquire('poller', 'r2', 30)) !== null);
      expect(taken!.token).toBeGreaterThan(held.token);
      expect(await b.now()).toBeGreaterThanOrEqual(held.expiresAt);
      expect(await a.leases.renew('poller', held, 30)).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('topics subscribed while the LISTEN connection is still opening are all listened to', async () => {
    const url = await server.createDatabase();
    const a = await openPostgresStore({ url });
    const b = await openPostgresStore({ url });
    try {
      const heard: Record<string, number> = { one: 0, two: 0, three: 0 };
      for (const topic of Object.keys(heard)) a.subscribe(topic, () => heard[topic]++);
      for (const topic of Object.keys(heard)) await until(`a notification of ${topic}`, async () => (await b.notify(topic), heard[topic] > 0));
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('LISTEN survives its connection being killed: listeners are poked on reconnect and hear later notifications', async () => {
    const url = await server.createDatabase();
    const a = await openPostgresStore({ url, applicationName: 'opsbot-a' });
    const b = await openPostgresStore({ url, applicationName: 'opsbot-b' });
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      let calls = 0;
      a.subscribe('outbox', () => calls++);
      // Wait until a's LISTEN is in place (a notification gets through).
      await until('the first notification', async () => (await b.notify('outbox'), calls > 0));
      const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'opsbot-a-listen'");
      expect(killed.rowCount).toBe(1);
      const before = calls;
      // The reconnect calls the listener once without any notification.
      await until('the reconnect poke', () => calls > before);
      await until('the LISTEN to be back', async () => {
        const { rows } = await admin.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'opsbot-a-listen' AND state = 'idle'");
        return rows[0].n === 1;
      });
      const afterReconnect = calls;
      await until('a notification after the reconnect', async () => (await b.notify('outbox'), calls > afterReconnect));
    } finally {
      await admin.end();
      await a.close();
      await b.close();
    }
  });
});
