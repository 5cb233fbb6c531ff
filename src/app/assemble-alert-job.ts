import type { ChatPort } from '../core/chat-port.ts';
import { createAlertPoster } from '../handlers/alerts/alert-poster.ts';
import type { Presenter } from '../handlers/present/presenter.ts';
import { createGraphLabels } from '../handlers/present/graph-labels.ts';
import {
  createAlertService as createLifecycleService,
  type AlertService as LifecycleService,
  type AlertServiceOptions as LifecycleServiceOptions,
} from '../services/alerts/alert-service.ts';
import { createGraphScheduler, safeRenderGraph, type GraphSpec } from '../services/graph/index.ts';

export type { ActOutcome, AlertActor, HandleOutcome } from '../services/alerts/alert-service.ts';

/** The alert service's options, with what its poster needs instead of a poster. */
export interface AlertServiceOptions extends Omit<LifecycleServiceOptions, 'poster' | 'graphLabels'> {
  /** Where posts go; may also be given to `start`. */
  chat?: ChatPort;
  /** Graph renderer (never throws; null = no graph); default `safeRenderGraph` with a 2 s bound. */
  render?: (spec: GraphSpec) => Promise<Buffer | null>;
  /** Graphs rendered at once: the render pool's size when `render` uses one; default 1. */
  renderConcurrency?: number;
  /** Posts carry Slack buttons (I'm on it, snooze, graph, and close when `closeAlert` is given). */
  buttons?: boolean;
  /** The team's words, numbers and times (its calendar's zone): posts, notes and buttons speak with it. */
  present: Presenter;
}

/** The alert service, posting through a chat poster. */
export interface AlertService extends Omit<LifecycleService, 'start'> {
  /** Starts polling and refreshing; posts go to `chat` when given. */
  start(chat?: ChatPort): void;
}

/**
 * Alerts wired together: the service (lifecycle, store, timers) hands its intents to a poster that
 * renders them and sends them through the chat port, drawing graphs through a graph scheduler.
 */
export function assembleAlertJob(options: AlertServiceOptions): AlertService {
  const { chat, render, renderConcurrency, buttons, present, ...rest } = options;
  const graphs = createGraphScheduler({
    render: render ?? ((spec: GraphSpec) => safeRenderGraph(spec, { timeoutMs: 2000, log: options.log })),
    ...(renderConcurrency !== undefined ? { slots: renderConcurrency } : {}),
  });
  const poster = createAlertPoster({
    ...(chat ? { chat } : {}),
    ...(options.config.mention ? { mention: options.config.mention } : {}),
    present,
    ...(buttons ? { buttons: { close: options.closeAlert !== undefined } } : {}),
    graphs,
    log: options.log,
  });
  const service = createLifecycleService({ ...rest, poster, graphLabels: createGraphLabels(present) });
  return {
    ...service,
    start(chatPort) {
      if (chatPort) poster.attach(chatPort);
      service.start();
    },
  };
}
