import type { MessageRef } from '../../core/chat-port.ts';
import type { AlertRecord } from '../../core/state/types.ts';
import type { GraphLabels, GraphSpec } from '../graph/index.ts';
import { decideMention, type MentionDecision, type MentionPolicy, type MentionReason, type TeamCalendar } from '../urgency/index.ts';
import type { AlertContext } from './alert-context.ts';
import { severity, type AlertEvent, type AlertStatus } from './alert-event.ts';
import { buildForecastGraphSpec } from './alert-graph.ts';

/**
 * The alert lifecycle, pure: given the alert's record, what happened and what is known about the
 * alert, it says what the record becomes and what should appear in chat (intents: data, no I/O).
 * The service loads the context, runs a step, stores the record change and hands the intents to
 * a poster (src/handlers/alerts/alert-poster.ts), which words, renders and sends them. Outbox
 * keys are decided here, so a retried step sends each effect once.
 */

/** What people did from Slack, as an alert post shows it. */
export interface AlertActs {
  ackedByName?: string | null;
  ackedAt?: number | null;
  snoozedUntil?: number | null;
  snoozedByName?: string | null;
}

/** True when mentions for the alert are held back: someone is on it, or they are snoozed. */
export function mentionsSilenced(acts: AlertActs | undefined, now: number): boolean {
  return Boolean(acts?.ackedByName) || (acts?.snoozedUntil ?? 0) > now;
}

/** The acts recorded on an alert's record, as a post shows them. */
export function actsOf(record: AlertRecord | null | undefined): AlertActs | undefined {
  return record ? { ackedByName: record.ackedByName, ackedAt: record.ackedAt, snoozedUntil: record.snoozedUntil, snoozedByName: record.snoozedByName } : undefined;
}

/** One rendering of the alert's post: what the renderer needs besides the poster's settings. */
export interface AlertView {
  ctx: AlertContext;
  decision: MentionDecision;
  /** Epoch seconds the view is drawn at. */
  now: number;
  /** Set when the status rose since the first post. */
  escalatedFrom?: AlertStatus;
  /** The post after the alert closed. */
  resolved?: { at: number };
  acts?: AlertActs;
}

/** A thread reply under the post, as data; the poster words it. */
export type AlertNote =
  /** The status changed; `mention`: ping the configured target. */
  | { kind: 'status'; from: AlertStatus; to: AlertStatus; escalated: boolean; reason: MentionReason; mention: boolean }
  /** The alert closed; `lastedSeconds` when its opening time is known. */
  | { kind: 'resolved'; lastedSeconds: number | null; reason?: string }
  /** The forecast moved materially (seconds to the limit, null: none in sight). */
  | { kind: 'moved'; wasSecondsLeft: number | null; isSecondsLeft: number | null; reason: MentionReason; mention: boolean };

/**
 * What should appear in chat. `post`: the alert's post (top level); `edit`: the post redrawn;
 * `note`: a reply in its thread; `mention`: a reply that pings the configured target, saying
 * why; `graph`: the forecast graph into the thread. Keys are outbox idempotency keys.
 */
export type AlertIntent =
  | { kind: 'post'; key: string; view: AlertView }
  | { kind: 'edit'; view: AlertView }
  | { kind: 'note'; key: string; note: AlertNote }
  | { kind: 'mention'; key: string; reason: MentionReason }
  | { kind: 'graph'; key: string; alertId: string; spec: GraphSpec };

/** What the record becomes. `posted`: the post's channel and ts come from sending its `post` intent. */
export type RecordChange =
  | { kind: 'posted'; fields: { status: AlertStatus; hostId: string | null; mentioned: boolean; mentionCode: string; etaAt: number | null; hasForecast: boolean } }
  | { kind: 'update'; fields: Partial<Pick<AlertRecord, 'status' | 'mentioned' | 'mentionCode' | 'etaAt' | 'hasForecast'>> }
  | { kind: 'closed' };

/** The outcome of one step. Graph intents are sent after the record change is stored; the others before. */
export interface LifecycleResult {
  record: RecordChange | null;
  intents: AlertIntent[];
  /** The mention decision the step drew with (for logs). */
  decision: MentionDecision;
}

/** What decides mentions: the clock, the team calendar and the mention policy. */
export interface DecisionInputs {
  now: number;
  calendar: TeamCalendar;
  policy: MentionPolicy;
  timeZone: string;
  /** The words of forecast graphs (titles, axes, legends, the ETA), in the team's language. */
  graphLabels: GraphLabels;
}

