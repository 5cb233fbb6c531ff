import { DateTime } from 'luxon';
import type { ForecastResult } from '../forecast/index.ts';
import type { GraphSpec } from '../graph/index.ts';
import { formatDuration } from '../urgency/index.ts';
import { zoneAbbreviation } from '../urgency/zone-name.ts';
import type { ResourceData } from './alert-context.ts';

/** "Mon 14:00 JST" in the team's zone. */
export function formatLocalTime(time: number, timeZone: string): string {
  const key = `${time}\u0000${timeZone}`;
  let text = localTimes.get(key);
  if (text === undefined) {
    const dt = DateTime.fromSeconds(time, { zone: timeZone }).setLocale('en-US');
    text = `${dt.toFormat('ccc HH:mm')} ${zoneAbbreviation(dt)}`;
    if (localTimes.size >= 1000) localTimes.clear();
    localTimes.set(key, text);
  }
  return text;
}

// The post and its graph both name the ETA, and alerts of one host share it: luxon's zone
// arithmetic (~0.1 ms) is done once per moment.
const localTimes = new Map<string, string>();

const METHOD_WORDS: Record<string, string> = {
  linear: 'linear fit',
  'recent-trend': 'recent trend',
  'level-shift-adjusted': 'trend across level shifts',
  'rotation-adjusted': 'growth of the peaks between cleanups',
  'cycle-envelope': 'peaks of the repeating cycle',
  uncertain: "can't tell yet",
  flat: 'flat',
  shrinking: 'shrinking',
  'already-full': 'already at the limit',
  'insufficient-data': 'too little data',
};

/**
 * The graph of a resource forecast: history, fitted trend, projection with its band, thresholds,
 * the limit, the ETA. `title` names the host and resource; the range is whatever `points` cover.
 */
export function buildForecastGraphSpec(input: { title: string; subtitle?: string; resource: ResourceData; forecast: ForecastResult | null; timeZone: string; now: number }): GraphSpec {
  const { resource, forecast, now, timeZone } = input;
  const spec: GraphSpec = {
    title: input.title,
    subtitle:
      input.subtitle ??
      `${resource.pair.mode === 'percent' ? `${resource.pair.used} / ${resource.pair.size}` : resource.pair.used}${forecast ? ` · ${METHOD_WORDS[forecast.method] ?? forecast.method}` : ''}`,
    unit: resource.unit,
    timeZone,
    now,
    series: resource.points,
    thresholds: {
      limit: resource.limit,
      ...(resource.warning !== undefined ? { warning: resource.warning } : {}),
      ...(resource.critical !== undefined ? { critical: resource.critical } : {}),
    },
  };
  if (forecast?.fitted) spec.trend = { from: forecast.fitted.from, to: forecast.fitted.to };
  if (forecast?.projection) {
    const p = forecast.projection;
    spec.projection = { from: p.from, to: p.to, ...(p.lowTo ? { low: p.lowTo } : {}), ...(p.highTo ? { high: p.highTo } : {}) };
  }
  if (forecast && forecast.secondsToLimit !== null && forecast.secondsToLimit > 0) {
    const eta = now + forecast.secondsToLimit;
    spec.eta = { time: eta, label: `full ~${formatLocalTime(eta, timeZone)} (in ${formatDuration(forecast.secondsToLimit)})` };
  }
  return spec;
}
