import type { ChatPort, MessageRef } from '../../core/chat-port.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { configuredMention, EMPTY, md, type Mrkdwn } from '../../core/message.ts';
import type { AlertIntent, AlertNote, AlertPoster, AlertView } from '../../services/alerts/alert-lifecycle.ts';
import type { GraphScheduler } from '../../services/graph/index.ts';
import type { Presenter } from '../present/presenter.ts';
import { closeReasonText, mentionReasonText, renderAlertMessage } from './render-alert.ts';

export interface AlertPosterOptions {
  /** Where posts go (through the outbox in Slack mode); may also be given later to `attach`. */
  chat?: ChatPort;
  /** Who to mention (`<!subteam^S…>`); nobody is mentioned without it. */
  mention?: string;
  /** The team's words, numbers and times (clock times in its calendar's zone). */
  present: Presenter;
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
export function noteText(note: AlertNote, mentionText: Mrkdwn, present: Presenter): Mrkdwn {
  switch (note.kind) {
    case 'status': {
      const words = { from: note.from, to: note.to, reason: mentionReasonText(note.reason, present) };
      return md`${note.mention ? mentionText : EMPTY}${note.escalated ? present.t('alerts.note.escalated', words) : present.t('alerts.note.eased', words)}`;
    }
    case 'resolved': {
      const resolved = note.lastedSeconds !== null ? present.t('alerts.note.resolvedAfter', { duration: present.duration(note.lastedSeconds) }) : present.t('alerts.note.resolved');
      const why = closeReasonText(note.reason?.slice(0, 500), undefined, present, { quoted: true });
      return md`${resolved}${why ? present.t('alerts.note.closeReason', { reason: why }) : EMPTY}`;
    }
    case 'moved': {
      const left = (seconds: number | null) => (seconds === null ? present.t('alerts.note.notInSight') : present.t('alerts.note.fullIn', { duration: present.duration(seconds) }));
      const moved = present.t('alerts.note.moved', { now: left(note.isSecondsLeft), was: left(note.wasSecondsLeft), reason: mentionReasonText(note.reason, present) });
      return md`${note.mention ? mentionText : EMPTY}${moved}`;
    }
  }
}

/** Alert intents into chat-port calls, each with the intent's outbox key; posts rendered by render-alert.ts. */
export function createAlertPoster(options: AlertPosterOptions): ChatAlertPoster {
  const { present, buttons, graphs, log } = options;
  let chat = options.chat;
  const mentionText: Mrkdwn = options.mention ? md`${configuredMention(options.mention)} ` : EMPTY;
  const render = (view: AlertView) =>
    renderAlertMessage(view.ctx, {
      present,
      decision: view.decision,
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
          { filename: `alert-${alertId}.png`, title: spec.title, altText: present.text('alerts.graph.altForecast', { title: spec.title }), data: png },
          { key },
        );
      } else {
        await chat.post({ channel: ref.channel, threadTs: ref.ts }, { text: present.t('alerts.note.graphUnrendered') }, { key: `${key}:unrendered` });
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
            await port().post({ channel: post().channel, threadTs: post().ts }, { text: noteText(intent.note, mentionText, present) }, { key: intent.key });
            break;
          case 'mention':
            await port().post(
              { channel: post().channel, threadTs: post().ts },
              { text: md`${mentionText}:hourglass_flowing_sand: ${mentionReasonText(intent.reason, present)}` },
              { key: intent.key },
            );
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
          altText: present.text('alerts.graph.altWeek', { title: graph.spec.title }),
          data: png,
          comment: present.t('alerts.graph.askedBy', { name: graph.askedBy }),
        },
        { key: graph.key },
      );
      return true;
    },
  };
}