/**
 * What happened to the alert. `open`: a new alert (or a claim taken over) is posted, `degraded`
 * when `ctx` is only what the event says (details still loading); `detailed`: the details of a
 * degraded post arrived (`postedMention`: whether the first post mentioned); `change`: its
 * status changed; `close`: it closed (`at`: when); `refresh`: its forecast was recomputed;
 * `redraw`: the post is redrawn after an act from Slack.
 */
export type LifecycleStep =
  | { kind: 'open'; event: AlertEvent; degraded: boolean }
  | { kind: 'detailed'; event: AlertEvent; postedMention: boolean }
  | { kind: 'change'; event: AlertEvent }
  | { kind: 'close'; event: AlertEvent }
  | { kind: 'refresh'; event: AlertEvent }
  | { kind: 'redraw'; event: AlertEvent };

/** What to do with an event, from the alert's record. */
export type Route = 'open' | 'change' | 'close' | 'close-unposted' | 'duplicate' | 'ignored';

export function routeEvent(record: AlertRecord | null, event: AlertEvent): Route {
  if (event.open) {
    if (!record || record.state === 'posting') return 'open';
    if (record.state === 'closed' || record.status === event.status) return 'duplicate';
    return 'change';
  }
  if (record?.state === 'posting') return 'close-unposted';
  if (!record || record.state !== 'posted') return record ? 'duplicate' : 'ignored';
  return 'close';
}

/** Relative ETA change that deserves a thread note. */
export const MATERIAL_CHANGE = 0.3;

/** The forecast's limit time (epoch seconds), or null. */
export function etaAt(ctx: AlertContext, now: number): number | null {
  return ctx.forecast && ctx.forecast.secondsToLimit !== null ? now + ctx.forecast.secondsToLimit : null;
}

/** The forecast graph of a resource alert, for its thread; null when the alert has no resource. */
export function forecastGraph(ctx: AlertContext, key: string, facts: Pick<DecisionInputs, 'now' | 'timeZone' | 'graphLabels'>): AlertIntent | null {
  if (!ctx.resource) return null;
  const hostName = ctx.host?.name ?? ctx.event.hostName ?? ctx.event.hostId ?? 'host';
  const spec = buildForecastGraphSpec({
    host: hostName,
    resource: ctx.resource,
    forecast: ctx.forecast,
    labels: facts.graphLabels,
    timeZone: facts.timeZone,
    now: facts.now,
  });
  return { kind: 'graph', key, alertId: ctx.event.id, spec };
}

/**
 * One step of an alert's life. `record` is the alert's record as stored (null for a new alert);
 * `ctx` what is known about the alert now.
 */
