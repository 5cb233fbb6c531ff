import {
  actions,
  bold,
  code,
  configuredMention,
  context,
  EMPTY,
  joinMd,
  link,
  md,
  plain,
  section,
  type ChatMessage,
  type MessageBlock,
  type MessageButton,
  type Mrkdwn,
} from '../../core/message.ts';
import { formatBand } from '../../services/forecast/wording.ts';
import type { ForecastResult } from '../../services/forecast/index.ts';
import { formatValueAuto, type GraphUnit } from '../../services/graph/index.ts';
import { formatDuration, type MentionDecision } from '../../services/urgency/index.ts';
import type { AlertContext } from '../../services/alerts/alert-context.ts';
import type { MonitorInfo } from '../../services/alerts/alert-data.ts';
import type { AlertStatus } from '../../services/alerts/alert-event.ts';
import { formatLocalTime } from '../../services/alerts/alert-graph.ts';
import { mentionsSilenced, type AlertActs } from '../../services/alerts/alert-lifecycle.ts';

export { mentionsSilenced, type AlertActs };

/** What one rendering of an alert post needs besides the context. */
export interface AlertViewOptions {
  decision: MentionDecision;
  /** Who to mention (`<!subteam^S…>`); nothing is mentioned without it. */
  mentionTarget?: string;
  timeZone: string;
  now: number;
  /** Resolved: the original post after the alert closed. */
  resolved?: { at: number };
  /** Set when the status rose since the first post. */
  escalatedFrom?: AlertStatus;
  /** What people did from Slack: who is on it, until when mentions are snoozed. */
  acts?: AlertActs;
  /** Slack buttons on an open alert's post (Slack only; the shell has none). */
  buttons?: { close: boolean };
}

/** Action IDs of the alert post's buttons (the Slack layer routes on them). */
export const ALERT_ACTIONS = {
  ack: 'opsbot_alert_ack',
  snoozeHour: 'opsbot_alert_snooze_1h',
  snoozeWork: 'opsbot_alert_snooze_work',
  graph: 'opsbot_alert_graph',
  close: 'opsbot_alert_close',
} as const;

function alertButtons(ctx: AlertContext, opts: AlertViewOptions): MessageButton[] {
  const id = ctx.event.id;
  const buttons: MessageButton[] = [];
  if (!opts.acts?.ackedByName) buttons.push({ text: "I'm on it", actionId: ALERT_ACTIONS.ack, value: id, style: 'primary' });
  buttons.push({ text: 'Snooze mentions 1 h', actionId: ALERT_ACTIONS.snoozeHour, value: id });
  buttons.push({ text: 'Snooze until working hours', actionId: ALERT_ACTIONS.snoozeWork, value: id });
  buttons.push({ text: '7-day graph', actionId: ALERT_ACTIONS.graph, value: id });
  if (opts.buttons?.close && !ctx.event.group) {
    buttons.push({
      text: 'Close in Mackerel',
      actionId: ALERT_ACTIONS.close,
      value: id,
      style: 'danger',
      confirm: {
        title: 'Close this alert in Mackerel?',
        text: `Mackerel closes alert ${id} for everyone, with a reason naming you. It opens again only if the monitor fires again.`,
        confirm: 'Close it',
        deny: 'Cancel',
      },
    });
  }
  return buttons;
}

const GLYPH: Record<AlertStatus, string> = { CRITICAL: ':red_circle:', WARNING: ':large_orange_circle:', UNKNOWN: ':white_circle:', OK: ':large_green_circle:' };

const details = (ctx: AlertContext): MonitorInfo | null => ctx.monitor;
const optText = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const optNumber = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Link to the alert (or alert group) on mackerel.io, from the webhook or built from the org name. */
export function alertUrl(ctx: AlertContext): string | null {
  if (ctx.event.url) return ctx.event.url;
  if (!ctx.org) return null;
  const org = encodeURIComponent(ctx.org);
  if (ctx.event.group) return `https://mackerel.io/orgs/${org}/alert-groups/${encodeURIComponent(ctx.event.group.id)}`;
  return `https://mackerel.io/orgs/${org}/alerts/${encodeURIComponent(ctx.event.id)}`;
}

