import { runInSlices, runToEnd, type SlicedWork } from '../../core/slices.ts';
import { z } from 'zod';
import {
  HOST_STATUSES,
  type AlertStatus,
  type HostStatus,
  type MackerelAlert,
  type MackerelCheckMonitor,
  type MackerelHost,
  type MackerelInterface,
  type MackerelMonitor,
  type MackerelOrg,
  type MackerelRole,
  type MackerelService,
  type MetricPoint,
} from './types.ts';

/**
 * Reading Mackerel's response bodies item by item. Each host, service, alert, monitor or
 * metric point is checked on its own (zod `safeParse`): one that cannot be used is skipped
 * and counted, one with fixable oddities (numbers as strings, `null` lists, a single role
 * instead of a list, a status in capitals) is normalised, and the rest of the list is kept.
 * Nothing here throws, whatever the body is.
 */

/** A list read from a response: the usable items, how many were skipped and why (first few). */
export interface CheckedList<T> {
  items: T[];
  skipped: number;
  /** Up to MAX_EXAMPLES reasons, e.g. `hosts[3] (web-01): status: unknown host status "gone"`. */
  examples: string[];
  /** Set when the body had no such list at all (then `items` is empty). */
  missing?: string;
}

/** A single object read from a response, or why it could not be. */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const MAX_EXAMPLES = 3;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A finite number, or a number written as a string (`"1760000000"`); otherwise undefined. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.length <= 40 && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Required non-empty string; ids sent as numbers become strings. */
const requiredText = z.union([z.string(), z.number().transform(String)]).pipe(z.string().min(1, 'must not be empty'));
/** Optional string: anything else (null, numbers, objects) is dropped, not an error. */
const optionalText = z.unknown().transform(text).optional();
const requiredNumber = z.unknown().transform((v, ctx) => {
  const n = toNumber(v);
  if (n === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a number' });
    return z.NEVER;
  }
  return n;
});
const optionalNumber = z.unknown().transform(toNumber).optional();
/** Epoch seconds where 0, negatives and junk mean "unknown". */
const optionalEpoch = z
  .unknown()
  .transform((v) => {
    const n = toNumber(v);
    return n !== undefined && n > 0 ? n : undefined;
  })
  .optional();
const stringList = z.unknown().transform((v): string[] => {
  if (typeof v === 'string') return v ? [v] : [];
  if (!Array.isArray(v)) return [];
  return v.filter((s): s is string => typeof s === 'string' && s !== '');
});

function enumOf<T extends string>(values: readonly T[], what: string, fold: (s: string) => string) {
  return z.unknown().transform((v, ctx): T => {
    const found = typeof v === 'string' ? values.find((s) => s === fold(v)) : undefined;
    if (found === undefined) {
      ctx.addIssue({ code: 'custom', message: `unknown ${what} ${typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : v === null ? 'null' : typeof v}` });
      return z.NEVER;
    }
    return found;
  });
}

const hostStatus = enumOf<HostStatus>(HOST_STATUSES, 'host status', (s) => s.toLowerCase());
const ALERT_STATUSES: readonly AlertStatus[] = ['OK', 'CRITICAL', 'WARNING', 'UNKNOWN'];
const alertStatus = enumOf<AlertStatus>(ALERT_STATUSES, 'alert status', (s) => s.toUpperCase());

/** Service → role names; a lone role string becomes a list, non-lists become empty. Own keys only. */
const roleMap = z.unknown().transform((v): Record<string, string[]> => {
  if (!isObj(v)) return {};
  // fromEntries defines own properties, so a "__proto__" service cannot reach the prototype.
  return Object.fromEntries(Object.entries(v).map(([service, roles]) => [service, stringList.parse(roles)]));
});

function toInterface(raw: unknown, i: number): MackerelInterface | undefined {
  if (!isObj(raw)) return undefined;
  const out: MackerelInterface = { name: text(raw.name) ?? `if${i}` };
  const mac = text(raw.macAddress);
  if (mac) out.macAddress = mac;
  const v4 = text(raw.ipAddress);
  if (v4) out.ipAddress = v4;
  const v6 = text(raw.ipv6Address);
  if (v6) out.ipv6Address = v6;
  const v4s = stringList.parse(raw.ipv4Addresses);
  if (v4s.length) out.ipv4Addresses = v4s;
  const v6s = stringList.parse(raw.ipv6Addresses);
  if (v6s.length) out.ipv6Addresses = v6s;
  return out;
}

const interfaceList = z.unknown().transform((v): MackerelInterface[] => (Array.isArray(v) ? v.map(toInterface).filter((i): i is MackerelInterface => i !== undefined) : []));

const flag = z
  .unknown()
  .transform((v) => v === true || v === 'true')
  .optional();

