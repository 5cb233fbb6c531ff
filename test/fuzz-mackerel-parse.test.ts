import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildHostIndex } from '../src/services/inventory/host-index.ts';
import { toInventoryHost } from '../src/services/inventory/mackerel-source.ts';
import { parseInventoryDocument } from '../src/services/inventory/yaml-source.ts';
import {
  parseAlert,
  parseAlertPage,
  parseCheckMonitor,
  parseHost,
  parseHostList,
  parseLatest,
  parseMetricNames,
  parseMetricPoints,
  parseMonitor,
  parseMonitorList,
  parseOrg,
  parseRoleList,
  parseServiceList,
} from '../src/services/mackerel/parse.ts';
import { HOST_STATUSES } from '../src/services/mackerel/types.ts';
import { createLookup } from '../src/services/lookup/lookup.ts';

/** Any JSON value, including the awkward keys a hostile or buggy server could send. */
const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, '', 0, -1, 1e308, '1700000000', 'NaN', [], {}, { __proto__: null }, JSON.parse('{"__proto__": {"x": 1}}') as unknown),
);

/** Sometimes the right type, often not. */
const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: junk });
/** Object with each key sometimes missing. */
const shaped = (fields: Record<string, fc.Arbitrary<unknown>>) => fc.record(fields, { requiredKeys: [] });

const id = fc.stringMatching(/^[A-Za-z0-9]{4,11}$/);
const hostShaped = shaped({
  id: maybe(id),
  name: maybe(fc.stringMatching(/^[a-z]{1,6}-\d{2}$/)),
  displayName: maybe(fc.string({ maxLength: 12 })),
  customIdentifier: maybe(fc.oneof(fc.string(), fc.constant(null))),
  status: maybe(fc.constantFrom(...HOST_STATUSES, 'Working', 'POWEROFF', 'retired')),
  memo: maybe(fc.string()),
  isRetired: maybe(fc.boolean()),
  createdAt: maybe(fc.oneof(fc.integer({ min: 0, max: 2_000_000_000 }), fc.constant(0))),
  roles: maybe(fc.dictionary(fc.constantFrom('shop', 'blog', '__proto__', 'constructor', 'toString'), maybe(fc.array(maybe(fc.constantFrom('web', 'db', 'app')), { maxLength: 3 })))),
  interfaces: maybe(
    fc.array(
      maybe(
        shaped({
          name: maybe(fc.constantFrom('eth0', 'eth1')),
          ipAddress: maybe(fc.ipV4()),
          ipv4Addresses: maybe(fc.array(maybe(fc.ipV4()), { maxLength: 2 })),
          ipv6Addresses: maybe(fc.array(maybe(fc.ipV6()), { maxLength: 2 })),
        }),
      ),
      { maxLength: 3 },
    ),
  ),
});

/** A host the parser must keep: required fields right, the rest anything. */
const validHost = fc
  .tuple(hostShaped, id, fc.stringMatching(/^[a-z]{1,6}-\d{2}$/), fc.constantFrom(...HOST_STATUSES))
  .map(([h, i, name, status]) => ({ ...(h as object), id: i, name, status }));

const alertShaped = shaped({
  id: maybe(id),
  status: maybe(fc.constantFrom('OK', 'CRITICAL', 'WARNING', 'UNKNOWN', 'critical', 'BROKEN')),
  monitorId: maybe(id),
  type: maybe(fc.constantFrom('host', 'connectivity', 'check', 'expression')),
  hostId: maybe(id),
  value: maybe(fc.double()),
  openedAt: maybe(fc.integer({ min: 0, max: 2_000_000_000 })),
  closedAt: maybe(fc.integer({ min: 0, max: 2_000_000_000 })),
  message: maybe(fc.string()),
  series: maybe(shaped({ name: maybe(fc.string()), labels: maybe(fc.dictionary(fc.string(), junk)) })),
});

