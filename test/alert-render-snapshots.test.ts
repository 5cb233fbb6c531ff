import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Language } from '../src/core/language.ts';
import { configuredMention, EMPTY, md, type ChatMessage } from '../src/core/message.ts';
import type { ChatPort } from '../src/core/chat-port.ts';
import { actNoteText, refusalText } from '../src/handlers/act/act-handler.ts';
import { createAlertCommands } from '../src/handlers/alerts/alert-commands.ts';
import { createAlertPoster, noteText } from '../src/handlers/alerts/alert-poster.ts';
import { replayText } from '../src/handlers/alerts/alert-replay-command.ts';
import { renderAlertMessage, type AlertViewOptions } from '../src/handlers/alerts/render-alert.ts';
import type { CommandContext } from '../src/handlers/command-registry.ts';
import { createPresenter, type Presenter } from '../src/handlers/present/presenter.ts';
import type { AlertContext } from '../src/services/alerts/alert-context.ts';
import type { AlertDataSource, MonitorInfo } from '../src/services/alerts/alert-data.ts';
import { fromRestAlert, readWebhookPayload, type AlertEvent, type AlertStatus } from '../src/services/alerts/alert-event.ts';
import type { AlertNote } from '../src/services/alerts/alert-lifecycle.ts';
import type { ActNote } from '../src/services/alerts/alert-service.ts';
import type { OpenAlertSummary } from '../src/services/alerts/open-alerts.ts';
import { forecastTimeToLimit } from '../src/services/forecast/index.ts';
import { createGraphScheduler } from '../src/services/graph/index.ts';
import type { InventoryCache } from '../src/services/inventory/cache.ts';
import type { MentionDecision, MentionReason } from '../src/services/urgency/index.ts';
import { createSilentLogger } from '../src/core/logger.ts';
import { renderedBoth } from './helpers/render-snapshot.ts';

/**
 * The alert post and everything said about an alert, as Slack and the shell show them, in English
 * and Japanese: each status, each monitor type, recovered and closed, escalated, acknowledged and
 * snoozed, with and without a mention; the thread notes, the button replies, and the alert
 * commands' replies. The events are Mackerel's own (test/fixtures/mackerel, see SOURCES.md there);
 * the clock is fixed: Thu 20 Nov 2025, 10:03 JST, ten minutes after the alerts opened.
 */
const DIR = join(import.meta.dirname, 'fixtures/mackerel');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8'));
const T = 1763600000;
const NOW = T + 600;
const HOUR = 3600;
const LANGUAGES: readonly Language[] = ['en', 'ja'];
const presenter = (language: Language): Presenter => createPresenter({ language, timeZone: 'Asia/Tokyo', now: () => NOW });
const ONCALL = '<!subteam^S0ONCALL>';

function webhook(name: string): AlertEvent {
  const reading = readWebhookPayload(fixture(`webhook/${name}`));
  if (reading.kind !== 'alert') throw new Error(`${name}: ${reading.kind}`);
  return reading.event;
}

function monitor(name: string): MonitorInfo {
  const body = fixture(`monitors/${name}`) as { monitor?: Record<string, unknown>; check?: Record<string, unknown> };
  const m = (body.monitor ?? body.check)!;
  return { ...m, type: (m.type as string | undefined) ?? 'check', name: (m.name as string | undefined) ?? (m.id as string) } as MonitorInfo;
}

const restAlert = (id: string): AlertEvent => (fixture('rest/alerts-open') as { alerts: unknown[] }).alerts.map((a) => fromRestAlert(a)!).find((a) => a.id === id)!;

function ctxOf(event: AlertEvent, extra: Partial<AlertContext> = {}): AlertContext {
  return { event, org: 'acme', monitor: null, host: null, resource: null, forecast: null, problems: [], ...extra };
}

const decision = (mention: boolean, reason: MentionReason): MentionDecision => ({ mention, code: mention ? 'critical' : 'can-wait', reason });
const CRITICAL: MentionDecision = decision(true, { code: 'critical' });
const QUIET: MentionDecision = decision(false, { code: 'no-forecast' });
/** Tomorrow 09:00 JST: the next working period (a day that is not today, so its date is shown). */
const TOMORROW_9 = Date.UTC(2025, 10, 21, 0, 0) / 1000;

