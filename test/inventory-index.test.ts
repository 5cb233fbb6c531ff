import { describe, expect, it } from 'vitest';
import { closestMatches, editDistance } from '../src/services/inventory/edit-distance.ts';
import { globMatches } from '../src/services/inventory/glob.ts';
import { buildHostIndex, countByStatus } from '../src/services/inventory/host-index.ts';
import { normalizeIp } from '../src/services/inventory/ip.ts';
import { toInventoryHost } from '../src/services/inventory/mackerel-source.ts';
import type { InventorySnapshot } from '../src/services/inventory/types.ts';
import { generateOrg } from './sim/generate-org.ts';

function snapshotOf(hostCount: number): InventorySnapshot {
  const org = generateOrg({ hosts: hostCount, seed: 11 });
  return { orgName: 'acme', hosts: org.hosts.map(toInventoryHost), services: org.services, fetchedAt: 0, origin: 'test' };
}

describe('host index', () => {
  const snapshot = snapshotOf(2000);
  const index = buildHostIndex(snapshot);

  it('finds hosts by name (any case), display name, custom identifier and id', () => {
    const host = snapshot.hosts.find((h) => h.displayName)!;
    expect(index.byName(host.name.toUpperCase())).toEqual([host]);
    expect(index.byName(host.displayName!)).toEqual([host]);
    expect(index.byName(host.id)).toEqual([host]);
    expect(index.byId(host.id)).toBe(host);
    expect(index.byName('no-such-host')).toEqual([]);
  });

  it('finds hosts by every IPv4 and IPv6 address of every interface, in any IPv6 spelling', () => {
    const withTwo = snapshot.hosts.find((h) => h.interfaces.length === 2 && h.interfaces[0]!.ipv6Addresses.length)!;
    expect(index.byIp(withTwo.interfaces[0]!.ipv4Addresses[0]!)).toEqual([withTwo]);
    expect(index.byIp(withTwo.interfaces[1]!.ipv4Addresses[0]!)).toEqual([withTwo]);
    const v6 = withTwo.interfaces[0]!.ipv6Addresses[0]!; // e.g. fd00:0::1
    expect(index.byIp(v6)).toEqual([withTwo]);
    const expanded = v6.replace('::', ':0::').toUpperCase();
    expect(index.byIp(expanded)).toEqual([withTwo]);
    expect(index.byIp('10.255.255.255')).toEqual([]);
    expect(index.byIp('not-an-ip')).toEqual([]);
  });

  it('lists hosts by role and service, sorted by name with numbers in order', () => {
    const web = index.inRole('SHOP', 'web');
    expect(web.length).toBe(snapshot.hosts.filter((h) => h.roles.shop?.includes('web')).length);
    expect(web.map((h) => h.name)).toEqual([...web.map((h) => h.name)].sort());
    expect(index.inService('blog').every((h) => h.roles.blog)).toBe(true);
    expect(index.inRole('shop', 'nope')).toEqual([]);
    expect(index.service('Shop')!.roles).toEqual(['app', 'batch', 'cache', 'db', 'web']);
    expect(countByStatus(web)).toEqual({
      working: web.filter((h) => h.status === 'working').length,
      standby: web.filter((h) => h.status === 'standby').length,
      maintenance: web.filter((h) => h.status === 'maintenance').length,
      poweroff: web.filter((h) => h.status === 'poweroff').length,
    });
  });

  it('matches glob patterns on names and display names', () => {
    expect(index.matchPattern('web-000?').map((h) => h.name)).toEqual(['web-0001', 'web-0002', 'web-0003', 'web-0004', 'web-0005', 'web-0006', 'web-0007', 'web-0008', 'web-0009']);
    expect(index.matchPattern('*-0001').length).toBe(15);
    expect(index.matchPattern('DB-001[0-2]').map((h) => h.name)).toEqual(['db-0010', 'db-0011', 'db-0012']);
    expect(index.matchPattern('shop web #*').every((h) => h.roles.shop?.includes('web') && h.displayName)).toBe(true);
    expect(index.matchPattern('(.*)+')).toEqual([]);
  });

  it('suggests the nearest names and services for a near miss', () => {
    expect(index.suggestHostNames('wbe-0001')).toEqual(['web-0001']);
    expect(index.suggestHostNames('web-00001')).toEqual(['web-0001']);
    expect(index.suggestHostNames('zzzzzzzz')).toEqual([]);
    expect(index.suggestServices('shpo')).toEqual(['shop']);
  });
});

describe('index helpers', () => {
  it('normalizes IPv4 and IPv6 and rejects other text', () => {
    expect(normalizeIp('10.1.2.3')).toBe('10.1.2.3');
    expect(normalizeIp('[FD00:0:0::1]')).toBe('fd00::1');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('10.1.2')).toBeUndefined();
    expect(normalizeIp('web-01')).toBeUndefined();
  });

  it('matches globs without letting regex syntax through', () => {
    expect(globMatches('web-*', 'WEB-01')).toBe(true);
    expect(globMatches('db-?', 'db-12')).toBe(false);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('x[', 'x[')).toBe(true);
    expect(globMatches('(.*)+', '(.*)+')).toBe(true);
    expect(globMatches('(.*)+', 'aaaa')).toBe(false);
  });

  it('counts edits with transpositions and stops past the maximum', () => {
    expect(editDistance('web-01', 'web-01')).toBe(0);
    expect(editDistance('wbe-01', 'web-01')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abcdefgh', 'zzzzzzzz', 2)).toBe(3);
    expect(closestMatches('hots', ['host', 'hosts', 'roles'])).toEqual(['host', 'hosts']);
    expect(closestMatches('rol', ['role', 'roles'])).toEqual(['role']);
  });
});
