import type { Logger } from '../../core/logger.ts';
import { MackerelError } from './errors.ts';
import {
  parseAlert,
  parseAlertPage,
  parseCheckMonitor,
  parseHost,
  parseHostListInSlices,
  parseLatest,
  parseMetricNames,
  parseMetricPoints,
  parseMonitor,
  parseMonitorList,
  parseOrg,
  parseRoleList,
  parseServiceList,
  type Checked,
  type CheckedList,
} from './parse.ts';
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

export type { CheckedList } from './parse.ts';

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
  /** Told about every HTTP attempt (for metrics): the path and the status, or 'error' when nothing came back. */
  onCall?: (call: { path: string; status: number | 'error' }) => void;
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

/**
 * Mackerel API client. A Read-only API key suffices for every method but `closeAlert`, which
 * needs a key with write permission (Mackerel answers 403 otherwise; it has no call that says
 * what a key may do, so opsbot is told by `alerts.closeButton`).
 */
export interface MackerelClient {
  /** `POST /api/v0/alerts/<id>/close` with the reason; the closed alert. Not retried after a 4xx. */
  closeAlert(id: string, reason: string): Promise<MackerelAlert>;
  getOrg(): Promise<MackerelOrg>;
  /** Hosts that do not fit the expected shape are skipped (and logged once per call). */
  listHosts(filter?: ListHostsFilter): Promise<MackerelHost[]>;
  /** `listHosts` that also says how many hosts were skipped and why. */
  listHostsChecked(filter?: ListHostsFilter): Promise<CheckedList<MackerelHost>>;
  getHost(id: string): Promise<MackerelHost>;
  listServices(): Promise<MackerelService[]>;
  listServicesChecked(): Promise<CheckedList<MackerelService>>;
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

