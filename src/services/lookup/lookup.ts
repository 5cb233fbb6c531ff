import { closestMatches } from '../inventory/edit-distance.ts';
import { isGlob } from '../inventory/glob.ts';
import { countByStatus, type HostIndex } from '../inventory/host-index.ts';
import { normalizeIp } from '../inventory/ip.ts';
import { HOST_STATUSES } from '../mackerel/types.ts';
import type { HostStatus, InventoryHost } from '../inventory/types.ts';
import type { HostScope, LookupResult, Miss } from './types.ts';

/** Pure queries over a host index; each takes the command's arguments as typed. */
export interface Lookup {
  /** `host <name|id|ip|pattern>...` */
  host(index: HostIndex, args: readonly string[]): LookupResult;
  /** `hosts [service[:role]|pattern] [status...]` */
  hosts(index: HostIndex, args: readonly string[]): LookupResult;
  /** `role <service:role> [status...]` */
  role(index: HostIndex, args: readonly string[]): LookupResult;
  /** `roles <service>` */
  roles(index: HostIndex, args: readonly string[]): LookupResult;
  services(index: HostIndex): LookupResult;
}

const MAX_TERMS = 20;

function isStatus(word: string): word is HostStatus {
  return (HOST_STATUSES as readonly string[]).includes(word.toLowerCase());
}

function hostsResult(scope: HostScope, hosts: InventoryHost[], statuses: HostStatus[], misses: Miss[] = []): LookupResult {
  const wanted = statuses.length ? hosts.filter((h) => statuses.includes(h.status)) : hosts;
  return { kind: 'hosts', scope, statuses, hosts: wanted, counts: countByStatus(wanted), misses };
}

/** Splits trailing status words off; an unknown one is an error naming the valid ones. */
function parseStatuses(words: readonly string[]): HostStatus[] | LookupResult {
  const statuses: HostStatus[] = [];
  for (const word of words) {
    if (!isStatus(word)) {
      const near = closestMatches(word, HOST_STATUSES);
      return { kind: 'usage', message: `"${word}" is not a host status${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}. Statuses: ${HOST_STATUSES.join(', ')}.` };
    }
    const status = word.toLowerCase() as HostStatus;
    if (!statuses.includes(status)) statuses.push(status);
  }
  return statuses;
}

/** `shop:web`, `shop: web` (as Mackerel's scopes write it) or `shop web` → service and role. */
function splitRole(args: readonly string[]): { service: string; role: string; rest: string[] } | undefined {
  const joined = args.slice(0, 3).join(' ');
  const m = /^([^\s:]+):\s*([^\s:]+)/.exec(joined);
  if (!m) return undefined;
  const used = m[0].split(/\s+/).length;
  return { service: m[1]!, role: m[2]!, rest: args.slice(used) };
}

function roleHosts(index: HostIndex, service: string, role: string, statuses: HostStatus[]): LookupResult {
  const svc = index.service(service);
  if (!svc) return { kind: 'not-found', what: 'service', query: service, suggestions: index.suggestServices(service) };
  const roleName = svc.roles.find((r) => r.toLowerCase() === role.toLowerCase());
  if (!roleName) {
    const near = closestMatches(role, svc.roles);
    return { kind: 'not-found', what: 'role', query: `${svc.name}:${role}`, suggestions: near.map((r) => `${svc.name}:${r}`), hint: `Roles of ${svc.name}: ${svc.roles.join(', ') || '(none)'}` };
  }
  return hostsResult({ kind: 'role', service: svc.name, role: roleName }, index.inRole(svc.name, roleName), statuses);
}

/** Resolves one `host` term: a pattern, an address, or a name/id. */
function findTerm(index: HostIndex, term: string): InventoryHost[] {
  if (isGlob(term)) return index.matchPattern(term);
  if (normalizeIp(term)) return index.byIp(term);
  return index.byName(term);
}

