import { z } from 'zod';
import type { FileShareEvent, MentionEvent, SharedFile } from '../handlers/chat-port.ts';

/** The parts of Slack's file object that opsbot reads. */
export interface SlackFileObject {
  id: string;
  name?: string;
  title?: string;
  size?: number;
  mimetype?: string;
  mode?: string;
  is_external?: boolean;
  file_access?: string;
  url_private?: string;
  url_private_download?: string;
}

export interface SlackMessageLike {
  user?: string;
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  files?: SlackFileObject[];
}

const slackId = z.string().min(1).max(64);
const slackTs = z.string().regex(/^\d{1,12}\.\d{1,9}$/);

const fileSchema = z.looseObject({
  id: slackId,
  name: z.string().max(2000).optional().catch(undefined),
  title: z.string().max(2000).optional().catch(undefined),
  size: z.number().int().nonnegative().optional().catch(undefined),
  mimetype: z.string().max(300).optional().catch(undefined),
  mode: z.string().max(100).optional().catch(undefined),
  is_external: z.boolean().optional().catch(undefined),
  file_access: z.string().max(100).optional().catch(undefined),
  url_private: z.string().max(4000).optional().catch(undefined),
  url_private_download: z.string().max(4000).optional().catch(undefined),
});

const messageSchema = z.looseObject({
  user: slackId.optional(),
  channel: slackId,
  ts: slackTs,
  thread_ts: slackTs.optional().catch(undefined),
  text: z.string().max(100_000).optional().catch(undefined),
  subtype: z.string().max(100).optional(),
  channel_type: z.string().max(50).optional().catch(undefined),
  bot_id: z.string().optional(),
  bot_profile: z.unknown().optional(),
  app_id: z.string().optional(),
  files: z.array(z.unknown()).max(100).optional().catch(undefined),
});

export type CheckedSlackMessage = SlackMessageLike & { subtype?: string; channel_type?: string; bot_id?: string; bot_profile?: unknown; app_id?: string };

/**
 * The message (or app_mention) event with the fields opsbot reads checked; null when it has
 * no usable channel or ts. Files that are not file objects are dropped.
 */
export function checkSlackMessage(raw: unknown): CheckedSlackMessage | null {
  const parsed = messageSchema.safeParse(raw);
  if (!parsed.success) return null;
  const { files, ...rest } = parsed.data;
  const checkedFiles = (files ?? []).flatMap((f) => {
    const file = fileSchema.safeParse(f);
    return file.success ? [file.data as SlackFileObject] : [];
  });
  return { ...(rest as CheckedSlackMessage), ...(files ? { files: checkedFiles } : {}) };
}

/** Slackbot and other system senders; messages from them are never commands. */
const SYSTEM_USERS = new Set(['USLACKBOT']);

/**
 * True when a message is someone's own words to the bot: not from a bot or app (this one
 * included), not from Slackbot or another system user, not a system subtype.
 */
export function isFromPerson(message: CheckedSlackMessage, botUserId?: string): boolean {
  if (!message.user || SYSTEM_USERS.has(message.user) || message.user === botUserId) return false;
  if (message.bot_id || message.bot_profile || message.app_id) return false;
  return message.subtype === undefined || message.subtype === 'file_share' || message.subtype === 'thread_broadcast';
}

/** Removes the leading `<@U…>` mention(s) of the bot (and any other leading mentions). */
export function stripBotMention(text: string, botUserId?: string): string {
  let out = text.trim();
  const lead = /^<@([A-Z0-9]+)(?:\|[^>]*)?>[\s:,]*/;
  for (let m = lead.exec(out); m; m = lead.exec(out)) {
    if (botUserId && m[1] !== botUserId) break;
    out = out.slice(m[0].length);
  }
  return out;
}

/** Slack escapes &, < and > in message text; commands want the characters people typed. */
export function unescapeSlackText(text: string): string {
  return text
    .replace(/<(mailto:|https?:\/\/)[^|>]+\|([^>]+)>/g, '$2')
    .replace(/<((?:https?:\/\/|mailto:)[^>]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function toMentionEvent(message: SlackMessageLike, botUserId?: string): MentionEvent {
  return {
    user: message.user ?? '',
    channel: message.channel,
    ts: message.ts,
    ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
    text: unescapeSlackText(stripBotMention(message.text ?? '', botUserId)),
  };
}

export type OpenSlackFile = (file: SlackFileObject, signal?: AbortSignal) => Promise<{ body: ReadableStream<Uint8Array> | NodeJS.ReadableStream; contentType?: string }>;

/** Files that have Slack-hosted bytes; external links (Google Drive…) have none to relay. */
export function isHostedFile(file: SlackFileObject): boolean {
  return !file.is_external && file.mode !== 'external';
}

export function toFileShareEvent(message: SlackMessageLike, files: SlackFileObject[], openFile: OpenSlackFile): FileShareEvent {
  return {
    user: message.user ?? '',
    channel: message.channel,
    ts: message.ts,
    ...(message.thread_ts ? { threadTs: message.thread_ts } : {}),
    text: unescapeSlackText(message.text ?? ''),
    files: files.map((file): SharedFile => ({
      id: file.id,
      name: file.name || file.title || file.id,
      size: file.size ?? 0,
      ...(file.mimetype ? { mimetype: file.mimetype } : {}),
      open: (signal) => openFile(file, signal),
    })),
  };
}
