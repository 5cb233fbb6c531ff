import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * Slack's Socket Mode side, on loopback: `apps.connections.open` (checked against the app token)
 * hands out a ws:// URL, the socket says hello, and `sendEvent` pushes an Events API envelope and
 * resolves when the app acknowledges it. Every other Web API call is forwarded to `apiUrl`
 * (the Slack Web API simulator), so one SLACK_API_URL serves both.
 */
export class SocketModeSim {
  readonly appToken: string;
  private readonly forwardTo: string;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private socket: WebSocket | undefined;
  private readonly acks = new Map<string, () => void>();
  private connected: (() => void) | undefined;
  private port = 0;
  connectionsOpened = 0;

  constructor(options: { appToken: string; forwardTo: string }) {
    this.appToken = options.appToken;
    this.forwardTo = options.forwardTo;
    this.server = createServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        if (req.url === '/api/apps.connections.open') {
          this.connectionsOpened++;
          const ok = req.headers.authorization === `Bearer ${this.appToken}`;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(ok ? { ok: true, url: `ws://127.0.0.1:${this.port}/link` } : { ok: false, error: 'invalid_auth' }));
          return;
        }
        const forwarded = await fetch(new URL(req.url!.replace(/^\/api\//, ''), this.forwardTo), {
          method: req.method,
          headers: Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length') as [string, string][]),
          ...(body.length ? { body } : {}),
        });
        res.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await forwarded.arrayBuffer()));
      })().catch(() => res.destroy());
    });
    this.server.on('upgrade', (req, socket, head) => {
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.socket = ws;
        ws.on('message', (data) => {
          const message = JSON.parse(String(data)) as { envelope_id?: string };
          if (message.envelope_id) this.acks.get(message.envelope_id)?.();
        });
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0TEST' }, debug_info: { host: 'sim' } }));
        this.connected?.();
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** Resolves once the app has opened its socket. */
  waitForConnection(): Promise<void> {
    if (this.socket) return Promise.resolve();
    return new Promise((resolve) => (this.connected = resolve));
  }

  /** Pushes an event envelope; resolves with the envelope id once the app acks it. */
  sendEvent(event: Record<string, unknown>, options: { retryAttempt?: number; eventId?: string } = {}): Promise<string> {
    const envelopeId = randomUUID();
    const acked = new Promise<string>((resolve) => this.acks.set(envelopeId, () => resolve(envelopeId)));
    this.socket!.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type: 'events_api',
        accepts_response_payload: false,
        retry_attempt: options.retryAttempt ?? 0,
        retry_reason: options.retryAttempt ? 'timeout' : '',
        payload: { type: 'event_callback', team_id: 'T0TEST', api_app_id: 'A0TEST', event_id: options.eventId ?? `Ev${envelopeId}`, event_time: Math.floor(Date.now() / 1000), event },
      }),
    );
    return acked;
  }

  /** Pushes an interactivity payload (a button press) as Slack's `interactive` envelope; resolves once acked. */
  sendInteractive(payload: Record<string, unknown>): Promise<string> {
    return this.push('interactive', payload);
  }

  /** Pushes a slash command (its form fields) as Slack's `slash_commands` envelope; resolves once acked. */
  sendSlashCommand(fields: Record<string, string>): Promise<string> {
    return this.push('slash_commands', fields);
  }

  private push(type: string, payload: Record<string, unknown>): Promise<string> {
    const envelopeId = randomUUID();
    const acked = new Promise<string>((resolve) => this.acks.set(envelopeId, () => resolve(envelopeId)));
    this.socket!.send(JSON.stringify({ envelope_id: envelopeId, type, accepts_response_payload: true, payload }));
    return acked;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
