import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../src/core/logger.ts';
import { OpsbotError } from '../src/core/errors.ts';
import { resolve } from 'node:path';
import type { MentionEvent } from '../src/handlers/chat-port.ts';
import { createAlertCommands } from '../src/handlers/alerts/alert-commands.ts';
import { createCommandRegistry, type CommandRegistry } from '../src/handlers/command-registry.ts';
import { createHelpCommand } from '../src/handlers/help.ts';
import { createLookupCommands } from '../src/handlers/lookup/commands.ts';
import { createMentionDispatcher } from '../src/handlers/mention-dispatcher.ts';
import { createUnknownCommandHandler } from '../src/handlers/unknown-command.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import type { AlertDataSource } from '../src/services/alerts/alert-data.ts';
import { assembleAlertJob } from '../src/app/assemble-alert-job.ts';
import { createDemoAlertData } from '../src/services/alerts/demo-alert-data.ts';
import { createMackerelAlertData } from '../src/services/alerts/mackerel-alert-data.ts';
import { createInventoryCache } from '../src/services/inventory/cache.ts';
import { createMackerelInventorySource } from '../src/services/inventory/mackerel-source.ts';
import type { InventorySource } from '../src/services/inventory/types.ts';
import { createYamlInventorySource } from '../src/services/inventory/yaml-source.ts';
import { createMackerelClient } from '../src/services/mackerel/client.ts';
import { openSqliteStore } from '../src/core/state/sqlite-store.ts';
import { createTaskTracker } from '../src/core/task-tracker.ts';
import { alertsConfig, GiB, linearDisk } from './helpers/alert-fixtures.ts';
import { RecordingChatPort } from './helpers/recording-chat-port.ts';
import { startMackerelSim, type MackerelSim } from './sim/mackerel-sim.ts';

const NOW = DateTime.fromISO('2025-11-19T10:00', { zone: 'Asia/Tokyo' }).toSeconds();
const log = createSilentLogger();
const DEMO_INVENTORY = resolve(import.meta.dirname, '../demo/inventory.yaml');
const PNG = Buffer.from('\x89PNG fake');
const present = createPresenter({ language: 'en', timeZone: 'Asia/Tokyo', now: () => NOW });

/**
 * A bot with the lookup and alert commands behind the real registry and mention dispatcher,
 * wired as create-opsbot-features wires them: the alert commands get the inventory, the data
 * source and the clock the alert service uses.
 */
async function bot(source: InventorySource, data: AlertDataSource) {
  const inventory = createInventoryCache({ source, ttlSeconds: 300, now: () => NOW, log });
  const service = assembleAlertJob({
    data,
    store: (await openSqliteStore({ path: ':memory:' })).alerts,
    config: alertsConfig({ channel: undefined }),
    log,
    now: () => NOW,
    tasks: createTaskTracker(),
    present,
  });
  const commands = [
    ...createLookupCommands({ inventory, log, now: () => NOW, present }),
    ...createAlertCommands({ service, inventory, data, now: () => NOW, present, render: async () => PNG }),
    createHelpCommand({ registry: () => registry, present }),
  ];
  const registry: CommandRegistry = createCommandRegistry(commands);
  const dispatch = createMentionDispatcher({ registry, log, present, onUnknown: createUnknownCommandHandler({ registry: () => registry, present }) });
  const chat = new RecordingChatPort();
  let seq = 0;
  /** Sends one mention; its one reply in the thread (and any image uploaded with it). */
  async function say(text: string) {
    const event: MentionEvent = { user: 'U1', channel: 'C1', ts: `1760000000.${String(++seq).padStart(6, '0')}`, text };
    const images = chat.images.length;
    await dispatch(event, chat);
    const replies = chat.posts.filter((p) => p.target.threadTs === event.ts);
    const uploaded = chat.images.slice(images);
    expect(replies.length + uploaded.length, text).toBe(1);
    const reply = replies[0];
    return { text: reply?.message.text ?? '', all: reply ? RecordingChatPort.textOf(reply.message) : '', message: reply?.message, image: uploaded[0]?.image };
  }
  return { say, chat, service };
}

