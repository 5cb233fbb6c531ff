import type { Logger } from '../../core/logger.ts';
import type { SnapshotStore } from '../../core/state/types.ts';
import type { LeaderLease } from '../leadership/leader-lease.ts';
import type { InventorySnapshot, InventorySource } from './types.ts';

/** The notification topic a new shared snapshot is announced on. */
export const INVENTORY_TOPIC = 'inventory';

export interface SharedInventorySourceOptions {
  /** The real source (Mackerel). */
  source: InventorySource;
  snapshots: SnapshotStore;
  leader: LeaderLease;
  /** The leader's role name (fences the snapshot write). */
  role: string;
  notify: (topic: string) => Promise<void>;
  log: Logger;
}

/**
 * Several replicas, one host listing per TTL: the leader lists Mackerel and stores the snapshot
 * (fenced by its lease); every other replica reads the stored snapshot. Only when no snapshot
 * exists yet (a cold start before any leader has stored one) does a follower list Mackerel itself.
 */
export function createSharedInventorySource(options: SharedInventorySourceOptions): InventorySource {
  const { source, snapshots, leader, log } = options;
  let seen: { version: number; snapshot: InventorySnapshot } | undefined;
  return {
    async load() {
      const lease = leader.current();
      if (lease) {
        const snapshot = await source.load();
        const version = await snapshots.put(options.role, lease, snapshot);
        if (version === null) log.warn('inventory snapshot not stored: the leader lease moved to another replica');
        else {
          seen = { version, snapshot };
          await options.notify(INVENTORY_TOPIC).catch((error: unknown) => log.debug({ err: error }, 'could not announce the inventory snapshot'));
        }
        return snapshot;
      }
      // Version check first: a cheap query; the whole snapshot only when it changed.
      if (seen && (await snapshots.version()) === seen.version) return seen.snapshot;
      const stored = await snapshots.get();
      if (stored) {
        seen = { version: stored.version, snapshot: stored.snapshot as InventorySnapshot };
        return seen.snapshot;
      }
      log.info('no shared inventory snapshot yet: listing Mackerel directly this once');
      return source.load();
    },
  };
}
