import { describe, expect, it } from 'vitest';
import { generateOrg } from './sim/generate-org.ts';
import { buildHostIndex, buildHostIndexInSlices } from '../src/services/inventory/host-index.ts';
import { toInventoryHost } from '../src/services/inventory/mackerel-source.ts';
import { parseHostList, parseHostListInSlices } from '../src/services/mackerel/parse.ts';

/** Counts how often other work got the event loop while `work` ran. */
async function turnsGivenAway<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const result = await work();
  running = false;
  return { result, turns };
}

describe('a 10,000-host refresh shares the event loop', () => {
  const org = generateOrg({ hosts: 10_000, orgName: 'acme' });

  it('checks the host listing in slices, with the same result as in one go', async () => {
    const body = JSON.parse(JSON.stringify({ hosts: org.hosts })) as unknown;
    const { result, turns } = await turnsGivenAway(() => parseHostListInSlices(body));
    expect(turns).toBeGreaterThanOrEqual(19);
    expect(result).toEqual(parseHostList(body));
  });

  it('builds the index in slices, answering the same as one built in one go', async () => {
    const snapshot = { orgName: 'acme', hosts: org.hosts.map(toInventoryHost), services: [], fetchedAt: 0, origin: 'Mackerel' };
    const { result, turns } = await turnsGivenAway(() => buildHostIndexInSlices(snapshot));
    expect(turns).toBeGreaterThanOrEqual(10);
    const whole = buildHostIndex(snapshot);
    expect(result.hosts.map((h) => h.id)).toEqual(whole.hosts.map((h) => h.id));
    expect(result.matchPattern('web-1*').length).toBe(whole.matchPattern('web-1*').length);
  });

  it('sorts names naturally', () => {
    const hosts = ['web-10', 'web-2', 'Web-1', 'db-01', 'wéb-3'].map((name, i) => ({ id: `H${i}`, name, status: 'working' as const, roles: {}, interfaces: [] }));
    expect(buildHostIndex({ orgName: 'x', hosts, services: [], fetchedAt: 0, origin: 'x' }).hosts.map((h) => h.name)).toEqual(['db-01', 'Web-1', 'web-2', 'wéb-3', 'web-10']);
  });
});
