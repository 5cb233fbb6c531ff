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
  /** Monitor type: host, connectivity, service, external, check, expression, anomalyDetection, query; `alertGroup` for an alert group. */
  type: string;
  /**
   * Epoch seconds. When Mackerel sent no usable open time (`openedAt: null`, e.g. some UNKNOWN
   * alerts) this is the best time known (status change, close, or receipt) and `openedAtUnknown` is set.
   */
  openedAt: number;
  /** Set when `openedAt` is not Mackerel's open time: no durations may be computed from it. */
  openedAtUnknown?: true;
  closedAt?: number;
  /** Webhook: when the status last changed (epoch seconds). */
  statusChangedAt?: number;
  /** Why it closed (REST), or the webhook trigger. */
  reason?: string;
  /** Who acted (a manual close): the Mackerel user's screen name. */
  user?: string;
  monitorId?: string;
  hostId?: string;
  /** The value as of the alert (webhook `metricValue`: at detection, or at recovery on a close). */
  value?: number;
  message?: string;
  /** External monitors: the HTTP status code the check got (REST `message` "200", webhook "status is 500"). */
  httpStatus?: number;
  /** What the webhook already tells (it carries no monitor id). */
  monitorName?: string;
  metricLabel?: string;
  /** Thresholds and operator the alert fired on (webhook); the monitor may have changed since. */
  operator?: string;
  warning?: number | null;
  critical?: number | null;
  /** Webhook `duration`: the number of points averaged. */
  duration?: number;
  hostName?: string;
  /** `service:role` strings. */
  roles?: string[];
  /** Service metric and external alerts: the service. */
  serviceName?: string;
  serviceUrl?: string;
  /** Query monitors: the series that fired. */
  series?: { name: string; labels: Record<string, string> };
  /** The monitor's memo (webhook `memo`), where teams keep the runbook. */
  memo?: string;
  /** Mackerel's own graph of the alert (webhook `imageUrl`). */
  imageUrl?: string;
  /** Alert groups: the group setting's name and link, and the group's own id and link. */
  group?: { id: string; settingName?: string; settingUrl?: string };
  orgName?: string;
  url?: string;
  hostUrl?: string;
  source: 'poll' | 'webhook' | 'replay';
}

/**
 * Why a webhook body is not read as an alert, as a code (handlers word it; the webhook reply names it):
 * ignored — Mackerel's test notification, an event that is not about alerts; invalid — not a JSON
 * object, no `event`, no `alert`/`alertGroup` object, a missing or malformed id or status, no time.
 */
export type WebhookIgnoredReason = 'sample' | 'otherEvent';
export type WebhookInvalidReason = 'notObject' | 'noEvent' | 'noAlert' | 'badAlertId' | 'badAlertStatus' | 'noAlertTime' | 'noGroup' | 'badGroupId' | 'badGroupStatus';
export type WebhookReason = WebhookIgnoredReason | WebhookInvalidReason;

/** Outcome of reading a webhook body: an alert, something to acknowledge and ignore, or a rejection. */
export type WebhookReading = { kind: 'alert'; event: AlertEvent } | { kind: 'ignored'; reason: WebhookIgnoredReason } | { kind: 'invalid'; reason: WebhookInvalidReason };

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

/** A point in time (epoch seconds or ms): 0, negatives and non-numbers are not one. */
function epoch(v: unknown): number | undefined {
  const n = num(v);
  return n !== undefined && n > 0 ? n : undefined;
}

