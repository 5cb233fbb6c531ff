import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { errorMessage } from '../../core/errors.ts';
import { md, plain } from '../../core/message.ts';
import type { AlertService } from '../../services/alerts/alert-service.ts';
import { DEMO_ALERTS_DIR, listDemoFixtures } from '../../services/alerts/demo-alert-data.ts';
import type { Command } from '../command-registry.ts';

export interface AlertReplayCommandOptions {
  /** Handles the replayed alert. */
  alerts: Pick<AlertService, 'replay'>;
  /** Where `alert replay NAME` looks for NAME.json; default `demo/alerts`. */
  fixturesDir?: string;
}

/**
 * `alert replay <fixture>`: a Mackerel webhook payload (a demo fixture name or a JSON file) handled
 * as if it had just arrived, posted in the conversation when alerts.channel is not set. It reads
 * the local disk, so only the local shell registers it.
 */
export function createAlertReplayCommand(options: AlertReplayCommandOptions): Command {
  const fixturesDir = options.fixturesDir ?? DEMO_ALERTS_DIR;
  const command: Command = {
    name: 'alert',
    usage: 'alert replay <fixture>',
    examples: ['alert replay db-01-disk-critical', 'alert replay ./captured-webhook.json'],
    async run(ctx) {
      const fail = (text: string) => ctx.reply({ text: md`:warning: ${text}` }).then(() => undefined);
      const [sub, name] = ctx.args;
      if (sub !== 'replay' || !name) {
        const fixtures = listDemoFixtures(fixturesDir);
        return fail(`usage: ${command.usage}${fixtures.length ? `\nfixtures: ${fixtures.join(', ')}` : ''}`);
      }
      const path = /[/\\]|\.json$/.test(name) ? (isAbsolute(name) ? name : resolve(name)) : join(fixturesDir, `${name}.json`);
      if (!existsSync(path)) return fail(`no fixture "${name}" (available: ${listDemoFixtures(fixturesDir).join(', ') || 'none'})`);
      let payload: unknown;
      try {
        payload = JSON.parse(await readFile(path, 'utf8'));
      } catch (error) {
        return void (await ctx.reply({ text: plain(`replayed ${name}: cannot read fixture ${path}: ${errorMessage(error)}`) }));
      }
      const outcome = await options.alerts.replay(payload, { channel: ctx.event.channel });
      await ctx.reply({ text: plain(`replayed ${name}: ${outcome}`) });
    },
  };
  return command;
}
