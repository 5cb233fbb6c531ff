import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/opsbot.js');

export interface SpawnedBot {
  child: ChildProcess;
  dataDir: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  out(): string;
  err(): string;
  /** Resolves with the HTTP port once the bot logs that it is ready (rejects if it exits first). */
  ready(): Promise<number>;
}

/**
 * Runs the real entrypoint (`opsbot start`, as `npm start` does) in its own process, with only
 * the given environment, in a fresh data folder (or the given one, to restart on the same state).
 */
export function spawnBot(env: Record<string, string>, options: { configYaml?: string; dataDir?: string } = {}): SpawnedBot {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'opsbot-proc-'));
  if (options.configYaml !== undefined) writeFileSync(join(dataDir, 'opsbot.yaml'), options.configYaml);
  const child = spawn(process.execPath, ['--max-semi-space-size=1', BIN, 'start'], {
    cwd: dataDir,
    env: { PATH: process.env.PATH, OPSBOT_DATA_DIR: dataDir, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (d) => {
    stdout += d;
    for (const l of listeners) l();
  });
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  const ready = () =>
    new Promise<number>((resolveReady, reject) => {
      const check = () => {
        const line = stdout.split('\n').find((l) => l.includes('"opsbot is ready"'));
        if (!line) return;
        listeners.delete(check);
        resolveReady(JSON.parse(line).port as number);
      };
      listeners.add(check);
      check();
      exited.then((code) => reject(new Error(`the bot exited (${code}) before it was ready: ${stderr}`)), reject);
    });
  return { child, dataDir, exited, out: () => stdout, err: () => stderr, ready };
}
