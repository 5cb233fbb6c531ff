import { OpsbotError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { InventoryCache, InventoryView } from '../../services/inventory/cache.ts';
import type { HostIndex } from '../../services/inventory/host-index.ts';
import { createLookup, type Lookup } from '../../services/lookup/lookup.ts';
import type { LookupResult } from '../../services/lookup/types.ts';
import { warning, type Command, type CommandContext } from '../command-registry.ts';
import type { Presenter } from '../present/presenter.ts';
import { renderLookupResult, type RenderContext } from './render.ts';

export interface LookupCommandsOptions {
  /** Only `get()` is used. */
  inventory: Pick<InventoryCache, 'get'>;
  lookup?: Lookup;
  log: Logger;
  /** The team's language and formatters. */
  present: Presenter;
  /** Epoch seconds (host ages). */
  now?: () => number;
  /** Hosts listed in full before "and N more". */
  maxListed?: number;
}

/**
 * The lookup commands: `host`, `hosts`, `role`, `roles`, `services`. Each answers in the
 * event's thread from the cached inventory; when there is no inventory at all it says why.
 */
export function createLookupCommands(options: LookupCommandsOptions): Command[] {
  const { inventory, log, present } = options;
  const lookup = options.lookup ?? createLookup();
  const now = options.now ?? (() => Date.now() / 1000);

  function command(spec: Omit<Command, 'run'>, query: (index: HostIndex, args: readonly string[]) => LookupResult): Command {
    return {
      ...spec,
      async run(ctx: CommandContext) {
        let view: InventoryView;
        try {
          view = await inventory.get();
        } catch (error) {
          (ctx.log ?? log).warn({ err: error }, 'inventory unavailable for a lookup');
          await ctx.reply({ text: warning(error instanceof OpsbotError ? present.error(error) : present.t('lookup.inventoryUnavailable')) });
          return;
        }
        const result = query(view.index, ctx.args);
        const render: RenderContext = {
          present,
          now: now(),
          origin: view.snapshot.origin,
          ageSeconds: view.ageSeconds,
          ...(view.snapshot.orgUrl ? { orgUrl: view.snapshot.orgUrl } : {}),
          ...(view.refreshError ? { refreshError: view.refreshError } : {}),
          ...(options.maxListed ? { maxListed: options.maxListed } : {}),
        };
        await ctx.reply(renderLookupResult(result, render));
      },
    };
  }

  return [
    command(
      {
        name: 'host',
        usage: 'host <name|id|ip|pattern>…',
        examples: ['host web-01', 'host 10.1.2.3', 'host web-*'],
      },
      (index, args) => lookup.host(index, args),
    ),
    command(
      {
        name: 'hosts',
        usage: 'hosts [service[:role]|pattern] [status…]',
        examples: ['hosts shop:web standby', 'hosts db-* working'],
      },
      (index, args) => lookup.hosts(index, args),
    ),
    command({ name: 'role', usage: 'role <service:role> [status…]', examples: ['role shop:web'] }, (index, args) => lookup.role(index, args)),
    command({ name: 'roles', usage: 'roles <service>', examples: ['roles shop'] }, (index, args) => lookup.roles(index, args)),
    command({ name: 'services', usage: 'services', examples: ['services'] }, (index) => lookup.services(index)),
  ];
}
