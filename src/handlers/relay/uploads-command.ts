import type { Command } from '../command-registry.ts';
import type { RelayStore } from '../../core/state/types.ts';
import type { Presenter } from '../present/presenter.ts';
import { renderUploadsList } from './render-relay.ts';

/** `@opsbot uploads [N]`: the recent relays of this channel from the audit log. */
export function createUploadsCommand(options: { relays: Pick<RelayStore, 'recent'>; present: Presenter; defaultLimit?: number }): Command {
  return {
    name: 'uploads',
    usage: 'uploads [count]',
    examples: ['uploads', 'uploads 20'],
    async run(ctx) {
      const requested = Number.parseInt(ctx.args[0] ?? '', 10);
      const limit = Number.isInteger(requested) && requested > 0 ? Math.min(requested, 25) : (options.defaultLimit ?? 10);
      await ctx.reply(renderUploadsList(options.present, await options.relays.recent(ctx.event.channel, limit), ctx.event.channel));
    },
  };
}
