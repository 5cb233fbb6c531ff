import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, toSlackMessage } from '../src/core/message.ts';
import { renderHost } from '../src/handlers/lookup/render.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { toInventoryHost } from '../src/services/inventory/mackerel-source.ts';
import { parseHost } from '../src/services/mackerel/parse.ts';
import type { AlertContext } from '../src/services/alerts/alert-context.ts';
import type { MonitorInfo } from '../src/services/alerts/alert-data.ts';
import { fromRestAlert, readWebhookPayload, type AlertEvent, type AlertStatus } from '../src/services/alerts/alert-event.ts';
import { headline, renderAlertMessage } from '../src/handlers/alerts/render-alert.ts';
import type { MentionDecision } from '../src/services/urgency/index.ts';

/**
 * Every fixture of test/fixtures/mackerel (written after Mackerel's webhook and API docs, its
 * clients' tests and a public webhook gateway's samples; see SOURCES.md there) through the
 * webhook parser and the renderer: the facts shown are those of the alert, never an untruth.
 */
const DIR = join(import.meta.dirname, 'fixtures/mackerel');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
const T = 1763600000;
const QUIET: MentionDecision = { mention: false, code: 'no-forecast', reason: { code: 'no-forecast' } };

function webhook(name: string): AlertEvent {
  const reading = readWebhookPayload(fixture(`webhook/${name}`));
  if (reading.kind !== 'alert') throw new Error(`${name}: ${reading.kind}`);
  return reading.event;
}

function ctxOf(event: AlertEvent, extra: Partial<AlertContext> = {}): AlertContext {
  return { event, org: 'acme', monitor: null, host: null, resource: null, forecast: null, problems: [], ...extra };
}

/** All text a person sees (the fallback and every block), as Slack gets it. */
function shown(ctx: AlertContext, opts: { resolvedAt?: number; now?: number } = {}): string {
  const message = toSlackMessage(
    renderAlertMessage(ctx, {
      present: createPresenter({ language: 'en', timeZone: 'Asia/Tokyo', now: () => opts.now ?? T + 600 }),
      decision: QUIET,
      mentionTarget: '<!subteam^S0ONCALL>',
      now: opts.now ?? T + 600,
      ...(opts.resolvedAt !== undefined ? { resolved: { at: opts.resolvedAt } } : {}),
    }),
  );
  for (const block of message.blocks ?? []) {
    const b = block as { type: string; text?: { text: string }; elements?: { text: string }[] };
    if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    for (const e of b.elements ?? []) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextText);
  }
  const blocks = (message.blocks ?? []) as { text?: { text: string }; elements?: { text: string }[] }[];
  return [message.text, ...blocks.flatMap((b) => [b.text?.text ?? '', ...(b.elements ?? []).map((e) => e.text)])].join('\n');
}

/** The close as the service renders it: the closing event with the status the post last showed. */
function closed(name: string, lastStatus: AlertStatus): string {
  const event = webhook(name);
  expect(event.open).toBe(false);
  return shown(ctxOf({ ...event, status: lastStatus }), { resolvedAt: event.closedAt ?? T + 900 });
}

const NO_PINGS = /<!channel>|<!here>|<!everyone>|<@U0BOSS>/;

