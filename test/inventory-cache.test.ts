import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OpsbotError } from '../src/core/errors.ts';
import { createSilentLogger } from '../src/core/logger.ts';
import { createInventoryCache } from '../src/services/inventory/cache.ts';
import { createMackerelInventorySource } from '../src/services/inventory/mackerel-source.ts';
import { createMackerelClient } from '../src/services/mackerel/client.ts';
import { generateOrg } from './sim/generate-org.ts';
import { MackerelSim } from './sim/mackerel-sim.ts';

const LISTING = 'GET /api/v0/hosts';
let sim: MackerelSim;
let clock: number;

beforeEach(async () => {
  sim = new MackerelSim({ hosts: generateOrg({ hosts: 500, seed: 3 }).hosts, orgName: 'acme' });
  await sim.start();
  clock = 1_000_000;
});
afterEach(() => sim.stop());

function cache(ttlSeconds = 300) {
  const log = createSilentLogger();
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
    expect(after.refreshError).toMatch(/Mackerel is having trouble \(HTTP 503\)/);
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
    expect((error as OpsbotError).userMessage).toMatch(/having trouble.*no cached inventory/s);
    await expect(inventory.get()).rejects.toThrow(OpsbotError);
    expect(sim.callCount('GET /api/v0/org')).toBe(2);
    clock += 61;
    expect((await inventory.get()).snapshot.hosts).toHaveLength(500);
  });
});
