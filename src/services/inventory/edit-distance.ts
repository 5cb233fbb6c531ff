import type { StepBudget } from './budget.ts';

/** Words longer than this get no "did you mean" (no host name is that long by mistake). */
export const MAX_SUGGEST_WORD = 100;

let scratch = new Float64Array(384);

/**
 * Edit distance with adjacent transpositions (optimal string alignment), so `wbe-01` is one
 * edit from `web-01`. With a finite `max` it only computes the diagonal band of width
 * 2·max+1 and stops early once the distance must exceed `max` (then returns `max + 1`), so
 * it costs O(length · max) rather than O(length²). Each computed cell is charged to `budget`;
 * when that is spent it gives up and returns `max + 1`.
 * Small enough to own; a dependency would not be faster for names this short.
 */
export function editDistance(a: string, b: string, max = Infinity, budget?: StepBudget): number {
  const over = max + 1;
  if (Math.abs(a.length - b.length) > max) return over;
  const big = Number.isFinite(max) ? over : Number.POSITIVE_INFINITY;
  const width = b.length + 1;
  // Three rows from one reused scratch buffer: no allocation per candidate.
  if (scratch.length < width * 3) scratch = new Float64Array(width * 3 * 2);
  let before = scratch.subarray(0, width).fill(big);
  let prev = scratch.subarray(width, width * 2);
  let row = scratch.subarray(width * 2, width * 3).fill(big);
  for (let j = 0; j < width; j++) prev[j] = j <= max ? j : big;
  let prevBest = 0;
  for (let i = 1; i <= a.length; i++) {
    const lo = Math.max(1, i - max);
    const hi = Math.min(b.length, i + max);
    row[lo - 1] = lo === 1 ? (i <= max ? i : big) : big;
    if (hi + 1 < width) row[hi + 1] = big;
    let best = row[lo - 1]!;
    const ai = a.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      const bj = b.charCodeAt(j - 1);
      const cost = ai === bj ? 0 : 1;
      let value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
        value = Math.min(value, before[j - 2]! + 1);
      }
      row[j] = value;
      if (value < best) best = value;
    }
    if (budget && !budget.spend(hi - lo + 1)) return over;
    // A cell draws on the two rows above it, so both must be past `max` to stop.
    if (best > max && prevBest > max) return over;
    prevBest = best;
    const spare = before;
    before = prev;
    prev = row;
    row = spare;
  }
  return Math.min(prev[b.length]!, over);
}

/** A suggestion candidate with its lowercased form, prepared once (see `prepareCandidates`). */
export interface Candidate {
  name: string;
  key: string;
}

/** Lowercases and de-duplicates candidates once, so each query does not. */
export function prepareCandidates(candidates: Iterable<string>): Candidate[] {
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const name of candidates) {
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name, key });
  }
  return out;
}

/** The farthest a candidate may be from `word` and still count as near. */
export function nearDistance(word: string): number {
  return Math.min(3, Math.max(1, Math.floor(word.length / 3)));
}

/** `closestMatches` over prepared candidates; stops scanning when `budget` is spent. */
export function closestPrepared(word: string, candidates: readonly Candidate[], limit = 3, budget?: StepBudget): string[] {
  if (word.length > MAX_SUGGEST_WORD || limit <= 0) return [];
  const target = word.toLowerCase();
  const max = nearDistance(target);
  let best = max;
  let scored: Candidate[] = [];
  for (const c of candidates) {
    if (budget?.exhausted) break;
    if (Math.abs(c.key.length - target.length) > best) continue;
    // Only nearer-or-equal candidates matter from here on, so the band narrows as we go.
    const distance = editDistance(target, c.key, best, budget);
    if (distance > best) continue;
    if (distance < best) {
      best = distance;
      scored = [];
    }
    scored.push(c);
  }
  // Only the nearest: "web-01" for "wbe-01", not also "db-01" two edits away.
  return scored
    .sort((x, y) => x.name.localeCompare(y.name))
    .slice(0, limit)
    .map((s) => s.name);
}

/**
 * The candidates nearest to `word` (case-insensitive; ties only), at most `limit`;
 * only those within a third of the word's length (at least 1, at most 3 edits) count as near.
 * Work is bounded: words over `MAX_SUGGEST_WORD` get none, and an optional budget caps the rest.
 */
export function closestMatches(word: string, candidates: Iterable<string>, limit = 3, budget?: StepBudget): string[] {
  return closestPrepared(word, prepareCandidates(candidates), limit, budget);
}
