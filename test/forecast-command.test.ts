import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runForecastCommand } from '../src/cli/forecast-command.ts';

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

const NOW = 1_767_225_600;

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
    const code = await runForecastCommand([good, broken, missing, noLimit, good], { stdout: out.stream, stderr: err.stream });
    const lines = out
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(code).toBe(1);
    expect(lines.map((l) => l.input)).toEqual([good, broken, missing, noLimit, good]);
    for (const key of ['input', 'secondsToLimit', 'low', 'high', 'method', 'explanation']) expect(lines[0]).toHaveProperty(key);
    expect(lines[0].method).toBe('linear');
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
    expect(await runForecastCommand([file], { stdout: out.stream, stderr: sink().stream })).toBe(0);
    expect(JSON.parse(out.text())).toMatchObject({ secondsToLimit: null, method: 'flat' });
    const err = sink();
    expect(await runForecastCommand([], { stdout: sink().stream, stderr: err.stream })).toBe(2);
    expect(err.text()).toContain('usage');
  });
});
