import type { KnownBlock } from '@slack/types';
import type { Command, CommandRegistry } from './command-registry.ts';
import { escapeMrkdwn } from '../core/mrkdwn.ts';
import { code } from './lookup/format.ts';
import { linesToSections, section } from './lookup/limits.ts';

/**
 * `@opsbot help` (alias `?`): every registered command with its usage, summary and an example,
 * generated from the registry so it cannot go stale. `help <command>` shows one command in full.
 * Takes a getter because the help command is itself part of the registry it lists.
 */
export function createHelpCommand(registryGetter: () => CommandRegistry): Command {
  return {
    name: 'help',
    aliases: ['?'],
    usage: 'help [command]',
    summary: 'List the commands, or explain one',
    examples: ['help', 'help host'],
    async run(ctx) {
      const registry = registryGetter();
      const wanted = ctx.args[0];
      const one = wanted ? registry.find(wanted) : undefined;
      const commands: readonly Command[] = one ? [one] : registry.list();
      const line = (c: Command) =>
        `• ${code(c.usage)} — ${escapeMrkdwn(c.summary)}${c.examples.length ? `\n    e.g. ${(one ? c.examples : c.examples.slice(0, 1)).map((e) => code(`@opsbot ${e}`)).join(', ')}` : ''}`;
      const intro = wanted && !one ? `No command ${code(wanted)}. These are the commands:` : one ? `*${escapeMrkdwn(one.name)}*` : '*What I can do* (mention me in a channel or thread, or DM me):';
      const blocks: KnownBlock[] = [section(intro), ...linesToSections(commands.map(line))];
      const text = commands.map((c) => `${c.usage}: ${c.summary}${c.examples[0] ? ` (e.g. @opsbot ${c.examples[0]})` : ''}`).join('\n');
      await ctx.reply({ text, blocks });
    },
  };
}
