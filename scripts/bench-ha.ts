/**
 * `npm run bench:ha [-- --kills 20 --seed 1 --skip-defaults]`
 *
 * Several replicas on PostgreSQL beside one process on SQLite, the same work in the same run.
 * Real bot processes (`opsbot start`, HTTP mode) against their own Slack simulator, Mackerel
 * simulator and s3rver (behind the S3 proxy); the replicas share a throwaway PostgreSQL 15 cluster
 * (test/helpers/postgres.ts), the single process has its SQLite file. Config: inventory TTL 5 s,
 * alert polling every 2 s.
 *
 * 1. Latency: the same lookups (mentions, round-robin over the replicas) and the same alerts
 *    (opened in both Mackerel simulators at once) against both: lookup p99 (event sent → reply
 *    posted) and alert post p95 (alert opened → top-level post).
 * 2. Counts: a 30 s window of lookups with the leaders killed half-way: Mackerel host listings per
 *    TTL and alert polls per interval across the replicas (and of the single process).
 * 3. ≥ 20 random kills (SIGKILL of the relay's replica, of the poller leader or of any replica, a
 *    replacement started each time) while relays, alerts and lookups run, with the shortened
 *    recovery timings of src/app/tuning.ts (relay lease 3 s, sweep 1 s, leader lease 3 s…): files,
 *    alert posts, closes and mention replies lost or doubled, poller failover and relay takeover
 *    times (scaled timings).
 * 4. With the production timings (leader lease 15 s, relay lease 60 s, sweep 30 s): one poller
 *    failover and one relay takeover (skip: --skip-defaults).
 *
 * Targets (PASS/FAIL): 0 lost, 0 doubled; poller failover ≤ 30 s and relay takeover ≤ 2 min with
 * the defaults; ≤ 1 host listing per TTL and ≤ 1 alert poll per interval (+1 at a leader change);
 * lookup p99 and alert post p95 within 1.5× of the single process. Takes about 5 minutes.
 */
import { parseArgs } from 'node:util';
import { contentSha256, fileShareEvent, slowContent, until } from '../test/helpers/bot-world.ts';
import {
  alertIsResolved,
  alertPosts,
  alertResolvedNotes,
  HA_BUCKET,
  HA_CHANNEL,
  haTs,
  keyed,
  newMention,
  openAlert,
  relayKeys,
  ROUTES,
  startHaWorld,
  threadReplies,
  type HaConfig,
  type HaWorld,
  type Replica,
} from '../test/helpers/ha-world.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { seededRandom } from './seeded-random.ts';

const { values: args } = parseArgs({ options: { kills: { type: 'string', default: '20' }, seed: { type: 'string', default: '1' }, 'skip-defaults': { type: 'boolean', default: false } } });
const KILLS = Math.max(20, Number(args.kills));
const random = seededRandom(Number(args.seed));
const MiB = 1024 * 1024;
const TTL = 5;
const POLL = 2;
const CONFIG: HaConfig = { ttlSeconds: TTL, pollSeconds: POLL };

const log = (line: string) => console.log(line);
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
/** Pacing the load (not waiting for anything). */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends a mention to `to` and resolves with the ms until the bot's reply was posted. */
async function timedLookup(world: HaWorld, to: Replica, text: string, eventId: string): Promise<number> {
  const { ts, event } = newMention(world.slack, HA_CHANNEL, text);
  const sent = Date.now();
  const reply = world.slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts, 30_000);
  // Awaited below, unless the delivery fails first (a killed replica): then nobody waits for it.
  reply.catch(() => undefined);
  const res = await to.deliver(event, { eventId });
  if (res.status !== 200) throw new Error(`event answered ${res.status}`);
  return (await reply).at - sent;
}

