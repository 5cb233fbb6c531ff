import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim } from './sim/slack-sim.ts';
import { startMackerelSim, type MackerelSim } from './sim/mackerel-sim.ts';
import { generateOrg } from './sim/generate-org.ts';
import { startTestBot, TEST_BOT_TOKEN, type TestBot } from './helpers/start-test-bot.ts';

const MACKEREL_KEY = 'mkr-test-key-0123456789';
let slack: SlackSim;
let mackerel: MackerelSim;
let bot: TestBot;
let seq = 0;
const nextTs = () => `1763700000.${String(++seq).padStart(6, '0')}`;

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN }).start();
  const org = generateOrg({ hosts: 10_000, orgName: 'acme' });
  mackerel = await startMackerelSim({ apiKey: MACKEREL_KEY, orgName: 'acme', hosts: org.hosts, services: org.services });
  bot = await startTestBot({ env: { SLACK_API_URL: slack.apiUrl, MACKEREL_APIKEY: MACKEREL_KEY, MACKEREL_API_URL: mackerel.url } });
});

afterAll(async () => {
  await bot?.stop();
  await slack?.stop();
  await mackerel?.stop();
});

function mention(text: string, extra: Record<string, unknown> = {}) {
  return { type: 'app_mention', user: 'U0ALICE', text: `<@${slack.botUserId}> ${text}`, ts: nextTs(), channel: 'C0OPS', event_ts: `${Date.now() / 1000}`, ...extra };
}

async function replyTo(event: { ts: string; thread_ts?: unknown }) {
  const call = await slack.waitForCall('chat.postMessage', (c) => c.args.thread_ts === (event.thread_ts ?? event.ts));
  return call;
}

describe('lookups end to end: signed Slack events → Bolt → Mackerel index → Slack Web API', () => {
  it('answers "host NAME" in the thread with status, role link and the Mackerel host link', async () => {
    const host = mackerel.hosts.find((h) => h.status === 'working')!;
    const event = mention(`host ${host.name}`);
    const res = await bot.sendEvent(event);
    expect(res.status).toBe(200);
    const call = await replyTo(event);
    expect(call.token).toBe(TEST_BOT_TOKEN);
    const blocks = JSON.stringify(call.args.blocks);
    expect(blocks).toContain(host.name);
    expect(blocks).toContain(`https://mackerel.io/orgs/acme/hosts/${host.id}`);
    expect(blocks).toMatch(/https:\/\/mackerel.io\/orgs\/acme\/services\/[^"]+#role=/);
  });

  it('finds a host by IP address, which Mackerel itself cannot filter by', async () => {
    const host = mackerel.hosts[1234]!;
    const ip = host.interfaces![0]!.ipAddress ?? host.interfaces![0]!.ipv4Addresses![0]!;
    const event = mention(`host ${ip}`);
    await bot.sendEvent(event);
    const call = await replyTo(event);
    expect(JSON.stringify(call.args.blocks)).toContain(host.name);
  });

  it('replies once to an event Slack retries, and in threads, DMs and with a hint for unknown commands', async () => {
    const event = mention('services', { thread_ts: '1763690000.000100' });
    await bot.sendEvent(event, { eventId: 'EvRETRY1' });
    await bot.sendEvent(event, { eventId: 'EvRETRY1', retryNum: 1 });
    await bot.sendEvent(event, { eventId: 'EvRETRY1', retryNum: 2 });
    await replyTo(event);
    const dm = { type: 'message', channel_type: 'im', channel: 'D0ALICE', user: 'U0ALICE', text: 'hots web', ts: nextTs() };
    await bot.sendEvent(dm);
    const hint = await slack.waitForCall('chat.postMessage', (c) => c.args.channel === 'D0ALICE');
    expect(String(hint.args.text)).toMatch(/Did you mean `host`/);
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.callsOf('chat.postMessage').filter((c) => c.args.thread_ts === '1763690000.000100')).toHaveLength(1);
  });

  it('has listed hosts from Mackerel once for all those lookups, and logged no secret', async () => {
    expect(mackerel.callCount('GET /api/v0/hosts')).toBe(1);
    const logs = bot.logs.join('\n');
    expect(logs).not.toContain(MACKEREL_KEY);
    expect(logs).not.toContain(TEST_BOT_TOKEN);
  });

  it('counts its Mackerel calls by route and status at GET /metrics (Prometheus text)', async () => {
    const res = await fetch(`${bot.baseUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('opsbot_mackerel_calls_total{route="api/v0/hosts",status="200"} 1');
    expect(text).toMatch(/^# TYPE opsbot_relays_total counter$/m);
    expect(text).not.toContain(MACKEREL_KEY);
  });

  it('rejects an unsigned or badly signed event without handling it', async () => {
    const body = JSON.stringify({ type: 'event_callback', event_id: 'EvFORGED', event: mention('services') });
    const res = await fetch(`${bot.baseUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=deadbeef' },
      body,
    });
    expect(res.status).toBe(401);
  });
});
