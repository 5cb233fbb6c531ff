import type { Block, KnownBlock } from '@slack/types';

/**
 * The one way opsbot builds what it says. Every reply, post, edit, thread note and upload
 * comment is a `ChatMessage` whose text is `Mrkdwn`, and a `Mrkdwn` can only be made here:
 * every value interpolated into it is escaped, so a host name, monitor name, file name or
 * anything else people or Mackerel control can never become `<!channel>`, `<@U…>`, `<#C…>`
 * or a `<url|label>` link. Links go through `link()` (http(s) only, URL encoded, label
 * escaped); the only pings are the ones the configuration asks for (`configuredMention`).
 * Passing a raw string where mrkdwn is expected is a type error.
 */
const BUILDER: unique symbol = Symbol('mrkdwn builder');

export class Mrkdwn {
  readonly #text: string;
  /** Only this module holds the key: elsewhere, `Mrkdwn` comes from the builders below. */
  constructor(key: typeof BUILDER, text: string) {
    if (key !== BUILDER) throw new TypeError('Mrkdwn is made by src/core/message.ts only');
    this.#text = text;
  }
  /** The mrkdwn source, for the transport. */
  get text(): string {
    return this.#text;
  }
  toString(): string {
    return this.#text;
  }
  toJSON(): string {
    return this.#text;
  }
}

const make = (text: string): Mrkdwn => new Mrkdwn(BUILDER, text);

/** Slack's documented limits (characters and counts), applied when a message is built for sending. */
export const SLACK_LIMITS = {
  /** `text` of chat.postMessage / chat.update (Slack truncates beyond it). */
  messageText: 40_000,
  /** `text` when blocks carry the message: only the notification fallback. */
  fallbackText: 3_000,
  blocks: 50,
  sectionText: 3_000,
  sectionFields: 10,
  fieldText: 2_000,
  headerText: 150,
  contextElements: 10,
  contextText: 3_000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
  url: 3_000,
  altText: 2_000,
  fileComment: 3_000,
  fileTitle: 250,
} as const;

/** What may be interpolated into mrkdwn: plain values are escaped, `Mrkdwn` is kept. */
export type MrkdwnValue = Mrkdwn | string | number;

/** Escapes `&`, `<` and `>`, so text people control cannot make links or mentions. */
export function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function piece(value: MrkdwnValue): string {
  return value instanceof Mrkdwn ? value.text : escapeText(String(value));
}

/**
 * Tagged template: the literal parts are opsbot's own mrkdwn, every `${value}` is escaped
 * unless it is already `Mrkdwn`. `md\`*${host.name}* is ${status}\``.
 */
export function md(strings: TemplateStringsArray, ...values: readonly MrkdwnValue[]): Mrkdwn {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += piece(values[i]!) + (strings[i + 1] ?? '');
  return make(out);
}

/** A catalogue placeholder: `{name}` (letters, digits, dots). */
export const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9.]*)\}/g;

/**
 * A catalogue sentence with its `{placeholders}` filled: the template is opsbot's own mrkdwn (it
 * comes from the message catalogue, src/handlers/present/messages/, never from people or Mackerel),
 * every value is escaped unless it is already `Mrkdwn`. A placeholder without a value is an error.
 */
export function fillTemplate(template: string, values: Readonly<Record<string, MrkdwnValue>>): Mrkdwn {
  return make(
    template.replace(PLACEHOLDER, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw new RangeError(`message placeholder {${name}} has no value`);
      return piece(value);
    }),
  );
}

/** Plain text as mrkdwn (escaped). */
export function plain(text: string | number): Mrkdwn {
  return make(piece(text));
}

export const EMPTY = make('');

/** Joins pieces (plain ones escaped) with a separator of opsbot's own. */
export function joinMd(parts: readonly MrkdwnValue[], separator: MrkdwnValue = ''): Mrkdwn {
  return make(parts.map(piece).join(piece(separator)));
}

/** One piece a line. */
export function lines(parts: readonly MrkdwnValue[]): Mrkdwn {
  return joinMd(parts, make('\n'));
}

export function bold(value: MrkdwnValue): Mrkdwn {
  const inner = piece(value);
  return inner ? make(`*${inner}*`) : EMPTY;
}

/** Text inside backticks: escaped, and a backtick in it cannot end the code span early. */
export function code(value: string | number): Mrkdwn {
  return make(`\`${escapeText(String(value)).replace(/`/g, 'ˋ').replace(/\n/g, ' ')}\``);
}

