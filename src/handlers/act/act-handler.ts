import type { PermissionAction } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { md, plain, type ChatMessage } from '../../core/message.ts';
import type { ActOutcome, AlertActor, AlertService } from '../../services/alerts/alert-service.ts';
import { ALERT_ACTIONS } from '../alerts/render-alert.ts';
import type { PermissionCheck } from '../../services/permissions/permissions.ts';
import type { ChatPort } from '../chat-port.ts';
import type { FileShareHandler } from '../relay/file-share-handler.ts';
import { parseRetryValue, RELAY_RETRY_ACTION } from '../relay/render-relay.ts';

/** A button press on one of opsbot's messages, platform-neutral. */
export interface ActionPress {
  actionId: string;
  value: string;
  user: AlertActor;
  channel: string;
  /** The message the button is on. */
  messageTs: string;
}

/** Says something to the person who pressed, and to nobody else (Slack: an ephemeral message). */
export type PrivateReply = (message: ChatMessage) => Promise<void>;

export type ActHandler = (press: ActionPress, chat: ChatPort, reply: PrivateReply) => Promise<void>;

export interface ActHandlerOptions {
  alerts: AlertService;
  relay: Pick<FileShareHandler, 'retry'>;
  permissions: PermissionCheck;
  log: Logger;
}

const NEEDS: Record<string, PermissionAction> = {
  [ALERT_ACTIONS.ack]: 'acknowledge',
  [ALERT_ACTIONS.snoozeHour]: 'snooze',
  [ALERT_ACTIONS.snoozeWork]: 'snooze',
  [ALERT_ACTIONS.graph]: 'graph',
  [ALERT_ACTIONS.close]: 'closeAlert',
  [RELAY_RETRY_ACTION]: 'retryRelay',
};

/** True for the action IDs this handler answers. */
export const isOpsbotAction = (actionId: string): boolean => Object.hasOwn(NEEDS, actionId);

/**
 * The buttons on alert posts and failed relay replies. The permission comes first: a refused
 * press is explained to the presser alone and changes nothing. Outcomes the post does not show
 * (a double press, a failure) are told to the presser alone too.
 */
export function createActHandler(options: ActHandlerOptions): ActHandler {
  const { alerts, relay, permissions, log } = options;
  const tell = (reply: PrivateReply, note: string | undefined) => (note ? reply({ text: plain(note) }) : Promise.resolve());

  return async (press, chat, reply) => {
    const need = NEEDS[press.actionId];
    if (!need) return;
    const verdict = await permissions.check(need, press.user.id);
    if (!verdict.allowed) {
      log.info({ action: press.actionId, user: press.user.id, need }, 'button press refused by permissions');
      await reply({ text: md`:no_entry: ${verdict.why}` });
      return;
    }
    let outcome: ActOutcome;
    try {
      switch (press.actionId) {
        case ALERT_ACTIONS.ack:
          outcome = await alerts.acknowledge(press.value, press.user);
          break;
        case ALERT_ACTIONS.snoozeHour:
        case ALERT_ACTIONS.snoozeWork:
          outcome = await alerts.snooze(press.value, press.user, press.actionId === ALERT_ACTIONS.snoozeHour ? 'hour' : 'workday');
          break;
        case ALERT_ACTIONS.graph:
          outcome = await alerts.weekGraph(press.value, press.user);
          break;
        case ALERT_ACTIONS.close:
          outcome = await alerts.closeInMackerel(press.value, press.user);
          break;
        default: {
          const job = parseRetryValue(press.value);
          if (!job) outcome = { kind: 'failed', note: 'That Retry button is not one opsbot can read. Please share the file again.' };
          else {
            const retried = await relay.retry({ fileId: job.f, destination: job.d, byName: press.user.name }, chat);
            outcome = { kind: retried.kind === 'started' ? 'done' : retried.kind, ...(retried.note ? { note: retried.note } : {}) };
          }
        }
      }
    } catch (error) {
      log.error({ err: error, action: press.actionId }, 'button press failed');
      outcome = { kind: 'failed', note: 'Something went wrong while handling that button. The details are in the bot log.' };
    }
    log.info({ action: press.actionId, user: press.user.id, outcome: outcome.kind }, 'button pressed');
    await tell(reply, outcome.note);
  };
}
