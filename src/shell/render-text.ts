import { toSlackMessage, type ChatMessage } from '../core/message.ts';

type AnyBlock = { type: string; [key: string]: unknown };
type TextObject = { type?: string; text?: string };

/** Slack emoji codes opsbot uses, as the characters a terminal shows. */
const EMOJI: Record<string, string> = {
  warning: '⚠️',
  mag: '🔍',
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_green_circle: '🟢',
  white_circle: '⚪',
  white_check_mark: '✅',
  x: '❌',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  arrow_up: '⬆️',
  arrow_down: '⬇️',
  no_entry: '⛔',
  information_source: 'ℹ️',
  grey_question: '❔',
  inbox_tray: '📥',
  rotating_light: '🚨',
};

/** Slack mrkdwn to terminal text: links as "label (url)", mentions and escapes made readable. */
export function mrkdwnToText(text: string): string {
  return text
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:\/\/[^>]+)>/g, '$1')
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]+))?>/g, (_m, label: string | undefined) => `@${label ?? 'oncall'}`)
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<@([A-Z0-9]+)(?:\|([^>]+))?>/g, (_m, id: string, label: string | undefined) => `@${label ?? id}`)
    .replace(/<#([A-Z0-9]+)(?:\|([^>]+))?>/g, (_m, id: string, label: string | undefined) => `#${label ?? id}`)
    .replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function textOf(value: unknown): string {
  const t = value as TextObject | undefined;
  return t?.text ? mrkdwnToText(t.text) : '';
}

function renderElements(elements: unknown): string {
  if (!Array.isArray(elements)) return '';
  return elements
    .map((e: AnyBlock) => {
      if (e.type === 'image') return `[image: ${String(e.alt_text ?? '')}]`;
      if (e.type === 'button') return `[${textOf(e.text)}${e.url ? ` (${String(e.url)})` : ''}]`;
      return textOf(e);
    })
    .filter(Boolean)
    .join('  ');
}

function renderBlock(block: AnyBlock): string {
  switch (block.type) {
    case 'header':
      return textOf(block.text).toUpperCase();
    case 'section': {
      const lines = [textOf(block.text)];
      if (Array.isArray(block.fields)) lines.push(...block.fields.map((f) => `  ${textOf(f).replace(/\n/g, ' ')}`));
      const accessory = block.accessory as AnyBlock | undefined;
      if (accessory) lines.push(renderElements([accessory]));
      return lines.filter(Boolean).join('\n');
    }
    case 'context':
      return `  ${renderElements(block.elements)}`;
    case 'actions':
      return renderElements(block.elements);
    case 'divider':
      return '─'.repeat(40);
    case 'image':
      return `[image: ${String(block.alt_text ?? '')}]`;
    case 'rich_text':
    case 'markdown':
      return textOf(block);
    default:
      return '';
  }
}

/** A Block Kit message flattened for a terminal; falls back to the message's text. */
export function renderMessageText(message: ChatMessage): string {
  const slack = toSlackMessage(message);
  const blocks = (slack.blocks ?? []) as AnyBlock[];
  const rendered = blocks.map(renderBlock).filter((s) => s.trim() !== '');
  return rendered.length ? rendered.join('\n') : mrkdwnToText(slack.text);
}