export function hostUrl(ctx: AlertContext): string | null {
  const id = ctx.host?.id ?? ctx.event.hostId;
  return ctx.event.hostUrl ?? (ctx.org && id ? `https://mackerel.io/orgs/${encodeURIComponent(ctx.org)}/hosts/${encodeURIComponent(id)}` : null);
}

type Unit = GraphUnit | 'ms';

function valueUnit(ctx: AlertContext): Unit {
  if (ctx.event.type === 'external') return 'ms';
  const metric = ctx.monitor?.metric ?? ctx.event.metricLabel ?? '';
  if (metric.endsWith('%')) return 'percent';
  return ctx.resource?.unit ?? 'number';
}

/** A number as people read it: "6", "1.47", "2,500"; tiny values keep two significant digits instead of becoming "0". */
function formatNumber(v: number): string {
  if (v !== 0 && Math.abs(v) < 0.01) return String(Number(v.toPrecision(2)));
  return formatValueAuto(v, 'number');
}

export function formatMeasure(v: number, unit: Unit): string {
  if (unit === 'ms') return `${formatNumber(v)} ms`;
  if (unit === 'percent') return `${formatNumber(v)}%`;
  if (unit === 'bytes') return formatValueAuto(v, 'bytes');
  return formatNumber(v);
}

interface Thresholds {
  op?: '>' | '<';
  warning?: number;
  critical?: number;
  /** `alert`: what the alert fired on (the webhook); `monitor`: the monitor as it is now. */
  from: 'alert' | 'monitor';
}

const asOp = (v: unknown): '>' | '<' | undefined => (v === '>' || v === '<' ? v : undefined);

/**
 * The thresholds the alert fired on when the event carries them (the webhook does), else the
 * monitor's current ones. External monitors compare response time (`responseTime*` of the monitor).
 */
export function firedThresholds(ctx: AlertContext): Thresholds {
  const { event } = ctx;
  const m = details(ctx);
  if (event.warning !== undefined || event.critical !== undefined) {
    const t: Thresholds = { from: 'alert' };
    const op = asOp(event.operator) ?? asOp(m?.operator) ?? (event.type === 'external' ? '>' : undefined);
    if (op) t.op = op;
    if (typeof event.warning === 'number') t.warning = event.warning;
    if (typeof event.critical === 'number') t.critical = event.critical;
    return t;
  }
  return monitorThresholds(ctx) ?? { from: 'monitor' };
}

function monitorThresholds(ctx: AlertContext): Thresholds | null {
  const m = details(ctx);
  if (!m) return null;
  const t: Thresholds = { from: 'monitor' };
  const external = ctx.event.type === 'external';
  const op = external ? '>' : (asOp(m.operator) ?? asOp(ctx.event.operator));
  if (op) t.op = op;
  const warning = optNumber(external ? m.responseTimeWarning : m.warning);
  const critical = optNumber(external ? m.responseTimeCritical : m.critical);
  if (warning !== undefined) t.warning = warning;
  if (critical !== undefined) t.critical = critical;
  return t;
}

const breaches = (v: number, op: '>' | '<', t: number) => (op === '>' ? v > t : v < t);
const NOT = { '>': '≤', '<': '≥' } as const;