/** /dev/xvdb1 of web-01 at 85%, filling steadily: full in about 6 h. */
function diskForecast(): Pick<AlertContext, 'resource' | 'forecast'> {
  const points = [];
  for (let t = NOW - 2 * 86400; t <= NOW; t += 1800) points.push({ time: t, value: 85 - ((NOW - t) / (6 * HOUR)) * 15 * (1 + Math.sin(t / 977) * 0.001) });
  const resource: NonNullable<AlertContext['resource']> = {
    pair: { used: 'filesystem.xvdb1.used', size: 'filesystem.xvdb1.size', kind: 'filesystem', label: '/dev/xvdb1', mode: 'percent' },
    unit: 'percent',
    points: points.map((p) => ({ time: p.time, value: Math.min(99, Math.max(30, p.value)) })),
    limit: 100,
    warning: 80,
    critical: 90,
  };
  return { resource, forecast: forecastTimeToLimit({ points: resource.points, limit: 100, now: NOW }, { unit: 'percent' }) };
}

const diskEvent = (status: AlertStatus): AlertEvent => ({
  id: '5AlDisk0001',
  source: 'webhook',
  status,
  open: true,
  type: 'host',
  openedAt: T,
  orgName: 'acme',
  monitorId: '2MonDisk001',
  monitorName: 'disk used %',
  metricLabel: 'disk%',
  value: status === 'CRITICAL' ? 92.5 : 85.2,
  operator: '>',
  warning: 80,
  critical: 90,
  hostId: '3HostWeb01x',
  hostName: 'web-01',
  roles: ['shop:web'],
  memo: 'Disk almost full.\n1. `du -sh /var/log/*`\n2. Rotate or delete old logs',
});

const WEB_01 = { id: '3HostWeb01x', name: 'web-01', roles: ['shop:web'] };

