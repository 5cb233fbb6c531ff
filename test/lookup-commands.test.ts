import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../src/core/logger.ts';
import type { MentionEvent } from '../src/handlers/chat-port.ts';
import { createCommandRegistry, type CommandRegistry } from '../src/handlers/command-registry.ts';
import { createHelpCommand } from '../src/handlers/help.ts';
import { createLookupCommands } from '../src/handlers/lookup/commands.ts';
import { createMentionDispatcher } from '../src/handlers/mention-dispatcher.ts';
import { createUnknownCommandHandler } from '../src/handlers/unknown-command.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { createInventoryCache, type InventoryCache } from '../src/services/inventory/cache.ts';
import { createMackerelInventorySource } from '../src/services/inventory/mackerel-source.ts';
import type { InventorySource } from '../src/services/inventory/types.ts';
import { createYamlInventorySource } from '../src/services/inventory/yaml-source.ts';
import { createMackerelClient } from '../src/services/mackerel/client.ts';
import type { MackerelHost } from '../src/services/mackerel/types.ts';
import { RecordingChatPort } from './helpers/recording-chat-port.ts';
import { generateOrg } from './sim/generate-org.ts';
import { MackerelSim } from './sim/mackerel-sim.ts';

const NOW = 1_760_000_000;
const log = createSilentLogger();
let sim: MackerelSim;
let clock = NOW;

const special: MackerelHost = {
  id: 'special0001',
  name: 'edge-01',
  displayName: '<!channel> & <@U123> 本番',
  status: 'maintenance',
  createdAt: NOW - 3 * 86400,
  roles: { shop: ['web'], infra: ['proxy'] },
  interfaces: [{ name: 'eth0', ipv4Addresses: ['10.200.0.1'], ipv6Addresses: ['2001:db8::1:0:0:1'] }],
};

function bot(source: InventorySource, options: { ttlSeconds?: number } = {}) {
  const inventory = createInventoryCache({ source, ttlSeconds: options.ttlSeconds ?? 300, now: () => clock, log });
  const present = createPresenter({ language: 'en', timeZone: 'UTC', now: () => clock });
  const commands = [...createLookupCommands({ inventory, log, now: () => clock, present }), createHelpCommand({ registry: () => registry, present })];
  const registry: CommandRegistry = createCommandRegistry(commands);
  const dispatch = createMentionDispatcher({ registry, log, present, onUnknown: createUnknownCommandHandler({ registry: () => registry, present }) });
  const chat = new RecordingChatPort();
  let seq = 0;
  async function say(text: string, where: Partial<MentionEvent> = {}) {
    const event: MentionEvent = { user: 'U1', channel: 'C1', ts: `1760000000.${String(++seq).padStart(6, '0')}`, text, ...where };
    await dispatch(event, chat);
    const replies = chat.posts.filter((p) => p.target.threadTs === (event.threadTs ?? event.ts) && p.target.channel === event.channel);
    expect(replies).toHaveLength(1);
    const post = replies[0]!;
    return { ...post, all: RecordingChatPort.textOf(post.message), event };
  }
  return { say, chat, inventory: inventory as InventoryCache, registry: () => registry };
}

function mackerelSource() {
  const client = createMackerelClient({ apiKey: sim.apiKey, baseUrl: sim.url, log, retries: 1, sleep: async () => undefined });
  return createMackerelInventorySource({ client, now: () => clock });
}

function expectWithinSlackLimits(message: { text: string; blocks?: unknown[] }) {
  expect(message.blocks!.length).toBeLessThanOrEqual(50);
  for (const block of message.blocks as { text?: { text: string }; fields?: { text: string }[] }[]) {
    if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
    for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
  }
  expect(message.text.length).toBeLessThanOrEqual(3000);
}

beforeAll(async () => {
  sim = new MackerelSim({ hosts: generateOrg({ hosts: 2000, seed: 5, now: NOW }).hosts, orgName: 'acme' });
  sim.addHost(special);
  await sim.start();
});
afterAll(() => sim.stop());

