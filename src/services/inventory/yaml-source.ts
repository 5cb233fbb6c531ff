import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { OpsbotError, type InventoryFormat, type InventoryProblem, type InventoryValueType } from '../../core/errors.ts';
import { HOST_STATUSES } from '../mackerel/types.ts';
import { normalizeIp } from './ip.ts';
import type { InventoryHost, InventoryInterface, InventoryService, InventorySnapshot, InventorySource } from './types.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ROLE = /^[A-Za-z0-9][A-Za-z0-9_-]*:\s*[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** A text rule; its issue carries the format's code (`params.format`), never wording. */
const formatted = (format: InventoryFormat, test: (s: string) => boolean) => z.string().refine(test, { params: { format } });
const ip = formatted('ip', (s) => normalizeIp(s) !== undefined);
const role = formatted('role', (s) => ROLE.test(s));
const name = formatted('name', (s) => NAME.test(s));
const isDate = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && !Number.isNaN(Date.parse(v))) || v instanceof Date;
const date = z.custom<number | string | Date>(isDate, { params: { format: 'date' } });

const hostSchema = z.strictObject({
  name: z.string().min(1),
  id: z.string().min(1).optional(),
  displayName: z.string().min(1).optional(),
  customIdentifier: z.string().min(1).optional(),
  status: z.enum(HOST_STATUSES).default('working'),
  roles: z.array(role).default([]),
  ips: z.array(ip).optional(),
  interfaces: z.array(z.strictObject({ name: z.string().min(1), ips: z.array(ip).default([]) })).optional(),
  createdAt: date.optional(),
  memo: z.string().optional(),
});

const serviceSchema = z.strictObject({ name, memo: z.string().optional(), roles: z.array(name).default([]) });

/** The file's frame; hosts and services are checked one by one, so one bad entry does not sink the rest. */
const fileSchema = z.strictObject({
  org: z.string().min(1).default('local'),
  orgUrl: z.string().url().optional(),
  services: z.array(z.unknown()).default([]),
  hosts: z.array(z.unknown()),
});

/** A local inventory file that does not follow docs/inventory.md: the problem as a code with its path and facts. */
export class InventoryFileError extends OpsbotError<'inventory_file'> {
  constructor(file: string, problem: InventoryProblem, options: { cause?: unknown } = {}) {
    super('inventory_file', { file: basename(file), problem }, { ...options, message: `inventory file ${file}: ${problemForLog(problem)}` });
    this.name = 'InventoryFileError';
  }
}

/** A problem in one line of English, for the operators' log (people read the catalogue's sentence). */
export function problemForLog(problem: InventoryProblem): string {
  const at = (path: string | undefined) => path ?? '(top level)';
  switch (problem.kind) {
    case 'unreadable':
      return `cannot read it (${problem.errno})`;
    case 'not_yaml':
      return problem.line === undefined ? 'not valid YAML' : `not valid YAML (line ${problem.line})`;
    case 'not_mapping':
      return '(top level): not a mapping';
    case 'unknown_keys':
      return `${at(problem.path)}: unknown key(s) ${problem.keys.join(', ')}`;
    case 'missing':
      return `${problem.path}: missing`;
    case 'wrong_type':
      return `${problem.path}: expected ${problem.expected}`;
    case 'not_one_of':
      return `${problem.path}: expected one of ${problem.options.join(', ')}`;
    case 'empty':
      return `${problem.path}: empty`;
    case 'bad_format':
      return `${problem.path}: not a valid ${problem.format}`;
    case 'duplicate_name':
      return `${problem.path}: name repeats ${problem.other}`;
    case 'duplicate_id':
      return `${problem.path}: id ${problem.id} repeats ${problem.other}`;
    case 'invalid':
      return `${at(problem.path)}: invalid value`;
  }
}

