import { randomUUID } from 'node:crypto';
import type { ChatImage, ChatMessage, ChatPort, ChatSendOptions, ChatTarget, MessageRef } from '../../core/chat-port.ts';
import type { Logger } from '../../core/logger.ts';
import { toSlackMessage, toSlackUpload } from '../../core/message.ts';
import type { OutboxEntry, OutboxEntryInput, OutboxKind, OutboxRef, OutboxStore } from '../../core/state/types.ts';
import type { OutboxDispatcher } from './outbox-dispatcher.ts';

/**
 * The chat port on the outbox: every call is queued durably (with its idempotency key) and sent
 * by the dispatcher, so a side effect happens once across retries, replicas and restarts.
 *
 * - `post`, `update` and `uploadImage` resolve when the entry is sent (a post with its ts) and
 *   throw when it failed for good, as the direct port does.
 * - `react`/`unreact` resolve once queued (durable) and never throw: they are applied in call
 *   order per message (group `reactions:<channel>:<ts>`), so ⏳ then ✅-for-⏳ ends with only ✅
 *   whatever Slack rate-limits; failures are logged by the dispatcher.
 * - Edits of one message go in call order (group `edits:<channel>:<ts>`).
 * - A post can be queued without waiting (`postQueued`); its `PendingMessageRef` can be edited
 *   and reacted to at once: those entries wait for the post's ts.
 *
 * Payloads are Slack's wire format built at enqueue time (`toSlackMessage`, cut to Slack's
 * limits), so what is stored is plain JSON; image bytes are base64.
 */

/** A message that is queued but may not be posted yet: the key of its post entry. */
export interface PendingMessageRef {
  channel: string;
  postOf: string;
}

export type OutboxMessageRef = MessageRef | PendingMessageRef;

/** Stored payloads. */
export interface OutboxMessagePayload {
  text: string;
  blocks?: unknown[];
}
export interface OutboxReactionPayload {
  name: string;
}
export interface OutboxUploadPayload {
  filename: string;
  title: string;
  altText: string;
  comment?: string;
  /** The image bytes, base64. */
  data: string;
}

export interface OutboxChatPort extends ChatPort {
  update(ref: OutboxMessageRef, message: ChatMessage, options?: ChatSendOptions): Promise<void>;
  react(ref: OutboxMessageRef, name: string, options?: ChatSendOptions): Promise<void>;
  unreact(ref: OutboxMessageRef, name: string, options?: ChatSendOptions): Promise<void>;
  /** Queues a post and resolves once it is durable; `sent` resolves with its ref once posted. */
  postQueued(target: ChatTarget, message: ChatMessage, options?: ChatSendOptions): Promise<{ ref: PendingMessageRef; sent: Promise<MessageRef> }>;
}

export interface OutboxChatPortOptions {
  dispatcher: OutboxDispatcher;
  store: OutboxStore;
  log: Logger;
}

export function createOutboxChatPort(options: OutboxChatPortOptions): OutboxChatPort {
  const { dispatcher, store, log } = options;
  /** Enqueues of one group, chained: enqueue order (ids) = call order, even on a pooled store. */
  const chains = new Map<string, Promise<unknown>>();

  const serial = <T>(group: string | undefined, work: () => Promise<T>): Promise<T> => {
    if (!group) return work();
    const previous = chains.get(group) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => {});
    chains.set(group, tail);
    const forget = () => {
      if (chains.get(group) === tail) chains.delete(group);
    };
    tail.then(forget, forget);
    return next;
  };

  /**
   * The entry ref and the id naming the message's groups. A pending ref keeps naming the post
   * (even once it is sent), so every call made through it stays in one ordered group; calls
   * made with the ts of that message form another group (don't mix the two for one message).
   */
  const refOf = (ref: OutboxMessageRef): { channel: string; ref: OutboxRef; id: string } =>
    'ts' in ref ? { channel: ref.channel, ref: { ts: ref.ts }, id: ref.ts } : { channel: ref.channel, ref: { postOf: ref.postOf }, id: `post:${ref.postOf}` };

  const enqueue = async (input: Omit<OutboxEntryInput, 'key'> & { key: string | undefined }): Promise<OutboxEntry> => {
    const key = input.key ?? `${input.kind}:${randomUUID()}`;
    const { entry, created } = await serial(input.group, () => store.enqueue({ ...input, key }));
    if (!created && (entry.kind !== input.kind || entry.channel !== input.channel)) {
      throw new Error(`outbox key ${key} is already used by a ${entry.kind} in ${entry.channel}; keys must name one side effect`);
    }
    if (entry.state === 'pending' || entry.state === 'sending') dispatcher.kick();
    return entry;
  };

  const settled = async (entry: OutboxEntry): Promise<OutboxEntry> => (entry.state === 'sent' ? entry : dispatcher.sent(entry.key));

  const postEntry = (target: ChatTarget, message: ChatMessage, key: string | undefined) =>
    enqueue({
      key,
      kind: 'post',
      channel: target.channel,
      ...(target.threadTs ? { ref: { ts: target.threadTs } } : {}),
      payload: wire(message),
    });

  const messageRef = (entry: OutboxEntry): MessageRef => {
    if (!entry.resultTs) throw new Error(`outbox post ${entry.key} was sent without a ts`);
    return { channel: entry.channel, ts: entry.resultTs };
  };

  const reaction = async (kind: Extract<OutboxKind, 'react' | 'unreact'>, ref: OutboxMessageRef, name: string, key: string | undefined) => {
    try {
      const target = refOf(ref);
      await enqueue({ key, kind, channel: target.channel, ref: target.ref, group: `reactions:${target.channel}:${target.id}`, payload: { name } satisfies OutboxReactionPayload });
    } catch (error) {
      log.warn({ err: error, name, kind }, 'outbox: could not queue a reaction');
    }
  };

  return {
    async post(target, message, opts) {
      return messageRef(await settled(await postEntry(target, message, opts?.key)));
    },
    async postQueued(target, message, opts) {
      const entry = await postEntry(target, message, opts?.key);
      const sent = settled(entry).then(messageRef);
      // The caller may never await it; a failure is logged by the dispatcher.
      sent.catch(() => {});
      return { ref: { channel: entry.channel, postOf: entry.key }, sent };
    },
    async update(ref, message, opts) {
      const target = refOf(ref);
      await settled(await enqueue({ key: opts?.key, kind: 'update', channel: target.channel, ref: target.ref, group: `edits:${target.channel}:${target.id}`, payload: wire(message) }));
    },
    react: (ref, name, opts) => reaction('react', ref, name, opts?.key),
    unreact: (ref, name, opts) => reaction('unreact', ref, name, opts?.key),
    async uploadImage(target, image, opts) {
      await settled(
        await enqueue({
          key: opts?.key,
          kind: 'upload',
          channel: target.channel,
          ...(target.threadTs ? { ref: { ts: target.threadTs } } : {}),
          payload: uploadPayload(image),
        }),
      );
    },
  };
}

function wire(message: ChatMessage): OutboxMessagePayload {
  const { text, blocks } = toSlackMessage(message);
  return blocks ? { text, blocks } : { text };
}

function uploadPayload(image: ChatImage): OutboxUploadPayload {
  return { ...toSlackUpload(image), data: image.data.toString('base64') };
}
