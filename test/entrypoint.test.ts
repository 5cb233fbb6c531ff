import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim } from './sim/slack-sim.ts';
import { TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from './helpers/start-test-bot.ts';

const BIN = resolve(import.meta.dirname, '../bin/opsbot.js');
let slack: SlackSim;
beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
});
afterAll(async () => {
  await slack?.stop();
});

function start(env: Record<string, string>, configYaml?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-entry-'));
  if (configYaml) writeFileSync(join(dir, 'opsbot.yaml'), configYaml);
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: dir, env: { PATH: process.env.PATH, OPSBOT_DATA_DIR: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('opsbot start (the real entrypoint)', () => {
  it('serves Slack in HTTP mode, reports healthy, and shuts down cleanly on SIGTERM', async () => {
    const bot = start({ SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0' });
    const deadline = Date.now() + 20_000;
    let port: number | undefined;
    while (!port && Date.now() < deadline) {
      const ready = bot
        .out()
        .split('\n')
        .find((l) => l.includes('opsbot is ready'));
      if (ready) port = JSON.parse(ready).port as number;
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(port).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, mode: 'http' });
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    const lines = bot
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toContain('opsbot stopped');
    expect(bot.out()).not.toContain(TEST_BOT_TOKEN);
    expect(bot.out()).not.toContain(TEST_SIGNING_SECRET);
  });

  it('refuses to start with a clear error naming the bad key', async () => {
    const noSecret = start({ SLACK_BOT_TOKEN: TEST_BOT_TOKEN });
    expect(await noSecret.exited).toBe(78);
    expect(noSecret.err()).toMatch(/configuration error: config SLACK_SIGNING_SECRET: required in HTTP mode/);
    const badYaml = start({}, 'alerts:\n  calendar:\n    timezone: Asia/Tokyo\n    hours: "9-18"\n');
    expect(await badYaml.exited).toBe(78);
    expect(badYaml.err()).toMatch(/alerts\.calendar\.hours/);
  });

  it('fails fast when Slack rejects the token, without printing it', async () => {
    const bot = start({ SLACK_BOT_TOKEN: 'xoxb-wrong-token-000', SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0' });
    expect(await bot.exited).toBe(1);
    expect(bot.err()).toMatch(/^opsbot: could not start: .*invalid_auth/m);
    expect(`${bot.out()}${bot.err()}`).not.toContain('xoxb-wrong-token-000');
  });
});
