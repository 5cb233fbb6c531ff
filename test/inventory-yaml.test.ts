import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildHostIndex } from '../src/services/inventory/host-index.ts';
import { createYamlInventorySource, InventoryFileError } from '../src/services/inventory/yaml-source.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';

/** The English sentence people read about a failure. */
const words = (error: unknown) => createPresenter({ language: 'en', timeZone: 'UTC' }).error(error).text;

const dir = mkdtempSync(join(tmpdir(), 'opsbot-inventory-'));
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
async function loadError(file: string): Promise<InventoryFileError> {
  const error = await createYamlInventorySource({ file })
    .load()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InventoryFileError);
  return error as InventoryFileError;
}

describe('local YAML inventory', () => {
  it('loads the demo file: 25 hosts, three services, every status, IPv6 and Japanese names', async () => {
    const snapshot = await createYamlInventorySource({ file: resolve('demo/inventory.yaml'), now: () => 123 }).load();
    expect(snapshot.hosts).toHaveLength(25);
    expect(snapshot.fetchedAt).toBe(123);
    expect(snapshot.origin).toBe('inventory.yaml');
    expect(new Set(snapshot.hosts.map((h) => h.status))).toEqual(new Set(['working', 'standby', 'maintenance', 'poweroff']));
    const index = buildHostIndex(snapshot);
    expect(index.services().map((s) => s.name)).toEqual(['blog', 'infra', 'shop']);
    expect(index.byName('ショップDB プライマリ').map((h) => h.name)).toEqual(['db-01']);
    expect(index.byIp('192.168.30.1').map((h) => h.name)).toEqual(['db-01']);
    expect(index.byIp('fd00:1::2').map((h) => h.name)).toEqual(['web-02']);
    expect(index.inRole('shop', 'web').map((h) => h.name)).toContain('proxy-01');
    expect(index.byName('db-01')[0]!.createdAt).toBe(Date.parse('2024-08-15') / 1000);
  });

  it('fills defaults: id from the name, status working, services from host roles', async () => {
    const file = write('min.yaml', 'hosts:\n  - name: solo\n    roles: ["svc:app"]\n    ips: [10.9.9.9]\n');
    const snapshot = await createYamlInventorySource({ file }).load();
    expect(snapshot.orgName).toBe('local');
    expect(snapshot.orgUrl).toBeUndefined();
    expect(snapshot.hosts[0]).toMatchObject({ id: 'local-solo', status: 'working', roles: { svc: ['app'] } });
    expect(snapshot.services).toEqual([{ name: 'svc', roles: ['app'] }]);
  });

  it('names the bad entry and key', async () => {
    const bad = write('bad-status.yaml', 'hosts:\n  - name: web-04\n    status: broken\n');
    expect(words(await loadError(bad))).toMatch(/hosts\[0\] \(web-04\)\.status/);
    const ip = write('bad-ip.yaml', 'hosts:\n  - name: web-09\n    ips: [10.0.0.300]\n');
    expect(words(await loadError(ip))).toMatch(/hosts\[0\] \(web-09\)\.ips\[0\]: not an IPv4 or IPv6 address/);
    const key = write('bad-key.yaml', 'hosts:\n  - name: web-01\n    rolez: []\n');
    expect(words(await loadError(key))).toMatch(/hosts\[0\] \(web-01\): unknown key\(s\) rolez/);
    const role = write('bad-role.yaml', 'hosts:\n  - name: web-01\n    roles: [web]\n');
    expect(words(await loadError(role))).toMatch(/roles\[0\]: expected "service:role"/);
    expect(words(await loadError(write('no-hosts.yaml', 'org: acme\n')))).toMatch(/hosts: /);
  });

  it('leaves out bad entries one by one, says which, and loads the rest', async () => {
    const file = write(
      'partial.yaml',
      [
        'services:',
        '  - name: shop',
        '  - name: "bad service!"',
        'hosts:',
        '  - name: ok-01',
        '    roles: ["shop:web", "constructor:app"]',
        '    createdAt: 0',
        '  - name: web-04',
        '    status: broken',
        '  - name: OK-01',
        '  - name: web-05',
        '    roles: web',
        '  - 42',
        '  - name: ok-02',
        '    createdAt: 2024-08-15',
        '',
      ].join('\n'),
    );
    const snapshot = await createYamlInventorySource({ file }).load();
    expect(snapshot.hosts.map((h) => h.name)).toEqual(['ok-01', 'ok-02']);
    expect(snapshot.skipped?.count).toBe(5);
    expect(snapshot.skipped?.examples).toEqual([
      expect.stringMatching(/^services\[1\]\.name: letters, digits/),
      expect.stringMatching(/^hosts\[1\] \(web-04\)\.status/),
      'hosts[2] (OK-01): name repeats hosts[0]',
    ]);
    // A service called "constructor" is just a name; 0 means "created at an unknown time".
    expect(snapshot.hosts[0]).toMatchObject({ roles: { shop: ['web'], constructor: ['app'] } });
    expect(snapshot.hosts[0]!.createdAt).toBeUndefined();
    expect(snapshot.hosts[1]!.createdAt).toBe(Date.parse('2024-08-15') / 1000);
    expect(
      buildHostIndex(snapshot)
        .inRole('constructor', 'app')
        .map((h) => h.name),
    ).toEqual(['ok-01']);
  });

  it('reports an unreadable file and broken YAML clearly', async () => {
    expect(words(await loadError(join(dir, 'missing.yaml')))).toMatch(/missing\.yaml.*cannot read it \(ENOENT\)/);
    expect(words(await loadError(write('broken.yaml', 'hosts: [\n')))).toMatch(/not valid YAML/);
    expect(words(await loadError(write('empty.yaml', '')))).toMatch(/\(top level\)/);
  });
});
