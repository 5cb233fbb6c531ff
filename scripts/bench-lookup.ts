/**
 * `npm run bench:lookup`: 10,000 hosts in the Mackerel simulator, 1,000 mixed lookups (name, IP,
 * role, pattern). Measures each lookup from the event to the reply reaching the chat port, and
 * counts Mackerel calls, for opsbot's cached index and for the naive way (one Mackerel host
 * listing per lookup, filtered in the bot, as the old Hubot scripts did) in the same run.
 *
 * The path from event to reply sits behind `LookupDriver`; switching the bench to Bolt and the
 * Slack simulator means writing one more driver that posts a signed event and awaits the reply.
 *
 * Options: --hosts N (10000), --lookups N (1000), --naive N (lookups for the naive way; 1000).
 */
import { parseArgs } from 'node:util';
import { createSilentLogger } from '../src/core/logger.ts';
import type { ChatMessage, MentionEvent } from '../src/handlers/chat-port.ts';
import { createCommandRegistry } from '../src/handlers/command-registry.ts';
import { createLookupCommands } from '../src/handlers/lookup/commands.ts';
import { renderLookupResult } from '../src/handlers/lookup/render.ts';
import { createMentionDispatcher, parseCommandLine } from '../src/handlers/mention-dispatcher.ts';
import { createUnknownCommandHandler } from '../src/handlers/unknown-command.ts';
import { createInventoryCache } from '../src/services/inventory/cache.ts';
import { buildHostIndex } from '../src/services/inventory/host-index.ts';
import { normalizeIp } from '../src/services/inventory/ip.ts';
import { createMackerelInventorySource, toInventoryHost } from '../src/services/inventory/mackerel-source.ts';
import { createLookup } from '../src/services/lookup/lookup.ts';
import { createMackerelClient, type ListHostsFilter, type MackerelClient } from '../src/services/mackerel/client.ts';
import { RecordingChatPort } from '../test/helpers/recording-chat-port.ts';
import { generateOrg, GENERATED_ROLES } from '../test/sim/generate-org.ts';
import { seededRandom } from './seeded-random.ts';
import { MackerelSim } from '../test/sim/mackerel-sim.ts';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '10000' }, lookups: { type: 'string', default: '1000' }, naive: { type: 'string', default: '1000' } } });
const HOSTS = Number(values.hosts);
const LOOKUPS = Number(values.lookups);
const NAIVE = Math.min(LOOKUPS, Number(values.naive));
const TTL = 300;
const log = createSilentLogger();

/** Sends one mention and resolves with the reply as it reaches the chat platform. */
export interface LookupDriver {
  send(text: string): Promise<ChatMessage>;
  /** Waits for background work (a cache refresh) so the call counts are complete. */
  settle?(): Promise<void>;
}

/** The mix: 35% name, 25% IP (v4 and v6), 25% role (some with a status), 15% pattern. */
function lookupMix(org: ReturnType<typeof generateOrg>, count: number): string[] {
  const random = seededRandom(2024);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const roles = Object.entries(GENERATED_ROLES).flatMap(([s, rs]) => rs.map((r) => `${s}:${r}`));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = random();
    const host = pick(org.hosts);
    if (r < 0.35) out.push(`host ${random() < 0.1 ? host.name.replace(/^(.)(.)/, '$2$1') : host.name}`);
    else if (r < 0.6) {
      const iface = host.interfaces![0]!;
      out.push(`host ${iface.ipv6Addresses && random() < 0.4 ? iface.ipv6Addresses[0] : iface.ipv4Addresses![0]}`);
    } else if (r < 0.85) out.push(random() < 0.5 ? `role ${pick(roles)}` : `hosts ${pick(roles)} ${pick(['working', 'standby', 'maintenance'])}`);
    else out.push(random() < 0.5 ? `host ${host.name.slice(0, -2)}*` : `hosts ${host.name.replace(/\d$/, '?')}`);
  }
  return out;
}

/** opsbot's way: the dispatcher, the lookup commands, the cached inventory, a recording chat port. */
function cachedDriver(client: MackerelClient, clock: { now: number }): LookupDriver {
  const inventory = createInventoryCache({ source: createMackerelInventorySource({ client, now: () => clock.now }), ttlSeconds: TTL, now: () => clock.now, log });
  const registry = createCommandRegistry(createLookupCommands({ inventory, log, now: () => clock.now }));
  const dispatch = createMentionDispatcher({ registry, log, onUnknown: createUnknownCommandHandler(() => registry) });
  const chat = new RecordingChatPort();
  let seq = 0;
  return {
    async send(text) {
      const event: MentionEvent = { user: 'U1', channel: 'C1', ts: `1760000000.${String(++seq).padStart(6, '0')}`, text };
      const reply = new Promise<ChatMessage>((resolve) => {
        chat.onPost = (post) => resolve(post.message);
      });
      await dispatch(event, chat);
      return reply;
    },
    settle: () => inventory.idle(),
  };
}

