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
  | { kind: 'not-found'; what: 'host' | 'service' | 'role'; query: string; suggestions: string[]; hint?: string }
  | { kind: 'usage'; message: string };
