/**
 * Why a host's metrics cannot be forecast or drawn, as facts (the handlers word them): no metrics at
 * all, no used/size pair for the metric asked, no values, or the fetch failing (its error, for
 * `present.error`).
 */
export type MetricProblem =
  | { code: 'no_metrics'; host: string; source: 'mackerel' | 'demo'; status?: string }
  | { code: 'no_pair'; host: string; metric: string }
  | { code: 'no_resource_metrics'; host: string }
  | { code: 'no_values'; metric: string }
  | { code: 'no_usable_series'; host: string }
  | { code: 'fetch_failed'; host: string; error: unknown };

export function isMetricProblem(value: unknown): value is MetricProblem {
  return typeof value === 'object' && value !== null && 'code' in value && typeof (value as { code: unknown }).code === 'string' && !(value instanceof Error);
}

/** What an alert post could not fetch: the part, the metric it concerns, and the failure (an error or a MetricProblem). */
export interface AlertProblem {
  part: 'alert' | 'org' | 'monitor' | 'host' | 'metricNames' | 'latestUsage' | 'metricHistory' | 'series' | 'forecast' | 'loading';
  metric?: string;
  error?: unknown;
}