const monitorShaped = shaped({
  id: maybe(id),
  type: maybe(fc.constantFrom('host', 'expression', 'service')),
  name: maybe(fc.string()),
  warning: maybe(fc.oneof(fc.double(), fc.constant(null))),
  critical: maybe(fc.oneof(fc.double(), fc.constant(null))),
  operator: maybe(fc.constantFrom('>', '<', '>=')),
  scopes: maybe(fc.array(maybe(fc.string()))),
  duration: maybe(fc.integer()),
  isMute: maybe(fc.boolean()),
});

const pointShaped = shaped({ time: maybe(fc.integer({ min: 0, max: 2_000_000_000 })), value: maybe(fc.double({ noNaN: true })) });

const runs = { numRuns: 400 };

describe('Mackerel parsers under fuzzing', () => {
  it('never throw on any JSON body whatever the endpoint', () => {
    const parsers = [
      parseHostList,
      parseHost,
      parseServiceList,
      parseRoleList,
      parseOrg,
      parseAlert,
      parseAlertPage,
      parseMonitor,
      parseMonitorList,
      parseCheckMonitor,
      parseMetricPoints,
      parseMetricNames,
      parseLatest,
    ];
    fc.assert(
      fc.property(junk, fc.constantFrom('hosts', 'host', 'services', 'roles', 'alerts', 'alert', 'monitors', 'monitor', 'check', 'metrics', 'names', 'tsdbLatest', 'org'), (value, key) => {
        for (const parse of parsers) {
          parse(value);
          parse({ [key]: value });
          parse({ [key]: [value, value] });
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('host lists: keep every valid host, skip and count the others, and the index and lookups work on the result', () => {
    const lookup = createLookup();
    fc.assert(
      fc.property(fc.array(fc.oneof(validHost, hostShaped, junk), { maxLength: 25 }), (list) => {
        const parsed = parseHostList(JSON.parse(JSON.stringify({ hosts: list })));
        expect(parsed.missing).toBeUndefined();
        expect(parsed.items.length + parsed.skipped).toBe(list.length);
        expect(parsed.examples.length).toBe(Math.min(3, parsed.skipped));
        const snapshot = { orgName: 'acme', origin: 'fuzz', fetchedAt: 0, services: [], hosts: parsed.items.map(toInventoryHost) };
        for (const h of snapshot.hosts) {
          expect(HOST_STATUSES).toContain(h.status);
          for (const roles of Object.values(h.roles)) expect(Array.isArray(roles)).toBe(true);
          if (h.createdAt !== undefined) expect(h.createdAt).toBeGreaterThan(0);
        }
        const index = buildHostIndex(snapshot);
        expect(lookup.hosts(index, []).kind).toBe('hosts');
        lookup.services(index);
      }),
      runs,
    );
    fc.assert(
      fc.property(fc.array(validHost, { maxLength: 10 }), (list) => {
        const parsed = parseHostList(JSON.parse(JSON.stringify({ hosts: list })));
        expect(parsed.skipped).toBe(0);
        expect(parsed.items.map((h) => h.id)).toEqual(list.map((h) => h.id));
      }),
      runs,
    );
  });

  it('alerts, monitors and metric points: valid ones kept, the rest counted', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(alertShaped, junk), { maxLength: 20 }), (list) => {
        const page = parseAlertPage(JSON.parse(JSON.stringify({ alerts: list, nextId: 'abc' })));
        expect(page.items.length + page.skipped).toBe(list.length);
        for (const a of page.items) {
          expect(['OK', 'CRITICAL', 'WARNING', 'UNKNOWN']).toContain(a.status);
          expect(typeof a.openedAt).toBe('number');
        }
      }),
      runs,
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(monitorShaped, junk), { maxLength: 20 }), (list) => {
        const parsed = parseMonitorList(JSON.parse(JSON.stringify({ monitors: list })));
        expect(parsed.items.length + parsed.skipped).toBe(list.length);
        for (const m of parsed.items) {
          expect(typeof m.id).toBe('string');
          if (m.warning !== undefined && m.warning !== null) expect(Number.isFinite(m.warning)).toBe(true);
          if (m.scopes !== undefined) expect(m.scopes.every((s) => typeof s === 'string')).toBe(true);
        }
      }),
      runs,
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(pointShaped, junk), { maxLength: 30 }), (list) => {
        const parsed = parseMetricPoints(JSON.parse(JSON.stringify({ metrics: list })));
        expect(parsed.items.length + parsed.skipped).toBe(list.length);
        for (const p of parsed.items) expect(Number.isFinite(p.time) && Number.isFinite(p.value)).toBe(true);
      }),
      runs,
    );
  });

  it('normalises the common oddities instead of dropping the host', () => {
    const parsed = parseHostList({
      hosts: [
        { id: 'a1', name: 'web-01', status: 'Working', roles: { shop: 'web' }, interfaces: null, createdAt: 0 },
        { id: 'a2', name: 'web-02', status: 'standby', roles: null, createdAt: '1700000000' },
        { id: 3, name: 'web-03', status: 'poweroff', roles: { shop: ['web', 7, null] }, interfaces: [{ ipv4Addresses: ['10.0.0.3'] }] },
        { id: 'a4', name: 'web-04', status: 'gone' },
        { name: 'web-05', status: 'working' },
      ],
    });
    expect(parsed.items.map((h) => toInventoryHost(h))).toEqual([
      { id: 'a1', name: 'web-01', status: 'working', roles: { shop: ['web'] }, interfaces: [] },
      { id: 'a2', name: 'web-02', status: 'standby', roles: {}, interfaces: [], createdAt: 1_700_000_000 },
      { id: '3', name: 'web-03', status: 'poweroff', roles: { shop: ['web'] }, interfaces: [{ name: 'if0', ipv4Addresses: ['10.0.0.3'], ipv6Addresses: [] }] },
    ]);
    expect(parsed.skipped).toBe(2);
    expect(parsed.examples).toEqual(['hosts[3] (web-04): status: unknown host status "gone"', expect.stringMatching(/^hosts\[4\] \(web-05\): id: /)]);
    expect(parseHostList({ host: [] }).missing).toMatch(/no "hosts" list/);
    expect(parseLatest({ tsdbLatest: { h1: { 'cpu.user': { time: '100', value: '2.5' }, bad: { time: 1 }, missing: null } } })).toEqual({
      items: [['h1', { 'cpu.user': { time: 100, value: 2.5 } }]],
      skipped: 1,
      examples: [expect.stringMatching(/^tsdbLatest\.h1\.bad: value/)],
    });
  });

  it('the YAML inventory: any document either loads (with the bad entries counted) or is a clear file error', () => {
    const yamlHost = shaped({
      name: maybe(fc.stringMatching(/^[a-z]{1,5}-\d$/)),
      status: maybe(fc.constantFrom(...HOST_STATUSES, 'broken')),
      roles: maybe(fc.array(maybe(fc.constantFrom('shop:web', 'constructor:app', 'web', '__proto__:x')), { maxLength: 3 })),
      ips: maybe(fc.array(maybe(fc.oneof(fc.ipV4(), fc.ipV6())), { maxLength: 2 })),
      createdAt: maybe(fc.oneof(fc.integer({ min: 0, max: 2_000_000_000 }), fc.constant('2024-08-15'))),
    });
    fc.assert(
      fc.property(
        fc.oneof(junk, shaped({ org: maybe(fc.string()), hosts: maybe(fc.array(fc.oneof(yamlHost, junk), { maxLength: 10 })), services: maybe(fc.array(junk, { maxLength: 3 })) })),
        (doc) => {
          let snapshot;
          try {
            snapshot = parseInventoryDocument(doc, 'fuzz.yaml', 0);
          } catch (error) {
            expect((error as Error).name).toBe('InventoryFileError');
            return;
          }
          const hosts = (doc as { hosts: unknown[] }).hosts;
          expect(snapshot.hosts.length + (snapshot.skipped?.count ?? 0)).toBeGreaterThanOrEqual(hosts.length);
          for (const h of snapshot.hosts) if (h.createdAt !== undefined) expect(h.createdAt).toBeGreaterThan(0);
          buildHostIndex(snapshot);
        },
      ),
      runs,
    );
  });
});
