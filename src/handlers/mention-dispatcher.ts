import type { Logger } from '../core/logger.ts';
import { OpsbotError } from '../core/errors.ts';
import { plain } from '../core/message.ts';
import { replyTarget, type ChatPort, type MentionEvent } from './chat-port.ts';
import type { CommandContext, CommandRegistry } from './command-registry.ts';

export type MentionHandler = (event: MentionEvent, chat: ChatPort) => Promise<void>;

export interface MentionDispatcherOptions {
  registry: CommandRegistry;
  log: Logger;
  /** Runs when the first word names no command (and for an empty mention). */
  onUnknown: (ctx: CommandContext, word: string) => Promise<void>;
}

/** Splits a mention's text into the command word and its arguments. */
export function parseCommandLine(text: string): { word: string; args: string[]; argText: string } {
  const trimmed = text.trim();
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  if (!match) return { word: '', args: [], argText: '' };
  const argText = match[2]!.trim();
  return { word: match[1]!, args: argText ? argText.split(/\s+/) : [], argText };
}

/**
 * Routes a mention to its command. Every failure becomes a reply in the thread:
 * an OpsbotError's own words, anything else a short apology (details go to the log only).
 */
export function createMentionDispatcher(options: MentionDispatcherOptions): MentionHandler {
  const { registry, log, onUnknown } = options;
  return async (event, chat) => {
    const { word, args, argText } = parseCommandLine(event.text);
    const target = replyTarget(event);
    const ctx: CommandContext = {
      event,
      args,
      argText,
      chat,
      log: log.child({ channel: event.channel, ts: event.ts, command: word }),
      reply: (message) => chat.post(target, message),
    };
    const command = word ? registry.find(word) : undefined;
    try {
      if (command) await command.run(ctx);
      else await onUnknown(ctx, word);
    } catch (error) {
      const text = plain(error instanceof OpsbotError ? error.userMessage : ':warning: Something went wrong while handling that. The details are in the bot log.');
      ctx.log.error({ err: error }, 'command failed');
      await chat.post(target, { text }).catch((postError: unknown) => ctx.log.error({ err: postError }, 'could not post the error reply'));
    }
  };
}
