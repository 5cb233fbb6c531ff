import type { Logger } from '../../core/logger.ts';
import type { Lease, LeaseStore } from '../../core/state/types.ts';

export interface LeaderLease {
  /** True while this run holds the role's lease (as of the last renewal). */
  isLeader(): boolean;
  /** The held lease (its token fences the leader's writes), or null. */
  current(): Lease | null;
  /** Tries at once, then renews (or tries again) every third of the lease. */
  start(): void;
  /** Stops, giving the role up so another replica takes it at once. */
  stop(): Promise<void>;
}

export interface LeaderLeaseOptions {
  leases: LeaseStore;
  /** e.g. `alert-poller`, `inventory-refresher`. */
  role: string;
  owner: string;
  /** Lease length on the store's clock. Default 15 s: a dead leader is replaced within about 20 s. */
  ttlSeconds?: number;
  log: Logger;
  /** Told when this run becomes or stops being the leader. */
  onChange?: (leader: boolean) => void;
}

/**
 * One leader per role across replicas, from a lease row with an expiry on the store's clock and a
 * fencing token (not an advisory lock: those break behind PgBouncer's transaction pooling and can
 * outlive a dead client on a half-open connection). Leadership only saves duplicate work — the
 * unique keys of the work itself keep two would-be leaders from doubling anything.
 */
export function createLeaderLease(options: LeaderLeaseOptions): LeaderLease {
  const { leases, role, owner, log } = options;
  const ttl = options.ttlSeconds ?? 15;
  let lease: Lease | null = null;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const set = (next: Lease | null) => {
    const was = lease !== null;
    lease = next;
    if (was !== (next !== null)) {
      log.info({ role, owner, token: next?.token }, next ? 'became leader' : 'no longer leader');
      options.onChange?.(next !== null);
    }
  };

  async function tick(): Promise<void> {
    try {
      set(lease ? await leases.renew(role, lease, ttl) : await leases.acquire(role, owner, ttl));
    } catch (error) {
      // The store is unreachable: stop acting as leader (the lease may lapse meanwhile).
      log.warn({ err: error, role }, 'could not renew the leader lease');
      set(null);
    }
  }

  /** One acquire-or-renew at a time; `tick` handles its own failures, so this never rejects. */
  const step = (): Promise<void> => (running ??= tick().finally(() => (running = undefined)));

  return {
    isLeader: () => lease !== null,
    current: () => lease,
    start() {
      if (timer) return;
      step().catch(() => undefined);
      timer = setInterval(
        () => {
          step().catch(() => undefined);
        },
        (ttl * 1000) / 3,
      );
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
      const held = lease;
      set(null);
      if (held) await leases.release(role, held).catch((error: unknown) => log.warn({ err: error, role }, 'could not release the leader lease'));
    },
  };
}
