import { closestMatches } from '../services/inventory/edit-distance.ts';
import type { CommandContext, CommandRegistry } from './command-registry.ts';
import { code, joinMd, md } from '../core/message.ts';

/**
 * The dispatcher's `onUnknown`: a short hint instead of silence, naming the nearest command
 * when the word looks like a typo. An empty mention gets the pointer to `help`.
 */
export function createUnknownCommandHandler(registryGetter: () => CommandRegistry): (ctx: CommandContext, word: string) => Promise<void> {
  return async (ctx, word) => {
    if (!word) {
      await ctx.reply({ text: md`Hi! Try \`@opsbot help\` to see what I can do.` });
      return;
    }
    const names = registryGetter()
      .list()
      .flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    const near = closestMatches(word, names, 2);
    const guess = near.length
      ? md` Did you mean ${joinMd(
          near.map((n) => code(n)),
          ' or ',
        )}?`
      : '';
    await ctx.reply({ text: md`I don't know the command ${code(word)}.${guess} Try \`@opsbot help\` for the list.` });
  };
}
