import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../src/core/logger.ts';
import { md, plain, textMessage } from '../src/core/message.ts';
import { openSqliteStore } from '../src/core/state/sqlite-store.ts';
import type { StateStore } from '../src/core/state/types.ts';
import { createOutboxChatPort } from '../src/services/outbox/outbox-chat-port.ts';
import { createOutboxDispatcher, OutboxFailedError, type OutboxDispatcher } from '../src/services/outbox/outbox-dispatcher.ts';
import { createSlackOutboxSender, OUTBOX_EVENT_TYPE } from '../src/slack/slack-outbox-sender.ts';
import { SlackSim } from './sim/slack-sim.ts';

const BOT = 'xoxb-outbox-test-0123456789';
const log = createSilentLogger();
let sim: SlackSim;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];
let seq = 0;

beforeAll(async () => {
  sim = await new SlackSim({ botToken: BOT }).start();
  dir = mkdtempSync(join(tmpdir(), 'opsbot-outbox-'));
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  sim.clearFaults();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const channel = () => `COUTBOX${++seq}`;

/** A store, the Slack sender on the simulator, a dispatcher and the outbox port. */
async function rig(options: { path?: string; owner?: string; timeoutMs?: number; start?: boolean; now?: () => number } = {}) {
  const state: StateStore = await openSqliteStore({ path: options.path ?? join(dir, `outbox-${++seq}.db`), ...(options.now ? { now: options.now } : {}) });
  const sender = createSlackOutboxSender({ client: new WebClient(BOT, { slackApiUrl: sim.apiUrl }), log, timeoutMs: options.timeoutMs ?? 5000 });
  const dispatcher: OutboxDispatcher = createOutboxDispatcher({
    store: state.outbox,
    sender,
    owner: options.owner ?? `test-${seq}`,
    log,
    bus: state,
    pollMs: 50,
    baseBackoffSeconds: 0.05,
    maxBackoffSeconds: 0.2,
  });
  const port = createOutboxChatPort({ dispatcher, store: state.outbox, log });
  if (options.start !== false) dispatcher.start();
  cleanups.push(async () => {
    await dispatcher.stop();
    await state.close();
  });
  return { state, sender, dispatcher, port };
}

const botMessages = (ch: string) => [...sim.messages].filter(([, m]) => m.channel === ch).map(([ts, m]) => ({ ts, ...m }));

describe('outbox on Slack: posts', () => {
  it('posts once with the outbox metadata and returns the ts; a key sent again is not posted again', async () => {
    const { port } = await rig();
    const ch = channel();
    const ref = await port.post({ channel: ch }, textMessage(md`hello *${'<world>'}*`), { key: 'greeting:1' });
    expect(ref.channel).toBe(ch);
    expect(sim.messages.get(ref.ts)).toMatchObject({ channel: ch, text: 'hello *&lt;world&gt;*', metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: 'greeting:1' } } });
    const again = await port.post({ channel: ch }, textMessage(plain('hello again')), { key: 'greeting:1' });
    expect(again).toEqual(ref);
    expect(sim.callsOf('chat.postMessage').filter((c) => c.args.channel === ch)).toHaveLength(1);
    // no key: durable but not deduplicated
    await port.post({ channel: ch }, textMessage(plain('x')));
    await port.post({ channel: ch }, textMessage(plain('x')));
    expect(botMessages(ch)).toHaveLength(3);
  });

  it('replies in a thread', async () => {
    const { port } = await rig();
    const ch = channel();
    const parent = await port.post({ channel: ch }, textMessage(plain('parent')));
    const reply = await port.post({ channel: ch, threadTs: parent.ts }, textMessage(plain('reply')), { key: 'reply:1' });
    expect(sim.messages.get(reply.ts)).toMatchObject({ threadTs: parent.ts, text: 'reply' });
  });

  for (const then of ['error', 'reset'] as const) {
    it(`one message when Slack stores the post and then ${then === 'error' ? 'answers 500' : 'resets the connection'} (found by its metadata, not posted again)`, async () => {
      const { port, state } = await rig();
      const ch = channel();
      sim.addMessage(ch, { text: 'someone else', metadata: { event_type: OUTBOX_EVENT_TYPE, event_payload: { key: 'other' } } });
      sim.faultMethod('chat.postMessage', { kind: 'ambiguous', then }, { times: 1 });
      const ref = await port.post({ channel: ch }, textMessage(plain('alert!')), { key: `alert:${then}:post` });
      const mine = sim.messagesWithMetadata(ch, OUTBOX_EVENT_TYPE, { key: `alert:${then}:post` });
      expect(mine.map((m) => m.ts)).toEqual([ref.ts]);
      expect(sim.callsOf('chat.postMessage').filter((c) => c.args.channel === ch)).toHaveLength(1);
      const history = sim.callsOf('conversations.history').filter((c) => c.args.channel === ch);
      expect(history.length).toBeGreaterThanOrEqual(1);
      expect(history[0]!.args.include_all_metadata).toBeTruthy();
      expect(await state.outbox.get(`alert:${then}:post`)).toMatchObject({ state: 'sent', resultTs: ref.ts, attempts: 2 });
    });
  }

  it('a thread reply that landed ambiguously is found with conversations.replies', async () => {
    const { port } = await rig();
    const ch = channel();
    const parent = await port.post({ channel: ch }, textMessage(plain('parent')));
    sim.faultMethod('chat.postMessage', { kind: 'ambiguous' }, { times: 1 });
    const reply = await port.post({ channel: ch, threadTs: parent.ts }, textMessage(plain('reply')), { key: 'thread:reply' });
    expect(sim.messagesWithMetadata(ch, OUTBOX_EVENT_TYPE, { key: 'thread:reply' }).map((m) => m.ts)).toEqual([reply.ts]);
    expect(sim.callsOf('conversations.replies').some((c) => c.args.channel === ch && c.args.ts === parent.ts)).toBe(true);
  });

  it('a post that certainly did not land (429, 503 ok:false answer) is retried without looking first', async () => {
    const { port } = await rig();
    const ch = channel();
    sim.faultMethod('chat.postMessage', { kind: 'ratelimited', retryAfter: 0 }, { times: 2 });
    await port.post({ channel: ch }, textMessage(plain('x')), { key: 'limited:post' });
    expect(sim.callsOf('chat.postMessage').filter((c) => c.args.channel === ch)).toHaveLength(3);
    expect(sim.callsOf('conversations.history').filter((c) => c.args.channel === ch)).toHaveLength(0);
    expect(botMessages(ch)).toHaveLength(1);
  });

  it('honours Retry-After: the next attempt is not before it (entry nextAttemptAt and the calls the simulator saw)', async () => {
    const { port, state } = await rig();
    const ch = channel();
    sim.failMethod('chat.postMessage', 'ratelimited', { times: 1, retryAfter: 1 });
    await port.post({ channel: ch }, textMessage(plain('later')), { key: 'retry-after:post' });
    const calls = sim.callsOf('chat.postMessage').filter((c) => c.args.channel === ch);
    expect(calls).toHaveLength(2);
    const entry = (await state.outbox.get('retry-after:post'))!;
    expect(entry.state).toBe('sent');
    expect(entry.lastError).toMatch(/rate limited/);
    expect(entry.nextAttemptAt).toBeGreaterThanOrEqual(calls[0]!.at / 1000 + 1);
    expect(calls[1]!.at).toBeGreaterThanOrEqual(calls[0]!.at + 1000);
  });

  it('a permanent error fails the entry and the post throws; a timeout is retried and looked for', async () => {
    const { port, state } = await rig({ timeoutMs: 300 });
    const ch = channel();
    sim.failMethod('chat.postMessage', 'channel_not_found', { times: 1 });
    const error = await port.post({ channel: ch }, textMessage(plain('nowhere')), { key: 'bad:post' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboxFailedError);
    expect(await state.outbox.get('bad:post')).toMatchObject({ state: 'failed', lastError: 'channel_not_found', attempts: 1 });
    // a call that hangs (nothing stored) until the client gives up
    sim.faultMethod('chat.postMessage', { kind: 'hang' }, { times: 1 });
    const ref = await port.post({ channel: ch }, textMessage(plain('slow')), { key: 'slow:post' });
    expect(botMessages(ch).map((m) => m.ts)).toEqual([ref.ts]);
    expect(sim.callsOf('conversations.history').filter((c) => c.args.channel === ch)).toHaveLength(1);
  });

  it('looking for an earlier attempt that itself fails (429) is retried, never a blind second post', async () => {
    const { port } = await rig();
    const ch = channel();
    sim.faultMethod('chat.postMessage', { kind: 'ambiguous' }, { times: 1 });
    sim.faultMethod('conversations.history', { kind: 'ratelimited', retryAfter: 0 }, { times: 2 });
    await port.post({ channel: ch }, textMessage(plain('once')), { key: 'history-limited:post' });
    expect(botMessages(ch)).toHaveLength(1);
    expect(sim.callsOf('conversations.history').filter((c) => c.args.channel === ch)).toHaveLength(3);
  });
});

describe('outbox on Slack: edits and reactions', () => {
  it('edits wait for their post: queued against a post that is rate-limited, they go after it, in order', async () => {
    const { port } = await rig();
    const ch = channel();
    sim.faultMethod('chat.postMessage', { kind: 'ratelimited', retryAfter: 1 }, { times: 1 });
    const { ref, sent } = await port.postQueued({ channel: ch }, textMessage(plain('v1')), { key: 'progress:post' });
    const edits = [port.update(ref, textMessage(plain('v2')), { key: 'progress:v2' }), port.update(ref, textMessage(plain('v3')), { key: 'progress:v3' })];
    await port.react(ref, 'hourglass_flowing_sand', { key: 'progress:react' });
    await Promise.all(edits);
    const posted = await sent;
    const updates = sim.callsOf('chat.update').filter((c) => c.args.channel === ch);
    expect(updates.map((c) => [c.args.ts, c.args.text])).toEqual([
      [posted.ts, 'v2'],
      [posted.ts, 'v3'],
    ]);
    const postCall = sim
      .callsOf('chat.postMessage')
      .filter((c) => c.args.channel === ch)
      .at(-1)!;
    expect(updates[0]!.at).toBeGreaterThanOrEqual(postCall.at);
    expect(sim.messages.get(posted.ts)?.text).toBe('v3');
    await expect.poll(() => sim.reactionsOf(ch, posted.ts)).toEqual(['hourglass_flowing_sand']);
  });

  it('reactions on one message are applied in call order and end in one final state under 429s on the first calls', async () => {
    const { port, dispatcher } = await rig();
    const ch = channel();
    const msg = await port.post({ channel: ch }, textMessage(plain('file shared')));
    sim.faultMethod('reactions.add', { kind: 'ratelimited', retryAfter: 1 }, { times: 1 });
    sim.faultMethod('reactions.remove', { kind: 'ratelimited', retryAfter: 0 }, { times: 1 });
    // The handler's pattern: ⏳ while working, then ✅ instead — not awaited in between.
    const queued = [
      port.react(msg, 'hourglass_flowing_sand', { key: 'relay:1:hourglass' }),
      port.unreact(msg, 'hourglass_flowing_sand', { key: 'relay:1:unhourglass' }),
      port.react(msg, 'white_check_mark', { key: 'relay:1:done' }),
    ];
    await Promise.all(queued); // durable and ordered; sending goes on
    await dispatcher.sent('relay:1:done');
    expect(sim.reactionsOf(ch, msg.ts)).toEqual(['white_check_mark']);
    const calls = sim.calls.filter((c) => c.method.startsWith('reactions.') && c.args.timestamp === msg.ts).map((c) => `${c.method} ${String(c.args.name)}`);
    expect(calls).toEqual([
      'reactions.add hourglass_flowing_sand', // 429
      'reactions.add hourglass_flowing_sand',
      'reactions.remove hourglass_flowing_sand', // 429
      'reactions.remove hourglass_flowing_sand',
      'reactions.add white_check_mark',
    ]);
  });

  it('already_reacted and no_reaction count as done; a failed reaction is logged, never thrown', async () => {
    const { port, dispatcher, state } = await rig();
    const ch = channel();
    const msg = await port.post({ channel: ch }, textMessage(plain('m')));
    await port.react(msg, 'eyes', { key: 'r:1' });
    await port.react(msg, 'eyes', { key: 'r:2' });
    await port.unreact(msg, 'x', { key: 'r:3' });
    await dispatcher.sent('r:3');
    expect((await state.outbox.get('r:2'))?.state).toBe('sent');
    expect(sim.reactionsOf(ch, msg.ts)).toEqual(['eyes']);
    sim.failMethod('reactions.add', 'invalid_name', { times: 1 });
    await expect(port.react(msg, 'nope', { key: 'r:4' })).resolves.toBeUndefined();
    await expect(dispatcher.sent('r:4')).rejects.toBeInstanceOf(OutboxFailedError);
  });

  it('an edit of a message that is gone fails for good and update throws', async () => {
    const { port } = await rig();
    const ch = channel();
    await expect(port.update({ channel: ch, ts: '1.000001' }, textMessage(plain('x')))).rejects.toThrow(/message_not_found/);
  });
});

describe('outbox on Slack: uploads', () => {
  it('uploads an image into a thread; an ambiguous failure is retried once and not again', async () => {
    const { port, state } = await rig();
    const ch = channel();
    const parent = await port.post({ channel: ch }, textMessage(plain('graph below')));
    const image = { filename: 'cpu.png', title: 'CPU', altText: 'cpu graph', data: Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), comment: plain('cpu of web-1') };
    await port.uploadImage({ channel: ch, threadTs: parent.ts }, image, { key: 'graph:1' });
    const done = [...sim.uploads.values()].filter((u) => u.channel === ch && u.completed);
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ threadTs: parent.ts, filename: 'cpu.png' });
    expect(done[0]!.bytes.includes(image.data)).toBe(true);

    sim.faultMethod('files.completeUploadExternal', { kind: 'ambiguous' }, { times: 2 });
    await expect(port.uploadImage({ channel: ch }, image, { key: 'graph:2' })).rejects.toBeInstanceOf(OutboxFailedError);
    // Both attempts were stored by Slack (the documented limit for uploads), and no third was made.
    expect(sim.callsOf('files.completeUploadExternal').filter((c) => c.args.channel_id === ch)).toHaveLength(3);
    expect(await state.outbox.get('graph:2')).toMatchObject({ state: 'failed', attempts: 2 });
  });
});

