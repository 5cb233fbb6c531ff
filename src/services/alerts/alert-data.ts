import type { MetricPoint } from '../forecast/index.ts';
import type { AlertEvent } from './alert-event.ts';

/** What the alert post needs to know about the monitor that fired. */
export interface MonitorInfo {
  id: string;
  type: string;
  name: string;
  /** Host/service monitors: the metric or a keyword such as `disk%`. */
  metric?: string;
  operator?: string;
  warning?: number | null;
  critical?: number | null;
  /** Expression monitors. */
  expression?: string;
  /** The monitor's memo: where teams keep the runbook. */
  memo?: string;
  /** External (URL) monitors: the URL and response-time thresholds (ms). */
  url?: string;
  responseTimeWarning?: number | null;
  responseTimeCritical?: number | null;
  /** Service and external monitors: the service. */
  service?: string;
  /** Query monitors. */
  query?: string;
  legend?: string;
}

export interface HostInfo {
  id: string;
  name: string;
  /** `service:role` strings. */
  roles: string[];
  status?: string;
}

/** Which history to fetch: `spanSeconds` back from `now`, the last `fineSeconds` at full resolution. */
export interface HistoryWindow {
  now: number;
  spanSeconds: number;
  fineSeconds: number;
}

/** Default history for a forecast: 7 days coarse, the last 6 hours fine. */
export const FORECAST_WINDOW = { spanSeconds: 7 * 86400, fineSeconds: 6 * 3600 } as const;

/**
 * Where alerts and the data around them come from: Mackerel (`createMackerelAlertData`) or the
 * offline demo set (`createDemoAlertData`). Methods throw on transport or API errors; callers
 * turn those into a degraded post.
 */
export interface AlertDataSource {
  readonly kind: 'mackerel' | 'demo';
  /** The org name used in mackerel.io links; null when unknown. */
  orgName(): Promise<string | null>;
  listOpenAlerts(): Promise<AlertEvent[]>;
  getAlert(id: string): Promise<AlertEvent | null>;
  /** Check monitors live in a separate API; `alertType` says which one to ask. */
  getMonitor(id: string, alertType?: string): Promise<MonitorInfo | null>;
  getHost(id: string): Promise<HostInfo | null>;
  /** Hosts whose name equals (or, failing that, contains) `name`. */
  findHosts(name: string): Promise<HostInfo[]>;
  metricNames(hostId: string): Promise<string[]>;
  /** Sorted oldest first; fine points replace coarse ones where they overlap. */
  metricHistory(hostId: string, name: string, window: HistoryWindow): Promise<MetricPoint[]>;
  /** Demo sets shift a replayed fixture's times to the present; Mackerel leaves events alone. */
  localize?(event: AlertEvent): AlertEvent;
  /** Requests made to the backend so far (benchmarks, tests). */
  readonly calls: number;
}

/** Coarse points before the fine window, then the fine points: one sorted series. */
export function mergeHistory(coarse: readonly MetricPoint[], fine: readonly MetricPoint[]): MetricPoint[] {
  const sortedFine = [...fine].sort((a, b) => a.time - b.time);
  const fineFrom = sortedFine.length > 0 ? sortedFine[0]!.time : Infinity;
  return [...coarse.filter((p) => p.time < fineFrom).sort((a, b) => a.time - b.time), ...sortedFine];
}
