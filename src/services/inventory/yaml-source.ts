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
const date = z.union([
  z.number().int().nonnegative(),
  z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected a date like 2025-04-01 or epoch seconds'),
  z.date(),
]);

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

const fileSchema = z.strictObject({
  org: z.string().min(1).default('local'),
  orgUrl: z.string().url().optional(),
  services: z.array(z.strictObject({ name: z.string().regex(NAME, 'letters, digits, - and _'), memo: z.string().optional(), roles: z.array(z.string().regex(NAME)).default([]) })).default([]),
  hosts: z.array(hostSchema),
});

/** A local inventory file that does not follow docs/inventory.md; the message names the entry. */
export class InventoryFileError extends OpsbotError {
  constructor(file: string, detail: string) {
    super('inventory-file', `:warning: The inventory file ${basename(file)} is not valid: ${detail}. See docs/inventory.md.`, {
      message: `inventory file ${file}: ${detail}`,
    });
    this.name = 'InventoryFileError';
  }
}

function toEpochSeconds(value: number | string | Date): number {
  if (typeof value === 'number') return value;
  return Math.floor((value instanceof Date ? value.getTime() : Date.parse(value)) / 1000);
}

function interfacesOf(ips: string[] | undefined, interfaces: { name: string; ips: string[] }[] | undefined): InventoryInterface[] {
  const list = [...(ips?.length ? [{ name: 'eth0', ips }] : []), ...(interfaces ?? [])];
  return list.map((i) => ({
    name: i.name,
    ipv4Addresses: i.ips.filter((a) => !a.includes(':')),
    ipv6Addresses: i.ips.filter((a) => a.includes(':')),
  }));
}

/** Validates parsed YAML into a snapshot (pure; exported for tests and tools). */
export function parseInventoryDocument(doc: unknown, file: string, now: number): InventorySnapshot {
  const result = fileSchema.safeParse(doc);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path;
    let where = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(top level)';
    // Name the host too: "hosts[3] (web-01).status" is easier to find than "hosts[3].status".
    if (path[0] === 'hosts' && typeof path[1] === 'number') {
      const name = (doc as { hosts?: { name?: unknown }[] }).hosts?.[path[1]]?.name;
      if (typeof name === 'string') where = where.replace(`hosts[${path[1]}]`, `hosts[${path[1]}] (${name})`);
    }
    const detail = issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
    throw new InventoryFileError(file, `${where}: ${detail}`);
  }
  const data = result.data;
  const services = new Map<string, InventoryService>(data.services.map((s) => [s.name, { name: s.name, ...(s.memo ? { memo: s.memo } : {}), roles: [...s.roles] }]));
  const seenNames = new Map<string, number>();
  const seenIds = new Map<string, number>();
  const hosts = data.hosts.map((h, i): InventoryHost => {
    const id = h.id ?? `local-${h.name}`;
    const where = `hosts[${i}] (${h.name})`;
    if (seenNames.has(h.name.toLowerCase())) throw new InventoryFileError(file, `${where}: name repeats hosts[${seenNames.get(h.name.toLowerCase())}]`);
    if (seenIds.has(id)) throw new InventoryFileError(file, `${where}: id ${id} repeats hosts[${seenIds.get(id)}]`);
    seenNames.set(h.name.toLowerCase(), i);
    seenIds.set(id, i);
    const roles: Record<string, string[]> = {};
    for (const full of h.roles) {
      const [service, roleName] = full.split(':').map((s) => s.trim()) as [string, string];
      (roles[service] ??= []).push(roleName);
      const entry = services.get(service) ?? { name: service, roles: [] };
      if (!entry.roles.includes(roleName)) entry.roles.push(roleName);
      services.set(service, entry);
    }
    const host: InventoryHost = { id, name: h.name, status: h.status, roles, interfaces: interfacesOf(h.ips, h.interfaces) };
    if (h.displayName) host.displayName = h.displayName;
    if (h.customIdentifier) host.customIdentifier = h.customIdentifier;
    if (h.createdAt !== undefined) host.createdAt = toEpochSeconds(h.createdAt);
    if (h.memo) host.memo = h.memo;
    return host;
  });
  return {
    orgName: data.org,
    ...(data.orgUrl ? { orgUrl: data.orgUrl.replace(/\/$/, '') } : {}),
    hosts,
    services: [...services.values()].map((s) => ({ ...s, roles: s.roles.sort() })),
    fetchedAt: now,
    origin: basename(file),
  };
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
