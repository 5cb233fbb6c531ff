import fc from 'fast-check';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim } from './sim/slack-sim.ts';
import { signSlackBody, TEST_BOT_TOKEN, TEST_SIGNING_SECRET } from './helpers/start-test-bot.ts';
import { spawnBot, type SpawnedBot } from './helpers/spawn-bot.ts';

/**
 * The real bot process (HTTP mode) under hostile and careless requests: it must stay up, answer
 * a client's mistake with a 4xx (never a 5xx), and keep its log lines bounded.
 */
const WEBHOOK_TOKEN = 'hook-token-0123456789';
let slack: SlackSim;
let bot: SpawnedBot;
let port: number;

beforeAll(async () => {
  slack = await new SlackSim({ botToken: TEST_BOT_TOKEN, allowedMentions: ['<!subteam^S0ONCALL>'] }).start();
  bot = spawnBot(
    { SLACK_BOT_TOKEN: TEST_BOT_TOKEN, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, MACKEREL_WEBHOOK_TOKEN: WEBHOOK_TOKEN },
    { configYaml: 'alerts:\n  channel: C0ALERTS\n  pollSeconds: 0\n  refreshMinutes: 0\n  mention: "<!subteam^S0ONCALL>"\n' },
  );
  port = await bot.ready();
});

afterAll(async () => {
  bot?.child.kill('SIGTERM');
  await bot?.exited;
  await slack?.stop();
});

/** Sends bytes as they are (no client normalises the path) and reads the status line. */
function raw(request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m) resolve(Number(m[1]));
      else reject(new Error(`no HTTP status in ${JSON.stringify(data.slice(0, 100))}`));
    });
    socket.end(request);
  });
}

function signedPost(body: string, contentType = 'application/json') {
  return fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...signSlackBody(TEST_SIGNING_SECRET, body) }, body });
}

async function expectAlive() {
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  expect(bot.child.exitCode).toBeNull();
}

