import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { openSqliteStore } from './sqlite-store.ts';
import type { StateStore } from './types.ts';

/**
 * The state store the configuration asks for: PostgreSQL with OPSBOT_DATABASE_URL (several
 * replicas), else the SQLite file under the data folder (one process). node-postgres is loaded
 * only when it is used.
 */
export async function openStateStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>, log: Logger): Promise<StateStore> {
  if (config.databaseUrl) {
    const { openPostgresStore } = await import('./postgres-store.ts');
    return openPostgresStore({ url: config.databaseUrl, log: log.child({ component: 'state' }) });
  }
  return openSqliteStore({ path: join(config.dataDir, 'opsbot.sqlite') });
}

/** Names this run of the bot in leases and logs: host, pid and a random part (pids repeat across restarts). */
export function newOwnerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}