describe('webhook fixtures: the alert as Mackerel saw it', () => {
  it('host metric: the value and thresholds it fired on (6% > warning 5%), not the monitor as it is now', () => {
    const event = webhook('host-cpu-warning');
    expect(event).toMatchObject({ status: 'WARNING', open: true, value: 6, warning: 5, critical: 10, operator: '>', duration: 3, metricLabel: 'cpu%', openedAt: T });
    // The monitor was since raised to 10/20: the post still says what fired, and that it changed.
    const now: MonitorInfo = { id: '2MonCpu001x', type: 'host', name: 'CPU %', metric: 'cpu%', operator: '>', warning: 10, critical: 20 };
    const text = shown(ctxOf(event, { monitor: now }));
    expect(text).toContain('`cpu%` *6%* &gt; warning 5% (critical 10%)');
    expect(text).toContain('monitor now: warning 10%, critical 20%');
    expect(text).not.toMatch(/6% &gt; warning 10%/);
    expect(text).toContain('WARNING CPU % on app-01');
  });

  it('WARNING → CRITICAL: the critical threshold, the value of the escalation', () => {
    const text = shown(ctxOf(webhook('host-cpu-critical')));
    expect(text).toContain('`cpu%` *12%* &gt; critical 10% (warning 5%)');
  });

  it("the docs' own example: fractional thresholds as Mackerel rounds them; a closedAt on an open alert is ignored", () => {
    const event = webhook('host-docs-critical');
    expect(event.open).toBe(true);
    expect(event.closedAt).toBeUndefined();
    const text = shown(ctxOf(event));
    expect(text).toContain('`MetricName` *2.26* &gt; critical 1.96 (warning 1.47)');
    expect(text).not.toContain('resolved');
  });

  it('host close: recovery wording with the recovering value, never a breach', () => {
    const text = closed('host-cpu-ok', 'CRITICAL');
    expect(text).toContain('recovered: `cpu%` *3%* ≤ critical 10% (warning 5%)');
    expect(text).toContain('RESOLVED (was CRITICAL)');
    expect(text).not.toMatch(/3% &gt;/);
    expect(text).toContain('after 15 min');
  });

  it('service metric: service shown, and the close of `1` against critical 2 reads as a recovery', () => {
    const open = shown(ctxOf(webhook('service-critical')));
    expect(open).toContain('service *shop*');
    expect(open).toContain('`MY_METRIC` *1,693,212,649* &gt; critical 2 (warning 1)');
    expect(open).toContain('<https://mackerel.io/orgs/acme/services/shop|shop in Mackerel>');
    const text = closed('service-ok', 'CRITICAL');
    expect(text).toContain('recovered: `MY_METRIC` *1* ≤ critical 2 (warning 1)');
    expect(text).not.toContain('*1* &gt;');
  });

  it('expression: the expression, a tiny threshold kept as is, and a manual close says who closed it', () => {
    const text = shown(ctxOf(webhook('expression-warning')));
    expect(text).toContain('expression `scale(host(3HostApp01x, loadavg1), 1)` *0.02* &gt; warning 0 (critical 1)');
    const manual = closed('expression-manual-close', 'WARNING');
    expect(manual).toContain('closed manually by hanako');
    expect(manual).not.toContain('recovered');
  });

  it('an UNKNOWN alert with openedAt null is read, says it has no value, and claims no duration', () => {
    const event = webhook('expression-unknown-opened-null');
    expect(event).toMatchObject({ status: 'UNKNOWN', open: true, openedAtUnknown: true });
    const text = shown(ctxOf(event));
    expect(text).toContain('no value to compare (UNKNOWN)');
    expect(text).not.toMatch(/&gt; warning|years|days/);
    const resolved = shown(ctxOf({ ...event, open: false, reason: 'monitor' }), { resolvedAt: T });
    expect(resolved).not.toContain(' after ');
  });

  it('connectivity: no data from the host, for how long; recovery says the data is back', () => {
    const text = shown(ctxOf(webhook('connectivity-warning')), { now: T + 720 });
    expect(text).toContain('no data from *app-01* for at least 12 min (connectivity)');
    expect(closed('connectivity-ok', 'WARNING')).toContain('recovered: data from *app-01* again');
  });

  it("check: the check's own output; the OK output on close", () => {
    expect(shown(ctxOf(webhook('check-warning')))).toContain('check: log - LOG CRITICAL: 1 warnings, 1 criticals for pattern /error/.');
    expect(closed('check-ok', 'WARNING')).toContain('recovered: log - LOG OK: 0 warnings, 0 criticals for pattern /error/.');
  });

  it('external: the failure and its HTTP status; with a response time, ms and thresholds and the status', () => {
    const failed = webhook('external-status-critical');
    expect(failed.httpStatus).toBe(500);
    const text = shown(ctxOf(failed));
    expect(text).toContain('HTTP request failed - status is 500');
    expect(text).toContain('<https://mackerel.io/embed/public/alert/Xq7pZ2extGraph.png|graph in Mackerel>');
    const slow = shown(ctxOf(webhook('external-response-time-critical')));
    expect(slow).toContain('response time *2,500 ms* &gt; critical 1,000 ms (warning 500 ms)');
    expect(slow).toContain('HTTP status *200*');
  });

  it('anomaly detection: the deviating metric, no threshold', () => {
    const text = shown(ctxOf(webhook('anomaly-critical')));
    expect(text).toContain("anomaly detected: the role's metrics left their learned pattern (`cpu.iowait.percentage`)");
    expect(text).not.toMatch(/&gt;|critical \d/);
    expect(closed('anomaly-ok', 'CRITICAL')).toMatch(/\nOK\n/);
  });

  it('query: the series with its labels', () => {
    const text = shown(ctxOf(webhook('query-critical')));
    expect(text).toContain('query `http.server.errors{http.method="GET", http.status_code="500"}` *12* &gt; critical 10 (warning 5)');
  });

  it('the memo is the runbook: escaped (no pings, no links made), cut to size', () => {
    const text = shown(ctxOf(webhook('host-cpu-warning')));
    expect(text).toContain(':book: *Runbook* (monitor memo)\nCPU saturation on app hosts.\n1. Check the top processes');
    expect(text).toContain('&lt;@U0BOSS&gt; &amp; &lt;!channel&gt;');
    expect(text).not.toMatch(NO_PINGS);
    const markup = shown(ctxOf(webhook('host-memo-markup')));
    expect(markup).toContain('手順書: DRIVE/Webサーバー対応手順F015 &lt;&gt;&amp;\'"');
    expect(markup).toContain('WARNING users logged in on app-01');
    const huge = shown(ctxOf({ ...webhook('host-cpu-warning'), memo: `${'&<>'.repeat(2000)}\n${'line\n'.repeat(100)}` }));
    expect(huge).toContain('… (cut; the full memo is on the monitor in Mackerel)');
    expect(huge).not.toMatch(NO_PINGS);
  });

  it("Mackerel's graph is linked only when opsbot has no forecast graph", () => {
    const event = webhook('host-cpu-warning');
    expect(shown(ctxOf(event))).toContain('|graph in Mackerel>');
    const resource = { pair: { used: 'u', size: 's', label: '/dev/x', mode: 'percent' }, unit: 'percent', points: [], limit: 100 } as unknown as AlertContext['resource'];
    expect(shown(ctxOf(event, { resource }))).not.toContain('graph in Mackerel');
  });

  it('an alert group is posted as a group, with its links; its close resolves it', () => {
    const event = webhook('alertgroup-warning');
    expect(event).toMatchObject({ id: 'group-8AlGroup01a', type: 'alertGroup', status: 'WARNING', open: true, openedAt: T });
    const text = shown(ctxOf(event));
    expect(text).toContain('WARNING shop app');
    expect(text).toContain('alert group *shop app*');
    expect(text).toContain('<https://mackerel.io/orgs/acme/alert-groups/8AlGroup01a|alert group 8AlGroup01a>');
    expect(text).toContain('<https://mackerel.io/orgs/acme/alert-group-settings/9AgSet0001a|group setting>');
    expect(text).toContain(':book: *Runbook* (alert group memo)\nGroup runbook');
    const close = webhook('alertgroup-ok');
    expect(close).toMatchObject({ id: 'group-8AlGroup01a', open: false, closedAt: T + 420 });
    expect(closed('alertgroup-ok', 'WARNING')).toContain('OK: the alert group closed');
  });

  it('the sample notification is acknowledged; bodies without any time are still refused', () => {
    expect(readWebhookPayload(fixture('webhook/sample'))).toMatchObject({ kind: 'ignored' });
    expect(readWebhookPayload({ event: 'alert', alert: { id: 'A1', status: 'warning' } })).toMatchObject({ kind: 'invalid' });
    expect(readWebhookPayload({ event: 'alertGroup', alertGroup: { id: 'G1', status: 'burning' } })).toMatchObject({ kind: 'invalid' });
    expect(readWebhookPayload({ event: 'hostStatus', host: {} })).toMatchObject({ kind: 'ignored' });
  });
});

