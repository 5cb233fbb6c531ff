import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Lease, OutboxEntryInput, RelayIntent, StateStore } from '../src/core/state/types.ts';

/**
 * The StateStore contract, run against every backend (test/state-sqlite.test.ts,
 * test/state-postgres.test.ts). Each test gets a fresh, empty database from `open`.
 *
 * `store` and `other` are two stores (two connections) on the same database, sharing one clock:
 * races between them stand for two processes. `clock.set(t)` sets the store clock (epoch seconds)
 * of both; it starts at T0. Races are started together with Promise.all; on PostgreSQL they really
 * run concurrently (separate connections), on SQLite the per-process race is in state-sqlite.test.ts.
 */
export interface OpenedStateStore {
  store: StateStore;
  /** A second store (its own connection) on the same database and clock. */
  other: StateStore;
  clock?: { set(t: number): void };
  cleanup(): Promise<void>;
}

export const T0 = 1_700_000_000;

export function describeStateStore(name: string, open: () => Promise<OpenedStateStore>): void {
  describe(`StateStore contract: ${name}`, () => {
    let opened: OpenedStateStore;
    let a: StateStore;
    let b: StateStore;
    let now = T0;
    const at = (t: number) => {
      if (!opened.clock) throw new Error(`${name}: this test needs a settable store clock`);
      now = t;
      opened.clock.set(t);
    };
    const advance = (seconds: number) => at(now + seconds);

    beforeEach(async () => {
      opened = await open();
      a = opened.store;
      b = opened.other;
      at(T0);
    });
    afterEach(async () => {
      await opened.cleanup();
    });

    /** Runs `n` calls alternating between the two stores, all started at once. */
    const race = <T>(n: number, fn: (s: StateStore, i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => fn(i % 2 === 0 ? a : b, i)));

    it('knows its backend and clock', async () => {
      expect(['sqlite', 'postgres']).toContain(a.backend);
      expect(await a.now()).toBe(T0);
      advance(2.5);
      expect(await b.now()).toBe(T0 + 2.5);
    });

    // -----------------------------------------------------------------------------------------
    describe('events', () => {
      it('a key is claimed once, by one store of two', async () => {
        expect(await a.events.claim('ev1')).toBe(true);
        expect(await a.events.claim('ev1')).toBe(false);
        expect(await b.events.claim('ev1')).toBe(false);
        expect(await b.events.claim('ev2')).toBe(true);
      });

      it('racing claims of one key: exactly one winner', async () => {
        const results = await race(12, (s) => s.events.claim('race'));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('prune forgets claims older than the age, keeps newer ones', async () => {
        await a.events.claim('old');
        advance(100);
        await a.events.claim('new');
        advance(50);
        await b.events.prune(120);
        expect(await a.events.claim('old')).toBe(true);
        expect(await a.events.claim('new')).toBe(false);
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('relays', () => {
      const intent = (over: Partial<RelayIntent> = {}): RelayIntent => ({
        channel: 'C1',
        messageTs: '100.1',
        user: 'U1',
        fileName: 'a.log',
        fileSize: 1234,
        mimetype: 'text/plain',
        keyword: '!upload',
        ...over,
      });
      const job = (eventKey = 'C1:100.1', over: Partial<RelayIntent> = {}) => ({ fileId: 'F1', destination: 's3://b/x/', eventKey, intent: intent(over) });
      const upload = { bucket: 'b', key: 'x/a.log', uploadId: 'up-1', parts: [{ partNumber: 1, etag: '"e1"', size: 5 * 1024 * 1024 }] };
      const stored = { location: 's3://b/x/a.log', bytes: 1234, sha256: 'ab'.repeat(32) };

      async function claimed(s: StateStore, eventKey = 'C1:100.1', owner = 'p1', leaseSeconds = 60) {
        const c = await s.relays.claim(job(eventKey), owner, leaseSeconds);
        if (c.kind !== 'claimed') throw new Error(`expected claimed, got ${JSON.stringify(c)}`);
        return c;
      }

      it('claims a new pair with a lease and keeps the intent', async () => {
        const c = await claimed(a);
        expect(c).toEqual({ kind: 'claimed', lease: { owner: 'p1', token: c.lease.token, expiresAt: T0 + 60 }, attempts: 1 });
        const j = await b.relays.get('F1', 's3://b/x/');
        expect(j).toMatchObject({
          fileId: 'F1',
          destination: 's3://b/x/',
          eventKey: 'C1:100.1',
          state: 'in_progress',
          intent: intent(),
          lease: c.lease,
          attempts: 1,
          upload: null,
          progressTs: null,
          stored: null,
          errorCode: null,
          createdAt: T0,
          updatedAt: T0,
        });
        expect(await a.relays.get('F1', 'elsewhere')).toBeNull();
      });

      it('an in-progress pair is reported to other claimants, same message or not', async () => {
        await claimed(a);
        expect(await b.relays.claim(job('C1:100.1'), 'p2', 60)).toEqual({ kind: 'in_progress', sameEvent: true });
        expect(await b.relays.claim(job('C2:200.2'), 'p2', 60)).toEqual({ kind: 'in_progress', sameEvent: false });
      });

      it('racing claims of one pair from two stores: exactly one is claimed', async () => {
        const results = await race(10, (s, i) => s.relays.claim(job(`C1:${i}`), `p${i}`, 60));
        expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
        expect(results.filter((r) => r.kind === 'in_progress')).toHaveLength(9);
      });

      it('records progress and finishes; later claims point at the stored copy', async () => {
        const { lease } = await claimed(a);
        expect(await a.relays.record('F1', 's3://b/x/', lease, { upload, progressTs: '100.5' })).toBe(true);
        expect(await a.relays.get('F1', 's3://b/x/')).toMatchObject({ upload, progressTs: '100.5' });
        expect(await a.relays.record('F1', 's3://b/x/', lease, { upload: null })).toBe(true);
        expect((await a.relays.get('F1', 's3://b/x/'))!.upload).toBeNull();
        expect((await a.relays.get('F1', 's3://b/x/'))!.progressTs).toBe('100.5');
        advance(5);
        expect(await a.relays.finish('F1', 's3://b/x/', lease, { state: 'done', stored })).toBe(true);
        expect(await a.relays.get('F1', 's3://b/x/')).toMatchObject({ state: 'done', stored, lease: null, errorCode: null, updatedAt: T0 + 5 });
        expect(await b.relays.claim(job('C1:100.1'), 'p2', 60)).toEqual({ kind: 'done', stored, sameEvent: true });
        expect(await b.relays.claim(job('C9:9.9'), 'p2', 60)).toEqual({ kind: 'done', stored, sameEvent: false });
        // A finished job takes no more writes, even from its last holder.
        expect(await a.relays.record('F1', 's3://b/x/', lease, { progressTs: '1' })).toBe(false);
        expect(await a.relays.finish('F1', 's3://b/x/', lease, { state: 'failed', errorCode: 'x' })).toBe(false);
      });

      it('a failed pair: a retry of the same message is refused, a fresh share starts over', async () => {
        const first = await claimed(a);
        await a.relays.record('F1', 's3://b/x/', first.lease, { upload, progressTs: '100.5' });
        expect(await a.relays.finish('F1', 's3://b/x/', first.lease, { state: 'failed', errorCode: 'too_large' })).toBe(true);
        expect(await a.relays.get('F1', 's3://b/x/')).toMatchObject({ state: 'failed', errorCode: 'too_large', lease: null });
        expect(await b.relays.claim(job('C1:100.1'), 'p2', 60)).toEqual({ kind: 'failed', sameEvent: true });
        const fresh = await b.relays.claim(job('C3:300.3', { channel: 'C3', messageTs: '300.3' }), 'p2', 30);
        expect(fresh).toMatchObject({ kind: 'claimed', attempts: 1, lease: { owner: 'p2', expiresAt: T0 + 30 } });
        if (fresh.kind !== 'claimed') return;
        expect(fresh.lease.token).toBeGreaterThan(first.lease.token);
        expect(await a.relays.get('F1', 's3://b/x/')).toMatchObject({
          state: 'in_progress',
          eventKey: 'C3:300.3',
          intent: { channel: 'C3', messageTs: '300.3' },
          upload: null,
          progressTs: null,
          errorCode: null,
        });
      });

      it('an expired lease is taken over by a claim: new token, attempts + 1, the old holder is fenced out', async () => {
        const old = await claimed(a, 'C1:100.1', 'p1', 60);
        await a.relays.record('F1', 's3://b/x/', old.lease, { upload, progressTs: '100.5' });
        advance(59);
        expect(await b.relays.claim(job(), 'p2', 60)).toEqual({ kind: 'in_progress', sameEvent: true });
        advance(1);
        const taken = await b.relays.claim(job(), 'p2', 60);
        expect(taken).toMatchObject({ kind: 'claimed', attempts: 2, lease: { owner: 'p2', expiresAt: T0 + 120 } });
        if (taken.kind !== 'claimed') return;
        expect(taken.lease.token).toBeGreaterThan(old.lease.token);
        // The new holder finds the upload and progress message to resume or clean up.
        expect(await b.relays.get('F1', 's3://b/x/')).toMatchObject({ upload, progressTs: '100.5', attempts: 2, lease: taken.lease });
        expect(await a.relays.renew('F1', 's3://b/x/', old.lease, 60)).toBeNull();
        expect(await a.relays.record('F1', 's3://b/x/', old.lease, { upload: null })).toBe(false);
        expect(await a.relays.finish('F1', 's3://b/x/', old.lease, { state: 'done', stored })).toBe(false);
        await a.relays.release('F1', 's3://b/x/', old.lease);
        expect(await a.relays.get('F1', 's3://b/x/')).toMatchObject({ state: 'in_progress', upload, lease: taken.lease });
        expect(await b.relays.finish('F1', 's3://b/x/', taken.lease, { state: 'done', stored })).toBe(true);
      });

      it("renew keeps a job its holder's past the first expiry", async () => {
        const c = await claimed(a, 'C1:100.1', 'p1', 60);
        advance(50);
        const renewed = await a.relays.renew('F1', 's3://b/x/', c.lease, 60);
        expect(renewed).toEqual({ owner: 'p1', token: c.lease.token, expiresAt: T0 + 110 });
        advance(30);
        expect(await b.relays.claim(job(), 'p2', 60)).toEqual({ kind: 'in_progress', sameEvent: true });
        expect(await b.relays.takeExpired('p2', 60, 10)).toEqual([]);
        advance(30);
        expect((await b.relays.takeExpired('p2', 60, 10)).map((j) => j.lease.owner)).toEqual(['p2']);
        expect(await a.relays.renew('F1', 's3://b/x/', renewed!, 60)).toBeNull();
      });

      it('release gives the job back at once', async () => {
        const c = await claimed(a);
        await a.relays.release('F1', 's3://b/x/', c.lease);
        const again = await b.relays.claim(job(), 'p2', 60);
        expect(again).toMatchObject({ kind: 'claimed', attempts: 2 });
      });

      it('takeExpired takes only expired jobs, up to the limit, each once across sweepers', async () => {
        const leases: Record<string, Lease> = {};
        for (let i = 0; i < 6; i++) {
          const c = await a.relays.claim({ ...job(`C1:${i}`), fileId: `F${i}` }, 'p1', i < 4 ? 10 : 100);
          if (c.kind !== 'claimed') throw new Error('not claimed');
          leases[`F${i}`] = c.lease;
        }
        advance(10);
        const first = await b.relays.takeExpired('s1', 60, 3);
        expect(first).toHaveLength(3);
        for (const j of first) {
          expect(j).toMatchObject({ state: 'in_progress', attempts: 2, lease: { owner: 's1', expiresAt: T0 + 70 } });
          expect(j.lease.token).toBeGreaterThan(leases[j.fileId].token);
          expect(j.intent).toEqual(intent());
        }
        const rest = await a.relays.takeExpired('s2', 60, 10);
        expect(rest).toHaveLength(1);
        expect(new Set([...first, ...rest].map((j) => j.fileId))).toEqual(new Set(['F0', 'F1', 'F2', 'F3']));
        expect(await a.relays.takeExpired('s3', 60, 10)).toEqual([]);
        // The first holder of a taken job is fenced out.
        expect(await a.relays.finish(rest[0].fileId, 's3://b/x/', leases[rest[0].fileId], { state: 'done', stored })).toBe(false);
        expect(await a.relays.finish(rest[0].fileId, 's3://b/x/', rest[0].lease, { state: 'done', stored })).toBe(true);
      });

      it('racing sweepers on two stores never take the same job twice', async () => {
        for (let i = 0; i < 20; i++) await a.relays.claim({ ...job(`C1:${i}`), fileId: `F${i}` }, 'p1', 5);
        advance(5);
        const taken = (await race(8, (s, i) => s.relays.takeExpired(`s${i}`, 60, 4))).flat();
        expect(taken).toHaveLength(20);
        expect(new Set(taken.map((j) => j.fileId)).size).toBe(20);
      });

      it('listByEvent: the jobs one message asked for, in any state', async () => {
        const f1 = await claimed(a, 'C1:100.1');
        advance(1);
        const f2 = await a.relays.claim({ ...job('C1:100.1'), fileId: 'F2' }, 'p1', 60);
        await a.relays.claim({ ...job('C1:100.1'), fileId: 'F3', destination: '/local/' }, 'p1', 60);
        await b.relays.claim({ ...job('C2:200.2'), fileId: 'F4' }, 'p2', 60);
        await a.relays.finish('F1', 's3://b/x/', f1.lease, { state: 'done', stored });
        if (f2.kind === 'claimed') await a.relays.finish('F2', 's3://b/x/', f2.lease, { state: 'failed', errorCode: 'too_large' });
        const jobs = await b.relays.listByEvent('C1:100.1');
        expect(jobs.map((j) => [j.fileId, j.destination, j.state])).toEqual([
          ['F1', 's3://b/x/', 'done'],
          ['F2', 's3://b/x/', 'failed'],
          ['F3', '/local/', 'in_progress'],
        ]);
        expect(await b.relays.listByEvent('C9:9')).toEqual([]);
      });

      it('audit: most recent first, per channel, with the limit', async () => {
        await a.relays.audit({ at: T0, channel: 'C1', user: 'U1', fileId: 'F1', fileName: 'a', destination: 'd', result: 'failed', errorCode: 'too_large' });
        await a.relays.audit({ at: T0 + 2, channel: 'C1', user: 'U2', fileId: 'F2', fileName: 'b', destination: 'd', location: 's3://b/b', bytes: 5, sha256: 'cd', result: 'done' });
        await b.relays.audit({ at: T0 + 1, channel: 'C2', user: 'U1', fileId: 'F3', fileName: 'c', destination: 'd', result: 'done' });
        await b.relays.audit({ at: T0 + 2, channel: 'C1', user: 'U3', fileId: 'F4', fileName: 'd', destination: 'd', result: 'done' });
        const c1 = await b.relays.recent('C1', 10);
        expect(c1.map((e) => e.fileId)).toEqual(['F4', 'F2', 'F1']);
        expect(c1[1]).toEqual({ at: T0 + 2, channel: 'C1', user: 'U2', fileId: 'F2', fileName: 'b', destination: 'd', location: 's3://b/b', bytes: 5, sha256: 'cd', result: 'done' });
        expect(c1[2]).toEqual({ at: T0, channel: 'C1', user: 'U1', fileId: 'F1', fileName: 'a', destination: 'd', result: 'failed', errorCode: 'too_large' });
        expect((await a.relays.recent('C1', 2)).map((e) => e.fileId)).toEqual(['F4', 'F2']);
        expect(await a.relays.recent('C9', 2)).toEqual([]);
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('aborts', () => {
      const up = (id: string) => ({ bucket: 'b', key: `k/${id}`, uploadId: id });

      it('add is idempotent; the first attempt is due now', async () => {
        await a.aborts.add(up('u1'));
        await b.aborts.add(up('u1'));
        expect(await a.aborts.list()).toEqual([{ bucket: 'b', key: 'k/u1', uploadId: 'u1', attempts: 0, nextAttemptAt: T0, lastError: null }]);
      });

      it('takeDue leases entries: not taken again until the lease ends, then retried', async () => {
        await a.aborts.add(up('u1'));
        await a.aborts.add(up('u2'));
        const taken = await b.aborts.takeDue('s1', 30, 10);
        expect(taken.map((e) => [e.uploadId, e.attempts])).toEqual([
          ['u1', 1],
          ['u2', 1],
        ]);
        expect(await a.aborts.takeDue('s2', 30, 10)).toEqual([]);
        advance(29);
        expect(await a.aborts.takeDue('s2', 30, 10)).toEqual([]);
        advance(1);
        // The sweeper died: the entries are due again.
        expect((await a.aborts.takeDue('s2', 30, 1)).map((e) => [e.uploadId, e.attempts])).toHaveLength(1);
        expect(await a.aborts.takeDue('s2', 30, 10)).toHaveLength(1);
      });

      it('retryAt backs off; done forgets', async () => {
        await a.aborts.add(up('u1'));
        await a.aborts.add(up('u2'));
        const [u1, u2] = await a.aborts.takeDue('s1', 30, 10);
        await a.aborts.retryAt(u1.uploadId, T0 + 100, 'SlowDown');
        await a.aborts.done(u2.uploadId);
        expect(await b.aborts.list()).toEqual([{ bucket: 'b', key: 'k/u1', uploadId: 'u1', attempts: 1, nextAttemptAt: T0 + 100, lastError: 'SlowDown' }]);
        advance(99);
        expect(await b.aborts.takeDue('s2', 30, 10)).toEqual([]);
        advance(1);
        const again = await b.aborts.takeDue('s2', 30, 10);
        expect(again).toMatchObject([{ uploadId: 'u1', attempts: 2, lastError: 'SlowDown' }]);
        await b.aborts.done('u1');
        expect(await a.aborts.list()).toEqual([]);
      });

      it('racing sweepers take each due entry once', async () => {
        for (let i = 0; i < 15; i++) await a.aborts.add(up(`u${i}`));
        const taken = (await race(6, (s, i) => s.aborts.takeDue(`s${i}`, 30, 4))).flat();
        expect(taken).toHaveLength(15);
        expect(new Set(taken.map((e) => e.uploadId)).size).toBe(15);
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('alerts', () => {
      const posted = { channel: 'C1', ts: '500.1', status: 'CRITICAL' as const, hostId: 'h1', mentioned: true, mentionCode: 'critical', etaAt: T0 + 3600, hasForecast: true };

      it('claims a new alert once; a stale posting claim is taken over; a posted one never', async () => {
        expect(await a.alerts.claim('A1', 'WARNING', 60)).toBe(true);
        expect(await b.alerts.claim('A1', 'CRITICAL', 60)).toBe(false);
        expect(await a.alerts.get('A1')).toMatchObject({ alertId: 'A1', state: 'posting', status: 'WARNING', claimedAt: T0, channel: null, ts: null });
        advance(59);
        expect(await b.alerts.claim('A1', 'CRITICAL', 60)).toBe(false);
        advance(1);
        expect(await b.alerts.claim('A1', 'CRITICAL', 60)).toBe(true);
        expect(await a.alerts.get('A1')).toMatchObject({ state: 'posting', status: 'CRITICAL', claimedAt: T0 + 60 });
        await b.alerts.markPosted('A1', posted);
        advance(1000);
        expect(await a.alerts.claim('A1', 'CRITICAL', 60)).toBe(false);
      });

      it('racing claims of one alert: exactly one winner', async () => {
        const results = await race(10, (s) => s.alerts.claim('A2', 'CRITICAL', 60));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('release gives back a posting claim only', async () => {
        await a.alerts.claim('A1', 'WARNING', 60);
        await a.alerts.release('A1');
        expect(await a.alerts.get('A1')).toBeNull();
        expect(await b.alerts.claim('A1', 'WARNING', 60)).toBe(true);
        await b.alerts.markPosted('A1', posted);
        await a.alerts.release('A1');
        expect((await a.alerts.get('A1'))!.state).toBe('posted');
      });

      it('markPosted, update, markClosed and listOpen', async () => {
        await a.alerts.claim('A1', 'WARNING', 60);
        await a.alerts.claim('A2', 'WARNING', 60);
        await a.alerts.claim('A3', 'WARNING', 60);
        advance(1);
        await a.alerts.markPosted('A2', { ...posted, ts: '2.0' });
        advance(1);
        await a.alerts.markPosted('A1', { ...posted, ts: '1.0', hostId: null, mentioned: false, etaAt: null, hasForecast: false });
        expect(await b.alerts.get('A1')).toEqual({
          alertId: 'A1',
          state: 'posted',
          channel: 'C1',
          ts: '1.0',
          status: 'CRITICAL',
          hostId: null,
          mentioned: false,
          mentionCode: 'critical',
          etaAt: null,
          hasForecast: false,
          claimedAt: T0,
          postedAt: T0 + 2,
          updatedAt: T0 + 2,
          closedAt: null,
          ackedBy: null,
          ackedByName: null,
          ackedAt: null,
          snoozedUntil: null,
          snoozedByName: null,
        });
        expect((await b.alerts.listOpen()).map((r) => r.alertId)).toEqual(['A2', 'A1']);
        expect((await b.alerts.listPosting()).map((r) => r.alertId)).toEqual(['A3']);
        advance(1);
        await b.alerts.update('A1', { status: 'WARNING', mentioned: true, etaAt: T0 + 99.5, hasForecast: true });
        expect(await a.alerts.get('A1')).toMatchObject({ status: 'WARNING', mentioned: true, mentionCode: 'critical', etaAt: T0 + 99.5, hasForecast: true, updatedAt: T0 + 3, ts: '1.0' });
        await b.alerts.update('A1', { mentionCode: 'quiet', etaAt: null, channel: 'C2', ts: '3.0' });
        expect(await a.alerts.get('A1')).toMatchObject({ status: 'WARNING', mentionCode: 'quiet', etaAt: null, channel: 'C2', ts: '3.0' });
        advance(1);
        await a.alerts.markClosed('A2');
        expect(await b.alerts.get('A2')).toMatchObject({ state: 'closed', status: 'OK', closedAt: T0 + 4, updatedAt: T0 + 4 });
        expect((await b.alerts.listOpen()).map((r) => r.alertId)).toEqual(['A1']);
      });

      it('acknowledge: first press wins, once across stores; only a posted alert', async () => {
        await a.alerts.claim('A1', 'WARNING', 60);
        expect(await a.alerts.acknowledge('A1', { id: 'U1', name: 'alice' })).toBe(false);
        await a.alerts.markPosted('A1', posted);
        advance(5);
        const results = await race(6, (s, i) => s.alerts.acknowledge('A1', { id: `U${i}`, name: `user${i}` }));
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect(await b.alerts.get('A1')).toMatchObject({ ackedBy: `U${winner}`, ackedByName: `user${winner}`, ackedAt: T0 + 5, state: 'posted' });
        await a.alerts.markClosed('A1');
        expect(await a.alerts.acknowledge('A1', { id: 'U9', name: 'late' })).toBe(false);
        expect(await a.alerts.acknowledge('NOPE', { id: 'U9', name: 'late' })).toBe(false);
      });

      it('snooze: moves later only (a repeat within a minute is no change); only a posted alert', async () => {
        await a.alerts.claim('A1', 'WARNING', 60);
        expect(await a.alerts.snooze('A1', T0 + 3600, 'alice')).toBe(false);
        await a.alerts.markPosted('A1', posted);
        expect(await a.alerts.snooze('A1', T0 + 3600, 'alice')).toBe(true);
        expect(await b.alerts.snooze('A1', T0 + 3630.5, 'bob')).toBe(false);
        expect(await b.alerts.get('A1')).toMatchObject({ snoozedUntil: T0 + 3600, snoozedByName: 'alice' });
        expect(await b.alerts.snooze('A1', T0 + 7200, 'bob')).toBe(true);
        expect(await a.alerts.snooze('A1', T0 + 600, 'carol')).toBe(false);
        expect(await a.alerts.get('A1')).toMatchObject({ snoozedUntil: T0 + 7200, snoozedByName: 'bob' });
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('outbox', () => {
      const post = (key: string, over: Partial<OutboxEntryInput> = {}): OutboxEntryInput => ({ key, kind: 'post', channel: 'C1', payload: { text: key }, ...over });

      it('enqueue is idempotent by key', async () => {
        const first = await a.outbox.enqueue(post('p1', { payload: { text: 'one', blocks: [{ type: 'section' }] }, group: 'g' }));
        expect(first.created).toBe(true);
        expect(first.entry).toEqual({
          id: first.entry.id,
          key: 'p1',
          kind: 'post',
          channel: 'C1',
          ref: null,
          group: 'g',
          payload: { text: 'one', blocks: [{ type: 'section' }] },
          state: 'pending',
          attempts: 0,
          nextAttemptAt: T0,
          lease: null,
          resultTs: null,
          refTs: null,
          lastError: null,
          createdAt: T0,
        });
        const again = await b.outbox.enqueue(post('p1', { payload: { text: 'two' } }));
        expect(again).toEqual({ entry: first.entry, created: false });
        expect(await a.outbox.get('p1')).toEqual(first.entry);
        expect(await a.outbox.get('nope')).toBeNull();
      });

      it('racing enqueues of one key: one created, all see the same entry', async () => {
        const results = await race(10, (s, i) => s.outbox.enqueue(post('k', { payload: i })));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.entry.id)).size).toBe(1);
      });

      it('takeDue leases, complete records the ts; a sent entry is not taken again', async () => {
        const { entry } = await a.outbox.enqueue(post('p1', { ref: { ts: '10.0' } }));
        const [taken, ...none] = await b.outbox.takeDue('d1', 30, 10);
        expect(none).toEqual([]);
        expect(taken).toMatchObject({ id: entry.id, state: 'sending', attempts: 1, refTs: '10.0', ref: { ts: '10.0' }, lease: { owner: 'd1', expiresAt: T0 + 30 } });
        expect(await a.outbox.takeDue('d2', 30, 10)).toEqual([]);
        expect(await b.outbox.complete(taken.id, taken.lease, '11.0')).toBe(true);
        expect(await a.outbox.get('p1')).toMatchObject({ state: 'sent', resultTs: '11.0', lease: null });
        expect(await b.outbox.complete(taken.id, taken.lease, '12.0')).toBe(false);
        advance(100);
        expect(await a.outbox.takeDue('d2', 30, 10)).toEqual([]);
      });

      it('notBefore and retryAt hold an entry back until its time', async () => {
        await a.outbox.enqueue(post('later', { notBefore: T0 + 10 }));
        await a.outbox.enqueue(post('now'));
        const [first] = await a.outbox.takeDue('d1', 30, 10);
        expect(first.key).toBe('now');
        expect(await a.outbox.retryAt(first.id, first.lease, T0 + 20, 'ratelimited')).toBe(true);
        expect(await a.outbox.get('now')).toMatchObject({ state: 'pending', nextAttemptAt: T0 + 20, lastError: 'ratelimited', lease: null, attempts: 1 });
        expect(await a.outbox.retryAt(first.id, first.lease, T0 + 20, 'again')).toBe(false);
        advance(10);
        expect((await b.outbox.takeDue('d2', 30, 10)).map((e) => e.key)).toEqual(['later']);
        advance(9);
        expect(await b.outbox.takeDue('d2', 30, 10)).toEqual([]);
        advance(1);
        expect(await b.outbox.takeDue('d2', 30, 10)).toMatchObject([{ key: 'now', attempts: 2 }]);
      });

      it('a group is sent in enqueue order, each after the previous is sent or failed', async () => {
        await a.outbox.enqueue(post('m', { ref: { ts: '1.0' }, kind: 'update', group: 'msg:1.0' }));
        await a.outbox.enqueue(post('r1', { ref: { ts: '1.0' }, kind: 'react', group: 'msg:1.0', payload: 'eyes' }));
        await b.outbox.enqueue(post('r2', { ref: { ts: '1.0' }, kind: 'unreact', group: 'msg:1.0', payload: 'eyes' }));
        await b.outbox.enqueue(post('solo'));
        const first = await a.outbox.takeDue('d1', 30, 10);
        expect(first.map((e) => e.key)).toEqual(['m', 'solo']);
        expect(await b.outbox.takeDue('d2', 30, 10)).toEqual([]);
        await a.outbox.complete(first[0].id, first[0].lease);
        const [r1] = await b.outbox.takeDue('d2', 30, 10);
        expect(r1.key).toBe('r1');
        // A retry later holds the rest of the group back.
        await b.outbox.retryAt(r1.id, r1.lease, T0 + 60, 'ratelimited');
        expect(await a.outbox.takeDue('d1', 30, 10)).toEqual([]);
        advance(60);
        const [r1again] = await a.outbox.takeDue('d1', 30, 10);
        expect(r1again.key).toBe('r1');
        expect(await a.outbox.fail(r1again.id, r1again.lease, 'invalid_name')).toBe(true);
        expect(await a.outbox.get('r1')).toMatchObject({ state: 'failed', lastError: 'invalid_name' });
        expect((await b.outbox.takeDue('d2', 30, 10)).map((e) => e.key)).toEqual(['r2']);
      });

      it('a postOf ref waits for its post and resolves to the posted ts', async () => {
        await a.outbox.enqueue(post('reply', { ref: { postOf: 'parent' } }));
        await a.outbox.enqueue(post('react', { kind: 'react', ref: { postOf: 'parent' }, payload: 'white_check_mark' }));
        expect(await a.outbox.takeDue('d1', 30, 10)).toEqual([]);
        await b.outbox.enqueue(post('parent'));
        const [parent, ...rest] = await a.outbox.takeDue('d1', 30, 10);
        expect(rest).toEqual([]);
        expect(parent.key).toBe('parent');
        expect(await b.outbox.takeDue('d2', 30, 10)).toEqual([]);
        await a.outbox.complete(parent.id, parent.lease, '77.7');
        const children = await b.outbox.takeDue('d2', 30, 10);
        expect(children.map((e) => [e.key, e.refTs, e.ref])).toEqual([
          ['reply', '77.7', { postOf: 'parent' }],
          ['react', '77.7', { postOf: 'parent' }],
        ]);
      });

      it('entries waiting for a post that failed for good fail with it, down a chain', async () => {
        await a.outbox.enqueue(post('parent'));
        await a.outbox.enqueue(post('child', { ref: { postOf: 'parent' } }));
        await a.outbox.enqueue(post('grandchild', { ref: { postOf: 'child' } }));
        await a.outbox.enqueue(post('unrelated'));
        const taken = await a.outbox.takeDue('d1', 30, 10);
        expect(taken.map((e) => e.key)).toEqual(['parent', 'unrelated']);
        await a.outbox.fail(taken[0].id, taken[0].lease, 'channel_not_found');
        expect(await b.outbox.takeDue('d2', 30, 10)).toEqual([]);
        expect(await a.outbox.get('child')).toMatchObject({ state: 'failed', attempts: 0 });
        expect((await a.outbox.get('child'))!.lastError).toContain('parent');
        expect(await a.outbox.get('grandchild')).toMatchObject({ state: 'failed' });
        expect(await a.outbox.depth()).toEqual({ count: 1, oldestAgeSeconds: 0 });
      });

      it('a sending entry whose lease expired is taken over; the old dispatcher is fenced out', async () => {
        await a.outbox.enqueue(post('p1'));
        const [old] = await a.outbox.takeDue('d1', 30, 10);
        advance(29);
        expect(await b.outbox.takeDue('d2', 30, 10)).toEqual([]);
        advance(1);
        const [taken] = await b.outbox.takeDue('d2', 30, 10);
        expect(taken).toMatchObject({ id: old.id, attempts: 2, lease: { owner: 'd2', expiresAt: T0 + 60 } });
        expect(taken.lease.token).toBeGreaterThan(old.lease.token);
        expect(await a.outbox.complete(old.id, old.lease, '1.0')).toBe(false);
        expect(await a.outbox.retryAt(old.id, old.lease, T0, 'x')).toBe(false);
        expect(await a.outbox.fail(old.id, old.lease, 'x')).toBe(false);
        expect(await b.outbox.complete(taken.id, taken.lease, '2.0')).toBe(true);
        expect((await a.outbox.get('p1'))!.resultTs).toBe('2.0');
      });

      it('racing dispatchers take each entry once and keep a group in order', async () => {
        for (let i = 0; i < 12; i++) await a.outbox.enqueue(post(`p${i}`));
        for (let i = 0; i < 4; i++) await a.outbox.enqueue(post(`g${i}`, { group: 'g' }));
        const taken = (await race(6, (s, i) => s.outbox.takeDue(`d${i}`, 30, 5))).flat();
        expect(new Set(taken.map((e) => e.key)).size).toBe(taken.length);
        expect(taken.map((e) => e.key).sort()).toEqual([...Array.from({ length: 12 }, (_, i) => `p${i}`), 'g0'].sort());
      });

      it('depth counts unfinished entries and the oldest age; prune forgets finished ones', async () => {
        expect(await a.outbox.depth()).toEqual({ count: 0, oldestAgeSeconds: null });
        await a.outbox.enqueue(post('p1'));
        advance(10);
        await a.outbox.enqueue(post('p2'));
        advance(5);
        expect(await b.outbox.depth()).toEqual({ count: 2, oldestAgeSeconds: 15 });
        const [p1, p2] = await b.outbox.takeDue('d', 30, 10);
        expect(await b.outbox.depth()).toEqual({ count: 2, oldestAgeSeconds: 15 });
        await b.outbox.complete(p1.id, p1.lease, '1.0');
        advance(100);
        await b.outbox.fail(p2.id, p2.lease, 'nope');
        await b.outbox.enqueue(post('p3'));
        expect(await a.outbox.depth()).toEqual({ count: 1, oldestAgeSeconds: 0 });
        await a.outbox.prune(50);
        expect(await a.outbox.get('p1')).toBeNull();
        expect(await a.outbox.get('p2')).not.toBeNull();
        expect(await a.outbox.get('p3')).not.toBeNull();
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('leases', () => {
      it('one holder at a time; renewing by acquire keeps the token; expiry hands over with a new token', async () => {
        const l1 = await a.leases.acquire('poller', 'r1', 30);
        expect(l1).toEqual({ owner: 'r1', token: l1!.token, expiresAt: T0 + 30 });
        expect(await b.leases.acquire('poller', 'r2', 30)).toBeNull();
        expect(await b.leases.holder('poller')).toEqual(l1);
        advance(20);
        expect(await a.leases.acquire('poller', 'r1', 30)).toEqual({ ...l1, expiresAt: T0 + 50 });
        advance(29);
        expect(await b.leases.acquire('poller', 'r2', 30)).toBeNull();
        advance(1);
        expect(await b.leases.holder('poller')).toBeNull();
        const l2 = await b.leases.acquire('poller', 'r2', 30);
        expect(l2).toMatchObject({ owner: 'r2', expiresAt: T0 + 80 });
        expect(l2!.token).toBeGreaterThan(l1!.token);
        expect(await a.leases.renew('poller', l1!, 30)).toBeNull();
        await a.leases.release('poller', l1!);
        expect(await a.leases.holder('poller')).toEqual(l2);
        expect(await b.leases.renew('poller', l2!, 60)).toEqual({ ...l2, expiresAt: T0 + 110 });
      });

      it('release lets another replica take the role at once', async () => {
        const l1 = (await a.leases.acquire('refresher', 'r1', 300))!;
        await a.leases.release('refresher', l1);
        expect(await a.leases.holder('refresher')).toBeNull();
        const l2 = await b.leases.acquire('refresher', 'r2', 300);
        expect(l2!.token).toBeGreaterThan(l1.token);
        expect(await a.leases.acquire('other-role', 'r1', 300)).not.toBeNull();
      });

      it('racing acquires: exactly one holder', async () => {
        const results = await race(10, (s, i) => s.leases.acquire('race', `r${i}`, 30));
        const winners = results.filter((l) => l !== null);
        expect(winners).toHaveLength(1);
        expect(await a.leases.holder('race')).toEqual(winners[0]);
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('snapshots', () => {
      it('put is fenced by the lease; get and version see the latest', async () => {
        expect(await a.snapshots.get()).toBeNull();
        expect(await a.snapshots.version()).toBe(0);
        const l1 = (await a.leases.acquire('inventory', 'r1', 30))!;
        const v1 = await a.snapshots.put('inventory', l1, { hosts: [{ id: 'h1' }] });
        expect(v1).toBeGreaterThan(0);
        expect(await b.snapshots.get()).toEqual({ version: v1, storedAt: T0, snapshot: { hosts: [{ id: 'h1' }] } });
        expect(await b.snapshots.version()).toBe(v1);
        advance(30);
        const l2 = (await b.leases.acquire('inventory', 'r2', 30))!;
        expect(await a.snapshots.put('inventory', l1, { hosts: [] })).toBeNull();
        expect(await a.snapshots.put('other-role', l2, { hosts: [] })).toBeNull();
        const v2 = await b.snapshots.put('inventory', l2, { hosts: [{ id: 'h2' }] });
        expect(v2).toBeGreaterThan(v1!);
        for (let i = 0; i < 5; i++) await b.snapshots.put('inventory', l2, { i });
        expect(await a.snapshots.get()).toMatchObject({ snapshot: { i: 4 }, storedAt: T0 + 30 });
        expect(await a.snapshots.version()).toBe((await a.snapshots.get())!.version);
        // The first holder gets the role back: its old lease (old token) is still fenced out.
        advance(30);
        const l3 = (await a.leases.acquire('inventory', 'r1', 30))!;
        expect(l3.token).toBeGreaterThan(l2.token);
        expect(await a.snapshots.put('inventory', l1, { stale: true })).toBeNull();
        expect(await a.snapshots.put('inventory', l3, { fresh: true })).toBeGreaterThan(v2!);
        expect((await b.snapshots.get())!.snapshot).toEqual({ fresh: true });
      });
    });

    // -----------------------------------------------------------------------------------------
    describe('subscribe / notify', () => {
      /** Notifies until `received()` (a notification may be lost before a LISTEN is in place), with a deadline. */
      async function notifyUntil(from: StateStore, topic: string, received: () => boolean) {
        const deadline = Date.now() + 10_000;
        while (!received()) {
          if (Date.now() > deadline) throw new Error(`no notification of ${topic} within 10 s`);
          await from.notify(topic);
          const until = Date.now() + 200;
          while (!received() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
        }
      }

      it('delivers to subscribers of the topic, from either store, until they unsubscribe', async () => {
        let mine = 0;
        let gone = 0;
        let otherTopic = 0;
        a.subscribe('outbox', () => mine++);
        const off = a.subscribe('outbox', () => gone++);
        a.subscribe('inventory', () => otherTopic++);
        await notifyUntil(b, 'outbox', () => mine > 0);
        expect(gone).toBeGreaterThan(0);
        off();
        const before = { mine, gone };
        await notifyUntil(a, 'outbox', () => mine > before.mine);
        expect(gone).toBe(before.gone);
        expect(otherTopic).toBe(0);
      });
    });

    it('opening another store on a migrated database changes nothing', async () => {
      await a.events.claim('kept');
      expect(await b.events.claim('kept')).toBe(false);
    });
  });
}
