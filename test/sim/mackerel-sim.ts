import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  HOST_STATUSES,
  type HostStatus,
  type MackerelAlert,
  type MackerelCheckMonitor,
  type MackerelHost,
  type MackerelMonitor,
  type MackerelService,
  type MetricPoint,
} from '../../src/services/mackerel/types.ts';

/** Produces a host metric's points between `from` and `to` (epoch seconds), or undefined if the host has no such metric. */
export type SeriesGenerator = (hostId: string, name: string, from: number, to: number) => MetricPoint[] | undefined;

export interface MackerelSimOptions {
  apiKey?: string;
  /** Whether `apiKey` has Write permission (default false: a Read-only key, as the bot should use). Write endpoints answer 403 to a Read-only key. */
  writable?: boolean;
  /** More keys the organisation has, each Read-only unless `writable`. */
  extraKeys?: { key: string; writable?: boolean }[];
  orgName?: string;
  hosts?: MackerelHost[];
  /** Defaults to the services and roles found in the hosts. */
  services?: MackerelService[];
  alerts?: MackerelAlert[];
  monitors?: MackerelMonitor[];
  checkMonitors?: MackerelCheckMonitor[];
  /** Fallback for metrics without explicit series. */
  seriesGenerator?: SeriesGenerator;
  /** Metric names the fallback generator offers per host (for `/metric-names`). */
  metricNamesOf?: (hostId: string) => string[];
  /** `GET /alerts/<id>` answers `{alert: …}` instead of a bare alert. */
  wrapSingleAlert?: boolean;
  /** Epoch seconds; used by `tsdb/latest`. */
  now?: () => number;
}

/**
 * A fault for Mackerel requests (see `injectFault`):
 * - `status`: answer `status` with Mackerel's error body `{"error":{"message":…}}` (or `body` as given),
 *   with a `Retry-After` header when `retryAfter` is given (e.g. 429).
 * - `hang`: hold the request for `ms` (default: until clearFaults()/stop()), then fail it: reset the
 *   connection (`then: 'reset'`, default) or answer `then.status` (Mackerel's error body unless `then.body`).
 * - `reset`: destroy the connection without an answer.
 */
export type MackerelFault =
  { kind: 'status'; status: number; body?: string; retryAfter?: number | string } | { kind: 'hang'; ms?: number; then?: 'reset' | { status: number; body?: string } } | { kind: 'reset' };

interface FaultEntry {
  fault: MackerelFault;
  route?: string;
  remaining: number;
}

const ERROR = (message: string) => JSON.stringify({ error: { message } });

/**
 * A Mackerel API simulator on 127.0.0.1 for tests and benches. Its state (hosts, services,
 * alerts, monitors, series) is plain data that tests may change at any time.
 */
export class MackerelSim {
  readonly apiKey: string;
  orgName: string;
  hosts: MackerelHost[];
  services: MackerelService[];
  alerts: MackerelAlert[];
  monitors: MackerelMonitor[];
  checkMonitors: MackerelCheckMonitor[];
  seriesGenerator: SeriesGenerator | undefined;
  metricNamesOf: (hostId: string) => string[];
  wrapSingleAlert: boolean;
  now: () => number;
  /** Added to every response (ms). */
  delayMs = 0;
  /** Requests received per route, e.g. `GET /api/v0/hosts`. */
  readonly calls = new Map<string, number>();
  /** The last 1,000 request paths with their query strings. */
  readonly requests: string[] = [];

  private readonly series = new Map<string, MetricPoint[] | SeriesGenerator>();
  private readonly faults: FaultEntry[] = [];
  /** API key → whether it may write. */
  private readonly keys = new Map<string, boolean>();
  private readonly held = new Set<{ timer: NodeJS.Timeout | undefined; release: () => void }>();
  private server: Server | undefined;
  private baseUrl = '';

  constructor(options: MackerelSimOptions = {}) {
    this.apiKey = options.apiKey ?? 'sim-api-key-0123456789';
    this.keys.set(this.apiKey, options.writable ?? false);
    for (const extra of options.extraKeys ?? []) this.keys.set(extra.key, extra.writable ?? false);
    this.orgName = options.orgName ?? 'sim-org';
    this.hosts = options.hosts ?? [];
    this.services = options.services ?? servicesOf(this.hosts);
    this.alerts = options.alerts ?? [];
    this.monitors = options.monitors ?? [];
    this.checkMonitors = options.checkMonitors ?? [];
    this.seriesGenerator = options.seriesGenerator;
    this.metricNamesOf = options.metricNamesOf ?? (() => []);
    this.wrapSingleAlert = options.wrapSingleAlert ?? false;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Starts listening on an ephemeral port; resolves to the base URL (with a trailing slash). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this.baseUrl;
  }