describe('outbox dispatcher: lifecycle', () => {
  it('stop() lets a send in flight finish and record it', async () => {
    const { port, dispatcher, state } = await rig();
    const ch = channel();
    sim.faultMethod('chat.postMessage', { kind: 'hang', ms: 200, then: 'apply' }, { times: 1 });
    const posting = port.post({ channel: ch }, textMessage(plain('in flight')), { key: 'inflight:post' });
    await sim.waitForCall('chat.postMessage', (c) => c.args.channel === ch);
    await dispatcher.stop();
    expect((await state.outbox.get('inflight:post'))?.state).toBe('sent');
    await expect(posting).resolves.toMatchObject({ channel: ch });
  });

  it('entries queued by a run that stopped are sent by the next run on the same database', async () => {
    const path = join(dir, `outbox-${++seq}.db`);
    const first = await rig({ path, start: false });
    const ch = channel();
    const { ref } = await first.port.postQueued({ channel: ch }, textMessage(plain('queued before a restart')), { key: 'restart:post' });
    await first.port.react(ref, 'eyes', { key: 'restart:react' });
    await first.dispatcher.stop();
    expect(botMessages(ch)).toHaveLength(0);
    const second = await rig({ path });
    const posted = await second.dispatcher.sent('restart:post');
    await second.dispatcher.sent('restart:react');
    expect(botMessages(ch).map((m) => m.ts)).toEqual([posted.resultTs]);
    expect(sim.reactionsOf(ch, posted.resultTs!)).toEqual(['eyes']);
  });

  it('more entries than its concurrency: all sent, each once', async () => {
    const state = await openSqliteStore({ path: join(dir, `outbox-${++seq}.db`) });
    const sender = createSlackOutboxSender({ client: new WebClient(BOT, { slackApiUrl: sim.apiUrl }), log });
    const dispatcher = createOutboxDispatcher({ store: state.outbox, sender, owner: 'narrow', log, concurrency: 2, pollMs: 5_000 });
    cleanups.push(async () => {
      await dispatcher.stop();
      await state.close();
    });
    dispatcher.start();
    const port = createOutboxChatPort({ dispatcher, store: state.outbox, log });
    const ch = channel();
    sim.faultMethod('chat.postMessage', { kind: 'ratelimited', retryAfter: 0 }, { times: 3 });
    const refs = await Promise.all(Array.from({ length: 25 }, (_, i) => port.post({ channel: ch }, textMessage(plain(`n${i}`)), { key: `many:${i}` })));
    expect(new Set(refs.map((r) => r.ts)).size).toBe(25);
    expect(botMessages(ch)).toHaveLength(25);
  });

  it('gives up after maxAttempts', async () => {
    const state = await openSqliteStore({ path: join(dir, `outbox-${++seq}.db`) });
    const sender = createSlackOutboxSender({ client: new WebClient(BOT, { slackApiUrl: sim.apiUrl }), log });
    const dispatcher = createOutboxDispatcher({ store: state.outbox, sender, owner: 'a', log, pollMs: 20, baseBackoffSeconds: 0.01, maxBackoffSeconds: 0.02, maxAttempts: 3 });
    cleanups.push(async () => {
      await dispatcher.stop();
      await state.close();
    });
    dispatcher.start();
    const port = createOutboxChatPort({ dispatcher, store: state.outbox, log });
    const ch = channel();
    sim.faultMethod('chat.postMessage', { kind: 'http', status: 503, body: { ok: false, error: 'service_unavailable' } });
    await expect(port.post({ channel: ch }, textMessage(plain('x')), { key: 'doomed' })).rejects.toThrow(/gave up after 3 attempts/);
  });
});
