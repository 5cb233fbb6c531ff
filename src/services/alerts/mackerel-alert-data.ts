import type { MetricPoint } from '../forecast/index.ts';
import { fromRestAlert, normalizeRoles, type AlertEvent } from './alert-event.ts';
import { mergeHistory, type AlertDataSource, type HistoryWindow, type HostInfo, type MonitorInfo } from './alert-data.ts';
import { createRequestPacer } from './request-pacer.ts';

/**
 * The part of the Mackerel API client the alert service uses. Return shapes are read
 * defensively (bare or wrapped objects), so the shared client satisfies it as it is.
 */
export interface MackerelAlertClient {
  getOrg(): Promise<unknown>;
  listAlerts(options?: { withClosed?: boolean; nextId?: string; limit?: number }): Promise<unknown>;
  getAlert(id: string): Promise<unknown>;
  getMonitor(id: string): Promise<unknown>;
  getCheckMonitor(id: string): Promise<unknown>;
  getHost(id: string): Promise<unknown>;
  listHosts(query?: { name?: string }): Promise<unknown>;
  getHostMetricNames(hostId: string): Promise<unknown>;
  getHostMetrics(hostId: string, name: string, from: number, to: number): Promise<unknown>;
}

export interface MackerelAlertDataOptions {
  client: MackerelAlertClient;
  /** Epoch seconds; drives the cache lifetime. */
  now: () => number;
  /** Monitors, hosts and metric names are cached this long; default 300 s. */
  cacheSeconds?: number;
  /** Requests in flight at once; default 4. */
  concurrency?: number;
  /** Requests started per second; default 10. */
  perSecond?: number;
  /** Pages of open alerts read per poll (100 each); default 5. */
  maxAlertPages?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const unwrap = (v: unknown, key: string): unknown => (isObj(v) && key in v ? v[key] : v);
const optNum = (v: unknown): number | null | undefined => (v === null ? null : typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function toMonitor(raw: unknown, fallbackType: string): MonitorInfo | null {
  const m = unwrap(unwrap(raw, 'monitor'), 'check');
  if (!isObj(m) || typeof m.id !== 'string') return null;
  const info: MonitorInfo = { id: m.id, type: optStr(m.type) ?? fallbackType, name: optStr(m.name) ?? m.id };
  if (typeof m.metric === 'string') info.metric = m.metric;
  if (typeof m.operator === 'string') info.operator = m.operator;
  if (optNum(m.warning) !== undefined) info.warning = optNum(m.warning)!;
  if (optNum(m.critical) !== undefined) info.critical = optNum(m.critical)!;
  if (typeof m.expression === 'string') info.expression = m.expression;
  for (const key of ['memo', 'url', 'service', 'query', 'legend'] as const) {
    const value = optStr(m[key]);
    if (value !== undefined) info[key] = value;
  }
  if (optNum(m.responseTimeWarning) !== undefined) info.responseTimeWarning = optNum(m.responseTimeWarning)!;
  if (optNum(m.responseTimeCritical) !== undefined) info.responseTimeCritical = optNum(m.responseTimeCritical)!;
  return info;
}

export function toHostInfo(raw: unknown): HostInfo | null {
  const h = unwrap(raw, 'host');
  if (!isObj(h) || typeof h.id !== 'string') return null;
  const name = optStr(h.name) ?? optStr(h.displayName) ?? h.id;
  const info: HostInfo = { id: h.id, name, roles: normalizeRoles(h.roles) };
  if (typeof h.status === 'string') info.status = h.status;
  return info;
}

function toPoints(raw: unknown): MetricPoint[] {
  const list = unwrap(raw, 'metrics');
  if (!Array.isArray(list)) return [];
  return list.filter((p): p is MetricPoint => isObj(p) && typeof p.time === 'number' && typeof p.value === 'number');
}

/** Mackerel-backed data: paced (N in flight, M per second), with short caches and shared in-flight requests. */
export function createMackerelAlertData(options: MackerelAlertDataOptions): AlertDataSource {
  const { client, now } = options;
  const ttl = options.cacheSeconds ?? 300;
  const pacer = createRequestPacer({ concurrency: options.concurrency ?? 4, perSecond: options.perSecond ?? 10 });
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();

  const paced = <T>(task: () => Promise<T>) => pacer.run(task);
  /** One request per key per TTL; failures are not cached. */
  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    return cachedFor(ttl, key, load);
  }
  function cachedFor<T>(seconds: number, key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && now() - hit.at < seconds) return hit.value as Promise<T>;
    if (cache.size > 5000) for (const [k, v] of cache) if (now() - v.at >= ttl) cache.delete(k);
    const value = paced(load);
    cache.set(key, { at: now(), value });
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  }

  return {
    kind: 'mackerel',
    get calls() {
      return pacer.started;
    },
    async orgName() {
      const org = await cached('org', () => client.getOrg());
      const o = unwrap(org, 'org');
      return isObj(o) && typeof o.name === 'string' ? o.name : null;
    },
    async listOpenAlerts() {
      const out: AlertEvent[] = [];
      let nextId: string | undefined;
      for (let page = 0; page < (options.maxAlertPages ?? 5); page++) {
        const body = await paced(() => client.listAlerts(nextId ? { nextId, limit: 100 } : { limit: 100 }));
        const list = isObj(body) && Array.isArray(body.alerts) ? body.alerts : Array.isArray(body) ? body : [];
        for (const raw of list) {
          const event = fromRestAlert(raw, 'poll');
          if (event) out.push(event);
        }
        nextId = isObj(body) && typeof body.nextId === 'string' ? body.nextId : undefined;
        if (!nextId) break;
      }
      return out;
    },
    async getAlert(id) {
      return fromRestAlert(await paced(() => client.getAlert(id)), 'poll');
    },
    async getMonitor(id, alertType) {
      if (alertType === 'check') return toMonitor(await cached(`check:${id}`, () => client.getCheckMonitor(id)), 'check');
      return toMonitor(await cached(`monitor:${id}`, () => client.getMonitor(id)), alertType ?? 'host');
    },
    async getHost(id) {
      return toHostInfo(await cached(`host:${id}`, () => client.getHost(id)));
    },
    async findHosts(name) {
      const body = await paced(() => client.listHosts({ name }));
      const list = unwrap(body, 'hosts');
      const hosts = (Array.isArray(list) ? list : []).map(toHostInfo).filter((h): h is HostInfo => h !== null);
      const exact = hosts.filter((h) => h.name === name);
      return exact.length > 0 ? exact : hosts.filter((h) => h.name.includes(name));
    },
    async metricNames(hostId) {
      const body = await cached(`names:${hostId}`, () => client.getHostMetricNames(hostId));
      const names = unwrap(body, 'names');
      return Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
    },
    async metricHistory(hostId, name, window: HistoryWindow) {
      const to = Math.floor(window.now);
      // Bursts of alerts on one host share reads for a minute.
      const fetch = (from: number) => cachedFor(60, `metrics:${hostId}:${name}:${from}:${to}`, () => client.getHostMetrics(hostId, name, from, to)).then(toPoints);
      if (window.fineSeconds <= 0 || window.spanSeconds <= window.fineSeconds) return mergeHistory([], await fetch(to - window.spanSeconds));
      const [coarse, fine] = await Promise.all([fetch(to - window.spanSeconds), fetch(to - window.fineSeconds)]);
      return mergeHistory(coarse, fine);
    },
  };
}