/** Creates the lookup queries (stateless; the index carries the data). */
export function createLookup(): Lookup {
  return {
    host(index, args) {
      if (args.length === 0) return { kind: 'usage', message: 'Which host? For example `host web-01`, `host 10.1.2.3` or `host web-*`.' };
      // A display name with spaces ("shop web 1") arrives as several words.
      const whole = args.length > 1 ? index.byName(args.join(' ')) : [];
      if (whole.length === 1) return { kind: 'host', host: whole[0]! };
      const terms = [...new Set(args)].slice(0, MAX_TERMS);
      const found = new Set<InventoryHost>();
      const misses: Miss[] = [];
      for (const term of terms) {
        const hosts = findTerm(index, term);
        for (const h of hosts) found.add(h);
        if (hosts.length === 0) misses.push({ term, suggestions: isGlob(term) || normalizeIp(term) ? [] : index.suggestHostNames(term) });
      }
      if (found.size === 0 && terms.length === 1) {
        const term = terms[0]!;
        const hint = normalizeIp(term) ? 'No interface of any host has that address.' : isGlob(term) ? 'No host name matches that pattern.' : undefined;
        return { kind: 'not-found', what: 'host', query: term, suggestions: misses[0]!.suggestions, ...(hint ? { hint } : {}) };
      }
      if (found.size === 1 && misses.length === 0 && !isGlob(terms[0]!)) return { kind: 'host', host: [...found][0]! };
      const ordered = index.hosts.filter((h) => found.has(h));
      return hostsResult(terms.length === 1 && isGlob(terms[0]!) ? { kind: 'pattern', pattern: terms[0]! } : { kind: 'terms', terms }, ordered, [], misses);
    },

    hosts(index, args) {
      const first = args[0];
      if (first === undefined || isStatus(first)) {
        const statuses = parseStatuses(args);
        return Array.isArray(statuses) ? hostsResult({ kind: 'all' }, [...index.hosts], statuses) : statuses;
      }
      const role = splitRole(args);
      if (role) {
        const statuses = parseStatuses(role.rest);
        return Array.isArray(statuses) ? roleHosts(index, role.service, role.role, statuses) : statuses;
      }
      const statuses = parseStatuses(args.slice(1));
      if (!Array.isArray(statuses)) return statuses;
      if (isGlob(first)) return hostsResult({ kind: 'pattern', pattern: first }, index.matchPattern(first), statuses);
      const service = index.service(first);
      if (service) return hostsResult({ kind: 'service', service: service.name }, index.inService(service.name), statuses);
      return { kind: 'not-found', what: 'service', query: first, suggestions: index.suggestServices(first), hint: 'Give a service, a service:role, or a name pattern like `web-*`.' };
    },

    role(index, args) {
      const role = splitRole(args);
      if (!role) {
        if (args.length === 1 && index.service(args[0]!)) {
          const svc = index.service(args[0]!)!;
          return { kind: 'usage', message: `Which role of ${svc.name}? For example \`role ${svc.name}:${svc.roles[0] ?? 'web'}\`. Roles: ${svc.roles.join(', ') || '(none)'}.` };
        }
        return { kind: 'usage', message: 'Which role? Write it as service:role, for example `role shop:web`.' };
      }
      const statuses = parseStatuses(role.rest);
      return Array.isArray(statuses) ? roleHosts(index, role.service, role.role, statuses) : statuses;
    },

    roles(index, args) {
      const name = args[0]?.replace(/:.*$/, '');
      if (!name) return { kind: 'usage', message: 'Roles of which service? For example `roles shop`; `services` lists them all.' };
      const service = index.service(name);
      if (!service) return { kind: 'not-found', what: 'service', query: name, suggestions: index.suggestServices(name) };
      const roles = service.roles.map((role) => {
        const hosts = index.inRole(service.name, role);
        return { name: role, counts: countByStatus(hosts), total: hosts.length };
      });
      return { kind: 'roles', service, roles };
    },

    services(index) {
      return {
        kind: 'services',
        services: index.services().map((s) => {
          const hosts = index.inService(s.name);
          return { name: s.name, ...(s.memo ? { memo: s.memo } : {}), roles: s.roles, counts: countByStatus(hosts), total: hosts.length };
        }),
      };
    },
  };
}
