import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { AlertRecord } from '../src/core/state/types.ts';
import type { AlertContext } from '../src/services/alerts/alert-context.ts';
import type { AlertEvent } from '../src/services/alerts/alert-event.ts';
import { advanceAlert, mentionsSilenced, routeEvent, type AlertIntent, type DecisionInputs } from '../src/services/alerts/alert-lifecycle.ts';
import type { ResourceData } from '../src/services/alerts/resource-data.ts';
import type { ForecastResult } from '../src/services/forecast/index.ts';
import { parseCalendar } from '../src/services/urgency/index.ts';
import { createGraphLabels } from '../src/handlers/present/graph-labels.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';

// Wednesday 10:00 in Tokyo: inside working hours.
const NOW = DateTime.fromISO('2025-11-19T10:00', { zone: 'Asia/Tokyo' }).toSeconds();
const inputs: DecisionInputs = {
  now: NOW,
  calendar: parseCalendar({ timezone: 'Asia/Tokyo', workdays: [1, 2, 3, 4, 5], hours: '09:00-18:00', holidays: [] }),
  policy: { mentionOnCritical: true, marginMinutes: 60, urgentWithinMinutes: 120 },
  timeZone: 'Asia/Tokyo',
  graphLabels: createGraphLabels(createPresenter({ language: 'en', timeZone: 'Asia/Tokyo', now: () => NOW })),
};

function event(overrides: Partial<AlertEvent> = {}): AlertEvent {
  return { id: 'A1', status: 'WARNING', open: true, type: 'host', openedAt: NOW - 600, hostId: 'H1', hostName: 'web-01', source: 'poll', ...overrides };
}

function forecast(secondsToLimit: number | null): ForecastResult {
  return { secondsToLimit, low: secondsToLimit, high: secondsToLimit, method: 'linear', currentValue: 85 } as unknown as ForecastResult;
}

const resource = {
  pair: { label: '/dev/xvdb1', used: 'filesystem.xvdb1.used', size: 'filesystem.xvdb1.size' },
  unit: 'percent',
  limit: 100,
  points: [
    { time: NOW - 3600, value: 80 },
    { time: NOW, value: 85 },
  ],
} as unknown as ResourceData;

function context(e: AlertEvent, opts: { eta?: number | null; resource?: boolean } = {}): AlertContext {
  return {
    event: e,
    org: 'acme',
    monitor: null,
    host: null,
    resource: opts.resource === false ? null : resource,
    forecast: opts.eta === undefined ? null : forecast(opts.eta),
    problems: [],
  };
}

function record(overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    alertId: 'A1',
    state: 'posted',
    channel: 'C1',
    ts: '1.000001',
    status: 'WARNING',
    hostId: 'H1',
    mentioned: false,
    mentionCode: 'can-wait',
    etaAt: null,
    hasForecast: true,
    claimedAt: NOW - 900,
    postedAt: NOW - 900,
    updatedAt: null,
    closedAt: null,
    ackedBy: null,
    ackedByName: null,
    ackedAt: null,
    snoozedUntil: null,
    snoozedByName: null,
    ...overrides,
  };
}

const kinds = (intents: AlertIntent[]) => intents.map((i) => i.kind);
const keys = (intents: AlertIntent[]) => intents.flatMap((i) => ('key' in i ? [i.key] : []));