  get url(): string {
    return this.baseUrl;
  }

  async stop(): Promise<void> {
    this.releaseHeld();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** The next `n` requests (to `route` only, if given) fail with `status`. */
  failNext(n: number, status = 500, options: { route?: string; retryAfter?: string; body?: string } = {}): void {
    const { route, ...rest } = options;
    this.injectFault({ kind: 'status', status, ...rest }, { times: n, ...(route ? { route } : {}) });
  }

  /**
   * Breaks the next `times` requests (default 1; Infinity for all until clearFaults()) — only those
   * to `route` (as counted in `calls`, e.g. `GET /api/v0/hosts/:id/metrics`) if given. Faults
   * apply in the order injected, before the API key's permission is checked (after it is known).
   */
  injectFault(fault: MackerelFault, options: { route?: string; times?: number } = {}): void {
    const times = options.times ?? 1;
    if (times > 0) this.faults.push({ fault, remaining: times, ...(options.route ? { route: options.route } : {}) });
  }

  /** Removes every pending fault and fails the requests a hang holds now. */
  clearFaults(): void {
    this.faults.length = 0;
    this.releaseHeld();
  }

  /** Requests now held by a hang. */
  hangingRequests(): number {
    return this.held.size;
  }

  /** Ends every hang now (each fails as its fault says). */
  releaseHeld(): void {
    for (const held of [...this.held]) held.release();
  }

  /** Adds an API key (Read-only unless `writable`). */
  addApiKey(key: string, options: { writable?: boolean } = {}): void {
    this.keys.set(key, options.writable ?? false);
  }

  /** The next `n` requests get 429, with a `Retry-After` header when given (seconds). */
  rateLimitNext(n: number, retryAfterSeconds?: number): void {
    this.failNext(n, 429, retryAfterSeconds === undefined ? {} : { retryAfter: String(retryAfterSeconds) });
  }

  callCount(route: string): number {
    return this.calls.get(route) ?? 0;
  }

  totalCalls(): number {
    let total = 0;
    for (const n of this.calls.values()) total += n;
    return total;
  }

  resetCalls(): void {
    this.calls.clear();
    this.requests.length = 0;
  }

  /** Adds a host; its service and roles join the service list. */
  addHost(host: MackerelHost): void {
    this.hosts.push(host);
    for (const [service, roles] of Object.entries(host.roles)) {
      let entry = this.services.find((s) => s.name === service);
      if (!entry) this.services.push((entry = { name: service, memo: '', roles: [] }));
      for (const role of roles) if (!entry.roles.includes(role)) entry.roles.push(role);
      entry.roles.sort();
    }
  }

  addAlert(alert: MackerelAlert): void {
    this.alerts.push(alert);
  }

  closeAlert(id: string, reason = 'closed', closedAt = this.now()): void {
    const alert = this.alerts.find((a) => a.id === id);
    if (!alert) throw new Error(`no alert ${id}`);
    alert.status = 'OK';
    alert.closedAt = closedAt;
    alert.reason = reason;
  }

  /** Fixed points or a generator for one host metric; overrides `seriesGenerator`. */
  setSeries(hostId: string, name: string, series: MetricPoint[] | SeriesGenerator): void {
    this.series.set(`${hostId}\u0000${name}`, series);
  }

  private pointsOf(hostId: string, name: string, from: number, to: number): MetricPoint[] | undefined {
    const own = this.series.get(`${hostId}\u0000${name}`);
    const points = typeof own === 'function' ? own(hostId, name, from, to) : (own ?? this.seriesGenerator?.(hostId, name, from, to));
    return points?.filter((p) => p.time >= from && p.time <= to).sort((a, b) => a.time - b.time);
  }

  private metricNames(hostId: string): string[] {
    const names = new Set(this.metricNamesOf(hostId));
    for (const key of this.series.keys()) {
      const [h, name] = key.split('\u0000');
      if (h === hostId) names.add(name!);
    }
    return [...names].sort();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const route = routeOf(req.method ?? 'GET', url.pathname);
    this.calls.set(route, (this.calls.get(route) ?? 0) + 1);
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (this.requests.length > 1000) this.requests.shift();
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (res.destroyed) return;

    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(text);
    };
    const key = req.headers['x-api-key'];
    const writable = typeof key === 'string' ? this.keys.get(key) : undefined;
    if (writable === undefined) {
      send(403, ERROR('Authentication failed. Please try again after you check your API key.'));
      return;
    }
    const faultIndex = this.faults.findIndex((f) => !f.route || f.route === route);
    if (faultIndex >= 0) {
      const entry = this.faults[faultIndex]!;
      entry.remaining -= 1;
      if (entry.remaining <= 0) this.faults.splice(faultIndex, 1);
      this.applyFault(entry.fault, req, res, send);
      return;
    }
    if (req.method === 'POST' && /^POST \/api\/v0\/alerts\/:id\/close$/.test(route)) {
      const body = await readJson(req);
      if (!writable) {
        send(403, ERROR('This API key does not have write permission.'));
        return;
      }
      const [status, answer] = this.closeByApi(decodeURIComponent(url.pathname.split('/')[4] ?? ''), body);
      send(status, answer);
      return;
    }
    if (req.method !== 'GET') {
      send(405, ERROR('Method Not Allowed'));
      return;
    }
    const [status, body] = this.answer(url);
    send(status, body);
  }

