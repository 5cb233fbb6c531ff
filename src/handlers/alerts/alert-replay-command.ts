import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { code, md, type Mrkdwn } from '../../core/message.ts';
import type { WebhookReason } from '../../services/alerts/alert-event.ts';
import type { AlertService, HandleOutcome, ReplayOutcome } from '../../services/alerts/alert-service.ts';
import { DEMO_ALERTS_DIR, listDemoFixtures } from '../../services/alerts/demo-alert-data.ts';
import type { Command } from '../command-registry.ts';
import type { Presenter } from '../present/presenter.ts';
import { listOf } from '../present/list.ts';

export interface AlertReplayCommandOptions {
  /** Handles the replayed alert. */
  alerts: Pick<AlertService, 'replay'>;
  /** The team's words. */
  present: Presenter;
  /** Where `alert replay NAME` looks for NAME.json; default `demo/alerts`. */
  fixturesDir?: string;
}

const OUTCOME_KEYS = {
  posted: 'alerts.replay.posted',
  updated: 'alerts.replay.updated',
  closed: 'alerts.replay.closed',
  duplicate: 'alerts.replay.duplicate',
  ignored: 'alerts.replay.ignored',
  failed: 'alerts.replay.failed',
} as const satisfies Record<HandleOutcome, string>;

const REASON_KEYS = {
  notObject: 'alerts.replay.reason.notObject',
  noEvent: 'alerts.replay.reason.noEvent',
  sample: 'alerts.replay.reason.sample',
  otherEvent: 'alerts.replay.reason.otherEvent',
  noAlert: 'alerts.replay.reason.noAlert',
  badAlertId: 'alerts.replay.reason.badAlertId',
  badAlertStatus: 'alerts.replay.reason.badAlertStatus',
  noAlertTime: 'alerts.replay.reason.noAlertTime',
  noGroup: 'alerts.replay.reason.noGroup',
  badGroupId: 'alerts.replay.reason.badGroupId',
  badGroupStatus: 'alerts.replay.reason.badGroupStatus',
} as const satisfies Record<WebhookReason, string>;

/** What a replay did, in the team's words. */
export function replayText(name: string, outcome: ReplayOutcome, present: Presenter): Mrkdwn {
  if (outcome.kind === 'not-alert') {
    const reason = present.t(outcome.reason === '' ? 'alerts.replay.reason.none' : REASON_KEYS[outcome.reason]);
    return present.t('alerts.replay.notAlert', { name: code(name), reason });
  }
  const words = { name: code(name), id: outcome.alertId, status: outcome.status, outcome: present.t(OUTCOME_KEYS[outcome.outcome]) };
  return outcome.open ? present.t('alerts.replay.done', words) : present.t('alerts.replay.doneClosed', words);
}

/**
 * `alert replay <fixture>`: a Mackerel webhook payload (a demo fixture name or a JSON file) handled
 * as if it had just arrived, posted in the conversation when alerts.channel is not set. It reads
 * the local disk, so only the local shell registers it.
 */
export function createAlertReplayCommand(options: AlertReplayCommandOptions): Command {
  const { present } = options;
  const fixturesDir = options.fixturesDir ?? DEMO_ALERTS_DIR;
  const names = () => {
    const fixtures = listDemoFixtures(fixturesDir);
    return fixtures.length
      ? listOf(
          fixtures.map((f) => code(f)),
          present,
        )
      : present.t('alerts.replay.none');
  };
  const command: Command = {
    name: 'alert',
    usage: 'alert replay <fixture>',
    examples: ['alert replay db-01-disk-critical', 'alert replay ./captured-webhook.json'],
    async run(ctx) {
      const say = (text: Mrkdwn) => ctx.reply({ text }).then(() => undefined);
      const [sub, name] = ctx.args;
      if (sub !== 'replay' || !name) {
        const usage = present.t('alerts.cmd.usage', { usage: command.usage });
        return say(listDemoFixtures(fixturesDir).length ? md`${usage}\n${present.t('alerts.replay.fixtures', { names: names() })}` : usage);
      }
      const path = /[/\\]|\.json$/.test(name) ? (isAbsolute(name) ? name : resolve(name)) : join(fixturesDir, `${name}.json`);
      if (!existsSync(path)) return say(present.t('alerts.replay.noFixture', { name: code(name), names: names() }));
      let payload: unknown;
      try {
        payload = JSON.parse(await readFile(path, 'utf8'));
      } catch (error) {
        ctx.log.warn({ err: error, path }, 'an alert fixture could not be read');
        return say(present.t('alerts.replay.unreadable', { name: code(name), path: code(path) }));
      }
      const outcome = await options.alerts.replay(payload, { channel: ctx.event.channel });
      await say(replayText(name, outcome, present));
    },
  };
  return command;
}
