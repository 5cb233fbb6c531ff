/**
 * Edit distance with adjacent transpositions (optimal string alignment), so `wbe-01` is one
 * edit from `web-01`. Stops early once it must exceed `max` (then returns `max + 1`).
 * Small enough to own; a dependency would not be faster for names this short.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let prevBest = 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        value = Math.min(value, before[j - 2]! + 1);
      }
      row.push(value);
      if (value < best) best = value;
    }
    // A cell draws on the two rows above it, so both must be past `max` to stop.
    if (best > max && prevBest > max) return max + 1;
    prevBest = best;
    before = prev;
    prev = row;
  }
  return Math.min(prev[b.length]!, max + 1);
}

/**
 * The candidates nearest to `word` (case-insensitive; ties only), at most `limit`;
 * only those within a third of the word's length (at least 1, at most 3 edits) count as near.
 */
export function closestMatches(word: string, candidates: Iterable<string>, limit = 3): string[] {
  const target = word.toLowerCase();
  const max = Math.min(3, Math.max(1, Math.floor(target.length / 3)));
  const scored: { name: string; distance: number }[] = [];
  const seen = new Set<string>();
  for (const name of candidates) {
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const distance = editDistance(target, key, max);
    if (distance <= max) scored.push({ name, distance });
  }
  scored.sort((x, y) => x.distance - y.distance || x.name.localeCompare(y.name));
  // Only the nearest: "web-01" for "wbe-01", not also "db-01" two edits away.
  const best = scored[0]?.distance;
  return scored.filter((s) => s.distance === best).slice(0, limit).map((s) => s.name);
}
