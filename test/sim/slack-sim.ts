import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContentSource } from './generated-content.ts';
import { limitViolations, unexpectedPings } from './slack-rules.ts';

export { generatedContent, type ContentSource } from './generated-content.ts';

/** One Web API call the simulator received. `token` is the bearer sent (undefined if none). */
export interface SimCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  at: number;
}

/** One file-download request, on either host. */
export interface SimDownload {
  host: 'api' | 'cdn';
  fileId: string;
  authorization: string | undefined;
  status: number;
}

export interface SimFileInput {
  id?: string;
  name: string;
  /** The bytes: a Buffer or a generator factory. */
  content: Buffer | ContentSource;
  /** The real byte count (needed for generators to send Content-Length; optional). */
  actualSize?: number;
  /** What Slack's metadata says; defaults to the real size. May lie. */
  advertisedSize?: number;
  mimetype?: string;
  /** Redirect the download to the CDN host (default true), as Slack does for many files. */
  redirect?: boolean;
  /** Extra object fields, e.g. a Slack Connect stub's `file_access`. */
  extra?: Record<string, unknown>;
}

interface SimFile {
  id: string;
  name: string;
  content: ContentSource;
  actualSize?: number;
  advertisedSize: number;
  mimetype: string;
  redirect: boolean;
  extra: Record<string, unknown>;
  deleted: boolean;
}

interface Fault {
  error: string;
  status: number;
  times: number;
  retryAfter?: number;
}

export interface SlackSimOptions {
  botToken: string;
  /** A user token accepted too (files.delete needs one in real Slack). */
  userToken?: string;
  botUserId?: string;
  teamId?: string;
  /** Mention tokens the bot's config asks for (`alerts.mention`); any other ping is a violation. */
  allowedMentions?: string[];
}

/** Simulators alive in this test file; a violation fails the test that caused it (test/helpers/sim-guard.ts). */
export const liveSlackSims = new Set<SlackSim>();

const LOGIN_PAGE = '<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to your workspace</body></html>';

/**
 * A Slack Web API simulator for tests and benches: two loopback HTTP servers — the API host
 * (Web API methods and `url_private` downloads) and a "CDN" host that serves file bytes behind a
 * signed URL and must never see the bearer token. Every call is recorded; faults can be injected.
 */
export class SlackSim {
  readonly botToken: string;
  readonly userToken: string | undefined;
  readonly botUserId: string;
  readonly teamId: string;
  readonly calls: SimCall[] = [];
  /** Calls that broke Slack's limits or pinged someone the config did not name. */
  readonly violations: string[] = [];
  allowedMentions: string[];
  readonly downloads: SimDownload[] = [];
  /** Messages posted with chat.postMessage (and edited with chat.update), by ts. */
  readonly messages = new Map<string, { channel: string; text: string; threadTs?: string; blocks?: unknown }>();
  /** Files uploaded with the files.getUploadURLExternal flow: id → bytes. */
  readonly uploads = new Map<string, { filename: string; bytes: Buffer; completed: boolean; channel?: string; threadTs?: string }>();
  private readonly files = new Map<string, SimFile>();
  private readonly faults = new Map<string, Fault>();
  private readonly waiters = new Set<() => void>();
  private readonly cdnSecret = randomBytes(16).toString('hex');
  private readonly api: Server;
  private readonly cdn: Server;
  private apiPort = 0;
  private cdnPort = 0;
  private tsSeq = 0;
  private fileSeq = 0;

  constructor(options: SlackSimOptions) {
    this.botToken = options.botToken;
    this.userToken = options.userToken;
    this.botUserId = options.botUserId ?? 'U0OPSBOT';
    this.teamId = options.teamId ?? 'T0TEST';
    this.allowedMentions = options.allowedMentions ?? [];
    this.api = createServer((req, res) => void this.handleApi(req, res).catch((error) => fail(res, error)));
    this.cdn = createServer((req, res) => void this.handleCdn(req, res).catch((error) => fail(res, error)));
  }

  async start(): Promise<this> {
    liveSlackSims.add(this);
    this.apiPort = await listen(this.api);
    this.cdnPort = await listen(this.cdn);
    return this;
  }

  /** Violations recorded so far, cleared. */
  takeViolations(): string[] {
    return this.violations.splice(0);
  }

