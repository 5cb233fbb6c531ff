import { DateTime } from 'luxon';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/core/logger.ts';
import { createHttpServer } from '../src/server/http-server.ts';
import { openSqliteStore } from '../src/core/state/sqlite-store.ts';
import { createLogSink } from './helpers/log-sink.ts';
import { diskAlert, diskWebhook, GiB, linearDisk, messageText, MONITORS, startAlertHarness, WEB, type AlertHarness } from './helpers/alert-fixtures.ts';

const NOW = DateTime.fromISO('2025-11-19T10:00', { zone: 'Asia/Tokyo' }).toSeconds();
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
let h: AlertHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const topLevel = (x: AlertHarness) => x.chat.posts.filter((p) => !p.target.threadTs);
const threadNotes = (x: AlertHarness) => x.chat.posts.filter((p) => p.target.threadTs);

function webhookPayload(id: string, status: string, extra: Record<string, unknown> = {}) {
  return diskWebhook({ id, status, now: NOW, extra });
}

describe('alert posts through the Mackerel simulator', () => {
  it('posts once with the details, then the forecast graph PNG in its thread', async () => {
    h = await startAlertHarness({ now: NOW, etaSeconds: 3 * 86400 });
    h.sim.addAlert(diskAlert('A1', NOW));
    await h.service.pollOnce();
    expect(topLevel(h)).toHaveLength(1);
    const post = topLevel(h)[0]!;
    const text = messageText(post.message);
    for (const part of [
      'WARNING',
      'disk used %',
      'web-01',
      'shop:web',
      '85.2%',
      '&gt; warning 80%',
      'critical 90%',
      'https://mackerel.io/orgs/acme/alerts/A1',
      'https://mackerel.io/orgs/acme/hosts/HWEB01',
      '/dev/xvdb1',
      'full in',
      'no mention: ',
    ]) {
      expect(text).toContain(part);
    }
    expect(h.chat.uploads).toHaveLength(1);
    const upload = h.chat.uploads[0]!;
    expect(upload.target).toEqual({ channel: 'C0ALERTS', threadTs: post.ref.ts });
    expect(upload.image.data.subarray(0, 4).equals(PNG)).toBe(true);
    expect(upload.image.title).toBe('web-01 disk /dev/xvdb1 usage');
  });

  it('a graph that cannot be rendered leaves the post standing with a short thread note', async () => {
    h = await startAlertHarness({ now: NOW, service: { render: async () => null } });
    h.sim.addAlert(diskAlert('A1', NOW));
    await h.service.pollOnce();
    expect(topLevel(h)).toHaveLength(1);
    expect(h.chat.uploads).toHaveLength(0);
    expect(threadNotes(h)[0]!.message.text).toContain('could not be rendered');
  });

  it('in a burst, graphs are drawn after the posts, and identical graphs once', async () => {
    const postsAtRender: number[] = [];
    h = await startAlertHarness({
      now: NOW,
      service: {
        render: async () => {
          postsAtRender.push(topLevel(h!).length);
          return PNG;
        },
      },
    });
    for (const id of ['A1', 'A2', 'A3']) h.sim.addAlert(diskAlert(id, NOW));
    await h.service.pollOnce();
    expect(topLevel(h)).toHaveLength(3);
    // One host, one monitor, one moment: the same graph for all three alerts.
    expect(postsAtRender).toEqual([3]);
    expect(h.chat.uploads.map((u) => u.target.threadTs).sort()).toEqual(
      topLevel(h)
        .map((p) => p.ref.ts)
        .sort(),
    );
  });

  it('closing edits the original post to resolved and notes it in the thread', async () => {
    h = await startAlertHarness({ now: NOW });
    h.sim.addAlert(diskAlert('A1', NOW));
    await h.service.pollOnce();
    const ts = topLevel(h)[0]!.ref.ts;
    h.sim.closeAlert('A1', 'auto close', NOW);
    await h.service.pollOnce();
    expect(h.chat.updates).toHaveLength(1);
    expect(h.chat.updates[0]!.ref).toEqual({ channel: 'C0ALERTS', ts });
    expect(h.chat.updates[0]!.message.text).toContain('RESOLVED (was WARNING)');
    expect(h.chat.updates[0]!.message.text).not.toContain('<!subteam');
    const note = threadNotes(h).find((p) => p.message.text.includes('resolved after'));
    expect(note?.target.threadTs).toBe(ts);
    await h.service.pollOnce();
    expect(h.chat.updates).toHaveLength(1);
    expect(topLevel(h)).toHaveLength(1);
  });

  it('WARNING → CRITICAL edits the post and mentions in the thread', async () => {
    h = await startAlertHarness({ now: NOW, etaSeconds: 3 * 86400 });
    h.sim.addAlert(diskAlert('A1', NOW));
    await h.service.pollOnce();
    expect(topLevel(h)[0]!.message.text).not.toContain('<!subteam');
    h.sim.alerts[0]!.status = 'CRITICAL';
    await h.service.pollOnce();
    expect(topLevel(h)).toHaveLength(1);
    expect(h.chat.updates).toHaveLength(1);
    const edited = messageText(h.chat.updates[0]!.message);
    expect(edited).toContain('CRITICAL');
    expect(edited).toContain('escalated from WARNING');
    const note = threadNotes(h).find((p) => p.message.text.includes('escalated'));
    expect(note?.message.text).toMatch(/^<!subteam\^S0ONCALL> :arrow_up: escalated: WARNING → CRITICAL \(mentioning: CRITICAL\)/);
  });

  it('refreshing the forecast notes a material ETA move in the thread, and only then', async () => {
    h = await startAlertHarness({ now: NOW, etaSeconds: 3 * 86400 });
    h.sim.addAlert(diskAlert('A1', NOW));
    await h.service.pollOnce();
    await h.service.refreshOnce();
    expect(h.chat.updates).toHaveLength(0);
    const faster = linearDisk({ now: NOW, size: 100 * GiB, percentNow: 85, etaSeconds: 1 * 3600 });
    h.sim.setSeries(WEB.id, 'filesystem.xvdb1.used', faster.used);
    h.advance(120); // past the one-minute sharing of metric reads
    await h.service.refreshOnce();
    expect(h.chat.updates).toHaveLength(1);
    const note = threadNotes(h).find((p) => p.message.text.includes('forecast moved'));
    expect(note?.message.text).toMatch(/^<!subteam\^S0ONCALL> :hourglass_flowing_sand: forecast moved: full in \d+ (min|h)( \d+ min)? \(was full in \d days( \d+ h)?\); mentioning: /);
    h.advance(120);
    await h.service.refreshOnce();
    expect(h.chat.updates).toHaveLength(1);
  });

  it('the same alert by webhook and by poll is posted once', async () => {
    h = await startAlertHarness({ now: NOW });
    h.sim.addAlert(diskAlert('A1', NOW));
    const [reply] = await Promise.all([h.service.webhookHandler(webhookPayload('A1', 'warning')), h.service.pollOnce(), h.service.webhookHandler(webhookPayload('A1', 'warning'))]);
    await h.service.whenIdle();
    expect(reply.status).toBe(202);
    expect(topLevel(h)).toHaveLength(1);
    expect(h.chat.uploads).toHaveLength(1);
  });

  it('a restarted service on the same database does not repost', async () => {
    h = await startAlertHarness({ now: NOW });
    h.sim.addAlert(diskAlert('A1', NOW));
    await h.service.pollOnce();
    const again = h.restart();
    await again.pollOnce();
    await again.webhookHandler(webhookPayload('A1', 'warning'));
    await again.whenIdle();
    expect(topLevel(h)).toHaveLength(1);
  });

  it('a claim left by a crashed poster is taken over after the timeout, a fresh one is respected', async () => {
    h = await startAlertHarness({ now: NOW });
    // Two earlier posters on the same database, one 10 minutes ago, one 5 seconds ago (their clocks).
    const old = await openSqliteStore({ path: h.dbPath, now: () => NOW - 600 });
    const fresh = await openSqliteStore({ path: h.dbPath, now: () => NOW - 5 });
    expect(await old.alerts.claim('OLD', 'WARNING', 120)).toBe(true);
    expect(await fresh.alerts.claim('FRESH', 'WARNING', 120)).toBe(true);
    await old.close();
    await fresh.close();
    const other = h.store.alerts;
    h.sim.addAlert(diskAlert('OLD', NOW));
    h.sim.addAlert(diskAlert('FRESH', NOW));
    await h.service.pollOnce();
    expect(topLevel(h).map((p) => p.message.text.includes('web-01'))).toEqual([true]);
    expect((await other.get('OLD'))?.state).toBe('posted');
    expect((await other.get('FRESH'))?.state).toBe('posting');
  });

  it('a failed Slack post is retried on the next poll', async () => {
    h = await startAlertHarness({ now: NOW });
    h.sim.addAlert(diskAlert('A1', NOW));
    h.chat.failPosts = 1;
    await h.service.pollOnce();
    expect(topLevel(h)).toHaveLength(0);
    await h.service.pollOnce();
    expect(topLevel(h)).toHaveLength(1);
  });

  it('Mackerel errors still give a clear degraded post', async () => {
    h = await startAlertHarness({ now: NOW });
    h.sim.failNext(1000, 503);
    await h.service.webhookHandler(webhookPayload('A9', 'critical'));
    await h.service.whenIdle();
    expect(topLevel(h)).toHaveLength(1);
    const text = messageText(topLevel(h)[0]!.message);
    expect(text).toContain('CRITICAL');
    expect(text).toContain('disk used %');
    expect(text).toContain('web-01');
    expect(text).toContain('could not fetch');
    expect(text).toContain('metric names');
    expect(text).toContain('mentioning: CRITICAL');
  });

  it('a check monitor alert reads the check API and posts without a forecast', async () => {
    h = await startAlertHarness({ now: NOW });
    h.sim.addAlert({ id: 'C1', status: 'CRITICAL', monitorId: MONITORS.check.id, type: 'check', hostId: WEB.id, message: 'nginx is down', openedAt: NOW - 60 });
    await h.service.pollOnce();
    const text = messageText(topLevel(h)[0]!.message);
    expect(text).toContain('nginx alive');
    expect(text).toContain('nginx is down');
    expect(text).not.toContain('could not fetch');
    expect(h.chat.uploads).toHaveLength(0);
  });

  it('malformed webhooks get 4xx and change nothing; sample events are acknowledged', async () => {
    h = await startAlertHarness({ now: NOW });
    for (const bad of [[], { event: 'alert' }, { event: 'alert', alert: { id: 'A1', status: 'burning', openedAt: NOW } }, { event: 'alert', alert: { id: 'A1', status: 'warning' } }]) {
      const reply = await h.service.webhookHandler(bad);
      expect(reply.status).toBe(400);
    }
    expect(await h.service.webhookHandler({ event: 'sample', message: 'Sample Notification from Mackerel' })).toMatchObject({ status: 200 });
    await h.service.whenIdle();
    expect(h.chat.posts).toHaveLength(0);
    expect(await h.store.alerts.get('A1')).toBeNull();
  });

  it('through the HTTP server: bad token 401, not JSON 400, good webhook posted', async () => {
    h = await startAlertHarness({ now: NOW });
    const sink = createLogSink();
    const server = createHttpServer({
      log: createLogger({ destination: sink.stream }),
      health: () => ({ ok: true }),
      mackerelWebhook: { token: 'hook-secret-123', handle: h.service.webhookHandler },
    });
    const port = await server.listen(0, '127.0.0.1');
    const send = (token: string, body: string) =>
      fetch(`http://127.0.0.1:${port}/webhooks/mackerel?token=${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    try {
      expect((await send('wrong', JSON.stringify(webhookPayload('A1', 'warning')))).status).toBe(401);
      expect((await send('hook-secret-123', '{not json')).status).toBe(400);
      expect((await send('hook-secret-123', JSON.stringify({ event: 'alert', alert: {} }))).status).toBe(400);
      await h.service.whenIdle();
      expect(h.chat.posts).toHaveLength(0);
      expect((await send('hook-secret-123', JSON.stringify(webhookPayload('A1', 'warning')))).status).toBe(202);
      await h.service.whenIdle();
      expect(topLevel(h)).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