describe('forecast and graph find hosts as `host` does (demo inventory + demo data)', () => {
  let opsbot: Awaited<ReturnType<typeof bot>>;
  beforeAll(async () => {
    opsbot = await bot(createYamlInventorySource({ file: DEMO_INVENTORY, now: () => NOW }), createDemoAlertData({ now: () => NOW }));
  });

  it('forecast by IPv4, IPv6, display name (with spaces, quoted or not), custom identifier and host id', async () => {
    const byIp = await opsbot.say('forecast 10.1.2.1');
    expect(byIp.text).toMatch(/^\*web-01\* \(shop web 1\) forecast\n/);
    expect(byIp.text).toContain('/dev/xvda1');
    expect(byIp.text).toContain('memory');
    expect((await opsbot.say('forecast fd00:1::1')).text).toMatch(/^\*web-01\*/);
    expect((await opsbot.say('forecast shop web 1')).text).toMatch(/^\*web-01\* \(shop web 1\) forecast/);
    const quoted = await opsbot.say('forecast “shop web 1” memory');
    expect(quoted.text).toMatch(/^\*web-01\*/);
    expect(quoted.text).not.toContain('/dev/');
    expect((await opsbot.say('forecast shop web 1 memory')).text).not.toContain('/dev/');
    expect((await opsbot.say('forecast ショップDB プライマリ')).text).toMatch(/^\*db-01\* \(ショップDB プライマリ\) forecast\n[\s\S]*\/dev\/xvdb1\* \(91%\)/);
    expect((await opsbot.say('forecast i-0abc1234db01')).text).toMatch(/^\*db-01\*/);
    expect((await opsbot.say('forecast 3FqDb01aaaa disk')).text).toMatch(/^\*db-01\*/);
    expect((await opsbot.say('forecast WEB-02')).text).toMatch(/^\*web-02\*/);
  });

  it('a misspelt host gets the same "did you mean" as `host`', async () => {
    const forecast = await opsbot.say('forecast wbe-01');
    expect(forecast.all).toContain('No host matches `wbe-01`. Did you mean `web-01`');
    expect(forecast.message).toEqual((await opsbot.say('host wbe-01')).message);
    expect((await opsbot.say('graph wbe-01 disk')).message).toEqual(forecast.message);
  });

  it('an address no host has, and a pattern that cannot be matched, are explained', async () => {
    const ip = await opsbot.say('forecast 10.9.9.9');
    expect(ip.all).toContain('No host matches `10.9.9.9`');
    expect(ip.all).toContain('No interface of any host has that address.');
    const bad = await opsbot.say('graph web-[z-a] disk');
    expect(bad.all).toMatch(/range|pattern/i);
    expect(bad.all).not.toContain('Something went wrong');
  });

  it('graph <ip> disk uploads the forecast graph of that host', async () => {
    const reply = await opsbot.say('graph 10.1.2.1 disk');
    expect(reply.image?.title).toBe('web-01 disk /dev/xvda1 usage');
    expect(reply.image?.filename).toBe('web-01-disk.png');
    const spaced = await opsbot.say('graph shop web 1 loadavg5 6h');
    expect(spaced.image?.title).toBe('web-01 loadavg5, last 6 h');
    expect(spaced.image?.altText).toContain('6 h');
    expect((await opsbot.say('graph fd00:1::1 memory 2d')).image?.title).toBe('web-01 memory usage, last 2 days');
  });

  it('a pattern matching several hosts lists them and asks which one; one matching exactly one host is used', async () => {
    const forecast = await opsbot.say('forecast web-0*');
    expect(forecast.text).toBe('web-0* matches 6 hosts; which one?');
    expect(forecast.all).toContain('`web-0*` matches 6 hosts. Which one? For example `forecast web-01`.');
    for (const n of [1, 2, 3, 4, 5, 6]) expect(forecast.all).toContain(`web-0${n}`);
    const graph = await opsbot.say('graph web-0? disk 2d');
    expect(graph.all).toContain('For example `graph web-01 disk 2d`.');
    expect(graph.image).toBeUndefined();
    expect((await opsbot.say('forecast db-01*')).text).toMatch(/^\*db-01\*/);
    expect((await opsbot.say('forecast 192.168.30.1')).text).toMatch(/^\*db-01\*/); // db-01's second interface
  });

  it('a host in the inventory with no metrics in the data says so, for forecast and graph', async () => {
    expect((await opsbot.say('forecast web-03')).text).toBe(':warning: web-03 posts no metrics: the demo data has none for it.');
    expect((await opsbot.say('graph 10.1.2.5 disk')).text).toBe(':warning: web-05 posts no metrics: the demo data has none for it (the host is maintenance).');
    expect((await opsbot.say('forecast web-01 loadavg5')).text).toContain('no used/size pair');
    expect((await opsbot.say('graph web-01 nosuch.metric')).text).toContain('web-01 has no metric `nosuch.metric`');
  });

  it('usage is explained before any lookup', async () => {
    expect((await opsbot.say('forecast')).text).toBe(':warning: usage: forecast &lt;host&gt; [metric]');
    expect((await opsbot.say('graph web-01')).text).toContain('usage: graph &lt;host&gt; &lt;metric&gt;');
    expect((await opsbot.say('graph shop web 1')).text).toContain('usage: graph &lt;host&gt; &lt;metric&gt;');
    expect((await opsbot.say('graph web-01 disk 3w')).text).toContain('range `3w` is not understood');
  });

  it("every demo-set host id is the demo inventory's id of that name", async () => {
    const inventory = await createYamlInventorySource({ file: DEMO_INVENTORY, now: () => NOW }).load();
    const data = createDemoAlertData({ now: () => NOW });
    for (const host of inventory.hosts) {
      const known = await data.getHost(host.id);
      if (known) expect(known.name).toBe(host.name);
    }
    for (const name of ['web-01', 'web-02', 'db-01', 'batch-01', 'blog-app-01']) {
      const host = inventory.hosts.find((h) => h.name === name)!;
      expect((await data.getHost(host.id))?.name, name).toBe(name);
    }
  });
});

