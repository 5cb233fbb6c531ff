/**
 * One shape for an alert, whatever brought it: the REST API (`GET /api/v0/alerts`), a Mackerel
 * webhook, or a demo fixture. REST statuses are uppercase, webhook statuses lowercase; `openedAt`
 * is epoch seconds in both (the webhook's `createdAt` is deprecated milliseconds).
 */
export type AlertStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

export interface AlertEvent {
  id: string;
  status: AlertStatus;
  /** False once Mackerel closed it (status OK or a `closedAt`). */
  open: boolean;
  /** Monitor type: host, connectivity, service, external, check, expression, anomalyDetection, query. */
  type: string;
  openedAt: number;
  closedAt?: number;
  /** Why it closed (REST), or the webhook trigger. */
  reason?: string;
  monitorId?: string;
  hostId?: string;
  value?: number;
  message?: string;
  /** What the webhook already tells (it carries no monitor id). */
  monitorName?: string;
  metricLabel?: string;
  operator?: string;
  warning?: number | null;
  critical?: number | null;
  hostName?: string;
  /** `service:role` strings. */
  roles?: string[];
  orgName?: string;
  url?: string;
  hostUrl?: string;
  source: 'poll' | 'webhook' | 'replay';
}

/** Outcome of reading a webhook body: an alert, something to acknowledge and ignore, or a rejection. */
export type WebhookReading =
  | { kind: 'alert'; event: AlertEvent }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

const STATUSES: readonly AlertStatus[] = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function threshold(v: unknown): number | null | undefined {
  if (v === null) return null;
  return num(v);
}

/** `CRITICAL`, `critical`, `Critical` → `CRITICAL`; anything else → undefined. */
export function parseStatus(v: unknown): AlertStatus | undefined {
  if (typeof v !== 'string') return undefined;
  const upper = v.toUpperCase();
  return (STATUSES as readonly string[]).includes(upper) ? (upper as AlertStatus) : undefined;
}

/** Roles from a Mackerel host object (`{svc: [role]}`) or a webhook host (`[{serviceName, roleName}]`). */
export function normalizeRoles(raw: unknown): string[] {
  if (Array.isArray(raw)) {
    return raw.flatMap((r) => {
      if (!isObject(r)) return [];
      const svc = str(r.serviceName);
      const role = str(r.roleName);
      if (svc && role) return [`${svc}:${role}`];
      const full = str(r.fullname);
      return full ? [full.replace(/:\s+/, ':')] : [];
    });
  }
  if (isObject(raw)) {
    return Object.entries(raw).flatMap(([svc, roles]) => (Array.isArray(roles) ? roles.filter((r) => typeof r === 'string').map((r) => `${svc}:${r}`) : []));
  }
  return [];
}

function drop<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as (keyof T)[]) if (obj[key] === undefined) delete obj[key];
  return obj;
}

/**
 * Normalises one alert of `GET /api/v0/alerts` (or `GET /api/v0/alerts/<id>`, bare or wrapped).
 * Returns null for something that is not an alert (no id, unknown status, no `openedAt`).
 */
export function fromRestAlert(raw: unknown, source: AlertEvent['source'] = 'poll'): AlertEvent | null {
  const a = isObject(raw) && isObject(raw.alert) ? raw.alert : raw;
  if (!isObject(a)) return null;
  const id = str(a.id);
  const status = parseStatus(a.status);
  const openedAt = num(a.openedAt);
  if (!id || !status || openedAt === undefined) return null;
  const closedAt = num(a.closedAt);
  return drop({
    id,
    status,
    open: status !== 'OK' && closedAt === undefined,
    type: str(a.type) ?? 'unknown',
    openedAt,
    closedAt,
    reason: str(a.reason),
    monitorId: str(a.monitorId),
    hostId: str(a.hostId),
    value: num(a.value),
    message: str(a.message),
    source,
  });
}

/**
 * Reads a parsed Mackerel webhook body. `sample` (the "Test" button) and non-alert events are
 * acknowledged and ignored; an `alert` event without a usable id, status or open time is invalid.
 */
export function readWebhookPayload(payload: unknown, source: AlertEvent['source'] = 'webhook'): WebhookReading {
  if (!isObject(payload)) return { kind: 'invalid', reason: 'expected a JSON object' };
  const event = payload.event;
  if (typeof event !== 'string' || event === '') return { kind: 'invalid', reason: 'missing "event"' };
  if (event === 'sample') return { kind: 'ignored', reason: 'sample notification' };
  if (event !== 'alert') return { kind: 'ignored', reason: `event "${event.slice(0, 40)}" is not handled` };
  const a = payload.alert;
  if (!isObject(a)) return { kind: 'invalid', reason: 'an alert event needs an "alert" object' };
  const id = str(a.id);
  if (!id || !/^[\w-]{1,64}$/.test(id)) return { kind: 'invalid', reason: 'alert.id is missing or malformed' };
  const status = parseStatus(a.status);
  if (!status) return { kind: 'invalid', reason: 'alert.status must be ok, warning, critical or unknown' };
  const createdMs = num(a.createdAt);
  const openedAt = num(a.openedAt) ?? (createdMs !== undefined ? Math.floor(createdMs / 1000) : undefined);
  if (openedAt === undefined) return { kind: 'invalid', reason: 'alert.openedAt (epoch seconds) is missing' };
  const closedAt = num(a.closedAt);
  const open = typeof a.isOpen === 'boolean' ? a.isOpen && status !== 'OK' : status !== 'OK' && closedAt === undefined;
  const host = isObject(payload.host) ? payload.host : undefined;
  return {
    kind: 'alert',
    event: drop({
      id,
      status,
      open,
      type: str(payload.type) ?? 'unknown',
      openedAt,
      closedAt,
      reason: open ? undefined : str(a.trigger),
      monitorId: str(a.monitorId),
      hostId: host ? str(host.id) : undefined,
      value: num(a.metricValue),
      message: str(payload.message),
      monitorName: str(a.monitorName),
      metricLabel: str(a.metricLabel),
      operator: str(a.monitorOperator),
      warning: threshold(a.warningThreshold),
      critical: threshold(a.criticalThreshold),
      hostName: host ? str(host.name) : undefined,
      roles: host ? normalizeRoles(host.roles) : undefined,
      orgName: str(payload.orgName),
      url: str(a.url),
      hostUrl: host ? str(host.url) : undefined,
      source,
    }),
  };
}

/** Severity order for escalation: OK < UNKNOWN < WARNING < CRITICAL. */
export function severity(status: AlertStatus): number {
  return { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 }[status];
}
