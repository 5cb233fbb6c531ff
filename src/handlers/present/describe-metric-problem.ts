import { code, joinMd, type Mrkdwn } from '../../core/message.ts';
import { HOST_STATUSES, type HostStatus } from '../../services/mackerel/types.ts';
import { isMetricProblem, type AlertProblem, type MetricProblem } from '../../services/alerts/metric-problem.ts';
import type { Presenter } from './presenter.ts';

/** Why a host's metrics cannot be forecast or drawn, in the team's language. */
export function describeMetricProblem(problem: MetricProblem, present: Presenter): Mrkdwn {
  switch (problem.code) {
    case 'no_metrics': {
      const mackerel = problem.source === 'mackerel';
      if (!problem.status) return present.t(mackerel ? 'metrics.noMetrics.mackerel' : 'metrics.noMetrics.demo', { host: problem.host });
      const status = isHostStatus(problem.status) ? present.text(`lookup.status.${problem.status}`) : problem.status;
      return present.t(mackerel ? 'metrics.noMetrics.mackerelStatus' : 'metrics.noMetrics.demoStatus', { host: problem.host, status });
    }
    case 'no_pair':
      return present.t('metrics.noPair', { host: problem.host, metric: code(problem.metric) });
    case 'no_resource_metrics':
      return present.t('metrics.noResourceMetrics', { host: problem.host });
    case 'no_values':
      return present.t('metrics.noValues', { metric: code(problem.metric) });
    case 'no_usable_series':
      return present.t('metrics.noUsableSeries', { host: problem.host });
    case 'fetch_failed':
      return present.t('metrics.fetchFailed', { host: problem.host, reason: present.error(problem.error) });
  }
}

function isHostStatus(status: string): status is HostStatus {
  return (HOST_STATUSES as readonly string[]).includes(status);
}

const MAX_SHOWN = 4;

/** The context line of an alert post that could not fetch everything: "could not fetch: host (…); forecast (…)". */
export function describeAlertProblems(problems: readonly AlertProblem[], present: Presenter): Mrkdwn {
  const parts = problems.slice(0, MAX_SHOWN).map((p) => {
    const part = partName(p, present);
    if (p.error === undefined) return part;
    const reason = isMetricProblem(p.error) ? describeMetricProblem(p.error, present) : present.error(p.error);
    return present.t('metrics.partWithReason', { part, reason });
  });
  return present.t('metrics.problems', { problems: joinMd(parts, '; ') });
}

function partName(p: AlertProblem, present: Presenter): Mrkdwn {
  switch (p.part) {
    case 'metricHistory':
      return present.t('metrics.part.metricHistory', { metric: code(p.metric ?? '') });
    case 'series':
      return present.t('metrics.part.series', { metric: p.metric ?? '' });
    default:
      return present.t(`metrics.part.${p.part}`);
  }
}
