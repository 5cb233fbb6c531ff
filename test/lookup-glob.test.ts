import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StepBudget } from '../src/services/inventory/budget.ts';
import { foldCase, globMatches, matchGlob, MAX_PATTERN_LENGTH, parseGlob } from '../src/services/inventory/glob.ts';
import { buildHostIndex } from '../src/services/inventory/host-index.ts';
import type { InventoryHost } from '../src/services/inventory/types.ts';

/**
 * A deliberately naive reference: recursive backtracking straight over the pattern text, with
 * its own reading of brackets (the set closes at the first `]` after its first member).
 * Exponential, so only for short inputs. Answers 'invalid' for a reversed range.
 */
function reference(pattern: string, name: string): boolean | 'invalid' {
  let invalid = false;
  const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  const go = (i: number, j: number): boolean => {
    if (i === pattern.length) return j === name.length;
    const c = pattern[i]!;
    if (c === '*') {
      for (let k = j; k <= name.length; k++) if (go(i + 1, k)) return true;
      return false;
    }
    if (j === name.length) {
      // still check the rest for reversed ranges
      scanForInvalid(i);
      return false;
    }
    if (c === '?') return go(i + 1, j + 1);
    if (c === '[') {
      let k = i + 1;
      const negated = pattern[k] === '!' || pattern[k] === '^';
      if (negated) k++;
      const close = pattern.indexOf(']', k + 1);
      if (close >= 0) {
        const body = pattern.slice(k, close);
        const ch = name[j]!;
        let hit = false;
        for (let x = 0; x < body.length;) {
          if (body[x + 1] === '-' && x + 2 < body.length) {
            const [lo, hi] = [body[x]!, body[x + 2]!];
            if (lo > hi) invalid = true;
            for (const v of [ch, ch.toLowerCase(), ch.toUpperCase()]) if (v >= lo && v <= hi) hit = true;
            x += 3;
          } else {
            if (eq(body[x]!, ch)) hit = true;
            x++;
          }
        }
        return hit !== negated && go(close + 1, j + 1);
      }
    }
    return eq(c, name[j]!) && go(i + 1, j + 1);
  };
  const scanForInvalid = (from: number) => {
    for (let i = from; i < pattern.length; i++) {
      if (pattern[i] !== '[') continue;
      let k = i + 1;
      if (pattern[k] === '!' || pattern[k] === '^') k++;
      const close = pattern.indexOf(']', k + 1);
      if (close < 0) continue;
      const body = pattern.slice(k, close);
      for (let x = 0; x < body.length;) {
        if (body[x + 1] === '-' && x + 2 < body.length) {
          if (body[x]! > body[x + 2]!) invalid = true;
          x += 3;
        } else x++;
      }
      i = close;
    }
  };
  scanForInvalid(0);
  const result = go(0, 0);
  return invalid ? 'invalid' : result;
}

const patternChars = fc.constantFrom('a', 'b', 'A', 'z', '0', '-', '*', '?', '[', ']', '!', '^', '.', '(', '+');
const nameChars = fc.constantFrom('a', 'b', 'A', 'B', 'z', 'Z', '0', '-', '[', ']', '!', '.', '_');
const smallPattern = fc.array(patternChars, { maxLength: 8 }).map((a) => a.join(''));
const smallName = fc.array(nameChars, { maxLength: 8 }).map((a) => a.join(''));

/** The bound the matcher promises: about two steps per (pattern character, name character) pair. */
const stepBound = (patternLength: number, nameLength: number) => 2 * (patternLength + 1) * (nameLength + 1);

function stepsOf(pattern: string, name: string): number {
  const parsed = parseGlob(pattern, { maxLength: Number.POSITIVE_INFINITY });
  if (!parsed.ok) return 0;
  const budget = new StepBudget(Number.POSITIVE_INFINITY);
  matchGlob(parsed.glob, foldCase(name), budget);
  return budget.used;
}