describe.each(LANGUAGES)('alert posts in %s', (language) => {
  const present = presenter(language);
  const post = (ctx: AlertContext, opts: Partial<AlertViewOptions> = {}) =>
    renderedBoth(renderAlertMessage(ctx, { present, decision: QUIET, mentionTarget: ONCALL, now: NOW, buttons: { close: true }, ...opts }));

  it('a disk alert in each status, with its forecast, runbook and buttons; mentioned or not', () => {
    const forecast = diskForecast();
    expect(post(ctxOf(diskEvent('CRITICAL'), { host: WEB_01, ...forecast }), { decision: CRITICAL })).toMatchSnapshot('CRITICAL, mentioned');
    const beforeWork = decision(true, { code: 'before-next-working-period', full: 6 * HOUR, when: TOMORROW_9 });
    expect(post(ctxOf(diskEvent('WARNING'), { host: WEB_01, ...forecast }), { decision: beforeWork })).toMatchSnapshot('WARNING, mentioned before work starts');
    const canWait = decision(false, { code: 'can-wait', full: 3 * 86400, when: TOMORROW_9, inHours: true });
    expect(post(ctxOf(diskEvent('WARNING'), { host: WEB_01 }), { decision: canWait })).toMatchSnapshot('WARNING, no mention');
    expect(post(ctxOf(diskEvent('WARNING'), { host: WEB_01 }), { decision: beforeWork, mentionTarget: undefined })).toMatchSnapshot('WARNING, no mention target configured');
    expect(post(ctxOf(webhook('expression-unknown-opened-null')))).toMatchSnapshot('UNKNOWN');
  });

  it('names memory in the team language on the forecast line, a filesystem by its device', () => {
    const forecast = diskForecast();
    const memory = {
      ...forecast,
      resource: { ...forecast.resource!, pair: { used: 'memory.used', size: 'memory.total', kind: 'memory' as const, label: 'memory', mode: 'percent' as const } },
    };
    const shown = post(ctxOf(diskEvent('WARNING'), { host: WEB_01, ...memory }));
    const forecastLine = shown.split('\n').find((l) => l.startsWith('⏳'));
    expect(forecastLine).toMatch(language === 'ja' ? /^⏳ メモリ は \d時間(\d+分)? 後（/ : /^⏳ memory full in \d h/);
    expect(post(ctxOf(diskEvent('WARNING'), { host: WEB_01, ...forecast }))).toContain('⏳ /dev/xvdb1 ');
  });
  it('escalated, acknowledged and snoozed; the acts silence the mention', () => {
    const acts = { ackedByName: 'dave', ackedAt: NOW - 120 };
    expect(post(ctxOf(diskEvent('CRITICAL'), { host: WEB_01 }), { decision: CRITICAL, escalatedFrom: 'WARNING' })).toMatchSnapshot('escalated');
    expect(post(ctxOf(diskEvent('CRITICAL'), { host: WEB_01 }), { decision: CRITICAL, escalatedFrom: 'WARNING', acts })).toMatchSnapshot('acknowledged');
    const snoozed = { snoozedUntil: TOMORROW_9, snoozedByName: 'erin' };
    expect(post(ctxOf(diskEvent('WARNING'), { host: WEB_01 }), { decision: CRITICAL, acts: snoozed })).toMatchSnapshot('snoozed until tomorrow');
    expect(post(ctxOf(diskEvent('WARNING'), { host: WEB_01 }), { decision: CRITICAL, acts: { snoozedUntil: NOW + HOUR } })).toMatchSnapshot('snoozed for an hour');
  });

  it('each monitor type', () => {
    const now = { monitor: { id: '2MonCpu001x', type: 'host', name: 'CPU %', metric: 'cpu%', operator: '>', warning: 10, critical: 20 } as MonitorInfo };
    expect(post(ctxOf(webhook('host-cpu-warning'), now))).toMatchSnapshot('host metric, thresholds changed since, memo with markup');
    expect(post(ctxOf(webhook('service-critical')))).toMatchSnapshot('service metric');
    expect(post(ctxOf(webhook('connectivity-warning')))).toMatchSnapshot('connectivity');
    expect(post(ctxOf(webhook('check-warning')))).toMatchSnapshot('check');
    expect(post(ctxOf(webhook('expression-warning')))).toMatchSnapshot('expression');
    expect(post(ctxOf(webhook('anomaly-critical')))).toMatchSnapshot('anomaly detection');
    expect(post(ctxOf(webhook('external-status-critical')))).toMatchSnapshot('external, HTTP status');
    expect(post(ctxOf(restAlert('7AlExt0003a'), { monitor: monitor('external') }))).toMatchSnapshot('external, response time in ms');
    expect(post(ctxOf(webhook('query-critical')))).toMatchSnapshot('query');
    expect(post(ctxOf(webhook('alertgroup-warning')))).toMatchSnapshot('alert group');
    expect(post(ctxOf(restAlert('7AlCpu0002a'), { monitor: monitor('host-noname'), host: { id: '3HostApp01x', name: 'app-01', roles: [] } }))).toMatchSnapshot('a monitor without a name');
  });

  it('what could not be fetched', () => {
    const problems: AlertContext['problems'] = [{ part: 'loading' }];
    expect(renderedBoth(renderAlertMessage(ctxOf(diskEvent('WARNING'), { problems }), { present, decision: CRITICAL, mentionTarget: ONCALL, now: NOW }))).toMatchSnapshot(
      'details still loading',
    );
  });

  it('resolved: recovered, closed by hand, closed by Mackerel, with how long it lasted', () => {
    const resolved = (name: string, last: AlertStatus, acts?: AlertViewOptions['acts']) => {
      const event = webhook(name);
      return post(ctxOf({ ...event, status: last }), { decision: decision(false, { code: 'resolved' }), resolved: { at: event.closedAt ?? NOW }, ...(acts ? { acts } : {}) });
    };
    expect(resolved('host-cpu-ok', 'CRITICAL', { ackedByName: 'dave', ackedAt: T + 60 })).toMatchSnapshot('host recovered, someone was on it');
    expect(resolved('service-ok', 'CRITICAL')).toMatchSnapshot('service recovered');
    expect(resolved('connectivity-ok', 'WARNING')).toMatchSnapshot('connectivity back');
    expect(resolved('check-ok', 'WARNING')).toMatchSnapshot('check OK');
    expect(resolved('expression-manual-close', 'WARNING')).toMatchSnapshot('closed by hand');
    expect(resolved('alertgroup-ok', 'WARNING')).toMatchSnapshot('alert group closed');
    const polled = fromRestAlert(fixture('rest/alert-closed'))!;
    expect(post(ctxOf({ ...polled, status: 'CRITICAL' }), { resolved: { at: T + 300 } })).toMatchSnapshot('closed, reason from the API');
  });
});

