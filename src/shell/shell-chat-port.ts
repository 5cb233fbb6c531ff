import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { code, joinMd, plain, type Mrkdwn } from '../core/message.ts';
import type { ChatPort, MessageRef } from '../handlers/chat-port.ts';
import type { Presenter } from '../handlers/present/presenter.ts';
import { mrkdwnToText, prefixLines, renderMessageText, shellGutter, type TextStyle } from './render-text.ts';

export interface ShellChatPortOptions {
  out: NodeJS.WritableStream;
  /** Where graphs and other images are saved as files. */
  imageDir: string;
  /** The team's words for the shell's own notes (edited, reacted, image saved). */
  present: Pick<Presenter, 't' | 'text'>;
  /** ANSI styles or plain text: decided once from stdout (run-shell's terminalStyle). */
  style: TextStyle;
  /** Show reactions and progress edits (off when scripted, to keep output stable). */
  verbose?: boolean;
}

/** How the shell writes what the bot says: every line in the gutter ("opsbot> " then the same width of spaces). */
export interface ShellVoice {
  /** Writes text already rendered for the terminal. */
  write(text: string): void;
  /** Writes mrkdwn (a catalogue sentence) rendered for the terminal. */
  say(text: Mrkdwn): void;
}

export function createShellVoice(options: Pick<ShellChatPortOptions, 'out' | 'present' | 'style'>): ShellVoice {
  const { out, style } = options;
  const gutter = shellGutter(options.present.text('shell.you'), style);
  const write = (text: string) => void out.write(`${prefixLines(text, gutter.bot)}\n`);
  return { write, say: (text) => write(mrkdwnToText(text, style)) };
}

/** A reaction as Slack shows it: its emoji. */
const reaction = (name: string) => plain(`:${name}:`);

/** The chat port of the local shell: replies become terminal text, reactions emoji, images PNG files. */
export function createShellChatPort(options: ShellChatPortOptions): ChatPort {
  const { imageDir, present, style } = options;
  const voice = createShellVoice(options);
  const verbose = options.verbose !== false;
  let seq = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
  return {
    async post(target, message) {
      const ref: MessageRef = { channel: target.channel, ts: nextTs() };
      voice.write(renderMessageText(message, style));
      return ref;
    },
    async update(_ref, message) {
      if (verbose) voice.write(`${mrkdwnToText(present.t('shell.edited'), style)} ${renderMessageText(message, style)}`);
    },
    async react(_ref, name) {
      if (verbose) voice.say(present.t('shell.reacted', { emoji: reaction(name) }));
    },
    async unreact(_ref, name) {
      if (verbose) voice.say(present.t('shell.unreacted', { emoji: reaction(name) }));
    },
    async uploadImage(_target, image) {
      mkdirSync(imageDir, { recursive: true });
      const safe = image.filename.replace(/[^A-Za-z0-9._-]+/g, '_');
      const path = join(imageDir, `${Date.now()}-${++seq}-${safe}`);
      writeFileSync(path, image.data);
      const saved = present.t('shell.imageSaved', { title: image.title, path: code(path) });
      voice.say(image.comment ? joinMd([image.comment, saved], '\n') : saved);
    },
  };
}
