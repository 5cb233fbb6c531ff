import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsbotError } from '../src/core/errors.ts';
import { createLogger, createSilentLogger } from '../src/core/logger.ts';
import type { MackerelHost } from '../src/services/mackerel/types.ts';
import { createLogSink } from './helpers/log-sink.ts';
import { createInventoryCache } from '../src/services/inventory/cache.ts';
import { createMackerelInventorySource } from '../src/services/inventory/mackerel-source.ts';
import { createMackerelClient } from '../src/services/mackerel/client.ts';
import { generateOrg } from './sim/generate-org.ts';
import { MackerelSim } from './sim/mackerel-sim.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';

/** The English sentences people read about a failure. */
const words = (error: unknown) => createPresenter({ language: 'en', timeZone: 'UTC' }).error(error).text;

const LISTING = 'GET /api/v0/hosts';
let sim: MackerelSim;
let clock: number;

beforeEach(async () => {
  sim = new MackerelSim({ hosts: generateOrg({ hosts: 500, seed: 3 }).hosts, orgName: 'acme' });
  await sim.start();
  clock = 1_000_000;
});
afterEach(() => sim.stop());

function cache(ttlSeconds = 300, log = createSilentLogger()) {
  const client = createMackerelClient({ apiKey: sim.apiKey, baseUrl: sim.url, log, retries: 1, sleep: async () => undefined });
  return createInventoryCache({ source: createMackerelInventorySource({ client }), ttlSeconds, now: () => clock, log });
}

