import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileShareEvent, nextMessageTs, until } from './helpers/bot-world.ts';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from './helpers/start-test-bot.ts';
import { SlackSim, type SlackFault } from './sim/slack-sim.ts';

/**
 * Slack rate-limits (429 + Retry-After) and fails (5xx, resets, answers lost after the call was
 * applied) on chat.postMessage and the reactions while files are relayed: every reply is posted
 * exactly once, Retry-After is honoured, and the message ends with only ✅.
 */

const CHANNEL = 'CFAULTSL';
let sim: SlackSim;
let bot: TestBot;
let dataDir: string;

beforeAll(async () => {
  sim = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  dataDir = mkdtempSync(join(tmpdir(), 'opsbot-faults-slack-'));
  writeFileSync(join(dataDir, 'opsbot.yaml'), `uploads:\n  - keyword: "!fileupload"\n    destination: file://${join(dataDir, 'relayed')}/\n`);
  bot = await startTestBot({ dataDir, env: { SLACK_API_URL: sim.apiUrl } });
});
afterEach(() => sim.clearFaults());
afterAll(async () => {
  await bot?.stop();
  await sim?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

let n = 0;
/** Shares a small file with the keyword; resolves once the outcome reply and only ✅ are there. */
async function relayOne() {
  const file = sim.addFile({ name: `faulty-${++n}.txt`, content: Buffer.from(`file ${n}\n`) });
  const ts = nextMessageTs();
  sim.addMessage(CHANNEL, { text: '!fileupload', ts, user: 'UPERSON' });
  await bot.sendEvent(fileShareEvent(CHANNEL, [file], '!fileupload', ts));
  const key = `relay:${String(file.id)}:file://${join(dataDir, 'relayed')}/:outcome`;
  await until(() => sim.messagesWithMetadata(CHANNEL, 'opsbot_outbox', { key }).length > 0, 'the outcome reply');
  await until(
    () => sim.reactionsOf(CHANNEL, ts).join() === 'white_check_mark',
    () => `only ✅ (now ${sim.reactionsOf(CHANNEL, ts).join()})`,
  );
  return { ts, key };
}

/** Everything queued has been sent or given up (nothing more can appear). */
const outboxIdle = () =>
  until(() => {
    const db = new DatabaseSync(join(dataDir, 'opsbot.sqlite'), { readOnly: true });
    try {
      return (db.prepare("SELECT count(*) AS n FROM outbox WHERE state IN ('pending', 'sending')").get() as { n: number }).n === 0;
    } finally {
      db.close();
    }
  }, 'the outbox to drain');

describe('Slack failing on posts and reactions', () => {
  it('429 with Retry-After on chat.postMessage and the reactions: retried no sooner than asked, one reply, only ✅', async () => {
    sim.faultMethod('chat.postMessage', { kind: 'ratelimited', retryAfter: 1 }, { times: 2 });
    sim.faultMethod('reactions.add', { kind: 'ratelimited', retryAfter: 1 }, { times: 2 });
    sim.faultMethod('reactions.remove', { kind: 'ratelimited', retryAfter: 1 }, { times: 1 });
    const { ts, key } = await relayOne();
    await outboxIdle();
    expect(sim.messagesWithMetadata(CHANNEL, 'opsbot_outbox', { key })).toHaveLength(1);
    expect(sim.reactionsOf(CHANNEL, ts)).toEqual(['white_check_mark']);
    // Each retry after a 429 came at least Retry-After later.
    for (const method of ['chat.postMessage', 'reactions.add']) {
      const calls = sim.callsOf(method);
      expect(calls.length).toBeGreaterThanOrEqual(3);
      expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
      expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(950);
    }
  });

  const ambiguous: [string, SlackFault][] = [
    ['500 after Slack stored it', { kind: 'ambiguous' }],
    ['a reset after Slack stored it', { kind: 'ambiguous', then: 'reset' }],
    ['503 before Slack did anything', { kind: 'http', status: 503 }],
    ['a reset before Slack did anything', { kind: 'reset' }],
  ];
  it.each(ambiguous)('%s, on the post and the reactions: exactly one reply and only ✅', async (_what, fault) => {
    sim.faultMethod('chat.postMessage', fault, { times: 1 });
    sim.faultMethod('reactions.add', fault, { times: 1 });
    sim.faultMethod('reactions.remove', fault, { times: 1 });
    const { ts, key } = await relayOne();
    await outboxIdle();
    expect(sim.messagesWithMetadata(CHANNEL, 'opsbot_outbox', { key })).toHaveLength(1);
    const thread = [...sim.messages.values()].filter((m) => m.channel === CHANNEL && m.threadTs === ts);
    expect(thread).toHaveLength(1);
    expect(sim.reactionsOf(CHANNEL, ts)).toEqual(['white_check_mark']);
  });
});