/** Opens an alert and resolves with the ms until its top-level post was made. */
async function timedAlert(world: HaWorld, prefix: string): Promise<number> {
  const opened = Date.now();
  const id = openAlert(world, prefix);
  const post = await world.slack.waitForCall('chat.postMessage', (c) => JSON.stringify(c.args).includes(`alert:${id}:post`), 60_000);
  return post.at - opened;
}

const LOOKUPS = ['host web-01', 'services', 'host web-0003', 'role shop:web', 'host 10.0.0.7'];

async function latencyPhase(ha: HaWorld, single: HaWorld) {
  const lookups = { ha: [] as number[], single: [] as number[] };
  const posts = { ha: [] as number[], single: [] as number[] };
  const n = 240;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) {
      const text = LOOKUPS[i % LOOKUPS.length]!;
      const live = ha.live();
      const [a, b] = await Promise.all([timedLookup(ha, live[i % live.length]!, text, `EvLatHa${i}`), timedLookup(single, single.live()[0]!, text, `EvLatOne${i}`)]);
      lookups.ha.push(a);
      lookups.single.push(b);
    }
  };
  const alerts = (async () => {
    for (let i = 0; i < 20; i++) {
      // At a random moment of the polling cycle, the same for both.
      await pause(random() * POLL * 1000);
      const [a, b] = await Promise.all([timedAlert(ha, 'ALATHA'), timedAlert(single, 'ALATONE')]);
      posts.ha.push(a);
      posts.single.push(b);
    }
  })();
  await Promise.all([worker(), worker(), worker(), worker(), alerts]);
  return { lookups, posts };
}

/** A window of lookups on `world`, its leaders killed (and replaced) half-way when `killLeaders`. */
async function countPhase(world: HaWorld, seconds: number, killLeaders: boolean) {
  const from = Date.now();
  let leaderChanges = 0;
  let n = 0;
  const lookups = (async () => {
    while (Date.now() - from < seconds * 1000) {
      const live = world.live();
      await timedLookup(world, live[n % live.length]!, 'host web-01', `EvCount${world.replicas.length}x${n++}`).catch(() => undefined);
      await pause(250);
    }
  })();
  if (killLeaders) {
    await pause((seconds * 1000) / 2);
    const leaders = new Set([...(await world.holders('inventory-refresher')), ...(await world.holders('alert-poller'))]);
    for (const leader of leaders) {
      await leader.kill9();
      await world.startReplica();
    }
    leaderChanges = 1;
  }
  await lookups;
  const to = Date.now();
  const window = (to - from) / 1000;
  return {
    seconds: window,
    leaderChanges,
    hostListings: world.callsOf(ROUTES.hosts, from, to).length,
    alertPolls: world.callsOf(ROUTES.alerts, from, to).length,
    listingsPerTtl: world.callsOf(ROUTES.hosts, from, to).length / (window / TTL),
    pollsPerInterval: world.callsOf(ROUTES.alerts, from, to).length / (window / POLL),
  };
}

interface Share {
  fileId: string;
  ts: string;
  size: number;
  seed: number;
}
interface Mention {
  ts: string;
  to: Replica;
  acked: boolean;
}