  async function attempt(path: string, json?: unknown): Promise<{ ok: true; body: unknown } | { ok: false; error: MackerelError; retryAfterMs?: number }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const res = await doFetch(new URL(path, base), {
        ...(json === undefined
          ? { headers: { 'X-Api-Key': apiKey, Accept: 'application/json' } }
          : { method: 'POST', headers: { 'X-Api-Key': apiKey, Accept: 'application/json', 'Content-Type': 'application/json' }, body: JSON.stringify(json) }),
        signal: controller.signal,
      });
      const text = await res.text();
      options.onCall?.({ path, status: res.status });
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
      options.onCall?.({ path, status: 'error' });
      const apiMessage = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : String((cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).message ?? cause);
      return { ok: false, error: new MackerelError({ status: 0, apiMessage, path, cause }) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** GET (or, with `json`, POST) with retries; `path` is relative to the base URL and carries no secret. */
  async function get(path: string, json?: unknown): Promise<unknown> {
    for (let n = 0; ; n++) {
      const result = await attempt(path, json);
      if (result.ok) return result.body;
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

  /** A response without the expected list or object: the call fails, clearly (502, as a bad gateway answer). */
  function malformed(path: string, detail: string): MackerelError {
    const error = new MackerelError({ status: 502, apiMessage: `unexpected response: ${detail}`, path });
    log.warn({ path, detail }, 'mackerel response not understood');
    return error;
  }

  /** Items skipped in one call are logged once, with the first few reasons. */
  function list<T>(path: string, checked: CheckedList<T>): CheckedList<T> {
    if (checked.missing) throw malformed(path, checked.missing);
    if (checked.skipped > 0) {
      log.warn({ path: path.split('?')[0], skipped: checked.skipped, kept: checked.items.length, examples: checked.examples }, 'mackerel response items skipped');
    }
    return checked;
  }

  function one<T>(path: string, checked: Checked<T>): T {
    if (!checked.ok) throw malformed(path, checked.reason);
    return checked.value;
  }

  async function listHostsChecked(filter: ListHostsFilter = {}): Promise<CheckedList<MackerelHost>> {
    const query = new URLSearchParams();
    if (filter.service) query.append('service', filter.service);
    for (const role of [filter.role ?? []].flat()) query.append('role', role);
    if (filter.name) query.append('name', filter.name);
    for (const status of filter.statuses ?? HOST_STATUSES) query.append('status', status);
    const path = `api/v0/hosts?${query}`;
    return list(path, await parseHostListInSlices(await get(path)));
  }

  async function listServicesChecked(): Promise<CheckedList<MackerelService>> {
    const path = 'api/v0/services';
    return list(path, parseServiceList(await get(path)));
  }

  const seg = encodeURIComponent;
  const fetchOne = async <T>(path: string, parse: (body: unknown) => Checked<T>): Promise<T> => one(path, parse(await get(path)));
  const fetchList = async <T>(path: string, parse: (body: unknown) => CheckedList<T>): Promise<T[]> => list(path, parse(await get(path))).items;

  return {
    // Closing twice is harmless (Mackerel keeps the first close), so 429/5xx are retried like reads.
    closeAlert: async (id, reason) => one(`api/v0/alerts/${seg(id)}/close`, parseAlert(await get(`api/v0/alerts/${seg(id)}/close`, { reason }))),
    getOrg: () => fetchOne('api/v0/org', parseOrg),
    listHosts: async (filter) => (await listHostsChecked(filter)).items,
    listHostsChecked,
    getHost: (id) => fetchOne(`api/v0/hosts/${seg(id)}`, parseHost),
    listServices: async () => (await listServicesChecked()).items,
    listServicesChecked,
    listRoles: (service) => fetchList(`api/v0/services/${seg(service)}/roles`, parseRoleList),

    async listAlerts(opts = {}) {
      const query = new URLSearchParams();
      if (opts.withClosed) query.set('withClosed', 'true');
      if (opts.nextId) query.set('nextId', opts.nextId);
      if (opts.limit !== undefined) query.set('limit', String(opts.limit));
      const path = `api/v0/alerts${query.size ? `?${query}` : ''}`;
      const page = parseAlertPage(await get(path));
      const { items } = list(path, page);
      return page.nextId ? { alerts: items, nextId: page.nextId } : { alerts: items };
    },

    // The docs and clients disagree on `{alert: …}` versus a bare alert; the parser accepts both.
    getAlert: (id) => fetchOne(`api/v0/alerts/${seg(id)}`, parseAlert),
    getMonitor: (id) => fetchOne(`api/v0/monitors/${seg(id)}`, parseMonitor),
    getCheckMonitor: (id) => fetchOne(`api/v0/monitoring/checks/${seg(id)}`, parseCheckMonitor),
    listMonitors: () => fetchList('api/v0/monitors', parseMonitorList),
    getHostMetricNames: (hostId) => fetchList(`api/v0/hosts/${seg(hostId)}/metric-names`, parseMetricNames),

    async getHostMetrics(hostId, name, from, to) {
      const query = new URLSearchParams({ name, from: String(Math.floor(from)), to: String(Math.ceil(to)) });
      return fetchList(`api/v0/hosts/${seg(hostId)}/metrics?${query}`, parseMetricPoints);
    },

    async getLatestHostMetrics(hostIds, names) {
      const out: LatestMetrics = {};
      let skipped = 0;
      const examples: string[] = [];
      for (let i = 0; i < hostIds.length; i += LATEST_BATCH) {
        const query = new URLSearchParams();
        for (const id of hostIds.slice(i, i + LATEST_BATCH)) query.append('hostId', id);
        for (const name of names) query.append('name', name);
        const path = `api/v0/tsdb/latest?${query}`;
        const checked = parseLatest(await get(path));
        if (checked.missing) throw malformed(path, checked.missing);
        skipped += checked.skipped;
        examples.push(...checked.examples.slice(0, 3 - examples.length));
        for (const [hostId, metrics] of checked.items) Object.defineProperty(out, hostId, { value: metrics, enumerable: true, writable: true, configurable: true });
      }
      // One line for the whole call, however many batches it took.
      if (skipped > 0) log.warn({ path: 'api/v0/tsdb/latest', skipped, examples }, 'mackerel response items skipped');
      return out;
    },
  };
}