export function advanceAlert(record: AlertRecord | null, step: LifecycleStep, ctx: AlertContext, inputs: DecisionInputs): LifecycleResult {
  const { now } = inputs;
  const decide = (status: AlertStatus) => decideMention({ now, status, forecast: ctx.forecast, calendar: inputs.calendar, policy: inputs.policy });
  const acts = actsOf(record);
  const view = (decision: MentionDecision, extra: Pick<AlertView, 'escalatedFrom' | 'resolved'> = {}): AlertView => ({ ctx, decision, now, ...extra, ...(acts ? { acts } : {}) });
  /** Someone is on it, or mentions are snoozed: posts and thread notes ping nobody. */
  const quiet = mentionsSilenced(acts, now);
  const { event } = step;
  const graph = (key: string) => {
    const intent = forecastGraph(ctx, key, inputs);
    return intent ? [intent] : [];
  };

  switch (step.kind) {
    case 'open': {
      const decision = decide(event.status);
      const fields = {
        status: event.status,
        hostId: ctx.event.hostId ?? null,
        mentioned: decision.mention,
        mentionCode: decision.code,
        etaAt: etaAt(ctx, now),
        hasForecast: ctx.forecast !== null,
      };
      // A degraded post gets its graph when the details arrive (`detailed`).
      // A new post shows no acts (nobody could press a button before it existed).
      const post: AlertView = { ctx, decision, now };
      return {
        record: { kind: 'posted', fields },
        intents: [{ kind: 'post', key: `alert:${event.id}:post`, view: post }, ...(step.degraded ? [] : graph(`alert:${event.id}:graph`))],
        decision,
      };
    }
    case 'detailed': {
      const later = decide(event.status);
      const intents: AlertIntent[] = [{ kind: 'edit', view: view(later) }];
      // The forecast may make it urgent after all: then the mention goes into the thread.
      if (later.mention && !step.postedMention && !quiet) intents.push({ kind: 'mention', key: `alert:${event.id}:urgent-once-detailed`, reason: later.reason });
      intents.push(...graph(`alert:${event.id}:graph`));
      return {
        record: { kind: 'update', fields: { mentioned: step.postedMention || later.mention, mentionCode: later.code, etaAt: etaAt(ctx, now), hasForecast: ctx.forecast !== null } },
        intents,
        decision: later,
      };
    }
    case 'change': {
      const previous = record!.status;
      const decision = decide(event.status);
      const escalated = severity(event.status) > severity(previous);
      // Acknowledged or snoozed: the post is still edited (visibly), but nobody is pinged.
      const mention = escalated && decision.mention && !record!.mentioned && !quiet;
      return {
        record: { kind: 'update', fields: { status: event.status, mentioned: record!.mentioned || (decision.mention && !quiet), mentionCode: decision.code, etaAt: etaAt(ctx, now) } },
        intents: [
          { kind: 'edit', view: view(decision, escalated ? { escalatedFrom: previous } : {}) },
          // Keyed by the record's last change: a retry after a crash says it once; a later W→C→W→C says it again.
          {
            kind: 'note',
            key: `alert:${event.id}:status:${previous}>${event.status}:${record!.updatedAt ?? record!.postedAt}`,
            note: { kind: 'status', from: previous, to: event.status, escalated, reason: decision.reason, mention },
          },
        ],
        decision,
      };
    }
    case 'close': {
      const at = event.closedAt ?? now;
      const decision = decide('OK');
      // How long it lasted only when the opening time is known (an UNKNOWN alert may have none).
      const lastedSeconds = !ctx.event.openedAtUnknown && at >= ctx.event.openedAt ? at - ctx.event.openedAt : null;
      return {
        record: { kind: 'closed' },
        intents: [
          { kind: 'edit', view: view(decision, { resolved: { at } }) },
          { kind: 'note', key: `alert:${event.id}:closed`, note: { kind: 'resolved', lastedSeconds, ...(event.reason ? { reason: event.reason } : {}) } },
        ],
        decision,
      };
    }
    case 'refresh': {
      const decision = decide(event.status);
      if (!ctx.forecast || !record) return { record: null, intents: [], decision };
      const next = etaAt(ctx, now);
      const prev = record.etaAt;
      const remaining = prev === null ? null : Math.max(3600, prev - now);
      const moved = (prev === null) !== (next === null) || (prev !== null && next !== null && Math.abs(next - prev) / remaining! > MATERIAL_CHANGE);
      const newlyUrgent = decision.mention && !record.mentioned && !quiet;
      if (!moved && !newlyUrgent) return { record: null, intents: [], decision };
      const change = `${record.updatedAt ?? record.postedAt}`;
      return {
        record: { kind: 'update', fields: { etaAt: next, mentioned: record.mentioned || newlyUrgent, mentionCode: decision.code } },
        intents: [
          { kind: 'edit', view: view(decision) },
          {
            kind: 'note',
            key: `alert:${event.id}:moved:${change}`,
            note: {
              kind: 'moved',
              wasSecondsLeft: prev === null ? null : Math.max(0, prev - now),
              isSecondsLeft: next === null ? null : next - now,
              reason: decision.reason,
              mention: newlyUrgent,
            },
          },
          ...graph(`alert:${event.id}:graph:${change}`),
        ],
        decision,
      };
    }
    case 'redraw': {
      const decision = decide(event.status);
      return { record: null, intents: [{ kind: 'edit', view: view(decision) }], decision };
    }
  }
}

/** Where an alert's intents go: its post (`ts`), or, before it exists, its channel. */
export interface AlertPostRef {
  channel: string;
  ts?: string;
}

/**
 * Turns intents into chat (src/handlers/alerts/alert-poster.ts): words and renders them and
 * sends them through the chat port with the intents' keys.
 */
export interface AlertPoster {
  /** False until there is a chat to post in. */
  readonly ready: boolean;
  /**
   * Sends the intents in order; a `post` goes to `where.channel` and the others to the post (the
   * one just sent, or `where.ts`). Returns the post's ref. A graph that cannot be attached is
   * logged, not thrown; any other failure throws.
   */
  send(intents: readonly AlertIntent[], where: AlertPostRef): Promise<MessageRef | undefined>;
  /** A post is being prepared: graphs wait for it (briefly). Call the result once it is sent or failed. */
  preparing(): () => void;
  /** Uploads a graph someone asked for into the post's thread; false when it could not be rendered. */
  askedGraph(where: MessageRef, graph: { key: string; alertId: string; spec: GraphSpec; askedBy: string }): Promise<boolean>;
}