async function killPhase(world: HaWorld) {
  const shares: Share[] = [];
  const mentions: Mention[] = [];
  const opened: string[] = [];
  const closed: string[] = [];
  const failovers: number[] = [];
  const takeovers: number[] = [];
  const kinds: Record<string, number> = {};
  let eventSeq = 0;

  const mention = async () => {
    const live = world.live();
    const to = pick(live);
    const { ts, event } = newMention(world.slack, HA_CHANNEL, pick(LOOKUPS));
    const id = `EvKillM${++eventSeq}`;
    const record: Mention = { ts, to, acked: false };
    mentions.push(record);
    try {
      record.acked = (await to.deliver(event, { eventId: id })).status === 200;
    } catch {
      // The replica died before answering: Slack retries at another one.
      const other = pick(world.live().filter((r) => r !== to));
      record.to = other;
      record.acked = (await other.deliver(event, { eventId: id, retryNum: 1 })).status === 200;
    }
  };

  for (let k = 0; k < KILLS; k++) {
    // Work in flight: a relay (delivered with a racing retry), alerts opening and closing, lookups.
    const size = 6 * MiB + Math.floor(random() * 4 * MiB);
    const seed = 1000 + k;
    const file = world.slack.addFile({ name: `kill-${k}.bin`, content: slowContent(size, seed, 6), actualSize: size });
    const ts = haTs();
    world.slack.addMessage(HA_CHANNEL, { text: '!fileupload', ts, user: 'UPERSON' });
    shares.push({ fileId: String(file.id), ts, size, seed });
    const event = fileShareEvent(HA_CHANNEL, [file], '!fileupload', ts);
    const [first, second] = [pick(world.live()), pick(world.live())];
    await Promise.allSettled([first.deliver(event, { eventId: `EvKillF${k}` }), second.deliver(event, { eventId: `EvKillF${k}`, retryNum: 1 })]);
    opened.push(openAlert(world, 'AKILL'), openAlert(world, 'AKILL'));
    const toClose = opened.find((id) => !closed.includes(id) && alertPosts(world.slack, id).length > 0);
    if (toClose) {
      world.mackerel.closeAlert(toClose, 'recovered');
      closed.push(toClose);
    }
    await Promise.all([mention(), mention(), pause(300 + random() * 1200)]);

    // The victim: the replica holding the relay, the poller leader, or any replica.
    const [job] = await world.query<{ lease_owner: string | null; state: string }>('SELECT lease_owner, state FROM relay_jobs WHERE file_id = $1', [String(file.id)]);
    const relayHolder = job?.state === 'in_progress' ? world.replicaOfOwner(job.lease_owner) : undefined;
    const [poller] = await world.holders('alert-poller');
    const roll = random();
    const kind = roll < 0.4 && relayHolder?.alive() ? 'relay' : roll < 0.75 && poller ? 'poller' : 'any';
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    const victim = kind === 'relay' ? relayHolder! : kind === 'poller' ? poller! : pick(world.live());
    const wasPoller = victim === poller;
    const heldRelay = victim === relayHolder;
    const killedAt = Date.now();
    await victim.kill9();
    const replacement = world.startReplica();
    const measured: Promise<void>[] = [];
    if (wasPoller) {
      measured.push(until(async () => (await world.holders('alert-poller')).length === 1, 'a new poller leader', 60_000).then(() => void failovers.push(Date.now() - killedAt)));
    }
    if (heldRelay) {
      measured.push(
        until(
          () => world.live().some((r) => r.lines().some((l) => l.msg === 'resuming a relay a previous run did not finish' && l.file === String(file.id))),
          'the relay resumed',
          60_000,
        ).then(() => void takeovers.push(Date.now() - killedAt)),
      );
    }
    await Promise.all([replacement, ...measured]);
    process.stdout.write(`kill ${k + 1}/${KILLS} (${kind}${wasPoller ? ', poller leader' : ''}${heldRelay ? ', relay holder' : ''})\n`);
  }

  // Settle: every file ✅ or ❌, every alert posted, every close edited, the outbox drained.
  const settled = await until(
    () =>
      shares.every((s) => ['white_check_mark', 'x'].includes(world.slack.reactionsOf(HA_CHANNEL, s.ts).join())) &&
      opened.every((id) => alertPosts(world.slack, id).length > 0) &&
      closed.every((id) => alertIsResolved(world.slack, id) && alertResolvedNotes(world.slack, id).length > 0),
    'everything settled',
    180_000,
  ).then(
    () => true,
    () => false,
  );
  await until(
    async () => Number((await world.query<{ n: string }>("SELECT count(*) AS n FROM outbox WHERE state IN ('pending', 'sending')"))[0]!.n) === 0,
    'the outbox drained',
    60_000,
  ).catch(() => undefined);

  await until(() => world.proxy.openUploads().length === 0, 'no open multipart upload', 30_000).catch(() => undefined);
  const lost = { files: 0, outcomes: 0, alertPosts: 0, closes: 0, mentions: 0 };
  const doubled = { files: 0, outcomes: 0, alertPosts: 0, closes: 0, mentions: 0 };
  const keys = await world.s3.listKeys();
  for (const s of shares) {
    const objects = keys.filter((key) => key.includes(s.fileId));
    const good = [];
    for (const key of objects) if ((await world.s3.sha256Of(key)) === contentSha256(s.size, s.seed)) good.push(key);
    if (good.length === 0) lost.files++;
    if (objects.length > 1) doubled.files++;
    const outcome = keyed(world.slack, HA_CHANNEL, relayKeys(s.fileId, `s3://${HA_BUCKET}/files/`).outcome).length;
    if (outcome === 0) lost.outcomes++;
    if (outcome > 1) doubled.outcomes++;
  }
  for (const id of opened) {
    const posts = alertPosts(world.slack, id).length;
    if (posts === 0) lost.alertPosts++;
    if (posts > 1) doubled.alertPosts++;
  }
  for (const id of closed) {
    const notes = alertResolvedNotes(world.slack, id).length;
    if (notes === 0 || !alertIsResolved(world.slack, id)) lost.closes++;
    if (notes > 1) doubled.closes++;
  }
  let ackedThenKilled = 0;
  for (const m of mentions) {
    const replies = threadReplies(world.slack, HA_CHANNEL, m.ts).length;
    if (replies > 1) doubled.mentions++;
    if (replies === 0 && m.acked) {
      if (m.to.alive()) lost.mentions++;
      else ackedThenKilled++;
    }
  }
  const reactions = shares.filter((s) => world.slack.reactionsOf(HA_CHANNEL, s.ts).join() !== 'white_check_mark').length;
  return {
    settled,
    kinds,
    files: shares.length,
    alerts: opened.length,
    closes: closed.length,
    mentions: mentions.length,
    lost,
    doubled,
    ackedThenKilled,
    notOnlyCheckMark: reactions,
    openUploads: world.proxy.openUploads().length,
    failovers,
    takeovers,
  };
}

