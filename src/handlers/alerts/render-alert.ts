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
import type { ForecastResult } from '../../services/forecast/index.ts';
import type { GraphUnit } from '../../services/graph/index.ts';
import type { MentionDecision, MentionReason } from '../../services/urgency/index.ts';
import type { AlertContext } from '../../services/alerts/alert-context.ts';
import type { MonitorInfo } from '../../services/alerts/alert-data.ts';
import type { AlertStatus } from '../../services/alerts/alert-event.ts';
import { mentionsSilenced, type AlertActs } from '../../services/alerts/alert-lifecycle.ts';
import { describeForecast, describeForecastBand, describeForecastReason } from '../present/forecast-story.ts';
import { ALERT_STATUS_GLYPHS, OUTCOME_GLYPHS } from '../present/glyphs.ts';
import type { Presenter } from '../present/presenter.ts';
import { describeAlertProblems } from '../present/describe-metric-problem.ts';
import { resourceWords } from '../present/graph-labels.ts';
import { listOf } from '../present/list.ts';

export { mentionsSilenced, type AlertActs };

/** What one rendering of an alert post needs besides the context. */
export interface AlertViewOptions {
  /** The team's words, numbers and times (its calendar's zone). */
  present: Presenter;
  decision: MentionDecision;
  /** Who to mention (`<!subteam^S…>`); nothing is mentioned without it. */
  mentionTarget?: string;
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
  const { present } = opts;
  const id = ctx.event.id;
  const buttons: MessageButton[] = [];
  if (!opts.acts?.ackedByName) buttons.push({ text: present.text('alerts.button.ack'), actionId: ALERT_ACTIONS.ack, value: id, style: 'primary' });
  buttons.push({ text: present.text('alerts.button.snoozeHour', { duration: present.duration(3600) }), actionId: ALERT_ACTIONS.snoozeHour, value: id });
  buttons.push({ text: present.text('alerts.button.snoozeWork'), actionId: ALERT_ACTIONS.snoozeWork, value: id });
  buttons.push({ text: present.text('alerts.button.graph'), actionId: ALERT_ACTIONS.graph, value: id });
  if (opts.buttons?.close && !ctx.event.group) {
    buttons.push({
      text: present.text('alerts.button.close'),
      actionId: ALERT_ACTIONS.close,
      value: id,
      style: 'danger',
      confirm: {
        title: present.text('alerts.confirm.title'),
        text: present.text('alerts.confirm.text', { id }),
        confirm: present.text('alerts.confirm.yes'),
        deny: present.text('alerts.confirm.no'),
      },
    });
  }
  return buttons;
}

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
function formatAmount(v: number, present: Presenter): string {
  if (v !== 0 && Math.abs(v) < 0.01) return present.number(Number(v.toPrecision(2)), 20);
  const digits = Math.abs(v) >= 100 || Number.isInteger(v) ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return present.number(v, digits);
}

