import type { Logger } from '../core/logger.ts';
import { md, type Mrkdwn } from '../core/message.ts';
import { OUTCOME_GLYPHS } from './present/glyphs.ts';
import type { ChatMessage, ChatPort, MentionEvent, MessageRef } from './chat-port.ts';

/** What a command's `run` receives for one mention. */
export interface CommandContext {
  event: MentionEvent;
  /** Whitespace-separated words after the command name. */
  args: string[];
  /** The raw text after the command name, trimmed. */
  argText: string;
  chat: ChatPort;
  log: Logger;
  /** Posts in the event's thread. */
  reply(message: ChatMessage): Promise<MessageRef>;
}

/**
 * One mention command; `@opsbot help` is generated from these. Its help sentence is the catalogue's
 * `help.summary.<name>` (src/handlers/present/messages/lookup.ts), in the team's language; the
 * name, usage and examples are the words people type, the same in every language.
 */
export interface Command {
  name: string;
  aliases?: string[];
  /** e.g. `host <name|ip|pattern>` */
  usage: string;
  examples: string[];
  run(ctx: CommandContext): Promise<void>;
}

export interface CommandRegistry {
  find(word: string): Command | undefined;
  list(): readonly Command[];
  /** Adds a command a transport offers on its own (the shell's `alert replay`). */
  register(command: Command): void;
}

/** Builds the registry; duplicate names or aliases are a programming error caught at startup. */
export function createCommandRegistry(commands: Command[]): CommandRegistry {
  const byWord = new Map<string, Command>();
  const listed: Command[] = [];
  const register = (command: Command) => {
    const words = [command.name, ...(command.aliases ?? [])];
    for (const word of words) if (byWord.has(word.toLowerCase())) throw new Error(`duplicate command name or alias: ${word}`);
    for (const word of words) byWord.set(word.toLowerCase(), command);
    listed.push(command);
  };
  for (const command of commands) register(command);
  return {
    find: (word) => byWord.get(word.toLowerCase()),
    list: () => listed,
    register,
  };
}

/** A failure's sentence for a reply: the warning glyph in front, unless the sentence starts with a glyph of its own. */
export function warning(sentence: Mrkdwn): Mrkdwn {
  return /^:[a-z0-9_+-]+:/.test(sentence.text) ? sentence : md`${OUTCOME_GLYPHS.warning} ${sentence}`;
}
