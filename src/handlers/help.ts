import type { Command, CommandRegistry } from './command-registry.ts';
import { code, joinMd, linesToSections, md, plain, section } from '../core/message.ts';

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
        md`• ${code(c.usage)} — ${c.summary}${
          c.examples.length
            ? md`\n    e.g. ${joinMd(
                (one ? c.examples : c.examples.slice(0, 1)).map((e) => code(`@opsbot ${e}`)),
                ', ',
              )}`
            : ''
        }`;
      const intro = wanted && !one ? md`No command ${code(wanted)}. These are the commands:` : one ? md`*${one.name}*` : md`*What I can do* (mention me in a channel or thread, or DM me):`;
      const blocks = [section(intro), ...linesToSections(commands.map(line))];
      const text = plain(commands.map((c) => `${c.usage}: ${c.summary}${c.examples[0] ? ` (e.g. @opsbot ${c.examples[0]})` : ''}`).join('\n'));
      await ctx.reply({ text, blocks });
    },
  };
}
