import { ErrorCode, WebClient, type WebAPICallResult } from '@slack/web-api';
import type { Logger } from '../core/logger.ts';
import type { Lease, OutboxEntry } from '../core/state/types.ts';
import type { OutboxMessagePayload, OutboxReactionPayload, OutboxUploadPayload } from '../services/outbox/outbox-chat-port.ts';
import type { OutboxSender, OutboxSendResult } from '../services/outbox/outbox-dispatcher.ts';
import { toBoltLogger } from './bolt-logger.ts';

/**
 * The outbox's Slack side: one Web API call per attempt, on a client of its own with the Web
 * client's retries off (the dispatcher retries, durably, at Slack's Retry-After), and each
 * failure classified:
 * - 429 → retry at its Retry-After; `ok:false` answers → Slack did nothing: permanent, or retry for
 *   Slack's transient codes; `already_reacted` / `no_reaction` → done;
 * - timeouts, resets, 5xx, `internal_error`… → retry, and the attempt *may have landed*.
 *
 * Every post carries message metadata `{ event_type: 'opsbot_outbox', event_payload: { key } }`,
 * so an attempt that may have landed is looked for (`findSent`: conversations.history, or
 * conversations.replies in a thread, with `include_all_metadata`) before posting again.
 *
 * Uploads cannot carry metadata: if the bot dies exactly between Slack storing an upload and the
 * outbox recording it, or the upload's last call fails ambiguously, the image may be posted
 * twice. The dispatcher retries an upload after an ambiguous failure once, not more.
 *
 * Needs the history scopes (channels:history, groups:history, im:history, mpim:history) for
 * `findSent`; without them it logs once and posts again (a possible double rather than a loss).
 */

export const OUTBOX_EVENT_TYPE = 'opsbot_outbox';

/** Slack error codes after which trying again can work (Slack did not do it, or may have: see `AMBIGUOUS`). */
const TRANSIENT = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);
/** Of those, the ones after which Slack may have performed the call. */
const AMBIGUOUS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/** Answers meaning the call's effect is already there. */
const ALREADY: Partial<Record<OutboxEntry['kind'], string>> = { react: 'already_reacted', unreact: 'no_reaction' };

export interface SlackOutboxSenderOptions {
  /** The app's client: its token and API URL are used on a client of the sender's own. */
  client: WebClient;
  log: Logger;
  /** Per-request timeout (ms); a timeout is an ambiguous failure. Keep it well below the outbox lease (an upload makes up to four requests). Default 10000. */
  timeoutMs?: number;
  /** Pages (of 200) of history searched for an earlier attempt. Default 5. */
  findPages?: number;
  /** Told each send's method and result (for metrics). */
  onCall?: (method: string, result: 'ok' | 'error' | 'rate_limited') => void;
}

const METHOD_OF = { post: 'chat.postMessage', update: 'chat.update', react: 'reactions.add', unreact: 'reactions.remove', upload: 'files.uploadV2' } as const;

export function createSlackOutboxSender(options: SlackOutboxSenderOptions): OutboxSender {
  const { log } = options;
  const client = new WebClient(options.client.token, {
    slackApiUrl: options.client.slackApiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: options.timeoutMs ?? 10_000,
    logger: toBoltLogger(log.child({ component: 'outbox-web-client' })),
  });
  const findPages = options.findPages ?? 5;
  let warnedNoHistory = false;

  const send = async (entry: OutboxEntry & { lease: Lease }): Promise<OutboxSendResult> => {
    switch (entry.kind) {
      case 'post': {
        const { text, blocks } = entry.payload as OutboxMessagePayload;
        const result = await client.chat.postMessage({
          channel: entry.channel,
          ...(entry.refTs ? { thread_ts: entry.refTs } : {}),
          text,
          ...(blocks ? { blocks: blocks as never } : {}),
          unfurl_links: false,
          unfurl_media: false,
          metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: entry.key } },
        });
        return { outcome: 'sent', ts: result.ts! };
      }
      case 'update': {
        const { text, blocks } = entry.payload as OutboxMessagePayload;
        await client.chat.update({ channel: entry.channel, ts: needTs(entry), text, blocks: (blocks ?? []) as never });
        return { outcome: 'sent' };
      }
      case 'react':
      case 'unreact': {
        const { name } = entry.payload as OutboxReactionPayload;
        await client.reactions[entry.kind === 'react' ? 'add' : 'remove']({ channel: entry.channel, timestamp: needTs(entry), name });
        return { outcome: 'sent' };
      }
      case 'upload': {
        const image = entry.payload as OutboxUploadPayload;
        await client.filesUploadV2({
          channel_id: entry.channel,
          ...(entry.refTs ? { thread_ts: entry.refTs } : {}),
          file: Buffer.from(image.data, 'base64'),
          filename: image.filename,
          title: image.title,
          alt_text: image.altText,
          ...(image.comment ? { initial_comment: image.comment } : {}),
        } as Parameters<WebClient['filesUploadV2']>[0]);
        return { outcome: 'sent' };
      }
    }
  };

  return {
    async send(entry) {
      const method = METHOD_OF[entry.kind];
      try {
        const sent = await send(entry);
        options.onCall?.(method, 'ok');
        return sent;
      } catch (error) {
        const result = classify(entry, error);
        options.onCall?.(method, result.outcome === 'retry' && result.retryAfterSeconds !== undefined ? 'rate_limited' : result.outcome === 'sent' ? 'ok' : 'error');
        return result;
      }
    },
    async findSent(entry) {
      if (entry.kind !== 'post') return null; // uploads carry no metadata (see above)
      const threadTs = entry.ref && 'ts' in entry.ref ? entry.ref.ts : (entry.refTs ?? undefined);
      const oldest = String(Math.max(0, Math.floor(entry.createdAt - 60)));
      let cursor: string | undefined;
      try {
        for (let page = 0; page < findPages; page++) {
          const args = { channel: entry.channel, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
          const result = threadTs ? await client.conversations.replies({ ...args, ts: threadTs }) : await client.conversations.history(args);
          for (const message of (result.messages ?? []) as { ts?: string; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }[]) {
            if (message.metadata?.event_type === OUTBOX_EVENT_TYPE && message.metadata.event_payload?.key === entry.key && message.ts) return { ts: message.ts };
          }
          cursor = (result as WebAPICallResult).response_metadata?.next_cursor || undefined;
          if (!cursor || !result.has_more) break;
        }
        return null;
      } catch (error) {
        const code = platformCode(error);
        if (code === 'missing_scope' || code === 'not_allowed_token_type' || code === 'channel_not_found' || code === 'not_in_channel') {
          // Cannot look (a scope is missing, or the post's own call will fail anyway): post again.
          if (!warnedNoHistory) log.error({ code, channel: entry.channel }, 'outbox: cannot read channel history to check for an earlier attempt; posting again (add the history scopes)');
          warnedNoHistory = true;
          return null;
        }
        const retryAfter = rateLimitOf(error);
        throw Object.assign(new Error(`conversations.${threadTs ? 'replies' : 'history'}: ${describe(error)}`), retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {});
      }
    },
  };
}