  private applyFault(fault: MackerelFault, req: IncomingMessage, res: ServerResponse, send: (status: number, body: unknown, headers?: Record<string, string>) => void): void {
    const statusBody = (status: number, body?: string) =>
      body ?? ERROR(status === 429 ? 'Too Many Requests' : status === 503 ? 'Service Unavailable' : status === 504 ? 'Gateway Timeout' : 'Internal Server Error');
    switch (fault.kind) {
      case 'status':
        send(fault.status, statusBody(fault.status, fault.body), fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {});
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang': {
        const held = {
          timer: undefined as NodeJS.Timeout | undefined,
          release: () => {
            if (!this.held.delete(held)) return;
            if (held.timer) clearTimeout(held.timer);
            const then = fault.then ?? 'reset';
            if (then === 'reset' || res.destroyed) req.socket.destroy();
            else send(then.status, statusBody(then.status, then.body));
          },
        };
        this.held.add(held);
        if (fault.ms !== undefined) held.timer = setTimeout(held.release, fault.ms);
        res.on('close', () => {
          if (this.held.delete(held) && held.timer) clearTimeout(held.timer);
        });
        return;
      }
    }
  }

  /** `POST /api/v0/alerts/<id>/close` with `{"reason": …}`: the closed alert (an already closed one is answered as it is). */
  private closeByApi(id: string, body: unknown): [number, unknown] {
    const alert = this.alerts.find((a) => a.id === id);
    if (!alert) return [404, ERROR('Alert Not Found.')];
    const reason = typeof body === 'object' && body !== null ? (body as { reason?: unknown }).reason : undefined;
    if (typeof reason !== 'string') return [400, ERROR('reason is required')];
    if (alert.closedAt === undefined) this.closeAlert(id, reason);
    return [200, alert];
  }

  private answer(url: URL): [number, unknown] {
    const q = url.searchParams;
    const parts = url.pathname
      .replace(/^\/api\/v0\//, '')
      .replace(/\.json$/, '')
      .split('/')
      .map(decodeURIComponent);
    const [first, second, third] = parts;
    const host = (id: string | undefined) => this.hosts.find((h) => h.id === id && !h.isRetired);

    if (first === 'org' && parts.length === 1) return [200, { name: this.orgName }];
    if (first === 'hosts' && parts.length === 1) {
      const statuses = q.getAll('status');
      for (const s of statuses) if (!HOST_STATUSES.includes(s as HostStatus)) return [400, ERROR(`Invalid status: ${s}`)];
      const wanted = new Set(statuses.length ? statuses : ['working', 'standby']);
      const service = q.get('service');
      const roles = q.getAll('role');
      const name = q.get('name');
      const custom = q.get('customIdentifier');
      const hosts = this.hosts.filter(
        (h) =>
          !h.isRetired &&
          wanted.has(h.status) &&
          (!service || (h.roles[service] !== undefined && (roles.length === 0 || h.roles[service]!.some((r) => roles.includes(r))))) &&
          (!name || h.name === name) &&
          (!custom || h.customIdentifier === custom),
      );
      return [200, { hosts }];
    }
    if (first === 'hosts' && parts.length >= 2) {
      const h = host(second);
      if (!h) return [404, ERROR('Host Not Found.')];
      if (parts.length === 2) return [200, { host: h }];
      if (third === 'metric-names') return [200, { names: this.metricNames(h.id) }];
      if (third === 'metrics') {
        const name = q.get('name');
        const from = Number(q.get('from'));
        const to = Number(q.get('to'));
        if (!name || !q.get('from') || !q.get('to') || !Number.isFinite(from) || !Number.isFinite(to) || from > to) {
          return [400, ERROR('name, from and to are required; from must not be after to')];
        }
        const points = this.pointsOf(h.id, name, from, to);
        return points ? [200, { metrics: points }] : [404, ERROR('Metric Not Found.')];
      }
    }
    if (first === 'tsdb' && second === 'latest') {
      const now = this.now();
      const out: Record<string, Record<string, MetricPoint | null>> = {};
      for (const id of q.getAll('hostId')) {
        if (!host(id)) continue;
        const entry: Record<string, MetricPoint | null> = {};
        for (const name of q.getAll('name')) {
          const last = this.pointsOf(id, name, now - 600, now)?.at(-1);
          entry[name] = last ?? null;
        }
        out[id] = entry;
      }
      return [200, { tsdbLatest: out }];
    }
    if (first === 'services' && parts.length === 1) return [200, { services: this.services }];
    if (first === 'services' && third === 'roles' && parts.length === 3) {
      const service = this.services.find((s) => s.name === second);
      return service ? [200, { roles: service.roles.map((name) => ({ name, memo: '' })) }] : [404, ERROR('Service Not Found.')];
    }
    if (first === 'alerts' && parts.length === 1) return this.listAlerts(q);
    if (first === 'alerts' && parts.length === 2) {
      const alert = this.alerts.find((a) => a.id === second);
      if (!alert) return [404, ERROR('Alert Not Found.')];
      return [200, this.wrapSingleAlert ? { alert } : alert];
    }
    if (first === 'monitors' && parts.length === 1) return [200, { monitors: this.monitors }];
    if (first === 'monitors' && parts.length === 2) {
      const monitor = this.monitors.find((m) => m.id === second);
      return monitor ? [200, { monitor }] : [404, ERROR('Monitor Not Found.')];
    }
    if (first === 'monitoring' && second === 'checks' && parts.length === 2) return [200, { checks: this.checkMonitors }];
    if (first === 'monitoring' && second === 'checks' && parts.length === 3) {
      const check = this.checkMonitors.find((m) => m.id === third);
      return check ? [200, { check }] : [404, ERROR('Monitor Not Found.')];
    }
    return [404, ERROR('Not Found.')];
  }

  private listAlerts(q: URLSearchParams): [number, unknown] {
    const limit = q.has('limit') ? Number(q.get('limit')) : 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return [400, ERROR('limit must be between 1 and 100')];
    const withClosed = q.get('withClosed') === 'true';
    let list = this.alerts.filter((a) => withClosed || a.closedAt === undefined).sort((a, b) => b.openedAt - a.openedAt || (a.id < b.id ? 1 : -1));
    const nextId = q.get('nextId');
    if (nextId) {
      const at = list.findIndex((a) => a.id === nextId);
      if (at < 0) return [400, ERROR('Invalid nextId')];
      list = list.slice(at + 1);
    }
    // As documented: `nextId` (the last alert of this page) asks for the alerts older than it.
    const page = list.slice(0, limit);
    return [200, list.length > limit ? { alerts: page, nextId: page.at(-1)!.id } : { alerts: page }];
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Collapses ids out of a path so counters group by route: `/api/v0/hosts/abc/metrics` → `GET /api/v0/hosts/:id/metrics`. */
function routeOf(method: string, path: string): string {
  const parts = path.replace(/\.json$/, '').split('/');
  // ['', 'api', 'v0', collection, id?, sub?]
  if (parts[3] === 'services' && parts[4]) parts[4] = ':name';
  else if (parts[3] === 'monitoring' && parts[5]) parts[5] = ':id';
  else if (parts[3] !== 'tsdb' && parts[4]) parts[4] = ':id';
  return `${method} ${parts.join('/')}`;
}

function servicesOf(hosts: MackerelHost[]): MackerelService[] {
  const map = new Map<string, Set<string>>();
  for (const h of hosts) {
    for (const [service, roles] of Object.entries(h.roles)) {
      const set = map.get(service) ?? new Set<string>();
      for (const r of roles) set.add(r);
      map.set(service, set);
    }
  }
  return [...map].map(([name, roles]) => ({ name, memo: '', roles: [...roles].sort() }));
}

/** Convenience: a started simulator. */
export async function startMackerelSim(options: MackerelSimOptions = {}): Promise<MackerelSim> {
  const sim = new MackerelSim(options);
  await sim.start();
  return sim;
}
