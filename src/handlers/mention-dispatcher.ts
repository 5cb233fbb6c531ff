import type { Logger } from '../core/logger.ts';
import { replyTarget, type ChatPort, type MentionEvent } from './chat-port.ts';
import { warning, type CommandContext, type CommandRegistry } from './command-registry.ts';
import type { Presenter } from './present/presenter.ts';

export type MentionHandler = (event: MentionEvent, chat: ChatPort) => Promise<void>;

export interface MentionDispatcherOptions {
  registry: CommandRegistry;
  log: Logger;
  /** The team's language: a failure's reply is worded by `present.error`. */
  present: Presenter;
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

/** The failure's sentence; the generic apology should wording it fail too (this is the last word). */
function describe(error: unknown, present: Presenter) {
  try {
    return present.error(error);
  } catch {
    return present.t('common.unexpected');
  }
}

/**
 * Routes a mention to its command. Every failure becomes a reply in the thread, worded by the
 * presentation kit from the error's code (anything but an OpsbotError gets the generic apology);
 * an exception's own message goes to the log only.
 */
export function createMentionDispatcher(options: MentionDispatcherOptions): MentionHandler {
  const { registry, log, present, onUnknown } = options;
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
      const text = warning(describe(error, present));
      ctx.log.error({ err: error }, 'command failed');
      await chat.post(target, { text }).catch((postError: unknown) => ctx.log.error({ err: postError }, 'could not post the error reply'));
    }
  };
}