describe('lookup commands against Mackerel', () => {
  const b = () => bot(mackerelSource());
  let opsbot: ReturnType<typeof b>;
  beforeAll(() => {
    opsbot = b();
  });

  it('answers `host <name>` in the thread with status, roles, IPs, id, age and links', async () => {
    const reply = await opsbot.say('host edge-01');
    expect(reply.target).toEqual({ channel: 'C1', threadTs: reply.event.ts });
    expect(reply.all).toContain(':wrench: maintenance');
    expect(reply.all).toContain('<https://mackerel.io/orgs/acme/hosts/special0001|edge-01>');
    expect(reply.all).toContain('<https://mackerel.io/orgs/acme/services/shop#role=web|shop:web>');
    expect(reply.all).toContain('<https://mackerel.io/orgs/acme/services/infra#role=proxy|infra:proxy>');
    expect(reply.all).toContain('• eth0: 10.200.0.1, 2001:db8::1:0:0:1');
    expect(reply.all).toContain('`special0001`');
    expect(reply.all).toContain('3 days ago');
    // Display names come from Mackerel users: escaped, so no @channel and no fake mention.
    expect(reply.all).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt; 本番');
    expect(reply.all).not.toContain('<!channel>');
    expect(reply.all).not.toContain('<@U123>');
  });

  it('finds hosts by IPv4, by IPv6 in another spelling, by id, and replies in an existing thread', async () => {
    expect((await opsbot.say('host 10.200.0.1')).all).toContain('|edge-01>');
    expect((await opsbot.say('host 2001:DB8:0:0:1::1')).all).toContain('|edge-01>');
    const inThread = await opsbot.say('host special0001', { threadTs: '1759999999.000001', channel: 'C2' });
    expect(inThread.target).toEqual({ channel: 'C2', threadTs: '1759999999.000001' });
    const dm = await opsbot.say('host edge-01', { channel: 'D42' });
    expect(dm.target.channel).toBe('D42');
  });

  it('suggests the nearest name for a near miss', async () => {
    const reply = await opsbot.say('host wbe-0001');
    expect(reply.all).toMatch(/No host matches `wbe-0001`\. Did you mean `web-0001`\?/);
    expect((await opsbot.say('host 10.99.99.99')).all).toContain('No interface of any host has that address');
  });

  it('lists a pattern with counts per status and stays within Slack limits', async () => {
    const reply = await opsbot.say('host web-00*');
    expect(reply.all).toMatch(/\d+ hosts\* matching `web-00\*`/);
    expectWithinSlackLimits(reply.message);
    expect(reply.all).toContain('Showing the first 20 of');
  });

  it('filters `hosts shop:web standby` by status and links the role page for the rest', async () => {
    const reply = await opsbot.say('hosts shop:web standby');
    const expected = sim.hosts.filter((h) => h.roles.shop?.includes('web') && h.status === 'standby');
    expect(reply.all).toContain(`*${expected.length} hosts* in <https://mackerel.io/orgs/acme/services/shop#role=web|shop:web> (standby)`);
    expect(reply.all).toContain(`:large_yellow_circle: ${expected.length} standby`);
    expect(reply.all).not.toContain(':large_green_circle:');
    expectWithinSlackLimits(reply.message);
  });

  it('answers `role` with every status and a link for the rest of a long list', async () => {
    const reply = await opsbot.say('role shop:web');
    const all = sim.hosts.filter((h) => h.roles.shop?.includes('web'));
    expect(all.length).toBeGreaterThan(20);
    expect(reply.all).toContain(`*${all.length} hosts*`);
    expect(reply.all).toContain(`Showing the first 20 of ${all.length}.`);
    expect(reply.all).toContain('<https://mackerel.io/orgs/acme/services/shop#role=web|See all in Mackerel>');
    expect(reply.all).toContain(':wrench:');
    expect((await opsbot.say('role shop: web')).all).toContain(`*${all.length} hosts*`);
  });

  it('answers roles and services, and names unknown ones with suggestions', async () => {
    const roles = await opsbot.say('roles shop');
    for (const r of ['web', 'app', 'db', 'cache', 'batch']) expect(roles.all).toContain(`#role=${r}|${r}>`);
    const services = await opsbot.say('services');
    for (const s of ['shop', 'blog', 'api', 'infra']) expect(services.all).toContain(`/services/${s}|${s}>`);
    expect((await opsbot.say('roles shpo')).all).toMatch(/No service named `shpo`\. Did you mean `shop`\?/);
    expect((await opsbot.say('role shop:wbe')).all).toMatch(/Did you mean `shop:web`\?/);
    expect((await opsbot.say('hosts shop:web sleeping')).all).toMatch(/`sleeping` is not a host status\. Statuses: `working`, `standby`, `maintenance`, `poweroff`\./);
  });

  it('escapes whatever the user typed when echoing it back', async () => {
    const reply = await opsbot.say('host <!here>&x');
    expect(reply.all).toContain('`&lt;!here&gt;&amp;x`');
    expect(reply.all).not.toContain('<!here>');
  });

  it('asks Mackerel for the host listing once however many lookups arrive', async () => {
    const fresh = b();
    sim.resetCalls();
    await Promise.all(Array.from({ length: 50 }, (_, i) => fresh.say(i % 2 ? 'host web-0002' : 'role blog:front')));
    expect(sim.callCount('GET /api/v0/hosts')).toBe(1);
    expect(sim.callCount('GET /api/v0/org')).toBe(1);
  });
});