describe.each(LANGUAGES)('thread notes, mention reasons and button replies in %s', (language) => {
  const present = presenter(language);
  const mention = md`${configuredMention(ONCALL)} `;
  const shown = (text: ChatMessage['text']) => renderedBoth({ text });

  it('thread notes', () => {
    const notes: AlertNote[] = [
      { kind: 'status', from: 'WARNING', to: 'CRITICAL', escalated: true, reason: { code: 'critical' }, mention: true },
      { kind: 'status', from: 'CRITICAL', to: 'WARNING', escalated: false, reason: { code: 'can-wait', full: 2 * 86400, when: TOMORROW_9, inHours: true }, mention: false },
      { kind: 'resolved', lastedSeconds: 3 * HOUR + 20 * 60 },
      { kind: 'resolved', lastedSeconds: null, reason: 'Closed from Slack by carol (U0CAROL) via opsbot' },
      { kind: 'resolved', lastedSeconds: 600, reason: 'monitor' },
      { kind: 'resolved', lastedSeconds: 26 * HOUR, reason: 'manual' },
      { kind: 'moved', wasSecondsLeft: 3 * 86400, isSecondsLeft: 50 * 60, reason: { code: 'urgent-in-hours', full: 50 * 60 }, mention: true },
      { kind: 'moved', wasSecondsLeft: 6 * HOUR, isSecondsLeft: null, reason: { code: 'not-in-sight' }, mention: false },
    ];
    expect(notes.map((n) => shown(noteText(n, n.kind !== 'resolved' && n.mention ? mention : EMPTY, present))).join('\n')).toMatchSnapshot();
  });

  it('every mention reason', () => {
    const reasons: MentionReason[] = [
      { code: 'critical' },
      { code: 'already-full' },
      { code: 'urgent-in-hours', full: 45 * 60 },
      { code: 'before-next-working-period', full: 6 * HOUR, when: TOMORROW_9 },
      { code: 'near-work-start', full: 23 * HOUR + 30 * 60, when: TOMORROW_9, marginMinutes: 60 },
      { code: 'can-wait', full: 3 * 86400, when: TOMORROW_9, inHours: true },
      { code: 'can-wait', full: 5 * 86400, when: TOMORROW_9, inHours: false },
      { code: 'not-in-sight' },
      { code: 'no-forecast' },
      { code: 'uncertain-forecast' },
      { code: 'resolved' },
    ];
    expect(reasons.map((r) => shown(noteText({ kind: 'moved', wasSecondsLeft: null, isSecondsLeft: 6 * HOUR, reason: r, mention: false }, EMPTY, present))).join('\n')).toMatchSnapshot();
  });

  it('what the poster says in the thread: a mention once the details arrive, a graph it could not draw, a graph asked for', async () => {
    const said: { threadTs?: string; text: string }[] = [];
    const chat: ChatPort = {
      post: async (target, message) => (
        said.push({ ...(target.threadTs ? { threadTs: target.threadTs } : {}), text: renderedBoth(message) }),
        { channel: target.channel, ts: `1.${said.length}` }
      ),
      update: async () => undefined,
      react: async () => undefined,
      unreact: async () => undefined,
      uploadImage: async (_target, image) => void said.push({ text: `${image.title} | ${image.altText} | ${image.comment ? renderedBoth({ text: image.comment }) : ''}` }),
    };
    const poster = createAlertPoster({
      chat,
      mention: ONCALL,
      present,
      graphs: createGraphScheduler({ render: async (spec) => (spec.title === 'drawn' ? Buffer.from('png') : null) }),
      log: createSilentLogger(),
    });
    const where = { channel: 'C0ALERTS', ts: '1700000000.000001' };
    const spec = { title: 'web-01 /dev/xvdb1', language, words: {} as never, unit: 'percent' as const, timeZone: 'Asia/Tokyo', now: NOW, series: [] };
    await poster.send(
      [
        { kind: 'mention', key: 'k1', reason: { code: 'before-next-working-period', full: 5 * HOUR, when: TOMORROW_9 } },
        { kind: 'graph', key: 'k2', alertId: 'A1', spec },
      ],
      where,
    );
    await poster.askedGraph(where, { key: 'k3', alertId: 'A1', spec: { ...spec, title: 'drawn' }, askedBy: 'erin' });
    expect(said.map((s) => s.text).join('\n')).toMatchSnapshot();
  });

  it('button replies to the presser', () => {
    const notes: ActNote[] = [
      { code: 'gone' },
      { code: 'already_closed' },
      { code: 'still_posting' },
      { code: 'already_acked', by: 'dave' },
      { code: 'not_open' },
      { code: 'acked_unedited' },
      { code: 'no_working_period' },
      { code: 'already_snoozed', until: NOW + HOUR },
      { code: 'snoozed', until: TOMORROW_9, edited: true },
      { code: 'snoozed', until: NOW + HOUR, edited: false },
      { code: 'close_disabled' },
      { code: 'close_forbidden' },
      { code: 'close_unknown' },
      { code: 'close_failed', status: 0 },
      { code: 'close_failed', status: 502 },
      { code: 'closed_pending' },
      { code: 'graph_shown' },
      { code: 'no_post' },
      { code: 'no_answer' },
      { code: 'no_metric' },
      { code: 'graph_unrendered' },
    ];
    expect(notes.map((n) => `${n.code}: ${shown(actNoteText(n, present))}`).join('\n')).toMatchSnapshot();
    expect(present.text('alerts.closeReason', { name: 'carol', id: 'U0CAROL' })).toMatchSnapshot('the reason Mackerel records');
    const refusals = [
      refusalText({ code: 'nobody_listed', action: 'closeAlert' }, present),
      refusalText({ code: 'not_listed', action: 'acknowledge', groupsUnknown: false }, present),
      refusalText({ code: 'not_listed', action: 'snooze', groupsUnknown: true }, present),
      refusalText({ code: 'not_listed', action: 'graph', groupsUnknown: false }, present),
      refusalText({ code: 'not_listed', action: 'retryRelay', groupsUnknown: false }, present),
    ];
    expect(refusals.map((r) => shown(r)).join('\n')).toMatchSnapshot('refused by the permissions');
  });
});

