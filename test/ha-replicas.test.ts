import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contentSha256, fileShareEvent, slowContent, until } from './helpers/bot-world.ts';
import {
  alertIsResolved,
  alertPosts,
  alertResolvedNotes,
  HA_BUCKET,
  HA_CHANNEL,
  haTs,
  keyed,
  maxInWindow,
  newMention,
  openAlert,
  relayKeys,
  ROUTES,
  startHaWorld,
  threadReplies,
  topLevelAlertPosts,
  untilAlertsSettled,
  type HaConfig,
  type HaWorld,
  type Replica,
} from './helpers/ha-world.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';

/**
 * Several replicas on one PostgreSQL database: three real bot processes (HTTP mode, own ports
 * and data folders, one OPSBOT_DATABASE_URL) behind a "load balancer" that is this test. Events
 * arrive round-robin and Slack's retries land on other replicas; replicas are killed (SIGKILL)
 * mid-relay and while leading the alert poller, and restarted one by one (SIGTERM) while work
 * runs. Whatever happens: each mention answered once, each file stored once (one object, one
 * outcome, only ✅, no open upload), each alert posted once and every close edited, and Mackerel
 * sees about one host listing per TTL and one alert poll per interval across all replicas.
 */

const MiB = 1024 * 1024;
const LEADER_LEASE_SECONDS = 3; // OPSBOT_LEADER_LEASE_SECONDS in ha-world

let postgres: TestPostgres;
let world: HaWorld | undefined;

beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** A world on a fresh database with `n` replicas started. */
async function replicas(n: number, config: HaConfig = {}): Promise<HaWorld> {
  world = await startHaWorld({ databaseUrl: await postgres.createDatabase(), config });
  await Promise.all(Array.from({ length: n }, () => world!.startReplica()));
  return world;
}

/**
 * Nothing more is on its way: no outbox entry pending or being sent, no relay in progress, no
 * alert being posted, and no replica with work in flight (GET /healthz).
 */
async function quiesce(w: HaWorld, timeoutMs = 30_000): Promise<void> {
  await until(
    async () => {
      const [busy] = await w.query<{ outbox: string; relays: string; alerts: string }>(
        `SELECT (SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')) AS outbox,
                (SELECT count(*) FROM relay_jobs WHERE state = 'in_progress') AS relays,
                (SELECT count(*) FROM alert_records WHERE state = 'posting') AS alerts`,
      );
      if (Number(busy!.outbox) + Number(busy!.relays) + Number(busy!.alerts) > 0) {
        return false;
      }
      const inFlight = await Promise.all(w.live().map(async (r) => ((await (await fetch(`http://127.0.0.1:${r.port}/healthz`)).json()) as { inFlight?: number }).inFlight ?? 0));
      return inFlight.every((n) => n === 0);
    },
    'the replicas to be idle (outbox drained, no relay or alert in progress, nothing in flight)',
    timeoutMs,
  );
}

/** Shares one file (registered in the Slack simulator) as a `!fileupload` message; returns what identifies it. */
function shareFile(w: HaWorld, name: string, content: Buffer | ReturnType<typeof slowContent>, size: number) {
  const file = w.slack.addFile({ name, content, actualSize: size });
  const ts = haTs();
  w.slack.addMessage(HA_CHANNEL, { text: '!fileupload', ts, user: 'UPERSON' });
  return { file, fileId: String(file.id), ts, event: fileShareEvent(HA_CHANNEL, [file], '!fileupload', ts) };
}

