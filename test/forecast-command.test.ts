import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runForecastCommand } from '../src/cli/forecast-command.ts';
import { ConfigError } from '../src/core/errors.ts';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

/** A folder with a forecast file (at noon UTC, a writer that began at 11:00 UTC, 20:00 in Tokyo) and, if given, an opsbot.yaml. */
function workspace(yaml?: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-forecast-'));
  if (yaml !== undefined) writeFileSync(join(dir, 'opsbot.yaml'), yaml);
  const file = join(dir, 'writer.json');
  const now = NOW + 12 * 3600;
  const metrics = Array.from({ length: 24 * 12 + 1 }, (_, i) => {
    const time = now - 24 * 3600 + i * 300;
    return { time, value: 40e9 + Math.max(0, time - (now - 3600)) * 2e6 + Math.sin(i * 12.9898) * 5e7 };
  });
  writeFileSync(file, JSON.stringify({ name: 'filesystem.xvda1.used', limit: 100e9, now, metrics }));
  return { dir, file };
}

async function explanationOf(env: NodeJS.ProcessEnv, yaml?: string): Promise<string> {
  const { dir, file } = workspace(yaml);
  const out = sink();
  expect(await runForecastCommand([file], { stdout: out.stream, stderr: sink().stream }, { env: { OPSBOT_DATA_DIR: dir, ...env }, cwd: dir })).toBe(0);
  return JSON.parse(out.text()).explanation;
}

describe('runForecastCommand (opsbot forecast FILE...)', () => {
  it('prints one JSON line per file with the contract keys, and an error line for a bad file without stopping', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-forecast-'));
    const metrics = Array.from({ length: 300 }, (_, i) => ({ time: NOW - (299 - i) * 300, value: 1e10 + i * 1e7 }));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ name: 'filesystem.xvda1.used', limit: 2e10, now: NOW, metrics }));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    const noLimit = join(dir, 'nolimit.json');
    writeFileSync(noLimit, JSON.stringify({ now: NOW, metrics }));
    const missing = join(dir, 'missing.json');
    const out = sink();
    const err = sink();
    const code = await runForecastCommand([good, broken, missing, noLimit, good], { stdout: out.stream, stderr: err.stream }, { env: { OPSBOT_DATA_DIR: dir }, cwd: dir });
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(code).toBe(1);
    expect(lines.map((l) => l.input)).toEqual([good, broken, missing, noLimit, good]);
    for (const key of ['input', 'secondsToLimit', 'low', 'high', 'method', 'explanation']) expect(lines[0]).toHaveProperty(key);
    expect(lines[0].method).toBe('linear');
    expect(lines[0].explanation).toBe('growing 2.68 GiB/day over the last 25 h; full in about 2 days 10 h');
    // last value 1e10 + 299e7: 7.01e9 headroom at 1e7 per 5 min is 210,300 s
    expect(lines[0].secondsToLimit).toBeGreaterThan(0.95 * 210_300);
    expect(lines[0].secondsToLimit).toBeLessThan(1.05 * 210_300);
    expect(lines[1]).toMatchObject({ secondsToLimit: null, error: expect.stringContaining('invalid JSON') });
    expect(lines[2]).toMatchObject({ secondsToLimit: null, error: 'file not found' });
    expect(lines[3]).toMatchObject({ secondsToLimit: null, error: expect.stringContaining('"limit"') });
    expect(lines[4]).toEqual(lines[0]);
  });

  it('exits 0 when every file is fine and 2 with usage when none is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-forecast-'));
    const file = join(dir, 'flat.json');
    writeFileSync(file, JSON.stringify({ limit: 100, now: NOW, metrics: Array.from({ length: 50 }, (_, i) => ({ time: NOW - i * 60, value: 40 })) }));
    const out = sink();
    expect(await runForecastCommand([file], { stdout: out.stream, stderr: sink().stream }, { env: { OPSBOT_DATA_DIR: dir }, cwd: dir })).toBe(0);
    expect(JSON.parse(out.text())).toMatchObject({ secondsToLimit: null, method: 'flat' });
    const err = sink();
    expect(await runForecastCommand([], { stdout: sink().stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toContain('usage');
  });

  it('words the explanation in the configured language, with clock times in the calendar zone', async () => {
    // No config file: TZ, else UTC.
    expect(await explanationOf({})).toBe('growing 6.81 GiB/h since 11:00 UTC (a new trend; flat before); full in about 7 h 13 min');
    expect(await explanationOf({ TZ: 'Asia/Tokyo' })).toMatch(/ since 20:00 JST /);
    // The config file's language and calendar zone (which wins over TZ, as everywhere the bot shows a time).
    const ja = await explanationOf({ TZ: 'America/New_York' }, 'language: ja\nalerts:\n  calendar:\n    timezone: Asia/Tokyo\n');
    expect(ja).toBe('20:00 JST以降の新たな増加傾向（1時間あたり6.81 GiB、それまでは横ばい）から、約7時間13分で上限に達する見込みです');
    // OPSBOT_LANGUAGE overrides the file.
    expect(await explanationOf({ OPSBOT_LANGUAGE: 'en' }, 'language: ja\n')).toMatch(/^growing .* since 11:00 UTC /);
    expect(await explanationOf({ OPSBOT_LANGUAGE: 'ja', TZ: 'Asia/Tokyo' })).toMatch(/^20:00 JST以降の新たな増加傾向/);
  });

  it('refuses an unknown language as a configuration error naming the key', async () => {
    const { dir, file } = workspace();
    const run = runForecastCommand([file], { stdout: sink().stream, stderr: sink().stream }, { env: { OPSBOT_DATA_DIR: dir, OPSBOT_LANGUAGE: 'fr' }, cwd: dir });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toMatchObject({ key: 'OPSBOT_LANGUAGE' });
    const bad = workspace('language: de\n');
    await expect(runForecastCommand([bad.file], { stdout: sink().stream, stderr: sink().stream }, { env: { OPSBOT_DATA_DIR: bad.dir }, cwd: bad.dir })).rejects.toMatchObject({
      key: 'language',
    });
  });

  it('exits 78 naming OPSBOT_LANGUAGE from the real entrypoint', async () => {
    const { dir, file } = workspace();
    const child = spawn(process.execPath, [resolve(import.meta.dirname, '../bin/opsbot.js'), 'forecast', file], {
      cwd: dir,
      env: { PATH: process.env.PATH, OPSBOT_DATA_DIR: dir, OPSBOT_LANGUAGE: 'klingon' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(78);
    expect(stderr).toMatch(/OPSBOT_LANGUAGE: expected en or ja, got "klingon"/);
    expect(stdout).toBe('');
  });
});