describe('inventory cache', () => {
  it('loads once for 100 concurrent lookups and not again within the TTL', async () => {
    const inventory = cache();
    const views = await Promise.all(Array.from({ length: 100 }, () => inventory.get()));
    expect(new Set(views.map((v) => v.snapshot)).size).toBe(1);
    expect(views[0]!.snapshot.hosts).toHaveLength(500);
    expect(views[0]!.snapshot.orgUrl).toBe('https://mackerel.io/orgs/acme');
    expect(sim.callCount(LISTING)).toBe(1);
    expect(sim.requests.find((r) => r.startsWith('GET /api/v0/hosts?'))).toMatch(/status=maintenance&status=poweroff/);

    clock += 299;
    await Promise.all(Array.from({ length: 100 }, () => inventory.get()));
    expect(sim.callCount(LISTING)).toBe(1);
    expect(inventory.stats()).toEqual({ loads: 1, failures: 0 });
  });

  it('serves stale data at once past the TTL while one background refresh runs', async () => {
    const inventory = cache();
    await inventory.get();
    const extra = { ...sim.hosts[0]!, id: 'newHost0001', name: 'fresh-0001' };
    sim.addHost(extra);
    clock += 301;
    const views = await Promise.all(Array.from({ length: 100 }, () => inventory.get()));
    for (const v of views) {
      expect(v.index.byName('fresh-0001')).toEqual([]);
      expect(v.ageSeconds).toBe(301);
      expect(v.refreshError).toBeUndefined();
    }
    const refreshed = await inventory.refresh(); // joins the refresh already running
    expect(sim.callCount(LISTING)).toBe(2);
    expect(refreshed.index.byName('fresh-0001').map((h) => h.id)).toEqual(['newHost0001']);
    expect((await inventory.get()).ageSeconds).toBe(0);
  });

  it('keeps the last good snapshot when a refresh fails, and says how old it is', async () => {
    const inventory = cache();
    await inventory.get();
    sim.failNext(100, 503);
    clock += 600;
    const stale = await inventory.get();
    expect(stale.snapshot.hosts).toHaveLength(500);
    const after = await inventory.refresh();
    expect(after.snapshot.hosts).toHaveLength(500);
    expect(after.ageSeconds).toBe(600);
    expect(after.refreshError?.code).toBe('mackerel');
    expect(words(after.refreshError)).toMatch(/Mackerel is having trouble \(HTTP 503\)/);
    expect(inventory.stats().failures).toBe(1);
    // Within the retry interval nobody hammers a failing Mackerel.
    const calls = sim.callCount(LISTING);
    clock += 10;
    await Promise.all(Array.from({ length: 50 }, () => inventory.get()));
    expect(sim.callCount(LISTING)).toBe(calls);
  });

  it('with no data yet, a failing Mackerel gives a clear error, then retries only after the interval', async () => {
    sim.failNext(2, 500, { route: 'GET /api/v0/org' });
    const inventory = cache();
    const error = await inventory.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpsbotError);
    expect((error as OpsbotError).code).toBe('inventory_unavailable');
    expect(words(error)).toMatch(/having trouble.*no cached inventory/s);
    await expect(inventory.get()).rejects.toThrow(OpsbotError);
    expect(sim.callCount('GET /api/v0/org')).toBe(2);
    clock += 61;
    expect((await inventory.get()).snapshot.hosts).toHaveLength(500);
  });

  it('skips hosts Mackerel sends in an unexpected shape, keeps the rest, and logs once per refresh', async () => {
    const base = sim.hosts[0]!;
    const junk = (fields: Record<string, unknown>) => ({ ...base, ...fields }) as unknown as MackerelHost;
    sim.hosts.push(
      junk({ id: 'oddRoles01', name: 'odd-roles-01', roles: { shop: 'web', blog: null } }),
      junk({ id: 'nullIfaces1', name: 'null-ifaces-01', interfaces: null, createdAt: 0 }),
      junk({ id: 'strNumbers1', name: 'str-numbers-01', createdAt: '1700000000', roles: 'not-a-map' }),
      junk({ id: undefined, name: 'no-id-01' }),
      junk({ id: 'noName0001', name: null }),
      junk({ id: 'badIface01', name: 'bad-iface-01', interfaces: [null, { name: 'eth0', ipv4Addresses: '10.99.0.1', ipv6Addresses: [1, 'fd00::99'] }] }),
    );
    const sink = createLogSink();
    const inventory = cache(300, createLogger({ level: 'info', destination: sink.stream }));
    const view = await inventory.get();
    expect(view.snapshot.hosts).toHaveLength(504);
    expect(view.snapshot.skipped).toEqual({ count: 2, examples: [expect.stringMatching(/^hosts\[\d+\] \(no-id-01\): id: /), expect.stringMatching(/^hosts\[\d+\] \(noName0001\): name: /)] });
    expect(view.index.byName('odd-roles-01')[0]!.roles).toEqual({ shop: ['web'], blog: [] });
    expect(view.index.inRole('shop', 'web').map((h) => h.name)).toContain('odd-roles-01');
    const nullIfaces = view.index.byName('null-ifaces-01')[0]!;
    expect(nullIfaces.interfaces).toEqual([]);
    expect(nullIfaces.createdAt).toBeUndefined(); // 0 is unknown, not 1970
    expect(view.index.byName('str-numbers-01')[0]).toMatchObject({ createdAt: 1_700_000_000, roles: {} });
    expect(view.index.byIp('10.99.0.1').map((h) => h.name)).toEqual(['bad-iface-01']);
    expect(view.index.byIp('fd00::99').map((h) => h.name)).toEqual(['bad-iface-01']);

    const lines = (msg: string) => sink.lines.map((l) => JSON.parse(l) as { msg: string; skipped?: number; examples?: string[] }).filter((l) => l.msg === msg);
    // The client's line (with reasons) and the cache's load line, once per refresh, not per lookup.
    expect(lines('mackerel response items skipped')).toEqual([expect.objectContaining({ skipped: 2, examples: expect.any(Array) })]);
    expect(lines('inventory loaded; some entries skipped')).toEqual([expect.objectContaining({ skipped: 2, hosts: 504 })]);
    clock += 10;
    await Promise.all(Array.from({ length: 20 }, () => inventory.get()));
    expect(lines('mackerel response items skipped')).toHaveLength(1);
    clock += 301;
    await inventory.refresh();
    expect(lines('mackerel response items skipped')).toHaveLength(2);
    expect(lines('inventory loaded; some entries skipped')).toHaveLength(2);
  });
});