describe('when the inventory cannot be loaded', () => {
  it('forecast and graph say so plainly, without exception text', async () => {
    const failing: InventorySource = {
      load: async () => {
        throw new Error('ECONNRESET at 10.0.0.1:443 secret-ish detail');
      },
    };
    const opsbot = await bot(failing, createDemoAlertData({ now: () => NOW }));
    const reply = await opsbot.say('forecast web-01');
    expect(reply.text).toMatch(/^:warning: The host inventory could not be loaded/);
    expect(reply.all).not.toContain('ECONNRESET');
    const told: InventorySource = {
      load: async () => {
        throw new OpsbotError('inventory_file', { file: 'hosts.yaml', problem: { kind: 'unreadable', errno: 'EACCES' } }, { message: 'inventory file /etc/opsbot/hosts.yaml: EACCES' });
      },
    };
    expect((await (await bot(told, createDemoAlertData({ now: () => NOW }))).say('graph web-01 disk')).text).toMatch(
      /^:warning: The inventory file `hosts\.yaml` could not be read \(`EACCES`\)\./,
    );
  });
});

describe('forecast and graph against the Mackerel simulator', () => {
  let sim: MackerelSim;
  let opsbot: Awaited<ReturnType<typeof bot>>;
  beforeAll(async () => {
    sim = await startMackerelSim({ orgName: 'acme', now: () => NOW });
    sim.addHost({
      id: 'HWEB01',
      name: 'web-01',
      displayName: 'shop web 1',
      status: 'working',
      createdAt: NOW - 86400 * 100,
      roles: { shop: ['web'] },
      interfaces: [{ name: 'eth0', ipv4Addresses: ['10.1.2.1'], ipv6Addresses: ['2001:db8::1'] }],
    });
    sim.addHost({ id: 'HWEB03', name: 'web-03', status: 'working', createdAt: NOW - 86400, roles: { shop: ['web'] }, interfaces: [] });
    sim.addHost({
      id: 'HWEB02',
      name: 'web-02',
      status: 'standby',
      createdAt: NOW - 86400,
      roles: { shop: ['web'] },
      interfaces: [{ name: 'eth0', ipv4Addresses: ['10.1.2.2'], ipv6Addresses: [] }],
    });
    const disk = linearDisk({ now: NOW, size: 100 * GiB, percentNow: 85, etaSeconds: 6 * 3600 });
    sim.setSeries('HWEB01', 'filesystem.xvdb1.used', disk.used);
    sim.setSeries('HWEB01', 'filesystem.xvdb1.size', disk.size);
    const client = createMackerelClient({ apiKey: sim.apiKey, baseUrl: sim.url, log, retries: 0, timeoutMs: 5000 });
    opsbot = await bot(createMackerelInventorySource({ client, now: () => NOW }), createMackerelAlertData({ client, now: () => NOW, perSecond: 100 }));
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('finds hosts by address and display name from the inventory, never by a per-command host search', async () => {
    const reply = await opsbot.say('forecast 10.1.2.1');
    expect(reply.text).toMatch(/^\*web-01\* \(shop web 1\) forecast\n• \*\/dev\/xvdb1\* \(85%\): full in \*6 h( \d+ min)?\* \(.+ – .+\), around \d\d:\d\d JST: /);
    expect((await opsbot.say('forecast shop web 1')).text).toMatch(/^\*web-01\*/);
    expect((await opsbot.say('graph 2001:db8::1 disk')).image?.title).toBe('web-01 disk /dev/xvdb1 usage');
    expect((await opsbot.say('forecast wbe-01')).all).toContain('Did you mean `web-01`');
    // The inventory listed hosts once; no command searched hosts by name.
    expect(sim.requests.filter((r) => r.startsWith('/api/v0/hosts?'))).toEqual([]);
    expect(sim.calls.get('GET /api/v0/hosts')).toBe(1);
  });

  it('a host Mackerel has no metrics for says so', async () => {
    expect((await opsbot.say('forecast web-02')).text).toBe(':warning: web-02 posts no metrics: Mackerel has none for it (the host is standby).');
    expect((await opsbot.say('graph 10.1.2.2 disk')).text).toBe(':warning: web-02 posts no metrics: Mackerel has none for it (the host is standby).');
  });

  it('a metric-names failure is worded for people, with no exception text', async () => {
    sim.failNext(1, 500, { route: 'GET /api/v0/hosts/:id/metric-names' });
    const reply = await opsbot.say('forecast web-03');
    expect(reply.text).toBe(':warning: Could not fetch the metrics of web-03: Mackerel is having trouble (HTTP 500). Try again in a minute.');
  });
});