/** Text with surrounding blanks removed; blank → undefined. */
function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** The HTTP status an external monitor saw: REST `message` is the bare code ("200"), webhook messages say "status is 500". */
function httpStatusOf(type: string | undefined, message: string | undefined): number | undefined {
  if (type !== 'external' || !message) return undefined;
  const m = /^\s*([1-5]\d\d)\s*$/.exec(message) ?? /\bstatus(?:\s+is|\s*:|\s+code)?\s*([1-5]\d\d)\b/i.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** A query monitor's series: `{name, labels}` with string label values. */
function seriesOf(...candidates: unknown[]): AlertEvent['series'] {
  for (const c of candidates) {
    if (!isObject(c)) continue;
    const name = str(c.name);
    if (!name) continue;
    const labels: Record<string, string> = {};
    if (isObject(c.labels)) for (const [k, v] of Object.entries(c.labels)) if (typeof v === 'string' || typeof v === 'number') labels[k] = String(v);
    return { name, labels };
  }
  return undefined;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

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
 * Returns null for something that is not an alert (no id, unknown status, no `openedAt` key).
 * `closedAt` counts only as a real time (a positive number): Mackerel sends it only once the alert
 * is resolved, so an alert carrying one is closed whatever its status says.
 */
export function fromRestAlert(raw: unknown, source: AlertEvent['source'] = 'poll'): AlertEvent | null {
  const a = isObject(raw) && isObject(raw.alert) ? raw.alert : raw;
  if (!isObject(a)) return null;
  const id = str(a.id);
  const status = parseStatus(a.status);
  if (!id || !status || !('openedAt' in a)) return null;
  const closedAt = epoch(a.closedAt);
  const known = epoch(a.openedAt);
  const type = str(a.type) ?? 'unknown';
  const message = str(a.message);
  return drop({
    id,
    status,
    open: status !== 'OK' && closedAt === undefined,
    type,
    openedAt: known ?? closedAt ?? nowSeconds(),
    openedAtUnknown: known === undefined ? (true as const) : undefined,
    closedAt,
    reason: str(a.reason),
    monitorId: str(a.monitorId),
    hostId: str(a.hostId),
    value: num(a.value),
    message,
    httpStatus: httpStatusOf(type, message),
    series: seriesOf(a.series),
    source,
  });
}

/** An `alertGroup` event as an alert of type `alertGroup` (id `group-<id>`), so it is posted, escalated and resolved like one. */
function readAlertGroup(payload: Record<string, unknown>, source: AlertEvent['source']): WebhookReading {
  const g = payload.alertGroup;
  if (!isObject(g)) return { kind: 'invalid', reason: 'noGroup' };
  const id = str(g.id);
  if (!id || !/^[\w-]{1,58}$/.test(id)) return { kind: 'invalid', reason: 'badGroupId' };
  const status = parseStatus(g.status);
  if (!status) return { kind: 'invalid', reason: 'badGroupStatus' };
  const setting = isObject(payload.alertGroupSetting) ? payload.alertGroupSetting : {};
  // Seconds in Mackerel's samples; milliseconds tolerated.
  const seconds = (v: unknown) => {
    const t = epoch(v);
    return t !== undefined && t > 1e11 ? Math.floor(t / 1000) : t;
  };
  const createdAt = seconds(g.createdAt);
  const closedAt = seconds(g.closedAt);
  const open = status !== 'OK' && closedAt === undefined;
  return {
    kind: 'alert',
    event: drop({
      id: `group-${id}`,
      status,
      open,
      type: 'alertGroup',
      openedAt: createdAt ?? closedAt ?? nowSeconds(),
      openedAtUnknown: createdAt === undefined ? (true as const) : undefined,
      closedAt: open ? undefined : closedAt,
      monitorName: text(setting.name),
      memo: text(setting.memo),
      imageUrl: str(payload.imageUrl),
      group: drop({ id, settingName: text(setting.name), settingUrl: str(setting.url) }),
      orgName: str(payload.orgName),
      url: str(g.url),
      source,
    }),
  };
}

/**
 * Reads a parsed Mackerel webhook body. `sample` (the "Test" button) and events that are not about
 * alerts are acknowledged and ignored. `alertGroup` events become alerts of type `alertGroup`.
 * An `alert` event without a usable id or status is invalid; one whose `openedAt` is null (some
 * UNKNOWN alerts) is read with the best time known and `openedAtUnknown`; one with no time at all
 * (no `openedAt` key, no `createdAt`, no `statusChangedAt`) is not a Mackerel alert body.
 */
export function readWebhookPayload(payload: unknown, source: AlertEvent['source'] = 'webhook'): WebhookReading {
  if (!isObject(payload)) return { kind: 'invalid', reason: 'notObject' };
  const event = payload.event;
  if (typeof event !== 'string' || event === '') return { kind: 'invalid', reason: 'noEvent' };
  if (event === 'sample') return { kind: 'ignored', reason: 'sample' };
  if (event === 'alertGroup') return readAlertGroup(payload, source);
  if (event !== 'alert') return { kind: 'ignored', reason: 'otherEvent' };
  const a = payload.alert;
  if (!isObject(a)) return { kind: 'invalid', reason: 'noAlert' };
  const id = str(a.id);
  if (!id || !/^[\w-]{1,64}$/.test(id)) return { kind: 'invalid', reason: 'badAlertId' };
  const status = parseStatus(a.status);
  if (!status) return { kind: 'invalid', reason: 'badAlertStatus' };
  const createdMs = epoch(a.createdAt);
  const known = epoch(a.openedAt) ?? (createdMs !== undefined ? Math.floor(createdMs / 1000) : undefined);
  const statusChangedAt = epoch(a.statusChangedAt);
  const closedAtRaw = epoch(a.closedAt);
  if (known === undefined && !('openedAt' in a) && statusChangedAt === undefined) return { kind: 'invalid', reason: 'noAlertTime' };
  const open = typeof a.isOpen === 'boolean' ? a.isOpen && status !== 'OK' : status !== 'OK' && closedAtRaw === undefined;
  // Mackerel's own example carries a closedAt on an open alert: only a closed alert has one.
  const closedAt = open ? undefined : closedAtRaw;
  const host = isObject(payload.host) ? payload.host : undefined;
  const service = isObject(payload.service) ? payload.service : undefined;
  const serviceRole = service && Array.isArray(service.roles) ? service.roles.find(isObject) : undefined;
  const type = str(payload.type) ?? 'unknown';
  const message = str(payload.message);
  const trigger = str(a.trigger);
  return {
    kind: 'alert',
    event: drop({
      id,
      status,
      open,
      type,
      openedAt: known ?? statusChangedAt ?? closedAt ?? nowSeconds(),
      openedAtUnknown: known === undefined ? (true as const) : undefined,
      closedAt,
      statusChangedAt,
      reason: open ? undefined : trigger,
      user: isObject(payload.user) ? text(payload.user.screenName) : undefined,
      monitorId: str(a.monitorId),
      hostId: host ? str(host.id) : undefined,
      value: num(a.metricValue),
      message,
      httpStatus: httpStatusOf(type, message),
      monitorName: text(a.monitorName),
      metricLabel: text(a.metricLabel),
      operator: a.monitorOperator === '>' || a.monitorOperator === '<' ? a.monitorOperator : undefined,
      warning: threshold(a.warningThreshold),
      critical: threshold(a.criticalThreshold),
      duration: num(a.duration),
      hostName: host ? str(host.name) : undefined,
      roles: host ? normalizeRoles(host.roles) : undefined,
      serviceName: service ? str(service.name) : undefined,
      serviceUrl: serviceRole ? str(serviceRole.serviceUrl) : undefined,
      series: seriesOf(payload.metric, payload.series, a.series),
      memo: text(payload.memo),
      imageUrl: str(payload.imageUrl),
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
