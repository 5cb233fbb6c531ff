import { LOOKUP_MATCH_STEPS, LOOKUP_SUGGEST_STEPS, StepBudget } from '../inventory/budget.ts';
import { closestMatches } from '../inventory/edit-distance.ts';
import { isGlob } from '../inventory/glob.ts';
import { countByStatus, type HostIndex, type PatternSearch } from '../inventory/host-index.ts';
import { normalizeIp } from '../inventory/ip.ts';
import { HOST_STATUSES } from '../mackerel/types.ts';
import type { HostStatus, InventoryHost } from '../inventory/types.ts';
import type { HostScope, LookupResult, LookupUsage, Miss, NotFoundHint } from './types.ts';

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

export interface LookupOptions {
  /** Steps one query may spend matching patterns; past it the person is asked to narrow the pattern. */
  matchSteps?: number;
  /** Steps one query may spend on "did you mean"; past it, fewer suggestions. */
  suggestSteps?: number;
  /** Called after each query with the steps it spent (benches, tests, logs). */
  onSteps?: (spent: { match: number; suggest: number }) => void;
}

/** The work allowance of one query. */
interface Budgets {
  match: StepBudget;
  suggest: StepBudget;
}

function isStatus(word: string): word is HostStatus {
  return (HOST_STATUSES as readonly string[]).includes(word.toLowerCase());
}

function hostsResult(scope: HostScope, hosts: InventoryHost[], statuses: HostStatus[], misses: Miss[] = []): LookupResult {
  const wanted = statuses.length ? hosts.filter((h) => statuses.includes(h.status)) : hosts;
  return { kind: 'hosts', scope, statuses, hosts: wanted, counts: countByStatus(wanted), misses };
}

const usage = (u: LookupUsage): LookupResult => ({ kind: 'usage', usage: u });

/** A pattern search that gave no hosts, as the usage problem to explain. */
function patternUsage(found: Exclude<PatternSearch, { kind: 'hosts' }>, pattern: string): LookupResult {
  if (found.kind === 'too-expensive') return usage({ code: 'pattern-too-expensive', pattern });
  const { problem } = found;
  return problem.kind === 'too-long'
    ? usage({ code: 'pattern-too-long', length: problem.length, max: problem.max })
    : usage({ code: 'pattern-reversed-range', set: problem.set, low: problem.low, high: problem.high });
}

