import { describe, expect, it } from 'vitest';
import { buildHostIndex } from '../src/services/inventory/host-index.ts';
import type { InventoryHost } from '../src/services/inventory/types.ts';
import { resolveHost, resolveHostWords, type HostResolution } from '../src/services/lookup/resolve-host.ts';

function host(name: string, id: string, extra: Partial<InventoryHost> = {}): InventoryHost {
  return { id, name, status: 'working', roles: { shop: ['web'] }, interfaces: [], ...extra };
}

const index = buildHostIndex({
  orgName: 'acme',
  origin: 'test',
  fetchedAt: 0,
  services: [],
  hosts: [
    host('web-01', 'H1', { displayName: 'shop web 1', interfaces: [{ name: 'eth0', ipv4Addresses: ['10.0.0.1'], ipv6Addresses: ['2001:db8::1'] }] }),
    host('web-02', 'H2', { displayName: 'shop web', interfaces: [{ name: 'eth0', ipv4Addresses: ['10.0.0.9'], ipv6Addresses: [] }] }),
    host('web-03', 'H3', { displayName: 'shop web', customIdentifier: 'i-0003', interfaces: [{ name: 'eth0', ipv4Addresses: ['10.0.0.9'], ipv6Addresses: [] }] }),
    host('db-01', 'H4'),
  ],
});

const names = (r: HostResolution) => (r.kind === 'host' ? [r.host.name] : r.kind === 'ambiguous' ? r.hosts.map((h) => h.name) : []);

describe('resolveHost: the matching `host` uses, narrowed to one host', () => {
  it('one host by name, id, custom identifier, display name or address', () => {
    for (const text of ['web-01', 'WEB-01', 'H1', 'shop web 1', '10.0.0.1', '2001:DB8:0::1', ' web-01 ']) expect(names(resolveHost(index, text)), text).toEqual(['web-01']);
    expect(names(resolveHost(index, 'i-0003'))).toEqual(['web-03']);
    expect(names(resolveHost(index, 'db-0?'))).toEqual(['db-01']);
  });

  it('several hosts are candidates, with the scope the lookup renderers use', () => {
    expect(resolveHost(index, 'web-*')).toMatchObject({ kind: 'ambiguous', query: 'web-*', scope: { kind: 'pattern', pattern: 'web-*' } });
    expect(names(resolveHost(index, '10.0.0.9'))).toEqual(['web-02', 'web-03']);
    expect(names(resolveHost(index, 'shop web'))).toEqual(['web-02', 'web-03']);
  });

  it('nothing found: the nearest names, or a hint for addresses and patterns', () => {
    expect(resolveHost(index, 'wbe-01')).toMatchObject({ kind: 'not-found', what: 'host', query: 'wbe-01', suggestions: expect.arrayContaining(['web-01']) });
    expect(resolveHost(index, '10.9.9.9')).toMatchObject({ kind: 'not-found', suggestions: [], hint: { code: 'no-address' } });
    expect(resolveHost(index, 'zz-*')).toMatchObject({ kind: 'not-found', hint: { code: 'no-pattern-match' } });
    expect(resolveHost(index, 'web-[z-a]')).toMatchObject({ kind: 'usage', usage: { code: 'pattern-reversed-range' } });
    expect(resolveHost(index, '  ')).toMatchObject({ kind: 'usage', usage: { code: 'host-required' } });
  });
});

describe("resolveHostWords: the host among a command's words", () => {
  it('a display name with spaces, longest first, leaving the rest', () => {
    expect(resolveHostWords(index, ['shop', 'web', '1', 'disk', '2d'])).toMatchObject({ resolution: { kind: 'host', host: { name: 'web-01' } }, rest: ['disk', '2d'] });
    const shared = resolveHostWords(index, ['shop', 'web', 'disk']);
    expect(names(shared.resolution)).toEqual(['web-02', 'web-03']);
    expect(shared.rest).toEqual(['disk']);
  });

  it('quoted names, straight or curly', () => {
    expect(resolveHostWords(index, ['"shop', 'web', '1"', 'memory'])).toMatchObject({ resolution: { host: { name: 'web-01' } }, rest: ['memory'] });
    expect(resolveHostWords(index, ['“shop', 'web', '1”'])).toMatchObject({ resolution: { host: { name: 'web-01' } }, rest: [] });
    expect(resolveHostWords(index, ['"web-01"', 'disk'])).toMatchObject({ resolution: { host: { name: 'web-01' } }, rest: ['disk'] });
    // An unclosed quote is part of the word.
    expect(resolveHostWords(index, ['"web-01', 'disk']).resolution.kind).toBe('not-found');
  });

  it('otherwise the first word alone', () => {
    expect(resolveHostWords(index, ['10.0.0.1', 'loadavg5', '6h'])).toMatchObject({ resolution: { host: { name: 'web-01' } }, rest: ['loadavg5', '6h'] });
    expect(resolveHostWords(index, ['nosuch', 'disk'])).toMatchObject({ resolution: { kind: 'not-found', query: 'nosuch' }, rest: ['disk'] });
    expect(resolveHostWords(index, [])).toMatchObject({ resolution: { kind: 'usage' }, rest: [] });
    const many = Array.from({ length: 5000 }, () => 'x');
    expect(resolveHostWords(index, many).rest).toHaveLength(4999);
  });
});
