import type { Config } from '../../core/config.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { TaskTracker } from '../../core/task-tracker.ts';
import type { MessageRef } from '../../core/chat-port.ts';
import type { MackerelWebhookHandler } from '../../core/webhook.ts';
import type { GraphLabels, GraphSpec } from '../graph/index.ts';
import { nextWorkingPeriodStart, parseCalendar } from '../urgency/index.ts';
import { MackerelError } from '../mackerel/errors.ts';
import { eventOnlyContext, loadAlertContext, type AlertContext } from './alert-context.ts';
import type { AlertDataSource } from './alert-data.ts';
import { fromRestAlert, readWebhookPayload, type AlertEvent, type AlertStatus, type WebhookReason } from './alert-event.ts';
import { buildForecastGraphSpec, buildMetricGraphSpec } from './alert-graph.ts';
import type { AlertRecord, AlertRecordStore } from '../../core/state/types.ts';
import { listOpenAlerts, type OpenAlertSummary } from './open-alerts.ts';
import { advanceAlert, routeEvent, type AlertIntent, type AlertPoster, type AlertPostRef, type DecisionInputs, type LifecycleResult, type RecordChange } from './alert-lifecycle.ts';

export interface AlertServiceOptions {
  data: AlertDataSource;
  store: AlertRecordStore;
  /** Turns the lifecycle's intents into chat (src/handlers/alerts/alert-poster.ts). */
  poster: AlertPoster;
  /** The words of forecast graphs in the team's language (src/handlers/present/graph-labels.ts). */
  graphLabels: GraphLabels;
  config: Config['alerts'];
  log: Logger;
  /** Epoch seconds. */
  now: () => number;
  tasks: TaskTracker;
  /** A `posting` claim older than this is taken over (its poster died); default 120 s. */
  claimTakeoverSeconds?: number;
  /**
   * How long a new alert's post waits for its details from Mackerel (host, monitor, history,
   * forecast) before it is posted with what the alert itself says; the details are edited in
   * when they arrive. Default 3000 ms.
   */
  contextDeadlineMs?: number;
  /**
   * Several replicas: only the holder of the poller lease polls Mackerel and refreshes forecasts
   * (one poll per interval in all). Webhooks are handled by whichever replica receives them.
   * Default: this run always polls.
   */
  leader?: { isLeader(): boolean };
  /** Told what each event did (for metrics). */
  onOutcome?: (outcome: HandleOutcome) => void;
  /** Closes an alert in Mackerel (a write-enabled API key); shown as a button only when given. */
  closeAlert?: (alertId: string, reason: string) => Promise<void>;
}

/** Who pressed a button: the Slack user ID and the name shown on the post. */
export interface AlertActor {
  id: string;
  name: string;
}

/**
 * What the presser is told about a press, as data (the act handler words it). `until`: epoch
 * seconds; `edited`: whether the post could be redrawn; `status`: Mackerel's HTTP status, 0 for none.
 */
export type ActNote =
  | { code: 'gone' }
  | { code: 'already_closed' }
  | { code: 'still_posting' }
  | { code: 'already_acked'; by: string }
  | { code: 'not_open' }
  | { code: 'acked_unedited' }
  | { code: 'no_working_period' }
  | { code: 'already_snoozed'; until: number }
  | { code: 'snoozed'; until: number; edited: boolean }
  | { code: 'close_disabled' }
  | { code: 'close_forbidden' }
  | { code: 'close_unknown' }
  | { code: 'close_failed'; status: number }
  | { code: 'closed_pending' }
  | { code: 'graph_shown' }
  | { code: 'no_post' }
  | { code: 'no_answer' }
  | { code: 'no_metric' }
  | { code: 'graph_unrendered' };

/**
 * What a button press did. `done`: the post shows it (a `note` may still go to the presser);
 * `noop`: nothing to do (a double press, an alert already closed), `note` says why;
 * `failed`: nothing changed, `note` says why.
 */
export interface ActOutcome {
  kind: 'done' | 'noop' | 'failed';
  note?: ActNote;
}

