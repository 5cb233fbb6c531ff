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

/** Slack's message metadata, as chat.postMessage / chat.update take it and conversations.history gives it back. */
export interface SlackMessageMetadata {
  event_type: string;
  event_payload: Record<string, unknown>;
}

/** A message the simulator holds (posted by the bot, or added by a test with `addMessage`). */
export interface SimMessage {
  channel: string;
  text: string;
  threadTs?: string;
  blocks?: unknown;
  metadata?: SlackMessageMetadata;
  /** Who posted it: the bot's user id for chat.postMessage. */
  user?: string;
  /** Posted by the bot (chat.postMessage), not by a person. */
  fromBot?: boolean;
  replyBroadcast?: boolean;
  edited?: boolean;
}

/**
 * A transport or server fault for one Web API method (see `faultMethod`):
 * - `hang`: the call is recorded but not answered; after `ms` (default: until clearFaults()/stop())
 *   the connection is reset (`then: 'reset'`, default) or the call is applied and answered late
 *   (`then: 'apply'` — a client that gave up meanwhile has still posted).
 * - `reset`: the connection is destroyed without an answer; nothing is applied.
 * - `http`: an HTTP error status with a body (default Slack's JSON `{ok:false,error:'fatal_error'}`
 *   for 500, `service_unavailable` for 503, …; a string body is sent as given, e.g. an HTML page).
 * - `ratelimited`: 429 with `Retry-After: retryAfter` and `{ok:false,error:'ratelimited'}`.
 * - `ambiguous`: the call IS applied (a message stored, a reaction added) and then answered with
 *   `status` (default 500, body as for `http`) or, with `then: 'reset'`, the connection is reset.
 */
export type SlackFault =
  | { kind: 'hang'; ms?: number; then?: 'reset' | 'apply' }
  | { kind: 'reset' }
  | { kind: 'http'; status: number; body?: string | Record<string, unknown>; contentType?: string }
  | { kind: 'ratelimited'; retryAfter: number }
  | { kind: 'ambiguous'; then?: 'error' | 'reset'; status?: number; body?: string | Record<string, unknown> };

interface FaultRule {
  method: string;
  fault: SlackFault;
  remaining: number;
  skip: number;
}

interface HeldCall {
  res: ServerResponse;
  timer: NodeJS.Timeout | undefined;
  release: (mode: 'reset' | 'apply') => void;
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
  /** Messages posted with chat.postMessage (and edited with chat.update) or added with `addMessage`, by ts. */
  readonly messages = new Map<string, SimMessage>();
  /** What the bot sent to response_urls (`responseUrl()`): ephemeral replies to presses and slash commands. */
  readonly responses: { id: string; body: Record<string, unknown>; at: number }[] = [];
  /** User group members for usergroups.users.list: group ID → member IDs. */
  readonly userGroups = new Map<string, string[]>();
  /** Files uploaded with the files.getUploadURLExternal flow: id → bytes. */
  readonly uploads = new Map<string, { filename: string; bytes: Buffer; completed: boolean; channel?: string; threadTs?: string }>();
  private readonly files = new Map<string, SimFile>();
  private readonly faults = new Map<string, Fault>();
  private readonly faultRules: FaultRule[] = [];
  private readonly held = new Set<HeldCall>();
  /** Reactions by `channel\u0000ts`, in the order they were added. */
  private readonly reactions = new Map<string, string[]>();
  private readonly waiters = new Set<() => void>();
  private readonly cdnSecret = randomBytes(16).toString('hex');
  private readonly api: Server;
  private readonly cdn: Server;
  private apiPort = 0;
  private cdnPort = 0;
  private lastTsMicros = 0;
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
    this.releaseHeld('reset');
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

  /**
   * Breaks the next `times` calls (default: all until clearFaults()) of `method` ('*' for any),
   * after letting `afterN` through, with a transport or server fault (see SlackFault).
   * Rules are checked before failMethod's; the first matching rule wins.
   */
  faultMethod(method: string, fault: SlackFault, options: { times?: number; afterN?: number } = {}): void {
    this.faultRules.push({ method, fault, remaining: options.times ?? Number.POSITIVE_INFINITY, skip: options.afterN ?? 0 });
  }

  /** Removes every fault (failMethod and faultMethod) and resets the connections of hanging calls. */
  clearFaults(): void {
    this.faults.clear();
    this.faultRules.length = 0;
    this.releaseHeld('reset');
  }