describe('the HTTP edge of the running bot', () => {
  it('answers odd request targets and methods with 4xx and stays up', async () => {
    const requests: [string, number][] = [
      ['GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
      ['GET /\\ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
      ['GET /slack/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 405],
      ['DELETE /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 405],
      ['GET /webhooks/mackerel HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 405],
      ['GET http://evil.example/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
      ['GET /healthz?%zz=%%% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 200],
      ['POST /webhooks/mackerel?token=%ZZ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}', 401],
      ['BREW /coffee HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
      ['\x00\x01garbage\r\n\r\n', 400],
    ];
    for (const [request, status] of requests) expect(await raw(request), JSON.stringify(request)).toBe(status);
    await expectAlive();
  });

  it('refuses unsigned requests, and signed envelopes Bolt could not take, with 4xx', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', body: '{"type":"event_callback"}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    const bodies = [
      'null',
      '[]',
      '"x"',
      '1',
      '{}',
      '{"type":"event_callback"}',
      '{"type":"event_callback","event_id":"E1","event":null}',
      '{"type":"event_callback","event_id":"E2","event":{"type":null}}',
      '{"type":"url_verification"}',
      '{not json',
    ];
    for (const body of bodies) expect((await signedPost(body)).status, body).toBe(400);
    for (const body of ['payload=null', 'payload=%5B1%5D', 'payload=%7B%7D', 'foo=bar']) expect((await signedPost(body, 'application/x-www-form-urlencoded')).status, body).toBeLessThan(500);
    // Events whose fields are not what Slack documents are acknowledged and dropped, not a crash.
    const odd = [{ type: 'app_mention' }, { type: 'message', channel: 'C1', ts: '1.2', files: [null, 3] }, { type: 'channel_created', channel: { id: 'C9' } }];
    for (const event of odd) expect((await signedPost(JSON.stringify({ type: 'event_callback', event_id: `E${Math.random()}`, event }))).status).toBe(200);
    // Fields Bolt's own middleware reads, of types Slack never sends: refused before Bolt.
    for (const event of [
      { type: 'app_mention', channel: 5, ts: {}, text: ['x'] },
      { type: 'message', user: null },
      { type: 'message', message: 'x' },
    ]) {
      expect((await signedPost(JSON.stringify({ type: 'event_callback', event_id: `E${Math.random()}`, event }))).status).toBe(400);
    }
    expect((await signedPost(JSON.stringify({ type: 'event_callback', event_id: 'E3', authorizations: 'x', event: { type: 'message' } }))).status).toBe(400);
    expect((await signedPost('x'.repeat(1024 * 1024 + 1))).status).toBe(413);
    await expectAlive();
  });

  it('never answers 5xx to arbitrary signed envelopes, methods and paths (fuzzed)', async () => {
    const event = fc.record(
      {
        type: fc.oneof(fc.constantFrom('app_mention', 'message'), fc.string()),
        channel: fc.oneof(fc.constant('C0OPS'), fc.jsonValue()),
        ts: fc.oneof(fc.constant('1763700000.000100'), fc.jsonValue()),
        text: fc.oneof(fc.string(), fc.jsonValue()),
        user: fc.oneof(fc.constant('U0ALICE'), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    const envelope = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          type: fc.oneof(fc.constant('event_callback'), fc.jsonValue()),
          event_id: fc.oneof(fc.string(), fc.jsonValue()),
          event: fc.oneof(event, fc.jsonValue()),
          team_id: fc.oneof(fc.string(), fc.jsonValue()),
          enterprise_id: fc.jsonValue(),
          authorizations: fc.oneof(fc.array(fc.record({ team_id: fc.jsonValue(), user_id: fc.jsonValue(), is_bot: fc.jsonValue() }, { requiredKeys: [] })), fc.jsonValue()),
          is_ext_shared_channel: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(envelope, async (value) => {
        const res = await signedPost(JSON.stringify(value) ?? 'null');
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    const token = fc.stringMatching(/^[A-Za-z!#$%&'*+.^_`|~-]{1,10}$/);
    const target = fc.oneof(fc.constantFrom('/', '//', '/slack/events', '/healthz', '/metrics', '/webhooks/mackerel', '*'), fc.stringMatching(/^\/[\x21-\x7e]{0,60}$/));
    await fc.assert(
      fc.asyncProperty(token, target, async (method, path) => {
        const status = await raw(`${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    await expectAlive();
  });

  it('never answers 5xx to arbitrary webhook bodies, and posts hostile ones without pings or oversize text', async () => {
    const hook = (body: string) => fetch(`http://127.0.0.1:${port}/webhooks/mackerel?token=${WEBHOOK_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        expect((await hook(JSON.stringify(value) ?? 'null')).status).toBeLessThan(500);
      }),
      { numRuns: 100 },
    );
    const hostile = fc.oneof(fc.constantFrom('<!channel>', '<!here> <@U0BOSS>', '<https://evil.example|click>', 'x'.repeat(100_000), '<'), fc.string());
    const alert = fc.record({
      id: fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
      status: fc.constantFrom('CRITICAL', 'WARNING', 'OK', 'UNKNOWN'),
      name: hostile,
      trigger: hostile,
      url: fc.oneof(hostile, fc.constant('https://mackerel.io/orgs/x/alerts/1>|<!channel>')),
    });
    await fc.assert(
      fc.asyncProperty(alert, hostile, async (a, hostName) => {
        const body = {
          orgName: 'acme',
          event: 'alert',
          host: {
            id: 'H1',
            name: hostName,
            url: 'https://mackerel.io/orgs/acme/hosts/H1>|<!here>',
            status: 'working',
            roles: [{ fullname: `${hostName}:web`, serviceName: hostName, roleName: 'web' }],
          },
          alert: {
            id: a.id,
            status: a.status,
            isOpen: a.status !== 'OK',
            trigger: a.trigger,
            url: a.url,
            openedAt: 1763700000,
            monitorName: a.name,
            metricLabel: a.name,
            metricValue: 91,
            criticalThreshold: 90,
            warningThreshold: 80,
            monitorOperator: '>',
            duration: 5,
          },
        };
        expect((await hook(JSON.stringify(body))).status).toBeLessThan(500);
      }),
      { numRuns: 25 },
    );
    // Every post made so far was checked by the simulator (limits and pings; see test/helpers/sim-guard.ts).
    await expectAlive();
  });

  it('keeps every log line bounded and logs no unhandled failure', () => {
    const lines = bot.out().trim().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(8 * 1024 + 1);
    expect(bot.out()).not.toMatch(/unhandled promise rejection|uncaught exception/);
    expect(bot.out()).not.toContain(TEST_SIGNING_SECRET);
  });
});
