import type { ChatImage, ChatMessage, ChatPort, ChatTarget, MessageRef } from '../../src/handlers/chat-port.ts';
import { toSlackMessage } from '../../src/core/message.ts';

/** A message as Slack receives it: `text` and `blocks` within Slack's limits. */
export type WireMessage = ReturnType<typeof toSlackMessage>;

export interface RecordedPost {
  target: ChatTarget;
  message: WireMessage;
  ref: MessageRef;
}

/**
 * A ChatPort that keeps what handlers send, as Slack would receive it (the same conversion as
 * the Slack port), for tests and benches; `onPost` sees each post as it arrives.
 */
export class RecordingChatPort implements ChatPort {
  readonly posts: RecordedPost[] = [];
  readonly updates: { ref: MessageRef; message: WireMessage }[] = [];
  readonly reactions: { ref: MessageRef; name: string; added: boolean }[] = [];
  readonly images: { target: ChatTarget; image: ChatImage }[] = [];
  onPost: ((post: RecordedPost) => void) | undefined;
  private seq = 0;

  async post(target: ChatTarget, message: ChatMessage): Promise<MessageRef> {
    const ref = { channel: target.channel, ts: `1700000000.${String(++this.seq).padStart(6, '0')}` };
    const post = { target, message: toSlackMessage(message), ref };
    this.posts.push(post);
    this.onPost?.(post);
    return ref;
  }

  async update(ref: MessageRef, message: ChatMessage): Promise<void> {
    this.updates.push({ ref, message: toSlackMessage(message) });
  }

  async react(ref: MessageRef, name: string): Promise<void> {
    this.reactions.push({ ref, name, added: true });
  }

  async unreact(ref: MessageRef, name: string): Promise<void> {
    this.reactions.push({ ref, name, added: false });
  }

  async uploadImage(target: ChatTarget, image: ChatImage): Promise<void> {
    this.images.push({ target, image });
  }

  /** Every text a post carries: the fallback and all block text, joined. */
  static textOf(message: WireMessage): string {
    return [message.text, JSON.stringify(message.blocks ?? [])].join('\n');
  }
}