describe('glob matcher', () => {
  it('matches *, ?, [abc], [a-z], [!a-z] case-insensitively, everything else literally', () => {
    expect(globMatches('web-*', 'WEB-01')).toBe(true);
    expect(globMatches('web-0?', 'web-01')).toBe(true);
    expect(globMatches('web-0?', 'web-012')).toBe(false);
    expect(globMatches('web-0[123]', 'web-02')).toBe(true);
    expect(globMatches('web-0[1-3]', 'web-04')).toBe(false);
    expect(globMatches('web-[!0-9]*', 'web-a1')).toBe(true);
    expect(globMatches('web-[!0-9]*', 'web-11')).toBe(false);
    expect(globMatches('web-[^0-9]*', 'web-11')).toBe(false);
    expect(globMatches('DB-[A-C]', 'db-b')).toBe(true);
    expect(globMatches('db-[a-c]', 'DB-B')).toBe(true);
    expect(globMatches('[]]x', ']x')).toBe(true);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('x[', 'x[')).toBe(true);
    expect(globMatches('*', '')).toBe(true);
    expect(globMatches('', '')).toBe(true);
    expect(globMatches('?', '')).toBe(false);
  });

  it('reports a reversed range and an over-long pattern as problems, never throwing', () => {
    const reversed = parseGlob('web-[z-a]');
    expect(reversed).toEqual({ ok: false, problem: { kind: 'reversed-range', set: '[z-a]', low: 'z', high: 'a' } });
    const long = parseGlob('a'.repeat(MAX_PATTERN_LENGTH + 1));
    expect(long).toEqual({ ok: false, problem: { kind: 'too-long', length: 201, max: 200 } });
    expect(parseGlob('a'.repeat(MAX_PATTERN_LENGTH)).ok).toBe(true);
    expect(globMatches('web-[z-a]', 'web-a')).toBe(false);
  });

  it('agrees with a naive reference matcher on short patterns and names (property)', () => {
    fc.assert(
      fc.property(smallPattern, smallName, (pattern, name) => {
        const expected = reference(pattern, name);
        const parsed = parseGlob(pattern);
        if (expected === 'invalid') return !parsed.ok;
        return parsed.ok && matchGlob(parsed.glob, foldCase(name)) === expected;
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with an anchored case-insensitive RegExp on bracket-free patterns (property)', () => {
    const noBrackets = fc.array(fc.constantFrom('a', 'b', 'A', '-', '*', '?', '.', '+'), { maxLength: 10 }).map((a) => a.join(''));
    fc.assert(
      fc.property(noBrackets, smallName, (pattern, name) => {
        const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+-]/, '\\$&'))).join('');
        return globMatches(pattern, name) === new RegExp(`^${source}$`, 'is').test(name);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on any text and stays within 2·(L+1)·(N+1) steps (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'binary' }), fc.string({ maxLength: 64, unit: 'binary' }), (pattern, name) => {
        expect(stepsOf(pattern, name)).toBeLessThanOrEqual(stepBound(pattern.length, name.length));
      }),
      { numRuns: 1000 },
    );
    // Star-heavy patterns are the expensive ones: a*a*a*…b against aaaa….
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('*', 'a', '?', '[a-b]', 'b'), { maxLength: 60 }).map((a) => a.join('')),
        fc.array(fc.constantFrom('a', 'b'), { maxLength: 64 }).map((a) => a.join('')),
        (pattern, name) => {
          expect(stepsOf(pattern, name)).toBeLessThanOrEqual(stepBound(pattern.length, name.length));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('counts quadratic, not exponential, steps for the classic catastrophic patterns', () => {
    const name = 'a'.repeat(64);
    const pattern = `${'a*'.repeat(100)}b`;
    const steps = stepsOf(pattern, name);
    expect(steps).toBeLessThanOrEqual(stepBound(pattern.length, name.length));
    const tail = `*${'a'.repeat(150)}b`;
    const long = 'a'.repeat(300);
    expect(stepsOf(tail, long)).toBeGreaterThan(150 * 100); // genuinely quadratic…
    expect(stepsOf(tail, long)).toBeLessThanOrEqual(stepBound(tail.length, long.length)); // …and no worse
    expect(stepsOf(`web-${'*'.repeat(1000)}x`, 'web-0001-and-a-long-tail')).toBeLessThan(100);
  });

  it('stops when the budget is spent and says so', () => {
    // Worst case for the algorithm: a long almost-matching run after the last star.
    const parsed = parseGlob(`*${'a'.repeat(50)}b`);
    if (!parsed.ok) throw new Error(parsed.problem.kind);
    const budget = new StepBudget(500);
    expect(matchGlob(parsed.glob, 'a'.repeat(200), budget)).toBe(false);
    expect(budget.exhausted).toBe(true);
    // Spent budgets stay spent: later calls do no work.
    const used = budget.used;
    expect(matchGlob(parsed.glob, 'a'.repeat(200), budget)).toBe(false);
    expect(budget.used).toBe(used);
  });
});

describe('pattern scans over 10,000 hosts', () => {
  const hosts: InventoryHost[] = Array.from({ length: 10_000 }, (_, i) => ({
    id: `id${i}`,
    name: `web-${String(i).padStart(5, '0')}`,
    ...(i % 7 === 0 ? { displayName: `shop web #${i}` } : {}),
    status: 'working',
    roles: { shop: ['web'] },
    interfaces: [],
  }));
  const index = buildHostIndex({ orgName: 'acme', origin: 'test', fetchedAt: 0, hosts, services: [] });

  it('matches 1,000 stars and an x against every host in a few steps per host', () => {
    const parsed = parseGlob(`web-${'*'.repeat(1000)}x`, { maxLength: Number.POSITIVE_INFINITY });
    if (!parsed.ok) throw new Error(parsed.problem.kind);
    const budget = new StepBudget(4_000_000);
    expect(index.matchPattern(parsed.glob, budget)).toEqual([]);
    expect(budget.exhausted).toBe(false);
    // Each name (and display name) is scanned about once: linear in the inventory.
    expect(budget.used).toBeLessThanOrEqual(hosts.length * 2 * 3 * 12);
  });

  it('answers a costly pattern with a "too expensive" outcome instead of scanning on', () => {
    const pattern = '*????z';
    const budget = new StepBudget(100_000);
    const result = index.findPattern(pattern, budget);
    expect(result).toEqual({ kind: 'too-expensive' });
    // It stopped soon after the limit: at most one name's worth of steps over.
    expect(budget.used).toBeLessThanOrEqual(100_000 + stepBound(pattern.length, 20));
  });

  it('reports an invalid pattern with its reason', () => {
    expect(index.findPattern('web-[9-0]')).toEqual({ kind: 'invalid', problem: { kind: 'reversed-range', set: '[9-0]', low: '9', high: '0' } });
    expect(index.matchPattern('web-[9-0]')).toEqual([]);
    expect(index.findPattern('WEB-0000?')).toMatchObject({ kind: 'hosts', hosts: hosts.slice(0, 10) });
  });
});
