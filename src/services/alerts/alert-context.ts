import { forecastTimeToLimit, type ForecastResult } from '../forecast/index.ts';
import { FORECAST_WINDOW, type AlertDataSource, type HostInfo, type MonitorInfo } from './alert-data.ts';
import type { AlertEvent } from './alert-event.ts';
import { loadResourceData, type ResourceData } from './resource-data.ts';
import { latestValue, pickFullest, resourceCandidates } from './resource-metric.ts';
import type { AlertProblem } from './metric-problem.ts';

export type { ResourceData };

/** Everything known about an alert when posting it; what could not be fetched is named in `problems`. */
export interface AlertContext {
  event: AlertEvent;
  org: string | null;
  monitor: MonitorInfo | null;
  host: HostInfo | null;
  resource: ResourceData | null;
  forecast: ForecastResult | null;
  /** e.g. "monitor definition (503 Service Unavailable)". */
  problems: AlertProblem[];
}

export interface LoadContextOptions {
  data: AlertDataSource;
  now: number;
  /** Skip the metric history and forecast (e.g. closing). */
  withForecast?: boolean;
}

const HOST_TYPES = new Set(['host', 'connectivity', 'check', 'anomalyDetection']);

async function attempt<T>(what: Omit<AlertProblem, 'error'>, problems: AlertProblem[], task: () => Promise<T>): Promise<T | null> {
  try {
    return await task();
  } catch (error) {
    problems.push({ ...what, error });
    return null;
  }
}

/** What the webhook itself said about the monitor, used when the definition cannot be fetched. */
function monitorFromEvent(event: AlertEvent): MonitorInfo | null {
  if (!event.monitorName && !event.metricLabel) return null;
  const m: MonitorInfo = { id: event.monitorId ?? '', type: event.type, name: event.monitorName ?? event.metricLabel! };
  if (event.metricLabel) m.metric = event.metricLabel;
  if (event.operator) m.operator = event.operator;
  if (event.warning !== undefined) m.warning = event.warning;
  if (event.critical !== undefined) m.critical = event.critical;
  return m;
}

async function loadResource(data: AlertDataSource, hostId: string, metric: string, now: number, problems: AlertProblem[]): Promise<ResourceData | null> {
  const names = await attempt({ part: 'metricNames' }, problems, () => data.metricNames(hostId));
  if (!names) return null;
  const candidates = resourceCandidates(metric, names);
  if (candidates.length === 0) return null;
  let pair = candidates[0]!;
  if (candidates.length > 1) {
    const recent = { now, spanSeconds: 1800, fineSeconds: 1800 };
    const latest = await attempt({ part: 'latestUsage' }, problems, () =>
      Promise.all(
        candidates.map(async (c) => {
          const [used, size] = await Promise.all([data.metricHistory(hostId, c.used, recent), data.metricHistory(hostId, c.size, recent)]);
          return { used: latestValue(used), size: latestValue(size) };
        }),
      ),
    );
    const best = latest ? pickFullest(latest) : -1;
    if (best >= 0) pair = candidates[best]!;
  }
  const loaded = await attempt({ part: 'metricHistory', metric: pair.used }, problems, () => loadResourceData(data, hostId, pair, { now, ...FORECAST_WINDOW }));
  if (loaded === null) return null;
  if ('code' in loaded) {
    problems.push({ part: 'series', metric: pair.label, error: loaded });
    return null;
  }
  return loaded;
}

/** The thresholds the alert fired on (the webhook's), else the monitor's current ones. */
function thresholds(event: AlertEvent, monitor: MonitorInfo): { warning?: number; critical?: number } {
  const fired = event.warning !== undefined || event.critical !== undefined;
  const from = fired ? event : monitor;
  const out: { warning?: number; critical?: number } = {};
  if (typeof from.warning === 'number') out.warning = from.warning;
  if (typeof from.critical === 'number') out.critical = from.critical;
  return out;
}

