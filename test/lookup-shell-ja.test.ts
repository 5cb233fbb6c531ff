import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { en, ja } from '../src/handlers/present/messages/lookup.ts';

const BIN = resolve(import.meta.dirname, '../bin/opsbot.js');

/** Runs `opsbot shell -c …` as a person would, with no Slack credentials, in a fresh data folder and the given environment. */
function runOpsbot(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-shell-ja-'));
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OPSBOT_DATA_DIR: dataDir, TZ: 'UTC', ...env },
      cwd: dataDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('the shell in Japanese (OPSBOT_LANGUAGE=ja)', () => {
  it('answers `host web-01` and `help` in Japanese; names, identifiers and commands stay as they are', async () => {
    const { code, stdout, stderr } = await runOpsbot(['shell', '-c', 'host web-01', '-c', 'help'], { OPSBOT_LANGUAGE: 'ja' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // host web-01 from the demo inventory: status word, field labels, one address line per interface, its age.
    expect(stdout).toMatch(/web-01.*shop web 1/);
    for (const label of ['ステータス', 'ロール', 'ホストID', 'IPアドレス', '作成']) expect(stdout).toContain(label);
    expect(stdout).toContain('稼働中');
    expect(stdout).toMatch(/10\.1\.2\.1/);
    expect(stdout).toMatch(/\d+(日|か月|年)前/);
    // help: the intro and every command's sentence from the Japanese catalogue, with the English commands.
    expect(stdout).toContain('できること');
    for (const name of ['help', 'host', 'hosts', 'role', 'roles', 'services', 'uploads', 'alerts', 'forecast', 'graph', 'alert'] as const) {
      const sentence = ja[`help.summary.${name}`].replace(/`/g, '');
      expect(stdout.replace(/`/g, '')).toContain(sentence);
      expect(stdout).not.toContain(en[`help.summary.${name}`].replace(/`/g, '').slice(0, 30));
    }
    expect(stdout).toContain('@opsbot host web-01');
    // No English sentence of the lookup or help catalogue slipped through.
    for (const english of ['Status', 'Roles', 'Host ID', 'IP addresses', 'Created', 'What I can do', 'ago']) expect(stdout).not.toMatch(new RegExp(`\\b${english}\\b`));
  });

  it('says the same in English by default', async () => {
    const { code, stdout } = await runOpsbot(['shell', '-c', 'host web-01', '-c', 'help'], {});
    expect(code).toBe(0);
    expect(stdout).toContain('working');
    expect(stdout).toContain('What I can do');
    expect(stdout).not.toContain('稼働中');
  });
});