  /** Calls now held by a `hang` fault. */
  hangingCalls(): number {
    return this.held.size;
  }

  /** Ends every hanging call now: resets its connection, or applies and answers it. */
  releaseHeld(mode: 'reset' | 'apply' = 'reset'): void {
    for (const held of [...this.held]) held.release(mode);
  }

  /** The current reactions on a message (after adds and removes), in the order added. */
  reactionsOf(channel: string, ts: string): string[] {
    return [...(this.reactions.get(`${channel}\u0000${ts}`) ?? [])];
  }

  /** Adds a message as a person (or another app) would post it; returns its ts. */
  addMessage(channel: string, message: { text: string; user?: string; threadTs?: string; ts?: string; metadata?: SlackMessageMetadata; blocks?: unknown }): string {
    const ts = message.ts ?? this.nextTs();
    this.bumpTs(ts);
    this.messages.set(ts, {
      channel,
      text: message.text,
      user: message.user ?? 'UPERSON',
      fromBot: false,
      ...(message.threadTs ? { threadTs: message.threadTs } : {}),
      ...(message.metadata ? { metadata: message.metadata } : {}),
      ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
    });
    return ts;
  }

  /** Messages in `channel` whose metadata has this event_type (and whose payload contains `payload`'s entries), oldest first. */
  messagesWithMetadata(channel: string, eventType: string, payload: Record<string, unknown> = {}): (SimMessage & { ts: string })[] {
    return [...this.messages]
      .filter(([, m]) => m.channel === channel && m.metadata?.event_type === eventType && Object.entries(payload).every(([k, v]) => m.metadata!.event_payload[k] === v))
      .map(([ts, m]) => ({ ts, ...m }))
      .sort((a, b) => tsMicros(a.ts) - tsMicros(b.ts));
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
    if (req.method === 'POST' && url.pathname.startsWith('/respond/')) return this.receiveResponse(req, res, url.pathname.slice('/respond/'.length));
    const match = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!match || req.method !== 'POST') return sendJson(res, 404, { ok: false, error: 'unknown_method' });
    const method = match[1]!;
    const args = await readArgs(req);
    this.record({ method, args, token, at: Date.now() });
    if (token !== this.botToken && (token === undefined || token !== this.userToken)) {
      return sendJson(res, 200, { ok: false, error: token ? 'invalid_auth' : 'not_authed' });
    }
    const rule = this.takeRule(method);
    if (rule) return this.applyFault(req, res, rule, method, args, token);
    const fault = this.faults.get(method);
    if (fault && fault.times > 0) {
      fault.times -= 1;
      if (fault.retryAfter !== undefined) res.setHeader('retry-after', String(fault.retryAfter));
      return sendJson(res, fault.status, { ok: false, error: fault.error });
    }
    sendJson(res, 200, this.answer(method, args, token));
  }

  private takeRule(method: string): SlackFault | undefined {
    for (const rule of this.faultRules) {
      if (rule.method !== method && rule.method !== '*') continue;
      if (rule.skip > 0) {
        rule.skip -= 1;
        continue;
      }
      if (rule.remaining <= 0) continue;
      rule.remaining -= 1;
      return rule.fault;
    }
    return undefined;
  }

  private applyFault(req: IncomingMessage, res: ServerResponse, fault: SlackFault, method: string, args: Record<string, unknown>, token: string | undefined): void {
    switch (fault.kind) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'ratelimited':
        res.setHeader('retry-after', String(fault.retryAfter));
        return sendJson(res, 429, { ok: false, error: 'ratelimited' });
      case 'http':
        return sendBody(res, fault.status, fault.body, fault.contentType);
      case 'ambiguous': {
        this.answer(method, args, token);
        if (fault.then === 'reset') {
          req.socket.destroy();
          return;
        }
        return sendBody(res, fault.status ?? 500, fault.body);
      }
      case 'hang': {
        const held: HeldCall = {
          res,
          timer: undefined,
          release: (mode) => {
            if (!this.held.delete(held)) return;
            if (held.timer) clearTimeout(held.timer);
            if (mode === 'apply') {
              const body = this.answer(method, args, token);
              if (!res.destroyed) sendJson(res, 200, body);
            } else {
              res.socket?.destroy();
            }
          },
        };
        this.held.add(held);
        if (fault.ms !== undefined) held.timer = setTimeout(() => held.release(fault.then ?? 'reset'), fault.ms);
        res.on('close', () => {
          // The client gave up: a hang that applies later still applies (Slack does not notice).
          if (this.held.has(held) && fault.then !== 'apply') {
            this.held.delete(held);
            if (held.timer) clearTimeout(held.timer);
          }
        });
        return;
      }
    }
  }

  private nextTs(): string {
    const micros = Math.max(Date.now() * 1000, this.lastTsMicros + 1);
    this.lastTsMicros = micros;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  }

  private bumpTs(ts: string): void {
    this.lastTsMicros = Math.max(this.lastTsMicros, tsMicros(ts));
  }

  /** A stored message as Slack's conversations.history / replies show it. */
  private messageObject(ts: string, m: SimMessage, withMetadata: boolean): Record<string, unknown> {
    const replies = m.threadTs === undefined || m.threadTs === ts ? [...this.messages].filter(([rts, r]) => r.channel === m.channel && r.threadTs === ts && rts !== ts) : [];
    const reactions = this.reactions.get(`${m.channel}\u0000${ts}`) ?? [];
    return {
      type: 'message',
      ...(m.replyBroadcast ? { subtype: 'thread_broadcast' } : {}),
      text: m.text,
      user: m.user ?? this.botUserId,
      ...(m.fromBot !== false ? { bot_id: 'B0OPSBOT', app_id: 'A0OPSBOT' } : {}),
      team: this.teamId,
      ts,
      ...(m.blocks !== undefined ? { blocks: m.blocks } : {}),
      ...(m.edited ? { edited: { user: m.user ?? this.botUserId, ts } } : {}),
      ...(m.threadTs !== undefined ? { thread_ts: m.threadTs } : {}),
      ...(m.threadTs !== undefined && m.threadTs !== ts ? { parent_user_id: this.messages.get(m.threadTs)?.user ?? this.botUserId } : {}),
      ...(replies.length
        ? {
            thread_ts: ts,
            reply_count: replies.length,
            reply_users_count: new Set(replies.map(([, r]) => r.user)).size,
            reply_users: [...new Set(replies.map(([, r]) => r.user ?? this.botUserId))],
            latest_reply: replies
              .map(([rts]) => rts)
              .sort((a, b) => tsMicros(a) - tsMicros(b))
              .at(-1),
          }
        : {}),
      ...(reactions.length ? { reactions: reactions.map((name) => ({ name, users: [this.botUserId], count: 1 })) } : {}),
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    };
  }

  /** conversations.history: top-level messages (and thread broadcasts) of a channel, newest first. */
  private history(args: Record<string, unknown>): Record<string, unknown> {
    const channel = typeof args.channel === 'string' ? args.channel : '';
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const window = timeWindow(args);
    if (!window) return { ok: false, error: 'invalid_ts_latest' };
    const limit = pageLimit(args.limit);
    const cursor = decodeCursor(args.cursor);
    if (cursor === null) return { ok: false, error: 'invalid_cursor' };
    const all = [...this.messages]
      .filter(([ts, m]) => m.channel === channel && (m.threadTs === undefined || m.threadTs === ts || m.replyBroadcast) && window(ts))
      .sort((a, b) => tsMicros(b[0]) - tsMicros(a[0]));
    const from = cursor === undefined ? all : all.filter(([ts]) => tsMicros(ts) <= tsMicros(cursor));
    const page = from.slice(0, limit);
    const next = from[limit];
    return {
      ok: true,
      messages: page.map(([ts, m]) => this.messageObject(ts, m, flag(args.include_all_metadata))),
      has_more: next !== undefined,
      pin_count: 0,
      channel_actions_ts: null,
      channel_actions_count: 0,
      ...(next ? { response_metadata: { next_cursor: encodeCursor(next[0]) } } : {}),
    };
  }

  /** conversations.replies: the thread's parent, then its replies oldest first. */
  private replies(args: Record<string, unknown>): Record<string, unknown> {
    const channel = typeof args.channel === 'string' ? args.channel : '';
    const ts = typeof args.ts === 'string' ? args.ts : '';
    if (!channel) return { ok: false, error: 'channel_not_found' };
    const found = this.messages.get(ts);
    if (!found || found.channel !== channel) return { ok: false, error: 'thread_not_found' };
    const parentTs = found.threadTs ?? ts;
    const window = timeWindow(args);
    if (!window) return { ok: false, error: 'invalid_ts_latest' };
    const limit = pageLimit(args.limit);
    const cursor = decodeCursor(args.cursor);
    if (cursor === null) return { ok: false, error: 'invalid_cursor' };
    const parent = this.messages.get(parentTs);
    const thread = [...this.messages]
      .filter(([rts, m]) => m.channel === channel && m.threadTs === parentTs && rts !== parentTs && window(rts))
      .sort((a, b) => tsMicros(a[0]) - tsMicros(b[0]));
    const all = parent ? [[parentTs, parent] as [string, SimMessage], ...thread] : thread;
    const from = cursor === undefined ? all : all.filter(([rts]) => tsMicros(rts) >= tsMicros(cursor));
    const page = from.slice(0, limit);
    const next = from[limit];
    return {
      ok: true,
      messages: page.map(([rts, m]) => this.messageObject(rts, m, flag(args.include_all_metadata))),
      has_more: next !== undefined,
      ...(next ? { response_metadata: { next_cursor: encodeCursor(next[0]) } } : {}),
    };
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
        const metadata = parseMetadata(args.metadata);
        if (metadata === null) return { ok: false, error: 'invalid_metadata_format' };
        const ts = this.nextTs();
        const threadTs = str('thread_ts');
        const message: SimMessage = {
          channel,
          text: str('text') ?? '',
          ...(threadTs ? { threadTs } : {}),
          blocks: args.blocks,
          ...(metadata ? { metadata } : {}),
          user: this.botUserId,
          fromBot: true,
          ...(threadTs && flag(args.reply_broadcast) ? { replyBroadcast: true } : {}),
        };
        this.messages.set(ts, message);
        return { ok: true, channel, ts, message: this.messageObject(ts, message, true) };
      }
      case 'chat.update': {
        const ts = str('ts') ?? '';
        const message = this.messages.get(ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        const metadata = parseMetadata(args.metadata);
        if (metadata === null) return { ok: false, error: 'invalid_metadata_format' };
        message.text = str('text') ?? message.text;
        if (args.blocks !== undefined) message.blocks = args.blocks;
        if (metadata) message.metadata = metadata;
        message.edited = true;
        return { ok: true, channel: message.channel, ts, text: message.text, message: this.messageObject(ts, message, true) };
      }
      case 'chat.delete': {
        const ts = str('ts') ?? '';
        const message = this.messages.get(ts);
        if (!message || message.channel !== str('channel')) return { ok: false, error: 'message_not_found' };
        this.messages.delete(ts);
        this.reactions.delete(`${message.channel}\u0000${ts}`);
        return { ok: true, channel: message.channel, ts };
      }
      case 'conversations.history':
        return this.history(args);
      case 'conversations.replies':
        return this.replies(args);
      case 'reactions.add':
      case 'reactions.remove': {
        const channel = str('channel');
        const timestamp = str('timestamp');
        const name = str('name')?.replace(/^:|:$/g, '');
        if (!channel || !timestamp || !name) return { ok: false, error: 'invalid_arguments' };
        // Messages the simulator never saw (a person's file share) are taken to exist.
        const known = this.messages.get(timestamp);
        if (known && known.channel !== channel) return { ok: false, error: 'message_not_found' };
        const key = `${channel}\u0000${timestamp}`;
        const current = this.reactions.get(key) ?? [];
        if (method === 'reactions.add') {
          if (current.includes(name)) return { ok: false, error: 'already_reacted' };
          this.reactions.set(key, [...current, name]);
        } else {
          if (!current.includes(name)) return { ok: false, error: 'no_reaction' };
          this.reactions.set(
            key,
            current.filter((r) => r !== name),
          );
        }
        return { ok: true };
      }
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
      case 'usergroups.users.list': {
        const members = this.userGroups.get(str('usergroup') ?? '');
        return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
      }
      case 'chat.postEphemeral':
        return str('channel') && str('user') ? { ok: true, message_ts: this.nextTs() } : { ok: false, error: 'channel_not_found' };
      case 'users.info':
        return { ok: true, user: { id: str('user'), name: `user-${(str('user') ?? '').toLowerCase()}`, real_name: 'Test User', tz: 'UTC' } };
      default:
        return { ok: true };
    }
  }

  /** A response_url for one interaction or slash command (on the API host, as SLACK_API_URL's origin). */
  responseUrl(id: string): string {
    return `http://${this.apiHost}/respond/${encodeURIComponent(id)}`;
  }

  /** The ephemeral replies sent to `responseUrl(id)`. */
  responsesTo(id: string): Record<string, unknown>[] {
    return this.responses.filter((r) => r.id === id).map((r) => r.body);
  }

  /** Resolves with the first reply to `responseUrl(id)` (past or future) that satisfies `predicate`. */
  async waitForResponse(id: string, predicate: (body: Record<string, unknown>) => boolean = () => true, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.responsesTo(id).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no response_url reply to ${id} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** A response_url POST: JSON with `text`/`blocks`; held to the same limits and ping rule as chat.postMessage. */
  private async receiveResponse(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = parseJson(Buffer.concat(chunks).toString('utf8'));
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return sendJson(res, 400, { ok: false, error: 'invalid_payload' });
    const args = body as Record<string, unknown>;
    for (const p of unexpectedPings(args, this.allowedMentions)) this.violations.push(`response_url: unexpected ping ${p}`);
    const limits = limitViolations('chat.postMessage', args);
    if (limits.length) {
      this.violations.push(...limits);
      return sendJson(res, 400, { ok: false, error: 'invalid_blocks' });
    }
    this.responses.push({ id: decodeURIComponent(id), body: args, at: Date.now() });
    for (const waiter of [...this.waiters]) waiter();
    sendJson(res, 200, { ok: true });
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

/** An HTTP error answer: a given string as is (HTML, say), an object as JSON, or Slack's JSON error for the status. */
function sendBody(res: ServerResponse, status: number, body: string | Record<string, unknown> | undefined, contentType?: string): void {
  if (typeof body === 'string') {
    res.writeHead(status, { 'content-type': contentType ?? (body.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8') });
    res.end(body);
    return;
  }
  const error = status === 503 ? 'service_unavailable' : status === 500 ? 'fatal_error' : status === 429 ? 'ratelimited' : 'internal_error';
  sendJson(res, status, body ?? { ok: false, error });
}

/** `sec.micro` → integer microseconds (exact: below 2^53). */
function tsMicros(ts: string): number {
  const [sec, frac = ''] = ts.split('.');
  return Number(sec) * 1e6 + Number(frac.padEnd(6, '0').slice(0, 6));
}

function flag(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

function pageLimit(value: unknown): number {
  const n = Number(value ?? 100);
  // Slack: default 100, at most 999 (history); 0 or junk means the default.
  return Number.isInteger(n) && n > 0 ? Math.min(n, 999) : 100;
}

/** A predicate for `oldest`/`latest`/`inclusive`, or undefined if a bound is not a timestamp. */
function timeWindow(args: Record<string, unknown>): ((ts: string) => boolean) | undefined {
  const bound = (v: unknown): number | undefined | null => {
    if (v === undefined || v === '') return undefined;
    const text = String(v);
    return /^\d+(\.\d+)?$/.test(text) ? tsMicros(text) : null;
  };
  const oldest = bound(args.oldest);
  const latest = bound(args.latest);
  if (oldest === null || latest === null) return undefined;
  const inclusive = flag(args.inclusive);
  return (ts) => {
    const t = tsMicros(ts);
    if (oldest !== undefined && (inclusive ? t < oldest : t <= oldest)) return false;
    if (latest !== undefined && (inclusive ? t > latest : t >= latest)) return false;
    return true;
  };
}

/** Slack-like opaque cursors: base64 of `next_ts:<ts>`. undefined = first page; null = not ours. */
function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString('base64');
}

function decodeCursor(value: unknown): string | undefined | null {
  if (value === undefined || value === '') return undefined;
  const text = Buffer.from(String(value), 'base64').toString('utf8');
  const m = /^next_ts:(\d+\.\d+)$/.exec(text);
  return m ? m[1]! : null;
}

/** Slack's metadata argument: undefined if absent, null if malformed. */
function parseMetadata(value: unknown): SlackMessageMetadata | undefined | null {
  if (value === undefined || value === '') return undefined;
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { event_type, event_payload } = parsed as Record<string, unknown>;
  if (typeof event_type !== 'string' || !event_type || typeof event_payload !== 'object' || event_payload === null || Array.isArray(event_payload)) return null;
  return { event_type, event_payload: event_payload as Record<string, unknown> };
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
