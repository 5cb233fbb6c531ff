import { isIP } from 'node:net';
import { displayWidth } from '../core/display-width.ts';
import { toSlackMessage, type ChatMessage, type Mrkdwn } from '../core/message.ts';

type AnyBlock = { type: string; [key: string]: unknown };
type TextObject = { type?: string; text?: string };

/**
 * How the shell writes text: with ANSI styles (bold, italic, strike, code in colour) on a
 * terminal, plain when piped (the marks removed, code spans kept in backticks, which quote names
 * with spaces). run-shell decides it once from stdout and passes it down.
 */
export interface TextStyle {
  readonly ansi: boolean;
}

/** Piped output: no ANSI. The default, and what snapshot tests show. */
export const PIPED: TextStyle = { ansi: false };
export const TERMINAL: TextStyle = { ansi: true };

const SGR = {
  bold: ['\x1b[1m', '\x1b[22m'],
  italic: ['\x1b[3m', '\x1b[23m'],
  strike: ['\x1b[9m', '\x1b[29m'],
  code: ['\x1b[36m', '\x1b[39m'],
} as const;

function styled(kind: keyof typeof SGR, text: string, style: TextStyle): string {
  return style.ansi && text ? `${SGR[kind][0]}${text}${SGR[kind][1]}` : text;
}

/** Bold on a terminal, as is when piped (the shell's gutter and headers). */
export function strong(text: string, style: TextStyle): string {
  return styled('bold', text, style);
}

/**
 * Slack emoji codes as the characters a terminal shows: every code opsbot writes (test/
 * shell-text.test.ts checks each one in src/ and each reaction), and the common
 * ones a catalogue sentence may pick up. An unknown code is left as it is.
 */
export const EMOJI: Readonly<Record<string, string>> = {
  // Status glyphs (src/handlers/present/glyphs.ts)
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  large_blue_circle: '🔵',
  large_purple_circle: '🟣',
  white_circle: '⚪',
  black_circle: '⚫',
  wrench: '🔧',
  // Outcomes and notices
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  information_source: 'ℹ️',
  warning: '⚠️',
  repeat: '🔁',
  arrows_counterclockwise: '🔄',
  rotating_light: '🚨',
  fire: '🔥',
  sos: '🆘',
  exclamation: '❗',
  question: '❓',
  grey_question: '❔',
  grey_exclamation: '❕',
  heavy_plus_sign: '➕',
  heavy_minus_sign: '➖',
  // Pointers and movement
  arrow_up: '⬆️',
  arrow_down: '⬇️',
  arrow_right: '➡️',
  arrow_left: '⬅️',
  arrow_upper_right: '↗️',
  arrow_lower_right: '↘️',
  point_right: '👉',
  point_up: '☝️',
  // Things opsbot talks about
  mag: '🔍',
  mag_right: '🔎',
  inbox_tray: '📥',
  outbox_tray: '📤',
  package: '📦',
  file_folder: '📁',
  open_file_folder: '📂',
  page_facing_up: '📄',
  floppy_disk: '💾',
  cd: '💿',
  link: '🔗',
  lock: '🔒',
  key: '🔑',
  book: '📖',
  books: '📚',
  memo: '📝',
  pencil2: '✏️',
  clipboard: '📋',
  pushpin: '📌',
  bookmark: '🔖',
  frame_with_picture: '🖼️',
  chart_with_upwards_trend: '📈',
  chart_with_downwards_trend: '📉',
  bar_chart: '📊',
  calendar: '📆',
  date: '📅',
  clock1: '🕐',
  alarm_clock: '⏰',
  stopwatch: '⏱️',
  timer_clock: '⏲️',
  bell: '🔔',
  no_bell: '🔕',
  mute: '🔇',
  loudspeaker: '📢',
  mega: '📣',
  speech_balloon: '💬',
  eyes: '👀',
  zzz: '💤',
  sleeping: '😴',
  robot_face: '🤖',
  computer: '💻',
  desktop_computer: '🖥️',
  gear: '⚙️',
  hammer_and_wrench: '🛠️',
  tools: '🛠️',
  construction: '🚧',
  electric_plug: '🔌',
  satellite: '📡',
  globe_with_meridians: '🌐',
  cloud: '☁️',
  zap: '⚡',
  bulb: '💡',
  tada: '🎉',
  sparkles: '✨',
  thumbsup: '👍',
  '+1': '👍',
  thumbsdown: '👎',
  '-1': '👎',
  wave: '👋',
  pray: '🙏',
  raising_hand: '🙋',
  ok: '🆗',
  new: '🆕',
  stop_sign: '🛑',
  checkered_flag: '🏁',
  triangular_flag_on_post: '🚩',
  star: '⭐',
};

/** The character for an emoji code (without colons), or the code itself when opsbot has none. */
export function emojiFor(name: string): string {
  return EMOJI[name] ?? `:${name}:`;
}

/** Private-use marks around a placeholder for a piece already rendered (a code span, a link). */
const HOLD_OPEN = '\uE000';
const HOLD_CLOSE = '\uE001';
const HELD = /\uE000(\d+)\uE001/g;