/** What a replay did: the payload is no alert (`reason`: the parser's code; '' when none), or the alert and its outcome. */
export type ReplayOutcome = { kind: 'not-alert'; reason: WebhookReason | '' } | { kind: 'handled'; alertId: string; status: AlertStatus; open: boolean; outcome: HandleOutcome };

/** What happened to one event; for logs, the webhook reply and tests. */
export type HandleOutcome = 'posted' | 'updated' | 'closed' | 'duplicate' | 'ignored' | 'failed';

export interface AlertService {
  /** Opens, escalates, de-escalates or closes the post of one alert. Events of one alert run in order. */
  handle(event: AlertEvent): Promise<HandleOutcome>;
  /** Reads open alerts once: new ones are posted, changed ones edited, vanished ones closed. */
  pollOnce(): Promise<void>;
  /** Re-forecasts open alerts; notes in the thread when the ETA moved materially. */
  refreshOnce(): Promise<void>;
  /** Starts polling and refreshing (as the leader, when there is one). */
  start(): void;
  stop(): Promise<void>;
  webhookHandler: MackerelWebhookHandler;
  /** Open alerts with their ETA, soonest first. */
  listOpen(): Promise<OpenAlertSummary[]>;
  /**
   * Handles a webhook payload (or REST alert) as if it had just arrived; returns what happened.
   * `channel`: where it posts when `alerts.channel` is not set.
   */
  replay(payload: unknown, options?: { channel?: string }): Promise<ReplayOutcome>;
  /** Resolves when every accepted webhook event has been handled. */
  whenIdle(): Promise<void>;
  /** "I'm on it": the post shows who, and no further mentions for the alert. First press wins. */
  acknowledge(alertId: string, actor: AlertActor): Promise<ActOutcome>;
  /** Snoozes the alert's mentions for an hour, or until the next working period starts. */
  snooze(alertId: string, actor: AlertActor, span: 'hour' | 'workday'): Promise<ActOutcome>;
  /** Closes the alert in Mackerel with `reason` (naming the person, in the team's words); the post then resolves. */
  closeInMackerel(alertId: string, actor: AlertActor, reason: string): Promise<ActOutcome>;
  /** Uploads a 7-day graph of the alert's metric into the post's thread (once per 5 minutes). */
  weekGraph(alertId: string, actor: AlertActor): Promise<ActOutcome>;
  /** True when posts offer "Close in Mackerel". */
  readonly canClose: boolean;
}

