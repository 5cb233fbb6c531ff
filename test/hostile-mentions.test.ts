import fc from 'fast-check';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim } from './sim/slack-sim.ts';
import { startMackerelSim, type MackerelSim } from './sim/mackerel-sim.ts';
import { generateOrg } from './sim/generate-org.ts';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from './helpers/start-test-bot.ts';

/**
 * What people type, and the names they give files and hosts, against the whole bot over signed
 * HTTP events with 10,000 hosts: every mention is answered, none freezes the bot, and every
 * reply stays within Slack's limits without a ping the config did not ask for (the simulator
 * checks each call; see test/helpers/sim-guard.ts).
 */
const MACKEREL_KEY = 'mkr-test-key-0123456789';
let slack: SlackSim;
let mackerel: MackerelSim;
let bot: TestBot;
let uploads: string;
let seq = 0;
const nextTs = () => `1763700000.${String(++seq).padStart(6, '0')}`;

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  const org = generateOrg({ hosts: 10_000, orgName: 'acme' });
  mackerel = await startMackerelSim({ apiKey: MACKEREL_KEY, orgName: 'acme', hosts: org.hosts, services: org.services });
  const dataDir = mkdtempSync(join(tmpdir(), 'opsbot-hostile-'));
  uploads = join(dataDir, 'relayed');
  writeFileSync(join(dataDir, 'opsbot.yaml'), `uploads:\n  - keyword: "!fileupload"\n    destination: file://${uploads}/\n`);
  bot = await startTestBot({ dataDir, env: { SLACK_API_URL: slack.apiUrl, MACKEREL_APIKEY: MACKEREL_KEY, MACKEREL_API_URL: mackerel.url } });
});

afterAll(async () => {
  await bot?.stop();
  await slack?.stop();
  await mackerel?.stop();
});

/** Sends a mention as Slack would (Slack escapes &, < and > the person typed) and waits for the threaded reply. */
async function ask(typed: string) {
  const ts = nextTs();
  const text = `<@${slack.botUserId}> ${typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}`;
  const reply = slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts);
  expect((await bot.sendEvent({ type: 'app_mention', user: 'U0ALICE', text, ts, channel: 'C0OPS', event_ts: ts })).status).toBe(200);
  const call = await reply;
  return `${String(call.args.text)}\n${JSON.stringify(call.args.blocks ?? [])}`;
}

describe('hostile mentions', () => {
  it('answers a pattern built to backtrack, and the next person too', async () => {
    const slow = await ask(`host web-${'*'.repeat(1000)}x`);
    expect(slow).not.toContain('Something went wrong');
    const next = await ask(`host ${mackerel.hosts[0]!.name}`);
    expect(next).toContain(mackerel.hosts[0]!.name);
  });

  it('explains a bad pattern instead of failing', async () => {
    const reply = await ask('host web-[z-a]');
    expect(reply).not.toContain('Something went wrong');
    expect(reply).toMatch(/range|pattern/i);
  });

  it('never echoes a ping people typed', async () => {
    for (const typed of [
      'host <!channel>',
      'host <@U0BOSS> web-01',
      'role <!here>:web',
      'hosts <!everyone>',
      'nosuchcommand <!channel>',
      'help <!here>',
      'graph <!channel> disk',
      'forecast <!subteam^S1>',
    ]) {
      const reply = await ask(typed);
      expect(reply, typed).not.toMatch(/<!channel>|<!here>|<!everyone>|<@U0BOSS>|<!subteam/);
    }
  });

  it('answers arbitrary mention texts within Slack limits and without pings (fuzzed)', async () => {
    const word = fc.oneof(
      fc.constantFrom('host', 'hosts', 'role', 'roles', 'services', 'help', 'uploads', 'alerts', 'forecast', 'graph', '*', '**', '[', '[!', '<!channel>', '&', '?'),
      fc.string({ maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(word, { minLength: 1, maxLength: 6 }), async (words) => {
        const typed = words.join(' ').trim() || 'help';
        const reply = await ask(typed);
        expect(reply).not.toContain('Something went wrong');
      }),
      { numRuns: 60 },
    );
  });
});

describe('who the bot answers', () => {
  it('ignores Slackbot, other bots and itself, and answers a person in a DM', async () => {
    const ignored = [
      { type: 'message', channel_type: 'im', channel: 'D0SLACKBOT', user: 'USLACKBOT', text: 'You have been removed from #x', ts: nextTs() },
      { type: 'message', channel_type: 'im', channel: 'D0OTHER', user: 'U0OTHERBOT', bot_id: 'B0OTHER', text: 'help', ts: nextTs() },
      { type: 'message', channel_type: 'im', channel: 'D0SELF', user: slack.botUserId, text: 'help', ts: nextTs() },
      { type: 'app_mention', channel: 'C0QUIET', user: 'USLACKBOT', text: `<@${slack.botUserId}> help`, ts: nextTs() },
    ];
    for (const event of ignored) expect((await bot.sendEvent(event)).status).toBe(200);
    const person = { type: 'message', channel_type: 'im', channel: 'D0ALICE', user: 'U0ALICE', text: 'help', ts: nextTs() };
    const answered = slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === person.ts);
    await bot.sendEvent(person);
    await answered;
    for (const event of ignored) expect(slack.calls.filter((c) => c.args.thread_ts === event.ts || c.args.channel === event.channel)).toEqual([]);
  });
});

describe('hostile file names', () => {
  it('stores a file named with a ping under its folder and replies without the ping', async () => {
    const ts = nextTs();
    const file = slack.addFile({ name: '<!channel> ../../report <@U0BOSS>.txt', content: Buffer.from('hello') });
    const reply = slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts);
    await bot.sendEvent({ type: 'message', subtype: 'file_share', channel: 'C0OPS', channel_type: 'channel', user: 'U0ALICE', text: '!fileupload', ts, event_ts: ts, files: [file] });
    const call = await reply;
    const text = `${String(call.args.text)}${JSON.stringify(call.args.blocks)}`;
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toMatch(/<!channel>|<@U0BOSS>/);
    // Exactly one stored file, under the destination folder.
    const stored = readdirSync(uploads, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(stored).toHaveLength(1);
    expect(join(stored[0]!.parentPath, stored[0]!.name).startsWith(uploads)).toBe(true);
  });
});
