import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim } from './sim/slack-sim.ts';
import { signSlackBody, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from './helpers/start-test-bot.ts';

/**
 * Signals reach the bot however it is launched, and a second signal during the drain is
 * handled on purpose: `npm start` (what a container runs) is spawned for real.
 */
const ROOT = resolve(import.meta.dirname, '..');
let slack: SlackSim;

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
});
afterAll(async () => {
  await slack?.stop();
});

function npmStart(dataDir: string) {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OPSBOT_DATA_DIR: dataDir,
      OPSBOT_CONFIG: join(dataDir, 'opsbot.yaml'),
      PORT: '0',
      SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
      SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (d) => {
    out += d;
    for (const w of waiters) w();
  });
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  /** Resolves with the parsed log line once one with this message appears. */
  const line = (msg: string) =>
    new Promise<Record<string, unknown>>((resolveLine, reject) => {
      const check = () => {
        const found = out.split('\n').find((l) => l.includes(`"msg":"${msg}"`));
        if (!found) return;
        waiters.delete(check);
        resolveLine(JSON.parse(found) as Record<string, unknown>);
      };
      waiters.add(check);
      check();
      exited.then(() => reject(new Error(`exited before logging "${msg}": ${out.slice(-2000)}`)), reject);
    });
  return { child, exited, line, out: () => out };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('signals through npm start', () => {
  it('SIGTERM to npm reaches the bot: it drains, logs that it stopped and leaves no orphan', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-sig-'));
    writeFileSync(join(dataDir, 'opsbot.yaml'), '{}\n');
    const bot = npmStart(dataDir);
    const ready = await bot.line('opsbot is ready');
    const pid = ready.pid as number;
    expect(pid).not.toBe(bot.child.pid);
    bot.child.kill('SIGTERM');
    await bot.line('opsbot stopped');
    await bot.exited;
    expect(isRunning(pid)).toBe(false);
  });

  it('a second SIGTERM during the drain aborts the work in flight at once and still exits cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-sig2-'));
    const uploads = join(dataDir, 'relayed');
    writeFileSync(join(dataDir, 'opsbot.yaml'), `uploads:\n  - keyword: "!fileupload"\n    destination: file://${uploads}/\n`);
    const bot = npmStart(dataDir);
    const ready = await bot.line('opsbot is ready');
    // A slow file: its download never ends on its own while the test runs.
    const file = slack.addFile({
      name: 'endless.bin',
      actualSize: 64 * 1024 * 1024 * 1024,
      content: async function* () {
        for (;;) {
          yield Buffer.alloc(64 * 1024);
          await new Promise((r) => setImmediate(r));
        }
      },
    });
    const ts = '1763700000.000900';
    const body = JSON.stringify({
      type: 'event_callback',
      event_id: 'EvSIG1',
      team_id: 'T0TEST',
      event: { type: 'message', subtype: 'file_share', channel: 'C0SIG', channel_type: 'channel', user: 'U0ALICE', text: '!fileupload', ts, event_ts: ts, files: [file] },
    });
    const started = slack.waitForCall('reactions.add', (c) => c.args.timestamp === ts);
    await fetch(`http://127.0.0.1:${ready.port as number}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signSlackBody(TEST_SIGNING_SECRET, body) },
      body,
    });
    await started;
    bot.child.kill('SIGTERM');
    await bot.line('shutting down: finishing work in flight');
    bot.child.kill('SIGTERM');
    await bot.line('second signal: aborting work in flight now');
    await bot.line('opsbot stopped');
    expect(await bot.exited).toBe(0);
    expect(bot.out()).toContain('work still in flight at shutdown was aborted');
    // Nothing half-written was left at the destination.
    const stored = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && d.parentPath.startsWith(uploads));
    expect(stored).toEqual([]);
  });
});
