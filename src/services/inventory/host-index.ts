import { closestMatches } from './edit-distance.ts';
import { globToRegExp } from './glob.ts';
import { normalizeIp } from './ip.ts';
import type { HostStatus, InventoryHost, InventoryService, InventorySnapshot } from './types.ts';

export type StatusCounts = Record<HostStatus, number>;

/** Read-only lookups over one snapshot; built once per load, so every query is a map access or one scan. */
export interface HostIndex {
  readonly snapshot: InventorySnapshot;
  /** All hosts, sorted by name (numbers in names compare as numbers). */
  readonly hosts: readonly InventoryHost[];
  byId(id: string): InventoryHost | undefined;
  /** Exact, case-insensitive match on name, display name, custom identifier or id. */
  byName(text: string): InventoryHost[];
  /** Any address of any interface, IPv4 or IPv6. */
  byIp(text: string): InventoryHost[];
  inRole(service: string, role: string): InventoryHost[];
  inService(service: string): InventoryHost[];
  /** Glob on name or display name. */
  matchPattern(glob: string): InventoryHost[];
  /** Case-insensitive; includes services only seen in host roles. */
  service(name: string): InventoryService | undefined;
  services(): InventoryService[];
  suggestHostNames(word: string, limit?: number): string[];
  suggestServices(word: string, limit?: number): string[];
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function countByStatus(hosts: Iterable<InventoryHost>): StatusCounts {
  const counts: StatusCounts = { working: 0, standby: 0, maintenance: 0, poweroff: 0 };
  for (const h of hosts) counts[h.status] = (counts[h.status] ?? 0) + 1;
  return counts;
}

function push<K>(map: Map<K, InventoryHost[]>, key: K, host: InventoryHost): void {
  const list = map.get(key);
  if (!list) map.set(key, [host]);
  else if (list.at(-1) !== host) list.push(host);
}

/** Builds the index of a snapshot. */
export function buildHostIndex(snapshot: InventorySnapshot): HostIndex {
  const hosts = [...snapshot.hosts].sort((a, b) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id));
  const ids = new Map<string, InventoryHost>();
  const names = new Map<string, InventoryHost[]>();
  const ips = new Map<string, InventoryHost[]>();
  const roles = new Map<string, InventoryHost[]>();
  const serviceHosts = new Map<string, InventoryHost[]>();
  const services = new Map<string, InventoryService>();

  for (const s of snapshot.services) services.set(s.name.toLowerCase(), { ...s, roles: [...s.roles] });
  for (const host of hosts) {
    ids.set(host.id, host);
    for (const n of [host.name, host.displayName, host.customIdentifier, host.id]) if (n) push(names, n.toLowerCase(), host);
    for (const iface of host.interfaces) {
      for (const ip of [...iface.ipv4Addresses, ...iface.ipv6Addresses]) {
        const key = normalizeIp(ip);
        if (key) push(ips, key, host);
      }
    }
    for (const [service, roleNames] of Object.entries(host.roles)) {
      const skey = service.toLowerCase();
      push(serviceHosts, skey, host);
      let entry = services.get(skey);
      if (!entry) services.set(skey, (entry = { name: service, roles: [] }));
      for (const role of roleNames) {
        push(roles, `${skey}:${role.toLowerCase()}`, host);
        if (!entry.roles.includes(role)) entry.roles.push(role);
      }
    }
  }
  const sortedServices = [...services.values()]
    .map((s) => ({ ...s, roles: [...s.roles].sort(collator.compare) }))
    .sort((a, b) => collator.compare(a.name, b.name));
  const suggestionNames = hosts.flatMap((h) => (h.displayName ? [h.name, h.displayName] : [h.name]));

  return {
    snapshot,
    hosts,
    byId: (id) => ids.get(id),
    byName: (text) => names.get(text.toLowerCase()) ?? [],
    byIp(text) {
      const key = normalizeIp(text);
      return key ? (ips.get(key) ?? []) : [];
    },
    inRole: (service, role) => roles.get(`${service.toLowerCase()}:${role.toLowerCase()}`) ?? [],
    inService: (service) => serviceHosts.get(service.toLowerCase()) ?? [],
    matchPattern(glob) {
      const re = globToRegExp(glob);
      return hosts.filter((h) => re.test(h.name) || (h.displayName !== undefined && re.test(h.displayName)));
    },
    service: (name) => sortedServices.find((s) => s.name.toLowerCase() === name.toLowerCase()),
    services: () => sortedServices,
    suggestHostNames: (word, limit = 3) => closestMatches(word, suggestionNames, limit),
    suggestServices: (word, limit = 3) => closestMatches(word, sortedServices.map((s) => s.name), limit),
  };
}
