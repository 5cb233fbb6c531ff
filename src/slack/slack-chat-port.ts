import type { WebClient } from '@slack/web-api';
import type { Logger } from '../core/logger.ts';
import type { ChatPort } from '../handlers/chat-port.ts';
import { toSlackMessage, toSlackUpload } from '../core/message.ts';

/** The chat port on Slack's Web API. Reactions are best effort; everything else throws. */
export function createSlackChatPort(options: { client: WebClient; log: Logger }): ChatPort {
  const { client, log } = options;
  const reaction = async (op: 'add' | 'remove', ref: { channel: string; ts: string }, name: string) => {
    try {
      await client.reactions[op]({ channel: ref.channel, timestamp: ref.ts, name });
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code !== 'already_reacted' && code !== 'no_reaction') log.warn({ err: error, name }, `reactions.${op} failed`);
    }
  };
  return {
    async post(target, message) {
      const { text, blocks } = toSlackMessage(message);
      const result = await client.chat.postMessage({
        channel: target.channel,
        thread_ts: target.threadTs,
        text,
        ...(blocks ? { blocks } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      return { channel: result.channel ?? target.channel, ts: result.ts! };
    },
    async update(ref, message) {
      const { text, blocks } = toSlackMessage(message);
      await client.chat.update({ channel: ref.channel, ts: ref.ts, text, blocks: blocks ?? [] });
    },
    react: (ref, name) => reaction('add', ref, name),
    unreact: (ref, name) => reaction('remove', ref, name),
    async uploadImage(target, image) {
      const texts = toSlackUpload(image);
      await client.filesUploadV2({
        channel_id: target.channel,
        ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
        file: image.data,
        filename: texts.filename,
        title: texts.title,
        alt_text: texts.altText,
        ...(texts.comment ? { initial_comment: texts.comment } : {}),
      } as Parameters<WebClient['filesUploadV2']>[0]);
    },
  };
}
