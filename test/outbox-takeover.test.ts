import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../src/core/logger.ts';
import { plain, textMessage } from '../src/core/message.ts';
import { openSqliteStore } from '../src/core/state/sqlite-store.ts';
import { createOutboxChatPort } from '../src/services/outbox/outbox-chat-port.ts';
import { createOutboxDispatcher, OutboxFailedError } from '../src/services/outbox/outbox-dispatcher.ts';
import { createSlackOutboxSender, OUTBOX_EVENT_TYPE } from '../src/slack/slack-outbox-sender.ts';
import { SlackSim } from './sim/slack-sim.ts';

/**
 * Several dispatchers on one store (replicas, or a restarted bot): a dispatcher that dies holding
 * an entry is taken over after its lease, without doubling the post; `sent(key)` hears about
 * entries another dispatcher finished.
 */

const BOT = 'xoxb-outbox-takeover-0123456789';
const log = createSilentLogger();
let sim: SlackSim;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];
let seq = 0;
/** The stores' shared clock: real time plus an offset the tests move forward (leases expire without waiting). */
let offset = 0;
const clock = () => Date.now() / 1000 + offset;

beforeAll(async () => {
  sim = await new SlackSim({ botToken: BOT }).start();
  dir = mkdtempSync(join(tmpdir(), 'opsbot-outbox-takeover-'));
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  sim.clearFaults();
  offset = 0;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const channel = () => `CTAKE${++seq}`;

/** One replica: its own connection to the shared database file, sender, dispatcher and port. */
async function replica(path: string, owner: string, options: { bus?: boolean; start?: boolean } = {}) {
  const state = await openSqliteStore({ path, now: clock });
  const sender = createSlackOutboxSender({ client: new WebClient(BOT, { slackApiUrl: sim.apiUrl }), log });
  const dispatcher = createOutboxDispatcher({
    store: state.outbox,
    sender,
    owner,
    log,
    leaseSeconds: 30,
    pollMs: 50,
    baseBackoffSeconds: 0.05,
    maxBackoffSeconds: 0.2,
    ...(options.bus === false ? {} : { bus: state }),
  });
  const port = createOutboxChatPort({ dispatcher, store: state.outbox, log });
  if (options.start !== false) dispatcher.start();
  cleanups.push(async () => {
    await dispatcher.stop();
    await state.close();
  });
  return { state, sender, dispatcher, port };
}

const dbPath = () => join(dir, `shared-${++seq}.db`);

describe('outbox takeover', () => {
  it('a dispatcher that died after Slack stored its post is taken over after the lease; the post is found, not doubled', async () => {
    const path = dbPath();
    const a = await replica(path, 'replica-a', { start: false });
    const ch = channel();
    const { ref } = await a.port.postQueued({ channel: ch }, textMessage(plain('alert: disk full')), { key: 'alert:42:post' });
    // Replica A leases the entry, sends it, and dies before recording the completion.
    const [leased] = await a.state.outbox.takeDue('replica-a', 30, 10);
    expect(leased?.key).toBe('alert:42:post');
    expect(await a.sender.send(leased!)).toMatchObject({ outcome: 'sent' });
    const landed = sim.messagesWithMetadata(ch, OUTBOX_EVENT_TYPE, { key: 'alert:42:post' });
    expect(landed).toHaveLength(1);

    const b = await replica(path, 'replica-b');
    // Queued behind the post: an edit, through the same pending ref (it waits for the post's ts).
    const editing = b.port.update(ref, textMessage(plain('alert: disk full (resolved)')), { key: 'alert:42:resolved' });
    offset += 31; // A's lease runs out
    b.dispatcher.kick();
    const entry = await b.dispatcher.sent('alert:42:post');
    expect(entry.resultTs).toBe(landed[0]!.ts);
    await editing;
    expect(sim.messagesWithMetadata(ch, OUTBOX_EVENT_TYPE, { key: 'alert:42:post' })).toHaveLength(1);
    expect(sim.callsOf('chat.postMessage').filter((c) => c.args.channel === ch)).toHaveLength(1);
    expect(sim.callsOf('conversations.history').filter((c) => c.args.channel === ch)).toHaveLength(1);
    expect(sim.messages.get(landed[0]!.ts)?.text).toBe('alert: disk full (resolved)');
    expect(await b.state.outbox.get('alert:42:post')).toMatchObject({ state: 'sent', attempts: 2 });
    // The dead holder's late write is fenced out.
    expect(await a.state.outbox.complete(leased!.id, leased!.lease, '1.000001')).toBe(false);
  });

  it('a dispatcher that died before sending is taken over and the post goes out once', async () => {
    const path = dbPath();
    const a = await replica(path, 'replica-a', { start: false });
    const ch = channel();
    await a.port.postQueued({ channel: ch }, textMessage(plain('hello')), { key: 'hello:post' });
    expect(await a.state.outbox.takeDue('replica-a', 30, 10)).toHaveLength(1);
    const b = await replica(path, 'replica-b');
    offset += 31;
    b.dispatcher.kick();
    const entry = await b.dispatcher.sent('hello:post');
    expect(sim.messagesWithMetadata(ch, OUTBOX_EVENT_TYPE, { key: 'hello:post' }).map((m) => m.ts)).toEqual([entry.resultTs]);
  });

  it('an entry is not taken over while its lease holds', async () => {
    const path = dbPath();
    const a = await replica(path, 'replica-a', { start: false });
    const ch = channel();
    await a.port.postQueued({ channel: ch }, textMessage(plain('mine')), { key: 'held:post' });
    expect(await a.state.outbox.takeDue('replica-a', 30, 10)).toHaveLength(1);
    const b = await replica(path, 'replica-b', { start: false });
    expect(await b.state.outbox.takeDue('replica-b', 30, 10)).toHaveLength(0);
    offset += 31;
    expect((await b.state.outbox.takeDue('replica-b', 30, 10)).map((e) => e.key)).toEqual(['held:post']);
  });

  for (const bus of [true, false]) {
    it(`sent(key) resolves for an entry another dispatcher sent (${bus ? 'notified' : 'polling the store'}), and rejects for one it failed`, async () => {
      const path = dbPath();
      const a = await replica(path, 'replica-a', { bus });
      const b = await replica(path, 'replica-b', { bus, start: false });
      const ch = channel();
      await expect(b.dispatcher.sent('shared:post')).rejects.toThrow(/no outbox entry/);
      const { sent } = await a.port.postQueued({ channel: ch }, textMessage(plain('from a')), { key: 'shared:post' });
      const posted = await sent;
      const seen = await b.dispatcher.sent('shared:post');
      expect(seen).toMatchObject({ key: 'shared:post', state: 'sent', resultTs: posted.ts });

      sim.failMethod('chat.postMessage', 'not_in_channel', { times: 1 });
      const { ref } = await a.port.postQueued({ channel: ch }, textMessage(plain('nope')), { key: 'shared:bad' });
      await expect(b.dispatcher.sent(ref.postOf)).rejects.toBeInstanceOf(OutboxFailedError);
    });
  }

  it('two live replicas enqueuing the same keys post each once', async () => {
    const path = dbPath();
    const a = await replica(path, 'replica-a');
    const b = await replica(path, 'replica-b');
    const ch = channel();
    sim.faultMethod('chat.postMessage', { kind: 'ambiguous' }, { times: 3 });
    const keys = Array.from({ length: 12 }, (_, i) => `dup:${i}`);
    const refs = await Promise.all(keys.flatMap((key) => [a.port.post({ channel: ch }, textMessage(plain(key)), { key }), b.port.post({ channel: ch }, textMessage(plain(key)), { key })]));
    for (let i = 0; i < keys.length; i++) expect(refs[2 * i]).toEqual(refs[2 * i + 1]);
    for (const key of keys) expect(sim.messagesWithMetadata(ch, OUTBOX_EVENT_TYPE, { key })).toHaveLength(1);
  });
});
