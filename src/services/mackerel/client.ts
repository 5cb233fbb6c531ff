import type { Logger } from '../../core/logger.ts';
import { MackerelError } from './errors.ts';
import {
  HOST_STATUSES,
  type AlertPage,
  type HostStatus,
  type LatestMetrics,
  type MackerelAlert,
  type MackerelCheckMonitor,
  type MackerelHost,
  type MackerelMonitor,
  type MackerelOrg,
  type MackerelRole,
  type MackerelService,
  type MetricPoint,
} from './types.ts';

export interface MackerelClientOptions {
  apiKey: string;
  /** e.g. `https://api.mackerelio.com/` (MACKEREL_API_URL). */
  baseUrl: string;
  fetch?: typeof globalThis.fetch;
  log: Logger;
  /** Extra attempts after the first, on 429, 5xx and network errors. */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter. */
  baseDelayMs?: number;
  /** Per attempt. */
  timeoutMs?: number;
  /** Longest wait honoured from a `Retry-After` header. */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface ListHostsFilter {
  service?: string;
  /** Roles inside `service` (Mackerel ignores roles without a service). */
  role?: string | string[];
  name?: string;
  /** Defaults to all four statuses (Mackerel's own default is working + standby only). */
  statuses?: readonly HostStatus[];
}

export interface ListAlertsOptions {
  withClosed?: boolean;
  nextId?: string;
  /** 1–100; Mackerel answers 400 above 100. */
  limit?: number;
}

/** Read-only Mackerel API client (a Read-only API key suffices for every method). */
export interface MackerelClient {
  getOrg(): Promise<MackerelOrg>;
  listHosts(filter?: ListHostsFilter): Promise<MackerelHost[]>;
  getHost(id: string): Promise<MackerelHost>;
  listServices(): Promise<MackerelService[]>;
  listRoles(service: string): Promise<MackerelRole[]>;
  listAlerts(options?: ListAlertsOptions): Promise<AlertPage>;
  getAlert(id: string): Promise<MackerelAlert>;
  getMonitor(id: string): Promise<MackerelMonitor>;
  /** Check monitors live in a separate API (`/api/v0/monitoring/checks`). */
  getCheckMonitor(id: string): Promise<MackerelCheckMonitor>;
  listMonitors(): Promise<MackerelMonitor[]>;
  getHostMetricNames(hostId: string): Promise<string[]>;
  /** `from`/`to` in epoch seconds; points oldest first. */
  getHostMetrics(hostId: string, name: string, from: number, to: number): Promise<MetricPoint[]>;
  /** Batched 100 hosts per request to keep URLs short. */
  getLatestHostMetrics(hostIds: readonly string[], names: readonly string[]): Promise<LatestMetrics>;
}

const LATEST_BATCH = 100;

function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function apiMessageOf(text: string, statusText: string, status: number): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string };
    const message = typeof body.error === 'string' ? body.error : body.error?.message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // not JSON: fall back to the status text, as mackerel-client-go does
  }
  return statusText || `HTTP ${status}`;
}

