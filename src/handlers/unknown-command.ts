import { closestMatches } from '../services/inventory/edit-distance.ts';
import type { CommandContext, CommandRegistry } from './command-registry.ts';
import { code } from '../core/message.ts';
import { eitherOf } from './present/list.ts';
import type { Presenter } from './present/presenter.ts';

export interface UnknownCommandOptions {
  /** The registry whose names are suggested; a getter, as for help. */
  registry: () => CommandRegistry;
  /** The team's language. */
  present: Presenter;
}

/**
 * The dispatcher's `onUnknown`: a short hint instead of silence, naming the nearest command
 * when the word looks like a typo. An empty mention gets the pointer to `help`.
 */
export function createUnknownCommandHandler(options: UnknownCommandOptions): (ctx: CommandContext, word: string) => Promise<void> {
  const { present } = options;
  return async (ctx, word) => {
    if (!word) {
      await ctx.reply({ text: present.t('help.emptyMention') });
      return;
    }
    const names = options
      .registry()
      .list()
      .flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    const near = closestMatches(word, names, 2);
    const command = code(word);
    const text = near.length
      ? present.t('help.unknownCommand.didYouMean', {
          command,
          suggestions: eitherOf(
            near.map((n) => code(n)),
            present,
          ),
        })
      : present.t('help.unknownCommand', { command });
    await ctx.reply({ text });
  };
}
