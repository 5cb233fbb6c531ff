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
    // A stable code and a stable English string, never the parser's own message.
    expect(lines[1]).toEqual({ input: broken, secondsToLimit: null, code: 'invalid_json', error: 'invalid JSON' });
    expect(lines[2]).toEqual({ input: missing, secondsToLimit: null, code: 'file_not_found', error: 'file not found' });
    expect(lines[3]).toEqual({ input: noLimit, secondsToLimit: null, code: 'bad_limit', error: '"limit" is missing or not a finite number' });
    expect(lines[4]).toEqual(lines[0]);
    expect(lines[0]).not.toHaveProperty('code');
    expect(out.text()).not.toMatch(/Unexpected token|position|ENOENT|SyntaxError/);
  });

  it('exits 0 when every file is fine and 2 with usage when none is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-forecast-'));
    const file = join(dir, 'flat.json');
    writeFileSync(file, JSON.stringify({ limit: 100, now: NOW, metrics: Array.from({ length: 50 }, (_, i) => ({ time: NOW - i * 60, value: 40 })) }));
    const out = sink();
    expect(await runForecastCommand([file], { stdout: out.stream, stderr: sink().stream }, { env: { OPSBOT_DATA_DIR: dir }, cwd: dir })).toBe(0);
    expect(JSON.parse(out.text())).toMatchObject({ secondsToLimit: null, method: 'flat' });
    const err = sink();
    expect(await runForecastCommand([], { stdout: sink().stream, stderr: err.stream }, { env: { OPSBOT_DATA_DIR: dir }, cwd: dir })).toBe(2);
    expect(err.text()).toBe(
      'opsbot: give one or more forecast input files: opsbot forecast FILE...\n  FILE: {"limit": N, "now": EPOCH_SECONDS, "metrics": [{"time": T, "value": V}, ...]}\n',
    );
  });

  it('gives every kind of bad file its own stable code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-forecast-'));
    const cases: Array<[string, string]> = [
      ['[1, 2]', 'not_an_object'],
      ['{"limit": 1, "metrics": []}', 'bad_now'],
      ['{"limit": 1, "now": 1, "metrics": {}}', 'bad_metrics'],
      ['{"limit": 1, "now": 1, "metrics": [{"time": 1}]}', 'no_usable_points'],
    ];
    const files = cases.map(([text], i) => {
      const file = join(dir, `bad-${i}.json`);
      writeFileSync(file, text);
      return file;
    });
    const out = sink();
    expect(await runForecastCommand([...files, dir], { stdout: out.stream, stderr: sink().stream }, { env: { OPSBOT_DATA_DIR: dir }, cwd: dir })).toBe(1);
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.code)).toEqual([...cases.map(([, code]) => code), 'file_unreadable']);
    expect(lines[4]).toEqual({ input: dir, secondsToLimit: null, code: 'file_unreadable', error: 'cannot read file' });
  });

  it('says a missing file list in the configured language', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-forecast-'));
    const err = sink();
    expect(await runForecastCommand([], { stdout: sink().stream, stderr: err.stream }, { env: { OPSBOT_DATA_DIR: dir, OPSBOT_LANGUAGE: 'ja' }, cwd: dir })).toBe(2);
    expect(err.text()).toMatch(/^opsbot: 予測する入力ファイルを1つ以上指定してください: opsbot forecast ファイル\.\.\.\n {2}ファイル: \{"limit"/);
  });

  it('words the explanation in the configured language, with clock times in the calendar zone', async () => {
    // No config file: the calendar's default zone, UTC, as the shell's `forecast` shows it; TZ plays no part.
    expect(await explanationOf({})).toBe('growing 6.81 GiB/h since 11:00 UTC (a new trend; flat before); full in about 7 h 13 min');
    expect(await explanationOf({ TZ: 'Asia/Tokyo' })).toMatch(/ since 11:00 UTC /);
    expect(await explanationOf({ TZ: 'Asia/Tokyo' }, 'alerts:\n  calendar:\n    timezone: Asia/Tokyo\n')).toMatch(/ since 20:00 JST /);
    // The config file's language and calendar zone.
    const ja = await explanationOf({ TZ: 'America/New_York' }, 'language: ja\nalerts:\n  calendar:\n    timezone: Asia/Tokyo\n');
    expect(ja).toMatch(/^20:00 JST ?以降の新たな増加傾向（1時間あたり6\.81 GiB、それまでは横ばい）から、約7時間13分で上限に達する見込みです$/);
    // OPSBOT_LANGUAGE overrides the file.
    expect(await explanationOf({ OPSBOT_LANGUAGE: 'en' }, 'language: ja\n')).toMatch(/^growing .* since 11:00 UTC /);
    expect(await explanationOf({ OPSBOT_LANGUAGE: 'ja', TZ: 'Asia/Tokyo' })).toMatch(/^11:00 UTC ?以降の新たな増加傾向/);
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

  /** Runs bin/opsbot.js with these arguments and environment; its exit code and output. */
  async function opsbot(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [resolve(import.meta.dirname, '../bin/opsbot.js'), ...args], { cwd, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    return { code, stdout, stderr };
  }

  it('exits 78 naming OPSBOT_LANGUAGE from the real entrypoint, for forecast and for help alike', async () => {
    const { dir, file } = workspace();
    const forecast = await opsbot(['forecast', file], { OPSBOT_DATA_DIR: dir, OPSBOT_LANGUAGE: 'klingon' }, dir);
    expect(forecast.code).toBe(78);
    expect(forecast.stderr).toMatch(/OPSBOT_LANGUAGE: expected en or ja, got "klingon"/);
    expect(forecast.stdout).toBe('');
    for (const args of [['help'], ['--help'], ['nonsense'], ['forecast']]) {
      const run = await opsbot(args, { OPSBOT_DATA_DIR: dir, OPSBOT_LANGUAGE: 'fr' }, dir);
      expect(run.code, args.join(' ')).toBe(78);
      expect(run.stderr).toMatch(/OPSBOT_LANGUAGE: expected en or ja, got "fr"/);
      expect(run.stdout).toBe('');
    }
    const help = await opsbot(['help'], { OPSBOT_DATA_DIR: dir, OPSBOT_LANGUAGE: 'ja' }, dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^使い方: opsbot <コマンド>/);
  });
});