const hostSchema = z
  .looseObject({
    id: requiredText,
    name: requiredText,
    status: hostStatus,
    displayName: optionalText,
    customIdentifier: optionalText,
    memo: optionalText,
    isRetired: flag,
    createdAt: optionalEpoch,
    retiredAt: optionalEpoch,
    roles: roleMap.optional(),
    interfaces: interfaceList.optional(),
    size: optionalText,
    meta: z.unknown().optional(),
  })
  .transform((h): MackerelHost => {
    const out: MackerelHost = { id: h.id, name: h.name, status: h.status, roles: h.roles ?? {}, interfaces: h.interfaces ?? [] };
    if (h.displayName) out.displayName = h.displayName;
    if (h.customIdentifier) out.customIdentifier = h.customIdentifier;
    if (h.memo) out.memo = h.memo;
    if (h.isRetired) out.isRetired = true;
    if (h.createdAt !== undefined) out.createdAt = h.createdAt;
    if (h.retiredAt !== undefined) out.retiredAt = h.retiredAt;
    if (h.size) out.size = h.size;
    if (isObj(h.meta)) out.meta = h.meta;
    return out;
  });

const serviceSchema = z
  .looseObject({ name: requiredText, memo: optionalText, roles: stringList.optional() })
  .transform((s): MackerelService => ({ name: s.name, ...(s.memo ? { memo: s.memo } : {}), roles: s.roles ?? [] }));

const roleSchema = z.looseObject({ name: requiredText, memo: optionalText }).transform((r): MackerelRole => ({ name: r.name, ...(r.memo ? { memo: r.memo } : {}) }));

const orgSchema = z
  .looseObject({ name: requiredText, displayName: optionalText })
  .transform((o): MackerelOrg => ({ name: o.name, ...(o.displayName ? { displayName: o.displayName } : {}) }));

const alertSchema = z
  .looseObject({
    id: requiredText,
    status: alertStatus,
    openedAt: requiredNumber,
    monitorId: optionalText,
    type: optionalText,
    hostId: optionalText,
    value: optionalNumber,
    message: optionalText,
    reason: optionalText,
    closedAt: optionalEpoch,
    memo: optionalText,
    series: z.unknown().optional(),
  })
  .transform((a): MackerelAlert => {
    const out: MackerelAlert = { id: a.id, status: a.status, monitorId: a.monitorId ?? '', type: a.type ?? 'unknown', openedAt: a.openedAt };
    if (a.hostId) out.hostId = a.hostId;
    if (a.value !== undefined) out.value = a.value;
    if (a.message) out.message = a.message;
    if (a.reason) out.reason = a.reason;
    if (a.closedAt !== undefined) out.closedAt = a.closedAt;
    if (a.memo) out.memo = a.memo;
    if (isObj(a.series) && typeof a.series.name === 'string') {
      const labels = isObj(a.series.labels) ? Object.fromEntries(Object.entries(a.series.labels).filter((e): e is [string, string] => typeof e[1] === 'string')) : {};
      out.series = { name: a.series.name, labels };
    }
    return out;
  });

/** Threshold-like: a number (or numeric string), null kept as null, anything else dropped. */
const threshold = z.unknown().transform((v): number | null | undefined => (v === null ? null : toNumber(v)));

const MONITOR_NUMBERS = ['notificationInterval', 'duration', 'maxCheckAttempts'] as const;
const MONITOR_TEXTS = ['memo', 'metric', 'expression', 'service', 'url'] as const;

/** Monitor fields vary by type, so unknown keys pass through; the common ones are checked. */
const monitorSchema = z.looseObject({ id: requiredText, type: optionalText, name: optionalText }).transform((m): MackerelMonitor => {
  const out: MackerelMonitor = { ...m, id: m.id, type: m.type ?? 'unknown', name: m.name ?? m.id };
  for (const key of MONITOR_TEXTS) {
    const v = text(out[key]);
    if (v === undefined) delete out[key];
    else out[key] = v;
  }
  for (const key of MONITOR_NUMBERS) {
    const v = toNumber(out[key]);
    if (v === undefined) delete out[key];
    else out[key] = v;
  }
  for (const key of ['warning', 'critical'] as const) {
    if (!(key in out)) continue;
    const v = threshold.parse(out[key]);
    if (v === undefined) delete out[key];
    else out[key] = v;
  }
  if ('operator' in out && out.operator !== '>' && out.operator !== '<') delete out.operator;
  if ('isMute' in out && typeof out.isMute !== 'boolean') delete out.isMute;
  for (const key of ['scopes', 'excludeScopes'] as const) if (key in out) out[key] = stringList.parse(out[key]);
  return out;
});

const checkMonitorSchema = z.looseObject({ id: requiredText, name: optionalText }).transform((c): MackerelCheckMonitor => ({ ...c, id: c.id, name: c.name ?? c.id }));

const pointSchema = z.looseObject({ time: requiredNumber, value: requiredNumber }).transform((p): MetricPoint => ({ time: p.time, value: p.value }));

/** `path: message` of the first issue, short enough for a log line. */
function reasonOf(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return `${path ? `${path}: ` : ''}${issue.message}`.slice(0, 200);
}

function labelOf(raw: unknown): string {
  if (!isObj(raw)) return '';
  const name = typeof raw.name === 'string' ? raw.name : typeof raw.id === 'string' ? raw.id : undefined;
  return name ? ` (${name.slice(0, 60)})` : '';
}

