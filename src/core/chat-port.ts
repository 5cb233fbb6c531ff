import type { ChatMessage, Mrkdwn } from './message.ts';

export type { ChatMessage } from './message.ts';

/**
 * What handlers need from a chat platform. Slack implements it with the Web API
 * (src/slack/slack-chat-port.ts, or through the outbox: src/services/outbox/outbox-chat-port.ts);
 * the local shell implements it by printing text. Handlers depend on this, never on Bolt, so
 * both drive the same code. (src/handlers/chat-port.ts re-exports all of it.)
 */
export interface MessageRef {
  channel: string;
  ts: string;
}

export interface ChatTarget {
  channel: string;
  /** Parent ts of the thread to reply in; omitted for a top-level post. */
  threadTs?: string;
}

export interface ChatImage {
  filename: string;
  title: string;
  altText: string;
  data: Buffer;
  /** Text posted with the image. */
  comment?: Mrkdwn;
}

/**
 * Per call options. `key` is the idempotency key of the side effect: a port that queues its
 * calls durably (the outbox) performs a key once, however often it is called with it (a retry
 * of the same event, a replica or a restarted bot taking the work over). Make it deterministic
 * from what the effect is about (`alert:<id>:post`, `relay:<file>:<dest>:done`); without one the
 * call is still durable but not deduplicated. Ports that send directly ignore it.
 */
export interface ChatSendOptions {
  key?: string;
}

export interface ChatPort {
  post(target: ChatTarget, message: ChatMessage, options?: ChatSendOptions): Promise<MessageRef>;
  update(ref: MessageRef, message: ChatMessage, options?: ChatSendOptions): Promise<void>;
  /** Best effort: a reaction that cannot be added is logged, never thrown. */
  react(ref: MessageRef, name: string, options?: ChatSendOptions): Promise<void>;
  unreact(ref: MessageRef, name: string, options?: ChatSendOptions): Promise<void>;
  uploadImage(target: ChatTarget, image: ChatImage, options?: ChatSendOptions): Promise<void>;
}

/** A message in which someone mentioned the bot (or wrote to it in a DM). */
export interface MentionEvent {
  user: string;
  channel: string;
  ts: string;
  threadTs?: string;
  /** The text with the bot's own mention removed. */
  text: string;
}

/** A file shared with a comment; `open` yields its bytes (Slack download or local file). */
export interface SharedFile {
  id: string;
  name: string;
  /** Bytes as reported by the platform (Slack's metadata); checked against the stream. */
  size: number;
  mimetype?: string;
  open(signal?: AbortSignal): Promise<{ body: NodeJS.ReadableStream | ReadableStream<Uint8Array>; contentType?: string }>;
}

export interface FileShareEvent {
  user: string;
  channel: string;
  ts: string;
  threadTs?: string;
  /** The comment typed with the upload. */
  text: string;
  files: SharedFile[];
}

/** Where replies to an event go: the event's thread (or a new one under the event). */
export function replyTarget(event: { channel: string; ts: string; threadTs?: string }): ChatTarget {
  return { channel: event.channel, threadTs: event.threadTs ?? event.ts };
}
