import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * opsbot's own Prometheus metrics (prom-client), served at `GET /metrics`. One registry per
 * running bot (tests start several in one process); services receive the `Metrics` object and
 * never import prom-client themselves.
 */
export interface Metrics {
  readonly registry: Registry;
  relays: Counter<'outcome' | 'destination_kind'>;
  relayBytes: Counter<'destination_kind'>;
  relaySeconds: Histogram<'outcome'>;
  alertPosts: Counter<'kind'>;
  mackerelCalls: Counter<'route' | 'status'>;
  slackCalls: Counter<'method' | 'result'>;
  outboxDepth: Gauge;
  outboxOldestSeconds: Gauge;
  leaseHeld: Gauge<'role'>;
  /** Text exposition for GET /metrics. */
  expose(): Promise<{ contentType: string; body: string }>;
}

/**
 * A Mackerel API path as a bounded route label: ids and names become placeholders
 * (`api/v0/hosts/:id`), so a label's values stay few whatever the traffic.
 */
export function mackerelRoute(path: string): string {
  const bare = path.split('?')[0]!.replace(/^\/+/, '');
  const parts = bare.split('/');
  const fixed = new Set([
    'api',
    'v0',
    'hosts',
    'services',
    'roles',
    'alerts',
    'monitors',
    'monitoring',
    'checks',
    'org',
    'metrics',
    'metric-names',
    'tsdb',
    'latest',
    'close',
    'alert-groups',
  ]);
  return parts
    .map((p) => (fixed.has(p) ? p : ':id'))
    .join('/')
    .slice(0, 80);
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'opsbot_' });
  const registers = [registry];
  return {
    registry,
    relays: new Counter({
      name: 'opsbot_relays_total',
      help: 'File relays by outcome (stored, duplicate, failed, aborted) and destination kind (s3, file).',
      labelNames: ['outcome', 'destination_kind'],
      registers,
    }),
    relayBytes: new Counter({ name: 'opsbot_relay_bytes_total', help: 'Bytes stored by file relays.', labelNames: ['destination_kind'], registers }),
    relaySeconds: new Histogram({
      name: 'opsbot_relay_duration_seconds',
      help: 'Duration of file relays, from claim to outcome.',
      labelNames: ['outcome'],
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers,
    }),
    alertPosts: new Counter({
      name: 'opsbot_alert_posts_total',
      help: 'What alert events did: posted, updated (edited), closed, duplicate, ignored, failed.',
      labelNames: ['kind'],
      registers,
    }),
    mackerelCalls: new Counter({
      name: 'opsbot_mackerel_calls_total',
      help: 'Mackerel API calls by route and HTTP status (or "error" when no answer).',
      labelNames: ['route', 'status'],
      registers,
    }),
    slackCalls: new Counter({ name: 'opsbot_slack_calls_total', help: 'Slack Web API calls by method and result (ok, error, rate_limited).', labelNames: ['method', 'result'], registers }),
    outboxDepth: new Gauge({ name: 'opsbot_outbox_depth', help: 'Slack side effects queued and not yet sent.', registers }),
    outboxOldestSeconds: new Gauge({ name: 'opsbot_outbox_oldest_age_seconds', help: 'Age of the oldest queued Slack side effect (0 when none).', registers }),
    leaseHeld: new Gauge({
      name: 'opsbot_lease_held',
      help: '1 when this replica holds the leader lease of the role (alert-poller, inventory-refresher), else 0.',
      labelNames: ['role'],
      registers,
    }),
    async expose() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
