import type { ChatPort, MessageRef } from '../../core/chat-port.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { configuredMention, EMPTY, md, type Mrkdwn } from '../../core/message.ts';
import type { AlertIntent, AlertNote, AlertPoster, AlertView } from '../../services/alerts/alert-lifecycle.ts';
import type { GraphScheduler } from '../../services/graph/index.ts';
import { formatDuration } from '../../services/urgency/index.ts';
import { renderAlertMessage } from './render-alert.ts';

export interface AlertPosterOptions {
  /** Where posts go (through the outbox in Slack mode); may also be given later to `attach`. */
  chat?: ChatPort;
  /** Who to mention (`<!subteam^S…>`); nobody is mentioned without it. */
  mention?: string;
  /** Clock times on posts: the team calendar's zone. */
  timeZone: string;
  /** Posts carry Slack buttons (`close`: with "Close in Mackerel"). */
  buttons?: { close: boolean };
  /** When graphs are drawn (render slots, shared identical graphs, waiting for a burst's posts). */
  graphs: GraphScheduler;
  log: Logger;
}

export interface ChatAlertPoster extends AlertPoster {
  /** Posts go to this chat from now on. */
  attach(chat: ChatPort): void;
}

/** A thread reply's words. */
function noteText(note: AlertNote, mentionText: Mrkdwn): Mrkdwn {
  switch (note.kind) {
    case 'status':
      return md`${note.mention ? mentionText : EMPTY}${note.escalated ? md`:arrow_up: escalated` : md`:arrow_down: eased`}: ${note.from} → ${note.to} (${note.reason})`;
    case 'resolved': {
      const lasted = note.lastedSeconds !== null ? md` after ${formatDuration(note.lastedSeconds)}` : EMPTY;
      return md`:large_green_circle: resolved${lasted}${note.reason ? ` (${note.reason.slice(0, 500)})` : ''}`;
    }
    case 'moved': {
      const was = note.wasSecondsLeft === null ? 'not in sight' : `full in ${formatDuration(note.wasSecondsLeft)}`;
      const is = note.isSecondsLeft === null ? 'not in sight' : `full in ${formatDuration(note.isSecondsLeft)}`;
      return md`${note.mention ? mentionText : EMPTY}:hourglass_flowing_sand: forecast moved: ${is} (was ${was}); ${note.reason}`;
    }
  }
}

/** Alert intents into chat-port calls, each with the intent's outbox key; posts rendered by render-alert.ts. */
export function createAlertPoster(options: AlertPosterOptions): ChatAlertPoster {
  const { timeZone, buttons, graphs, log } = options;
  let chat = options.chat;
  const mentionText: Mrkdwn = options.mention ? md`${configuredMention(options.mention)} ` : EMPTY;
  const render = (view: AlertView) =>
    renderAlertMessage(view.ctx, {
      decision: view.decision,
      timeZone,
      now: view.now,
      ...(options.mention ? { mentionTarget: options.mention } : {}),
      ...(view.escalatedFrom ? { escalatedFrom: view.escalatedFrom } : {}),
      ...(view.resolved ? { resolved: view.resolved } : {}),
      ...(view.acts ? { acts: view.acts } : {}),
      ...(buttons ? { buttons } : {}),
    });
  const port = (): ChatPort => {
    if (!chat) throw new Error('the alert poster has no chat to post in');
    return chat;
  };

  async function attachGraph(intent: Extract<AlertIntent, { kind: 'graph' }>, ref: MessageRef): Promise<void> {
    if (!chat) return;
    const { spec, key, alertId } = intent;
    const png = await graphs.render(spec);
    try {
      if (png) {
        await chat.uploadImage(
          { channel: ref.channel, threadTs: ref.ts },
          { filename: `alert-${alertId}.png`, title: spec.title, altText: `${spec.title}: history and forecast`, data: png },
          { key },
        );
      } else {
        await chat.post({ channel: ref.channel, threadTs: ref.ts }, { text: md`:warning: the forecast graph could not be rendered (details in the bot log).` }, { key: `${key}:unrendered` });
      }
    } catch (error) {
      log.warn({ err: errorMessage(error), alertId }, 'could not attach the alert graph');
    }
  }

  return {
    get ready() {
      return chat !== undefined;
    },
    attach(chatPort) {
      chat = chatPort;
    },
    preparing: () => graphs.preparing(),
    async send(intents, where) {
      let ref: MessageRef | undefined = where.ts ? { channel: where.channel, ts: where.ts } : undefined;
      const post = () => {
        if (!ref) throw new Error('an alert intent needs the post, which does not exist yet');
        return ref;
      };
      for (const intent of intents) {
        switch (intent.kind) {
          case 'post':
            ref = await port().post({ channel: where.channel }, render(intent.view), { key: intent.key });
            break;
          case 'edit':
            await port().update(post(), render(intent.view));
            break;
          case 'note':
            await port().post({ channel: post().channel, threadTs: post().ts }, { text: noteText(intent.note, mentionText) }, { key: intent.key });
            break;
          case 'mention':
            await port().post({ channel: post().channel, threadTs: post().ts }, { text: md`${mentionText}:hourglass_flowing_sand: ${intent.reason}` }, { key: intent.key });
            break;
          case 'graph':
            await attachGraph(intent, post());
            break;
        }
      }
      return ref;
    },
    async askedGraph(where, graph) {
      const png = await graphs.render(graph.spec);
      if (!png) return false;
      await port().uploadImage(
        { channel: where.channel, threadTs: where.ts },
        {
          filename: `alert-${graph.alertId}-7d.png`,
          title: graph.spec.title,
          altText: `${graph.spec.title}: the last 7 days`,
          data: png,
          comment: md`7-day graph, asked for by ${graph.askedBy}`,
        },
        { key: graph.key },
      );
      return true;
    },
  };
}
