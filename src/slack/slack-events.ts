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
    files: files.map(
      (file): SharedFile => ({
        id: file.id,
        name: file.name || file.title || file.id,
        size: file.size ?? 0,
        ...(file.mimetype ? { mimetype: file.mimetype } : {}),
        open: (signal) => openFile(file, signal),
      }),
    ),
  };
}
