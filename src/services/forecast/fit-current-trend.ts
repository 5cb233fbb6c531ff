import type { Piece } from './segment-regimes.ts';

const HOUR = 3600;

/** The trend that describes "now": one slope shared by compatible recent pieces, each with its own level. */
export interface CurrentTrend {
  /** Per second. */
  slope: number;
  slopeStdError: number;
  /** Level at `now` on the last piece's line. */
  level: number;
  levelStdError: number;
  /** Residual standard deviation around the pooled fit. */
  residualScale: number;
  /** Pieces pooled (oldest first) and pieces skipped as transients. */
  used: Piece[];
  skipped: Piece[];
  /** The piece before the pooled ones, whose slope differed (the old regime), if any. */
  previous: Piece | null;
}

/** Pooled (fixed-effects) slope of pieces: a shared slope, a separate level for each piece. */
function poolPieces(pieces: readonly Piece[]): { slope: number; se: number; s2: number } {
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let count = 0;
  for (const p of pieces) {
    sxx += p.fit.sxx;
    sxy += p.fit.sxy;
    syy += p.fit.syy;
    count += p.fit.count;
  }
  const slopePerHour = sxx > 0 ? sxy / sxx : 0;
  const rss = Math.max(0, syy - slopePerHour * sxy);
  const dof = count - pieces.length - 1;
  const s2 = dof > 0 ? rss / dof : Number.POSITIVE_INFINITY;
  const se = sxx > 0 && dof > 0 ? Math.sqrt(s2 / sxx) / HOUR : Number.POSITIVE_INFINITY;
  return { slope: slopePerHour / HOUR, se, s2 };
}

/** Plain least-squares slope across the pieces as one series (steps included as growth). */
function overallSlope(pieces: readonly Piece[]): { slope: number; se: number; s2: number } {
  let n = 0;
  let st = 0;
  let sv = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of pieces) {
    const f = p.fit;
    const x = (f.meanT - pieces[0].fit.meanT) / HOUR;
    const y = f.meanV - pieces[0].fit.meanV;
    // Combine centred sums of the pieces (parallel-axis rule).
    n += f.count;
    st += f.count * x;
    sv += f.count * y;
    sxx += f.sxx + f.count * x * x;
    sxy += f.sxy + f.count * x * y;
    syy += f.syy + f.count * y * y;
  }
  const cxx = sxx - (st * st) / n;
  const cxy = sxy - (st * sv) / n;
  const cyy = syy - (sv * sv) / n;
  const slopePerHour = cxx > 0 ? cxy / cxx : 0;
  const s2 = n > 2 ? Math.max(0, cyy - slopePerHour * cxy) / (n - 2) : Number.POSITIVE_INFINITY;
  const se = cxx > 0 && n > 2 ? Math.sqrt(s2 / cxx) / HOUR : Number.POSITIVE_INFINITY;
  return { slope: slopePerHour / HOUR, se, s2 };
}

function compatible(a: number, aSe: number, b: number, bSe: number): boolean {
  const diff = Math.abs(a - b);
  const combined = Math.sqrt(aSe * aSe + bSe * bSe);
  // Statistically indistinguishable, or practically the same rate.
  return diff <= 3 * combined || diff <= 0.15 * Math.max(Math.abs(a), Math.abs(b));
}

/** A piece that rose significantly and whose rise a drop then mostly undid: a spike that was deleted, or one cleanup cycle. */
export function isUndoneRise(p: Piece): boolean {
  if (p.jumpAfter >= 0 || !(p.fit.slope > 3 * p.fit.slopeStdError)) return false;
  const rise = p.fit.slope * (p.to - p.from);
  return -p.jumpAfter >= 0.5 * rise;
}

/**
 * Walks back from the newest piece, pooling earlier pieces while their slope agrees (jumps
 * between them become level shifts). A piece that ends in a drop and disagrees is a transient
 * (spike then delete) and is skipped; any other disagreeing piece is the previous regime and stops
 * the walk. Tiny pieces (under 3 points) are skipped.
 */
export function fitCurrentTrend(pieces: readonly Piece[], now: number): CurrentTrend {
  const last = pieces[pieces.length - 1];
  const used: Piece[] = [last];
  const skipped: Piece[] = [];
  let previous: Piece | null = null;
  let pooled = poolPieces(used);
  for (let i = pieces.length - 2; i >= 0; i--) {
    const p = pieces[i];
    if (p.fit.count < 3) {
      skipped.push(p);
      continue;
    }
    if (isUndoneRise(p)) {
      skipped.push(p);
      continue;
    }
    // A burst that just ended (a big copy): a short calm tail after a much steeper piece, which was
    // itself preceded by a long stretch the tail agrees with. The burst is a one-time level shift;
    // the short tail alone cannot tell it apart from the burst's own slope.
    const before = i > 0 ? pieces[i - 1] : null;
    if (
      used.length === 1 &&
      before &&
      before.fit.count >= 6 &&
      last.to - last.from < p.to - p.from &&
      p.fit.slope > 3 * Math.max(Math.abs(pooled.slope), Math.abs(before.fit.slope)) &&
      p.to - p.from < 0.25 * (last.to - before.from) &&
      Math.abs(pooled.slope - before.fit.slope) < Math.abs(pooled.slope - p.fit.slope) / 3
    ) {
      skipped.push(p);
      continue;
    }
    if (compatible(p.fit.slope, p.fit.slopeStdError, pooled.slope, pooled.se)) {
      used.unshift(p);
      pooled = poolPieces(used);
      continue;
    }
    if (p.jumpAfter < 0) {
      skipped.push(p);
      continue;
    }
    previous = p;
    break;
  }
  // Repeated steps up (a daily import, a batch job) are growth, not one-time level shifts.
  // A jump up that only partly undoes a drop just before it (a restart through a low sample or two)
  // is a net drop, not a step up.
  const netJumpBefore = (p: Piece): number => {
    let net = p.jumpBefore;
    for (let i = pieces.indexOf(p) - 1; i >= 0 && pieces[i].fit.count < 3 && pieces[i].start === 'jump'; i--) net += pieces[i].jumpBefore;
    return net;
  };
  const stepsUp = used.filter((p, k) => k > 0 && p.start === 'jump' && p.jumpBefore > 0 && netJumpBefore(p) > 0).length;
  if (stepsUp >= 2) pooled = overallSlope(used);
  const residualScale = Number.isFinite(pooled.s2) ? Math.sqrt(pooled.s2) : Math.sqrt(last.fit.rss / Math.max(1, last.fit.count - 2));
  const dtNow = now - last.fit.meanT;
  const level = last.fit.meanV + pooled.slope * dtNow;
  const levelStdError = Math.sqrt((residualScale * residualScale) / last.fit.count + (Number.isFinite(pooled.se) ? (pooled.se * dtNow) ** 2 : 0));
  return { slope: pooled.slope, slopeStdError: pooled.se, level, levelStdError, residualScale, used, skipped, previous };
}
