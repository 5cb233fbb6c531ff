import { runInSlices, runToEnd, type SlicedWork } from '../../core/slices.ts';
import { LOOKUP_MATCH_STEPS, LOOKUP_SUGGEST_STEPS, StepBudget } from './budget.ts';
import { closestPrepared, prepareCandidates } from './edit-distance.ts';
import { foldCase, matchGlob, parseGlob, type Glob, type GlobProblem } from './glob.ts';
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
  /**
   * Glob on name or display name (see `parseGlob`), in linear time per name. An invalid
   * pattern matches nothing (use `findPattern` to get the reason). Every comparison is charged
   * to `budget` (default: a fresh one of LOOKUP_MATCH_STEPS); once it is spent the scan stops
   * and `budget.exhausted` says the list is incomplete.
   */
  matchPattern(glob: string | Glob, budget?: StepBudget): InventoryHost[];
  /** `matchPattern` with the outcome spelled out: the hosts, or why there is no answer. */
  findPattern(glob: string, budget?: StepBudget): PatternSearch;
  /** Case-insensitive; includes services only seen in host roles. */
  service(name: string): InventoryService | undefined;
  services(): InventoryService[];
  /** Nearest names; with a budget, stops looking (fewer suggestions) once it is spent. */
  suggestHostNames(word: string, limit?: number, budget?: StepBudget): string[];
  suggestServices(word: string, limit?: number, budget?: StepBudget): string[];
}

/** The outcome of a pattern search: the hosts, or why there is no answer (`invalid` says what is wrong with the pattern; the handlers word it). */
export type PatternSearch = { kind: 'hosts'; hosts: InventoryHost[] } | { kind: 'invalid'; problem: GlobProblem } | { kind: 'too-expensive' };

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

/**
 * A name's sort key: lowercased, accents stripped, every run of digits zero-padded, so plain
 * string order is natural order ("web-2" before "web-10"). Computed once per host: comparing
 * keys is a fraction of the cost of Intl.Collator, which dominated building a 10,000-host index.
 */
function naturalKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\d+/g, (digits) => digits.replace(/^0+(?=\d)/, '').padStart(20, '0'));
}

/** Hosts indexed between two yields to the event loop while an index is built in the background. */
const HOSTS_PER_SLICE = 1000;

/** Builds the index of a snapshot (in one go; see `buildHostIndexInSlices` for large inventories). */
export function buildHostIndex(snapshot: InventorySnapshot): HostIndex {
  return runToEnd(indexSteps(snapshot));
}

/**
 * Builds the index in slices of HOSTS_PER_SLICE hosts, yielding to the event loop between
 * them, so a refresh of tens of thousands of hosts never stalls replies to other people.
 */
export function buildHostIndexInSlices(snapshot: InventorySnapshot): Promise<HostIndex> {
  return runInSlices(indexSteps(snapshot));
}

function* indexSteps(snapshot: InventorySnapshot): SlicedWork<HostIndex> {
  const keyed = snapshot.hosts.map((host) => ({ host, key: naturalKey(host.name) }));
  yield;
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.host.id < b.host.id ? -1 : a.host.id > b.host.id ? 1 : 0));
  const hosts = keyed.map((k) => k.host);
  yield;
  const ids = new Map<string, InventoryHost>();
  const names = new Map<string, InventoryHost[]>();
  const ips = new Map<string, InventoryHost[]>();
  const roles = new Map<string, InventoryHost[]>();
  const serviceHosts = new Map<string, InventoryHost[]>();
  const services = new Map<string, InventoryService>();

  for (const s of snapshot.services) services.set(s.name.toLowerCase(), { ...s, roles: [...s.roles] });
  let sliced = 0;
  for (const host of hosts) {
    if (++sliced % HOSTS_PER_SLICE === 0) yield;
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
  const sortedServices = [...services.values()].map((s) => ({ ...s, roles: [...s.roles].sort(collator.compare) })).sort((a, b) => collator.compare(a.name, b.name));
  yield;
  const suggestionNames = prepareCandidates(hosts.flatMap((h) => (h.displayName ? [h.name, h.displayName] : [h.name])));
  const serviceNames = prepareCandidates(sortedServices.map((s) => s.name));
  const servicesByKey = new Map(sortedServices.map((s) => [s.name.toLowerCase(), s]));
  // Names folded once per load, so a pattern scan does no per-host string work.
  yield;
  const folded = hosts.map((h) => ({ host: h, name: foldCase(h.name), display: h.displayName === undefined ? undefined : foldCase(h.displayName) }));

  function scan(glob: Glob, budget: StepBudget): InventoryHost[] {
    const out: InventoryHost[] = [];
    for (const f of folded) {
      if (matchGlob(glob, f.name, budget) || (f.display !== undefined && matchGlob(glob, f.display, budget))) out.push(f.host);
      if (budget.exhausted) break;
    }
    return out;
  }

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
    matchPattern(glob, budget = new StepBudget(LOOKUP_MATCH_STEPS)) {
      if (typeof glob !== 'string') return scan(glob, budget);
      const parsed = parseGlob(glob);
      return parsed.ok ? scan(parsed.glob, budget) : [];
    },
    findPattern(glob, budget = new StepBudget(LOOKUP_MATCH_STEPS)) {
      const parsed = parseGlob(glob);
      if (!parsed.ok) return { kind: 'invalid', problem: parsed.problem };
      const found = scan(parsed.glob, budget);
      return budget.exhausted ? { kind: 'too-expensive' } : { kind: 'hosts', hosts: found };
    },
    service: (name) => servicesByKey.get(name.toLowerCase()),
    services: () => sortedServices,
    suggestHostNames: (word, limit = 3, budget = new StepBudget(LOOKUP_SUGGEST_STEPS)) => closestPrepared(word, suggestionNames, limit, budget),
    suggestServices: (word, limit = 3, budget = new StepBudget(LOOKUP_SUGGEST_STEPS)) => closestPrepared(word, serviceNames, limit, budget),
  };
}