/** Production timings: one poller failover and one relay takeover, measured from the kill. */
async function defaultsPhase(databaseUrl: string) {
  const defaults = {
    OPSBOT_RELAY_LEASE_SECONDS: '',
    OPSBOT_RELAY_SWEEP_SECONDS: '',
    OPSBOT_ABORT_RETRY_SECONDS: '',
    OPSBOT_OUTBOX_LEASE_SECONDS: '',
    OPSBOT_ALERT_CLAIM_TAKEOVER_SECONDS: '',
    OPSBOT_LEADER_LEASE_SECONDS: '',
  };
  const world = await startHaWorld({ databaseUrl, config: { ...CONFIG, prefix: 'files' }, env: defaults });
  try {
    await Promise.all([world.startReplica(), world.startReplica(), world.startReplica()]);
    await until(async () => (await world.holders('alert-poller')).length === 1, 'a poller leader', 60_000);
    const size = 24 * MiB;
    const file = world.slack.addFile({ name: 'defaults.bin', content: slowContent(size, 7, 2), actualSize: size });
    const ts = haTs();
    world.slack.addMessage(HA_CHANNEL, { text: '!fileupload', ts, user: 'UPERSON' });
    const [poller] = await world.holders('alert-poller');
    // The relay goes to another replica, so the two kills are independent.
    const target = world.live().find((r) => r !== poller)!;
    await target.deliver(fileShareEvent(HA_CHANNEL, [file], '!fileupload', ts), { eventId: 'EvDefaults' });
    await world.proxy.waitForRequest((r) => r.op === 'UploadPart' && r.status === 200, { done: true, timeoutMs: 60_000 });
    const killedAt = Date.now();
    await Promise.all([poller!.kill9(), target.kill9()]);
    let failoverMs = NaN;
    let takeoverMs = NaN;
    await Promise.all([
      until(async () => (await world.holders('alert-poller')).length === 1, 'a new poller leader', 120_000).then(() => (failoverMs = Date.now() - killedAt)),
      until(() => world.live().some((r) => r.lines().some((l) => l.msg === 'resuming a relay a previous run did not finish')), 'the relay resumed', 180_000).then(
        () => (takeoverMs = Date.now() - killedAt),
      ),
    ]);
    await until(() => world.slack.reactionsOf(HA_CHANNEL, ts).join() === 'white_check_mark', 'the relay finished', 120_000);
    const finishedMs = Date.now() - killedAt;
    const objects = await world.s3.listKeys('files/');
    return { failoverMs, takeoverMs, finishedMs, objects: objects.length, sha256Ok: objects.length === 1 && (await world.s3.sha256Of(objects[0]!)) === contentSha256(size, 7) };
  } finally {
    await world.stop();
  }
}