/** A value in its unit: "120 ms", "85.2%", "1.50 GiB", "2,500". */
export function formatMeasure(v: number, unit: Unit, present: Presenter): string {
  if (unit === 'ms') return `${formatAmount(v, present)} ms`;
  if (unit === 'percent') return `${formatAmount(v, present)}%`;
  if (unit === 'bytes') return present.bytes(v);
  return formatAmount(v, present);
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

type Level = 'warning' | 'critical';
const levelWord = (level: Level, present: Presenter) => present.text(level === 'warning' ? 'alerts.level.warning' : 'alerts.level.critical');

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
function comparison(ctx: AlertContext, value: number, status: AlertStatus, label: string | undefined, present: Presenter): Mrkdwn {
  const unit = valueUnit(ctx);
  const fmt = (v: number) => formatMeasure(v, unit, present);
  const t = firedThresholds(ctx);
  const [primaryLevel, primary, otherLevel, other] =
    status === 'CRITICAL' ? (['critical', t.critical, 'warning', t.warning] as const) : (['warning', t.warning, 'critical', t.critical] as const);
  // A space after the bold value always (Slack's bold needs it); the other threshold follows the first as the language puts it.
  let shown: Mrkdwn = bold(fmt(value));
  if (primary !== undefined) {
    const level = levelWord(primaryLevel, present);
    const first =
      t.op && breaches(value, t.op, primary)
        ? present.t('alerts.value.breach', { op: t.op, level, threshold: fmt(primary) })
        : present.t('alerts.value.other', { level, threshold: fmt(primary) });
    shown = md`${shown} ${first}`;
  }
  if (other !== undefined) {
    const second = present.t('alerts.value.other', { level: levelWord(otherLevel, present), threshold: fmt(other) });
    shown = primary !== undefined ? present.t('alerts.value.then', { first: shown, second }) : md`${shown} ${second}`;
  }
  const avg = ctx.event.duration !== undefined && ctx.event.duration > 1 ? present.t('alerts.value.average', { count: ctx.event.duration }) : EMPTY;
  return md`${label ? md`${code(label)} ` : ''}${shown}${avg}${changedSince(ctx, t, fmt, present)}`;
}

/** " · monitor now: warning 10%, critical 20%" when the monitor's thresholds changed since the alert fired. */
function changedSince(ctx: AlertContext, fired: Thresholds, fmt: (v: number) => string, present: Presenter): Mrkdwn {
  if (fired.from !== 'alert') return EMPTY;
  const now = monitorThresholds(ctx);
  if (!now || (now.warning === undefined && now.critical === undefined)) return EMPTY;
  if (now.warning === fired.warning && now.critical === fired.critical) return EMPTY;
  const parts: string[] = [];
  if (now.warning !== undefined) parts.push(`${levelWord('warning', present)} ${fmt(now.warning)}`);
  if (now.critical !== undefined) parts.push(`${levelWord('critical', present)} ${fmt(now.critical)}`);
  return present.t('alerts.value.monitorNow', { thresholds: parts.join(present.text('common.listSeparator')) });
}

function hostLabel(ctx: AlertContext): string | undefined {
  return ctx.host?.name ?? ctx.event.hostName;
}

/**
 * The external monitor's HTTP status; without a response time, its message ("HTTP request failed -
 * status is 500", a timeout, a certificate problem), which says more than the code.
 */
function httpPart(ctx: AlertContext, present: Presenter): Mrkdwn | null {
  const { event } = ctx;
  const message = event.message?.trim();
  const status = event.httpStatus !== undefined ? present.t('alerts.value.httpStatus', { status: bold(String(event.httpStatus)) }) : null;
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
export function valueLine(ctx: AlertContext, present: Presenter, now?: number): Mrkdwn | null {
  const { event } = ctx;
  const message = event.message ? oneLine(event.message, 300) : undefined;
  switch (event.type) {
    case 'alertGroup': {
      const name = event.group?.settingName ?? event.monitorName;
      return name ? present.t('alerts.facts.group', { name: bold(name) }) : present.t('alerts.facts.groupUnnamed');
    }
    case 'connectivity': {
      const name = hostLabel(ctx);
      const host = name ? bold(name) : present.t('alerts.facts.theHost');
      return now !== undefined && !event.openedAtUnknown && now > event.openedAt
        ? present.t('alerts.facts.noDataFor', { host, duration: present.duration(now - event.openedAt) })
        : present.t('alerts.facts.noData', { host });
    }
    case 'check':
      return message ? present.t('alerts.facts.check', { output: oneLine(event.message!, 200) }) : present.t('alerts.facts.checkStatus', { status: event.status });
    case 'anomalyDetection': {
      const metrics = anomalyMetrics(ctx);
      return metrics ? present.t('alerts.facts.anomalyIn', { metrics: code(metrics) }) : present.t('alerts.facts.anomaly');
    }
    case 'external': {
      const parts: Mrkdwn[] = [];
      if (event.value !== undefined && event.status !== 'UNKNOWN')
        parts.push(present.t('alerts.value.responseTime', { comparison: comparison(ctx, event.value, event.status, undefined, present) }));
      const http = httpPart(ctx, present);
      if (http) parts.push(http);
      const url = details(ctx)?.url;
      if (url) parts.push(link(url, oneLine(url, 120)));
      return parts.length ? joinMd(parts, ' · ') : null;
    }
    default: {
      const label = subject(ctx);
      if (event.status === 'UNKNOWN' || event.value === undefined) {
        const news = message && message !== event.monitorName && message !== ctx.monitor?.name ? message : undefined;
        if (event.status === 'UNKNOWN') return md`${label ? md`${code(label)}: ` : ''}${present.t('alerts.value.unknown', { status: event.status })}${news ? md` · ${news}` : ''}`;
        return message ? plain(message) : null;
      }
      const compared = comparison(ctx, event.value, event.status, label, present);
      if (event.type === 'expression') return present.t('alerts.value.expression', { comparison: compared });
      if (event.type === 'query') return present.t('alerts.value.query', { comparison: compared });
      return compared;
    }
  }
}

/** Why the alert closed, from the webhook trigger or the REST reason; null when Mackerel's monitoring closed it. */
function closedBy(ctx: AlertContext, present: Presenter): Mrkdwn | null {
  return closeReasonText(ctx.event.reason, ctx.event.user, present);
}

/**
 * A close's reason (the webhook trigger or the REST reason, and who closed it) in words; null when
 * Mackerel's monitoring closed it (the recovery says more). `quoted`: a reason of its own (one a
 * person wrote) is shown as written, without "closed:".
 */
export function closeReasonText(given: string | undefined, by: string | undefined, present: Presenter, options: { quoted?: boolean } = {}): Mrkdwn | null {
  const reason = given?.trim();
  if (!reason || reason === 'monitor' || reason === 'monitoring') return null;
  const user = by ? oneLine(by, 80) : undefined;
  if (reason === 'manual close' || reason === 'manual') return user ? present.t('alerts.closed.manualBy', { user }) : present.t('alerts.closed.manual');
  if (reason === 'monitorDelete' || reason === 'delete monitor') return present.t('alerts.closed.monitorDeleted');
  if (reason === 'hostRetire' || reason === 'retire host') return present.t('alerts.closed.hostRetired');
  if (reason === 'serviceDelete' || reason === 'delete service') return present.t('alerts.closed.serviceDeleted');
  const said = oneLine(reason, 200);
  if (options.quoted) return plain(said);
  return user ? present.t('alerts.closed.otherBy', { reason: said, user }) : present.t('alerts.closed.other', { reason: said });
}

/**
 * The facts of a closed alert: how it closed, and, when Mackerel's monitoring closed it, the
 * recovery ("recovered: `MY_METRIC` *1* ≤ critical 2 (warning 1)") only when the value really is
 * on the safe side of every threshold; otherwise simply "OK". Never a breach.
 */
export function recoveryLine(ctx: AlertContext, present: Presenter): Mrkdwn {
  const { event } = ctx;
  const closed = closedBy(ctx, present);
  if (closed) return closed;
  const fromWebhook = event.source !== 'poll';
  switch (event.type) {
    case 'connectivity': {
      const name = hostLabel(ctx);
      return present.t('alerts.recovered.data', { host: name ? bold(name) : present.t('alerts.facts.theHost') });
    }
    case 'check':
      return fromWebhook && event.message ? present.t('alerts.recovered.check', { output: oneLine(event.message, 200) }) : present.t('alerts.recovered.ok');
    case 'alertGroup':
      return present.t('alerts.recovered.group');
  }
  if (event.value !== undefined) {
    const t = firedThresholds(ctx);
    const thresholds = [t.warning, t.critical].filter((v): v is number => v !== undefined);
    const safe = t.op !== undefined && thresholds.length > 0 && thresholds.every((v) => !breaches(event.value!, t.op!, v));
    if (safe) {
      const unit = valueUnit(ctx);
      const fmt = (v: number) => formatMeasure(v, unit, present);
      const [level, threshold, otherLevel, other] =
        event.status === 'CRITICAL' && t.critical !== undefined
          ? (['critical', t.critical, 'warning', t.warning] as const)
          : t.warning !== undefined
            ? (['warning', t.warning, 'critical', t.critical] as const)
            : (['critical', t.critical!, 'warning', undefined] as const);
      const values = md`${bold(fmt(event.value))} ${NOT[t.op!]} ${levelWord(level, present)} ${fmt(threshold)}${
        other !== undefined ? md` ${present.t('alerts.value.other', { level: levelWord(otherLevel, present), threshold: fmt(other) })}` : ''
      }`;
      if (event.type === 'external') return present.t('alerts.recovered.value', { comparison: present.t('alerts.value.responseTime', { comparison: values }) });
      const label = subject(ctx);
      return present.t('alerts.recovered.value', { comparison: label ? md`${code(label)} ${values}` : values });
    }
  }
  return present.t('alerts.recovered.ok');
}

const MEMO_LINES = 20;
const MEMO_CHARS = 1500;

/** The monitor's memo for the post: at most 20 lines and 1500 characters once escaped (Slack's section limit is 3000). */
export function memoText(memo: string, present: Presenter): Mrkdwn {
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
  return md`${out}${cut ? md`\n${present.t('alerts.memo.cut')}` : ''}`;
}

/** The band of the ETA: " (band 4 h to 9 h)"; nothing when both ends read the same or none is known. */
/**
 * "full in *6 h* (4 h – 9 h), around Sat Nov 22, 08:00 JST: <why>", or the why alone when
 * the limit is not in sight (or already reached).
 */
export function forecastLine(forecast: ForecastResult, present: Presenter, now: number): Mrkdwn {
  const s = forecast.secondsToLimit;
  if (s === null || s === 0) return describeForecast(forecast, present);
  return present.t('alerts.forecast.eta', {
    duration: bold(present.duration(s)),
    band: describeForecastBand(forecast, present),
    time: present.time(now + s),
    why: describeForecastReason(forecast, present),
  });
}

/** The monitor's name; a monitor without one (Mackerel then gives only its id) is named by its type and metric. */
export function monitorLabel(ctx: AlertContext, present: Presenter): string {
  const { event } = ctx;
  const m = details(ctx);
  const name = m && m.name.trim() !== '' && m.name !== m.id && m.name !== event.monitorId ? m.name.trim() : undefined;
  const given = name ?? event.monitorName ?? event.group?.settingName;
  if (given) return oneLine(given, 100);
  const metric = subject(ctx);
  const short = metric ? oneLine(metric, 60) : undefined;
  switch (event.type) {
    case 'host':
      return short ? present.text('alerts.monitor.metric', { metric: short }) : present.text('alerts.monitor.host');
    case 'service':
      return short ? present.text('alerts.monitor.metric', { metric: short }) : present.text('alerts.monitor.service');
    case 'connectivity':
      return present.text('alerts.monitor.connectivity');
    case 'external': {
      const url = optText(m?.url);
      return url ? present.text('alerts.monitor.externalOf', { url: oneLine(url, 60) }) : present.text('alerts.monitor.external');
    }
    case 'check':
      return present.text('alerts.monitor.check');
    case 'expression':
      return short ? present.text('alerts.monitor.expressionOf', { metric: short }) : present.text('alerts.monitor.expression');
    case 'anomalyDetection':
      return present.text('alerts.monitor.anomaly');
    case 'query':
      return short ? present.text('alerts.monitor.queryOf', { metric: short }) : present.text('alerts.monitor.query');
    case 'alertGroup':
      return present.text('alerts.monitor.group');
    default:
      return present.text('alerts.monitor.other', { type: event.type });
  }
}

/** The monitor and where it fired: "disk used % on web-01" (the host, or the service). */
export function subjectLine(ctx: AlertContext, present: Presenter): string {
  const name = monitorLabel(ctx, present);
  const hostName = hostLabel(ctx);
  const service = ctx.event.serviceName ?? optText(details(ctx)?.service);
  const where = hostName ?? (service && !name.includes(service) ? service : undefined);
  return where ? present.text('alerts.subject.on', { monitor: name, where }) : name;
}

/** Short headline: status, monitor, host (or service). */
export function headline(ctx: AlertContext, status: AlertStatus, present: Presenter): string {
  return `${status} ${subjectLine(ctx, present)}`;
}

/** Why the post mentions people, or not, in the team's words. */
export function mentionReasonText(reason: MentionReason, present: Presenter): Mrkdwn {
  switch (reason.code) {
    case 'resolved':
      return present.t('alerts.mention.resolved');
    case 'critical':
      return present.t('alerts.mention.critical', { status: 'CRITICAL' });
    case 'no-forecast':
      return present.t('alerts.mention.noForecast');
    case 'uncertain-forecast':
      return present.t('alerts.mention.uncertain');
    case 'not-in-sight':
      return present.t('alerts.mention.notInSight');
    case 'already-full':
      return present.t('alerts.mention.alreadyFull');
    case 'urgent-in-hours':
      return present.t('alerts.mention.urgentInHours', { full: present.duration(reason.full) });
    case 'before-next-working-period':
      return present.t('alerts.mention.beforeWork', { full: present.duration(reason.full), when: present.time(reason.when) });
    case 'near-work-start':
      return present.t('alerts.mention.nearWorkStart', { full: present.duration(reason.full), when: present.time(reason.when), margin: present.duration(reason.marginMinutes * 60) });
    case 'can-wait':
      return reason.inHours
        ? present.t('alerts.mention.canWaitInHours', { full: present.duration(reason.full) })
        : present.t('alerts.mention.canWait', { full: present.duration(reason.full), when: present.time(reason.when) });
  }
}

/** "tanaka is on it (since 09:12 JST)…" and "mentions snoozed until …": what people did, as the post shows it. */
function actLines(opts: AlertViewOptions): Mrkdwn[] {
  const { present, acts } = opts;
  const out: Mrkdwn[] = [];
  if (acts?.ackedByName) {
    const name = acts.ackedByName;
    const since = acts.ackedAt ? present.time(acts.ackedAt) : undefined;
    if (opts.resolved) out.push(since ? present.t('alerts.acts.wasOnItSince', { name, time: since }) : present.t('alerts.acts.wasOnIt', { name }));
    else out.push(since ? present.t('alerts.acts.onItSince', { name, time: since }) : present.t('alerts.acts.onIt', { name }));
  }
  if (!opts.resolved && acts?.snoozedUntil && acts.snoozedUntil > opts.now) {
    const time = present.time(acts.snoozedUntil);
    out.push(acts.snoozedByName ? present.t('alerts.acts.snoozedBy', { time, name: acts.snoozedByName }) : present.t('alerts.acts.snoozed', { time }));
  }
  return out;
}

/** The alert post (open, escalated or resolved) as Block Kit with a text fallback. */
export function renderAlertMessage(ctx: AlertContext, opts: AlertViewOptions): ChatMessage {
  const { present } = opts;
  const status = opts.resolved ? 'OK' : ctx.event.status;
  const silenced = mentionsSilenced(opts.acts, opts.now);
  const mention = !opts.resolved && !silenced && opts.decision.mention && opts.mentionTarget ? md`${configuredMention(opts.mentionTarget)} ` : EMPTY;
  const roles = ctx.host?.roles ?? ctx.event.roles ?? [];
  const hostName = hostLabel(ctx);
  const serviceName = ctx.event.serviceName ?? optText(details(ctx)?.service);
  const about = subjectLine(ctx, present);
  const title = opts.resolved
    ? md`${ALERT_STATUS_GLYPHS.OK} ${present.t('alerts.title.resolved', { status: ctx.event.status, subject: about })}`
    : md`${ALERT_STATUS_GLYPHS[status]} *${status}* ${about}`;
  const lines: Mrkdwn[] = [md`${mention}${title}`];
  if (opts.escalatedFrom && !opts.resolved) lines.push(present.t('alerts.escalated', { status: opts.escalatedFrom }));
  if (hostName) {
    lines.push(
      roles.length
        ? present.t('alerts.hostRoles', {
            host: bold(hostName),
            roles: listOf(
              roles.map((r) => code(r)),
              present,
            ),
          })
        : present.t('alerts.host', { host: bold(hostName) }),
    );
  } else if (serviceName) lines.push(present.t('alerts.service', { service: bold(serviceName) }));
  const facts = opts.resolved ? recoveryLine(ctx, present) : valueLine(ctx, present, opts.now);
  if (facts) lines.push(facts);
  const blocks: MessageBlock[] = [section(joinMd(lines, '\n'))];

  if (ctx.forecast && !opts.resolved) {
    const line = forecastLine(ctx.forecast, present, opts.now);
    blocks.push(
      section(md`:hourglass_flowing_sand: ${ctx.resource ? present.t('alerts.forecast.resource', { resource: bold(resourceWords(ctx.resource.pair, present)), forecast: line }) : line}`),
    );
  }
  const memo = ctx.event.memo ?? optText(details(ctx)?.memo);
  if (memo && !opts.resolved) blocks.push(section(md`${present.t(ctx.event.group ? 'alerts.memo.group' : 'alerts.memo.monitor')}\n${memoText(memo, present)}`));
  const notes: Mrkdwn[] = [];
  const reason = mentionReasonText(opts.decision.reason, present);
  if (opts.resolved) {
    const known = !ctx.event.openedAtUnknown && ctx.event.openedAt > 0 && opts.resolved.at >= ctx.event.openedAt;
    const time = present.time(opts.resolved.at);
    notes.push(known ? present.t('alerts.resolvedAtAfter', { time, duration: present.duration(opts.resolved.at - ctx.event.openedAt) }) : present.t('alerts.resolvedAt', { time }));
  } else {
    const noTarget = opts.decision.mention && !opts.mentionTarget && !silenced ? present.t('alerts.noMentionTarget') : EMPTY;
    notes.push(md`${reason}${noTarget}`);
  }
  const links = [link(alertUrl(ctx), ctx.event.group ? present.text('alerts.link.group', { id: ctx.event.group.id }) : present.text('alerts.link.alert', { id: ctx.event.id }))];
  if (ctx.event.group?.settingUrl) links.push(link(ctx.event.group.settingUrl, present.text('alerts.link.groupSetting')));
  const hUrl = hostUrl(ctx);
  if (hUrl) links.push(link(hUrl, hostName ? present.text('alerts.link.inMackerel', { name: hostName }) : present.text('alerts.link.hostInMackerel')));
  else if (ctx.event.serviceUrl && serviceName) links.push(link(ctx.event.serviceUrl, present.text('alerts.link.inMackerel', { name: serviceName })));
  // Mackerel's own graph when opsbot draws none (no forecast graph goes into the thread).
  if (ctx.event.imageUrl && !ctx.resource) links.push(link(ctx.event.imageUrl, present.text('alerts.link.graph')));
  notes.push(joinMd(links, ' · '));
  blocks.push(context(...notes));
  const acts = actLines(opts);
  if (acts.length > 0) blocks.push(context(...acts));
  if (ctx.problems.length > 0) blocks.push(context(md`${OUTCOME_GLYPHS.warning} ${describeAlertProblems(ctx.problems, present)}`));
  if (opts.buttons && !opts.resolved) blocks.push(actions(alertButtons(ctx, opts), `alert:${ctx.event.id}`.slice(0, 255)));

  // The ETA once: a mention reason that names it ("full in 6 h, before work starts …") stands for it.
  const reasonNamesEta = 'full' in opts.decision.reason;
  const eta =
    ctx.forecast && !opts.resolved && !reasonNamesEta && ctx.forecast.secondsToLimit !== null
      ? present.t('alerts.text.eta', { duration: present.duration(ctx.forecast.secondsToLimit) })
      : EMPTY;
  const text = opts.resolved
    ? md`${ALERT_STATUS_GLYPHS.OK} ${present.t('alerts.text.resolved', { status: ctx.event.status, subject: about })}`
    : md`${mention}${ALERT_STATUS_GLYPHS[status]} ${status} ${about}${eta}${present.t('alerts.text.reason', { reason })}`;
  return { text, blocks };
}
