import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { isValidSlackRequest } from '@slack/bolt';
import type { Logger } from '../core/logger.ts';
import type { MackerelWebhookHandler } from '../core/webhook.ts';
import { checkSlackEnvelope } from './slack-envelope.ts';

export type { MackerelWebhookHandler } from '../core/webhook.ts';

export interface HttpServerOptions {
  log: Logger;
  /** HTTP mode: Bolt's listener for signed Slack events, behind opsbot's own checks. */
  slackEvents?: { signingSecret: string; listener: RequestListener };
  /** Mounted only when a webhook token is configured. */
  mackerelWebhook?: { token: string; handle: MackerelWebhookHandler };
  /** The body of GET /healthz; null while not ready (503). */
  health: () => Record<string, unknown> | null;
  /** GET /metrics: Prometheus text exposition. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
}

export interface HttpServer {
  server: Server;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

const MAX_WEBHOOK_BYTES = 1024 * 1024;
/** Slack's event and interactivity bodies are a few kB; a file share with many files stays far below this. */
const MAX_SLACK_BYTES = 1024 * 1024;
/** Longest request target opsbot looks at (in log lines too). */
const MAX_LOGGED_PATH = 200;

class BodyTooLarge extends Error {}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads the body up to `limit` bytes; a larger one rejects (the rest is not read). */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The request target split without `new URL` (which throws on `//` or `/\`): the path and
 * the query string. Never throws.
 */
export function splitTarget(target: string | undefined): { path: string; query: URLSearchParams } {
  const raw = target ?? '/';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  } catch {
    query = new URLSearchParams();
  }
  return { path, query };
}

type Route = { methods: Record<string, (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => Promise<void> | void> };

/**
 * opsbot's one HTTP server: Slack events (HTTP mode), Mackerel webhooks, health and metrics.
 * Every request runs inside one error boundary; unknown paths get 404, known paths with
 * another method 405; bodies are bounded; Slack envelopes are verified and shape-checked
 * before Bolt sees them, so no request can make Bolt (or the server) throw.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { log } = options;

  const handleWebhook = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    const hook = options.mackerelWebhook!;
    const token = query.get('token') ?? header(req, 'x-opsbot-token') ?? '';
    if (!sameSecret(token, hook.token)) return send(res, 401, { ok: false, error: 'bad or missing token' });
    const body = await readBody(req, MAX_WEBHOOK_BYTES);
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      return send(res, 400, { ok: false, error: 'body is not JSON' });
    }
    const result = await hook.handle(payload);
    send(res, result.status, { ok: result.status < 300, message: result.message });
  };

  const handleSlack = async (req: IncomingMessage, res: ServerResponse) => {
    const slack = options.slackEvents!;
    const body = await readBody(req, MAX_SLACK_BYTES);
    const text = body.toString('utf8');
    const contentType = header(req, 'content-type');
    const envelope = checkSlackEnvelope(contentType, text);
    if (envelope.kind === 'ssl_check') return send(res, 200, { ok: true });
    const signature = header(req, 'x-slack-signature');
    const timestamp = Number(header(req, 'x-slack-request-timestamp'));
    const signed =
      typeof signature === 'string' &&
      Number.isFinite(timestamp) &&
      isValidSlackRequest({ signingSecret: slack.signingSecret, body: text, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp } });
    if (!signed) return send(res, 401, { ok: false, error: 'bad or missing Slack signature' });
    if (envelope.kind === 'bad') {
      log.warn({ why: envelope.why, bytes: body.length }, 'malformed Slack request refused');
      return send(res, 400, { ok: false, error: envelope.why });
    }
    if (envelope.kind === 'ignore') {
      log.info({ why: envelope.why }, 'Slack request acknowledged and ignored');
      return send(res, 200, { ok: true });
    }
    // Bolt reads `rawBody` instead of the (already consumed) stream, verifies it again and dispatches.
    // Its listener returns nothing to wait for (it answers `res` itself); a synchronous throw still
    // lands in the error boundary.
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = body;
    slack.listener(req, res);
  };

  const routes: Record<string, Route> = {
    '/healthz': {
      methods: {
        GET: (_req, res) => {
          const status = options.health();
          send(res, status ? 200 : 503, status ?? { ok: false, status: 'starting' });
        },
      },
    },
  };
  if (options.metrics) {
    const metrics = options.metrics;
    routes['/metrics'] = {
      methods: {
        GET: async (_req, res) => {
          const { contentType, body } = await metrics();
          res.writeHead(200, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) });
          res.end(body);
        },
      },
    };
  }
  if (options.slackEvents) routes['/slack/events'] = { methods: { POST: handleSlack } };
  if (options.mackerelWebhook) routes['/webhooks/mackerel'] = { methods: { POST: handleWebhook } };

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => {
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (!route) return send(res, 404, { ok: false, error: 'not found' });
    const method = (req.method ?? 'GET').toUpperCase();
    const run = Object.hasOwn(route.methods, method) ? route.methods[method] : method === 'HEAD' ? route.methods.GET : undefined;
    if (!run) return send(res, 405, { ok: false, error: 'method not allowed' }, { allow: Object.keys(route.methods).join(', ') });
    await run(req, res, query);
  };

  const server = createServer((req, res) => {
    let path = '/';
    void (async () => {
      const target = splitTarget(req.url);
      path = target.path;
      await handle(req, res, target.path, target.query);
    })().catch((error: unknown) => {
      if (error instanceof BodyTooLarge) {
        send(res, 413, { ok: false, error: 'body too large' }, { connection: 'close' });
        req.resume();
        return;
      }
      log.error({ err: error, method: String(req.method).slice(0, 10), path: path.slice(0, MAX_LOGGED_PATH) }, 'HTTP handler failed');
      if (!res.headersSent) send(res, 500, { ok: false, error: 'internal error' });
      else res.destroy();
    });
  });
  // A malformed request line or header never reaches the listener: answer 400 and close.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.headersTimeout = 15_000;
  server.requestTimeout = 60_000;

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
