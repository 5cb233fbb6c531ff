import { describe, expect, it } from 'vitest';
import { buildHostIndex } from '../src/services/inventory/host-index.ts';
import type { InventoryHost } from '../src/services/inventory/types.ts';
import { createLookup } from '../src/services/lookup/lookup.ts';

const h = (name: string, status: InventoryHost['status'], roles: Record<string, string[]>, ip: string, extra: Partial<InventoryHost> = {}): InventoryHost => ({
  id: `id-${name}`,
  name,
  status,
  roles,
  interfaces: [{ name: 'eth0', ipv4Addresses: [ip], ipv6Addresses: [] }],
  ...extra,
});
const index = buildHostIndex({
  orgName: 'acme',
  origin: 'test',
  fetchedAt: 0,
  services: [{ name: 'shop', roles: ['web', 'db'] }],
  hosts: [
    h('web-01', 'working', { shop: ['web'] }, '10.0.0.1', { displayName: 'front 1' }),
    h('web-02', 'standby', { shop: ['web'] }, '10.0.0.2'),
    h('web-10', 'poweroff', { shop: ['web'] }, '10.0.0.10'),
    h('db-01', 'maintenance', { shop: ['db'] }, '10.0.1.1'),
    h('app-01', 'working', { blog: ['app'] }, '10.0.2.1'),
  ],
});
const lookup = createLookup();
const names = (r: ReturnType<typeof lookup.host>) => (r.kind === 'hosts' ? r.hosts.map((x) => x.name) : r.kind === 'host' ? [r.host.name] : r.kind);

describe('lookup queries', () => {
  it('host: one name → details; several terms → a list with misses; IPs and patterns', () => {
    expect(lookup.host(index, ['WEB-01'])).toMatchObject({ kind: 'host', host: { name: 'web-01' } });
    // A display name with spaces arrives as several words.
    expect(lookup.host(index, ['Front', '1'])).toMatchObject({ kind: 'host', host: { name: 'web-01' } });
    expect(names(lookup.host(index, ['10.0.0.10']))).toEqual(['web-10']);
    expect(names(lookup.host(index, ['web-*']))).toEqual(['web-01', 'web-02', 'web-10']);
    expect(names(lookup.host(index, ['web-0?']))).toEqual(['web-01', 'web-02']);
    const mixed = lookup.host(index, ['db-01', 'web-02', 'wbe-10']);
    expect(names(mixed)).toEqual(['db-01', 'web-02']);
    expect(mixed).toMatchObject({ misses: [{ term: 'wbe-10', suggestions: ['web-10'] }] });
    expect(lookup.host(index, [])).toMatchObject({ kind: 'usage' });
    expect(lookup.host(index, ['nope-99'])).toMatchObject({ kind: 'not-found', what: 'host', suggestions: [] });
  });

  it('hosts: service, service:role, pattern or everything, with status filters', () => {
    expect(names(lookup.hosts(index, ['shop:web', 'standby', 'poweroff']))).toEqual(['web-02', 'web-10']);
    expect(lookup.hosts(index, ['shop:web', 'standby'])).toMatchObject({ counts: { standby: 1, working: 0 }, statuses: ['standby'] });
    expect(names(lookup.hosts(index, ['shop']))).toEqual(['db-01', 'web-01', 'web-02', 'web-10']);
    expect(names(lookup.hosts(index, ['blog']))).toEqual(['app-01']);
    expect(names(lookup.hosts(index, ['*-01', 'working']))).toEqual(['app-01', 'web-01']);
    expect(names(lookup.hosts(index, ['maintenance']))).toEqual(['db-01']);
    expect(names(lookup.hosts(index, []))).toHaveLength(5);
    expect(lookup.hosts(index, ['shop:web', 'stanby'])).toMatchObject({ kind: 'usage', usage: { code: 'unknown-status', word: 'stanby', suggestions: ['standby'] } });
    expect(lookup.hosts(index, ['shpo'])).toMatchObject({ kind: 'not-found', what: 'service', suggestions: ['shop'] });
  });

  it('role accepts service:role, "service: role" and "service role"; unknown roles list the real ones', () => {
    for (const args of [['shop:web'], ['shop:', 'web'], ['shop', 'web']]) {
      // "shop web" is two words; only the colon forms name a role.
      const r = lookup.role(index, args);
      if (args.length === 2 && !args[0]!.endsWith(':')) expect(r.kind).toBe('usage');
      else expect(names(r)).toEqual(['web-01', 'web-02', 'web-10']);
    }
    expect(lookup.role(index, ['shop:cache'])).toMatchObject({ kind: 'not-found', what: 'role', hint: { code: 'roles-of', service: 'shop', roles: ['db', 'web'] } });
    expect(lookup.role(index, ['shop'])).toMatchObject({ kind: 'usage', usage: { code: 'role-of-service', service: 'shop', roles: ['db', 'web'] } });
  });

  it('roles and services count hosts per status', () => {
    expect(lookup.roles(index, ['shop'])).toMatchObject({
      kind: 'roles',
      roles: [
        { name: 'db', total: 1 },
        { name: 'web', total: 3, counts: { working: 1, standby: 1, poweroff: 1 } },
      ],
    });
    const services = lookup.services(index);
    expect(services).toMatchObject({
      kind: 'services',
      services: [
        { name: 'blog', total: 1, roles: ['app'] },
        { name: 'shop', total: 4 },
      ],
    });
  });
});