describe('help and unknown commands', () => {
  it('lists every command with an example and hints at the nearest command', async () => {
    const opsbot = bot(mackerelSource());
    const help = await opsbot.say('help');
    for (const command of opsbot.registry().list()) {
      expect(help.all).toContain(command.usage.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      expect(help.all).toContain(`@opsbot ${command.examples[0]}`);
    }
    expect((await opsbot.say('help host')).all).toContain('@opsbot host 10.1.2.3');
    expect((await opsbot.say('hots web-01')).message.text).toMatch(/I don't know the command `hots`\. Did you mean `host` or `hosts`\?/);
    expect((await opsbot.say('')).message.text).toContain('@opsbot help');
  });
});

describe('when Mackerel fails', () => {
  it('says so clearly without data, and shows the age of cached data after a failed refresh', async () => {
    clock = NOW;
    const opsbot = bot(mackerelSource(), { ttlSeconds: 60 });
    sim.failNext(2, 503, { route: 'GET /api/v0/org' });
    expect((await opsbot.say('host edge-01')).message.text).toMatch(/Mackerel is having trouble \(HTTP 503\).*no cached inventory/);
    clock += 61;
    expect((await opsbot.say('host edge-01')).all).toContain('|edge-01>');
    sim.failNext(2, 503, { route: 'GET /api/v0/org' });
    clock += 700;
    await opsbot.say('host edge-01'); // starts the refresh that fails
    await opsbot.inventory.refresh();
    const stale = await opsbot.say('host edge-01');
    expect(stale.all).toContain('|edge-01>');
    expect(stale.all).toMatch(/having trouble \(HTTP 503\)\. Try again in a minute\. Showing data from 12 min ago/);
    clock = NOW;
  });
});

describe('embedded default (local YAML inventory)', () => {
  it('answers the same commands from the demo file, without links', async () => {
    const opsbot = bot(createYamlInventorySource({ file: resolve('demo/inventory.yaml'), now: () => clock }));
    const reply = await opsbot.say('host 192.168.30.1');
    expect(reply.all).toContain('*db-01*');
    expect(reply.all).toContain('ショップDB プライマリ');
    expect(reply.all).not.toContain('https://');
    expect((await opsbot.say('hosts shop:web')).all).toContain('*7 hosts*');
    expect((await opsbot.say('services')).all).toContain('*3 services* in inventory.yaml');
  });
});
