import type { Logger } from '../core/logger.ts';
import { toSlackMessage, type ChatMessage } from '../core/message.ts';

/**
 * Ephemeral replies to a button press or a slash command go to the `response_url` Slack sent
 * with it (30 minutes, 5 uses), not through chat.postEphemeral: it works in DMs and in channels
 * the bot is not a member of (a slash command can be typed anywhere), needs no extra scope, and
 * works the same over HTTP and Socket Mode. Such replies cannot be edited or deduplicated, so they
 * skip the outbox; they are counted by `onCall`.
 *
 * Only Slack's own hosts (and the configured API host, for proxies and the simulator) are ever
 * called, whatever a payload says.
 */
export type EphemeralReply = (message: ChatMessage) => Promise<void>;

export function responseUrlAllowed(url: string, apiUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username || parsed.password) return false;
  if (parsed.protocol === 'https:' && (parsed.hostname === 'hooks.slack.com' || parsed.hostname === 'hooks.slack-gov.com')) return true;
  try {
    return parsed.origin === new URL(apiUrl).origin;
  } catch {
    return false;
  }
}

export function createEphemeralReply(options: {
  responseUrl: string | undefined;
  apiUrl: string;
  log: Logger;
  onCall?: (result: 'ok' | 'error') => void;
  fetch?: typeof globalThis.fetch;
}): EphemeralReply {
  const doFetch = options.fetch ?? globalThis.fetch;
  return async (message) => {
    const url = options.responseUrl;
    if (!url || !responseUrlAllowed(url, options.apiUrl)) {
      options.log.warn({ hasUrl: Boolean(url) }, 'an ephemeral reply was dropped: no usable response_url');
      options.onCall?.('error');
      return;
    }
    const { text, blocks } = toSlackMessage(message);
    try {
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text, ...(blocks ? { blocks } : {}) }),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      options.onCall?.(res.ok ? 'ok' : 'error');
      if (!res.ok) options.log.warn({ status: res.status }, 'Slack refused an ephemeral reply (response_url)');
    } catch (error) {
      options.onCall?.('error');
      options.log.warn({ err: error }, 'an ephemeral reply could not be sent (response_url)');
    }
  };
}
