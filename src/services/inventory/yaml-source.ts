import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { OpsbotError } from '../../core/errors.ts';
import { HOST_STATUSES } from '../mackerel/types.ts';
import { normalizeIp } from './ip.ts';
import type { InventoryHost, InventoryInterface, InventoryService, InventorySnapshot, InventorySource } from './types.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ip = z.string().refine((s) => normalizeIp(s) !== undefined, 'not an IPv4 or IPv6 address');
const role = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*:\s*[A-Za-z0-9][A-Za-z0-9_-]*$/, 'expected "service:role", e.g. "shop:web"');
const date = z.union([z.number().int().nonnegative(), z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected a date like 2025-04-01 or epoch seconds'), z.date()]);

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

const serviceSchema = z.strictObject({ name: z.string().regex(NAME, 'letters, digits, - and _'), memo: z.string().optional(), roles: z.array(z.string().regex(NAME)).default([]) });

/** The file's frame; hosts and services are checked one by one, so one bad entry does not sink the rest. */
const fileSchema = z.strictObject({
  org: z.string().min(1).default('local'),
  orgUrl: z.string().url().optional(),
  services: z.array(z.unknown()).default([]),
  hosts: z.array(z.unknown()),
});

/** A local inventory file that does not follow docs/inventory.md; the message names the entry. */
export class InventoryFileError extends OpsbotError<'inventory_file'> {
  constructor(file: string, detail: string) {
    super('inventory_file', { file: basename(file), problem: detail }, { message: `inventory file ${file}: ${detail}` });
    this.name = 'InventoryFileError';
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

/** `hosts[3] (web-01).status: …` for the first issue of an entry (or of the file). */
function describeIssue(error: z.ZodError, prefix: (string | number)[], doc: unknown): string {
  const issue = error.issues[0]!;
  const path = [...prefix, ...issue.path];
  let where =
    path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '') || '(top level)';
  // Name the host too: "hosts[3] (web-01).status" is easier to find than "hosts[3].status".
  if (path[0] === 'hosts' && typeof path[1] === 'number') {
    const hosts = (doc as { hosts?: unknown } | null)?.hosts;
    const entry = Array.isArray(hosts) ? (hosts[path[1]] as { name?: unknown } | null) : undefined;
    const name = entry && typeof entry === 'object' ? entry.name : undefined;
    if (typeof name === 'string') where = where.replace(`hosts[${path[1]}]`, `hosts[${path[1]}] (${name})`);
  }
  const detail = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
  return `${where}: ${detail}`;
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
  if (!frame.success) throw new InventoryFileError(file, describeIssue(frame.error, [], doc));
  const data = frame.data;
  const problems: string[] = [];
  const services = new Map<string, InventoryService>();
  data.services.forEach((raw, i) => {
    const result = serviceSchema.safeParse(raw);
    if (!result.success) return void problems.push(describeIssue(result.error, ['services', i], doc));
    const s = result.data;
    services.set(s.name, { name: s.name, ...(s.memo ? { memo: s.memo } : {}), roles: [...s.roles] });
  });
  const seenNames = new Map<string, number>();
  const seenIds = new Map<string, number>();
  const hosts: InventoryHost[] = [];
  data.hosts.forEach((raw, i) => {
    const result = hostSchema.safeParse(raw);
    if (!result.success) return void problems.push(describeIssue(result.error, ['hosts', i], doc));
    const h = result.data;
    const id = h.id ?? `local-${h.name}`;
    const where = `hosts[${i}] (${h.name})`;
    const key = h.name.toLowerCase();
    if (seenNames.has(key)) return void problems.push(`${where}: name repeats hosts[${seenNames.get(key)}]`);
    if (seenIds.has(id)) return void problems.push(`${where}: id ${id} repeats hosts[${seenIds.get(id)}]`);
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
  if (problems.length > 0) snapshot.skipped = { count: problems.length, examples: problems.slice(0, 3) };
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
        throw new InventoryFileError(options.file, `cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      let doc: unknown;
      try {
        doc = parseYaml(text);
      } catch (error) {
        throw new InventoryFileError(options.file, `not valid YAML (${(error as Error).message.split('\n')[0]})`);
      }
      return parseInventoryDocument(doc, options.file, now());
    },
  };
}