/** One object under `prefix` with `sha256`, one outcome reply, the progress message (if any) once, only ✅, no open upload. */
async function expectStoredOnce(w: HaWorld, prefix: string, fileId: string, ts: string, sha256: string) {
  const destination = `s3://${HA_BUCKET}/${prefix}/`;
  const keys = relayKeys(fileId, destination);
  const objects = (await w.s3.listKeys(`${prefix}/`)).filter((k) => k.includes(fileId));
  expect(objects, `objects of ${fileId}`).toHaveLength(1);
  expect(await w.s3.sha256Of(objects[0]!)).toBe(sha256);
  const outcome = keyed(w.slack, HA_CHANNEL, keys.outcome);
  expect(outcome, `outcome replies of ${fileId}`).toHaveLength(1);
  expect(outcome[0]!.text).toMatch(/^Stored /);
  expect(outcome[0]!.text).toContain(sha256);
  expect(keyed(w.slack, HA_CHANNEL, keys.progress).length).toBeLessThanOrEqual(1);
  expect(w.slack.reactionsOf(HA_CHANNEL, ts)).toEqual(['white_check_mark']);
}

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('three replicas on one PostgreSQL database', () => {
  it('events round-robin, each retried at another replica (at the same time): every mention answered once, every file stored once', async () => {
    const w = await replicas(3, { prefix: 'rr' });
    const [r1, r2, r3] = w.replicas as [Replica, Replica, Replica];
    const ring = [r1, r2, r3];
    const mentions: string[] = [];
    const files: { fileId: string; ts: string; sha256: string }[] = [];
    const deliveries: Promise<Response>[] = [];
    for (let i = 0; i < 12; i++) {
      const { ts, event } = newMention(w.slack, HA_CHANNEL, i % 2 ? 'host web-01' : 'services');
      mentions.push(ts);
      // Slack's retry reaches another replica while the first delivery is still being handled; every third, a second retry a third one.
      deliveries.push(ring[i % 3]!.deliver(event, { eventId: `EvRRm${i}` }), ring[(i + 1) % 3]!.deliver(event, { eventId: `EvRRm${i}`, retryNum: 1 }));
      if (i % 3 === 0) deliveries.push(ring[(i + 2) % 3]!.deliver(event, { eventId: `EvRRm${i}`, retryNum: 2 }));
    }
    for (let i = 0; i < 6; i++) {
      const bytes = randomBytes(256 * 1024 + i * 4099);
      const shared = shareFile(w, `rr-${i}.bin`, bytes, bytes.length);
      files.push({ fileId: shared.fileId, ts: shared.ts, sha256: sha256Of(bytes) });
      deliveries.push(ring[i % 3]!.deliver(shared.event, { eventId: `EvRRf${i}` }), ring[(i + 1) % 3]!.deliver(shared.event, { eventId: `EvRRf${i}`, retryNum: 1 }));
    }
    for (const res of await Promise.all(deliveries)) expect(res.status).toBe(200);

    await until(
      () => mentions.every((ts) => threadReplies(w.slack, HA_CHANNEL, ts).length > 0),
      () => `a reply to every mention (missing ${mentions.filter((ts) => threadReplies(w.slack, HA_CHANNEL, ts).length === 0).join(', ')})`,
    );
    await until(() => files.every((f) => w.slack.reactionsOf(HA_CHANNEL, f.ts).join() === 'white_check_mark'), 'only ✅ on every shared file');
    await quiesce(w);

    for (const ts of mentions) expect(threadReplies(w.slack, HA_CHANNEL, ts), `replies to ${ts}`).toHaveLength(1);
    for (const f of files) await expectStoredOnce(w, 'rr', f.fileId, f.ts, f.sha256);
    expect(await w.s3.listKeys('rr/')).toHaveLength(files.length);
    expect(w.proxy.openUploads()).toEqual([]);
    // Each file was fetched from Slack once: a retry of a message being (or already) relayed moves no byte.
    for (const f of files)
      expect(
        w.slack.downloads.filter((d) => d.fileId === f.fileId && d.status === 200),
        `downloads of ${f.fileId}`,
      ).toHaveLength(1);
  });

  it('SIGKILL of the replica doing a relay: another replica takes the job over and finishes it (one object, one reply, only ✅, no open upload)', async () => {
    const w = await replicas(3, { prefix: 'kill' });
    const size = 40 * MiB;
    const seed = 81;
    const shared = shareFile(w, 'kill.bin', slowContent(size, seed, 10), size);
    const [r1, r2, r3] = w.replicas as [Replica, Replica, Replica];
    // The delivery and Slack's retry race on two replicas: whichever claims the job is the one to kill.
    const sent = await Promise.all([r2.deliver(shared.event, { eventId: 'EvKill' }), r3.deliver(shared.event, { eventId: 'EvKill', retryNum: 1 })]);
    for (const res of sent) expect(res.status).toBe(200);
    const part = await w.proxy.waitForRequest((r) => r.op === 'UploadPart' && r.partNumber === 2 && r.key?.startsWith('kill/') === true && r.status === 200, {
      done: true,
      timeoutMs: 30_000,
    });
    const [job] = await w.query<{ lease_owner: string }>('SELECT lease_owner FROM relay_jobs WHERE file_id = $1', [shared.fileId]);
    const worker = w.replicaOfOwner(job?.lease_owner);
    expect(worker, `the replica holding the relay (${job?.lease_owner})`).toBeDefined();
    expect([r2, r3]).toContain(worker);
    await worker!.kill9();
    const killedAt = Date.now();
    // Slack retries once more, to the replica that never had the event: it stays quiet.
    expect((await r1.deliver(shared.event, { eventId: 'EvKill', retryNum: 2 })).status).toBe(200);

    const others = w.live();
    let takenBy: Replica | undefined;
    await until(
      () => (takenBy = others.find((r) => r.lines().some((l) => l.msg === 'resuming a relay a previous run did not finish' && l.file === shared.fileId))) !== undefined,
      'another replica to resume the relay',
      30_000,
    );
    const takeoverMs = Date.now() - killedAt;
    // Lease 3 s (FAST_RECOVERY_ENV) + a sweep every second, with room for a loaded machine.
    expect(takeoverMs).toBeLessThan(15_000);
    await until(
      () => w.slack.reactionsOf(HA_CHANNEL, shared.ts).join() === 'white_check_mark',
      () => `only ✅ (now ${w.slack.reactionsOf(HA_CHANNEL, shared.ts).join()})`,
      60_000,
    );
    await until(
      () => w.proxy.openUploads().length === 0,
      () => `no open upload (open: ${JSON.stringify(w.proxy.openUploads())})`,
    );
    await quiesce(w);

    await expectStoredOnce(w, 'kill', shared.fileId, shared.ts, contentSha256(size, seed));
    expect(await w.s3.listKeys('kill/')).toHaveLength(1);
    // The dead run's multipart upload was aborted by the replica that took over.
    expect(w.proxy.requestsOf('AbortMultipartUpload').some((r) => r.uploadId === part.uploadId)).toBe(true);
    const progress = keyed(w.slack, HA_CHANNEL, relayKeys(shared.fileId, `s3://${HA_BUCKET}/kill/`).progress);
    expect(progress).toHaveLength(1);
    expect(progress[0]!.text).toMatch(/^Stored/);
    expect(threadReplies(w.slack, HA_CHANNEL, shared.ts).map((m) => m.text.split(' ')[0])).toEqual(['Stored', 'Stored']);
    expect(takenBy).not.toBe(worker);
  });

  it("SIGKILL of a relay's replica after S3 handed out the multipart upload id but before it was recorded: the replica taking over still aborts that upload", async () => {
    const w = await replicas(2, { prefix: 'unrecorded' });
    const size = 24 * MiB;
    const seed = 82;
    const shared = shareFile(w, 'unrecorded.bin', slowContent(size, seed, 8), size);
    const [r1] = w.replicas as [Replica, Replica];
    // The job (with no upload id yet) is recorded before CreateMultipartUpload is sent. The first
    // attempt is held (then reset; the SDK tries again) while the test takes the job's row, so
    // recording the id S3 hands out (and renewing the lease) waits.
    const held = w.proxy.fault({ match: { op: 'CreateMultipartUpload' }, action: { kind: 'hang', ms: 1500 }, times: 1 });
    expect((await r1.deliver(shared.event, { eventId: 'EvUnrecorded' })).status).toBe(200);
    await until(() => held.fired === 1, 'the first CreateMultipartUpload to be held');
    const lock = new pg.Client({ connectionString: w.databaseUrl });
    await lock.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM relay_jobs WHERE file_id = $1 FOR UPDATE', [shared.fileId]);
      const part = await w.proxy.waitForRequest((r) => r.op === 'UploadPart' && r.key?.startsWith('unrecorded/') === true && r.status === 200, { done: true, timeoutMs: 30_000 });
      const [job] = await w.query<{ upload: string }>('SELECT upload FROM relay_jobs WHERE file_id = $1', [shared.fileId]);
      expect(JSON.parse(job!.upload) as { uploadId: string }).toMatchObject({ uploadId: '' });
      await r1.kill9();
      // The dead run's statements waiting on the row were sent, but a run killed a moment earlier
      // would not have sent them: they are ended with its connections.
      await lock.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
      await lock.query('ROLLBACK');
      await until(
        () => w.slack.reactionsOf(HA_CHANNEL, shared.ts).join() === 'white_check_mark',
        () => `only ✅ (now ${w.slack.reactionsOf(HA_CHANNEL, shared.ts).join()})`,
        60_000,
      );
      await quiesce(w);
      await expectStoredOnce(w, 'unrecorded', shared.fileId, shared.ts, contentSha256(size, seed));
      expect(w.proxy.requestsOf('AbortMultipartUpload').some((r) => r.uploadId === part.uploadId)).toBe(true);
      expect(w.proxy.openUploads()).toEqual([]);
    } finally {
      await lock.end();
    }
  });

  it('SIGKILL of the alert-poller leader: another replica takes over within the lease; every alert posted once, every close edited', async () => {
    const w = await replicas(3, { pollSeconds: 1 });
    const opened: string[] = [];
    const closed: string[] = [];
    for (let i = 0; i < 3; i++) opened.push(openAlert(w, 'AKILL'));
    await untilAlertsSettled(w.slack, opened, []);
    const leaders = await w.holders('alert-poller');
    expect(leaders).toHaveLength(1);
    const leader = leaders[0]!;
    const [lease] = await w.query<{ owner: string }>("SELECT owner FROM leases WHERE role = 'alert-poller'");
    expect(w.replicaOfOwner(lease?.owner)).toBe(leader);

    await leader.kill9();
    const killedAt = Date.now();
    // While nobody polls: new alerts, and closes of posted ones.
    opened.push(openAlert(w, 'AKILL'), openAlert(w, 'AKILL'));
    for (const id of opened.slice(0, 2)) {
      w.mackerel.closeAlert(id, 'disk cleaned up');
      closed.push(id);
    }
    let next: Replica[] = [];
    await until(async () => (next = await w.holders('alert-poller')).length === 1, 'a new alert-poller leader', 20_000);
    const failoverMs = Date.now() - killedAt;
    expect(next[0]).not.toBe(leader);
    // The lease lapses after 3 s; the others try every third of it. Room for a loaded machine.
    expect(failoverMs).toBeLessThan((LEADER_LEASE_SECONDS + LEADER_LEASE_SECONDS / 3 + 3) * 1000);
    // The new leader posts what opened while nobody polled (and edits the closes) before more of each:
    // an alert opened and closed between two polls is never seen by polling, by design.
    await untilAlertsSettled(w.slack, opened, closed);
    // After the failover: more of each.
    opened.push(openAlert(w, 'AKILL'));
    w.mackerel.closeAlert(opened[3]!, 'disk cleaned up');
    closed.push(opened[3]!);
    await untilAlertsSettled(w.slack, opened, closed);
    await quiesce(w);

    for (const id of opened) expect(alertPosts(w.slack, id), `posts of ${id}`).toHaveLength(1);
    for (const id of closed) {
      expect(alertIsResolved(w.slack, id), `${id} resolved`).toBe(true);
      expect(alertResolvedNotes(w.slack, id), `resolved notes of ${id}`).toHaveLength(1);
    }
    for (const id of opened.filter((a) => !closed.includes(a))) expect(alertIsResolved(w.slack, id)).toBe(false);
    expect(topLevelAlertPosts(w.slack)).toHaveLength(opened.length);
  });

  it('rolling restart (SIGTERM each replica in turn while it relays a file, a replacement started) with polling: nothing lost, nothing doubled', async () => {
    const w = await replicas(3, { prefix: 'roll', pollSeconds: 1 });
    const original = [...w.replicas];

    // Polling keeps going: an alert opens every half second, and every other step the oldest one
    // already posted closes (an alert that opens and closes between two polls is never seen).
    const opened: string[] = [];
    const closed: string[] = [];
    let churning = true;
    const churn = (async () => {
      while (churning) {
        opened.push(openAlert(w, 'AROLL'));
        const toClose = opened.find((id) => !closed.includes(id) && alertPosts(w.slack, id).length > 0);
        if (opened.length % 2 === 0 && toClose) {
          w.mackerel.closeAlert(toClose, 'recovered');
          closed.push(toClose);
        }
        // Pacing the load (not waiting for anything).
        await sleep(500);
      }
    })();

    const size = 16 * MiB;
    const shares: (ReturnType<typeof shareFile> & { seed: number })[] = [];
    const mentions: string[] = [];
    for (const [i, old] of original.entries()) {
      // The replica about to stop is relaying a file (its first part is in S3), and another answers a mention.
      const seed = 91 + i;
      const shared = { ...shareFile(w, `roll-${i}.bin`, slowContent(size, seed, 4), size), seed };
      shares.push(shared);
      expect((await old.deliver(shared.event, { eventId: `EvRollF${i}` })).status).toBe(200);
      await w.proxy.waitForRequest((r) => r.op === 'UploadPart' && r.key?.includes(shared.fileId) === true && r.status === 200, { done: true, timeoutMs: 30_000 });
      const [job] = await w.query<{ state: string; lease_owner: string }>('SELECT state, lease_owner FROM relay_jobs WHERE file_id = $1', [shared.fileId]);
      expect(job?.state).toBe('in_progress');
      expect(w.replicaOfOwner(job?.lease_owner)).toBe(old);
      const { ts, event } = newMention(w.slack, HA_CHANNEL, 'host web-01');
      mentions.push(ts);
      const other = w.live().find((r) => r !== old)!;
      expect((await other.deliver(event, { eventId: `EvRollM${i}` })).status).toBe(200);
      if (i < 2) {
        // SIGTERM: the replica finishes its relay (the drain), then exits 0.
        expect(await old.stop()).toBe(0);
      } else {
        // An impatient orchestrator signals twice: the relay is aborted cleanly and given back, and another replica redoes it.
        old.child.kill('SIGTERM');
        await old.waitForLog('shutting down: finishing work in flight');
        old.child.kill('SIGTERM');
        expect(await old.exited).toBe(0);
      }
      await w.startReplica();
    }
    churning = false;
    await churn;

    await until(
      () => shares.every((f) => w.slack.reactionsOf(HA_CHANNEL, f.ts).join() === 'white_check_mark'),
      () => `only ✅ on every shared file (now ${shares.map((f) => w.slack.reactionsOf(HA_CHANNEL, f.ts).join('+')).join(', ')})`,
      60_000,
    );
    await until(() => mentions.every((ts) => threadReplies(w.slack, HA_CHANNEL, ts).length > 0), 'a reply to every mention');
    await untilAlertsSettled(w.slack, opened, closed);
    await quiesce(w);

    expect(w.live()).toHaveLength(3);
    expect(w.live().some((r) => original.includes(r))).toBe(false);
    // The aborted relay was resumed by a replica that was still running.
    expect(w.live().some((r) => r.lines().some((l) => l.msg === 'resuming a relay a previous run did not finish' && l.file === shares[2]!.fileId))).toBe(true);
    for (const f of shares) await expectStoredOnce(w, 'roll', f.fileId, f.ts, contentSha256(size, f.seed));
    expect(await w.s3.listKeys('roll/')).toHaveLength(shares.length);
    expect(w.proxy.openUploads()).toEqual([]);
    for (const ts of mentions) expect(threadReplies(w.slack, HA_CHANNEL, ts)).toHaveLength(1);
    expect(closed.length).toBeGreaterThan(3);
    for (const id of opened) expect(alertPosts(w.slack, id), `posts of ${id}`).toHaveLength(1);
    for (const id of closed) expect(alertResolvedNotes(w.slack, id), `resolved notes of ${id}`).toHaveLength(1);
    for (const id of closed) expect(alertIsResolved(w.slack, id), `${id} resolved`).toBe(true);
    expect(topLevelAlertPosts(w.slack)).toHaveLength(opened.length);
  });

  it("cold start: three replicas started at once on a fresh database list Mackerel's hosts once, not once each", async () => {
    const ttl = 3;
    world = await startHaWorld({ databaseUrl: await postgres.createDatabase(), config: { ttlSeconds: ttl } });
    const w = world;
    // Mackerel answers slowly, as a big organisation's host list does: a listing takes a while to be stored.
    w.mackerel.delayMs = 1500;
    await Promise.all(Array.from({ length: 3 }, () => w.startReplica()));
    // Each replica's cache loads on its first refresh tick (one TTL after start): then all three have the inventory.
    await until(() => w.live().every((r) => r.lines().some((l) => l.msg === 'inventory loaded')), 'every replica to load the inventory', 20_000);
    const directly = w.replicas.filter((r) => r.lines().some((l) => l.msg === 'no shared inventory snapshot yet: listing Mackerel directly this once'));
    expect(w.callsOf(ROUTES.hosts).length, `host listings (replicas that listed directly: ${directly.map((r) => r.name).join(', ') || 'none'})`).toBe(1);
  });

  it('counts: about one Mackerel host listing per TTL and one alert poll per interval across the replicas, +1 at a leader change', async () => {
    const ttl = 2;
    const poll = 1;
    const w = await replicas(3, { ttlSeconds: ttl, pollSeconds: poll });
    // Warm: both leaders chosen, a shared snapshot stored, every replica's cache loaded.
    await until(async () => (await w.holders('inventory-refresher')).length === 1 && (await w.holders('alert-poller')).length === 1, 'both leaders', 20_000);
    await until(async () => (await w.query('SELECT 1 FROM inventory_snapshots')).length > 0, 'a shared inventory snapshot', 20_000);
    await until(() => w.live().every((r) => r.lines().some((l) => l.msg === 'inventory loaded')), 'every replica to load the inventory', 20_000);

    // Lookups keep arriving round-robin, so every replica's cache wants fresh data all the time.
    // A lookup sent to a replica that is then killed may go unanswered (a mention is answered at most once); only the others count.
    const mentions: { ts: string; to: Replica }[] = [];
    let looking = true;
    const lookups = (async () => {
      for (let n = 0; looking; n++) {
        const live = w.live();
        const to = live[n % live.length]!;
        const { ts, event } = newMention(w.slack, HA_CHANNEL, 'host web-01');
        mentions.push({ ts, to });
        await to.deliver(event, { eventId: `EvCount${n}` }).catch(() => undefined);
        await until(() => !looking || !to.alive() || threadReplies(w.slack, HA_CHANNEL, ts).length > 0, 'the lookup reply', 10_000);
      }
    })();

    const measure = async (seconds: number) => {
      const from = Date.now();
      await until(() => Date.now() - from >= seconds * 1000 && mentions.length > seconds * 2, `a ${seconds} s window with lookups`, (seconds + 20) * 1000);
      const to = Date.now();
      return { from, to, hosts: w.callsOf(ROUTES.hosts, from, to), polls: w.callsOf(ROUTES.alerts, from, to), seconds: (to - from) / 1000 };
    };

    const steady = await measure(10);

    // Both leaders are killed (they may be one replica), then a window across the change.
    const inventoryLeader = (await w.holders('inventory-refresher'))[0]!;
    const pollLeader = (await w.holders('alert-poller'))[0]!;
    const change = measure(12);
    await inventoryLeader.kill9();
    await pollLeader.kill9();
    await until(async () => (await w.holders('inventory-refresher')).length === 1 && (await w.holders('alert-poller')).length === 1, 'new leaders', 20_000);
    const across = await change;

    looking = false;
    await lookups;

    const report = (m: typeof steady) => `${m.hosts.length} listings and ${m.polls.length} polls in ${m.seconds.toFixed(1)} s`;
    // Steady: at most one listing per TTL, one poll per interval (timer jitter: no two within half of them).
    expect(steady.hosts.length, report(steady)).toBeLessThanOrEqual(Math.floor(steady.seconds / ttl) + 1);
    expect(maxInWindow(steady.hosts, ttl * 1000 * 0.5), report(steady)).toBe(1);
    expect(steady.polls.length, report(steady)).toBeLessThanOrEqual(Math.floor(steady.seconds / poll) + 1);
    expect(maxInWindow(steady.polls, poll * 1000 * 0.5), report(steady)).toBe(1);
    // And something was listed and polled: the leaders work.
    expect(steady.hosts.length).toBeGreaterThanOrEqual(Math.floor(steady.seconds / ttl / 2));
    expect(steady.polls.length).toBeGreaterThanOrEqual(Math.floor(steady.seconds / poll / 2));
    // Across the change: +1 each.
    expect(across.hosts.length, report(across)).toBeLessThanOrEqual(Math.floor(across.seconds / ttl) + 2);
    expect(maxInWindow(across.hosts, ttl * 1000 * 0.5), report(across)).toBeLessThanOrEqual(2);
    expect(across.polls.length, report(across)).toBeLessThanOrEqual(Math.floor(across.seconds / poll) + 2);
    expect(maxInWindow(across.polls, poll * 1000 * 0.5), report(across)).toBeLessThanOrEqual(2);
    // Every lookup was answered once (the last may still be on its way).
    await quiesce(w);

    for (const { ts } of mentions) expect(threadReplies(w.slack, HA_CHANNEL, ts).length).toBeLessThanOrEqual(1);
    for (const { ts } of mentions.filter((x) => x.to.alive())) expect(threadReplies(w.slack, HA_CHANNEL, ts)).toHaveLength(1);
  });
});
