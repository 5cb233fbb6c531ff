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
  /** Epoch seconds; a local inventory may leave it out. */
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
}

/** Loads a whole inventory; called by the cache, at most once at a time. */
export interface InventorySource {
  load(): Promise<InventorySnapshot>;
}
