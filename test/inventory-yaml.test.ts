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

  it('names the bad entry and key with a problem code, worded from the catalogue', async () => {
    const problem = async (name: string, text: string) => (await loadError(write(name, text))).details.problem;
    expect(await problem('bad-status.yaml', 'hosts:\n  - name: web-04\n    status: broken\n')).toEqual({
      kind: 'not_one_of',
      path: 'hosts[0] (web-04).status',
      options: ['working', 'standby', 'maintenance', 'poweroff'],
    });
    expect(await problem('bad-ip.yaml', 'hosts:\n  - name: web-09\n    ips: [10.0.0.300]\n')).toEqual({ kind: 'bad_format', path: 'hosts[0] (web-09).ips[0]', format: 'ip' });
    expect(await problem('bad-key.yaml', 'hosts:\n  - name: web-01\n    rolez: []\n')).toEqual({ kind: 'unknown_keys', path: 'hosts[0] (web-01)', keys: ['rolez'] });
    expect(await problem('bad-role.yaml', 'hosts:\n  - name: web-01\n    roles: [web]\n')).toEqual({ kind: 'bad_format', path: 'hosts[0] (web-01).roles[0]', format: 'role' });
    expect(await problem('bad-date.yaml', 'hosts:\n  - name: web-01\n    createdAt: someday\n')).toEqual({ kind: 'bad_format', path: 'hosts[0] (web-01).createdAt', format: 'date' });
    expect(await problem('no-name.yaml', 'hosts:\n  - status: working\n')).toEqual({ kind: 'missing', path: 'hosts[0].name' });
    expect(await problem('empty-name.yaml', 'hosts:\n  - name: ""\n')).toEqual({ kind: 'empty', path: 'hosts[0].name' });
    expect(await problem('roles-text.yaml', 'hosts:\n  - name: web-01\n    roles: shop:web\n')).toEqual({ kind: 'wrong_type', path: 'hosts[0] (web-01).roles', expected: 'list' });
    expect(await problem('no-hosts.yaml', 'org: acme\n')).toEqual({ kind: 'missing', path: 'hosts' });
    expect(await problem('top-key.yaml', 'hosts: []\nhostz: []\n')).toEqual({ kind: 'unknown_keys', keys: ['hostz'] });
    expect(await problem('bad-url.yaml', 'orgUrl: nope\nhosts: []\n')).toEqual({ kind: 'bad_format', path: 'orgUrl', format: 'url' });
  });

  it('words the problem in each language with none of zod’s own English', async () => {
    const error = await loadError(write('bad-status-words.yaml', 'hosts:\n  - name: web-04\n    status: broken\n'));
    const en = createPresenter({ language: 'en', timeZone: 'UTC' }).error(error).text;
    const ja = createPresenter({ language: 'ja', timeZone: 'UTC' }).error(error).text;
    expect(en).toBe(
      'The inventory file `bad-status-words.yaml` is not valid: `hosts[0] (web-04).status` should be one of `working`, `standby`, `maintenance`, `poweroff`. See `docs/inventory.md`.',
    );
    expect(ja).toBe(
      'インベントリファイル `bad-status-words.yaml` が正しくありません: `hosts[0] (web-04).status` は `working`、`standby`、`maintenance`、`poweroff` のいずれかにしてください。`docs/inventory.md` を確認してください。',
    );
    for (const text of [en, ja]) expect(text).not.toMatch(/Invalid|expected|received/);
    // The operators' log keeps an English line.
    expect(error.message).toMatch(/bad-status-words\.yaml: hosts\[0\] \(web-04\)\.status: expected one of working/);
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
      'services[1].name: not a valid name',
      'hosts[1] (web-04).status: expected one of working, standby, maintenance, poweroff',
      'hosts[2] (OK-01): name repeats hosts[0] (ok-01)',
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

  it('reports an unreadable file and broken YAML by code, without the parser’s text', async () => {
    const missing = await loadError(join(dir, 'missing.yaml'));
    expect(missing.details).toEqual({ file: 'missing.yaml', problem: { kind: 'unreadable', errno: 'ENOENT' } });
    expect(words(missing)).toBe('The inventory file `missing.yaml` does not exist. Check the path opsbot is configured with.');
    const broken = await loadError(write('broken.yaml', 'hosts:\n  - name: a\n  - [\n'));
    expect(broken.details.problem).toEqual({ kind: 'not_yaml', line: expect.any(Number) });
    expect(words(broken)).toMatch(/^The inventory file `broken\.yaml` is not valid YAML \(line \d+\)\./);
    expect((await loadError(write('empty.yaml', ''))).details.problem).toEqual({ kind: 'not_mapping' });
    expect((await loadError(write('list.yaml', '- a\n'))).details.problem).toEqual({ kind: 'not_mapping' });
  });

  it('names a host whose name or id repeats an earlier one', async () => {
    const file = write('dups.yaml', 'hosts:\n  - name: web-01\n    id: h1\n  - name: WEB-01\n  - name: web-02\n    id: h1\n');
    const snapshot = await createYamlInventorySource({ file }).load();
    expect(snapshot.skipped?.examples).toEqual(['hosts[1] (WEB-01): name repeats hosts[0] (web-01)', 'hosts[2] (web-02): id h1 repeats hosts[0] (web-01)']);
  });
});
