import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = resolve(import.meta.dirname, '../bin/opsbot.js');

/** Runs `opsbot` as a person would, with no Slack credentials, in a fresh data folder. */
function runOpsbot(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-shell-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, OPSBOT_DATA_DIR: dataDir, TZ: 'UTC' };
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, cwd: dataDir, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr, dataDir }));
    child.stdin.end(stdin ?? '');
  });
}

describe('local chat shell', () => {
  it('answers -c lines through the same commands as Slack and exits 0', async () => {
    const { code, stdout, stderr } = await runOpsbot(['shell', '-c', 'host web-01', '-c', '@opsbot role shop:web', '-c', 'hots']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/opsbot> .*web-01/);
    expect(stdout).toMatch(/hosts\* in shop:web/);
    expect(stdout).toMatch(/Did you mean `host` or `hosts`\?/);
  });

  it('reads piped stdin, keeps going after a bad line, and saves graphs as files', async () => {
    const { code, stdout, dataDir } = await runOpsbot(['shell'], 'help\nforecast no-such-host\ngraph web-01 disk\nalerts\nexit\nhost web-01\n');
    expect(code).toBe(0);
    expect(stdout).toMatch(/What I can do/);
    expect(stdout).toMatch(/no-such-host/);
    expect(stdout).toMatch(/saved to .*\.png/);
    expect(stdout).toMatch(/open alert/);
    expect(stdout).not.toMatch(/shop web 1/); // nothing after "exit" ran
    const graphs = readdirSync(join(dataDir, 'graphs'));
    expect(graphs.some((f) => f.endsWith('.png'))).toBe(true);
  });

  it('replays an alert fixture offline', async () => {
    const { code, stdout } = await runOpsbot(['shell', '-c', 'alert replay db-01-disk-critical']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/CRITICAL/);
    expect(stdout).toMatch(/replayed db-01-disk-critical/);
  });

  it('runs `npm start`-style with no arguments on piped stdin', async () => {
    const { code, stdout, dataDir } = await runOpsbot([], 'services\n');
    expect(code).toBe(0);
    expect(stdout).toMatch(/shop/);
    expect(existsSync(join(dataDir, 'data'))).toBe(false); // the data folder is OPSBOT_DATA_DIR, not ./data
  });

  it('relays a local file to the local upload folder, once, and lists it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-shell-file-'));
    const report = join(dir, 'report 2026.pdf');
    writeFileSync(report, 'quarterly numbers');
    const { code, stdout, dataDir } = await runOpsbot([
      'shell',
      '-c',
      `upload "${report}" !fileupload`,
      '-c',
      `upload "${report}" !fileupload`,
      '-c',
      `upload "${report}" just sharing`,
      '-c',
      'upload ./missing.pdf !fileupload',
      '-c',
      'uploads',
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/stored at `.*report 2026\.pdf`/);
    expect(stdout).toMatch(/was already stored/);
    expect(stdout).toMatch(/cannot upload \.\/missing\.pdf/);
    expect(stdout).toContain(createHash('sha256').update('quarterly numbers').digest('hex'));
    const stored = readdirSync(join(dataDir, 'uploads'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('report 2026.pdf'));
    expect(stored).toHaveLength(1);
    expect(readFileSync(join(dataDir, 'uploads', stored[0]!), 'utf8')).toBe('quarterly numbers');
  });

  it('rejects a bad argument with a usage error', async () => {
    const { code, stderr } = await runOpsbot(['shell', '-c']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/-c needs a line/);
  });
});
