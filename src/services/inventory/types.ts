import type { HostStatus } from '../mackerel/types.ts';

export type { HostStatus };

export interface InventoryInterface {
  name: string;
  ipv4Addresses: string[];
  ipv6Addresses: string[];
}

/** A host as lookups need it, whichever source it came from. */
export interface InventoryHost {
  id: string;
  name: string;
  displayName?: string;
  customIdentifier?: string;
  status: HostStatus;
  /** Service name → role names. */
  roles: Record<string, string[]>;
  interfaces: InventoryInterface[];
  /** Epoch seconds, always > 0; absent when unknown (a local inventory may leave it out, Mackerel may send 0). */
  createdAt?: number;
  memo?: string;
}

export interface InventoryService {
  name: string;
  memo?: string;
  roles: string[];
}

export interface InventorySnapshot {
  orgName: string;
  /** Web page of the org, e.g. `https://mackerel.io/orgs/acme`; links are left out without it. */
  orgUrl?: string;
  hosts: InventoryHost[];
  services: InventoryService[];
  /** Epoch seconds. */
  fetchedAt: number;
  /** Where the data came from, for replies: "Mackerel" or the file name. */
  origin: string;
  /** Set when some entries of the source could not be used and were left out (the rest loaded). */
  skipped?: InventorySkips;
}

/** Entries (hosts, services) left out of a snapshot because they did not fit the expected shape. */
export interface InventorySkips {
  count: number;
  /** The first few reasons, e.g. `hosts[3] (web-01): status: unknown host status "gone"`. */
  examples: string[];
}

/** Loads a whole inventory; called by the cache, at most once at a time. */
export interface InventorySource {
  load(): Promise<InventorySnapshot>;
}
