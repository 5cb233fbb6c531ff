import type { CurrentTrend } from './fit-current-trend.ts';
import type { Piece } from './segment-regimes.ts';
import type { ValueUnit } from './types.ts';
import { formatClock, formatValue } from './wording.ts';

/** Where and how values are worded. */
export interface WordingContext {
  limit: number;
  now: number;
  unit: ValueUnit;
  timeZone: string;
}

/**
 * Whether a level change is worth naming: well above the fit's noise, and at least 1% of the limit
 * or 5% of the level. Quantisation steps and noise bursts are not events.
 */
export function isMaterial(size: number, level: number, limit: number, noise: number): boolean {
  const a = Math.abs(size);
  if (!(a > 0) || !(a >= 3 * (Number.isFinite(noise) ? noise : 0))) return false;
  return a >= 0.01 * Math.abs(limit) || a >= 0.05 * Math.abs(level);
}

/** A named adjustment: when it happened and its words. */
export interface Adjustment {
  time: number;
  text: string;
  /** The same without the count of earlier shifts. */
  brief: string;
}

/** Time of the drop that ended piece `p`: the start of the next piece the trend knows. */
function dropTime(p: Piece, trend: CurrentTrend): number {
  let next = Number.POSITIVE_INFINITY;
  for (const q of [...trend.used, ...trend.skipped]) if (q.from > p.to && q.from < next) next = q.from;
  return Number.isFinite(next) ? next : p.to;
}

/**
 * Words for what the pooled trend stepped over, oldest first: the material adjustments only, at
 * most the latest deleted rise ("a temporary rise of 5 GB deleted at 13:10 ignored") and the latest
 * level shift (with a count of earlier material shifts).
 */
export function describeAdjustments(trend: CurrentTrend, ctx: WordingContext): Adjustment[] {
  const material = (size: number) => isMaterial(size, trend.level, ctx.limit, trend.residualScale);
  const clock = (time: number) => formatClock(time, ctx.now, ctx.timeZone);
  const named: Adjustment[] = [];
  const deletions = new Set<number>();

  const transients = trend.skipped.filter((p) => p.fit.count >= 3 && p.to > (trend.used[0]?.from ?? 0));
  const sized = transients.map((p) => ({ p, size: Math.max(-p.jumpAfter, p.fit.slope * (p.to - p.from)), at: dropTime(p, trend) }));
  const spike = sized.filter((s) => material(s.size)).pop();
  for (const s of sized) deletions.add(s.at);
  if (spike && spike.p.jumpAfter >= 0 && spike.p.fit.slope > 0) {
    // Nothing was deleted: a burst (a big copy) that ended, kept as a level shift.
    const text = `a burst of +${formatValue(spike.size, ctx.unit)} that ended at ${clock(spike.p.to)} treated as a level shift`;
    named.push({ time: spike.p.to, text, brief: text });
  } else if (spike) {
    const text = `a temporary rise of ${formatValue(spike.size, ctx.unit)} deleted at ${clock(spike.at)} ignored`;
    named.push({ time: spike.at, text, brief: text });
  }

  // A drop right after a skipped rise is that rise's deletion, already worded.
  const shifts = trend.used.filter((p) => p.start === 'jump' && p.jumpBefore !== 0 && !deletions.has(p.from) && material(p.jumpBefore));
  const shift = shifts[shifts.length - 1];
  const before = shifts[shifts.length - 2];
  // A step up later undone by a drop of about its size: a plateau that was deleted.
  if (shift && before && shift.jumpBefore < 0 && before.jumpBefore > 0 && Math.abs(shift.jumpBefore + before.jumpBefore) < 0.3 * before.jumpBefore) {
    const more = shifts.length > 2 ? ` (and ${shifts.length - 2} earlier shifts)` : '';
    const brief = `a temporary rise of ${formatValue(before.jumpBefore, ctx.unit)} (${clock(before.from)}–${clock(shift.from)}) ignored`;
    named.push({ time: shift.from, text: `${brief}${more}`, brief });
  } else if (shift) {
    const size = formatValue(Math.abs(shift.jumpBefore), ctx.unit);
    const what = shift.jumpBefore > 0 ? `step of +${size}` : `drop of ${size}`;
    const brief = `one-time ${what} at ${clock(shift.from)} treated as a level shift`;
    const more = shifts.length > 1 ? ` (and ${shifts.length - 1} earlier)` : '';
    named.push({ time: shift.from, text: `one-time ${what} at ${clock(shift.from)}${more} treated as a level shift`, brief });
  }
  return named.sort((a, b) => a.time - b.time);
}

/** The clause for the explanation: "; <adjustment>; <adjustment>" (the latest `max`), or '' when none. */
export function adjustmentsClause(adjustments: readonly Adjustment[], max: number, withCount: boolean): string {
  const kept = max > 0 ? adjustments.slice(-max) : [];
  return kept.map((a) => `; ${withCount ? a.text : a.brief}`).join('');
}