function interfacesOf(ips: string[] | undefined, interfaces: { name: string; ips: string[] }[] | undefined): InventoryInterface[] {
  const list = [...(ips?.length ? [{ name: 'eth0', ips }] : []), ...(interfaces ?? [])];
  return list.map((i) => ({
    name: i.name,
    ipv4Addresses: i.ips.filter((a) => !a.includes(':')),
    ipv6Addresses: i.ips.filter((a) => a.includes(':')),
  }));
}

const TYPES: Readonly<Record<string, InventoryValueType>> = { string: 'text', number: 'number', int: 'number', array: 'list', object: 'mapping' };

/** The value at `path` in the parsed document (undefined when absent). */
function valueAt(doc: unknown, path: readonly PropertyKey[]): unknown {
  let value = doc;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** `hosts[3] (web-01).status`: the path as written in the file, the host named too; undefined at the top level. */
function pathOf(path: readonly PropertyKey[], doc: unknown): string | undefined {
  let where = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  if (!where) return undefined;
  // "hosts[3] (web-01).status" is easier to find than "hosts[3].status".
  if (path[0] === 'hosts' && typeof path[1] === 'number') {
    const entry = valueAt(doc, ['hosts', path[1]]);
    const name = entry !== null && typeof entry === 'object' ? (entry as { name?: unknown }).name : undefined;
    if (typeof name === 'string' && name) where = where.replace(`hosts[${path[1]}]`, `hosts[${path[1]}] (${name})`);
  }
  return where;
}

/** The first issue of an entry (or of the file), as a problem code with its facts. */
function problemOf(error: z.ZodError, prefix: readonly PropertyKey[], doc: unknown): InventoryProblem {
  const issue = error.issues[0]!;
  const full = [...prefix, ...issue.path];
  const path = pathOf(full, doc);
  if (issue.code === 'unrecognized_keys') return { kind: 'unknown_keys', ...(path === undefined ? {} : { path }), keys: [...issue.keys] };
  if (path === undefined) return issue.code === 'invalid_type' ? { kind: 'not_mapping' } : { kind: 'invalid' };
  switch (issue.code) {
    case 'invalid_type': {
      if (valueAt(doc, full) === undefined) return { kind: 'missing', path };
      const expected = TYPES[issue.expected];
      return expected ? { kind: 'wrong_type', path, expected } : { kind: 'invalid', path };
    }
    case 'invalid_value':
      return { kind: 'not_one_of', path, options: issue.values.map(String) };
    case 'too_small':
      return { kind: 'empty', path };
    case 'invalid_format':
      return issue.format === 'url' ? { kind: 'bad_format', path, format: 'url' } : { kind: 'invalid', path };
    case 'custom': {
      const format = (issue.params as { format?: InventoryFormat } | undefined)?.format;
      return format ? { kind: 'bad_format', path, format } : { kind: 'invalid', path };
    }
    default:
      return { kind: 'invalid', path };
  }
}

/** Epoch seconds, or undefined for 0, a date before 1970 or one that does not parse (unknown age). */
function toEpochSeconds(value: number | string | Date): number | undefined {
  const seconds = typeof value === 'number' ? value : Math.floor((value instanceof Date ? value.getTime() : Date.parse(value)) / 1000);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/**
 * Validates parsed YAML into a snapshot (pure; exported for tests and tools). A file whose
 * frame is wrong (not a mapping, no host list, an unknown top-level key) is an error; a host or
 * service entry that is wrong is left out and listed in `snapshot.skipped`, unless no host at
 * all is usable, which is an error naming the first problem.
 */
export function parseInventoryDocument(doc: unknown, file: string, now: number): InventorySnapshot {
  const frame = fileSchema.safeParse(doc);
  if (!frame.success) throw new InventoryFileError(file, problemOf(frame.error, [], doc));
  const data = frame.data;
  const problems: InventoryProblem[] = [];
  const services = new Map<string, InventoryService>();
  data.services.forEach((raw, i) => {
    const result = serviceSchema.safeParse(raw);
    if (!result.success) return void problems.push(problemOf(result.error, ['services', i], doc));
    const s = result.data;
    services.set(s.name, { name: s.name, ...(s.memo ? { memo: s.memo } : {}), roles: [...s.roles] });
  });
  const seenNames = new Map<string, number>();
  const seenIds = new Map<string, number>();
  const hosts: InventoryHost[] = [];
  data.hosts.forEach((raw, i) => {
    const result = hostSchema.safeParse(raw);
    if (!result.success) return void problems.push(problemOf(result.error, ['hosts', i], doc));
    const h = result.data;
    const id = h.id ?? `local-${h.name}`;
    const where = `hosts[${i}] (${h.name})`;
    const key = h.name.toLowerCase();
    const other = (j: number) => pathOf(['hosts', j], doc)!;
    if (seenNames.has(key)) return void problems.push({ kind: 'duplicate_name', path: where, other: other(seenNames.get(key)!) });
    if (seenIds.has(id)) return void problems.push({ kind: 'duplicate_id', path: where, id, other: other(seenIds.get(id)!) });
    seenNames.set(key, i);
    seenIds.set(id, i);
    // A Map, not an object: a service called "constructor" must not find Object's own.
    const roleMap = new Map<string, string[]>();
    for (const full of h.roles) {
      const [service, roleName] = full.split(':').map((part) => part.trim()) as [string, string];
      const list = roleMap.get(service) ?? [];
      if (!list.includes(roleName)) list.push(roleName);
      roleMap.set(service, list);
      const entry = services.get(service) ?? { name: service, roles: [] };
      if (!entry.roles.includes(roleName)) entry.roles.push(roleName);
      services.set(service, entry);
    }
    const host: InventoryHost = { id, name: h.name, status: h.status, roles: Object.fromEntries(roleMap), interfaces: interfacesOf(h.ips, h.interfaces) };
    if (h.displayName) host.displayName = h.displayName;
    if (h.customIdentifier) host.customIdentifier = h.customIdentifier;
    const createdAt = h.createdAt === undefined ? undefined : toEpochSeconds(h.createdAt);
    if (createdAt !== undefined) host.createdAt = createdAt;
    if (h.memo) host.memo = h.memo;
    hosts.push(host);
  });
  // Every host wrong is a broken file, not a partial one: say what is wrong with the first.
  if (hosts.length === 0 && data.hosts.length > 0) throw new InventoryFileError(file, problems[0]!);
  const snapshot: InventorySnapshot = {
    orgName: data.org,
    ...(data.orgUrl ? { orgUrl: data.orgUrl.replace(/\/$/, '') } : {}),
    hosts,
    services: [...services.values()].map((s) => ({ ...s, roles: s.roles.sort() })),
    fetchedAt: now,
    origin: basename(file),
  };
  if (problems.length > 0) snapshot.skipped = { count: problems.length, examples: problems.slice(0, 3).map(problemForLog) };
  return snapshot;
}

/** The embedded default: the inventory from a local YAML file, read again on every load. */
export function createYamlInventorySource(options: { file: string; now?: () => number }): InventorySource {
  const now = options.now ?? (() => Date.now() / 1000);
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(options.file, 'utf8');
      } catch (error) {
        throw new InventoryFileError(options.file, { kind: 'unreadable', errno: (error as NodeJS.ErrnoException).code ?? 'UNKNOWN' }, { cause: error });
      }
      let doc: unknown;
      try {
        doc = parseYaml(text);
      } catch (error) {
        const line = (error as { linePos?: { line?: unknown }[] }).linePos?.[0]?.line;
        throw new InventoryFileError(options.file, { kind: 'not_yaml', ...(typeof line === 'number' ? { line } : {}) }, { cause: error });
      }
      return parseInventoryDocument(doc, options.file, now());
    },
  };
}
