import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/logger.ts';
import { createMackerelClient, type MackerelClientOptions } from '../src/services/mackerel/client.ts';
import { MackerelError } from '../src/services/mackerel/errors.ts';
import type { MackerelAlert } from '../src/services/mackerel/types.ts';
import { createLogSink } from './helpers/log-sink.ts';
import { generateOrg } from './sim/generate-org.ts';
import { MackerelSim } from './sim/mackerel-sim.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';

/** The English sentences people read about a failure. */
const words = (error: unknown) => createPresenter({ language: 'en', timeZone: 'UTC' }).error(error).text;

let sim: MackerelSim;
let sink: ReturnType<typeof createLogSink>;
let sleeps: number[];

beforeEach(async () => {
  const org = generateOrg({ hosts: 250, seed: 7 });
  sim = new MackerelSim({ hosts: org.hosts, orgName: 'acme' });
  await sim.start();
  sink = createLogSink();
  sleeps = [];
});
afterEach(() => sim.stop());

function client(overrides: Partial<MackerelClientOptions> = {}) {
  return createMackerelClient({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    // No secrets given to the logger: the client itself must keep the key out of every line.
    log: createLogger({ level: 'debug', destination: sink.stream }),
    sleep: async (ms) => void sleeps.push(ms),
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<MackerelError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MackerelError);
  return error as MackerelError;
}

describe('Mackerel client', () => {
  it('sends the key, reads the org, and lists hosts of all four statuses by default', async () => {
    const mk = client();
    expect(await mk.getOrg()).toEqual({ name: 'acme' });
    const hosts = await mk.listHosts();
    expect(hosts).toHaveLength(250);
    expect(new Set(hosts.map((h) => h.status))).toEqual(new Set(['working', 'standby', 'maintenance', 'poweroff']));
    expect(sim.requests.at(-1)).toBe('GET /api/v0/hosts?status=working&status=standby&status=maintenance&status=poweroff');
  });

  it('filters hosts by service, role and status', async () => {
    const mk = client();
    const web = await mk.listHosts({ service: 'shop', role: 'web', statuses: ['working', 'maintenance'] });
    expect(web.length).toBeGreaterThan(0);
    for (const h of web) {
      expect(h.roles.shop).toContain('web');
      expect(['working', 'maintenance']).toContain(h.status);
    }
    expect(await mk.listServices()).toContainEqual(expect.objectContaining({ name: 'blog', roles: ['front', 'mysql', 'writer'] }));
    expect((await mk.listRoles('api')).map((r) => r.name)).toEqual(['gw', 'queue', 'worker']);
  });

  it('reports a wrong key as 403 with the API message, without retrying and without the key', async () => {
    const mk = client({ apiKey: 'wrong-key-abcdef123' });
    const error = await failure(mk.getOrg());
    expect(error.status).toBe(403);
    expect(error.apiMessage).toMatch(/Authentication failed/);
    expect(words(error)).toMatch(/`MACKEREL_APIKEY`/);
    expect(sim.callCount('GET /api/v0/org')).toBe(1);
    expect(JSON.stringify({ m: error.message, u: words(error), logs: sink.lines })).not.toContain('wrong-key-abcdef123');
  });

  it('parses the documented error body and does not retry a 404', async () => {
    const error = await failure(client().getHost('nope'));
    expect(error.status).toBe(404);
    expect(error.apiMessage).toBe('Host Not Found.');
    expect(sim.callCount('GET /api/v0/hosts/:id')).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('falls back to the status text when the error body is not JSON', async () => {
    sim.failNext(1, 400, { body: '<html>bad</html>' });
    const error = await failure(client().listServices());
    expect(error.status).toBe(400);
    expect(error.apiMessage).toBe('Bad Request');
  });

  it('retries 429 (honouring Retry-After) and 500, then succeeds', async () => {
    sim.rateLimitNext(1, 2);
    sim.failNext(1, 503);
    const services = await client({ random: () => 1 }).listServices();
    expect(services.map((s) => s.name).sort()).toEqual(['api', 'blog', 'infra', 'shop']);
    expect(sim.callCount('GET /api/v0/services')).toBe(3);
    expect(sleeps).toEqual([2000, 500]);
    expect(sink.lines.join('\n')).not.toContain(sim.apiKey);
  });

  it('backs off exponentially and gives up after the configured retries', async () => {
    sim.failNext(10, 500);
    const error = await failure(client({ retries: 3, baseDelayMs: 100, random: () => 1 }).getOrg());
    expect(error.status).toBe(500);
    expect(words(error)).toBe('Mackerel is having trouble (HTTP 500). Try again in a minute.');
    expect(sim.callCount('GET /api/v0/org')).toBe(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('times out a slow answer and reports it as Mackerel not answering', async () => {
    sim.delayMs = 2000;
    const error = await failure(client({ timeoutMs: 100, retries: 1 }).getOrg());
    expect(error.status).toBe(0);
    expect(error.apiMessage).toMatch(/no answer within 100 ms/);
    expect(words(error)).toBe('Mackerel is not answering. Try again in a minute.');
    expect(sleeps).toHaveLength(1);
  });

  it('reports a refused connection as a network error after retrying', async () => {
    const url = sim.url;
    await sim.stop();
    const error = await failure(client({ baseUrl: url, retries: 2 }).getOrg());
    expect(error.status).toBe(0);
    expect(error.retryable).toBe(true);
    expect(sleeps).toHaveLength(2);
  });
});

describe('Mackerel client: alerts, monitors and metrics', () => {
  const alert = (i: number, closed = false): MackerelAlert => ({
    id: `alert${String(i).padStart(3, '0')}`,
    status: closed ? 'OK' : 'CRITICAL',
    monitorId: 'mon1',
    type: 'host',
    hostId: sim.hosts[0]!.id,
    value: 90 + (i % 10),
    openedAt: 1_760_000_000 + i * 60,
    ...(closed ? { closedAt: 1_760_000_000 + i * 60 + 30, reason: 'auto' } : {}),
  });

  it('lists open alerts, pages with nextId, and includes closed ones on request', async () => {
    for (let i = 0; i < 150; i++) sim.addAlert(alert(i, i % 5 === 0));
    const mk = client();
    const first = await mk.listAlerts();
    expect(first.alerts).toHaveLength(100);
    expect(first.alerts.every((a) => a.closedAt === undefined)).toBe(true);
    expect(first.alerts[0]!.id).toBe('alert149');
    expect(first.nextId).toBe(first.alerts.at(-1)!.id);
    const second = await mk.listAlerts({ nextId: first.nextId! });
    expect(second.nextId).toBeUndefined();
    expect(second.alerts).toHaveLength(20);
    expect(new Set([...first.alerts, ...second.alerts].map((a) => a.id)).size).toBe(120);

    const all = await mk.listAlerts({ withClosed: true, limit: 50 });
    expect(all.alerts).toHaveLength(50);
    expect(all.alerts.some((a) => a.closedAt !== undefined)).toBe(true);
  });

  it('skips alerts it cannot read, keeps the rest, and logs the skip once per call', async () => {
    for (let i = 0; i < 5; i++) sim.addAlert(alert(i));
    sim.addAlert({ ...alert(10), status: 'EXPLODED' } as unknown as MackerelAlert);
    sim.addAlert({ ...alert(11), openedAt: '1760000660' } as unknown as MackerelAlert);
    const page = await client().listAlerts();
    expect(page.alerts.map((a) => a.id).sort()).toEqual(['alert000', 'alert001', 'alert002', 'alert003', 'alert004', 'alert011']);
    expect(page.alerts.find((a) => a.id === 'alert011')!.openedAt).toBe(1_760_000_660);
    const skipped = sink.lines.filter((l) => l.includes('mackerel response items skipped'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toContain('unknown alert status');
  });

  it('rejects a limit over 100 with the API message and no retry', async () => {
    const error = await failure(client().listAlerts({ limit: 101 }));
    expect(error.status).toBe(400);
    expect(error.apiMessage).toMatch(/limit/);
    expect(sim.callCount('GET /api/v0/alerts')).toBe(1);
  });

  it('reads a single alert whether bare or wrapped in {alert}', async () => {
    sim.addAlert(alert(1));
    const mk = client();
    expect((await mk.getAlert('alert001')).value).toBe(91);
    sim.wrapSingleAlert = true;
    expect((await mk.getAlert('alert001')).id).toBe('alert001');
    sim.closeAlert('alert001', 'fixed');
    expect(await mk.getAlert('alert001')).toMatchObject({ status: 'OK', reason: 'fixed' });
  });

  it('reads monitors and check monitors', async () => {
    sim.monitors.push({ id: 'mon1', type: 'host', name: 'disk', metric: 'disk%', operator: '>', warning: 80, critical: 90 });
    sim.checkMonitors.push({ id: 'chk1', name: 'nginx check' });
    const mk = client();
    expect(await mk.listMonitors()).toHaveLength(1);
    expect((await mk.getMonitor('mon1')).critical).toBe(90);
    expect((await mk.getCheckMonitor('chk1')).name).toBe('nginx check');
    expect((await failure(mk.getMonitor('chk1'))).status).toBe(404);
  });

  it('reads metric names, a series within from/to, and latest values in batches of 100', async () => {
    const id = sim.hosts[3]!.id;
    sim.seriesGenerator = (_h, name, from, to) => {
      if (name !== 'memory.used') return undefined;
      const points = [];
      for (let t = Math.ceil(from / 60) * 60; t <= to; t += 60) points.push({ time: t, value: t % 1000 });
      return points;
    };
    sim.metricNamesOf = () => ['memory.used'];
    sim.setSeries(id, 'filesystem.sda1.used', [
      { time: 100, value: 1 },
      { time: 200, value: 2 },
      { time: 300, value: 3 },
    ]);
    const mk = client();
    expect(await mk.getHostMetricNames(id)).toEqual(['filesystem.sda1.used', 'memory.used']);
    expect(await mk.getHostMetrics(id, 'filesystem.sda1.used', 150, 300)).toEqual([
      { time: 200, value: 2 },
      { time: 300, value: 3 },
    ]);
    expect(await mk.getHostMetrics(id, 'memory.used', 600, 720)).toHaveLength(3);
    expect((await failure(mk.getHostMetrics(id, 'nope', 0, 10))).status).toBe(404);

    const ids = sim.hosts.slice(0, 150).map((h) => h.id);
    const latest = await mk.getLatestHostMetrics(ids, ['memory.used', 'missing']);
    expect(sim.callCount('GET /api/v0/tsdb/latest')).toBe(2);
    expect(Object.keys(latest)).toHaveLength(150);
    expect(latest[id]!['memory.used']!.value).toBeTypeOf('number');
    expect(latest[id]!.missing).toBeUndefined();
  });
});
