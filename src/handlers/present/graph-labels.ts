import { DateTime } from 'luxon';
import type { ResourcePair } from '../../services/alerts/resource-metric.ts';
import type { ForecastMethod } from '../../services/forecast/index.ts';
import type { GraphLabels, GraphSubject, GraphWords } from '../../services/graph/index.ts';
import { zoneAbbreviation } from '../../services/urgency/zone-name.ts';
import type { Presenter } from './presenter.ts';

const METHOD_KEYS: { [M in ForecastMethod]: `graph.method.${M}` } = {
  linear: 'graph.method.linear',
  'recent-trend': 'graph.method.recent-trend',
  'level-shift-adjusted': 'graph.method.level-shift-adjusted',
  'rotation-adjusted': 'graph.method.rotation-adjusted',
  'cycle-envelope': 'graph.method.cycle-envelope',
  uncertain: 'graph.method.uncertain',
  flat: 'graph.method.flat',
  shrinking: 'graph.method.shrinking',
  'already-full': 'graph.method.already-full',
  'insufficient-data': 'graph.method.insufficient-data',
};

const FILESYSTEM = /^filesystem\.(.+)\.used$/;
const LOAD_AVERAGE = /^loadavg\d+$/;
const DAY = 86_400;

/** A resource as the forecast command and alert posts name it: memory in the team's words, a filesystem or other metric by its label (`/dev/xvda1`). */
export function resourceWords(pair: Pick<ResourcePair, 'kind' | 'label'>, present: Presenter): string {
  return pair.kind === 'memory' ? present.text('graph.resource.memory') : pair.label;
}

/** A span of history: whole days as "7 days" / "7日間", anything else as a duration. */
export function spanWords(seconds: number, present: Presenter): string {
  return seconds >= DAY && seconds % DAY === 0 ? present.text('graph.span.days', { count: seconds / DAY }) : present.duration(seconds);
}

/**
 * The words of forecast graphs in the team's language (titles, axes, legend, inline labels, the
 * ETA), given to the services that build graph specs. Times and durations are the presenter's.
 */
export function createGraphLabels(present: Presenter): GraphLabels {
  const resourceName = (subject: Extract<GraphSubject, { kind: 'resource' }>): string => {
    if (FILESYSTEM.test(subject.used)) return present.text('graph.resource.disk', { device: subject.resource });
    return subject.resource;
  };

  const valueAxis = (subject: GraphSubject): string => {
    if (subject.kind === 'metric') {
      if (LOAD_AVERAGE.test(subject.metric)) return present.text('graph.axis.load');
      // Mackerel's CPU percentages add up the cores: the unit is %, though not of 100.
      return subject.metric.endsWith('.percentage') ? `${subject.metric} (%)` : subject.metric;
    }
    if (FILESYSTEM.test(subject.used)) return present.text(subject.percent ? 'graph.axis.diskPercent' : 'graph.axis.diskUsed');
    if (subject.used.startsWith('memory.')) return present.text(subject.percent ? 'graph.axis.memoryPercent' : 'graph.axis.memoryUsed');
    return present.text(subject.percent ? 'graph.axis.percent' : 'graph.axis.used', { name: subject.resource });
  };

  return {
    language: present.language,
    title(subject, options = {}) {
      const title =
        subject.kind === 'metric'
          ? present.text('graph.title.metric', { host: subject.host, metric: subject.metric })
          : subject.used.startsWith('memory.')
            ? present.text(subject.percent ? 'graph.title.memoryPercent' : 'graph.title.memoryUsed', { host: subject.host })
            : present.text(subject.percent ? 'graph.title.percent' : 'graph.title.used', { host: subject.host, resource: resourceName(subject) });
      return options.historySeconds === undefined ? title : present.text('graph.title.span', { title, duration: spanWords(options.historySeconds, present) });
    },
    subtitle({ used, size, method }) {
      const metrics = size === undefined ? used : `${used} / ${size}`;
      return method === null ? metrics : present.text('graph.subtitle', { metrics, method: present.text(METHOD_KEYS[method]) });
    },
    words({ subject, timeZone, now }): GraphWords {
      const zone = zoneAbbreviation(DateTime.fromSeconds(now, { zone: timeZone }));
      return {
        timeAxis: present.text('graph.axis.time', { zone }),
        valueAxis: valueAxis(subject),
        legend: {
          history: present.text('graph.legend.history'),
          trend: present.text('graph.legend.trend'),
          projection: present.text('graph.legend.projection'),
          band: present.text('graph.legend.band'),
        },
        now: present.text('graph.marker.now'),
        warning: present.text('graph.marker.warning'),
        critical: present.text('graph.marker.critical'),
        limit: present.text('graph.marker.limit'),
        noData: present.text('graph.noData'),
      };
    },
    eta({ time, secondsToLimit }) {
      return present.text('graph.eta', { time: present.time(time), duration: present.duration(secondsToLimit) });
    },
  };
}
