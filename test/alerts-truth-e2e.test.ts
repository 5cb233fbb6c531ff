import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MackerelAlert, MackerelMonitor } from '../src/services/mackerel/types.ts';
import { createHttpServer } from '../src/server/http-server.ts';
import { createSilentLogger } from '../src/core/logger.ts';
import { startAlertHarness, type AlertHarness } from './helpers/alert-fixtures.ts';
import type { WireMessage } from './helpers/recording-chat-port.ts';
import { limitViolations, unexpectedPings } from './sim/slack-rules.ts';

/**
 * Each monitor type end to end: Mackerel's webhook bodies (test/fixtures/mackerel, see SOURCES.md)
 * into the webhook route, the Mackerel simulator answering the alert, monitor and host lookups,
 * a recording chat receiving the posts and edits. Every message keeps Slack's limits, pings no one
 * but alerts.mention, and states the facts of the alert.
 */
const DIR = join(import.meta.dirname, 'fixtures/mackerel');
const fixture = <T = Record<string, unknown>>(name: string): T => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as T;
const T = 1763600000;
const NOW = T + 600;
const HOST = { id: '3HostApp01x', name: 'app-01', status: 'working' as const, createdAt: T - 86400 * 30, roles: { shop: ['app'] } };
const MENTION = '<!subteam^S0ONCALL>';

let h: AlertHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The fallback text and every block's mrkdwn, as people read it. */
function messageText(message: WireMessage): string {
  const blocks = (message.blocks ?? []) as { text?: { text: string }; elements?: { text: string }[] }[];
  return [message.text, ...blocks.flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)])].join('\n');
}

const monitorOf = (name: string) => fixture<{ monitor: MackerelMonitor }>(`monitors/${name}`).monitor;

/** The harness with app-01, the fixture monitors, and the REST side of the webhook alerts (the webhook has no monitor id). */
async function world(alerts: MackerelAlert[] = []): Promise<AlertHarness> {
  const x = await startAlertHarness({ now: NOW });
  x.sim.addHost(HOST);
  x.sim.monitors.push(
    monitorOf('host-cpu'),
    monitorOf('host-noname'),
    monitorOf('external'),
    monitorOf('expression'),
    monitorOf('connectivity'),
    monitorOf('query'),
    { id: '2MonSvc001x', type: 'service', name: 'shop - MY_METRIC', memo: '', service: 'shop', metric: 'MY_METRIC', operator: '>', warning: 1, critical: 2 },
    { id: '2MonAnom01x', type: 'anomalyDetection', name: 'app anomaly', memo: '', scopes: ['shop:app'] },
  );
  x.sim.checkMonitors.push({ id: '2MonLog001x', name: 'log' }, fixture<{ check: { id: string; name: string } }>('monitors/check').check);
  for (const a of alerts) x.sim.addAlert(a);
  return x;
}

const rest = (id: string, monitorId: string, type: string, extra: Partial<MackerelAlert> = {}): MackerelAlert => ({ id, status: 'WARNING', monitorId, type, openedAt: T, ...extra });

async function send(x: AlertHarness, name: string): Promise<number> {
  const reply = await x.service.webhookHandler(fixture(`webhook/${name}`));
  await x.service.whenIdle();
  return reply.status;
}

/** Every message Slack got: within its limits, no pings but the configured one. */
function everything(x: AlertHarness): WireMessage[] {
  const all = [...x.chat.posts.map((p) => p.message), ...x.chat.updates.map((u) => u.message)];
  for (const m of all) {
    const args = m as unknown as Record<string, unknown>;
    expect(limitViolations('chat.postMessage', args)).toEqual([]);
    expect(unexpectedPings(args, [MENTION])).toEqual([]);
    expect(messageText(m)).not.toMatch(/undefined|NaN|\bnull\b|\d+ years/);
  }
  return all;
}

const topLevel = (x: AlertHarness) => x.chat.posts.filter((p) => !p.target.threadTs);
const lastUpdate = (x: AlertHarness) => messageText(x.chat.updates.at(-1)!.message);
const firstPost = (x: AlertHarness) => messageText(topLevel(x)[0]!.message);

