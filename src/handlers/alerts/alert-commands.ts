import { warning, type Command, type CommandContext } from '../command-registry.ts';
import { replyTarget } from '../chat-port.ts';
import { renderHosts, renderNotFound, renderUsage, type RenderContext } from '../lookup/render.ts';
import type { AlertDataSource, HostInfo } from '../../services/alerts/alert-data.ts';
import { buildForecastGraphSpec, buildMetricGraphSpec } from '../../services/alerts/alert-graph.ts';
import type { AlertService } from '../../services/alerts/alert-service.ts';
import { describeMetricProblem } from '../present/describe-metric-problem.ts';
import type { MetricProblem } from '../../services/alerts/metric-problem.ts';
import { forecastHostResources, hostInfoOf, metricHistory, noMetrics, pairsFor } from '../../services/alerts/host-forecast.ts';
import type { InventoryCache } from '../../services/inventory/cache.ts';
import { countByStatus } from '../../services/inventory/host-index.ts';
import { resolveHostWords, type HostResolution } from '../../services/lookup/resolve-host.ts';
import { bold, code, joinMd, link, md, section, type ChatMessage, type Mrkdwn } from '../../core/message.ts';
import { alertUrl, forecastLine, headline } from './render-alert.ts';
import { safeRenderGraph, type GraphSpec } from '../../services/graph/index.ts';
import { ALERT_STATUS_GLYPHS } from '../present/glyphs.ts';
import type { Presenter } from '../present/presenter.ts';
import { createGraphLabels, resourceWords, spanWords } from '../present/graph-labels.ts';
import { listOf } from '../present/list.ts';

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
  /** The team's words, numbers and times; its time zone (the calendar's) words forecasts and draws graph axes. */
  present: Presenter;
  /** Graph renderer; default `safeRenderGraph` (never throws, null on failure). */
  render?: (spec: GraphSpec) => Promise<Buffer | null>;
}

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
  const { present } = ctx;
  const list = renderHosts({ kind: 'hosts', scope: resolution.scope, statuses: [], hosts, counts: countByStatus(hosts), misses: [] }, { ...ctx, maxListed: MAX_CANDIDATES });
  const question = present.t('alerts.cmd.ambiguous', { query: code(resolution.query), count: hosts.length, example: code(example(hosts[0]!.name)) });
  return { text: present.t('alerts.cmd.ambiguousText', { query: resolution.query, count: hosts.length }), blocks: [section(question), ...(list.blocks ?? [])] };
}

