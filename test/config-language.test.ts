import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/core/config.ts';
import { ConfigError } from '../src/core/errors.ts';

function dirWith(yaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-lang-'));
  if (yaml !== undefined) writeFileSync(join(dir, 'opsbot.yaml'), yaml);
  return dir;
}

function keyOfError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.key;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('language', () => {
  it('is English by default, the file can choose Japanese, and OPSBOT_LANGUAGE overrides the file', () => {
    expect(loadConfig({ env: {}, cwd: dirWith() }).language).toBe('en');
    expect(loadConfig({ env: {}, cwd: dirWith('language: ja\n') }).language).toBe('ja');
    expect(loadConfig({ env: { OPSBOT_LANGUAGE: 'en' }, cwd: dirWith('language: ja\n') }).language).toBe('en');
    expect(loadConfig({ env: { OPSBOT_LANGUAGE: 'ja' }, cwd: dirWith() }).language).toBe('ja');
    expect(loadConfig({ env: { OPSBOT_LANGUAGE: '' }, cwd: dirWith('language: ja\n') }).language).toBe('ja');
  });

  it.each(['fr', 'JA', 'japanese', 'en-US'])('rejects %j, naming the key', (value) => {
    expect(keyOfError(() => loadConfig({ env: { OPSBOT_LANGUAGE: value }, cwd: dirWith() }))).toBe('OPSBOT_LANGUAGE');
    expect(keyOfError(() => loadConfig({ env: {}, cwd: dirWith(`language: ${JSON.stringify(value)}\n`) }))).toBe('language');
  });

  it('rejects a language that is not a string, naming the key', () => {
    expect(keyOfError(() => loadConfig({ env: {}, cwd: dirWith('language: [ja]\n') }))).toBe('language');
  });

  it('exits 78 naming OPSBOT_LANGUAGE when the real entrypoint is given an unknown language', async () => {
    const dir = dirWith();
    const child = spawn(process.execPath, [resolve(import.meta.dirname, '../bin/opsbot.js'), 'shell', '-c', 'help'], {
      cwd: dir,
      env: { PATH: process.env.PATH, OPSBOT_DATA_DIR: dir, OPSBOT_LANGUAGE: 'klingon' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(78);
    expect(stderr).toMatch(/OPSBOT_LANGUAGE: expected en or ja, got "klingon"/);
  });
});