/** One line: a long expression or check output is cut, newlines become spaces. */
function oneLine(value: string, max: number): string {
  const flat = value
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** What is measured: the metric, the expression, the query series. */
function subject(ctx: AlertContext): string | undefined {
  const { event } = ctx;
  const m = details(ctx);
  if (event.type === 'query' && event.series) {
    const labels = Object.entries(event.series.labels).map(([k, v]) => `${k}="${v}"`);
    return oneLine(`${event.series.name}${labels.length ? `{${labels.join(', ')}}` : ''}`, 200);
  }
  const raw = event.metricLabel ?? m?.metric ?? m?.expression ?? m?.query ?? m?.legend;
  return raw ? oneLine(raw, 200) : undefined;
}

/**
 * "`cpu%` *6%* > warning 5% (critical 10%)": the value against the threshold of its status, the
 * operator only when the comparison holds (a value that does not breach is never shown as one).
 */
function comparison(ctx: AlertContext, value: number, status: AlertStatus, label: string | undefined): Mrkdwn {
  const unit = valueUnit(ctx);
  const fmt = (v: number) => formatMeasure(v, unit);
  const t = firedThresholds(ctx);
  const [primaryName, primary, otherName, other] =
    status === 'CRITICAL' ? (['critical', t.critical, 'warning', t.warning] as const) : (['warning', t.warning, 'critical', t.critical] as const);
  const parts: Mrkdwn[] = [bold(fmt(value))];
  if (primary !== undefined) {
    parts.push(t.op && breaches(value, t.op, primary) ? md`${t.op} ${primaryName} ${fmt(primary)}` : md`(${primaryName} ${fmt(primary)})`);
  }
  if (other !== undefined) parts.push(md`(${otherName} ${fmt(other)})`);
  const avg = ctx.event.duration !== undefined && ctx.event.duration > 1 ? md` · average of ${ctx.event.duration} points` : EMPTY;
  return md`${label ? md`${code(label)} ` : ''}${joinMd(parts, ' ')}${avg}${changedSince(ctx, t, fmt)}`;
}

/** " · monitor now: warning 10%, critical 20%" when the monitor's thresholds changed since the alert fired. */
function changedSince(ctx: AlertContext, fired: Thresholds, fmt: (v: number) => string): Mrkdwn {
  if (fired.from !== 'alert') return EMPTY;
  const now = monitorThresholds(ctx);
  if (!now || (now.warning === undefined && now.critical === undefined)) return EMPTY;
  if (now.warning === fired.warning && now.critical === fired.critical) return EMPTY;
  const parts = [now.warning !== undefined ? `warning ${fmt(now.warning)}` : '', now.critical !== undefined ? `critical ${fmt(now.critical)}` : ''].filter(Boolean);
  return md` · monitor now: ${parts.join(', ')}`;
}

function hostLabel(ctx: AlertContext): string | undefined {
  return ctx.host?.name ?? ctx.event.hostName;
}

/**
 * The external monitor's HTTP status; without a response time, its message ("HTTP request failed -
 * status is 500", a timeout, a certificate problem), which says more than the code.
 */
function httpPart(ctx: AlertContext): Mrkdwn | null {
  const { event } = ctx;
  const message = event.message?.trim();
  const status = event.httpStatus !== undefined ? md`HTTP status ${bold(String(event.httpStatus))}` : null;
  if (event.value !== undefined) return status ?? (message ? plain(oneLine(message, 300)) : null);
  if (message && !/^\d{3}$/.test(message)) return plain(oneLine(message, 300));
  return status;
}

/** Anomaly detection's message is "<monitor name> <metric> …": the metrics are the news. */
function anomalyMetrics(ctx: AlertContext): string | undefined {
  const message = ctx.event.message?.trim();
  if (!message) return undefined;
  const name = ctx.event.monitorName ?? details(ctx)?.name;
  const rest = name && message.startsWith(name) ? message.slice(name.length).trim() : message;
  return rest ? oneLine(rest, 200) : undefined;
}

/**
 * The facts of an open alert, worded for its monitor type: values and thresholds as of the
 * alert, units (ms for external monitors), the HTTP status, the check's output; null when
 * nothing is known beyond the headline.
 */
export function valueLine(ctx: AlertContext, now?: number): Mrkdwn | null {
  const { event } = ctx;
  const message = event.message ? oneLine(event.message, 300) : undefined;
  switch (event.type) {
    case 'alertGroup': {
      const name = event.group?.settingName ?? event.monitorName;
      return md`alert group${name ? md` ${bold(name)}` : ''}: Mackerel grouped its alerts here (see the group for them)`;
    }
    case 'connectivity': {
      const host = hostLabel(ctx);
      const since = now !== undefined && !event.openedAtUnknown && now > event.openedAt ? ` for at least ${formatDuration(now - event.openedAt)}` : '';
      return md`no data from ${host ? bold(host) : 'the host'}${since} (connectivity)`;
    }
    case 'check':
      return message ? md`check: ${plain(oneLine(event.message!, 200))}` : md`check reported ${event.status}`;
    case 'anomalyDetection': {
      const metrics = anomalyMetrics(ctx);
      return md`anomaly detected: the role's metrics left their learned pattern${metrics ? md` (${code(metrics)})` : ''}`;
    }
    case 'external': {
      const parts: Mrkdwn[] = [];
      if (event.value !== undefined && event.status !== 'UNKNOWN') parts.push(md`response time ${comparison(ctx, event.value, event.status, undefined)}`);
      const http = httpPart(ctx);
      if (http) parts.push(http);
      const url = details(ctx)?.url;
      if (url) parts.push(link(url, oneLine(url, 120)));
      return parts.length ? joinMd(parts, ' · ') : null;
    }
    default: {
      const label = subject(ctx);
      if (event.status === 'UNKNOWN' || event.value === undefined) {
        const news = message && message !== event.monitorName && message !== ctx.monitor?.name ? message : undefined;
        if (event.status === 'UNKNOWN') return md`${label ? md`${code(label)}: ` : ''}no value to compare (UNKNOWN)${news ? md` · ${news}` : ''}`;
        return message ? plain(message) : null;
      }
      const kind = event.type === 'expression' ? 'expression ' : event.type === 'query' ? 'query ' : '';
      return md`${kind}${comparison(ctx, event.value, event.status, label)}`;
    }
  }
}

/** Why the alert closed, from the webhook trigger or the REST reason; null when Mackerel's monitoring closed it. */
function closedBy(ctx: AlertContext): string | null {
  const reason = ctx.event.reason?.trim();
  if (!reason || reason === 'monitor' || reason === 'monitoring') return null;
  const by = ctx.event.user ? ` by ${oneLine(ctx.event.user, 80)}` : '';
  if (reason === 'manual close' || reason === 'manual') return `closed manually${by}`;
  if (reason === 'monitorDelete' || reason === 'delete monitor') return 'closed: the monitor was deleted';
  if (reason === 'hostRetire' || reason === 'retire host') return 'closed: the host was retired';
  if (reason === 'serviceDelete' || reason === 'delete service') return 'closed: the service was deleted';
  return `closed: ${oneLine(reason, 200)}${by}`;
}

/**
 * The facts of a closed alert: how it closed, and, when Mackerel's monitoring closed it, the
 * recovery ("recovered: `MY_METRIC` *1* ≤ critical 2 (warning 1)") only when the value really is
 * on the safe side of every threshold; otherwise simply "OK". Never a breach.
 */
export function recoveryLine(ctx: AlertContext): Mrkdwn {
  const { event } = ctx;
  const closed = closedBy(ctx);
  if (closed) return plain(closed);
  const fromWebhook = event.source !== 'poll';
  switch (event.type) {
    case 'connectivity': {
      const host = hostLabel(ctx);
      return md`recovered: data from ${host ? bold(host) : 'the host'} again`;
    }
    case 'check':
      return fromWebhook && event.message ? md`recovered: ${plain(oneLine(event.message, 200))}` : plain('OK');
    case 'alertGroup':
      return plain('OK: the alert group closed');
  }
  if (event.value !== undefined) {
    const t = firedThresholds(ctx);
    const thresholds = [t.warning, t.critical].filter((v): v is number => v !== undefined);
    const safe = t.op !== undefined && thresholds.length > 0 && thresholds.every((v) => !breaches(event.value!, t.op!, v));
    if (safe) {
      const unit = valueUnit(ctx);
      const fmt = (v: number) => formatMeasure(v, unit);
      const [name, level, otherName, other] =
        event.status === 'CRITICAL' && t.critical !== undefined
          ? (['critical', t.critical, 'warning', t.warning] as const)
          : t.warning !== undefined
            ? (['warning', t.warning, 'critical', t.critical] as const)
            : (['critical', t.critical!, 'warning', undefined] as const);
      const label = event.type === 'external' ? 'response time' : subject(ctx);
      return md`recovered: ${label ? (event.type === 'external' ? md`${label} ` : md`${code(label)} `) : ''}${bold(fmt(event.value))} ${NOT[t.op!]} ${name} ${fmt(level)}${other !== undefined ? ` (${otherName} ${fmt(other)})` : ''}`;
    }
  }
  return plain('OK');
}

const MEMO_LINES = 20;
const MEMO_CHARS = 1500;

/** The monitor's memo for the post: at most 20 lines and 1500 characters once escaped (Slack's section limit is 3000). */
export function memoText(memo: string): Mrkdwn {
  const lines = memo.replace(/\r\n?/g, '\n').trim().split('\n');
  let out = '';
  let size = 0;
  let cut = lines.length > MEMO_LINES;
  for (const ch of lines.slice(0, MEMO_LINES).join('\n')) {
    const escaped = ch === '&' ? 5 : ch === '<' || ch === '>' ? 4 : ch.length;
    if (size + escaped > MEMO_CHARS) {
      cut = true;
      break;
    }
    out += ch;
    size += escaped;
  }
  return md`${out}${cut ? '\n… (cut; the full memo is on the monitor in Mackerel)' : ''}`;
}

/**
 * "full in ~3 h (band 2–5 h), around Mon 14:00 JST. <explanation>", or the explanation alone.
 * The explanation's own closing "full in about …" is dropped there: the line already says it.
 */
export function forecastLine(forecast: ForecastResult, timeZone: string, now: number): Mrkdwn {
  const s = forecast.secondsToLimit;
  if (s === null || s === 0) return plain(forecast.explanation);
  const band = formatBand(forecast.low, forecast.high);
  const why = forecast.explanation.replace(/;\s*full in about [^;]*$/, '');
  return md`full in ${bold(formatDuration(s))}${band ? ` (band ${band})` : ''}, around ${formatLocalTime(now + s, timeZone)}. ${why}`;
}

/** The monitor's name; a monitor without one (Mackerel then gives only its id) is named by its type and metric. */
export function monitorLabel(ctx: AlertContext): string {
  const { event } = ctx;
  const m = details(ctx);
  const name = m && m.name.trim() !== '' && m.name !== m.id && m.name !== event.monitorId ? m.name.trim() : undefined;
  const given = name ?? event.monitorName ?? event.group?.settingName;
  if (given) return oneLine(given, 100);
  const metric = subject(ctx);
  const short = metric ? oneLine(metric, 60) : undefined;
  switch (event.type) {
    case 'host':
      return short ? `${short} monitor` : 'host metric monitor';
    case 'service':
      return short ? `${short} monitor` : 'service metric monitor';
    case 'connectivity':
      return 'connectivity monitor';
    case 'external': {
      const url = optText(m?.url);
      return url ? `external monitor of ${oneLine(url, 60)}` : 'external (URL) monitor';
    }
    case 'check':
      return 'check monitor';
    case 'expression':
      return short ? `expression ${short}` : 'expression monitor';
    case 'anomalyDetection':
      return 'anomaly detection';
    case 'query':
      return short ? `query ${short}` : 'query monitor';
    case 'alertGroup':
      return 'alert group';
    default:
      return `${event.type} alert`;
  }
}

/** Short headline: status, monitor, host (or service). */
export function headline(ctx: AlertContext, status: AlertStatus): string {
  const name = monitorLabel(ctx);
  const hostName = hostLabel(ctx);
  const service = ctx.event.serviceName ?? optText(details(ctx)?.service);
  const where = hostName ? ` on ${hostName}` : service && !name.includes(service) ? ` on ${service}` : '';
  return `${status} ${name}${where}`;
}

/** The alert post (open, escalated or resolved) as Block Kit with a text fallback. */
export function renderAlertMessage(ctx: AlertContext, opts: AlertViewOptions): ChatMessage {
  const status = opts.resolved ? 'OK' : ctx.event.status;
  const silenced = mentionsSilenced(opts.acts, opts.now);
  const mention = !opts.resolved && !silenced && opts.decision.mention && opts.mentionTarget ? md`${configuredMention(opts.mentionTarget)} ` : EMPTY;
  const roles = ctx.host?.roles ?? ctx.event.roles ?? [];
  const hostName = hostLabel(ctx);
  const serviceName = ctx.event.serviceName ?? optText(details(ctx)?.service);
  const title = opts.resolved
    ? md`${GLYPH.OK} *RESOLVED* ~(was ${ctx.event.status})~ ${headline(ctx, ctx.event.status).replace(/^\S+ /, '')}`
    : md`${GLYPH[status]} *${status}* ${headline(ctx, status).replace(/^\S+ /, '')}`;
  const lines: Mrkdwn[] = [md`${mention}${title}`];
  if (opts.escalatedFrom && !opts.resolved) lines.push(md`:arrow_up: escalated from ${opts.escalatedFrom}`);
  if (hostName)
    lines.push(
      md`host ${bold(hostName)}${
        roles.length
          ? md` (${joinMd(
              roles.map((r) => code(r)),
              ', ',
            )})`
          : ''
      }`,
    );
  else if (serviceName) lines.push(md`service ${bold(serviceName)}`);
  const facts = opts.resolved ? recoveryLine(ctx) : valueLine(ctx, opts.now);
  if (facts) lines.push(facts);
  const blocks: MessageBlock[] = [section(joinMd(lines, '\n'))];

  if (ctx.forecast && !opts.resolved) {
    blocks.push(section(md`:hourglass_flowing_sand: ${ctx.resource ? md`${bold(ctx.resource.pair.label)} ` : ''}${forecastLine(ctx.forecast, opts.timeZone, opts.now)}`));
  }
  const memo = ctx.event.memo ?? optText(details(ctx)?.memo);
  if (memo && !opts.resolved) blocks.push(section(md`:book: *Runbook* (${ctx.event.group ? 'alert group' : 'monitor'} memo)\n${memoText(memo)}`));
  const notes: Mrkdwn[] = [];
  if (opts.resolved) {
    const known = !ctx.event.openedAtUnknown && ctx.event.openedAt > 0 && opts.resolved.at >= ctx.event.openedAt;
    notes.push(md`resolved ${formatLocalTime(opts.resolved.at, opts.timeZone)}${known ? ` after ${formatDuration(opts.resolved.at - ctx.event.openedAt)}` : ''}`);
  } else {
    const noTarget = opts.decision.mention && !opts.mentionTarget && !silenced ? ' (no alerts.mention configured)' : '';
    notes.push(md`${opts.decision.reason}${noTarget}`);
  }
  const acts: Mrkdwn[] = [];
  if (opts.acts?.ackedByName)
    acts.push(
      md`:eyes: ${bold(opts.acts.ackedByName)} is on it${opts.acts.ackedAt ? ` (since ${formatLocalTime(opts.acts.ackedAt, opts.timeZone)})` : ''}${opts.resolved ? '' : ': no further mentions for this alert'}`,
    );
  if (!opts.resolved && opts.acts?.snoozedUntil && opts.acts.snoozedUntil > opts.now) {
    acts.push(md`:zzz: mentions snoozed until ${formatLocalTime(opts.acts.snoozedUntil, opts.timeZone)}${opts.acts.snoozedByName ? md` by ${bold(opts.acts.snoozedByName)}` : ''}`);
  }
  const links = [link(alertUrl(ctx), ctx.event.group ? `alert group ${ctx.event.group.id}` : `alert ${ctx.event.id}`)];
  if (ctx.event.group?.settingUrl) links.push(link(ctx.event.group.settingUrl, 'group setting'));
  const hUrl = hostUrl(ctx);
  if (hUrl) links.push(link(hUrl, `${hostName ?? 'host'} in Mackerel`));
  else if (ctx.event.serviceUrl && serviceName) links.push(link(ctx.event.serviceUrl, `${serviceName} in Mackerel`));
  // Mackerel's own graph when opsbot draws none (no forecast graph goes into the thread).
  if (ctx.event.imageUrl && !ctx.resource) links.push(link(ctx.event.imageUrl, 'graph in Mackerel'));
  notes.push(joinMd(links, ' · '));
  blocks.push(context(...notes));
  if (acts.length > 0) blocks.push(context(...acts));
  if (ctx.problems.length > 0) blocks.push(context(md`:warning: could not fetch: ${ctx.problems.join('; ').slice(0, 1900)}`));
  if (opts.buttons && !opts.resolved) blocks.push(actions(alertButtons(ctx, opts), `alert:${ctx.event.id}`.slice(0, 255)));

  const eta = ctx.forecast && !opts.resolved && ctx.forecast.secondsToLimit !== null ? ` — full in ${formatDuration(ctx.forecast.secondsToLimit)}` : '';
  const text = opts.resolved
    ? md`${GLYPH.OK} RESOLVED (was ${ctx.event.status}) ${headline(ctx, ctx.event.status).replace(/^\S+ /, '')}`
    : md`${mention}${GLYPH[status]} ${headline(ctx, status)}${eta} (${opts.decision.reason})`;
  return { text, blocks };
}