/** Reads `body[key]` as a list, item by item. */
export function checkList<T>(body: unknown, key: string, schema: z.ZodType<T>): CheckedList<T> {
  return runToEnd(checkListSteps(body, key, schema));
}

/** Items checked between two yields when a long list is read in slices (see core/slices.ts). */
const ITEMS_PER_SLICE = 500;

/** `checkList` as sliced work: a list of 10,000 hosts takes ~200 ms to check, too long in one go. */
export function* checkListSteps<T>(body: unknown, key: string, schema: z.ZodType<T>): SlicedWork<CheckedList<T>> {
  const list = isObj(body) ? body[key] : undefined;
  if (!Array.isArray(list)) return { items: [], skipped: 0, examples: [], missing: `the response has no "${key}" list` };
  return yield* checkItems(list, key, schema);
}

function* checkItems<T>(list: readonly unknown[], key: string, schema: z.ZodType<T>): SlicedWork<CheckedList<T>> {
  const items: T[] = [];
  const examples: string[] = [];
  let skipped = 0;
  for (let i = 0; i < list.length; i++) {
    if (i > 0 && i % ITEMS_PER_SLICE === 0) yield;
    const raw = list[i];
    const result = schema.safeParse(raw);
    if (result.success) {
      items.push(result.data);
      continue;
    }
    skipped++;
    if (examples.length < MAX_EXAMPLES) examples.push(`${key}[${i}]${labelOf(raw)}: ${reasonOf(result.error)}`);
  }
  return { items, skipped, examples };
}

/** Reads a single object, bare or wrapped as `{[key]: …}`. */
export function checkOne<T>(body: unknown, key: string, schema: z.ZodType<T>): Checked<T> {
  const raw = isObj(body) && isObj(body[key]) ? body[key] : body;
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: `${key}${labelOf(raw)}: ${reasonOf(result.error)}` };
}

export const parseHostList = (body: unknown) => checkList(body, 'hosts', hostSchema);
/** `parseHostList` in slices, for a whole organisation's listing. */
export const parseHostListInSlices = (body: unknown) => runInSlices(checkListSteps(body, 'hosts', hostSchema));
export const parseHost = (body: unknown) => checkOne(body, 'host', hostSchema);
export const parseServiceList = (body: unknown) => checkList(body, 'services', serviceSchema);
export const parseRoleList = (body: unknown) => checkList(body, 'roles', roleSchema);
export const parseOrg = (body: unknown) => checkOne(body, 'org', orgSchema);
export const parseAlert = (body: unknown) => checkOne(body, 'alert', alertSchema);
export const parseMonitor = (body: unknown) => checkOne(body, 'monitor', monitorSchema);
export const parseMonitorList = (body: unknown) => checkList(body, 'monitors', monitorSchema);
export const parseCheckMonitor = (body: unknown) => checkOne(body, 'check', checkMonitorSchema);
export const parseMetricPoints = (body: unknown) => checkList(body, 'metrics', pointSchema);
export const parseMetricNames = (body: unknown) => checkList(body, 'names', requiredText);

/** An alert page: the usable alerts, and `nextId` only when it is a non-empty string. */
export function parseAlertPage(body: unknown): CheckedList<MackerelAlert> & { nextId?: string } {
  const checked = checkList(body, 'alerts', alertSchema);
  const nextId = isObj(body) ? text(body.nextId) : undefined;
  return nextId ? { ...checked, nextId } : checked;
}

/** `tsdbLatest`: hostId → metric → point; null and unusable points are left out (nulls are not counted: the API sends them for missing metrics). */
export function parseLatest(body: unknown): CheckedList<[string, Record<string, MetricPoint>]> {
  const map = isObj(body) ? body.tsdbLatest : undefined;
  if (!isObj(map)) return { items: [], skipped: 0, examples: [], missing: 'the response has no "tsdbLatest" map' };
  const items: [string, Record<string, MetricPoint>][] = [];
  const examples: string[] = [];
  let skipped = 0;
  for (const [hostId, metrics] of Object.entries(map)) {
    const kept: Record<string, MetricPoint> = {};
    if (isObj(metrics)) {
      for (const [name, point] of Object.entries(metrics)) {
        if (point === null || point === undefined) continue;
        const result = pointSchema.safeParse(point);
        if (result.success) Object.defineProperty(kept, name, { value: result.data, enumerable: true, writable: true, configurable: true });
        else {
          skipped++;
          if (examples.length < MAX_EXAMPLES) examples.push(`tsdbLatest.${hostId.slice(0, 40)}.${name.slice(0, 60)}: ${reasonOf(result.error)}`);
        }
      }
    } else if (metrics !== null) {
      skipped++;
      if (examples.length < MAX_EXAMPLES) examples.push(`tsdbLatest.${hostId.slice(0, 40)}: not an object`);
    }
    items.push([hostId, kept]);
  }
  return { items, skipped, examples };
}