describe.each(LANGUAGES)('alert commands in %s', (language) => {
  const present = presenter(language);

  async function reply(line: string, listOpen: () => Promise<OpenAlertSummary[]>): Promise<string> {
    const noData = {} as AlertDataSource;
    const inventory = { get: async () => Promise.reject(new Error('not used')) } as unknown as Pick<InventoryCache, 'get'>;
    const commands = createAlertCommands({ service: { listOpen }, inventory, data: noData, now: () => NOW, present, render: async () => null });
    const [name, ...args] = line.split(' ');
    const replies: ChatMessage[] = [];
    const ctx = {
      event: { user: 'U1', channel: 'C1', ts: '1.1', text: line },
      args,
      argText: args.join(' '),
      log: createSilentLogger(),
      reply: async (m: ChatMessage) => (replies.push(m), { channel: 'C1', ts: '1.2' }),
    };
    await commands.find((c) => c.name === name)!.run(ctx as unknown as CommandContext);
    return replies.map((m) => renderedBoth(m)).join('\n');
  }

  it('alerts: none, and a list soonest first with its ETAs', async () => {
    expect(await reply('alerts', async () => [])).toMatchSnapshot('none');
    const summary = (event: AlertEvent, secondsToLimit: number | null, ctx: Partial<AlertContext> = {}): OpenAlertSummary => ({
      event,
      ctx: ctxOf(event, ctx),
      secondsToLimit,
      posted: true,
    });
    const list = [
      summary(diskEvent('CRITICAL'), 0, { host: WEB_01 }),
      summary({ ...diskEvent('WARNING'), id: '5AlDisk0002', hostName: 'db-01' }, 4 * HOUR + 30 * 60),
      summary(webhook('connectivity-warning'), null),
    ];
    expect(await reply('alerts', async () => list)).toMatchSnapshot('three');
    expect(await reply('alerts', async () => Promise.reject(new Error('ECONNRESET secret detail')))).toMatchSnapshot('the source failed');
  });

  it('usage, before any lookup', async () => {
    expect(await reply('forecast', async () => [])).toMatchSnapshot('forecast usage');
    expect(await reply('graph web-01', async () => [])).toMatchSnapshot('graph usage');
  });

  it('alert replay outcomes', () => {
    const shown = (o: Parameters<typeof replayText>[1]) => renderedBoth({ text: replayText('db-01-disk-critical', o, present) });
    expect(
      [
        shown({ kind: 'handled', alertId: '4demoDb01Dk', status: 'CRITICAL', open: true, outcome: 'posted' }),
        shown({ kind: 'handled', alertId: '4demoDb01Dk', status: 'OK', open: false, outcome: 'closed' }),
        shown({ kind: 'handled', alertId: '4demoDb01Dk', status: 'CRITICAL', open: true, outcome: 'duplicate' }),
        shown({ kind: 'not-alert', reason: 'noEvent' }),
        shown({ kind: 'not-alert', reason: 'badAlertStatus' }),
      ].join('\n'),
    ).toMatchSnapshot();
  });
});
