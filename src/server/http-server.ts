import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.ts';

/** Accepts a parsed Mackerel webhook body; returns the HTTP status and a short message. */
export type MackerelWebhookHandler = (payload: unknown) => Promise<{ status: number; message: string }>;

export interface HttpServerOptions {
  log: Logger;
  /** HTTP mode: Bolt's listener for signed Slack events. */
  slackEvents?: RequestListener;
  /** Mounted only when a webhook token is configured. */
  mackerelWebhook?: { token: string; handle: MackerelWebhookHandler };
  /** The body of GET /healthz; null while not ready (503). */
  health: () => Record<string, unknown> | null;
}

export interface HttpServer {
  server: Server;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

const MAX_WEBHOOK_BYTES = 1024 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** opsbot's one HTTP server: Slack events (HTTP mode), Mackerel webhooks, health. */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { log } = options;

  const handleWebhook = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const hook = options.mackerelWebhook!;
    const header = req.headers['x-opsbot-token'];
    const token = url.searchParams.get('token') ?? (Array.isArray(header) ? header[0] : header) ?? '';
    if (!sameSecret(token, hook.token)) return send(res, 401, { ok: false, error: 'bad or missing token' });
    const body = await readBody(req, MAX_WEBHOOK_BYTES);
    if (body === null) return send(res, 413, { ok: false, error: 'body too large' });
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { ok: false, error: 'body is not JSON' });
    }
    const result = await hook.handle(payload);
    send(res, result.status, { ok: result.status < 300, message: result.message });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    void (async () => {
      if (route === 'GET /healthz') {
        const status = options.health();
        return send(res, status ? 200 : 503, status ?? { ok: false, status: 'starting' });
      }
      if (url.pathname === '/slack/events' && options.slackEvents) return options.slackEvents(req, res);
      if (route === 'POST /webhooks/mackerel' && options.mackerelWebhook) return handleWebhook(req, res, url);
      send(res, 404, { ok: false, error: 'not found' });
    })().catch((error: unknown) => {
      log.error({ err: error, route }, 'HTTP handler failed');
      if (!res.headersSent) send(res, 500, { ok: false, error: 'internal error' });
      else res.destroy();
    });
  });

  return {
    server,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