/** `@opsbot alerts`, `forecast <host> [metric]`, `graph <host> <metric> [range]` (`alert replay` is the shell's: alert-replay-command.ts). */
export function createAlertCommands(options: AlertCommandOptions): Command[] {
  const { service, inventory, data, present } = options;
  const { timeZone } = present;
  const graphLabels = createGraphLabels(present);
  const clock = options.now;
  const render = options.render ?? ((spec: GraphSpec) => safeRenderGraph(spec, { timeoutMs: 2000 }));
  const say = (ctx: CommandContext, text: Mrkdwn) => ctx.reply({ text }).then(() => undefined);
  const usage = (ctx: CommandContext, command: Command) => say(ctx, present.t('alerts.cmd.usage', { usage: command.usage }));
  /** Why the host's metrics cannot be forecast or drawn. */
  const problemText = (p: MetricProblem) => present.t('alerts.cmd.problem', { problem: describeMetricProblem(p, present) });

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
      return { reply: { text: warning(present.error(error)) } };
    }
    const { resolution, rest } = resolveHostWords(view.index, ctx.args);
    const rctx: RenderContext = {
      present,
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
        return say(ctx, present.t('alerts.cmd.listFailed', { error: present.error(error) }));
      }
      if (list.length === 0) return say(ctx, present.t('alerts.cmd.none'));
      const lines = list.slice(0, 40).map((a) => {
        const eta =
          a.secondsToLimit === null ? '' : a.secondsToLimit === 0 ? present.t('alerts.cmd.atLimit') : present.t('alerts.cmd.fullIn', { duration: present.duration(a.secondsToLimit) });
        const url = alertUrl(a.ctx);
        return md`${ALERT_STATUS_GLYPHS[a.event.status]} ${headline(a.ctx, a.event.status, present)}${eta}${url ? md` ${link(url, a.event.id)}` : ''}`;
      });
      if (list.length > 40) lines.push(present.t('alerts.cmd.more', { count: list.length - 40 }));
      await say(ctx, md`${present.t('alerts.cmd.count', { count: list.length })}\n${joinMd(lines, '\n')}`);
    },
  };

  const forecast: Command = {
    name: 'forecast',
    usage: 'forecast <host> [metric]',
    examples: ['forecast db-01', 'forecast web-01 memory', 'forecast 10.1.2.1 filesystem.xvda1.used'],
    async run(ctx) {
      if (ctx.args.length === 0) return usage(ctx, forecast);
      const found = await findHost(ctx, (name) => `forecast ${name}`);
      if ('reply' in found) return void (await ctx.reply(found.reply));
      const { host, rest } = found;
      const [metric] = rest;
      const now = clock();
      const result = await forecastHostResources({ data, host, now, ...(metric ? { metric } : {}) });
      if ('problem' in result) return say(ctx, problemText(result.problem));
      const lines = result.map(({ resource, forecast: f }) => {
        const level = f.currentValue === null ? '' : resource.unit === 'percent' ? present.t('alerts.cmd.level', { percent: present.number(Math.round(f.currentValue)) }) : '';
        return md`• ${bold(resourceWords(resource.pair, present))}${level}: ${forecastLine(f, present, now)}`;
      });
      const title = found.displayName
        ? present.t('alerts.cmd.forecastTitleNamed', { host: bold(host.name), name: found.displayName })
        : present.t('alerts.cmd.forecastTitle', { host: bold(host.name) });
      await say(ctx, md`${title}\n${joinMd(lines, '\n')}`);
    },
  };

  const graph: Command = {
    name: 'graph',
    usage: 'graph <host> <metric> [range: 6h|2d|7d]',
    examples: ['graph db-01 disk', 'graph web-01 memory 2d', 'graph 10.1.2.1 loadavg5 6h'],
    async run(ctx) {
      if (ctx.args.length < 2) return usage(ctx, graph);
      const found = await findHost(ctx, (name) => `graph ${name}`);
      if ('reply' in found) return void (await ctx.reply(found.reply));
      const { host, rest } = found;
      const [metric, rangeText] = rest;
      if (!metric) return usage(ctx, graph);
      const span = rangeText === undefined ? 7 * 86400 : parseRange(rangeText);
      if (span === null) return say(ctx, present.t('alerts.cmd.badRange', { range: code(rangeText ?? ''), min: present.duration(3600), max: present.duration(30 * 86400) }));
      const now = clock();
      // The try covers fetching only: a reply that fails is not a fetch failure, so replies come after it.
      let spec: GraphSpec | { problem: Mrkdwn };
      try {
        const names = await data.metricNames(host.id);
        if (names.length === 0) {
          spec = { problem: problemText(noMetrics(data, host)) };
        } else if (pairsFor(metric, names).length > 0) {
          const result = await forecastHostResources({ data, host, metric, now, spanSeconds: span });
          if ('problem' in result) spec = { problem: problemText(result.problem) };
          else {
            const fullest = result.reduce((a, b) => ((b.forecast.secondsToLimit ?? Infinity) < (a.forecast.secondsToLimit ?? Infinity) ? b : a));
            // A range asked for is kept; without one the axis is fitted to the forecast.
            spec = buildForecastGraphSpec({
              host: host.name,
              resource: fullest.resource,
              forecast: fullest.forecast,
              labels: graphLabels,
              timeZone,
              now,
              ...(rangeText === undefined ? {} : { historySeconds: span }),
            });
          }
        } else if (!names.includes(metric)) {
          const some = listOf(
            names.slice(0, 6).map((n) => code(n)),
            present,
          );
          spec = { problem: present.t('alerts.cmd.noMetric', { host: host.name, metric: code(metric), names: some }) };
        } else {
          const series = await metricHistory(data, host, metric, now, span);
          spec = buildMetricGraphSpec({ host: host.name, metric, series, labels: graphLabels, timeZone, now, historySeconds: span });
        }
      } catch (error) {
        ctx.log.warn({ err: error }, 'fetching a graph series failed');
        spec = { problem: present.t('alerts.cmd.fetchFailed', { metric: code(metric), host: host.name, error: present.error(error) }) };
      }
      if ('problem' in spec) return say(ctx, spec.problem);
      const png = await render(spec);
      if (!png) return say(ctx, present.t('alerts.cmd.unrendered'));
      await ctx.chat.uploadImage(replyTarget(ctx.event), {
        filename: `${host.name}-${metric.replace(/[^\w.-]+/g, '_')}.png`,
        title: spec.title,
        altText: present.text('alerts.cmd.graphAlt', { title: spec.title, duration: spanWords(span, present) }),
        data: png,
      });
    },
  };

  return [alerts, forecast, graph];
}