function unescapeMrkdwn(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function emojis(text: string): string {
  return text.replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);
}

/** A `<…>` token as text: links "label (url)", mentions "@name", channels "#name". */
function renderToken(inner: string): string {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? undefined : unescapeMrkdwn(emojis(inner.slice(bar + 1)));
  if (/^(https?|mailto):/.test(target)) {
    const url = unescapeMrkdwn(target);
    return label && label !== url && label !== url.replace(/\/$/, '') ? `${label} (${url})` : url;
  }
  const subteam = /^!subteam\^[A-Z0-9]+$/.exec(target);
  if (subteam) return `@${label ?? 'oncall'}`;
  const special = /^!(here|channel|everyone)$/.exec(target);
  if (special) return `@${special[1]}`;
  const user = /^@([A-Z0-9]+)$/.exec(target);
  if (user) return `@${label ?? user[1]}`;
  const channel = /^#([A-Z0-9]+)$/.exec(target);
  if (channel) return `#${label ?? channel[1]}`;
  return unescapeMrkdwn(label ?? target);
}

/**
 * `*bold*`, `_italic_`, `~strike~` as Slack reads them: the opening mark is not preceded by a
 * letter or digit and is followed by a non-space, the closing one is preceded by a non-space and
 * not followed by a letter or digit (so `web-*`, `disk_used_pct` and "~5 h" stay as they are).
 * Japanese text may touch the marks. Within one line.
 */
const EMPHASIS: ReadonlyArray<[RegExp, keyof typeof SGR]> = [
  [/(^|[^A-Za-z0-9*])\*(?=[^\s*])([^\n]*?[^\s*])\*(?![A-Za-z0-9*])/g, 'bold'],
  [/(^|[^A-Za-z0-9_])_(?=[^\s_])([^\n]*?[^\s_])_(?![A-Za-z0-9_])/g, 'italic'],
  [/(^|[^A-Za-z0-9~])~(?=[^\s~])([^\n]*?[^\s~])~(?![A-Za-z0-9~])/g, 'strike'],
];
/**
 * Slack mrkdwn as terminal text: bold, italic and strike as ANSI styles on a terminal and without
 * their marks when piped; code spans in colour on a terminal, in backticks when piped; links as
 * "label (url)"; mentions as "@name"; emoji codes as emoji; escapes undone.
 */
export function mrkdwnToText(text: string | Mrkdwn, style: TextStyle = PIPED): string {
  const held: string[] = [];
  const hold = (rendered: string) => `${HOLD_OPEN}${held.push(rendered) - 1}${HOLD_CLOSE}`;
  let out = String(text)
    .replace(/[\uE000\uE001]/g, '')
    .replace(/`([^`\n]+)`/g, (_m, inner: string) => hold(style.ansi ? styled('code', unescapeMrkdwn(inner), style) : `\`${unescapeMrkdwn(inner)}\``))
    .replace(/<([^<>\n]+)>/g, (_m, inner: string) => hold(renderToken(inner)));
  out = emojis(out);
  // The styles' escapes are held too, so the next mark's neighbours are the text's, not an escape's.
  const emphasis = (kind: keyof typeof SGR, inner: string) => (style.ansi ? `${hold(SGR[kind][0])}${inner}${hold(SGR[kind][1])}` : inner);
  for (const [pattern, kind] of EMPHASIS) out = out.replace(pattern, (_m, before: string, inner: string) => before + emphasis(kind, inner));
  out = unescapeMrkdwn(out);
  // A held piece may hold another (a code span inside a link label is rendered with the link).
  while (out.includes(HOLD_OPEN)) out = out.replace(HELD, (_m, i: string) => held[Number(i)] ?? '');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Widths and alignment

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * The one rule for what the shell writes: `label` on the first line ("opsbot> "), as many
 * spaces on every other line, so a reply's lines, its fields and its context all start in one
 * column. Empty lines stay empty.
 */
export function prefixLines(text: string, label: string): string {
  const indent = ' '.repeat(displayWidth(label));
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? `${label}${line}` : line ? `${indent}${line}` : ''))
    .join('\n');
}

/** The bot's name in the gutter (a name, the same in every language). */
export const BOT_NAME = 'opsbot';

/**
 * The shell's gutter: "opsbot> " before what the bot says, the person's prompt ("   you> ",
 * "あなた> ") right-aligned to the same width, so what is typed and what is answered start in one
 * column. Bold on a terminal.
 */
export function shellGutter(you: string, style: TextStyle): { bot: string; you: string } {
  const width = Math.max(displayWidth(BOT_NAME), displayWidth(you));
  const label = (name: string) => `${' '.repeat(width - displayWidth(name))}${strong(`${name}>`, style)} `;
  return { bot: label(BOT_NAME), you: label(you) };
}

function indentLines(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line) => (line ? `${indent}${line}` : line))
    .join('\n');
}

/**
 * A line that is only addresses ("10.0.0.1, fd00::1" or 「10.0.0.1、fd00::1」, optionally after a label: "eth0: …") as
 * one address a line, the addresses in one column; other lines as they are.
 */