describe('the alert lifecycle, without I/O', () => {
  it('routes events by the record', () => {
    expect(routeEvent(null, event())).toBe('open');
    expect(routeEvent(record({ state: 'posting' }), event())).toBe('open');
    expect(routeEvent(record(), event())).toBe('duplicate');
    expect(routeEvent(record(), event({ status: 'CRITICAL' }))).toBe('change');
    expect(routeEvent(record(), event({ open: false, status: 'OK' }))).toBe('close');
    expect(routeEvent(record({ state: 'posting' }), event({ open: false, status: 'OK' }))).toBe('close-unposted');
    expect(routeEvent(record({ state: 'closed' }), event({ open: false, status: 'OK' }))).toBe('duplicate');
    expect(routeEvent(null, event({ open: false, status: 'OK' }))).toBe('ignored');
  });

  it('open: posts, records the post, then the forecast graph', () => {
    const e = event();
    const result = advanceAlert(null, { kind: 'open', event: e, degraded: false }, context(e, { eta: 3 * 86400 }), inputs);
    expect(kinds(result.intents)).toEqual(['post', 'graph']);
    expect(keys(result.intents)).toEqual(['alert:A1:post', 'alert:A1:graph']);
    expect(result.record).toEqual({
      kind: 'posted',
      fields: { status: 'WARNING', hostId: 'H1', mentioned: false, mentionCode: result.decision.code, etaAt: NOW + 3 * 86400, hasForecast: true },
    });
    const graph = result.intents[1] as Extract<AlertIntent, { kind: 'graph' }>;
    expect(graph.spec.title).toBe('web-01 disk /dev/xvdb1 usage');
    // An hour of data and an ETA 3 days out: the history keeps a fifth of the axis, the ETA is marked at its edge.
    expect(graph.spec.window).toEqual({ from: NOW - 3600, to: NOW + 4 * 3600 });
    expect(graph.spec.eta?.label).toMatch(/^full ~Sat Nov 22, 10:00 JST \(in 3 days\)$/);
  });

  it('open CRITICAL mentions; no resource means no graph', () => {
    const e = event({ status: 'CRITICAL' });
    const result = advanceAlert(null, { kind: 'open', event: e, degraded: false }, context(e, { resource: false }), inputs);
    expect(kinds(result.intents)).toEqual(['post']);
    expect(result.decision.mention).toBe(true);
    expect(result.record?.kind === 'posted' && result.record.fields.mentioned).toBe(true);
  });

  it('degraded, then detailed: no graph until the details; a forecast that turns urgent mentions once in the thread', () => {
    const e = event();
    const first = advanceAlert(null, { kind: 'open', event: e, degraded: true }, { ...context(e, { resource: false }), problems: [{ part: 'loading' }] }, inputs);
    expect(kinds(first.intents)).toEqual(['post']);
    expect(first.decision.mention).toBe(false);
    const later = advanceAlert(record({ mentioned: false }), { kind: 'detailed', event: e, postedMention: first.decision.mention }, context(e, { eta: 1800 }), inputs);
    expect(kinds(later.intents)).toEqual(['edit', 'mention', 'graph']);
    expect(keys(later.intents)).toEqual(['alert:A1:urgent-once-detailed', 'alert:A1:graph']);
    expect(later.record).toEqual({ kind: 'update', fields: { mentioned: true, mentionCode: later.decision.code, etaAt: NOW + 1800, hasForecast: true } });
  });

  it('detailed after an "I\'m on it": edited, nobody pinged', () => {
    const e = event();
    const later = advanceAlert(record({ ackedBy: 'U1', ackedByName: 'alice', ackedAt: NOW - 60 }), { kind: 'detailed', event: e, postedMention: false }, context(e, { eta: 1800 }), inputs);
    expect(kinds(later.intents)).toEqual(['edit', 'graph']);
    const edit = later.intents[0] as Extract<AlertIntent, { kind: 'edit' }>;
    expect(edit.view.acts?.ackedByName).toBe('alice');
  });

  it('escalate: edits with the previous status and notes in the thread, mentioning, keyed by the last change', () => {
    const e = event({ status: 'CRITICAL' });
    const result = advanceAlert(record({ updatedAt: NOW - 100 }), { kind: 'change', event: e }, context(e, { eta: 86400 }), inputs);
    expect(kinds(result.intents)).toEqual(['edit', 'note']);
    expect(keys(result.intents)).toEqual([`alert:A1:status:WARNING>CRITICAL:${NOW - 100}`]);
    expect((result.intents[0] as Extract<AlertIntent, { kind: 'edit' }>).view.escalatedFrom).toBe('WARNING');
    expect((result.intents[1] as Extract<AlertIntent, { kind: 'note' }>).note).toMatchObject({ kind: 'status', from: 'WARNING', to: 'CRITICAL', escalated: true, mention: true });
    expect(result.record).toEqual({ kind: 'update', fields: { status: 'CRITICAL', mentioned: true, mentionCode: 'critical', etaAt: NOW + 86400 } });
  });

  it('ease: a note without a mention', () => {
    const e = event({ status: 'WARNING' });
    const result = advanceAlert(record({ status: 'CRITICAL', mentioned: true }), { kind: 'change', event: e }, context(e, { eta: 86400 }), inputs);
    expect((result.intents[0] as Extract<AlertIntent, { kind: 'edit' }>).view.escalatedFrom).toBeUndefined();
    expect((result.intents[1] as Extract<AlertIntent, { kind: 'note' }>).note).toMatchObject({ kind: 'status', escalated: false, mention: false });
    expect(keys(result.intents)).toEqual([`alert:A1:status:CRITICAL>WARNING:${NOW - 900}`]);
  });

  it('acknowledged or snoozed: an escalation pings nobody and is not recorded as mentioned', () => {
    const e = event({ status: 'CRITICAL' });
    for (const acts of [
      { ackedBy: 'U1', ackedByName: 'alice', ackedAt: NOW - 60 },
      { snoozedUntil: NOW + 600, snoozedByName: 'bob' },
    ]) {
      const r = record(acts);
      expect(mentionsSilenced(acts, NOW)).toBe(true);
      const result = advanceAlert(r, { kind: 'change', event: e }, context(e), inputs);
      expect((result.intents[1] as Extract<AlertIntent, { kind: 'note' }>).note).toMatchObject({ escalated: true, mention: false });
      expect(result.record).toMatchObject({ kind: 'update', fields: { mentioned: false } });
    }
    // A snooze that has run out pings again.
    const expired = advanceAlert(record({ snoozedUntil: NOW - 1 }), { kind: 'change', event: e }, context(e), inputs);
    expect((expired.intents[1] as Extract<AlertIntent, { kind: 'note' }>).note).toMatchObject({ mention: true });
  });

  it('close: the post resolves, a note says how long it lasted, the record closes', () => {
    const e = event({ open: false, status: 'OK', closedAt: NOW, reason: 'back to normal' });
    const result = advanceAlert(record(), { kind: 'close', event: e }, context({ ...e, status: 'WARNING' }), inputs);
    expect(kinds(result.intents)).toEqual(['edit', 'note']);
    expect((result.intents[0] as Extract<AlertIntent, { kind: 'edit' }>).view.resolved).toEqual({ at: NOW });
    expect((result.intents[1] as Extract<AlertIntent, { kind: 'note' }>).note).toEqual({ kind: 'resolved', lastedSeconds: 600, reason: 'back to normal' });
    expect(keys(result.intents)).toEqual(['alert:A1:closed']);
    expect(result.record).toEqual({ kind: 'closed' });
    const unknown = advanceAlert(record(), { kind: 'close', event: { ...e, openedAtUnknown: true } }, context({ ...e, openedAtUnknown: true }), inputs);
    expect((unknown.intents[1] as Extract<AlertIntent, { kind: 'note' }>).note).toMatchObject({ lastedSeconds: null });
  });

  it('refresh: a material ETA move edits, notes and graphs, keyed by the last change; a small one does nothing', () => {
    const e = event();
    const r = record({ etaAt: NOW + 3 * 86400, updatedAt: NOW - 300 });
    const moved = advanceAlert(r, { kind: 'refresh', event: e }, context(e, { eta: 86400 }), inputs);
    expect(kinds(moved.intents)).toEqual(['edit', 'note', 'graph']);
    expect(keys(moved.intents)).toEqual([`alert:A1:moved:${NOW - 300}`, `alert:A1:graph:${NOW - 300}`]);
    expect((moved.intents[1] as Extract<AlertIntent, { kind: 'note' }>).note).toMatchObject({ kind: 'moved', wasSecondsLeft: 3 * 86400, isSecondsLeft: 86400, mention: false });
    expect(moved.record).toEqual({ kind: 'update', fields: { etaAt: NOW + 86400, mentioned: false, mentionCode: moved.decision.code } });

    const still = advanceAlert(r, { kind: 'refresh', event: e }, context(e, { eta: 3 * 86400 - 3600 }), inputs);
    expect(still.intents).toEqual([]);
    expect(still.record).toBeNull();
    expect(advanceAlert(r, { kind: 'refresh', event: e }, context(e), inputs).intents).toEqual([]);
  });

  it('refresh: newly urgent mentions even when the ETA barely moved, unless silenced', () => {
    const e = event();
    const r = record({ etaAt: NOW + 1800 });
    const urgent = advanceAlert(r, { kind: 'refresh', event: e }, context(e, { eta: 1700 }), inputs);
    expect((urgent.intents[1] as Extract<AlertIntent, { kind: 'note' }>).note).toMatchObject({ kind: 'moved', mention: true });
    expect(urgent.record).toMatchObject({ fields: { mentioned: true } });
    const quiet = advanceAlert({ ...r, ackedByName: 'alice', ackedBy: 'U1' }, { kind: 'refresh', event: e }, context(e, { eta: 1700 }), inputs);
    expect(quiet.intents).toEqual([]);
  });

  it('redraw: one edit with the acts on it', () => {
    const e = event();
    const result = advanceAlert(record({ snoozedUntil: NOW + 3600, snoozedByName: 'bob' }), { kind: 'redraw', event: e }, context(e), inputs);
    expect(kinds(result.intents)).toEqual(['edit']);
    expect((result.intents[0] as Extract<AlertIntent, { kind: 'edit' }>).view.acts?.snoozedByName).toBe('bob');
    expect(result.record).toBeNull();
  });
});
