import type { Language } from '../../core/language.ts';

/** A sample: epoch seconds and a value in the spec's unit. */
export interface GraphPoint {
  time: number;
  value: number;
}

/** How values are formatted on the Y axis and in labels. */
export type GraphUnit = 'bytes' | 'percent' | 'number';

/**
 * The words a graph shows besides its title, in the team's language. The caller supplies them
 * (src/handlers/present/graph-labels.ts words them); the renderer chooses none.
 */
export interface GraphWords {
  /** X axis title, with the zone: "time (JST)", "時刻 (JST)". */
  timeAxis: string;
  /** Y axis title naming the quantity (the unit is in the tick labels: GiB, %): "disk used", "ロードアベレージ（プロセス数）". */
  valueAxis: string;
  /** Legend names; only what is drawn is listed. */
  legend: { history: string; trend: string; projection: string; band: string };
  /** Inline labels: the "now" line, and the threshold lines (followed by their value). */
  now: string;
  warning: string;
  critical: string;
  limit: string;
  /** Shown over an empty plot. */
  noData: string;
}

/**
 * Everything the forecast graph shows. Independent of how the forecast was computed: the caller
 * passes points and lines already in value space, and every word.
 */
export interface GraphSpec {
  title: string;
  subtitle?: string;
  /** Language of the tick labels: "12/1(火)", "9:00" or "Tue 12/1", "09:00". */
  language: Language;
  /** Axis titles, legend names and inline labels. */
  words: GraphWords;
  unit: GraphUnit;
  /** IANA zone for the X axis labels, e.g. `Asia/Tokyo`. */
  timeZone: string;
  /** Analysis time, epoch seconds; drawn as a "now" line. */
  now: number;
  /**
   * The time axis (epoch seconds), chosen for the question (see `fitTimeWindow`); data outside is
   * not drawn. Default: everything in the spec, with a small margin.
   */
  window?: { from: number; to: number };
  /** History; may be unsorted and contain NaN (skipped). Long series are decimated. */
  series: GraphPoint[];
  /** Fitted line over the history window. */
  trend?: { from: GraphPoint; to: GraphPoint };
  /**
   * Projection to the limit, drawn dashed; `low`/`high` are the near and far ends of the ETA band
   * (usually at the limit value) and are shaded as a fan from `from`.
   */
  projection?: { from: GraphPoint; to: GraphPoint; low?: GraphPoint; high?: GraphPoint };
  thresholds?: { warning?: number; critical?: number; limit?: number };
  /** Marked with a vertical line and the label, e.g. "full ~Mon 14:00 JST (in 3 h)"; at the right edge when past the window. */
  eta?: { time: number; label: string };
  /** Pixel size of the PNG; defaults 1000 × 500. */
  width?: number;
  height?: number;
}

/** Colours used in the graph, exported so tests and docs can refer to them. */
export const GRAPH_COLORS = Object.freeze({
  history: '#1f77b4',
  trend: '#ff7f0e',
  /** The fitted trend, drawn wide under the history. */
  trendFit: 'rgba(255, 127, 14, 0.7)',
  band: 'rgba(255, 127, 14, 0.3)',
  bandEdge: 'rgba(255, 127, 14, 0.6)',
  warning: '#e6a700',
  critical: '#d62728',
  limit: '#7b0000',
  eta: '#9467bd',
  now: '#7f7f7f',
  text: '#222222',
  grid: '#e5e5e5',
  background: '#ffffff',
});
