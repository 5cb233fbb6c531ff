import { afterEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../src/core/logger.ts';
import { createHttpServer, type HttpServer } from '../src/server/http-server.ts';

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: { ready: boolean; received: unknown[] }) {
  server = createHttpServer({
    log: createSilentLogger(),
    health: () => (options.ready ? { ok: true } : null),
    mackerelWebhook: {
      token: 'hook-token-123',
      handle: async (payload) => {
        options.received.push(payload);
        return { status: 202, message: 'accepted' };
      },
    },
  });
  const port = await server.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${port}`;
}

describe('HTTP server', () => {
  it('answers /healthz with 503 until ready, then 200', async () => {
    const state = { ready: false, received: [] };
    const base = await start(state);
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    state.ready = true;
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('takes Mackerel webhooks only with the token, and only JSON', async () => {
    const state = { ready: true, received: [] as unknown[] };
    const base = await start(state);
    const post = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await post('/webhooks/mackerel', '{"event":"sample"}')).status).toBe(401);
    expect((await post('/webhooks/mackerel?token=wrong', '{"event":"sample"}')).status).toBe(401);
    expect((await post('/webhooks/mackerel?token=hook-token-123', '{not json')).status).toBe(400);
    expect((await post('/webhooks/mackerel?token=hook-token-123', 'x'.repeat(1024 * 1024 + 1))).status).toBe(413);
    expect(state.received).toEqual([]);
    expect((await post('/webhooks/mackerel?token=hook-token-123', '{"event":"sample"}')).status).toBe(202);
    expect((await post('/webhooks/mackerel', '{"event":"alert"}', { 'x-opsbot-token': 'hook-token-123' })).status).toBe(202);
    expect(state.received).toEqual([{ event: 'sample' }, { event: 'alert' }]);
  });
});
