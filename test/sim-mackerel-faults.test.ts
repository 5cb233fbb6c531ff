import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MackerelAlert } from '../src/services/mackerel/types.ts';
import { MackerelSim } from './sim/mackerel-sim.ts';

const READ_KEY = 'sim-read-key-0123456789';
const WRITE_KEY = 'sim-write-key-0123456789';
let sim: MackerelSim;

const alert = (id: string): MackerelAlert => ({ id, status: 'CRITICAL', monitorId: 'mon1', type: 'host', hostId: 'h1', value: 95, message: 'disk', openedAt: 1_760_000_000 });

beforeAll(async () => {
  sim = new MackerelSim({ apiKey: READ_KEY, extraKeys: [{ key: WRITE_KEY, writable: true }], alerts: [alert('A1'), alert('A2'), alert('A3')] });
  await sim.start();
});
afterAll(async () => {
  await sim.stop();
});
afterEach(() => {
  sim.clearFaults();
});

async function get(path: string, init: { key?: string; signal?: AbortSignal } = {}) {
  const res = await fetch(`${sim.url}api/v0/${path}`, { headers: { 'x-api-key': init.key ?? READ_KEY }, ...(init.signal ? { signal: init.signal } : {}) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function close(id: string, key: string, body: unknown = { reason: 'handled in Slack' }) {
  const res = await fetch(`${sim.url}api/v0/alerts/${id}/close`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function failure(promise: Promise<unknown>): Promise<Error & { cause?: { code?: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { cause?: { code?: string } };
  }
  throw new Error('expected a failure');
}

describe('Mackerel simulator: faults', () => {
  it('5xx with Mackerel’s error body, on one route only, `times` times', async () => {
    sim.injectFault({ kind: 'status', status: 500 }, { route: 'GET /api/v0/alerts', times: 2 });
    expect(await get('org')).toMatchObject({ status: 200 });
    expect(await get('alerts')).toMatchObject({ status: 500, body: { error: { message: 'Internal Server Error' } } });
    expect(await get('alerts')).toMatchObject({ status: 500 });
    expect(await get('alerts')).toMatchObject({ status: 200 });
    sim.injectFault({ kind: 'status', status: 503, body: JSON.stringify({ error: { message: 'maintenance' } }) });
    expect(await get('org')).toMatchObject({ status: 503, body: { error: { message: 'maintenance' } } });
  });

  it('429 with Retry-After (rateLimitNext and injectFault)', async () => {
    sim.rateLimitNext(1, 5);
    const first = await get('org');
    expect([first.status, first.headers.get('retry-after'), first.body]).toEqual([429, '5', { error: { message: 'Too Many Requests' } }]);
    sim.injectFault({ kind: 'status', status: 429, retryAfter: 2 }, { route: 'GET /api/v0/org' });
    expect((await get('org')).headers.get('retry-after')).toBe('2');
    expect((await get('org')).status).toBe(200);
  });

  it('reset: the connection drops', async () => {
    sim.injectFault({ kind: 'reset' }, { route: 'GET /api/v0/hosts' });
    const error = await failure(get('hosts'));
    expect(error.message).toMatch(/fetch failed/);
    expect(sim.callCount('GET /api/v0/hosts')).toBe(1);
    expect((await get('hosts')).status).toBe(200);
  });

  it('hang for N ms, then fail with a status (Mackerel body) or a reset', async () => {
    sim.injectFault({ kind: 'hang', ms: 25, then: { status: 504 } }, { route: 'GET /api/v0/alerts/:id' });
    const started = Date.now();
    expect(await get('alerts/A1')).toMatchObject({ status: 504, body: { error: { message: 'Gateway Timeout' } } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(20);
    sim.injectFault({ kind: 'hang', ms: 10 }, { route: 'GET /api/v0/alerts/:id' });
    expect((await failure(get('alerts/A1'))).message).toMatch(/fetch failed/);
    expect((await get('alerts/A1')).status).toBe(200);
  });

  it('hang without ms: held until clearFaults(); a caller that gives up frees it', async () => {
    sim.injectFault({ kind: 'hang' }, { route: 'GET /api/v0/services', times: Number.POSITIVE_INFINITY });
    const pending = failure(get('services'));
    await until(() => sim.hangingRequests() === 1);
    sim.clearFaults();
    expect((await pending).message).toMatch(/fetch failed/);
    expect(sim.hangingRequests()).toBe(0);

    sim.injectFault({ kind: 'hang' }, { route: 'GET /api/v0/services' });
    const controller = new AbortController();
    const aborted = failure(get('services', { signal: controller.signal }));
    await until(() => sim.hangingRequests() === 1);
    controller.abort();
    expect((await aborted).name).toBe('AbortError');
    await until(() => sim.hangingRequests() === 0);
    expect((await get('services')).status).toBe(200);
  });

  it('failNext keeps its old meaning (n requests, optional route and body)', async () => {
    sim.failNext(1, 400, { body: '<html>bad</html>' });
    const res = await fetch(`${sim.url}api/v0/org`, { headers: { 'x-api-key': READ_KEY } });
    expect([res.status, await res.text()]).toEqual([400, '<html>bad</html>']);
    sim.failNext(2, 503, { route: 'GET /api/v0/org' });
    expect((await get('hosts')).status).toBe(200);
    expect((await get('org')).status).toBe(503);
    expect((await get('org')).status).toBe(503);
    expect((await get('org')).status).toBe(200);
  });
});

describe('Mackerel simulator: closing alerts needs a key with Write permission', () => {
  it('a Read-only key gets 403 and the alert stays open', async () => {
    const res = await close('A1', READ_KEY);
    expect(res).toEqual({ status: 403, body: { error: { message: expect.any(String) } } });
    expect(sim.alerts.find((a) => a.id === 'A1')).toMatchObject({ status: 'CRITICAL' });
    expect(sim.alerts.find((a) => a.id === 'A1')).not.toHaveProperty('closedAt');
  });

  it('a writable key closes it with the reason; list without withClosed no longer shows it', async () => {
    const res = await close('A2', WRITE_KEY, { reason: 'disk cleaned by opsbot' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'A2', status: 'OK', reason: 'disk cleaned by opsbot', closedAt: expect.any(Number) });
    expect(((await get('alerts')).body.alerts as MackerelAlert[]).map((a) => a.id)).not.toContain('A2');
    expect(((await get('alerts?withClosed=true')).body.alerts as MackerelAlert[]).map((a) => a.id)).toContain('A2');
    expect(sim.callCount('POST /api/v0/alerts/:id/close')).toBeGreaterThanOrEqual(1);
    // Closing again answers the closed alert unchanged.
    expect(await close('A2', WRITE_KEY, { reason: 'again' })).toMatchObject({ status: 200, body: { reason: 'disk cleaned by opsbot' } });
  });

  it('unknown alert 404, missing reason 400, unknown key 403; addApiKey and the `writable` option', async () => {
    expect(await close('NOPE', WRITE_KEY)).toMatchObject({ status: 404, body: { error: { message: 'Alert Not Found.' } } });
    expect(await close('A3', WRITE_KEY, {})).toMatchObject({ status: 400 });
    expect(await close('A3', 'no-such-key')).toMatchObject({ status: 403, body: { error: { message: expect.stringContaining('Authentication failed') } } });
    sim.addApiKey('late-writer', { writable: true });
    expect(await close('A3', 'late-writer')).toMatchObject({ status: 200, body: { status: 'OK' } });

    const own = new MackerelSim({ apiKey: 'own-key', writable: true, alerts: [alert('B1')] });
    await own.start();
    try {
      const res = await fetch(`${own.url}api/v0/alerts/B1/close`, { method: 'POST', headers: { 'x-api-key': 'own-key', 'content-type': 'application/json' }, body: '{"reason":"x"}' });
      expect(res.status).toBe(200);
    } finally {
      await own.stop();
    }
  });

  it('a fault on the close route: 500 and the alert is not closed', async () => {
    sim.addAlert(alert('A4'));
    sim.injectFault({ kind: 'status', status: 500 }, { route: 'POST /api/v0/alerts/:id/close' });
    expect(await close('A4', WRITE_KEY)).toMatchObject({ status: 500, body: { error: { message: 'Internal Server Error' } } });
    expect(sim.alerts.find((a) => a.id === 'A4')?.closedAt).toBeUndefined();
  });
});

/** Waits on a condition the simulator changes from its own request handler (no fixed sleep: polls the event loop). */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
