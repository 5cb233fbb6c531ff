import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim } from './sim/slack-sim.ts';
import type { SocketModeSim } from './sim/socket-mode-sim.ts';
import { startSocketModeWorld, type SocketModeWorld } from './helpers/socket-mode-world.ts';
import { allText, blockActionsPayload, signedForm, slashCommand, slashCommandFields } from './helpers/act.ts';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from './helpers/start-test-bot.ts';

/**
 * `/opsbot` runs every command with an ephemeral reply (response_url), over HTTP and Socket Mode;
 * a button press over Socket Mode; and no interactivity payload, however odd, gets a 5xx.
 */
describe('/opsbot over HTTP (signed slash commands through the edge into Bolt)', () => {
  let slack: SlackSim;
  let bot: TestBot;
  beforeAll(async () => {
    slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
    bot = await startTestBot({ env: { SLACK_API_URL: slack.apiUrl } });
  });
  afterAll(async () => {
    await bot?.stop();
    await slack?.stop();
  });

  it('answers `/opsbot host web-01` ephemerally, posting nothing in the channel', async () => {
    const { status, responseId } = await slashCommand(bot.baseUrl, slack, { text: 'host web-01' });
    expect(status).toBe(200);
    const reply = await slack.waitForResponse(responseId);
    expect(reply.response_type).toBe('ephemeral');
    expect(allText(reply)).toContain('web-01');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('an empty or unknown command is pointed at help, ephemerally', async () => {
    const empty = await slashCommand(bot.baseUrl, slack, { text: '' });
    expect(allText(await slack.waitForResponse(empty.responseId))).toMatch(/help/);
    const unknown = await slashCommand(bot.baseUrl, slack, { text: 'frobnicate now' });
    expect((await slack.waitForResponse(unknown.responseId)).response_type).toBe('ephemeral');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
  });

  it('a press of a Retry button for a relay opsbot does not know is answered ephemerally', async () => {
    const { payload, responseId } = blockActionsPayload(slack, {
      actionId: 'opsbot_relay_retry',
      value: JSON.stringify({ f: 'F0NONE', d: 'file:///nowhere/' }),
      user: { id: 'U0ALICE', name: 'alice' },
      channel: 'C0OPS',
      messageTs: '1700000000.000100',
    });
    const res = await signedForm(bot.baseUrl, new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    expect(res.status).toBe(200);
    expect(allText(await slack.waitForResponse(responseId))).toContain('no record of this relay');
  });

  it('never answers 5xx to arbitrary signed interactivity payloads and slash commands (fuzzed)', async () => {
    const action = fc.record(
      {
        type: fc.oneof(fc.constant('button'), fc.jsonValue()),
        action_id: fc.oneof(fc.constantFrom('opsbot_alert_ack', 'opsbot_relay_retry', 'opsbot_alert_close', 'other'), fc.jsonValue()),
        value: fc.oneof(fc.string(), fc.jsonValue()),
        block_id: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const payload = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          type: fc.oneof(fc.constantFrom('block_actions', 'view_submission', 'shortcut'), fc.jsonValue()),
          user: fc.oneof(fc.record({ id: fc.oneof(fc.constant('U0ALICE'), fc.jsonValue()), name: fc.jsonValue(), team_id: fc.jsonValue() }, { requiredKeys: [] }), fc.jsonValue()),
          team: fc.jsonValue(),
          enterprise: fc.jsonValue(),
          channel: fc.oneof(fc.record({ id: fc.oneof(fc.constant('C0OPS'), fc.jsonValue()) }, { requiredKeys: [] }), fc.jsonValue()),
          container: fc.jsonValue(),
          message: fc.oneof(fc.record({ ts: fc.oneof(fc.constant('1.2'), fc.jsonValue()) }, { requiredKeys: [] }), fc.jsonValue()),
          response_url: fc.oneof(fc.constant(slack.responseUrl('fuzz')), fc.constant('https://evil.example/x'), fc.jsonValue()),
          actions: fc.oneof(fc.array(action, { maxLength: 3 }), fc.jsonValue()),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(payload, async (value) => {
        const res = await signedForm(bot.baseUrl, new URLSearchParams({ payload: JSON.stringify(value) }).toString());
        await res.arrayBuffer();
        return res.status < 500;
      }),
      { numRuns: 150 },
    );
    const field = fc.oneof(fc.string(), fc.constantFrom('/opsbot', 'host web-01', 'U0ALICE', 'C0OPS'));
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('command', 'text', 'user_id', 'channel_id', 'team_id', 'response_url', 'enterprise_id', 'x'), fc.oneof(field, fc.array(field, { maxLength: 2 }))),
        async (form) => {
          const body = new URLSearchParams();
          for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
          const res = await signedForm(bot.baseUrl, body.toString());
          await res.arrayBuffer();
          return res.status < 500;
        },
      ),
      { numRuns: 100 },
    );
    // Nothing was ever sent to a response_url that is not Slack's (or the configured API host).
    expect(slack.violations).toEqual([]);
  });
});

describe('/opsbot and a button press over Socket Mode', () => {
  let world: SocketModeWorld;
  let slack: SlackSim;
  let socket: SocketModeSim;
  beforeAll(async () => {
    world = await startSocketModeWorld({ appToken: 'xapp-1-A0TEST-act-0123456789', dataDirPrefix: 'opsbot-act-socket-' });
    ({ slack, socket } = world);
  });
  afterAll(async () => {
    await world?.stop();
  });

  // The response_url points at the Socket Mode side's host (SLACK_API_URL), which forwards to the Web API simulator.
  const viaSocketHost = (id: string) => new URL(`/respond/${id}`, socket.apiUrl).toString();

  it('runs a slash command with an ephemeral reply', async () => {
    const { fields } = slashCommandFields(slack, { text: 'host web-01' }, 'sock-slash');
    await socket.sendSlashCommand({ ...fields, response_url: viaSocketHost('sock-slash') });
    const reply = await slack.waitForResponse('sock-slash');
    expect(reply.response_type).toBe('ephemeral');
    expect(allText(reply)).toContain('web-01');
  });

  it('acks a button press and answers the presser ephemerally', async () => {
    const { payload } = blockActionsPayload(
      slack,
      { actionId: 'opsbot_relay_retry', value: 'not json', user: { id: 'U0ALICE', name: 'alice' }, channel: 'C0OPS', messageTs: '1700000000.000200' },
      'sock-press',
    );
    await socket.sendInteractive({ ...payload, response_url: viaSocketHost('sock-press') });
    expect(allText(await slack.waitForResponse('sock-press'))).toContain('not one opsbot can read');
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
  });
});
