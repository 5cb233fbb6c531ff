import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatPort, MessageRef } from '../handlers/chat-port.ts';
import { mrkdwnToText, renderMessageText } from './render-text.ts';

export interface ShellChatPortOptions {
  out: NodeJS.WritableStream;
  /** Where graphs and other images are saved as files. */
  imageDir: string;
  /** Show reactions and progress edits (off when scripted, to keep output stable). */
  verbose?: boolean;
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line, i) => (i === 0 ? prefix : ' '.repeat(prefix.length)) + line)
    .join('\n');
}

/** The chat port of the local shell: replies become terminal text, images become PNG files. */
export function createShellChatPort(options: ShellChatPortOptions): ChatPort {
  const { out, imageDir } = options;
  let seq = 0;
  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;
  const write = (text: string) => out.write(`${text}\n`);
  return {
    async post(target, message) {
      const ref: MessageRef = { channel: target.channel, ts: nextTs() };
      write(indent(renderMessageText(message), 'opsbot> '));
      return ref;
    },
    async update(_ref, message) {
      if (options.verbose !== false) write(indent(renderMessageText(message), 'opsbot (edited)> '));
    },
    async react(_ref, name) {
      if (options.verbose !== false) write(`opsbot reacted :${name}:`);
    },
    async unreact() {},
    async uploadImage(_target, image) {
      mkdirSync(imageDir, { recursive: true });
      const safe = image.filename.replace(/[^A-Za-z0-9._-]+/g, '_');
      const path = join(imageDir, `${Date.now()}-${++seq}-${safe}`);
      writeFileSync(path, image.data);
      write(indent(`${image.comment ? `${mrkdwnToText(image.comment.text)}\n` : ''}[${image.title}] saved to ${path}`, 'opsbot> '));
    },
  };
}
