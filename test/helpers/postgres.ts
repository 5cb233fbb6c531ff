import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** Debian's PostgreSQL 15 (`apt-get install -y postgresql-15`); PG_BIN overrides. */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:PORT/` + database. */
  url(database: string): string;
  /** A new, empty database; returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the cluster at once (`-m immediate`) and deletes it. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A throwaway PostgreSQL cluster for one test file: initdb in a temp dir, started on a free port on
 * 127.0.0.1 (fsync off), trust auth for `postgres`. PostgreSQL refuses to run as root, so as root
 * (CI, this machine) the binaries run as the `postgres` user via runuser; otherwise directly.
 * Starting takes about 2 s. The cluster is stopped when the process exits, even without `stop()`.
 */
export async function startPostgres(): Promise<TestPostgres> {
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'pg_ctl'))) {
    throw new Error(`PostgreSQL 15 binaries not found in ${PG_BIN}: install them with \`apt-get update && apt-get install -y postgresql-15\` (as .ci/run does), or set PG_BIN`);
  }
  const asRoot = process.getuid?.() === 0;
  // As root the server runs as `postgres`, which must reach the directory: /tmp, not a TMPDIR under /root.
  const dir = mkdtempSync(join(asRoot ? '/tmp' : tmpdir(), 'opsbot-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const command = (bin: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args]] : [join(PG_BIN, bin), args]);
  const pgRun = async (bin: string, args: string[]) => {
    const [file, argv] = command(bin, args);
    try {
      await run(file, argv, { timeout: 60_000 });
    } catch (error) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : '';
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${bin} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}${log ? `\n--- server log ---\n${log}` : ''}`, { cause: error });
    }
  };
  const stopNow = () => {
    const [file, argv] = command('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
    try {
      execFileSync(file, argv, { stdio: 'ignore', timeout: 30_000 });
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };

  await pgRun('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync']);
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    try {
      await pgRun('pg_ctl', ['-D', data, '-o', opts, '-l', logFile, '-w', '-t', '60', 'start']);
      break;
    } catch (error) {
      // Another process took the port between our probe and the server's bind: try another.
      if (attempt >= 3) {
        stopNow();
        throw error;
      }
    }
  }
  process.once('exit', stopNow);

  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let n = 0;
  return {
    url,
    async createDatabase() {
      const name = `t_${process.pid}_${++n}`;
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url(name);
    },
    async stop() {
      process.removeListener('exit', stopNow);
      stopNow();
    },
  };
}
