import { configuredMention, EMPTY, md, type Mrkdwn } from '../../core/message.ts';
import { readFile } from 'node:fs/promises';
import type { Config } from '../../core/config.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { TaskTracker } from '../../core/task-tracker.ts';
import type { ChatPort } from '../../handlers/chat-port.ts';
import type { MackerelWebhookHandler } from '../../server/http-server.ts';
import { safeRenderGraph, type GraphSpec } from '../graph/index.ts';
import { decideMention, formatDuration, parseCalendar, type MentionDecision } from '../urgency/index.ts';
import { eventOnlyContext, loadAlertContext, type AlertContext } from './alert-context.ts';
import type { AlertDataSource } from './alert-data.ts';
import { fromRestAlert, readWebhookPayload, severity, type AlertEvent, type AlertStatus } from './alert-event.ts';
import { buildForecastGraphSpec } from './alert-graph.ts';
import type { AlertRecord, AlertRecordStore } from '../../core/state/types.ts';
import { listOpenAlerts, type OpenAlertSummary } from './open-alerts.ts';
import { renderAlertMessage } from './render-alert.ts';

export interface AlertServiceOptions {
  data: AlertDataSource;
  store: AlertRecordStore;
  /** Where posts go; may also be given to `start`. */
  chat?: ChatPort;
  config: Config['alerts'];
  log: Logger;
  /** Epoch seconds. */
  now: () => number;
  tasks: TaskTracker;
  /** Graph renderer (never throws; null = no graph); default `safeRenderGraph` with a 2 s bound. */
  render?: (spec: GraphSpec) => Promise<Buffer | null>;
  /** A `posting` claim older than this is taken over (its poster died); default 120 s. */
  claimTakeoverSeconds?: number;
  /** Graphs rendered at once: the render pool's size when `render` uses one; default 1. */
  renderConcurrency?: number;
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
}

/** What happened to one event; for logs, the webhook reply and tests. */
export type HandleOutcome = 'posted' | 'updated' | 'closed' | 'duplicate' | 'ignored' | 'failed';

export interface AlertService {
  /** Opens, escalates, de-escalates or closes the post of one alert. Events of one alert run in order. */
  handle(event: AlertEvent): Promise<HandleOutcome>;
  /** Reads open alerts once: new ones are posted, changed ones edited, vanished ones closed. */
  pollOnce(): Promise<void>;
  /** Re-forecasts open alerts; notes in the thread when the ETA moved materially. */
  refreshOnce(): Promise<void>;
  start(chat?: ChatPort): void;
  stop(): Promise<void>;
  webhookHandler: MackerelWebhookHandler;
  /** Open alerts with their ETA, soonest first. */
  listOpen(): Promise<OpenAlertSummary[]>;
  /** Reads a webhook payload (or REST alert) JSON file and handles it; returns what happened, in words. */
  replayFixture(path: string, options?: { channel?: string }): Promise<string>;
  /** Resolves when every accepted webhook event has been handled. */
  whenIdle(): Promise<void>;
  readonly data: AlertDataSource;
  readonly timeZone: string;
  /** The service's clock (epoch seconds). */
  readonly now: () => number;
}

// Graph specs of one host's alerts share the series array (see loadAlertContext); keying the
// dedupe by the array's identity avoids serialising hundreds of points per graph.
const seriesIds = new WeakMap<object, number>();
let lastSeriesId = 0;
function seriesId(series: object): number {
  let id = seriesIds.get(series);
  if (id === undefined) seriesIds.set(series, (id = ++lastSeriesId));
  return id;
}

/** A graph waits at most this long (ms, since it was asked for) for alerts still being posted. */
const RENDER_DEFER_MS = 1000;

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

/** Relative ETA change that deserves a thread note. */
const MATERIAL_CHANGE = 0.3;