  async stop(): Promise<void> {
    liveSlackSims.delete(this);
    for (const server of [this.api, this.cdn]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** The Web API base URL (for SLACK_API_URL), with a trailing slash. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}/api/`;
  }

  get apiHost(): string {
    return `127.0.0.1:${this.apiPort}`;
  }

  get cdnHost(): string {
    return `127.0.0.1:${this.cdnPort}`;
  }

  /** Registers a file; returns Slack's file object as a `file_share` event would carry it. */
  addFile(input: SimFileInput): Record<string, unknown> {
    const id = input.id ?? `F${String(++this.fileSeq).padStart(8, '0')}`;
    const buffer = Buffer.isBuffer(input.content) ? input.content : undefined;
    const actualSize = buffer ? buffer.length : input.actualSize;
    const file: SimFile = {
      id,
      name: input.name,
      content: buffer ? () => [buffer] : (input.content as ContentSource),
      ...(actualSize !== undefined ? { actualSize } : {}),
      advertisedSize: input.advertisedSize ?? actualSize ?? 0,
      mimetype: input.mimetype ?? 'application/octet-stream',
      redirect: input.redirect ?? true,
      extra: input.extra ?? {},
      deleted: false,
    };
    this.files.set(id, file);
    return this.fileObject(id);
  }

  /** Slack's file object for a registered file. */
  fileObject(id: string): Record<string, unknown> {
    const file = this.files.get(id);
    if (!file) throw new Error(`no such simulated file: ${id}`);
    const url = `http://${this.apiHost}/files-pri/${this.teamId}-${id}/${encodeURIComponent(file.name)}`;
    return {
      id,
      name: file.name,
      title: file.name,
      mimetype: file.mimetype,
      filetype: 'binary',
      size: file.advertisedSize,
      mode: 'hosted',
      is_external: false,
      url_private: url,
      url_private_download: `${url}?download=1`,
      ...file.extra,
    };
  }

  isDeleted(id: string): boolean {
    return this.files.get(id)?.deleted ?? false;
  }

  /** Makes the next `times` calls of `method` answer `{ok:false,error}` (429 + Retry-After for ratelimited). */
  failMethod(method: string, error: string, options: { times?: number; status?: number; retryAfter?: number } = {}): void {
    const status = options.status ?? (error === 'ratelimited' ? 429 : 200);
    this.faults.set(method, { error, status, times: options.times ?? Number.POSITIVE_INFINITY, ...(options.retryAfter !== undefined ? { retryAfter: options.retryAfter } : {}) });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  callsOf(method: string): SimCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves with the first (past or future) call of `method` that satisfies `predicate`. */
  waitForCall(method: string, predicate: (call: SimCall) => boolean = () => true, timeoutMs = 20_000): Promise<SimCall> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.calls.find((call) => call.method === method && predicate(call));
        if (!found) return false;
        this.waiters.delete(check as () => void);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check as () => void);
        reject(new Error(`timed out waiting for ${method}; calls so far: ${this.calls.map((c) => c.method).join(', ')}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(check as () => void);
    });
  }

  private record(call: SimCall): void {
    this.calls.push(call);
    for (const waiter of [...this.waiters]) waiter();
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.apiHost}`);
    const token = bearer(req);
    if (req.method === 'GET' && url.pathname.startsWith('/files-pri/')) return this.serveFile(req, res, url, token);
    if (req.method === 'POST' && url.pathname.startsWith('/upload/')) return this.receiveUpload(req, res, url.pathname.slice('/upload/'.length));
    const match = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!match || req.method !== 'POST') return sendJson(res, 404, { ok: false, error: 'unknown_method' });
    const method = match[1]!;
    const args = await readArgs(req);
    this.record({ method, args, token, at: Date.now() });
    if (token !== this.botToken && (token === undefined || token !== this.userToken)) {
      return sendJson(res, 200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' });
    }
    const fault = this.faults.get(method);
    if (fault && fault.times > 0) {
      fault.times -= 1;
      if (fault.retryAfter !== undefined) res.setHeader('retry-after', String(fault.retryAfter));
      return sendJson(res, fault.status, { ok: false, error: fault.error });
    }
    sendJson(res, 200, this.answer(method, args, token));
  }

