import type { ForecastResult } from '../forecast/index.ts';
import { fitTimeWindow, pointAt, type GraphLabels, type GraphPoint, type GraphSpec, type GraphSubject, type GraphUnit } from '../graph/index.ts';
import type { ResourceData } from './alert-context.ts';

/** What a forecast graph draws of a forecast. */
export type GraphForecast = Pick<ForecastResult, 'secondsToLimit' | 'low' | 'high' | 'method' | 'fitted' | 'projection'>;

/** The host and the resource a graph is of. */
export function resourceSubject(host: string, resource: ResourceData): GraphSubject {
  return { kind: 'resource', host, resource: resource.pair.label, used: resource.pair.used, percent: resource.unit === 'percent' };
}

/**
 * The graph of a resource forecast: history, fitted trend, projection with its band, thresholds,
 * the limit, the ETA, on a time axis fitted to the forecast (see `fitTimeWindow`). Every word
 * comes from `labels`. `historySeconds`: the span the person asked for (the 7-day button, a
 * `graph` range), kept as asked.
 */
export function buildForecastGraphSpec(input: {
  host: string;
  resource: ResourceData;
  forecast: GraphForecast | null;
  labels: GraphLabels;
  timeZone: string;
  now: number;
  historySeconds?: number;
}): GraphSpec {
  const { resource, forecast, now, timeZone, labels } = input;
  const subject = resourceSubject(input.host, resource);
  const projection = forecast?.projection ?? null;
  const window = fitTimeWindow({
    now,
    dataFrom: firstTime(resource.points),
    secondsToLimit: forecast?.secondsToLimit ?? null,
    low: forecast?.low ?? null,
    high: forecast?.high ?? null,
    projection: projection !== null,
    ...(input.historySeconds !== undefined ? { historySeconds: input.historySeconds } : {}),
  });
  const spec: GraphSpec = {
    title: labels.title(subject, input.historySeconds !== undefined ? { historySeconds: input.historySeconds } : {}),
    subtitle: labels.subtitle({ used: resource.pair.used, ...(resource.pair.mode === 'percent' ? { size: resource.pair.size } : {}), method: forecast?.method ?? null }),
    language: labels.language,
    words: labels.words({ subject, unit: resource.unit, timeZone, now }),
    unit: resource.unit,
    timeZone,
    now,
    window,
    series: resource.points,
    thresholds: {
      limit: resource.limit,
      ...(resource.warning !== undefined ? { warning: resource.warning } : {}),
      ...(resource.critical !== undefined ? { critical: resource.critical } : {}),
    },
  };
  if (forecast?.fitted) spec.trend = { from: forecast.fitted.from, to: forecast.fitted.to };
  if (projection) {
    // A projection that runs past the window (a flat line to the horizon) ends at its edge.
    const to = projection.to.time > window.to && projection.to.time > projection.from.time ? pointAt(projection.from, projection.to, window.to) : projection.to;
    spec.projection = { from: projection.from, to, ...(projection.lowTo ? { low: projection.lowTo } : {}), ...(projection.highTo ? { high: projection.highTo } : {}) };
  }
  if (forecast && forecast.secondsToLimit !== null && forecast.secondsToLimit > 0) {
    const eta = now + forecast.secondsToLimit;
    spec.eta = { time: eta, label: labels.eta({ time: eta, secondsToLimit: forecast.secondsToLimit }) };
  }
  return spec;
}

/**
 * The unit of a host metric by its name: sizes in bytes, else a number (Mackerel's CPU
 * `…percentage` adds up the cores, so it is no 0-100 % scale).
 */
export function metricUnit(metric: string): GraphUnit {
  return /\.(used|size|total|free|available|cached|buffers)$/.test(metric) ? 'bytes' : 'number';
}

/**
 * The graph of a host metric without a forecast (load average, CPU…): the span the person asked
 * for, ending at now.
 */
export function buildMetricGraphSpec(input: { host: string; metric: string; series: GraphPoint[]; labels: GraphLabels; timeZone: string; now: number; historySeconds: number }): GraphSpec {
  const { labels, timeZone, now } = input;
  const subject: GraphSubject = { kind: 'metric', host: input.host, metric: input.metric };
  const unit = metricUnit(input.metric);
  return {
    title: labels.title(subject, { historySeconds: input.historySeconds }),
    language: labels.language,
    words: labels.words({ subject, unit, timeZone, now }),
    unit,
    timeZone,
    now,
    window: fitTimeWindow({ now, dataFrom: firstTime(input.series), secondsToLimit: null, historySeconds: input.historySeconds }),
    series: input.series,
  };
}

function firstTime(points: readonly GraphPoint[]): number | null {
  let first = Infinity;
  for (const p of points) if (Number.isFinite(p.time) && Number.isFinite(p.value) && p.time < first) first = p.time;
  return first === Infinity ? null : first;
}
