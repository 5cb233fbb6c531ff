/** Seconds. */
const HOUR = 3600;

/** What the time axis is fitted to: the forecast's answer and the data there is. */
export interface WindowInput {
  /** Epoch seconds of the analysis. */
  now: number;
  /** Epoch seconds of the oldest data point (null without data). */
  dataFrom: number | null;
  /** The forecast: seconds to the limit (null: not expected; 0: already there) and its band's near and far ends. */
  secondsToLimit: number | null;
  low?: number | null;
  high?: number | null;
  /** Seconds of history asked for by the person (the 7-day button, `graph … 2d`): kept as asked. */
  historySeconds?: number;
  /** Whether there is a projection line to show a stretch of (false: the axis ends at now, with a margin). */
  projection?: boolean;
}

/** Shortest history shown, so even a minutes-away limit comes with a trend one can see. */
export const MIN_HISTORY = HOUR;
/** History shown for a limit `t` seconds away: about 2.5 × t (between 2× and 3× the question). */
export const HISTORY_PER_HORIZON = 2.5;
/** The axis ends this much after the ETA (15 %), so the ETA is not on the frame. */
export const PAST_ETA = 0.15;
/** The future part is at most this many times the history shown (history keeps ≥ 20 % of the axis). */
export const MAX_FUTURE_PER_HISTORY = 4;
/** Without an ETA: at most this share of the history as a stretch of projection (no 14-day flat line). */
export const SHORT_STRETCH = 0.1;
/** Without a projection: a margin after now, so the "now" line is not the frame. */
const MARGIN = 0.02;

/**
 * The time axis of a forecast graph, fitted to the question "when will it be full?".
 *
 * - Horizon: the ETA (`secondsToLimit`), or when there is none but the band's near end (`low`) is
 *   within the forecast's horizon, that near end: the limit is plausible by then.
 * - History shown: the person's choice when they asked for a span (`historySeconds`: the 7-day
 *   button, a `graph` range); otherwise 2.5 × the horizon (at least 1 h), or all the data when
 *   there is no horizon; never more than the data covers.
 * - Future shown: the horizon plus 15 % (the ETA is near the right edge, never on it), and the
 *   whole band when its far end (`high`) is within 1.5 × the horizon; at most 4 × the history
 *   shown (a limit months away on a week of data is marked at the right edge instead of
 *   squeezing the week into a sliver). Without a horizon (flat, shrinking, uncertain, already
 *   full): a short stretch of the projection (10 % of the history), or a 2 % margin without one.
 *
 * So an ETA 5 h away gets ~12.5 h of history and ends ~5.75 h after now; a metric that won't fill
 * gets its history and a short dashed stub, not a 14-day flat line.
 */
export function fitTimeWindow(input: WindowInput): { from: number; to: number } {
  const { now } = input;
  const eta = positive(input.secondsToLimit) ?? (input.secondsToLimit === null ? positive(input.low) : null);
  const dataSpan = input.dataFrom !== null && input.dataFrom < now ? now - input.dataFrom : null;

  let history: number;
  if (input.historySeconds !== undefined && input.historySeconds > 0) history = input.historySeconds;
  else if (eta !== null) history = Math.min(Math.max(HISTORY_PER_HORIZON * eta, MIN_HISTORY), dataSpan ?? Infinity);
  else history = dataSpan ?? MIN_HISTORY;
  history = Math.max(history, 60);

  let future: number;
  if (eta !== null) {
    future = eta * (1 + PAST_ETA);
    const high = positive(input.high);
    if (high !== null && high > eta && high <= 1.5 * eta) future = Math.max(future, high * 1.05);
    future = Math.min(future, MAX_FUTURE_PER_HISTORY * history);
  } else {
    future = (input.projection ? SHORT_STRETCH : MARGIN) * history;
  }
  return { from: now - history, to: now + future };
}

function positive(v: number | null | undefined): number | null {
  return v !== null && v !== undefined && Number.isFinite(v) && v > 0 ? v : null;
}

/** The point of the segment a→b at `time` (a ≠ b in time), for cutting lines at the window's edges. */
export function pointAt(a: { time: number; value: number }, b: { time: number; value: number }, time: number): { time: number; value: number } {
  if (b.time === a.time) return { time, value: b.value };
  return { time, value: a.value + ((b.value - a.value) * (time - a.time)) / (b.time - a.time) };
}
