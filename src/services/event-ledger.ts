import type { DatabaseSync } from '../core/database.ts';

/**
 * Remembers which platform events were handled, so a retried or duplicated delivery
 * (Slack's X-Slack-Retry-Num, a restart in between) is handled once. Backed by SQLite,
 * so the memory survives restarts and is shared between processes.
 */
export interface EventLedger {
  /** True for the first claim of a key, false for every later one. */
  claim(key: string): boolean;
  /** Forgets claims older than the given age (seconds). */
  prune(maxAgeSeconds: number): void;
}

export function createEventLedger(options: { db: DatabaseSync; now?: () => number }): EventLedger {
  const { db } = options;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  db.exec('CREATE TABLE IF NOT EXISTS handled_events (key TEXT PRIMARY KEY, handled_at INTEGER NOT NULL)');
  const insert = db.prepare('INSERT OR IGNORE INTO handled_events (key, handled_at) VALUES (?, ?)');
  const prune = db.prepare('DELETE FROM handled_events WHERE handled_at < ?');
  return {
    claim: (key) => Number(insert.run(key, now()).changes) === 1,
    prune: (maxAgeSeconds) => void prune.run(now() - maxAgeSeconds),
  };
}