/** Alert posts: one per alert, edited through its life, with a forecast graph in the thread. */
export function createAlertService(options: AlertServiceOptions): AlertService {
  const { data, store, config, log, now, tasks } = options;
  const calendar = parseCalendar(config.calendar);
  const timeZone = calendar.timezone;
  const policy = { mentionOnCritical: config.mentionOnCritical, marginMinutes: config.marginMinutes, urgentWithinMinutes: config.urgentWithinMinutes };
  const renderOne = options.render ?? ((spec: GraphSpec) => safeRenderGraph(spec, { timeoutMs: 2000, log }));
  // Drawing is CPU-bound: a bounded number at a time (one per render worker) keeps each render
  // short (the renderer's timeout starts when it is called), and renders wait while alerts are
  // being loaded and posted, so a burst's posts do not share the CPU with its graphs.
  const renderSlots = Math.max(1, Math.floor(options.renderConcurrency ?? 1));
  const renderWaiting: (() => void)[] = [];
  let rendering = 0;
  // Alerts of one host on one metric in one burst often draw the very same graph (same title,
  // series, forecast and thresholds): while one is queued or drawing, an identical request shares it.
  const sameGraphs = new Map<string, Promise<Buffer | null>>();
  const render = (spec: GraphSpec): Promise<Buffer | null> => {
    const key = JSON.stringify({ ...spec, series: seriesId(spec.series) });
    const pending = sameGraphs.get(key);
    if (pending) return pending;
    const png = renderNow(spec);
    sameGraphs.set(key, png);
    const forget = () => {
      if (sameGraphs.get(key) === png) sameGraphs.delete(key);
    };
    // Both ways, so this branch never rejects; the callers get png's own rejection.
    png.then(forget, forget);
    return png;
  };
  const renderNow = async (spec: GraphSpec): Promise<Buffer | null> => {
    const queuedAt = performance.now();
    if (rendering >= renderSlots) await new Promise<void>((resolve) => renderWaiting.push(resolve));
    else rendering++;
    try {
      await postsSettled(queuedAt);
      // A turn of the event loop between graphs: an in-process renderer draws synchronously, and
      // back-to-back renders chained on promises alone would hold the loop for the whole burst.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return await renderOne(spec);
    } catch {
      return null;
    } finally {
      // The slot passes straight to the next waiter, if any.
      const next = renderWaiting.shift();
      if (next) next();
      else rendering--;
    }
  };
  // Alerts between their claim and their post; graphs wait for them (at most RENDER_DEFER_MS).
  let preparingPosts = 0;
  const postsIdle: (() => void)[] = [];
  const postsSettled = (since: number): Promise<void> => {
    const left = since + RENDER_DEFER_MS - performance.now();
    if (preparingPosts === 0 || left <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const i = postsIdle.indexOf(done);
        if (i >= 0) postsIdle.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(done, left);
      postsIdle.push(done);
    });
  };
  const postPrepared = () => {
    if (--preparingPosts === 0) for (const done of postsIdle.slice()) done();
  };
  const takeover = options.claimTakeoverSeconds ?? 120;
  const contextDeadlineMs = options.contextDeadlineMs ?? 3000;
  let chat = options.chat;
  const chains = new Map<string, Promise<unknown>>();
  const pending = new Set<Promise<unknown>>();
  const timers: NodeJS.Timeout[] = [];
  let channelOverride: string | undefined;

  const decide = (ctx: AlertContext, status: AlertStatus): MentionDecision =>
    decideMention({ now: now(), status, forecast: ctx.forecast, calendar, policy });
  const view = (ctx: AlertContext, decision: MentionDecision, extra: { escalatedFrom?: AlertStatus; resolved?: { at: number } } = {}) =>
    renderAlertMessage(ctx, { decision, timeZone, now: now(), ...(config.mention ? { mentionTarget: config.mention } : {}), ...extra });
  const etaAt = (ctx: AlertContext) => (ctx.forecast && ctx.forecast.secondsToLimit !== null ? now() + ctx.forecast.secondsToLimit : null);
  const mentionText = (decision: MentionDecision): Mrkdwn => (decision.mention && config.mention ? md`${configuredMention(config.mention)} ` : EMPTY);

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

  async function postGraph(ctx: AlertContext, channel: string, ts: string, key: string): Promise<void> {
    if (!ctx.resource || !chat) return;
    const hostName = ctx.host?.name ?? ctx.event.hostName ?? ctx.event.hostId ?? 'host';
    const spec = buildForecastGraphSpec({ title: `${hostName} ${ctx.resource.pair.label} ${ctx.resource.unit === 'percent' ? 'used %' : 'used'}`, resource: ctx.resource, forecast: ctx.forecast, timeZone, now: now() });
    const png = await render(spec);
    try {
      if (png) {
        await chat.uploadImage({ channel, threadTs: ts }, { filename: `alert-${ctx.event.id}.png`, title: spec.title, altText: `${spec.title}: history and forecast`, data: png }, { key });
      } else {
        await chat.post({ channel, threadTs: ts }, { text: md`:warning: the forecast graph could not be rendered (details in the bot log).` }, { key: `${key}:unrendered` });
      }
    } catch (error) {
      log.warn({ err: errorMessage(error), alertId: ctx.event.id }, 'could not attach the alert graph');
    }
  }

  async function open(event: AlertEvent): Promise<HandleOutcome> {
    const channel = channelOverride ?? config.channel;
    if (!channel || !chat) {
      log.warn({ alertId: event.id }, 'alert not posted: alerts.channel is not configured');
      return 'ignored';
    }
    if (!(await store.claim(event.id, event.status, takeover))) return 'duplicate';
    let ctx: AlertContext;
    let ref;
    let decision: MentionDecision;
    // Degraded first: the post never waits on Mackerel longer than the deadline. Past it, the
    // alert is posted with what its event says, and the details are edited in when they arrive.
    const full = loadAlertContext(event, { data, now: now(), timeZone });
    let pending: Promise<AlertContext> | null = null;
    preparingPosts++;
    try {
      const early = await withinDeadline(full, contextDeadlineMs);
      if (early) ctx = early;
      else {
        pending = full;
        ctx = eventOnlyContext(event);
        log.warn({ alertId: event.id, deadlineMs: contextDeadlineMs }, 'alert details are late: posting without them, editing them in later');
      }
      decision = decide(ctx, event.status);
      ref = await chat.post({ channel }, view(ctx, decision), { key: `alert:${event.id}:post` });
    } catch (error) {
      await store.release(event.id);
      log.error({ err: errorMessage(error), alertId: event.id }, 'alert post failed; will retry on the next event or poll');
      return 'failed';
    } finally {
      postPrepared();
    }
    await store.markPosted(event.id, { channel: ref.channel, ts: ref.ts, status: event.status, hostId: ctx.event.hostId ?? null, mentioned: decision.mention, mentionCode: decision.code, etaAt: etaAt(ctx), hasForecast: ctx.forecast !== null });
    log.info({ alertId: event.id, status: event.status, mention: decision.code, problems: ctx.problems.length, degraded: pending !== null }, 'alert posted');
    if (pending) {
      ctx = await pending;
      const later = decide(ctx, event.status);
      await chat.update({ channel: ref.channel, ts: ref.ts }, view(ctx, later));
      // The forecast may make it urgent after all: then the mention goes into the thread.
      if (later.mention && !decision.mention) await chat.post({ channel: ref.channel, threadTs: ref.ts }, { text: md`${mentionText(later)}:hourglass_flowing_sand: ${later.reason}` }, { key: `alert:${event.id}:urgent-once-detailed` });
      await store.update(event.id, { mentioned: decision.mention || later.mention, mentionCode: later.code, etaAt: etaAt(ctx), hasForecast: ctx.forecast !== null });
      log.info({ alertId: event.id, mention: later.code, problems: ctx.problems.length }, 'alert details edited in');
    }
    await postGraph(ctx, ref.channel, ref.ts, `alert:${event.id}:graph`);
    return 'posted';
  }

  async function changeStatus(event: AlertEvent, record: AlertRecord): Promise<HandleOutcome> {
    const { channel, ts, status: previous, mentioned } = { channel: record.channel!, ts: record.ts!, status: record.status, mentioned: record.mentioned };
    const ctx = await loadAlertContext(event, { data, now: now(), timeZone });
    const decision = decide(ctx, event.status);
    const escalated = severity(event.status) > severity(previous);
    await chat!.update({ channel, ts }, view(ctx, decision, escalated ? { escalatedFrom: previous } : {}));
    const ping = escalated && decision.mention && !mentioned ? mentionText(decision) : EMPTY;
    // Keyed by the record's last change: a retry after a crash says it once; a later W→C→W→C says it again.
    await chat!.post({ channel, threadTs: ts }, { text: md`${ping}${escalated ? md`:arrow_up: escalated` : md`:arrow_down: eased`}: ${previous} → ${event.status} (${decision.reason})` }, { key: `alert:${event.id}:status:${previous}>${event.status}:${record.updatedAt ?? record.postedAt}` });
    await store.update(event.id, { status: event.status, mentioned: mentioned || decision.mention, mentionCode: decision.code, etaAt: etaAt(ctx) });
    return 'updated';
  }

  async function close(event: AlertEvent, record: AlertRecord): Promise<HandleOutcome> {
    const { channel, ts, status: lastStatus } = { channel: record.channel!, ts: record.ts!, status: record.status };
    const ctx = await loadAlertContext({ ...event, status: lastStatus }, { data, now: now(), timeZone, withForecast: false });
    const at = event.closedAt ?? now();
    const decision = decide(ctx, 'OK');
    await chat!.update({ channel, ts }, view(ctx, decision, { resolved: { at } }));
    // How long it lasted only when the opening time is known (an UNKNOWN alert may have none).
    const lasted = !ctx.event.openedAtUnknown && at >= ctx.event.openedAt ? md` after ${formatDuration(at - ctx.event.openedAt)}` : EMPTY;
    await chat!.post({ channel, threadTs: ts }, { text: md`:large_green_circle: resolved${lasted}${event.reason ? ` (${event.reason.slice(0, 500)})` : ''}` }, { key: `alert:${event.id}:closed` });
    await store.markClosed(event.id);
    return 'closed';
  }

  /**
   * An alert that closed while its record still says `posting`: the run that claimed it died
   * before recording its post, which the outbox may have sent (or still sends). Once the claim
   * can be taken over, the post is finished (its key finds the one already out, or posts it) and
   * then closed like any other, so it never stays open in the channel.
   */
  async function closeUnposted(event: AlertEvent, record: AlertRecord): Promise<HandleOutcome> {
    const opened = await open({ ...event, open: true, status: record.status });
    if (opened !== 'posted') return opened;
    const posted = await store.get(event.id);
    return posted?.state === 'posted' ? close(event, posted) : 'failed';
  }

  async function handleNow(event: AlertEvent): Promise<HandleOutcome> {
    try {
      const record = await store.get(event.id);
      if (event.open) {
        if (!record || record.state === 'posting') return await open(event);
        if (record.state === 'closed' || record.status === event.status) return 'duplicate';
        return await changeStatus(event, record);
      }
      if (record?.state === 'posting') return await closeUnposted(event, record);
      if (!record || record.state !== 'posted') return record ? 'duplicate' : 'ignored';
      return await close(event, record);
    } catch (error) {
      log.error({ err: errorMessage(error), alertId: event.id }, 'alert handling failed');
      return 'failed';
    }
  }

  const handle = (event: AlertEvent) =>
    serial(event.id, async () => {
      const outcome = await handleNow(event);
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
    const ctx = await loadAlertContext(event, { data, now: now(), timeZone });
    if (!ctx.forecast) return;
    const decision = decide(ctx, event.status);
    const next = etaAt(ctx);
    const prev = record.etaAt;
    const remaining = prev === null ? null : Math.max(3600, prev - now());
    const moved = (prev === null) !== (next === null) || (prev !== null && next !== null && Math.abs(next - prev) / remaining! > MATERIAL_CHANGE);
    const newlyUrgent = decision.mention && !record.mentioned;
    if (!moved && !newlyUrgent) return;
    await chat!.update({ channel: record.channel!, ts: record.ts! }, view(ctx, decision));
    const was = prev === null ? 'not in sight' : `full in ${formatDuration(Math.max(0, prev - now()))}`;
    const is = next === null ? 'not in sight' : `full in ${formatDuration(next - now())}`;
    const change = `${record.updatedAt ?? record.postedAt}`;
    await chat!.post({ channel: record.channel!, threadTs: record.ts! }, { text: md`${newlyUrgent ? mentionText(decision) : EMPTY}:hourglass_flowing_sand: forecast moved: ${is} (was ${was}); ${decision.reason}` }, { key: `alert:${alertId}:moved:${change}` });
    await store.update(alertId, { etaAt: next, mentioned: record.mentioned || decision.mention, mentionCode: decision.code });
    await postGraph(ctx, record.channel!, record.ts!, `alert:${alertId}:graph:${change}`);
  }

  const refreshOnce = async () => {
    await Promise.all((await store.listOpen()).map((r) => serial(r.alertId, () => refreshOne(r.alertId)).catch((error: unknown) => log.warn({ err: errorMessage(error), alertId: r.alertId }, 'forecast refresh failed'))));
  };

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
    data,
    timeZone,
    now,
    handle,
    pollOnce,
    refreshOnce,
    webhookHandler,
    start(chatPort) {
      if (chatPort) chat = chatPort;
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
    listOpen: () => listOpenAlerts({ data, store, now: now(), timeZone }),
    async replayFixture(path, replayOptions = {}) {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(path, 'utf8'));
      } catch (error) {
        return `cannot read fixture ${path}: ${errorMessage(error)}`;
      }
      const reading = readWebhookPayload(json, 'replay');
      const parsed = reading.kind === 'alert' ? reading.event : fromRestAlert(json, 'replay');
      const event = parsed && data.localize ? data.localize(parsed) : parsed;
      if (!event) return `not an alert fixture: ${reading.kind === 'alert' ? '' : reading.reason}`;
      channelOverride = replayOptions.channel && !config.channel ? replayOptions.channel : undefined;
      try {
        const outcome = await handle(event);
        return `alert ${event.id} (${event.status}${event.open ? '' : ', closed'}): ${outcome}`;
      } finally {
        channelOverride = undefined;
      }
    },
    async whenIdle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