/** Splits trailing status words off; an unknown one is an error naming the valid ones. */
function parseStatuses(words: readonly string[]): HostStatus[] | LookupResult {
  const statuses: HostStatus[] = [];
  for (const word of words) {
    if (!isStatus(word)) {
      return usage({ code: 'unknown-status', word, suggestions: closestMatches(word, HOST_STATUSES), statuses: [...HOST_STATUSES] });
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

function roleHosts(index: HostIndex, service: string, role: string, statuses: HostStatus[], budgets: Budgets): LookupResult {
  const svc = index.service(service);
  if (!svc) return { kind: 'not-found', what: 'service', query: service, suggestions: index.suggestServices(service, 3, budgets.suggest) };
  const roleName = svc.roles.find((r) => r.toLowerCase() === role.toLowerCase());
  if (!roleName) {
    const near = closestMatches(role, svc.roles, 3, budgets.suggest);
    return {
      kind: 'not-found',
      what: 'role',
      query: `${svc.name}:${role}`,
      suggestions: near.map((r) => `${svc.name}:${r}`),
      hint: { code: 'roles-of', service: svc.name, roles: [...svc.roles] },
    };
  }
  return hostsResult({ kind: 'role', service: svc.name, role: roleName }, index.inRole(svc.name, roleName), statuses);
}

/** Resolves one `host` term: a pattern, an address, or a name/id; or the usage problem when a pattern cannot be answered. */
function findTerm(index: HostIndex, term: string, budgets: Budgets): InventoryHost[] | LookupResult {
  if (isGlob(term)) {
    const found = index.findPattern(term, budgets.match);
    return found.kind === 'hosts' ? found.hosts : patternUsage(found, term);
  }
  if (normalizeIp(term)) return index.byIp(term);
  return index.byName(term);
}

/**
 * Creates the lookup queries (stateless; the index carries the data). Each query gets its own
 * step budgets, so no message can hold the event loop for long however it is written.
 */
export function createLookup(options: LookupOptions = {}): Lookup {
  const matchSteps = options.matchSteps ?? LOOKUP_MATCH_STEPS;
  const suggestSteps = options.suggestSteps ?? LOOKUP_SUGGEST_STEPS;

  /** Runs one query with fresh budgets, reporting what it spent. */
  function metered<A extends unknown[]>(query: (budgets: Budgets, ...args: A) => LookupResult): (...args: A) => LookupResult {
    return (...args) => {
      const budgets: Budgets = { match: new StepBudget(matchSteps), suggest: new StepBudget(suggestSteps) };
      try {
        return query(budgets, ...args);
      } finally {
        options.onSteps?.({ match: budgets.match.used, suggest: budgets.suggest.used });
      }
    };
  }

  return {
    host: metered((budgets, index: HostIndex, args: readonly string[]): LookupResult => {
      if (args.length === 0) return usage({ code: 'host-missing' });
      // A display name with spaces ("shop web 1") arrives as several words.
      const whole = args.length > 1 ? index.byName(args.join(' ')) : [];
      if (whole.length === 1) return { kind: 'host', host: whole[0]! };
      const terms = [...new Set(args)].slice(0, MAX_TERMS);
      const found = new Set<InventoryHost>();
      const misses: Miss[] = [];
      for (const term of terms) {
        const hosts = findTerm(index, term, budgets);
        if (!Array.isArray(hosts)) return hosts;
        for (const h of hosts) found.add(h);
        if (hosts.length === 0) misses.push({ term, suggestions: isGlob(term) || normalizeIp(term) ? [] : index.suggestHostNames(term, 3, budgets.suggest) });
      }
      if (found.size === 0 && terms.length === 1) {
        const term = terms[0]!;
        const hint: NotFoundHint | undefined = normalizeIp(term) ? { code: 'no-address' } : isGlob(term) ? { code: 'no-pattern-match' } : undefined;
        return { kind: 'not-found', what: 'host', query: term, suggestions: misses[0]!.suggestions, ...(hint ? { hint } : {}) };
      }
      if (found.size === 1 && misses.length === 0 && !isGlob(terms[0]!)) return { kind: 'host', host: [...found][0]! };
      const ordered = index.hosts.filter((h) => found.has(h));
      return hostsResult(terms.length === 1 && isGlob(terms[0]!) ? { kind: 'pattern', pattern: terms[0]! } : { kind: 'terms', terms }, ordered, [], misses);
    }),

    hosts: metered((budgets, index: HostIndex, args: readonly string[]): LookupResult => {
      const first = args[0];
      if (first === undefined || isStatus(first)) {
        const statuses = parseStatuses(args);
        return Array.isArray(statuses) ? hostsResult({ kind: 'all' }, [...index.hosts], statuses) : statuses;
      }
      const role = splitRole(args);
      if (role) {
        const statuses = parseStatuses(role.rest);
        return Array.isArray(statuses) ? roleHosts(index, role.service, role.role, statuses, budgets) : statuses;
      }
      const statuses = parseStatuses(args.slice(1));
      if (!Array.isArray(statuses)) return statuses;
      if (isGlob(first)) {
        const found = index.findPattern(first, budgets.match);
        return found.kind === 'hosts' ? hostsResult({ kind: 'pattern', pattern: first }, found.hosts, statuses) : patternUsage(found, first);
      }
      const service = index.service(first);
      if (service) return hostsResult({ kind: 'service', service: service.name }, index.inService(service.name), statuses);
      return {
        kind: 'not-found',
        what: 'service',
        query: first,
        suggestions: index.suggestServices(first, 3, budgets.suggest),
        hint: { code: 'scope-expected' },
      };
    }),

    role: metered((budgets, index: HostIndex, args: readonly string[]): LookupResult => {
      const role = splitRole(args);
      if (!role) {
        if (args.length === 1 && index.service(args[0]!)) {
          const svc = index.service(args[0]!)!;
          return usage({ code: 'role-of-service', service: svc.name, roles: [...svc.roles] });
        }
        return usage({ code: 'role-missing' });
      }
      const statuses = parseStatuses(role.rest);
      return Array.isArray(statuses) ? roleHosts(index, role.service, role.role, statuses, budgets) : statuses;
    }),

    roles: metered((budgets, index: HostIndex, args: readonly string[]): LookupResult => {
      const name = args[0]?.replace(/:.*$/, '');
      if (!name) return usage({ code: 'service-missing' });
      const service = index.service(name);
      if (!service) return { kind: 'not-found', what: 'service', query: name, suggestions: index.suggestServices(name, 3, budgets.suggest) };
      const roles = service.roles.map((role) => {
        const hosts = index.inRole(service.name, role);
        return { name: role, counts: countByStatus(hosts), total: hosts.length };
      });
      return { kind: 'roles', service, roles };
    }),

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