function needTs(entry: OutboxEntry): string {
  if (!entry.refTs) throw Object.assign(new Error(`outbox ${entry.kind} ${entry.key} has no message ts`), { permanent: true });
  return entry.refTs;
}

function platformCode(error: unknown): string | undefined {
  const e = error as { code?: string; data?: { error?: string } };
  return e?.code === ErrorCode.PlatformError ? e.data?.error : undefined;
}

function rateLimitOf(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number; data?: { response_metadata?: { retryAfter?: number } } };
  if (e?.code === ErrorCode.RateLimitedError && typeof e.retryAfter === 'number') return e.retryAfter;
  if (e?.code === ErrorCode.PlatformError) return e.data?.response_metadata?.retryAfter;
  return undefined;
}

function describe(error: unknown): string {
  const e = error as { code?: string; data?: { error?: string }; statusCode?: number; retryAfter?: number; original?: Error; message?: string };
  switch (e?.code) {
    case ErrorCode.PlatformError:
      return e.data?.error ?? 'platform error';
    case ErrorCode.RateLimitedError:
      return `rate limited (retry after ${e.retryAfter}s)`;
    case ErrorCode.HTTPError:
      return `HTTP ${e.statusCode}`;
    case ErrorCode.RequestError:
      return `request failed: ${e.original?.message ?? e.message}`;
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** What a failed call means for the entry. */
export function classify(entry: Pick<OutboxEntry, 'kind'>, error: unknown): OutboxSendResult {
  const e = error as { code?: string; statusCode?: number; retryAfter?: number; permanent?: boolean };
  const text = describe(error);
  if (e?.permanent) return { outcome: 'permanent', error: text };
  switch (e?.code) {
    case ErrorCode.RateLimitedError:
      return { outcome: 'retry', error: text, retryAfterSeconds: e.retryAfter ?? 1 };
    case ErrorCode.PlatformError: {
      const code = platformCode(error) ?? '';
      if (ALREADY[entry.kind] === code) return { outcome: 'sent' };
      if (TRANSIENT.has(code)) {
        const retryAfter = rateLimitOf(error);
        return { outcome: 'retry', error: text, ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}), ...(AMBIGUOUS.has(code) ? { maybeSent: true } : {}) };
      }
      // channel_not_found, not_in_channel, is_archived, invalid_blocks, msg_too_long,
      // message_not_found, cant_update_message, edit_window_closed, invalid_auth, missing_scope…
      return { outcome: 'permanent', error: text };
    }
    case ErrorCode.HTTPError: {
      const status = e.statusCode ?? 0;
      if (status >= 500 || status === 408 || status === 429) return { outcome: 'retry', error: text, maybeSent: true };
      return { outcome: 'permanent', error: text };
    }
    default:
      // Network errors, resets, timeouts (WebAPIRequestError), a 429 without a usable Retry-After,
      // upload-URL failures: Slack may or may not have acted.
      return { outcome: 'retry', error: text, maybeSent: true };
  }
}