describe('REST alerts and monitors', () => {
  const list = (fixture('rest/alerts-open') as { alerts: unknown[] }).alerts.map((a) => fromRestAlert(a)!);
  const byId = (id: string) => list.find((a) => a.id === id)!;
  const monitor = (name: string): MonitorInfo => {
    const body = fixture(`monitors/${name}`) as { monitor?: Record<string, unknown>; check?: Record<string, unknown> };
    const m = (body.monitor ?? body.check)!;
    // As the data source gives it today: a monitor without a name gets its id as the name.
    return { ...m, type: (m.type as string | undefined) ?? 'check', name: (m.name as string | undefined) ?? (m.id as string) } as MonitorInfo;
  };

  it('every documented alert shape is read', () => {
    expect(list.map((a) => [a.type, a.status, a.open])).toEqual([
      ['connectivity', 'CRITICAL', true],
      ['host', 'CRITICAL', true],
      ['external', 'CRITICAL', true],
      ['expression', 'WARNING', true],
      ['query', 'CRITICAL', true],
      ['check', 'CRITICAL', true],
    ]);
    expect(byId('7AlExt0003a')).toMatchObject({ value: 2500, httpStatus: 200 });
    expect(byId('7AlQuery02a').series).toEqual({ name: 'container.cpu.utilization', labels: { ip: '127.0.0.1' } });
  });

  it('a monitor without a name is headlined by its metric, never its id', () => {
    const ctx = ctxOf(byId('7AlCpu0002a'), { monitor: monitor('host-noname'), host: { id: '3HostApp01x', name: 'app-01', roles: [] } });
    expect(headline(ctx, 'CRITICAL', createPresenter({ language: 'en', timeZone: 'Asia/Tokyo' }))).toBe('CRITICAL loadavg5 monitor on app-01');
    expect(headline(ctx, 'CRITICAL', createPresenter({ language: 'ja', timeZone: 'Asia/Tokyo' }))).toBe('CRITICAL app-01 の loadavg5 の監視');
    const text = shown(ctx);
    expect(text).not.toContain('2MonNoName1 ');
    expect(text).toContain('`loadavg5` *15.7* &gt; critical 12 (warning 8)');
  });

  it("external (mkr's example): ms, the response-time thresholds of the monitor, the HTTP status, the URL", () => {
    const text = shown(ctxOf(byId('7AlExt0003a'), { monitor: monitor('external') }));
    expect(text).toContain('response time *2,500 ms* &gt; critical 1,000 ms (warning 500 ms) · HTTP status *200*');
    expect(text).toContain('<https://example.com/|https://example.com>');
    expect(text).toContain('CRITICAL Example Domain');
  });

  it('expression and query monitors from the API: the one-line expression, the series', () => {
    expect(shown(ctxOf(byId('7AlExpr002a'), { monitor: monitor('expression') }))).toContain("expression `max(roleSlots('shop:app', 'loadavg5'))` *15.7* &gt; warning 10 (critical 20)");
    expect(shown(ctxOf(byId('7AlQuery02a'), { monitor: monitor('query') }))).toContain('query `container.cpu.utilization{ip="127.0.0.1"}` *0.93* &gt; critical 0.9 (warning 0.7)');
  });

  it("check from the API: the check's first output line", () => {
    const text = shown(ctxOf(byId('7AlChk0002a'), { monitor: monitor('check') }));
    expect(text).toContain('CRITICAL nginx procs');
    expect(text).toContain('check: PROCS CRITICAL: 0 processes second line of output');
  });

  it('an alert carrying closedAt is closed whatever its status; closedAt 0 or null is no close', () => {
    expect(fromRestAlert(fixture('rest/alert-closed'))).toMatchObject({ open: false, closedAt: T + 300, reason: 'hoge' });
    expect(fromRestAlert(fixture('rest/alert-closedat-with-status'))).toMatchObject({ status: 'CRITICAL', open: false, closedAt: T + 300 });
    expect(fromRestAlert({ id: 'A', status: 'WARNING', type: 'host', openedAt: T, closedAt: 0 })).toMatchObject({ open: true });
    expect(fromRestAlert({ id: 'A', status: 'WARNING', type: 'host', openedAt: T, closedAt: null })).toMatchObject({ open: true });
  });

  it('a close seen by polling (value of unknown time, reason given) claims no recovery value', () => {
    const event = fromRestAlert(fixture('rest/alert-closed'))!;
    const text = shown(ctxOf({ ...event, status: 'CRITICAL' }, { monitor: monitor('host-cpu') }), { resolvedAt: T + 300 });
    expect(text).toContain('closed: hoge');
    expect(text).not.toMatch(/15\.7% &gt;|recovered: `cpu%` \*15/);
  });

  it('a host created at 0 has no age (not "56 years")', () => {
    const parsed = parseHost(fixture('hosts/host-created-zero'));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const host = toInventoryHost(parsed.value);
    expect(host.createdAt).toBeUndefined();
    const text = JSON.stringify(toSlackMessage(renderHost(host, { present: createPresenter({ language: 'en', timeZone: 'UTC', now: () => T }), now: T, origin: 'Mackerel', ageSeconds: 0 })));
    expect(text).not.toMatch(/\d+ years?/);
  });
});