describe('every monitor type through the webhook route', () => {
  it('host metric: fired at 6 > 5 while the monitor now says 10/20; escalates; recovers at 3', async () => {
    h = await world([rest('7AlCpu0001a', '2MonCpu001x', 'host', { hostId: HOST.id, value: 6 })]);
    expect(await send(h, 'host-cpu-warning')).toBe(202);
    const post = firstPost(h);
    expect(post).toContain('WARNING CPU % on app-01');
    expect(post).toContain('`cpu%` *6%* &gt; warning 5% (critical 10%) · average of 3 points · monitor now: warning 10%, critical 20%');
    expect(post).not.toContain('warning 10% (critical');
    expect(post).toContain(':book: *Runbook* (monitor memo)');
    expect(post).toContain('&lt;!channel&gt;');
    expect(post).toContain('|graph in Mackerel>');
    expect(post).not.toContain('could not fetch');

    expect(await send(h, 'host-cpu-critical')).toBe(202);
    expect(lastUpdate(h)).toContain('`cpu%` *12%* &gt; critical 10% (warning 5%)');
    expect(lastUpdate(h)).toContain('escalated from WARNING');

    expect(await send(h, 'host-cpu-ok')).toBe(202);
    const resolved = lastUpdate(h);
    expect(resolved).toContain('RESOLVED (was CRITICAL)');
    expect(resolved).toContain('recovered: `cpu%` *3%* ≤ critical 10% (warning 5%)');
    expect(resolved).not.toMatch(/3%\* &gt;/);
    expect(resolved).not.toContain(MENTION);
    expect(topLevel(h)).toHaveLength(1);
    everything(h);
  });

  it('service metric: critical at 1693212649 > 2, resolved at 1 as a recovery, not a breach', async () => {
    h = await world([rest('7AlSvc0001a', '2MonSvc001x', 'service', { status: 'CRITICAL', value: 1693212649 })]);
    await send(h, 'service-critical');
    const post = firstPost(h);
    expect(post).toContain('service *shop*');
    expect(post).toContain('`MY_METRIC` *1,693,212,649* &gt; critical 2 (warning 1)');
    expect(post).toContain(MENTION);
    await send(h, 'service-ok');
    const resolved = lastUpdate(h);
    expect(resolved).toContain('recovered: `MY_METRIC` *1* ≤ critical 2 (warning 1)');
    expect(resolved).not.toContain('*1* &gt; critical 2');
    everything(h);
  });

  it('expression: the expression and its tiny threshold; a manual close names who closed it', async () => {
    h = await world([rest('7AlExpr001a', '2MonExpr01x', 'expression', { value: 0.02 })]);
    await send(h, 'expression-warning');
    expect(firstPost(h)).toContain('expression `scale(host(3HostApp01x, loadavg1), 1)` *0.02* &gt; warning 0 (critical 1)');
    expect(firstPost(h)).toContain('WARNING Max loadavg5 monitor');
    await send(h, 'expression-manual-close');
    expect(lastUpdate(h)).toContain('closed manually by hanako');
    expect(lastUpdate(h)).not.toContain('recovered');
    everything(h);
  });

  it('connectivity: no data from the host, then its data is back', async () => {
    h = await world([rest('7AlConn001a', '2MonConn01x', 'connectivity', { hostId: HOST.id })]);
    await send(h, 'connectivity-warning');
    expect(firstPost(h)).toContain('no data from *app-01* for at least 10 min (connectivity)');
    await send(h, 'connectivity-ok');
    expect(lastUpdate(h)).toContain('recovered: data from *app-01* again');
    everything(h);
  });

  it("check: the check's output, then its OK output", async () => {
    h = await world([rest('7AlCheck01a', '2MonLog001x', 'check', { hostId: HOST.id, message: 'log - LOG CRITICAL' })]);
    await send(h, 'check-warning');
    expect(firstPost(h)).toContain('WARNING log on app-01');
    expect(firstPost(h)).toContain('check: log - LOG CRITICAL: 1 warnings, 1 criticals for pattern /error/.');
    await send(h, 'check-ok');
    expect(lastUpdate(h)).toContain('recovered: log - LOG OK: 0 warnings, 0 criticals for pattern /error/.');
    everything(h);
  });

  it('external: the failed request with its status; the slow one in ms against its thresholds, with the status', async () => {
    h = await world([
      rest('7AlExt0001a', '2MonExt001x', 'external', { status: 'CRITICAL', message: '500' }),
      rest('7AlExt0002a', '2MonExt001x', 'external', { status: 'CRITICAL', value: 2500, message: '200' }),
    ]);
    await send(h, 'external-status-critical');
    await send(h, 'external-response-time-critical');
    const [failed, slow] = topLevel(h).map((p) => messageText(p.message));
    expect(failed).toContain('CRITICAL Example Domain');
    expect(failed).toContain('HTTP request failed - status is 500');
    expect(slow).toContain('response time *2,500 ms* &gt; critical 1,000 ms (warning 500 ms) · average of 5 points · HTTP status *200*');
    everything(h);
  });

  it('anomaly detection: the deviating metric, recovery without a value', async () => {
    h = await world([rest('7AlAnom001a', '2MonAnom01x', 'anomalyDetection', { status: 'CRITICAL', hostId: HOST.id })]);
    await send(h, 'anomaly-critical');
    expect(firstPost(h)).toContain("anomaly detected: the role's metrics left their learned pattern (`cpu.iowait.percentage`)");
    await send(h, 'anomaly-ok');
    expect(lastUpdate(h)).toMatch(/RESOLVED \(was CRITICAL\) app anomaly on app-01/);
    everything(h);
  });

  it('query: the series with its labels', async () => {
    h = await world([rest('7AlQuery01a', '2MonQuery1x', 'query', { status: 'CRITICAL', value: 12 })]);
    await send(h, 'query-critical');
    expect(firstPost(h)).toContain('query `http.server.errors{http.method="GET", http.status_code="500"}` *12* &gt; critical 10 (warning 5)');
    expect(firstPost(h)).toContain('CRITICAL container cpu');
    everything(h);
  });

  it('an alert group is posted with its links and resolved when it closes, without asking the alert API', async () => {
    h = await world();
    expect(await send(h, 'alertgroup-warning')).toBe(202);
    const post = firstPost(h);
    expect(post).toContain('WARNING shop app');
    expect(post).toContain('<https://mackerel.io/orgs/acme/alert-groups/8AlGroup01a|alert group 8AlGroup01a>');
    expect(post).not.toContain('could not fetch');
    expect(await send(h, 'alertgroup-ok')).toBe(202);
    expect(lastUpdate(h)).toContain('OK: the alert group closed');
    expect(lastUpdate(h)).toContain('RESOLVED (was WARNING) shop app');
    everything(h);
  });

  it('an UNKNOWN alert with openedAt null is accepted and posted, claiming no duration', async () => {
    h = await world([rest('7AlExprU01a', '2MonExpr01x', 'expression', { status: 'UNKNOWN' })]);
    expect(await send(h, 'expression-unknown-opened-null')).toBe(202);
    const post = firstPost(h);
    expect(post).toContain('UNKNOWN');
    expect(post).toContain('no value to compare (UNKNOWN)');
    everything(h);
  });

  it('through the HTTP server, the sample notification is acknowledged and posts nothing', async () => {
    h = await world();
    const server = createHttpServer({ log: createSilentLogger(), health: () => ({ ok: true }), mackerelWebhook: { token: 'hook-secret-123', handle: h.service.webhookHandler } });
    const port = await server.listen(0, '127.0.0.1');
    const post = (body: unknown) =>
      fetch(`http://127.0.0.1:${port}/webhooks/mackerel?token=hook-secret-123`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    try {
      expect((await post(fixture('webhook/sample'))).status).toBe(200);
      expect((await post(fixture('webhook/host-memo-markup'))).status).toBe(202);
      await h.service.whenIdle();
      expect(topLevel(h)).toHaveLength(1);
      expect(firstPost(h)).toContain('WARNING users logged in on app-01');
      expect(firstPost(h)).toContain('&lt;&gt;&amp;');
      everything(h);
    } finally {
      await server.close();
    }
  });
});

describe('polled alerts (REST) through the same posts', () => {
  it('a monitor without a name is headlined by its metric; external alerts show ms and the HTTP status', async () => {
    const list = fixture<{ alerts: MackerelAlert[] }>('rest/alerts-open').alerts;
    h = await world(list.filter((a) => a.id === '7AlCpu0002a' || a.id === '7AlExt0003a'));
    await h.service.pollOnce();
    const posts = topLevel(h).map((p) => messageText(p.message));
    const cpu = posts.find((p) => p.includes('loadavg5'))!;
    expect(cpu).toContain('CRITICAL loadavg5 monitor on app-01');
    expect(cpu).not.toContain('2MonNoName1 on');
    expect(cpu).toContain('`loadavg5` *15.7* &gt; critical 12 (warning 8)');
    const ext = posts.find((p) => p.includes('Example Domain'))!;
    expect(ext).toContain('response time *2,500 ms*');
    expect(ext).toContain('HTTP status *200*');
    // Thresholds appear only if they are the monitor's response-time ones.
    expect(ext).not.toMatch(/&gt; (warning|critical) (?!500 ms|1,000 ms)/);
    everything(h);
  });
});

describe('the alerts command and polling agree', () => {
  it('an open alert is listed and posted; once it carries closedAt, polling resolves it and the list drops it', async () => {
    h = await world([rest('7AlCpu0009a', '2MonCpu001x', 'host', { hostId: HOST.id, value: 15 })]);
    await h.service.pollOnce();
    expect(topLevel(h)).toHaveLength(1);
    expect((await h.service.listOpen()).map((a) => a.event.id)).toEqual(['7AlCpu0009a']);
    h.sim.closeAlert('7AlCpu0009a', 'hoge', NOW);
    await h.service.pollOnce();
    expect(lastUpdate(h)).toContain('closed: hoge');
    expect(await h.service.listOpen()).toEqual([]);
    everything(h);
  });
});