function addressLines(lines: readonly string[], style: TextStyle): string[] {
  const parsed = lines.map((line) => {
    const m = /^(?:([^\s:][^:]{0,40}?): )?(\S+(?:[,、]\s*\S+)+|\S+)$/.exec(line.trim());
    if (!m) return undefined;
    const items = m[2]!.split(/[,、]\s*/);
    if (!items.every((item) => isIP(item.replace(/\/\d{1,3}$/, '')) !== 0)) return undefined;
    return { label: m[1] === undefined ? undefined : `${mrkdwnToText(m[1], style)}:`, items };
  });
  // Only worth it when some line lists more than one address.
  if (!parsed.some((p) => p && p.items.length > 1)) return lines.map((line) => mrkdwnToText(line, style));
  const labelWidth = Math.max(0, ...parsed.map((p) => (p?.label ? displayWidth(p.label) : 0)));
  return lines.flatMap((line, i) => {
    const p = parsed[i];
    if (!p) return [mrkdwnToText(line, style)];
    const head = labelWidth ? `${padEnd(p.label ?? '', labelWidth)} ` : '';
    const blank = ' '.repeat(displayWidth(head));
    return p.items.map((item, k) => `${k === 0 ? head : blank}${item}`);
  });
}

/** Renders mrkdwn text of a block line by line (addresses one a line). */
function blockText(text: string, style: TextStyle): string {
  return addressLines(text.split('\n'), style).join('\n');
}

/**
 * A section's fields as a two-column table: a field written "*Label*\nvalue…" shows its label,
 * padded to the widest label, then its value lines, all in one column; a one-line field is
 * shown as it is.
 */
function renderFields(fields: readonly TextObject[], style: TextStyle): string {
  const rows = fields.map((f) => {
    const text = f.text ?? '';
    const newline = text.indexOf('\n');
    if (newline < 0) return { label: mrkdwnToText(text, style), values: [] as string[] };
    return { label: mrkdwnToText(text.slice(0, newline), style), values: addressLines(text.slice(newline + 1).split('\n'), style) };
  });
  const width = Math.max(0, ...rows.filter((r) => r.values.length).map((r) => displayWidth(r.label)));
  return rows
    .flatMap(({ label, values }) => {
      if (!values.length) return [label];
      return values.map((value, i) => `${i === 0 ? padEnd(label, width) : ' '.repeat(width)}  ${value}`.trimEnd());
    })
    .map((line) => `  ${line}`)
    .join('\n');
}

function textOf(value: unknown, style: TextStyle): string {
  const t = value as TextObject | undefined;
  if (!t?.text) return '';
  // Plain text (headers, button labels) is not escaped and has no marks; Slack shows its emoji.
  return t.type === 'plain_text' ? emojis(t.text) : blockText(t.text, style);
}

/** Between a context block's elements, as between the parts of one line elsewhere ("… · See all in Mackerel"). */
const CONTEXT_SEPARATOR = ' · ';
/** Between buttons: "[Retry] [Open]". */
const BUTTON_SEPARATOR = ' ';

function renderElements(elements: unknown, style: TextStyle, separator: string): string {
  if (!Array.isArray(elements)) return '';
  return elements
    .map((e: AnyBlock) => {
      if (e.type === 'image') return `${EMOJI.frame_with_picture} ${String(e.alt_text ?? '')}`;
      if (e.type === 'button') return `[${textOf(e.text, style)}]${e.url ? ` (${String(e.url)})` : ''}`;
      return textOf(e, style);
    })
    .filter(Boolean)
    .join(separator);
}

function renderBlock(block: AnyBlock, style: TextStyle): string {
  switch (block.type) {
    case 'header':
      return strong(textOf(block.text, style).toUpperCase(), style);
    case 'section': {
      const parts = [textOf(block.text, style)];
      if (Array.isArray(block.fields)) parts.push(renderFields(block.fields as TextObject[], style));
      const accessory = block.accessory as AnyBlock | undefined;
      if (accessory) parts.push(renderElements([accessory], style, BUTTON_SEPARATOR));
      return parts.filter(Boolean).join('\n');
    }
    case 'context':
      return indentLines(renderElements(block.elements, style, CONTEXT_SEPARATOR), '  ');
    case 'actions':
      return renderElements(block.elements, style, BUTTON_SEPARATOR);
    case 'divider':
      return '─'.repeat(40);
    case 'image':
      return `${EMOJI.frame_with_picture} ${String(block.alt_text ?? '')}`;
    default:
      return '';
  }
}

/**
 * A message as the shell shows it: its blocks one after the other (header in capitals, section
 * fields as a table, context indented, buttons as [labels], a divider as a rule), or its text
 * when it has no blocks. Piped (no ANSI) unless `style` says otherwise.
 */
export function renderMessageText(message: ChatMessage, style: TextStyle = PIPED): string {
  const slack = toSlackMessage(message);
  const blocks = (slack.blocks ?? []) as AnyBlock[];
  const rendered = blocks.map((b) => renderBlock(b, style)).filter((s) => s.trim() !== '');
  return rendered.length ? rendered.join('\n') : blockText(slack.text, style);
}