async function main() {
  const started = Date.now();
  const postgres = await startPostgres();
  const ha = await startHaWorld({ databaseUrl: await postgres.createDatabase(), config: CONFIG });
  const single = await startHaWorld({ config: CONFIG });
  // However this process ends, the bot processes it started end with it.
  process.once('exit', () => {
    for (const r of [...ha.replicas, ...single.replicas]) if (r.alive()) r.child.kill('SIGKILL');
  });
  try {
    await Promise.all([ha.startReplica(), ha.startReplica(), ha.startReplica(), single.startReplica()]);
    // Warm: a lookup answered everywhere.
    for (const [world, replicas] of [
      [ha, ha.live()],
      [single, single.live()],
    ] as const) {
      for (const r of replicas) await timedLookup(world, r, 'host web-01', `EvWarm${world.replicas.indexOf(r)}${world === ha ? 'h' : 's'}`);
    }
    log(`replicas: 3 on PostgreSQL, 1 on SQLite; inventory TTL ${TTL} s, alert polling every ${POLL} s; ${KILLS} kills, seed ${args.seed}`);

    log('\n1. latency (same lookups and alerts against both)');
    const latency = await latencyPhase(ha, single);
    const lookupP99 = { ha: percentile(latency.lookups.ha, 99), single: percentile(latency.lookups.single, 99) };
    const postP95 = { ha: percentile(latency.posts.ha, 95), single: percentile(latency.posts.single, 95) };
    log(
      `lookup p50/p99: replicas ${percentile(latency.lookups.ha, 50)} / ${lookupP99.ha} ms, single ${percentile(latency.lookups.single, 50)} / ${lookupP99.single} ms (${latency.lookups.ha.length} each)`,
    );
    log(
      `alert post p50/p95: replicas ${percentile(latency.posts.ha, 50)} / ${postP95.ha} ms, single ${percentile(latency.posts.single, 50)} / ${postP95.single} ms (${latency.posts.ha.length} each; polling every ${POLL} s)`,
    );

    log('\n2. Mackerel calls over a 30 s window (replicas: leaders killed half-way)');
    const [countHa, countSingle] = await Promise.all([countPhase(ha, 30, true), countPhase(single, 30, false)]);
    for (const [name, c] of [
      ['replicas', countHa],
      ['single', countSingle],
    ] as const) {
      log(
        `${name}: ${c.hostListings} host listings (${c.listingsPerTtl.toFixed(2)} per TTL), ${c.alertPolls} alert polls (${c.pollsPerInterval.toFixed(2)} per interval) in ${c.seconds.toFixed(1)} s, ${c.leaderChanges} leader change(s)`,
      );
    }

    log(`\n3. ${KILLS} random kills (scaled timings: relay lease 3 s, sweep 1 s, leader lease 3 s)`);
    const kills = await killPhase(ha);
    log(JSON.stringify(kills, (_k, v: unknown) => (Array.isArray(v) && typeof v[0] === 'number' ? v.map((x: number) => Math.round(x)) : v)));

    let defaults: Awaited<ReturnType<typeof defaultsPhase>> | undefined;
    if (!args['skip-defaults']) {
      log('\n4. production timings (leader lease 15 s, relay lease 60 s, sweep 30 s): one poller failover, one relay takeover');
      defaults = await defaultsPhase(await postgres.createDatabase());
      log(JSON.stringify(defaults));
    }

    const totalLost = Object.values(kills.lost).reduce((a, b) => a + b, 0);
    const totalDoubled = Object.values(kills.doubled).reduce((a, b) => a + b, 0);
    const listingBound = Math.floor(countHa.seconds / TTL) + 1 + countHa.leaderChanges;
    const pollBound = Math.floor(countHa.seconds / POLL) + 1 + countHa.leaderChanges;
    const failoverMax = defaults ? defaults.failoverMs : Math.max(...kills.failovers);
    const takeoverMax = defaults ? defaults.takeoverMs : Math.max(...kills.takeovers);
    log('\nresults');
    log(
      `${verdict(totalLost === 0 && kills.settled)} lost: ${totalLost} ${JSON.stringify(kills.lost)}${kills.ackedThenKilled ? ` (+ ${kills.ackedThenKilled} mention(s) acknowledged by a replica killed before it replied: a mention is answered at most once)` : ''}`,
    );
    log(
      `${verdict(totalDoubled === 0 && kills.openUploads === 0 && kills.notOnlyCheckMark === 0)} doubled: ${totalDoubled} ${JSON.stringify(kills.doubled)}; ${kills.notOnlyCheckMark} file(s) not ending with only ✅; ${kills.openUploads} open upload(s)`,
    );
    log(
      `${verdict(failoverMax <= 30_000)} poller failover ≤ 30 s: ${(failoverMax / 1000).toFixed(1)} s ${defaults ? 'with the defaults' : '(scaled timings only: --skip-defaults)'}; scaled: max ${(Math.max(...kills.failovers) / 1000).toFixed(1)} s over ${kills.failovers.length}`,
    );
    log(
      `${verdict(takeoverMax <= 120_000)} relay takeover ≤ 2 min: ${(takeoverMax / 1000).toFixed(1)} s ${defaults ? `with the defaults (finished ${(defaults.finishedMs / 1000).toFixed(1)} s after the kill, ${defaults.objects} object, SHA-256 ${defaults.sha256Ok ? 'ok' : 'WRONG'})` : '(scaled timings only)'}; scaled: max ${(Math.max(...kills.takeovers) / 1000).toFixed(1)} s over ${kills.takeovers.length}`,
    );
    log(`${verdict(countHa.hostListings <= listingBound)} host listings ≤ 1 per TTL (+1 at a leader change): ${countHa.hostListings} ≤ ${listingBound} in ${countHa.seconds.toFixed(1)} s`);
    log(`${verdict(countHa.alertPolls <= pollBound)} alert polls ≤ 1 per interval (+1 at a leader change): ${countHa.alertPolls} ≤ ${pollBound} in ${countHa.seconds.toFixed(1)} s`);
    log(
      `${verdict(lookupP99.ha <= 1.5 * lookupP99.single)} lookup p99 within 1.5× of the single process: ${lookupP99.ha} ms vs ${lookupP99.single} ms (${(lookupP99.ha / lookupP99.single).toFixed(2)}×)`,
    );
    log(
      `${verdict(postP95.ha <= 1.5 * postP95.single)} alert post p95 within 1.5× of the single process: ${postP95.ha} ms vs ${postP95.single} ms (${(postP95.ha / postP95.single).toFixed(2)}×)`,
    );
    log(`\ntook ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await Promise.all([ha.stop(), single.stop()]);
    await postgres.stop();
  }
}

await main();
