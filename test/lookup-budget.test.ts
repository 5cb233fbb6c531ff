import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LOOKUP_MATCH_STEPS, LOOKUP_SUGGEST_STEPS } from '../src/services/inventory/budget.ts';
import { buildHostIndex } from '../src/services/inventory/host-index.ts';
import { toInventoryHost } from '../src/services/inventory/mackerel-source.ts';
import { createLookup } from '../src/services/lookup/lookup.ts';
import type { LookupResult } from '../src/services/lookup/types.ts';
import { generateOrg } from './sim/generate-org.ts';

const org = generateOrg({ hosts: 10_000, seed: 5 });
const index = buildHostIndex({ orgName: 'acme', origin: 'test', fetchedAt: 0, hosts: org.hosts.map(toInventoryHost), services: org.services });

/** A lookup that records the steps of its last query. */
function meteredLookup(options: { matchSteps?: number; suggestSteps?: number } = {}) {
  const spent: { match: number; suggest: number }[] = [];
  const lookup = createLookup({ ...options, onSteps: (s) => spent.push(s) });
  return { lookup, last: () => spent.at(-1)! };
}

describe('lookup work bounds', () => {
  it('answers 1,000 stars and an x with a clear usage message, not a scan', () => {
    const { lookup, last } = meteredLookup();
    const result = lookup.host(index, [`web-${'*'.repeat(1000)}x`]);
    expect(result).toMatchObject({ kind: 'usage', usage: { code: 'pattern-too-long', length: 1005, max: 200 } });
    expect(last().match).toBe(0);
    expect(lookup.hosts(index, [`${'*'.repeat(300)}`, 'working'])).toMatchObject({ kind: 'usage' });
  });

  it('answers a reversed range with a usage message naming it', () => {
    const { lookup } = meteredLookup();
    expect(lookup.host(index, ['web-[z-a]'])).toMatchObject({ kind: 'usage', usage: { code: 'pattern-reversed-range', set: '[z-a]', low: 'z', high: 'a' } });
    expect(lookup.hosts(index, ['db-[9-0]*'])).toMatchObject({ kind: 'usage', usage: { code: 'pattern-reversed-range', set: '[9-0]' } });
    // Among several terms, too: the bad one is named.
    expect(lookup.host(index, ['web-0001', 'db-[9-0]'])).toMatchObject({ kind: 'usage', usage: { code: 'pattern-reversed-range', set: '[9-0]' } });
  });

  it('a star-heavy pattern of 200 characters over 10,000 hosts stays within the step budget', () => {
    const { lookup, last } = meteredLookup();
    const pattern = `${'*?'.repeat(99)}*x`;
    const result = lookup.host(index, [pattern]);
    expect(['not-found', 'usage']).toContain(result.kind);
    expect(last().match).toBeLessThanOrEqual(LOOKUP_MATCH_STEPS + 2 * 201 * 40);
  });

  it('says the pattern is too expensive once a query spends its budget, and stops there', () => {
    const { lookup, last } = meteredLookup({ matchSteps: 50_000 });
    const result = lookup.hosts(index, ['*?????z']);
    expect(result).toMatchObject({ kind: 'usage', usage: { code: 'pattern-too-expensive', pattern: '*?????z' } });
    expect(last().match).toBeLessThanOrEqual(50_000 + 2 * 8 * 40);
    // Twenty patterns in one message share one budget.
    const many = lookup.host(
      index,
      Array.from({ length: 20 }, (_, i) => `*${i}?????z`),
    );
    expect(many.kind).toBe('usage');
    expect(last().match).toBeLessThanOrEqual(50_000 + 2 * 10 * 40);
  });

  it('an ordinary pattern costs a few steps per host', () => {
    const { lookup, last } = meteredLookup();
    const result = lookup.hosts(index, ['web-*']);
    expect(result.kind).toBe('hosts');
    expect(last().match).toBeLessThan(10_000 * 2 * 10);
  });

  it('"did you mean" over 10,000 names is bounded too, and still finds a near miss', () => {
    const { lookup, last } = meteredLookup();
    expect(lookup.host(index, ['wbe-0001'])).toMatchObject({ kind: 'not-found', suggestions: ['web-0001'] });
    expect(last().suggest).toBeLessThanOrEqual(LOOKUP_SUGGEST_STEPS);
    // Twenty misses in one message: suggestions stop at the budget, the answer still comes.
    const words = Array.from({ length: 20 }, (_, i) => `zz-${String(i).padStart(4, '0')}`);
    expect(lookup.host(index, words).kind).toBe('hosts');
    expect(last().suggest).toBeLessThanOrEqual(LOOKUP_SUGGEST_STEPS + 100 * 7);
    // A very long word is not compared at all.
    lookup.host(index, ['w'.repeat(5000)]);
    expect(last().suggest).toBe(0);
  });
});

/** Words people (and fuzzers) might type: glob syntax, colons, addresses, statuses, junk. */
const word = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ maxLength: 300, unit: 'binary' }),
  fc.array(fc.constantFrom('*', '?', '[', ']', '!', '^', '-', 'a', 'z', 'web', 'db', ':', 'shop', '0', '1'), { maxLength: 40 }).map((a) => a.join('')),
  fc.constantFrom(
    'shop:web',
    'shop:',
    'web',
    'working',
    'standby',
    'stanby',
    'poweroff',
    '10.0.0.1',
    '[fd00::1]',
    'fe80::1%eth0',
    '%%%%',
    'web-[z-a]',
    '__proto__',
    'constructor',
    'toString',
  ),
  fc.ipV4(),
  fc.ipV6(),
);

describe('lookup fuzzing', () => {
  const small = buildHostIndex({ orgName: 'acme', origin: 'test', fetchedAt: 0, hosts: org.hosts.slice(0, 300).map(toInventoryHost), services: org.services });
  const kinds = new Set<LookupResult['kind']>(['host', 'hosts', 'roles', 'services', 'not-found', 'usage']);

  it('never throws on any arguments, answers a known kind, and stays within its budgets', () => {
    const spent: { match: number; suggest: number }[] = [];
    const lookup = createLookup({ matchSteps: 200_000, suggestSteps: 200_000, onSteps: (s) => spent.push(s) });
    fc.assert(
      fc.property(fc.constantFrom('host', 'hosts', 'role', 'roles', 'services'), fc.array(word, { maxLength: 25 }), (command, args) => {
        const result = command === 'services' ? lookup.services(small) : lookup[command](small, args);
        expect(kinds.has(result.kind)).toBe(true);
        if (result.kind === 'usage') expect(result.usage.code).toMatch(/^[a-z-]+$/);
        const last = spent.at(-1);
        if (last) {
          // At most one name's worth of work past the limit (pattern ≤ 200 chars, names here ≤ 20).
          expect(last.match).toBeLessThanOrEqual(200_000 + 2 * 201 * 21);
          expect(last.suggest).toBeLessThanOrEqual(200_000 + 100 * 7);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
