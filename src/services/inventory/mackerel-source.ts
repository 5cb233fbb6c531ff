import type { MackerelClient } from '../mackerel/client.ts';
import type { MackerelHost } from '../mackerel/types.ts';
import type { InventoryHost, InventorySnapshot, InventorySource } from './types.ts';

export interface MackerelSourceOptions {
  client: MackerelClient;
  /** Mackerel's web UI, for links. */
  webUrl?: string;
  now?: () => number;
}

/** Normalizes the API's two interface forms (single address vs arrays; arrays win). */
export function toInventoryHost(host: MackerelHost): InventoryHost {
  const out: InventoryHost = {
    id: host.id,
    name: host.name,
    status: host.status,
    roles: host.roles ?? {},
    interfaces: (host.interfaces ?? []).map((i) => ({
      name: i.name,
      ipv4Addresses: i.ipv4Addresses?.length ? i.ipv4Addresses : i.ipAddress ? [i.ipAddress] : [],
      ipv6Addresses: i.ipv6Addresses?.length ? i.ipv6Addresses : i.ipv6Address ? [i.ipv6Address] : [],
    })),
  };
  // 0 (or nothing usable) means Mackerel does not know: no age rather than "56 years".
  if (typeof host.createdAt === 'number' && Number.isFinite(host.createdAt) && host.createdAt > 0) out.createdAt = host.createdAt;
  if (host.displayName) out.displayName = host.displayName;
  if (host.customIdentifier) out.customIdentifier = host.customIdentifier;
  if (host.memo) out.memo = host.memo;
  return out;
}

/** The whole org from Mackerel: org name, every host of every status (one listing), services. */
export function createMackerelInventorySource(options: MackerelSourceOptions): InventorySource {
  const { client } = options;
  const now = options.now ?? (() => Date.now() / 1000);
  const webUrl = (options.webUrl ?? 'https://mackerel.io/').replace(/\/?$/, '/');
  return {
    async load() {
      // Hosts and services Mackerel sends in a shape the bot cannot use are skipped one by one
      // (the client logs them); the snapshot says how many, and the rest answers lookups.
      const [org, hosts, services] = await Promise.all([client.getOrg(), client.listHostsChecked(), client.listServicesChecked()]);
      const snapshot: InventorySnapshot = {
        orgName: org.name,
        orgUrl: `${webUrl}orgs/${encodeURIComponent(org.name)}`,
        hosts: hosts.items.filter((h) => !h.isRetired).map(toInventoryHost),
        services: services.items.map((s) => ({ name: s.name, ...(s.memo ? { memo: s.memo } : {}), roles: [...s.roles] })),
        fetchedAt: now(),
        origin: 'Mackerel',
      };
      const skipped = hosts.skipped + services.skipped;
      if (skipped > 0) snapshot.skipped = { count: skipped, examples: [...hosts.examples, ...services.examples].slice(0, 3) };
      return snapshot;
    },
  };
}