/** What can be posted from the event alone while Mackerel is slow: its own monitor fields, no host details or forecast. */
export function eventOnlyContext(event: AlertEvent): AlertContext {
  return {
    event,
    org: event.orgName ?? null,
    monitor: monitorFromEvent(event),
    host: null,
    resource: null,
    forecast: null,
    problems: [{ part: 'loading' }],
  };
}

/**
 * Fetches what the post needs (alert details when the webhook lacked them, org, monitor, host,
 * metric history) and forecasts resource alerts. Never throws: failures become `problems`.
 */
export async function loadAlertContext(input: AlertEvent, options: LoadContextOptions): Promise<AlertContext> {
  const { data, now } = options;
  const problems: AlertProblem[] = [];
  let event = input;
  // An alert group is not an alert of the API (nor has a monitor): its event says all there is.
  if (event.type !== 'alertGroup' && (!event.monitorId || (!event.hostId && HOST_TYPES.has(event.type)))) {
    const full = await attempt({ part: 'alert' }, problems, () => data.getAlert(event.id));
    if (full) event = { ...full, ...stripUndefined(event), monitorId: event.monitorId ?? full.monitorId, hostId: event.hostId ?? full.hostId };
  }
  const [org, fetchedMonitor, host] = await Promise.all([
    event.orgName ? Promise.resolve(event.orgName) : attempt({ part: 'org' }, problems, () => data.orgName()),
    event.monitorId ? attempt({ part: 'monitor' }, problems, () => data.getMonitor(event.monitorId!, event.type)) : Promise.resolve(null),
    event.hostId ? attempt({ part: 'host' }, problems, () => data.getHost(event.hostId!)) : Promise.resolve(null),
  ]);
  const monitor = fetchedMonitor ?? monitorFromEvent(event);
  let resource: ResourceData | null = null;
  let forecast: ForecastResult | null = null;
  if (options.withForecast !== false && monitor?.metric && event.hostId) {
    const shared = await sharedForecast(data, event.hostId, monitor.metric, now);
    problems.push(...shared.problems);
    resource = shared.resource && { ...shared.resource, ...thresholds(event, monitor) };
    forecast = shared.forecast;
  }
  return { event, org: org ?? null, monitor, host, resource, forecast, problems };
}

interface SharedForecast {
  /** Without the monitor's thresholds (callers add their own). */
  resource: ResourceData | null;
  forecast: ForecastResult | null;
  problems: AlertProblem[];
}

/**
 * Alerts of one host on one metric at the same analysis time get the same series and forecast:
 * in a burst (a poll that finds many alerts at once, several monitors on one disk) concurrent
 * loads share one computation instead of parsing and forecasting the same series per alert.
 * Only while in flight: a later alert computes afresh, as before.
 */
const inFlightForecasts = new WeakMap<AlertDataSource, Map<string, Promise<SharedForecast>>>();

function sharedForecast(data: AlertDataSource, hostId: string, metric: string, now: number): Promise<SharedForecast> {
  let memo = inFlightForecasts.get(data);
  if (!memo) inFlightForecasts.set(data, (memo = new Map()));
  const key = `${hostId}\u0000${metric}\u0000${now}`;
  const hit = memo.get(key);
  if (hit) return hit;
  const value = computeForecast(data, hostId, metric, now);
  memo.set(key, value);
  const forget = () => {
    if (memo.get(key) === value) memo.delete(key);
  };
  void value.then(forget, forget);
  return value;
}

async function computeForecast(data: AlertDataSource, hostId: string, metric: string, now: number): Promise<SharedForecast> {
  const problems: AlertProblem[] = [];
  const resource = await loadResource(data, hostId, metric, now, problems);
  let forecast: ForecastResult | null = null;
  if (resource) {
    forecast = await attempt({ part: 'forecast' }, problems, async () => forecastTimeToLimit({ points: resource.points, limit: resource.limit, now }, { unit: resource.unit }));
  }
  return { resource, forecast, problems };
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