/** The naive way: every lookup lists hosts from Mackerel (filtered by Mackerel where it can) and filters in the bot. */
function naiveDriver(client: MackerelClient, clock: { now: number }): LookupDriver {
  const lookup = createLookup();
  const ALL = ['working', 'standby', 'maintenance', 'poweroff'] as const;
  return {
    async send(text) {
      const { word, args } = parseCommandLine(text);
      const term = args[0] ?? '';
      let filter: ListHostsFilter = { statuses: ALL };
      const role = normalizeIp(term) ? null : /^([^:\s]+):(\S+)$/.exec(term);
      if (role) filter = { service: role[1]!, role: role[2]!, statuses: ALL };
      else if (word === 'host' && !/[*?[]/.test(term) && !normalizeIp(term)) filter = { name: term, statuses: ALL };
      const [org, hosts] = await Promise.all([client.getOrg(), client.listHosts(filter)]);
      const snapshot = { orgName: org.name, orgUrl: `https://mackerel.io/orgs/${org.name}`, hosts: hosts.map(toInventoryHost), services: [], fetchedAt: clock.now, origin: 'Mackerel' };
      const index = buildHostIndex(snapshot);
      const result = word === 'host' ? lookup.host(index, args) : word === 'role' ? lookup.role(index, args) : lookup.hosts(index, args);
      return renderLookupResult(result, { now: clock.now, origin: 'Mackerel', ageSeconds: 0, orgUrl: snapshot.orgUrl });
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(name: string, driver: LookupDriver, texts: string[], sim: MackerelSim, onStep?: (i: number) => void) {
  sim.resetCalls();
  const latencies: number[] = [];
  const replies: string[] = [];
  const started = performance.now();
  for (let i = 0; i < texts.length; i++) {
    onStep?.(i);
    const t0 = performance.now();
    const reply = await driver.send(texts[i]!);
    latencies.push(performance.now() - t0);
    replies.push(reply.text);
  }
  const wall = performance.now() - started;
  await driver.settle?.();
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name,
    lookups: texts.length,
    p50ms: +percentile(sorted, 50).toFixed(2),
    p99ms: +percentile(sorted, 99).toFixed(2),
    maxms: +sorted.at(-1)!.toFixed(2),
    firstms: +latencies[0]!.toFixed(2),
    totalSeconds: +(wall / 1000).toFixed(2),
    mackerelCalls: sim.totalCalls(),
    hostListings: sim.callCount('GET /api/v0/hosts'),
    replies,
  };
}

async function main() {
  const org = generateOrg({ hosts: HOSTS, seed: 42 });
  const sim = new MackerelSim({ hosts: org.hosts, services: org.services, orgName: org.orgName });
  await sim.start();
  try {
    const client = createMackerelClient({ apiKey: sim.apiKey, baseUrl: sim.url, log, timeoutMs: 60_000 });
    const texts = lookupMix(org, LOOKUPS);
    const clock = { now: 1_760_000_000 };
    // Halfway through, the TTL runs out: the cache must refresh once, in the background.
    const cached = await run('opsbot (cached index)', cachedDriver(client, clock), texts, sim, (i) => {
      if (i === Math.floor(texts.length / 2)) clock.now += TTL + 1;
    });
    const naive = await run('naive (one listing per lookup)', naiveDriver(client, { now: 1_760_000_000 }), texts.slice(0, NAIVE), sim);
    const same = naive.replies.filter((text, i) => text === cached.replies[i]).length;
    if (process.env.BENCH_DIFF) naive.replies.forEach((t, i) => t !== cached.replies[i] && console.log(texts[i], '|', cached.replies[i]!.slice(0, 100), '|', t.slice(0, 100)));

    const rows = [cached, naive].map(({ replies: _r, ...row }) => row);
    console.log(`bench:lookup: ${HOSTS} hosts, ${LOOKUPS} lookups (naive: ${NAIVE}); TTL ${TTL}s, clock moved past one TTL halfway`);
    console.table(rows);
    console.log(`same reply text from both ways: ${same}/${NAIVE} (the rest are typos: only the cached index can say "did you mean"; BENCH_DIFF=1 lists them)`);
    console.log(`targets: p99 < 50 ms → ${cached.p99ms < 50 ? 'met' : 'NOT met'} (${cached.p99ms} ms); host listings ≤ 1 per TTL window (2 windows) → ${cached.hostListings <= 2 ? 'met' : 'NOT met'} (${cached.hostListings})`);
    console.log(JSON.stringify({ bench: 'lookup', hosts: HOSTS, cached: rows[0], naive: rows[1], sameReplies: same }));
  } finally {
    await sim.stop();
  }
}

await main();
