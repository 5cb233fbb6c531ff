import type { CurrentTrend } from './fit-current-trend.ts';
import type { Piece } from './segment-regimes.ts';
import type { ForecastAdjustment } from './story.ts';

/**
 * Whether a level change is worth naming: well above the fit's noise, and at least 1% of the limit
 * or 5% of the level. Quantisation steps and noise bursts are not events.
 */
export function isMaterial(size: number, level: number, limit: number, noise: number): boolean {
  const a = Math.abs(size);
  if (!(a > 0) || !(a >= 3 * (Number.isFinite(noise) ? noise : 0))) return false;
  return a >= 0.01 * Math.abs(limit) || a >= 0.05 * Math.abs(level);
}

/** Time of the drop that ended piece `p`: the start of the next piece the trend knows. */
function dropTime(p: Piece, trend: CurrentTrend): number {
  let next = Number.POSITIVE_INFINITY;
  for (const q of [...trend.used, ...trend.skipped]) if (q.from > p.to && q.from < next) next = q.from;
  return Number.isFinite(next) ? next : p.to;
}

/** When an adjustment happened (a deleted plateau: when it was deleted). */
function adjustmentTime(a: ForecastAdjustment): number {
  return a.kind === 'deleted-plateau' ? a.to : a.at;
}

/**
 * What the pooled trend stepped over, oldest first: the material adjustments only, at most the
 * latest deleted rise or ended burst and the latest level shift (with a count of earlier material
 * shifts).
 */
export function describeAdjustments(trend: CurrentTrend, limit: number): ForecastAdjustment[] {
  const material = (size: number) => isMaterial(size, trend.level, limit, trend.residualScale);
  const named: ForecastAdjustment[] = [];
  const deletions = new Set<number>();

  const transients = trend.skipped.filter((p) => p.fit.count >= 3 && p.to > (trend.used[0]?.from ?? 0));
  const sized = transients.map((p) => ({ p, size: Math.max(-p.jumpAfter, p.fit.slope * (p.to - p.from)), at: dropTime(p, trend) }));
  const spike = sized.filter((s) => material(s.size)).pop();
  for (const s of sized) deletions.add(s.at);
  // Nothing was deleted after a burst that ended (a big copy): it stays, as a level shift.
  if (spike && spike.p.jumpAfter >= 0 && spike.p.fit.slope > 0) named.push({ kind: 'burst', size: spike.size, at: spike.p.to });
  else if (spike) named.push({ kind: 'deleted-rise', size: spike.size, at: spike.at });

  // A drop right after a skipped rise is that rise's deletion, already named.
  const shifts = trend.used.filter((p) => p.start === 'jump' && p.jumpBefore !== 0 && !deletions.has(p.from) && material(p.jumpBefore));
  const shift = shifts[shifts.length - 1];
  const before = shifts[shifts.length - 2];
  // A step up later undone by a drop of about its size: a plateau that was deleted.
  if (shift && before && shift.jumpBefore < 0 && before.jumpBefore > 0 && Math.abs(shift.jumpBefore + before.jumpBefore) < 0.3 * before.jumpBefore) {
    named.push({ kind: 'deleted-plateau', size: before.jumpBefore, from: before.from, to: shift.from, earlierShifts: shifts.length - 2 });
  } else if (shift) {
    named.push({ kind: 'level-shift', size: shift.jumpBefore, at: shift.from, earlierShifts: shifts.length - 1 });
  }
  return named.sort((a, b) => adjustmentTime(a) - adjustmentTime(b));
}