/** The promise's value if it settles within `ms`, else null (the promise goes on). */
async function withinDeadline<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Alert posts: one per alert, edited through its life, with a forecast graph in the thread. */
export function createAlertService(options: AlertServiceOptions): AlertService {
  const { data, store, config, log, now, tasks } = options;
  const calendar = parseCalendar(config.calendar);
  const timeZone = calendar.timezone;
  const policy = { mentionOnCritical: config.mentionOnCritical, marginMinutes: config.marginMinutes, urgentWithinMinutes: config.urgentWithinMinutes };
  const takeover = options.claimTakeoverSeconds ?? 120;
  const contextDeadlineMs = options.contextDeadlineMs ?? 3000;
  const { poster } = options;
  const chains = new Map<string, Promise<unknown>>();
  const pending = new Set<Promise<unknown>>();
  const timers: NodeJS.Timeout[] = [];

  const inputs = (): DecisionInputs => ({ now: now(), calendar, policy, timeZone, graphLabels: options.graphLabels });
  const send = (intents: AlertIntent[], where: AlertPostRef) => poster.send(intents, where);
  const beforeStore = (intents: AlertIntent[]) => intents.filter((i) => i.kind !== 'graph');
  const afterStore = (intents: AlertIntent[]) => intents.filter((i) => i.kind === 'graph');

  async function storeChange(alertId: string, change: RecordChange | null): Promise<void> {
    if (change?.kind === 'update') await store.update(alertId, change.fields);
    else if (change?.kind === 'closed') await store.markClosed(alertId);
  }

  function serial<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = chains.get(id) ?? Promise.resolve();
    const next = previous.then(task, task);
    // The chain link the next task of this id waits for: never rejects, and forgets itself once
    // it is the last one (the caller gets `next`, with its rejection).
    const forget = () => {
      if (chains.get(id) === settled) chains.delete(id);
    };
    const settled: Promise<void> = next.then(forget, forget);
    chains.set(id, settled);
    return tasks.run(() => next);
  }

  /** `fallbackChannel`: where this event posts when `alerts.channel` is not set (a replay in the shell). */
  async function open(event: AlertEvent, fallbackChannel?: string): Promise<HandleOutcome> {
    const channel = config.channel || fallbackChannel;
    if (!channel || !poster.ready) {
      log.warn({ alertId: event.id }, 'alert not posted: alerts.channel is not configured');
      return 'ignored';
    }
    if (!(await store.claim(event.id, event.status, takeover))) return 'duplicate';
    let ctx: AlertContext;
    let ref: MessageRef;
    let opened: LifecycleResult;
    // Degraded first: the post never waits on Mackerel longer than the deadline. Past it, the
    // alert is posted with what its event says, and the details are edited in when they arrive.
    const full = loadAlertContext(event, { data, now: now() });
    let pending: Promise<AlertContext> | null = null;
    const prepared = poster.preparing();
    try {
      const early = await withinDeadline(full, contextDeadlineMs);
      if (early) ctx = early;
      else {
        pending = full;
        ctx = eventOnlyContext(event);
        log.warn({ alertId: event.id, deadlineMs: contextDeadlineMs }, 'alert details are late: posting without them, editing them in later');
      }
      opened = advanceAlert(null, { kind: 'open', event, degraded: pending !== null }, ctx, inputs());
      ref = (await send(beforeStore(opened.intents), { channel }))!;
    } catch (error) {
      await store.release(event.id);
      log.error({ err: errorMessage(error), alertId: event.id }, 'alert post failed; will retry on the next event or poll');
      return 'failed';
    } finally {
      prepared();
    }
    if (opened.record?.kind === 'posted') await store.markPosted(event.id, { channel: ref.channel, ts: ref.ts, ...opened.record.fields });
    log.info({ alertId: event.id, status: event.status, mention: opened.decision.code, problems: ctx.problems.length, degraded: pending !== null }, 'alert posted');
    if (pending) {
      ctx = await pending;
      // Someone may have pressed "I'm on it" meanwhile.
      const current = await store.get(event.id);
      const detailed = advanceAlert(current, { kind: 'detailed', event, postedMention: opened.decision.mention }, ctx, inputs());
      await send(beforeStore(detailed.intents), ref);
      await storeChange(event.id, detailed.record);
      log.info({ alertId: event.id, mention: detailed.decision.code, problems: ctx.problems.length }, 'alert details edited in');
      await send(afterStore(detailed.intents), ref);
    } else {
      await send(afterStore(opened.intents), ref);
    }
    return 'posted';
  }

  /** A status change or a close of a posted alert (`kind`), with the context loaded for it. */
  async function step(kind: 'change' | 'close', event: AlertEvent, record: AlertRecord): Promise<HandleOutcome> {
    const ref = { channel: record.channel!, ts: record.ts! };
    const ctx =
      kind === 'close' ? await loadAlertContext({ ...event, status: record.status }, { data, now: now(), withForecast: false }) : await loadAlertContext(event, { data, now: now() });
    const result = advanceAlert(record, { kind, event }, ctx, inputs());
    await send(beforeStore(result.intents), ref);
    await storeChange(event.id, result.record);
    await send(afterStore(result.intents), ref);
    return kind === 'close' ? 'closed' : 'updated';
  }

  /**
   * An alert that closed while its record still says `posting`: the run that claimed it died
   * before recording its post, which the outbox may have sent (or still sends). Once the claim
   * can be taken over, the post is finished (its key finds the one already out, or posts it) and
   * then closed like any other, so it never stays open in the channel.
   */
  async function closeUnposted(event: AlertEvent, record: AlertRecord, fallbackChannel?: string): Promise<HandleOutcome> {
    const opened = await open({ ...event, open: true, status: record.status }, fallbackChannel);
    if (opened !== 'posted') return opened;
    const posted = await store.get(event.id);
    return posted?.state === 'posted' ? step('close', event, posted) : 'failed';
  }

  async function handleNow(event: AlertEvent, fallbackChannel?: string): Promise<HandleOutcome> {
    try {
      const record = await store.get(event.id);
      switch (routeEvent(record, event)) {
        case 'open':
          return await open(event, fallbackChannel);
        case 'change':
          return await step('change', event, record!);
        case 'close':
          return await step('close', event, record!);
        case 'close-unposted':
          return await closeUnposted(event, record!, fallbackChannel);
        case 'duplicate':
          return 'duplicate';
        case 'ignored':
          return 'ignored';
      }
    } catch (error) {
      log.error({ err: errorMessage(error), alertId: event.id }, 'alert handling failed');
      return 'failed';
    }
  }

  const handle = (event: AlertEvent, fallbackChannel?: string) =>
    serial(event.id, async () => {
      const outcome = await handleNow(event, fallbackChannel);
      options.onOutcome?.(outcome);
      return outcome;
    });

  async function pollOnce(): Promise<void> {
    let alerts: AlertEvent[];
    try {
      alerts = await data.listOpenAlerts();
    } catch (error) {
      log.warn({ err: errorMessage(error) }, 'polling Mackerel alerts failed');
      return;
    }
    const seen = new Set(alerts.map((a) => a.id));
    // Posted alerts no longer open, and alerts a dead run claimed but never recorded as posted.
    // Alert groups exist only in webhooks (the alerts API lists alerts, not groups): not looked up here.
    const vanished = [...(await store.listOpen()), ...(await store.listPosting())].filter((r) => !seen.has(r.alertId) && !r.alertId.startsWith('group-'));
    await Promise.all([
      ...alerts.map((a) => handle(a)),
      ...vanished.map(async (r) => {
        const current = await data.getAlert(r.alertId).catch(() => null);
        if (current && !current.open) await handle(current);
      }),
    ]);
  }

  async function refreshOne(alertId: string): Promise<void> {
    const record = await store.get(alertId);
    if (!record || record.state !== 'posted' || !record.hasForecast) return;
    const event = await data.getAlert(alertId);
    if (!event) return;
    if (!event.open || event.status !== record.status) {
      await handleNow(event);
      return;
    }
    const ctx = await loadAlertContext(event, { data, now: now() });
    const result = advanceAlert(record, { kind: 'refresh', event }, ctx, inputs());
    if (result.intents.length === 0) return;
    const ref = { channel: record.channel!, ts: record.ts! };
    await send(beforeStore(result.intents), ref);
    await storeChange(alertId, result.record);
    await send(afterStore(result.intents), ref);
  }

  const refreshOnce = async () => {
    await Promise.all(
      (await store.listOpen()).map((r) =>
        serial(r.alertId, () => refreshOne(r.alertId)).catch((error: unknown) => log.warn({ err: errorMessage(error), alertId: r.alertId }, 'forecast refresh failed')),
      ),
    );
  };

  // -------------------------------------------------------------------------------------------
  // Acting from Slack: the buttons on the post. Each runs in the alert's chain, so it never
  // interleaves with an escalation or close of the same alert in this process.

  /** Edits an open alert's post after an act, from Mackerel's current view of it. */
  async function redraw(record: AlertRecord): Promise<boolean> {
    const event = await data.getAlert(record.alertId).catch((error: unknown) => {
      log.warn({ err: errorMessage(error), alertId: record.alertId }, 'could not read the alert to redraw its post');
      return null;
    });
    if (!event) return false;
    // Closed or changed meanwhile: the ordinary path shows that (with the act on it).
    if (!event.open || event.status !== record.status) return (await handleNow(event)) !== 'failed';
    const ctx = await loadAlertContext(event, { data, now: now() });
    await send(advanceAlert(record, { kind: 'redraw', event }, ctx, inputs()).intents, { channel: record.channel!, ts: record.ts! });
    return true;
  }

  const notOpen = (record: AlertRecord | null): ActOutcome | null => {
    if (!record) return { kind: 'noop', note: { code: 'gone' } };
    if (record.state === 'closed') return { kind: 'noop', note: { code: 'already_closed' } };
    if (record.state !== 'posted') return { kind: 'noop', note: { code: 'still_posting' } };
    return null;
  };

  const acknowledge = (alertId: string, actor: AlertActor) =>
    serial(alertId, async (): Promise<ActOutcome> => {
      const record = await store.get(alertId);
      const closed = notOpen(record);
      if (closed) return closed;
      if (!(await store.acknowledge(alertId, actor))) {
        const current = await store.get(alertId);
        return { kind: 'noop', note: current?.ackedByName ? { code: 'already_acked', by: current.ackedByName } : { code: 'not_open' } };
      }
      log.info({ alertId, user: actor.id }, 'alert acknowledged from Slack');
      const updated = (await store.get(alertId))!;
      if (!(await redraw(updated))) return { kind: 'done', note: { code: 'acked_unedited' } };
      return { kind: 'done' };
    });

  const snooze = (alertId: string, actor: AlertActor, span: 'hour' | 'workday') =>
    serial(alertId, async (): Promise<ActOutcome> => {
      const record = await store.get(alertId);
      const closed = notOpen(record);
      if (closed) return closed;
      let until: number;
      try {
        until = span === 'hour' ? now() + 3600 : nextWorkingPeriodStart(now(), calendar).toSeconds();
      } catch {
        return { kind: 'failed', note: { code: 'no_working_period' } };
      }
      if (!(await store.snooze(alertId, until, actor.name))) return { kind: 'noop', note: { code: 'already_snoozed', until: record!.snoozedUntil ?? until } };
      log.info({ alertId, user: actor.id, until }, 'alert mentions snoozed from Slack');
      const updated = (await store.get(alertId))!;
      const edited = await redraw(updated);
      return { kind: 'done', note: { code: 'snoozed', until, edited } };
    });

  const closeInMackerel = (alertId: string, actor: AlertActor, reason: string) =>
    serial(alertId, async (): Promise<ActOutcome> => {
      if (!options.closeAlert) return { kind: 'failed', note: { code: 'close_disabled' } };
      const record = await store.get(alertId);
      const closed = notOpen(record);
      if (closed) return closed;
      try {
        await options.closeAlert(alertId, reason);
      } catch (error) {
        log.warn({ err: errorMessage(error), alertId, user: actor.id }, 'closing the alert in Mackerel failed');
        const status = error instanceof MackerelError ? error.status : 0;
        if (status === 403) return { kind: 'failed', note: { code: 'close_forbidden' } };
        if (status === 404) return { kind: 'failed', note: { code: 'close_unknown' } };
        return { kind: 'failed', note: { code: 'close_failed', status } };
      }
      log.info({ alertId, user: actor.id }, 'alert closed in Mackerel from Slack');
      const event = await data.getAlert(alertId).catch(() => null);
      const closedEvent = event && !event.open ? event : null;
      if (closedEvent) await handleNow(closedEvent);
      return closedEvent ? { kind: 'done' } : { kind: 'done', note: { code: 'closed_pending' } };
    });

  /** Graphs being made, by key: a second press while one is drawn shares it. */
  const weekGraphs = new Map<string, Promise<ActOutcome>>();
  const weekGraph = (alertId: string, actor: AlertActor): Promise<ActOutcome> => {
    const key = `alert:${alertId}:week-graph:${Math.floor(now() / 300)}`;
    const running = weekGraphs.get(key);
    if (running) return running.then(() => ({ kind: 'noop', note: { code: 'graph_shown' } }));
    const made = tasks.run(() => makeWeekGraph(alertId, actor, key));
    weekGraphs.set(key, made);
    // Forgotten after its 5-minute bucket: the outbox key keeps later presses in it to one upload.
    made.finally(() => setTimeout(() => weekGraphs.delete(key), 300_000).unref()).catch(() => undefined);
    return made;
  };

  async function makeWeekGraph(alertId: string, actor: AlertActor, key: string): Promise<ActOutcome> {
    const record = await store.get(alertId);
    if (!record?.channel || !record.ts) return { kind: 'noop', note: { code: 'no_post' } };
    const event = await data.getAlert(alertId).catch(() => null);
    if (!event) return { kind: 'failed', note: { code: 'no_answer' } };
    const ctx = await loadAlertContext(event, { data, now: now() });
    const hostId = ctx.host?.id ?? event.hostId;
    const hostName = ctx.host?.name ?? event.hostName ?? hostId ?? 'host';
    let spec: GraphSpec | null = null;
    if (ctx.resource) {
      spec = buildForecastGraphSpec({ host: hostName, resource: ctx.resource, forecast: ctx.forecast, labels: options.graphLabels, timeZone, now: now(), historySeconds: 7 * 86400 });
    } else {
      const metric = ctx.monitor?.metric;
      const names = hostId && metric ? await data.metricNames(hostId).catch(() => [] as string[]) : [];
      if (hostId && metric && names.includes(metric)) {
        const series = await data.metricHistory(hostId, metric, { now: now(), spanSeconds: 7 * 86400, fineSeconds: 6 * 3600 }).catch(() => null);
        if (series && series.length > 0) spec = buildMetricGraphSpec({ host: hostName, metric, series, labels: options.graphLabels, timeZone, now: now(), historySeconds: 7 * 86400 });
      }
    }
    if (!spec) return { kind: 'failed', note: { code: 'no_metric' } };
    if (!(await poster.askedGraph({ channel: record.channel, ts: record.ts }, { key, alertId, spec, askedBy: actor.name }))) return { kind: 'failed', note: { code: 'graph_unrendered' } };
    return { kind: 'done' };
  }

  /** Runs `p` in the background: stop() and whenIdle() wait for it, and a rejection is logged, not lost. */
  const background = (p: Promise<unknown>, what: string): void => {
    const done: Promise<void> = p
      .then(
        () => undefined,
        (error: unknown) => log.error({ err: errorMessage(error) }, `${what} failed`),
      )
      .finally(() => pending.delete(done));
    pending.add(done);
  };

  const webhookHandler: MackerelWebhookHandler = async (payload) => {
    const reading = readWebhookPayload(payload);
    if (reading.kind === 'invalid') return { status: 400, message: reading.reason };
    if (reading.kind === 'ignored') return { status: 200, message: `ignored: ${reading.reason}` };
    // Answer at once; Mackerel's webhook timeout is not documented.
    background(handle(reading.event), 'alert handling');
    return { status: 202, message: `accepted alert ${reading.event.id}` };
  };

  return {
    handle: (event) => handle(event),
    pollOnce,
    refreshOnce,
    webhookHandler,
    start() {
      const leads = () => options.leader?.isLeader() ?? true;
      const every = (seconds: number, task: () => Promise<void>, what: string) => {
        const timer = setInterval(() => {
          if (leads()) background(tasks.run(task), what);
        }, seconds * 1000);
        timer.unref();
        timers.push(timer);
      };
      if (config.pollSeconds > 0) {
        if (leads()) background(tasks.run(pollOnce), 'alert poll');
        every(config.pollSeconds, pollOnce, 'alert poll');
      }
      if (config.refreshMinutes > 0) every(config.refreshMinutes * 60, refreshOnce, 'forecast refresh');
    },
    async stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
      await Promise.allSettled([...pending]);
    },
    listOpen: () => listOpenAlerts({ data, store, now: now() }),
    acknowledge,
    snooze,
    closeInMackerel,
    weekGraph,
    canClose: options.closeAlert !== undefined,
    async replay(payload, replayOptions = {}) {
      const reading = readWebhookPayload(payload, 'replay');
      const parsed = reading.kind === 'alert' ? reading.event : fromRestAlert(payload, 'replay');
      const event = parsed && data.localize ? data.localize(parsed) : parsed;
      if (!event) return { kind: 'not-alert', reason: reading.kind === 'alert' ? '' : reading.reason };
      const outcome = await handle(event, replayOptions.channel);
      return { kind: 'handled', alertId: event.id, status: event.status, open: event.open, outcome };
    },
    async whenIdle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
