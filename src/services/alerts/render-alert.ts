import { bold, code, configuredMention, context, EMPTY, joinMd, link, md, plain, section, type ChatMessage, type MessageBlock, type Mrkdwn } from '../../core/message.ts';
import { formatBand } from '../forecast/wording.ts';
import type { ForecastResult } from '../forecast/index.ts';
import { formatValueAuto, type GraphUnit } from '../graph/index.ts';
import { formatDuration, type MentionDecision } from '../urgency/index.ts';
import type { AlertContext } from './alert-context.ts';
import type { AlertStatus } from './alert-event.ts';
import { formatLocalTime } from './alert-graph.ts';

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
}

const GLYPH: Record<AlertStatus, string> = { CRITICAL: ':red_circle:', WARNING: ':large_orange_circle:', UNKNOWN: ':white_circle:', OK: ':large_green_circle:' };

/** Link to the alert on mackerel.io, from the webhook or built from the org name. */
export function alertUrl(ctx: AlertContext): string | null {
  return ctx.event.url ?? (ctx.org ? `https://mackerel.io/orgs/${encodeURIComponent(ctx.org)}/alerts/${encodeURIComponent(ctx.event.id)}` : null);
}

export function hostUrl(ctx: AlertContext): string | null {
  const id = ctx.host?.id ?? ctx.event.hostId;
  return ctx.event.hostUrl ?? (ctx.org && id ? `https://mackerel.io/orgs/${encodeURIComponent(ctx.org)}/hosts/${encodeURIComponent(id)}` : null);
}

function valueUnit(ctx: AlertContext): GraphUnit {
  const metric = ctx.monitor?.metric ?? ctx.event.metricLabel ?? '';
  if (metric.endsWith('%')) return 'percent';
  return ctx.resource?.unit ?? 'number';
}

/** "value 91.2% > critical 90% (warning 80%)" or null when there is nothing to compare. */
export function valueLine(ctx: AlertContext): Mrkdwn | null {
  const { event, monitor } = ctx;
  if (event.value === undefined) return ctx.event.message ? plain(ctx.event.message.slice(0, 300)) : null;
  const unit = valueUnit(ctx);
  const fmt = (v: number) => formatValueAuto(v, unit);
  const op = monitor?.operator ?? event.operator ?? '>';
  const warning = monitor?.warning ?? event.warning;
  const critical = monitor?.critical ?? event.critical;
  const parts: Mrkdwn[] = [bold(fmt(event.value))];
  const primary = event.status === 'CRITICAL' ? ['critical', critical] as const : ['warning', warning] as const;
  const other = event.status === 'CRITICAL' ? ['warning', warning] as const : ['critical', critical] as const;
  if (typeof primary[1] === 'number') parts.push(md`${op} ${primary[0]} ${fmt(primary[1])}`);
  if (typeof other[1] === 'number') parts.push(md`(${other[0]} ${fmt(other[1])})`);
  const metric = monitor?.metric ?? event.metricLabel;
  return md`${metric ? md`${code(metric)} ` : ''}${joinMd(parts, ' ')}`;
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

/** Short headline: status, monitor, host. */
export function headline(ctx: AlertContext, status: AlertStatus): string {
  const monitorName = ctx.monitor?.name ?? ctx.event.monitorName ?? `${ctx.event.type} alert`;
  const hostName = ctx.host?.name ?? ctx.event.hostName;
  return `${status} ${monitorName}${hostName ? ` on ${hostName}` : ''}`;
}

/** The alert post (open, escalated or resolved) as Block Kit with a text fallback. */
export function renderAlertMessage(ctx: AlertContext, opts: AlertViewOptions): ChatMessage {
  const status = opts.resolved ? 'OK' : ctx.event.status;
  const mention = !opts.resolved && opts.decision.mention && opts.mentionTarget ? md`${configuredMention(opts.mentionTarget)} ` : EMPTY;
  const roles = ctx.host?.roles ?? ctx.event.roles ?? [];
  const hostName = ctx.host?.name ?? ctx.event.hostName;
  const title = opts.resolved
    ? md`${GLYPH.OK} *RESOLVED* ~(was ${ctx.event.status})~ ${headline(ctx, ctx.event.status).replace(/^\S+ /, '')}`
    : md`${GLYPH[status]} *${status}* ${headline(ctx, status).replace(/^\S+ /, '')}`;
  const lines: Mrkdwn[] = [md`${mention}${title}`];
  if (opts.escalatedFrom && !opts.resolved) lines.push(md`:arrow_up: escalated from ${opts.escalatedFrom}`);
  if (hostName) lines.push(md`host ${bold(hostName)}${roles.length ? md` (${joinMd(roles.map((r) => code(r)), ', ')})` : ''}`);
  const value = valueLine(ctx);
  if (value) lines.push(value);
  const blocks: MessageBlock[] = [section(joinMd(lines, '\n'))];

  if (ctx.forecast && !opts.resolved) {
    blocks.push(section(md`:hourglass_flowing_sand: ${ctx.resource ? md`${bold(ctx.resource.pair.label)} ` : ''}${forecastLine(ctx.forecast, opts.timeZone, opts.now)}`));
  }
  const notes: Mrkdwn[] = [];
  if (opts.resolved) {
    notes.push(md`resolved ${formatLocalTime(opts.resolved.at, opts.timeZone)} after ${formatDuration(opts.resolved.at - ctx.event.openedAt)}`);
  } else {
    const noTarget = opts.decision.mention && !opts.mentionTarget ? ' (no alerts.mention configured)' : '';
    notes.push(md`${opts.decision.reason}${noTarget}`);
  }
  const links = [link(alertUrl(ctx), `alert ${ctx.event.id}`)];
  const hUrl = hostUrl(ctx);
  if (hUrl) links.push(link(hUrl, `${hostName ?? 'host'} in Mackerel`));
  notes.push(joinMd(links, ' · '));
  blocks.push(context(...notes));
  if (ctx.problems.length > 0) blocks.push(context(md`:warning: could not fetch: ${ctx.problems.join('; ').slice(0, 1900)}`));

  const eta = ctx.forecast && !opts.resolved && ctx.forecast.secondsToLimit !== null ? ` — full in ${formatDuration(ctx.forecast.secondsToLimit)}` : '';
  const text = opts.resolved
    ? md`${GLYPH.OK} RESOLVED (was ${ctx.event.status}) ${headline(ctx, ctx.event.status).replace(/^\S+ /, '')}`
    : md`${mention}${GLYPH[status]} ${headline(ctx, status)}${eta} (${opts.decision.reason})`;
  return { text, blocks };
}
