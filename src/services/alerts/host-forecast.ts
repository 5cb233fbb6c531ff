import { forecastTimeToLimit, type ForecastResult, type MetricPoint } from '../forecast/index.ts';
import type { InventoryHost } from '../inventory/types.ts';
import type { AlertDataSource, HostInfo } from './alert-data.ts';
import { loadResourceData, type ResourceData } from './resource-data.ts';
import { resourceCandidates, type ResourcePair } from './resource-metric.ts';
import type { MetricProblem } from './metric-problem.ts';

/** One forecast of `@opsbot forecast`. */
export interface ResourceForecast {
  resource: ResourceData;
  forecast: ForecastResult;
}

/** An inventory host as the alert data source knows hosts (same id: Mackerel's, or the demo set's). */
export function hostInfoOf(host: InventoryHost): HostInfo {
  return { id: host.id, name: host.name, roles: Object.entries(host.roles).flatMap(([service, roles]) => roles.map((role) => `${service}:${role}`)), status: host.status };
}

/** Why a host known to the inventory has nothing to forecast or draw: its metric source has no metrics for it. */
export function noMetrics(data: Pick<AlertDataSource, 'kind'>, host: HostInfo): MetricProblem {
  return { code: 'no_metrics', host: host.name, source: data.kind === 'mackerel' ? 'mackerel' : 'demo', ...(host.status && host.status !== 'working' ? { status: host.status } : {}) };
}

/** `disk` → `disk%`, `memory` → `memory%`, `xvda1` or `/dev/xvda1` → `filesystem.xvda1.used`. */
export function expandMetricShorthand(metric: string, names: readonly string[]): string {
  if (metric === 'disk' || metric === 'filesystem') return 'disk%';
  if (metric === 'memory' || metric === 'mem') return 'memory%';
  const dev = metric.replace(/^\/dev\//, '');
  if (names.includes(`filesystem.${dev}.used`)) return `filesystem.${dev}.used`;
  return metric;
}

/** The pairs `forecast <host> [metric]` looks at: the given metric's, or every filesystem and memory. */
export function pairsFor(metric: string | undefined, names: readonly string[]): ResourcePair[] {
  if (metric) return resourceCandidates(expandMetricShorthand(metric, names), names);
  return [...resourceCandidates('disk%', names), ...resourceCandidates('memory%', names)];
}

/** Forecasts the host's resources (or one metric) over `spanSeconds` of history. */
export async function forecastHostResources(options: {
  data: AlertDataSource;
  host: HostInfo;
  metric?: string;
  now: number;
  spanSeconds?: number;
}): Promise<ResourceForecast[] | { problem: MetricProblem }> {
  const { data, host, now } = options;
  try {
    const names = await data.metricNames(host.id);
    if (names.length === 0) return { problem: noMetrics(data, host) };
    const pairs = pairsFor(options.metric, names);
    if (pairs.length === 0) {
      return { problem: options.metric ? { code: 'no_pair', host: host.name, metric: options.metric } : { code: 'no_resource_metrics', host: host.name } };
    }
    const window = { now, spanSeconds: options.spanSeconds ?? 7 * 86400, fineSeconds: 6 * 3600 };
    const out: ResourceForecast[] = [];
    for (const pair of pairs) {
      const resource = await loadResourceData(data, host.id, pair, window);
      if ('code' in resource) continue;
      out.push({ resource, forecast: forecastTimeToLimit({ points: resource.points, limit: resource.limit, now }, { unit: resource.unit }) });
    }
    return out.length > 0 ? out : { problem: { code: 'no_usable_series', host: host.name } };
  } catch (error) {
    return { problem: { code: 'fetch_failed', host: host.name, error } };
  }
}

/** Plain history of any metric (for `graph` on metrics without a limit). */
export async function metricHistory(data: AlertDataSource, host: HostInfo, metric: string, now: number, spanSeconds: number): Promise<MetricPoint[]> {
  return data.metricHistory(host.id, metric, { now, spanSeconds, fineSeconds: Math.min(spanSeconds, 6 * 3600) });
}