  private answer(method: string, args: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    if (['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'files.completeUploadExternal'].includes(method)) {
      const limits = limitViolations(method, args);
      const pings = unexpectedPings(args, this.allowedMentions);
      for (const p of pings) this.violations.push(`${method}: unexpected ping ${p}`);
      if (limits.length) {
        this.violations.push(...limits);
        // What Slack answers for such calls: the message is not posted.
        return { ok: false, error: limits.some((l) => l.includes('blocks')) ? 'invalid_blocks' : 'msg_too_long' };
      }
    }
    const str = (key: string) => (typeof args[key] === 'string' ? (args[key] as string) : undefined);
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: this.botUserId, bot_id: 'B0OPSBOT', team_id: this.teamId, team: 'Test', user: 'opsbot', url: 'https://test.slack.com/' };
      case 'chat.postMessage': {
        const channel = str('channel');
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const ts = `${1_700_000_000 + ++this.tsSeq}.000100`;
        const threadTs = str('thread_ts');
        this.messages.set(ts, { channel, text: str('text') ?? '', ...(threadTs ? { threadTs } : {}), blocks: args.blocks });
        return { ok: true, channel, ts, message: { text: str('text'), ts } };
      }
      case 'chat.update': {
        const ts = str('ts') ?? '';
        const message = this.messages.get(ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        message.text = str('text') ?? message.text;
        if (args.blocks !== undefined) message.blocks = args.blocks;
        return { ok: true, channel: message.channel, ts };
      }
      case 'reactions.add':
      case 'reactions.remove':
        return str('channel') && str('timestamp') && str('name') ? { ok: true } : { ok: false, error: 'invalid_arguments' };
      case 'files.info': {
        const file = this.files.get(str('file') ?? '');
        return file && !file.deleted ? { ok: true, file: this.fileObject(file.id) } : { ok: false, error: 'file_not_found' };
      }
      case 'files.delete': {
        const file = this.files.get(str('file') ?? '');
        if (!file || file.deleted) return { ok: false, error: 'file_not_found' };
        if (token !== this.userToken) return { ok: false, error: 'cant_delete_file' };
        file.deleted = true;
        return { ok: true };
      }
      case 'files.getUploadURLExternal': {
        const id = `FU${String(++this.fileSeq).padStart(7, '0')}`;
        this.uploads.set(id, { filename: str('filename') ?? 'file', bytes: Buffer.alloc(0), completed: false });
        return { ok: true, file_id: id, upload_url: `http://${this.apiHost}/upload/${id}` };
      }
      case 'files.completeUploadExternal': {
        const list = parseJson(args.files) as { id: string; title?: string }[] | undefined;
        const done = [];
        for (const entry of list ?? []) {
          const upload = this.uploads.get(entry.id);
          if (!upload) return { ok: false, error: 'file_not_found' };
          upload.completed = true;
          const channel = str('channel_id');
          const threadTs = str('thread_ts');
          if (channel) upload.channel = channel;
          if (threadTs) upload.threadTs = threadTs;
          done.push({ id: entry.id, title: entry.title ?? upload.filename });
        }
        return { ok: true, files: done };
      }
      case 'conversations.info':
        return { ok: true, channel: { id: str('channel'), name: `channel-${(str('channel') ?? '').toLowerCase()}`, is_channel: true } };
      case 'users.info':
        return { ok: true, user: { id: str('user'), name: `user-${(str('user') ?? '').toLowerCase()}`, real_name: 'Test User', tz: 'UTC' } };
      default:
        return { ok: true };
    }
  }

  /** `url_private`: the bytes (or a redirect to the CDN) for the bot token; Slack's login page otherwise. */
  private async serveFile(req: IncomingMessage, res: ServerResponse, url: URL, token: string | undefined): Promise<void> {
    const fileId = url.pathname.split('/')[2]?.replace(`${this.teamId}-`, '') ?? '';
    const file = this.files.get(fileId);
    if (token !== this.botToken) {
      this.downloads.push({ host: 'api', fileId, authorization: req.headers.authorization, status: 200 });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(LOGIN_PAGE);
      return;
    }
    if (!file || file.deleted) {
      this.downloads.push({ host: 'api', fileId, authorization: req.headers.authorization, status: 404 });
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('file not found');
      return;
    }
    if (file.redirect) {
      const expires = Date.now() + 60_000;
      const sig = this.sign(fileId, expires);
      this.downloads.push({ host: 'api', fileId, authorization: req.headers.authorization, status: 302 });
      res.writeHead(302, { location: `http://${this.cdnHost}/cdn/${fileId}/${encodeURIComponent(file.name)}?exp=${expires}&sig=${sig}` });
      res.end();
      return;
    }
    this.downloads.push({ host: 'api', fileId, authorization: req.headers.authorization, status: 200 });
    await this.streamBytes(res, file);
  }

  private async handleCdn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.cdnHost}`);
    const fileId = url.pathname.split('/')[2] ?? '';
    const file = this.files.get(fileId);
    const expires = Number(url.searchParams.get('exp'));
    const valid = file && !file.deleted && expires > Date.now() && url.searchParams.get('sig') === this.sign(fileId, expires);
    this.downloads.push({ host: 'cdn', fileId, authorization: req.headers.authorization, status: valid ? 200 : 403 });
    if (!valid) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('signature does not match');
      return;
    }
    await this.streamBytes(res, file);
  }

  private async streamBytes(res: ServerResponse, file: SimFile): Promise<void> {
    res.writeHead(200, {
      'content-type': file.mimetype,
      ...(file.actualSize !== undefined ? { 'content-length': String(file.actualSize) } : {}),
    });
    await pipeline(Readable.from(file.content(), { objectMode: false }), res).catch(() => res.destroy());
  }

  private async receiveUpload(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upload = this.uploads.get(id);
    if (!upload) return sendJson(res, 404, { ok: false });
    upload.bytes = Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${upload.bytes.length}`);
  }

  private sign(fileId: string, expires: number): string {
    return createHmac('sha256', this.cdnSecret).update(`${fileId}:${expires}`).digest('hex');
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

async function readArgs(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  if ((req.headers['content-type'] ?? '').includes('application/json')) return (parseJson(text) as Record<string, unknown>) ?? {};
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) args[key] = /^[[{]/.test(value) ? (parseJson(value) ?? value) : value;
  return args;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, error: unknown): void {
  if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error', detail: String(error) });
  else res.destroy();
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
