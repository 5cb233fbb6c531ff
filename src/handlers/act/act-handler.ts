import type { PermissionAction } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { code, md, type ChatMessage, type Mrkdwn } from '../../core/message.ts';
import type { ActNote, ActOutcome, AlertActor, AlertService } from '../../services/alerts/alert-service.ts';
import { ALERT_ACTIONS } from '../alerts/render-alert.ts';
import { OUTCOME_GLYPHS } from '../present/glyphs.ts';
import type { Presenter } from '../present/presenter.ts';
import type { PermissionCheck, PermissionRefusal } from '../../services/permissions/permissions.ts';
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
  /** The team's words and times. */
  present: Presenter;
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

/** What a press did, and what the presser is told. */
interface Told {
  kind: ActOutcome['kind'];
  said?: Mrkdwn;
}

/** Why the presser may not press that button (the configuration's `permissions`). */
export function refusalText(refusal: PermissionRefusal, present: Presenter): Mrkdwn {
  const words = { what: present.text(`alerts.permission.${refusal.action}`), key: code(`permissions.${refusal.action}`) };
  if (refusal.code === 'nobody_listed') return present.t('alerts.permission.nobody', words);
  return present.t(refusal.groupsUnknown ? 'alerts.permission.unchecked' : 'alerts.permission.notListed', words);
}

/** What the presser reads about an alert button's outcome. */
export function actNoteText(note: ActNote, present: Presenter): Mrkdwn {
  switch (note.code) {
    case 'gone':
      return present.t('alerts.act.gone');
    case 'already_closed':
      return present.t('alerts.act.alreadyClosed');
    case 'still_posting':
      return present.t('alerts.act.stillPosting');
    case 'already_acked':
      return present.t('alerts.act.alreadyOnIt', { name: note.by });
    case 'not_open':
      return present.t('alerts.act.notOpen');
    case 'acked_unedited':
      return present.t('alerts.act.onItUnedited');
    case 'no_working_period':
      return present.t('alerts.act.noWorkingPeriod');
    case 'already_snoozed':
      return present.t('alerts.act.alreadySnoozed', { time: present.time(note.until) });
    case 'snoozed':
      return present.t(note.edited ? 'alerts.act.snoozed' : 'alerts.act.snoozedUnedited', { time: present.time(note.until) });
    case 'close_disabled':
      return present.t('alerts.act.closeDisabled');
    case 'close_forbidden':
      return present.t('alerts.act.closeForbidden');
    case 'close_unknown':
      return present.t('alerts.act.closeUnknown');
    case 'close_failed':
      return note.status > 0 ? present.t('alerts.act.closeFailedStatus', { status: note.status }) : present.t('alerts.act.closeFailed');
    case 'closed_pending':
      return present.t('alerts.act.closedPending');
    case 'graph_shown':
      return present.t('alerts.act.graphShown');
    case 'no_post':
      return present.t('alerts.act.noPost');
    case 'no_answer':
      return present.t('alerts.act.noAnswer');
    case 'no_metric':
      return present.t('alerts.act.noMetric');
    case 'graph_unrendered':
      return present.t('alerts.act.graphUnrendered');
  }
}

/**
 * The buttons on alert posts and failed relay replies. The permission comes first: a refused
 * press is explained to the presser alone and changes nothing. Outcomes the post does not show
 * (a double press, a failure) are told to the presser alone too.
 */
export function createActHandler(options: ActHandlerOptions): ActHandler {
  const { alerts, relay, permissions, present, log } = options;
  const tell = (reply: PrivateReply, note: Mrkdwn | undefined) => (note ? reply({ text: note }) : Promise.resolve());
  // Alert buttons say what happened as data (worded here); a relay retry words its own note.
  const worded = (outcome: ActOutcome): Told => ({ kind: outcome.kind, ...(outcome.note ? { said: actNoteText(outcome.note, present) } : {}) });

  return async (press, chat, reply) => {
    const need = NEEDS[press.actionId];
    if (!need) return;
    const verdict = await permissions.check(need, press.user.id);
    if (!verdict.allowed) {
      log.info({ action: press.actionId, user: press.user.id, need }, 'button press refused by permissions');
      await reply({ text: md`${OUTCOME_GLYPHS.refused} ${refusalText(verdict.why, present)}` });
      return;
    }
    let outcome: Told;
    try {
      switch (press.actionId) {
        case ALERT_ACTIONS.ack:
          outcome = worded(await alerts.acknowledge(press.value, press.user));
          break;
        case ALERT_ACTIONS.snoozeHour:
        case ALERT_ACTIONS.snoozeWork:
          outcome = worded(await alerts.snooze(press.value, press.user, press.actionId === ALERT_ACTIONS.snoozeHour ? 'hour' : 'workday'));
          break;
        case ALERT_ACTIONS.graph:
          outcome = worded(await alerts.weekGraph(press.value, press.user));
          break;
        case ALERT_ACTIONS.close:
          outcome = worded(await alerts.closeInMackerel(press.value, press.user, present.text('alerts.closeReason', { name: press.user.name, id: press.user.id })));
          break;
        default: {
          const job = parseRetryValue(press.value);
          if (!job) outcome = { kind: 'failed', said: present.t('relay.retry.unreadable') };
          else {
            const retried = await relay.retry({ fileId: job.f, destination: job.d, byName: press.user.name }, chat);
            outcome = { kind: retried.kind === 'started' ? 'done' : retried.kind, ...(retried.note ? { said: retried.note } : {}) };
          }
        }
      }
    } catch (error) {
      log.error({ err: error, action: press.actionId }, 'button press failed');
      outcome = { kind: 'failed', said: present.error(error) };
    }
    log.info({ action: press.actionId, user: press.user.id, outcome: outcome.kind }, 'button pressed');
    await tell(reply, outcome.said);
  };
}
