/** A sample: epoch seconds and a value in the spec's unit. */
export interface GraphPoint {
  time: number;
  value: number;
}

/** How values are formatted on the Y axis and in labels. */
export type GraphUnit = 'bytes' | 'percent' | 'number';

/**
 * Everything the forecast graph shows. Independent of how the forecast was computed: the caller
 * passes points and lines already in value space.
 */
export interface GraphSpec {
  title: string;
  subtitle?: string;
  unit: GraphUnit;
  /** IANA zone for the X axis labels, e.g. `Asia/Tokyo`. */
  timeZone: string;
  /** Analysis time, epoch seconds; drawn as a "now" line. */
  now: number;
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
  /** Marked with a vertical line and the label, e.g. "full ~Mon 14:00 (in ~3 h)". */
  eta?: { time: number; label: string };
  /** Pixel size of the PNG; defaults 1000 × 500. */
  width?: number;
  height?: number;
}

/** Colours used in the graph, exported so tests and docs can refer to them. */
export const GRAPH_COLORS = Object.freeze({
  history: '#1f77b4',
  trend: '#ff7f0e',
  band: 'rgba(255, 127, 14, 0.28)',
  warning: '#e6a700',
  critical: '#d62728',
  limit: '#7b0000',
  eta: '#9467bd',
  now: '#7f7f7f',
  text: '#222222',
  grid: '#e5e5e5',
  background: '#ffffff',
});
