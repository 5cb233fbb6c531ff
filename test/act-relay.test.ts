import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim, type SimCall } from './sim/slack-sim.ts';
import { allText, press } from './helpers/act.ts';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from './helpers/start-test-bot.ts';

/** A failed relay's Retry button: signed block_actions through the HTTP edge; the file is fetched and relayed again, once. */
let slack: SlackSim;
let bot: TestBot;
let folder: string;

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  const dir = mkdtempSync(join(tmpdir(), 'opsbot-act-relay-'));
  folder = mkdtempSync(join(tmpdir(), 'opsbot-act-relay-out-'));
  writeFileSync(join(dir, 'opsbot.yaml'), `uploads:\n  - keyword: "!fileupload"\n    destination: ${pathToFileURL(folder).href}/\npermissions:\n  retryRelay: [U0PERSON, U0OPS]\n`);
  bot = await startTestBot({ dataDir: dir, env: { SLACK_API_URL: slack.apiUrl } });
});

afterAll(async () => {
  await bot?.stop();
  await slack?.stop();
});

const storedFiles = (): string[] => {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  walk(folder);
  return out;
};
const retryButton = (call: SimCall) =>
  ((call.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[] | undefined) ?? [])
    .flatMap((b) => b.elements ?? [])
    .find((e) => e.action_id === 'opsbot_relay_retry');

describe('Retry on a failed relay', () => {
  it('relays the file again once, reports it in the thread and swaps ❌ for ✅; refused and double presses change nothing', async () => {
    const body = Buffer.from('hello, retried relay');
    let downloads = 0;
    const file = slack.addFile({
      name: 'flaky.txt',
      actualSize: body.length,
      redirect: false,
      content: () => {
        downloads++;
        return (function* () {
          // The first download is cut before its first byte (Slack unreachable); later ones are whole.
          if (downloads === 1) throw new Error('connection cut');
          yield body;
        })();
      },
    });
    const ts = '1710000001.000100';
    const event = { type: 'message', subtype: 'file_share', channel: 'C0SHARE', channel_type: 'channel', user: 'U0PERSON', text: '!fileupload', ts, event_ts: ts, files: [file] };
    expect((await bot.sendEvent(event)).status).toBe(200);
    const failed = await slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts && allText(c.args).includes('Could not relay'));
    const button = retryButton(failed);
    expect(button).toBeDefined();
    await slack.waitForCall('reactions.add', (c) => c.args.timestamp === ts && c.args.name === 'x');
    const failedTs = [...slack.messages.entries()].find(([, m]) => m.threadTs === ts && m.text.includes('Could not relay'))![0];
    expect(downloads).toBe(1);
    const pressAs = (user: { id: string; name: string }) =>
      press(bot.baseUrl, slack, { actionId: 'opsbot_relay_retry', value: button!.value, user, channel: 'C0SHARE', messageTs: failedTs });

    // Someone not in permissions.retryRelay: told why, nothing happens.
    const refused = await pressAs({ id: 'U0STRANGER', name: 'stranger' });
    expect(allText(await slack.waitForResponse(refused.responseId))).toContain('permissions.retryRelay');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(downloads).toBe(1);

    // Two presses at once: one retry.
    const [first, second] = await Promise.all([pressAs({ id: 'U0OPS', name: 'ops' }), pressAs({ id: 'U0PERSON', name: 'person' })]);
    expect([first.status, second.status]).toEqual([200, 200]);
    const done = await slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts && allText(c.args).includes('is stored at'));
    expect(allText(done.args)).toContain('flaky.txt');
    await slack.waitForCall('reactions.add', (c) => c.args.timestamp === ts && c.args.name === 'white_check_mark');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(downloads).toBe(2);
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === ts && allText(c.args).includes('Retrying'))).toHaveLength(1);
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === ts && allText(c.args).includes('is stored at'))).toHaveLength(1);
    expect(slack.reactionsOf('C0SHARE', ts)).toEqual(['white_check_mark']);
    const stored = storedFiles();
    expect(stored).toHaveLength(1);
    expect(readFileSync(stored[0]!).equals(body)).toBe(true);

    // A press after it is stored says so.
    const late = await pressAs({ id: 'U0OPS', name: 'ops' });
    expect(allText(await slack.waitForResponse(late.responseId))).toContain('already stored');
    expect(downloads).toBe(2);
  });
});
