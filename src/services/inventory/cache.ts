import { errorMessage, OpsbotError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { buildHostIndexInSlices, type HostIndex } from './host-index.ts';
import type { InventorySnapshot, InventorySource } from './types.ts';

/** What a lookup gets: the data, its index, and how fresh it is. */
export interface InventoryView {
  snapshot: InventorySnapshot;
  index: HostIndex;
  /** Seconds since this data was loaded. */
  ageSeconds: number;
  /** Set when the data is past its TTL because refreshing failed: why (handlers word it with `present.error`). */
  refreshError?: OpsbotError;
}

export interface InventoryCache {
  /** Fresh data at once; past the TTL the old data at once while one refresh runs in the background. */
  get(): Promise<InventoryView>;
  /** Loads now (joining a load already running). */
  refresh(): Promise<InventoryView>;
  /** Refreshes every TTL in the background, so lookups after a quiet spell are fresh too. */
  start(): void;
  stop(): void;
  stats(): { loads: number; failures: number };
  /** Resolves once no load is running (shutdown, tests, benches). */
  idle(): Promise<void>;
}

export interface InventoryCacheOptions {
  source: InventorySource;
  ttlSeconds: number;
  /** Epoch seconds. */
  now?: () => number;
  log: Logger;
  /** After a failed load, wait this long before trying again (default: the TTL, at most 60 s). */
  retryAfterFailureSeconds?: number;
}

interface Entry {
  snapshot: InventorySnapshot;
  index: HostIndex;
  loadedAt: number;
}

/**
 * Caches one inventory snapshot with its index. Loads are single-flight, so however many
 * lookups arrive, the source is asked at most once per TTL (and once per retry interval
 * while it fails). A failed refresh keeps the last good snapshot and says how old it is.
 */
export function createInventoryCache(options: InventoryCacheOptions): InventoryCache {
  const { source, ttlSeconds, log } = options;
  const now = options.now ?? (() => Date.now() / 1000);
  const retryAfterFailure = options.retryAfterFailureSeconds ?? Math.min(ttlSeconds, 60);
  let current: Entry | undefined;
  let inflight: Promise<Entry> | undefined;
  let lastFailure: { error: unknown; at: number } | undefined;
  let loads = 0;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;

  function load(): Promise<Entry> {
    if (inflight) return inflight;
    loads++;
    const started = now();
    inflight = source
      .load()
      .then(async (snapshot) => {
        current = { snapshot, index: await buildHostIndexInSlices(snapshot), loadedAt: now() };
        lastFailure = undefined;
        const loaded = { hosts: snapshot.hosts.length, services: snapshot.services.length, seconds: now() - started };
        // Once per load, not per lookup: what was left out and why (a warning then).
        if (snapshot.skipped) log.warn({ ...loaded, skipped: snapshot.skipped.count, skippedExamples: snapshot.skipped.examples }, 'inventory loaded; some entries skipped');
        else log.info(loaded, 'inventory loaded');
        return current;
      })
      .catch((error: unknown) => {
        failures++;
        lastFailure = { error, at: now() };
        log.warn({ err: error, cachedAgeSeconds: current ? now() - current.loadedAt : null }, 'inventory load failed');
        throw error;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  const coolingDown = () => lastFailure !== undefined && now() - lastFailure.at < retryAfterFailure;

  function view(entry: Entry): InventoryView {
    const ageSeconds = Math.max(0, now() - entry.loadedAt);
    const v: InventoryView = { snapshot: entry.snapshot, index: entry.index, ageSeconds };
    if (lastFailure && ageSeconds >= ttlSeconds) v.refreshError = loadFailure(lastFailure.error);
    return v;
  }

  function unavailable(error: unknown): OpsbotError {
    return new OpsbotError('inventory_unavailable', {}, { cause: loadFailure(error), message: `no cached inventory to answer from: ${errorMessage(error)}` });
  }

  return {
    async get() {
      if (!current) {
        if (coolingDown()) throw unavailable(lastFailure!.error);
        try {
          return view(await load());
        } catch (error) {
          throw unavailable(error);
        }
      }
      if (now() - current.loadedAt >= ttlSeconds && !inflight && !coolingDown()) {
        load().catch(() => undefined); // logged in load(); the old data answers meanwhile
      }
      return view(current);
    },
    async refresh() {
      try {
        return view(await load());
      } catch (error) {
        if (current) return view(current);
        throw unavailable(error);
      }
    },
    start() {
      if (timer) return;
      timer = setInterval(
        () => {
          if (!inflight && !coolingDown() && (!current || now() - current.loadedAt >= ttlSeconds)) load().catch(() => undefined);
        },
        Math.max(1, Math.min(ttlSeconds, retryAfterFailure)) * 1000,
      );
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    stats: () => ({ loads, failures }),
    async idle() {
      await inflight?.catch(() => undefined);
    },
  };
}

/** Why a load failed, as a code: the source's own OpsbotError, or `inventory_load_failed` around anything else. */
function loadFailure(error: unknown): OpsbotError {
  return error instanceof OpsbotError ? error : new OpsbotError('inventory_load_failed', {}, { cause: error, message: `inventory load failed: ${errorMessage(error)}` });
}
