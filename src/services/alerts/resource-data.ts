import type { MetricPoint } from '../forecast/index.ts';
import { guessUnit } from '../forecast/index.ts';
import type { GraphUnit } from '../graph/index.ts';
import type { AlertDataSource, HistoryWindow } from './alert-data.ts';
import { latestValue, percentSeries, type ResourcePair } from './resource-metric.ts';
import type { MetricProblem } from './metric-problem.ts';

/** The resource series a forecast is made on, in the monitor's unit. */
export interface ResourceData {
  pair: ResourcePair;
  unit: GraphUnit;
  points: MetricPoint[];
  limit: number;
  /** Threshold lines in the same unit as `points`. */
  warning?: number;
  critical?: number;
}

/**
 * Fetches the used and size series of a pair and turns them into one series with its limit:
 * percent (limit 100) or the used metric against the latest size. Throws on fetch errors;
 * returns a `no_values` problem when the data cannot make a limit.
 */
export async function loadResourceData(
  data: AlertDataSource,
  hostId: string,
  pair: ResourcePair,
  window: HistoryWindow,
): Promise<ResourceData | Extract<MetricProblem, { code: 'no_values' }>> {
  // Sizes change rarely: one coarse read of the whole span is enough.
  const [used, size] = await Promise.all([data.metricHistory(hostId, pair.used, window), data.metricHistory(hostId, pair.size, { ...window, fineSeconds: 0 })]);
  if (pair.mode === 'percent') {
    const points = percentSeries(used, size);
    return points.length > 0 ? { pair, unit: 'percent', points, limit: 100 } : { code: 'no_values', metric: `${pair.used}/${pair.size}` };
  }
  const lastSize = latestValue(size);
  if (lastSize === null || !(lastSize > 0)) return { code: 'no_values', metric: pair.size };
  const unit = guessUnit(pair.used);
  return { pair, unit: unit === 'percent' ? 'number' : unit, points: used, limit: lastSize };
}