/** A URL Slack may link to: http(s) only, absolute, without whitespace or control characters. */
export function safeUrl(url: string | undefined | null): string | null {
  if (!url || url.length > SLACK_LIMITS.url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  // `href` percent-encodes spaces, quotes and `<>`; `|` must go too, it would end the URL part.
  return parsed.href.replace(/[|<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A link with an escaped label; an unusable URL leaves just the label. */
export function link(url: string | undefined | null, label: MrkdwnValue): Mrkdwn {
  const text = piece(label).replace(/\|/g, '¦');
  const href = safeUrl(url);
  return make(href ? `<${href}|${text || href}>` : text);
}

/** `<#C…>`: a channel reference (never a ping); anything not shaped like a channel id is shown as code. */
export function channelRef(id: string): Mrkdwn {
  return /^[CGD][A-Z0-9]{2,30}$/.test(id) ? make(`<#${id}>`) : code(id);
}

/** One token Slack turns into a notification: a user group, a member, @here or @channel (never @everyone). */
const MENTION_TOKEN = String.raw`(?:<!subteam\^S[A-Z0-9]{2,20}(?:\|[^<>|\s][^<>|]*)?>|<@[UW][A-Z0-9]{2,20}(?:\|[^<>|\s][^<>|]*)?>|<!here>|<!channel>)`;
const MENTION_LIST = new RegExp(`^${MENTION_TOKEN}(?: +${MENTION_TOKEN})*$`);

/** True for text made only of Slack mention tokens (`<!subteam^S…>`, `<@U…>`, `<!here>`, `<!channel>`), space-separated. */
export function isMentionList(text: string): boolean {
  return MENTION_LIST.test(text);
}

/**
 * The pings the configuration asks for (`alerts.mention`), validated at load; the only way a
 * mention enters a message. Anything not made of mention tokens is escaped instead.
 */
export function configuredMention(text: string | undefined): Mrkdwn {
  if (!text) return EMPTY;
  return isMentionList(text) ? make(text) : plain(text);
}

/**
 * Cuts mrkdwn to `max` characters with a visible "…", never inside an escape (`&lt;`) or a
 * `<…>` token, so a cut can neither break a link into text nor leave a half-made mention.
 */
export function truncateMrkdwn(value: Mrkdwn | string, max: number): string {
  const text = typeof value === 'string' ? value : value.text;
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && amp > cut.lastIndexOf(';') && cut.length - amp < 6) cut = cut.slice(0, amp);
  // A lone high surrogate at the end would be an invalid character.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Cuts plain text (header, button labels, titles) to `max` characters with "…". */
export function truncatePlain(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

// ---------------------------------------------------------------------------------------------
// Messages and blocks

export interface MessageButton {
  /** Plain text label. */
  text: string;
  actionId: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

export type MessageBlock =
  | { type: 'section'; text: Mrkdwn; fields?: readonly Mrkdwn[]; button?: MessageButton }
  | { type: 'context'; elements: readonly Mrkdwn[] }
  | { type: 'header'; text: string }
  | { type: 'divider' }
  | { type: 'actions'; buttons: readonly MessageButton[]; blockId?: string }
  /** `altText` is the caller's words for the image (in the team's language); Slack needs one, so an image with neither alt text nor title is left out. */
  | { type: 'image'; url: string; altText: string; title?: string };

/** What opsbot says: mrkdwn text (the notification fallback when blocks are given) and blocks. */
export interface ChatMessage {
  text: Mrkdwn;
  blocks?: readonly MessageBlock[];
}

export const section = (text: Mrkdwn, fields?: readonly Mrkdwn[]): MessageBlock => ({ type: 'section', text, ...(fields?.length ? { fields } : {}) });
export const context = (...elements: Mrkdwn[]): MessageBlock => ({ type: 'context', elements });
export const header = (text: string): MessageBlock => ({ type: 'header', text });
export const divider = (): MessageBlock => ({ type: 'divider' });
export const actions = (buttons: readonly MessageButton[], blockId?: string): MessageBlock => ({ type: 'actions', buttons, ...(blockId ? { blockId } : {}) });

/**
 * Packs lines into as few sections as fit (each within Slack's section limit); a single line
 * that is too long on its own is cut.
 */
export function linesToSections(items: readonly Mrkdwn[]): MessageBlock[] {
  const out: MessageBlock[] = [];
  let current = '';
  for (const item of items) {
    const line = truncateMrkdwn(item, SLACK_LIMITS.sectionText);
    if (current && current.length + 1 + line.length > SLACK_LIMITS.sectionText) {
      out.push(section(make(current)));
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) out.push(section(make(current)));
  return out;
}

/** A message from mrkdwn text alone. */
export function textMessage(text: Mrkdwn): ChatMessage {
  return { text };
}

// ---------------------------------------------------------------------------------------------
// To Slack's wire format, within Slack's limits

function slackButton(b: MessageButton): Record<string, unknown> {
  const url = safeUrl(b.url);
  return {
    type: 'button',
    text: { type: 'plain_text', text: truncatePlain(b.text || '…', SLACK_LIMITS.buttonText), emoji: true },
    action_id: b.actionId.slice(0, SLACK_LIMITS.actionId),
    ...(b.value !== undefined ? { value: b.value.slice(0, SLACK_LIMITS.buttonValue) } : {}),
    ...(url ? { url } : {}),
    ...(b.style ? { style: b.style } : {}),
    ...(b.confirm
      ? {
          confirm: {
            title: { type: 'plain_text', text: truncatePlain(b.confirm.title, 100) },
            text: { type: 'plain_text', text: truncatePlain(b.confirm.text, 300) },
            confirm: { type: 'plain_text', text: truncatePlain(b.confirm.confirm, 30) },
            deny: { type: 'plain_text', text: truncatePlain(b.confirm.deny, 30) },
          },
        }
      : {}),
  };
}

function slackBlock(block: MessageBlock): KnownBlock | null {
  switch (block.type) {
    case 'section': {
      const text = truncateMrkdwn(block.text, SLACK_LIMITS.sectionText);
      const fields = (block.fields ?? []).slice(0, SLACK_LIMITS.sectionFields).map((f) => ({ type: 'mrkdwn' as const, text: truncateMrkdwn(f, SLACK_LIMITS.fieldText) || ' ' }));
      if (!text && fields.length === 0) return null;
      return {
        type: 'section',
        ...(text ? { text: { type: 'mrkdwn', text } } : {}),
        ...(fields.length ? { fields } : {}),
        ...(block.button ? { accessory: slackButton(block.button) } : {}),
      } as KnownBlock;
    }
    case 'context': {
      const elements = block.elements
        .map((e) => truncateMrkdwn(e, SLACK_LIMITS.contextText))
        .filter((t) => t.trim() !== '')
        .slice(0, SLACK_LIMITS.contextElements)
        .map((text) => ({ type: 'mrkdwn' as const, text }));
      return elements.length ? { type: 'context', elements } : null;
    }
    case 'header': {
      const text = truncatePlain(block.text.replace(/\s+/g, ' ').trim(), SLACK_LIMITS.headerText);
      return text ? { type: 'header', text: { type: 'plain_text', text, emoji: true } } : null;
    }
    case 'divider':
      return { type: 'divider' };
    case 'actions': {
      const elements = block.buttons.slice(0, SLACK_LIMITS.actionsElements).map(slackButton);
      return elements.length ? ({ type: 'actions', elements, ...(block.blockId ? { block_id: block.blockId.slice(0, 255) } : {}) } as unknown as KnownBlock) : null;
    }
    case 'image': {
      const url = safeUrl(block.url);
      const alt = block.altText.trim() || block.title?.trim();
      if (!url || !alt) return null;
      return {
        type: 'image',
        image_url: url,
        alt_text: truncatePlain(alt, SLACK_LIMITS.altText),
        ...(block.title ? { title: { type: 'plain_text', text: truncatePlain(block.title, 2000) } } : {}),
      };
    }
  }
}

/** An image's texts as Slack takes them with a file upload, each cut to Slack's limits. */
export function toSlackUpload(image: { filename: string; title: string; altText: string; comment?: Mrkdwn | undefined }): {
  filename: string;
  title: string;
  altText: string;
  comment?: string;
} {
  return {
    filename: truncatePlain(image.filename, SLACK_LIMITS.fileTitle),
    title: truncatePlain(image.title, SLACK_LIMITS.fileTitle),
    altText: truncatePlain(image.altText, SLACK_LIMITS.altText),
    ...(image.comment ? { comment: truncateMrkdwn(image.comment, SLACK_LIMITS.fileComment) } : {}),
  };
}

/** The message as Slack's `text` and `blocks`, every part cut to Slack's limits with a visible "…". */
export function toSlackMessage(message: ChatMessage): { text: string; blocks?: (KnownBlock | Block)[] } {
  const built = (message.blocks ?? []).map(slackBlock).filter((b): b is KnownBlock => b !== null);
  if (built.length > SLACK_LIMITS.blocks) {
    const left = built.length - SLACK_LIMITS.blocks + 1;
    built.splice(SLACK_LIMITS.blocks - 1, built.length, { type: 'context', elements: [{ type: 'mrkdwn', text: `… (+${left})` }] });
  }
  const hasBlocks = built.length > 0;
  const text = truncateMrkdwn(message.text, hasBlocks ? SLACK_LIMITS.fallbackText : SLACK_LIMITS.messageText);
  return hasBlocks ? { text: text || ' ', blocks: built } : { text: text || ' ' };
}
