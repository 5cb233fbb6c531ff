import type { StatusCounts } from '../inventory/host-index.ts';
import type { HostStatus, InventoryHost, InventoryService } from '../inventory/types.ts';

/** What a list of hosts was selected by; renderers link to the matching Mackerel page. */
export type HostScope =
  { kind: 'role'; service: string; role: string } | { kind: 'service'; service: string } | { kind: 'pattern'; pattern: string } | { kind: 'terms'; terms: string[] } | { kind: 'all' };

/** A term that matched nothing, with the nearest names. */
export interface Miss {
  term: string;
  suggestions: string[];
}

export interface RoleSummary {
  name: string;
  counts: StatusCounts;
  total: number;
}

export interface ServiceSummary {
  name: string;
  memo?: string;
  roles: string[];
  counts: StatusCounts;
  total: number;
}

/**
 * Why a query cannot be answered as typed (the handler words it): nothing typed where a host,
 * role or service was needed, a word that is not a host status, or a pattern that is invalid or
 * too expensive to match.
 */
export type LookupUsage =
  /** `host` with no words. */
  | { code: 'host-missing' }
  /** A command that needs one host got nothing (forecast, graph). */
  | { code: 'host-required' }
  /** `role` with no service:role. */
  | { code: 'role-missing' }
  /** `role shop`: a service without its role. */
  | { code: 'role-of-service'; service: string; roles: string[] }
  /** `roles` with no service. */
  | { code: 'service-missing' }
  | { code: 'unknown-status'; word: string; suggestions: string[]; statuses: HostStatus[] }
  | { code: 'pattern-too-long'; length: number; max: number }
  /** `[z-a]`: the set as typed and its first reversed range. */
  | { code: 'pattern-reversed-range'; set: string; low: string; high: string }
  /** The pattern ran out of its step budget. */
  | { code: 'pattern-too-expensive'; pattern: string };

/** What may help after a miss (the handler words it). */
export type NotFoundHint =
  /** An IP address no interface has. */
  | { code: 'no-address' }
  /** A pattern no host name matches. */
  | { code: 'no-pattern-match' }
  /** `hosts X` where X is no service: a service, service:role or pattern is expected. */
  | { code: 'scope-expected' }
  /** A role the service does not have: the roles it has. */
  | { code: 'roles-of'; service: string; roles: string[] };

/** The outcome of one lookup, before rendering. */
export type LookupResult =
  | { kind: 'host'; host: InventoryHost }
  | {
      kind: 'hosts';
      scope: HostScope;
      /** Status filter applied (empty: every status). */
      statuses: HostStatus[];
      hosts: InventoryHost[];
      /** Counts of `hosts` per status. */
      counts: StatusCounts;
      misses: Miss[];
    }
  | { kind: 'roles'; service: InventoryService; roles: RoleSummary[] }
  | { kind: 'services'; services: ServiceSummary[] }
  | { kind: 'not-found'; what: 'host' | 'service' | 'role'; query: string; suggestions: string[]; hint?: NotFoundHint }
  | { kind: 'usage'; usage: LookupUsage };
