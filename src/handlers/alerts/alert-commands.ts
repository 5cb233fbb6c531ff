import type { Command, CommandContext } from '../command-registry.ts';
import { replyTarget } from '../chat-port.ts';
import { renderHosts, renderNotFound, renderUsage, type RenderContext } from '../lookup/render.ts';
import type { AlertDataSource, HostInfo } from '../../services/alerts/alert-data.ts';
import { buildForecastGraphSpec } from '../../services/alerts/alert-graph.ts';
import type { AlertService } from '../../services/alerts/alert-service.ts';
import { forecastHostResources, hostInfoOf, metricHistory, noMetrics, pairsFor } from '../../services/alerts/host-forecast.ts';
import type { InventoryCache } from '../../services/inventory/cache.ts';
import { countByStatus } from '../../services/inventory/host-index.ts';
import { resolveHostWords, type HostResolution } from '../../services/lookup/resolve-host.ts';
import { bold, code, joinMd, link, md, plain, section, type ChatMessage, type Mrkdwn } from '../../core/message.ts';
import { alertUrl, forecastLine, headline } from './render-alert.ts';
import { safeRenderGraph, type GraphSpec } from '../../services/graph/index.ts';
import { formatDuration } from '../../services/urgency/index.ts';
import { OpsbotError, userFacing } from '../../core/errors.ts';

export interface AlertCommandOptions {
  /** `alerts` lists its open alerts. */
  service: Pick<AlertService, 'listOpen'>;
  /**
   * Where `forecast` and `graph` find hosts: the inventory `host` answers from (only `get()` is
   * used), so they take the same names, display names, ids, addresses and patterns.
   */
  inventory: Pick<InventoryCache, 'get'>;
  /** Metric history for `forecast` and `graph`: the source the alert service reads. */
  data: AlertDataSource;
  /** Epoch seconds; the alert service's clock. */
  now: () => number;
  /** For forecast wording and graph axes: the team calendar's time zone. */
  timeZone: string;
  /** Graph renderer; default `safeRenderGraph` (never throws, null on failure). */
  render?: (spec: GraphSpec) => Promise<Buffer | null>;
}

const GLYPH = { CRITICAL: ':red_circle:', WARNING: ':large_orange_circle:', UNKNOWN: ':white_circle:', OK: ':large_green_circle:' };

/** `6h`, `2d`, `7d` → seconds (1 hour … 30 days); null when malformed. */
export function parseRange(text: string | undefined): number | null {
  const m = /^(\d{1,3})([hd])$/i.exec(text ?? '');
  if (!m) return null;
  const seconds = Number(m[1]) * (m[2]!.toLowerCase() === 'h' ? 3600 : 86400);
  return seconds >= 3600 && seconds <= 30 * 86400 ? seconds : null;
}

/** Candidates listed when a host is ambiguous. */
const MAX_CANDIDATES = 10;

/** The found host, or the reply saying why there is none (not found, several, a bad pattern). */
type FoundHost = { host: HostInfo; displayName?: string; rest: string[] } | { reply: ChatMessage };

/** "`web-*` matches 6 hosts; which one?" above the list `host web-*` would give. */
function renderAmbiguous(resolution: Extract<HostResolution, { kind: 'ambiguous' }>, example: (name: string) => string, ctx: RenderContext): ChatMessage {
  const { hosts } = resolution;
  const list = renderHosts({ kind: 'hosts', scope: resolution.scope, statuses: [], hosts, counts: countByStatus(hosts), misses: [] }, { ...ctx, maxListed: MAX_CANDIDATES });
  const question = md`:point_right: ${code(resolution.query)} matches ${hosts.length} hosts. Which one? For example ${code(example(hosts[0]!.name))}.`;
  return { text: md`${resolution.query} matches ${hosts.length} hosts; which one?`, blocks: [section(question), ...(list.blocks ?? [])] };
}

