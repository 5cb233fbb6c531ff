import type { Command, CommandRegistry } from './command-registry.ts';
import { bold, code, joinMd, linesToSections, md, section, type Mrkdwn } from '../core/message.ts';
import { en as catalogue, type MessageKey } from './present/messages/index.ts';
import type { Presenter } from './present/presenter.ts';
import { listOf } from './present/list.ts';

export interface HelpCommandOptions {
  /** The registry to list; a getter, because the help command is itself part of it. */
  registry: () => CommandRegistry;
  /** The team's language. */
  present: Presenter;
}

/** The catalogue key of a command's help sentence. */
export type SummaryKey = Extract<MessageKey, `help.summary.${string}`>;

/** `help.summary.<name>` when the catalogue has it. */
export function summaryKey(commandName: string): SummaryKey | undefined {
  const key = `help.summary.${commandName}`;
  return Object.hasOwn(catalogue, key) ? (key as SummaryKey) : undefined;
}

/**
 * `@opsbot help` (alias `?`): every registered command with its usage, its help sentence from the
 * catalogue (in the team's language) and an example, generated from the registry so it cannot go
 * stale. `help <command>` shows one command in full. Command names, usages and examples stay the
 * words people type.
 */
export function createHelpCommand(options: HelpCommandOptions): Command {
  const { present } = options;
  const summary = (c: Command): Mrkdwn | undefined => {
    const key = summaryKey(c.name);
    return key ? present.t(key) : undefined;
  };
  return {
    name: 'help',
    aliases: ['?'],
    usage: 'help [command]',
    examples: ['help', 'help host'],
    async run(ctx) {
      const registry = options.registry();
      const wanted = ctx.args[0];
      const one = wanted ? registry.find(wanted) : undefined;
      const commands: readonly Command[] = one ? [one] : registry.list();
      const line = (c: Command) => {
        const about = summary(c);
        const examples = (one ? c.examples : c.examples.slice(0, 1)).map((e) => code(`@opsbot ${e}`));
        const example = examples.length ? md`\n    ${present.t('help.example', { examples: listOf(examples, present) })}` : '';
        return md`• ${code(c.usage)}${about ? md` — ${about}` : ''}${example}`;
      };
      const intro = wanted && !one ? present.t('help.unknown', { command: code(wanted) }) : one ? bold(one.name) : present.t('help.intro');
      const blocks = [section(intro), ...linesToSections(commands.map(line))];
      const text = joinMd(
        commands.map((c) => {
          const about = summary(c);
          const usage = md`${c.usage}${about ? md`: ${about}` : ''}`;
          return c.examples[0] ? present.t('common.aside', { text: usage, note: present.t('help.example', { examples: `@opsbot ${c.examples[0]}` }) }) : usage;
        }),
        '\n',
      );
      await ctx.reply({ text, blocks });
    },
  };
}
