import type { ChatImage, ChatMessage, ChatPort, ChatTarget, MessageRef } from '../../src/handlers/chat-port.ts';

export interface RecordedPost {
  target: ChatTarget;
  message: ChatMessage;
  ref: MessageRef;
}

/** A ChatPort that keeps what handlers send, for tests and benches; `onPost` sees each post as it arrives. */
export class RecordingChatPort implements ChatPort {
  readonly posts: RecordedPost[] = [];
  readonly updates: { ref: MessageRef; message: ChatMessage }[] = [];
  readonly reactions: { ref: MessageRef; name: string; added: boolean }[] = [];
  readonly images: { target: ChatTarget; image: ChatImage }[] = [];
  onPost: ((post: RecordedPost) => void) | undefined;
  private seq = 0;

  async post(target: ChatTarget, message: ChatMessage): Promise<MessageRef> {
    const ref = { channel: target.channel, ts: `1700000000.${String(++this.seq).padStart(6, '0')}` };
    const post = { target, message, ref };
    this.posts.push(post);
    this.onPost?.(post);
    return ref;
  }

  async update(ref: MessageRef, message: ChatMessage): Promise<void> {
    this.updates.push({ ref, message });
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
  static textOf(message: ChatMessage): string {
    return [message.text, JSON.stringify(message.blocks ?? [])].join('\n');
  }
}