/** Creates the client; it keeps no state besides its options. */
export function createMackerelClient(options: MackerelClientOptions): MackerelClient {
  const {
    apiKey,
    log,
    retries = 3,
    baseDelayMs = 250,
    timeoutMs = 10_000,
    maxDelayMs = 60_000,
    sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random = Math.random,
  } = options;
  const doFetch = options.fetch ?? globalThis.fetch;
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;

  async function attempt(path: string): Promise<{ ok: true; body: unknown } | { ok: false; error: MackerelError; retryAfterMs?: number }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await doFetch(new URL(path, base), {
        headers: { 'X-Api-Key': apiKey, Accept: 'application/json' },
        signal: controller.signal,
      });
      const text = await res.text();
      if (res.ok) {
        try {
          return { ok: true, body: JSON.parse(text) as unknown };
        } catch (cause) {
          return { ok: false, error: new MackerelError({ status: 502, apiMessage: 'the response was not JSON', path, cause }) };
        }
      }
      const error = new MackerelError({ status: res.status, apiMessage: apiMessageOf(text, res.statusText, res.status), path });
      return { ok: false, error, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), Date.now()) };
    } catch (cause) {
      const apiMessage = controller.signal.aborted
        ? `no answer within ${timeoutMs} ms`
        : String((cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message ?? cause);
      return { ok: false, error: new MackerelError({ status: 0, apiMessage, path, cause }) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** GET with retries; `path` is relative to the base URL and carries no secret. */
  async function get<T>(path: string): Promise<T> {
    for (let n = 0; ; n++) {
      const result = await attempt(path);
      if (result.ok) return result.body as T;
      const { error } = result;
      if (!error.retryable || n >= retries) {
        log.warn({ path, status: error.status, apiMessage: error.apiMessage, attempts: n + 1 }, 'mackerel call failed');
        throw error;
      }
      const backoff = baseDelayMs * 2 ** n * (0.5 + random() / 2);
      const delay = Math.min(maxDelayMs, result.retryAfterMs ?? backoff);
      log.debug({ path, status: error.status, attempt: n + 1, delayMs: Math.round(delay) }, 'mackerel call failed; retrying');
      await sleep(delay);
    }
  }

  const seg = encodeURIComponent;

  return {
    getOrg: () => get<MackerelOrg>('api/v0/org'),

    async listHosts(filter = {}) {
      const query = new URLSearchParams();
      if (filter.service) query.append('service', filter.service);
      for (const role of [filter.role ?? []].flat()) query.append('role', role);
      if (filter.name) query.append('name', filter.name);
      for (const status of filter.statuses ?? HOST_STATUSES) query.append('status', status);
      const body = await get<{ hosts: MackerelHost[] }>(`api/v0/hosts?${query}`);
      return body.hosts;
    },

    getHost: async (id) => (await get<{ host: MackerelHost }>(`api/v0/hosts/${seg(id)}`)).host,
    listServices: async () => (await get<{ services: MackerelService[] }>('api/v0/services')).services,
    listRoles: async (service) => (await get<{ roles: MackerelRole[] }>(`api/v0/services/${seg(service)}/roles`)).roles,

    async listAlerts(opts = {}) {
      const query = new URLSearchParams();
      if (opts.withClosed) query.set('withClosed', 'true');
      if (opts.nextId) query.set('nextId', opts.nextId);
      if (opts.limit !== undefined) query.set('limit', String(opts.limit));
      const body = await get<AlertPage>(`api/v0/alerts${query.size ? `?${query}` : ''}`);
      return body.nextId ? { alerts: body.alerts, nextId: body.nextId } : { alerts: body.alerts };
    },

    async getAlert(id) {
      // The docs and clients disagree on `{alert: …}` versus a bare alert; accept both.
      const body = await get<{ alert?: MackerelAlert } & Partial<MackerelAlert>>(`api/v0/alerts/${seg(id)}`);
      return body.alert ?? (body as MackerelAlert);
    },

    getMonitor: async (id) => (await get<{ monitor: MackerelMonitor }>(`api/v0/monitors/${seg(id)}`)).monitor,
    getCheckMonitor: async (id) => (await get<{ check: MackerelCheckMonitor }>(`api/v0/monitoring/checks/${seg(id)}`)).check,
    listMonitors: async () => (await get<{ monitors: MackerelMonitor[] }>('api/v0/monitors')).monitors,
    getHostMetricNames: async (hostId) => (await get<{ names: string[] }>(`api/v0/hosts/${seg(hostId)}/metric-names`)).names,

    async getHostMetrics(hostId, name, from, to) {
      const query = new URLSearchParams({ name, from: String(Math.floor(from)), to: String(Math.ceil(to)) });
      return (await get<{ metrics: MetricPoint[] }>(`api/v0/hosts/${seg(hostId)}/metrics?${query}`)).metrics;
    },

    async getLatestHostMetrics(hostIds, names) {
      const out: LatestMetrics = {};
      for (let i = 0; i < hostIds.length; i += LATEST_BATCH) {
        const query = new URLSearchParams();
        for (const id of hostIds.slice(i, i + LATEST_BATCH)) query.append('hostId', id);
        for (const name of names) query.append('name', name);
        const body = await get<{ tsdbLatest: Record<string, Record<string, MetricPoint | null>> }>(`api/v0/tsdb/latest?${query}`);
        for (const [hostId, metrics] of Object.entries(body.tsdbLatest ?? {})) {
          const kept: Record<string, MetricPoint> = {};
          for (const [name, point] of Object.entries(metrics ?? {})) {
            if (point && typeof point.value === 'number') kept[name] = { time: point.time, value: point.value };
          }
          out[hostId] = kept;
        }
      }
      return out;
    },
  };
}