/** `@opsbot alerts`, `forecast <host> [metric]`, `graph <host> <metric> [range]` (`alert replay` is the shell's: alert-replay-command.ts). */
export function createAlertCommands(options: AlertCommandOptions): Command[] {
  const { service, inventory, data, timeZone } = options;
  const clock = options.now;
  const render = options.render ?? ((spec: GraphSpec) => safeRenderGraph(spec, { timeoutMs: 2000 }));
  const fail = (ctx: CommandContext, text: string | Mrkdwn) => ctx.reply({ text: md`:warning: ${text}` }).then(() => undefined);

  /**
   * The host named by the command's first words (a display name may have spaces) and the words
   * after it, resolved the way `host` resolves it; otherwise the reply `host` would give.
   * `example` turns a candidate's name into the command to suggest when several match.
   */
  async function findHost(ctx: CommandContext, example: (name: string) => string): Promise<FoundHost> {
    let view;
    try {
      view = await inventory.get();
    } catch (error) {
      ctx.log.warn({ err: error }, 'inventory unavailable for a host lookup');
      return { reply: { text: plain(error instanceof OpsbotError ? error.userMessage : ':warning: The host inventory is not available right now. Try again in a minute.') } };
    }
    const { resolution, rest } = resolveHostWords(view.index, ctx.args);
    const rctx: RenderContext = {
      now: clock(),
      origin: view.snapshot.origin,
      ageSeconds: view.ageSeconds,
      ...(view.snapshot.orgUrl ? { orgUrl: view.snapshot.orgUrl } : {}),
      ...(view.refreshError ? { refreshError: view.refreshError } : {}),
    };
    switch (resolution.kind) {
      case 'host':
        return { host: hostInfoOf(resolution.host), ...(resolution.host.displayName ? { displayName: resolution.host.displayName } : {}), rest };
      case 'ambiguous':
        return { reply: renderAmbiguous(resolution, (name) => example(name) + (rest.length ? ` ${rest.join(' ')}` : ''), rctx) };
      case 'not-found':
        return { reply: renderNotFound(resolution, rctx) };
      case 'usage':
        return { reply: renderUsage(resolution.usage, rctx) };
    }
  }

  const alerts: Command = {
    name: 'alerts',
    usage: 'alerts',
    examples: ['alerts'],
    async run(ctx) {
      let list;
      try {
        list = await service.listOpen();
      } catch (error) {
        ctx.log.warn({ err: error }, 'listing alerts failed');
        return fail(ctx, `could not list alerts: ${userFacing(error, 'the alert source did not answer. Try again in a minute.')}`);
      }
      if (list.length === 0) return void (await ctx.reply({ text: md`:large_green_circle: No open alerts.` }));
      const lines = list.slice(0, 40).map((a) => {
        const eta = a.secondsToLimit === null ? '' : a.secondsToLimit === 0 ? md` — *at the limit*` : md` — full in ${bold(formatDuration(a.secondsToLimit))}`;
        const url = alertUrl(a.ctx);
        return md`${GLYPH[a.event.status]} ${headline(a.ctx, a.event.status)}${eta}${url ? md` ${link(url, a.event.id)}` : ''}`;
      });
      const more = list.length > 40 ? `\n…and ${list.length - 40} more` : '';
      await ctx.reply({ text: md`*${list.length} open alert${list.length === 1 ? '' : 's'}*\n${joinMd(lines, '\n')}${more}` });
    },
  };

  const forecast: Command = {
    name: 'forecast',
    usage: 'forecast <host> [metric]',
    examples: ['forecast db-01', 'forecast web-01 memory', 'forecast 10.1.2.1 filesystem.xvda1.used'],
    async run(ctx) {
      if (ctx.args.length === 0) return fail(ctx, `usage: ${forecast.usage}`);
      const found = await findHost(ctx, (name) => `forecast ${name}`);
      if ('reply' in found) return void (await ctx.reply(found.reply));
      const { host, rest } = found;
      const [metric] = rest;
      const now = clock();
      const result = await forecastHostResources({ data, host, now, timeZone, ...(metric ? { metric } : {}) });
      if ('error' in result) return fail(ctx, result.error);
      const lines = result.map(({ resource, forecast: f }) => {
        const level = f.currentValue === null ? '' : resource.unit === 'percent' ? ` (${Math.round(f.currentValue)}%)` : '';
        return md`• ${bold(resource.pair.label)}${level}: ${forecastLine(f, timeZone, now)}`;
      });
      await ctx.reply({ text: md`${bold(host.name)}${found.displayName ? md` (${found.displayName})` : ''} forecast\n${joinMd(lines, '\n')}` });
    },
  };

  const graph: Command = {
    name: 'graph',
    usage: 'graph <host> <metric> [range: 6h|2d|7d]',
    examples: ['graph db-01 disk', 'graph web-01 memory 2d', 'graph 10.1.2.1 loadavg5 6h'],
    async run(ctx) {
      if (ctx.args.length < 2) return fail(ctx, `usage: ${graph.usage}`);
      const found = await findHost(ctx, (name) => `graph ${name}`);
      if ('reply' in found) return void (await ctx.reply(found.reply));
      const { host, rest } = found;
      const [metric, rangeText] = rest;
      if (!metric) return fail(ctx, `usage: ${graph.usage}`);
      const span = rangeText === undefined ? 7 * 86400 : parseRange(rangeText);
      if (span === null) return fail(ctx, `range "${rangeText}" is not understood; use e.g. 6h, 2d or 7d (1 h to 30 days)`);
      const now = clock();
      // The try covers fetching only: a reply that fails is not a fetch failure, so replies come after it.
      let spec: GraphSpec | { problem: string };
      try {
        const names = await data.metricNames(host.id);
        if (names.length === 0) {
          spec = { problem: noMetrics(data, host) };
        } else if (pairsFor(metric, names).length > 0) {
          const result = await forecastHostResources({ data, host, metric, now, timeZone, spanSeconds: span });
          if ('error' in result) spec = { problem: result.error };
          else {
            const fullest = result.reduce((a, b) => ((b.forecast.secondsToLimit ?? Infinity) < (a.forecast.secondsToLimit ?? Infinity) ? b : a));
            spec = buildForecastGraphSpec({
              title: `${host.name} ${fullest.resource.pair.label} ${fullest.resource.unit === 'percent' ? 'used %' : 'used'}`,
              resource: fullest.resource,
              forecast: fullest.forecast,
              timeZone,
              now,
            });
          }
        } else if (!names.includes(metric)) {
          spec = { problem: `${host.name} has no metric "${metric}" (it has e.g. ${names.slice(0, 6).join(', ')})` };
        } else {
          const series = await metricHistory(data, host, metric, now, span);
          spec = { title: `${host.name} ${metric}`, unit: /\.(used|size|total)$/.test(metric) ? 'bytes' : 'number', timeZone, now, series };
        }
      } catch (error) {
        ctx.log.warn({ err: error }, 'fetching a graph series failed');
        spec = { problem: `could not fetch ${metric} of ${host.name}: ${userFacing(error, 'the metric source did not answer. Try again in a minute.')}` };
      }
      if ('problem' in spec) return fail(ctx, spec.problem);
      const png = await render(spec);
      if (!png) return fail(ctx, 'the graph could not be rendered (details in the bot log)');
      await ctx.chat.uploadImage(replyTarget(ctx.event), {
        filename: `${host.name}-${metric.replace(/[^\w.-]+/g, '_')}.png`,
        title: spec.title,
        altText: `${spec.title} over the last ${formatDuration(span)}`,
        data: png,
      });
    },
  };

  return [alerts, forecast, graph];
}
