import { WebClient } from '@slack/web-api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackSim } from './sim/slack-sim.ts';

const BOT = 'xoxb-sim-faults-0123456789';
let sim: SlackSim;
beforeAll(async () => {
  sim = await new SlackSim({ botToken: BOT }).start();
});
afterAll(async () => {
  await sim.stop();
});
afterEach(() => {
  sim.clearFaults();
});

let channelSeq = 0;
const freshChannel = () => `CFAULT${++channelSeq}`;

/** A Web API call as @slack/web-api sends it: a form with object arguments as JSON strings. */
async function call(
  method: string,
  args: Record<string, unknown>,
  init: { signal?: AbortSignal } = {},
): Promise<{ status: number; headers: Headers; body: string; json: Record<string, unknown> | undefined }> {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(args)) form.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  const res = await fetch(`${sim.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BOT}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const body = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body, json };
}

async function failure(promise: Promise<unknown>): Promise<Error & { cause?: { code?: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { cause?: { code?: string } };
  }
  throw new Error('expected a failure');
}

const meta = (id: string) => ({ event_type: 'opsbot_post', event_payload: { outbox_id: id, kind: 'alert' } });

describe('Slack simulator: faults', () => {
  it('failMethod still answers {ok:false,error} and ratelimited with 429 + Retry-After', async () => {
    sim.failMethod('chat.postMessage', 'channel_not_found', { times: 1 });
    expect((await call('chat.postMessage', { channel: 'C1', text: 'a' })).json).toEqual({ ok: false, error: 'channel_not_found' });
    sim.failMethod('chat.postMessage', 'ratelimited', { times: 1, retryAfter: 9 });
    const limited = await call('chat.postMessage', { channel: 'C1', text: 'a' });
    expect([limited.status, limited.headers.get('retry-after'), limited.json]).toEqual([429, '9', { ok: false, error: 'ratelimited' }]);
    expect((await call('chat.postMessage', { channel: 'C1', text: 'a' })).json).toMatchObject({ ok: true });
  });

  it('ratelimited rule: 429 with Retry-After, after N calls, `times` times', async () => {
    sim.faultMethod('reactions.add', { kind: 'ratelimited', retryAfter: 4 }, { afterN: 1, times: 1 });
    const ch = freshChannel();
    expect((await call('reactions.add', { channel: ch, timestamp: '1.000001', name: 'eyes' })).json).toEqual({ ok: true });
    const limited = await call('reactions.add', { channel: ch, timestamp: '1.000001', name: 'ok' });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '4']);
    expect((await call('reactions.add', { channel: ch, timestamp: '1.000001', name: 'ok' })).json).toEqual({ ok: true });
  });

  it('http: 5xx with Slack JSON by default, or the given body', async () => {
    sim.faultMethod('chat.update', { kind: 'http', status: 500 }, { times: 1 });
    const plain = await call('chat.update', { channel: 'C1', ts: '1.1', text: 'x' });
    expect([plain.status, plain.json]).toEqual([500, { ok: false, error: 'fatal_error' }]);
    sim.faultMethod('chat.update', { kind: 'http', status: 503, body: '<html><body>Slack is down</body></html>' }, { times: 1 });
    const html = await call('chat.update', { channel: 'C1', ts: '1.1', text: 'x' });
    expect([html.status, html.headers.get('content-type'), html.body]).toEqual([503, 'text/html; charset=utf-8', '<html><body>Slack is down</body></html>']);
  });

  it('reset: the connection drops and nothing is stored', async () => {
    const ch = freshChannel();
    sim.faultMethod('chat.postMessage', { kind: 'reset' }, { times: 1 });
    const error = await failure(call('chat.postMessage', { channel: ch, text: 'lost' }));
    expect(error.cause?.code ?? error.message).toMatch(/ECONNRESET|socket|other side closed|fetch failed/i);
    expect([...sim.messages.values()].filter((m) => m.channel === ch)).toEqual([]);
    expect(sim.callsOf('chat.postMessage').some((c) => c.args.channel === ch)).toBe(true);
  });

  it('hang: no answer until clearFaults() (then reset); the call is recorded but not applied', async () => {
    const ch = freshChannel();
    sim.faultMethod('chat.postMessage', { kind: 'hang' });
    const pending = failure(call('chat.postMessage', { channel: ch, text: 'held' }));
    await sim.waitForCall('chat.postMessage', (c) => c.args.channel === ch);
    expect(sim.hangingCalls()).toBe(1);
    sim.clearFaults();
    expect((await pending).message).toMatch(/fetch failed|terminated|socket/i);
    expect(sim.hangingCalls()).toBe(0);
    expect([...sim.messages.values()].filter((m) => m.channel === ch)).toEqual([]);
  });

  it('hang then apply: the client gives up, the message is posted anyway', async () => {
    const ch = freshChannel();
    sim.faultMethod('chat.postMessage', { kind: 'hang', then: 'apply' }, { times: 1 });
    const controller = new AbortController();
    const pending = failure(call('chat.postMessage', { channel: ch, text: 'late', metadata: meta('late-1') }, { signal: controller.signal }));
    await sim.waitForCall('chat.postMessage', (c) => c.args.channel === ch);
    controller.abort();
    expect((await pending).name).toBe('AbortError');
    expect(sim.messagesWithMetadata(ch, 'opsbot_post')).toEqual([]);
    sim.releaseHeld('apply');
    expect(sim.messagesWithMetadata(ch, 'opsbot_post', { outbox_id: 'late-1' })).toHaveLength(1);
  });

  it('hang with ms: answers late (apply) or resets after that long', async () => {
    const ch = freshChannel();
    sim.faultMethod('chat.postMessage', { kind: 'hang', ms: 20, then: 'apply' }, { times: 1 });
    expect((await call('chat.postMessage', { channel: ch, text: 'slow' })).json).toMatchObject({ ok: true, channel: ch });
    sim.faultMethod('chat.postMessage', { kind: 'hang', ms: 20 }, { times: 1 });
    await failure(call('chat.postMessage', { channel: ch, text: 'dropped' }));
    expect([...sim.messages.values()].filter((m) => m.channel === ch).map((m) => m.text)).toEqual(['slow']);
  });

  it('ambiguous 500: the message is stored, the caller sees an error, a blind retry double-posts, conversations.history finds it by metadata', async () => {
    const ch = freshChannel();
    const before = (Date.now() / 1000 - 1).toFixed(6);
    sim.faultMethod('chat.postMessage', { kind: 'ambiguous' }, { times: 1 });
    const first = await call('chat.postMessage', { channel: ch, text: 'disk full on web-01', metadata: meta('ob-1') });
    expect([first.status, first.json]).toEqual([500, { ok: false, error: 'fatal_error' }]);
    expect(sim.messagesWithMetadata(ch, 'opsbot_post', { outbox_id: 'ob-1' })).toHaveLength(1);

    // The careful caller looks before posting again.
    const history = await call('conversations.history', { channel: ch, oldest: before, include_all_metadata: true, limit: 50 });
    expect(history.json).toMatchObject({ ok: true, has_more: false });
    const mine = (history.json!.messages as Record<string, unknown>[]).filter((m) => (m.metadata as { event_payload?: { outbox_id?: string } })?.event_payload?.outbox_id === 'ob-1');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ type: 'message', text: 'disk full on web-01', user: sim.botUserId, bot_id: expect.any(String), metadata: meta('ob-1') });

    // Without include_all_metadata the metadata is not shown.
    const bare = await call('conversations.history', { channel: ch });
    expect((bare.json!.messages as Record<string, unknown>[])[0]).not.toHaveProperty('metadata');

    // A blind retry would post twice.
    await call('chat.postMessage', { channel: ch, text: 'disk full on web-01', metadata: meta('ob-1') });
    expect(sim.messagesWithMetadata(ch, 'opsbot_post', { outbox_id: 'ob-1' })).toHaveLength(2);
  });

  it('ambiguous reset: applied, then the connection drops', async () => {
    const ch = freshChannel();
    sim.faultMethod('chat.postMessage', { kind: 'ambiguous', then: 'reset' }, { times: 1 });
    await failure(call('chat.postMessage', { channel: ch, text: 'x', metadata: meta('ob-2') }));
    expect(sim.messagesWithMetadata(ch, 'opsbot_post', { outbox_id: 'ob-2' })).toHaveLength(1);
  });

  it('@slack/web-api: an ambiguous post rejects with an HTTP error and the message is there', async () => {
    const ch = freshChannel();
    const client = new WebClient(BOT, { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 } });
    sim.faultMethod('chat.postMessage', { kind: 'ambiguous', status: 503 }, { times: 1 });
    const error = (await failure(client.chat.postMessage({ channel: ch, text: 'via sdk', metadata: meta('ob-sdk') }))) as Error & { code?: string; statusCode?: number };
    expect(error.code).toBe('slack_webapi_http_error');
    expect(error.statusCode).toBe(503);
    const history = await client.conversations.history({ channel: ch, include_all_metadata: true });
    expect(history.messages?.map((m) => m.metadata)).toEqual([meta('ob-sdk')]);
    const posted = await client.chat.postMessage({ channel: ch, text: 'second', metadata: meta('ob-sdk-2') });
    expect(posted.message?.metadata).toEqual(meta('ob-sdk-2'));
  });
});

describe('Slack simulator: history, replies, metadata, reactions', () => {
  it('conversations.history: newest first, oldest/latest exclusive unless inclusive, limit + cursor paging', async () => {
    const ch = freshChannel();
    const ts: string[] = [];
    for (let i = 0; i < 5; i++) ts.push((await call('chat.postMessage', { channel: ch, text: `m${i}` })).json!.ts as string);
    sim.addMessage(freshChannel(), { text: 'elsewhere' });
    const texts = (r: { json?: Record<string, unknown> }) => (r.json!.messages as { text: string }[]).map((m) => m.text);

    const page1 = await call('conversations.history', { channel: ch, limit: 2 });
    expect(texts(page1)).toEqual(['m4', 'm3']);
    expect(page1.json).toMatchObject({ has_more: true, response_metadata: { next_cursor: expect.any(String) } });
    const cursor = (page1.json!.response_metadata as { next_cursor: string }).next_cursor;
    const page2 = await call('conversations.history', { channel: ch, limit: 2, cursor });
    expect(texts(page2)).toEqual(['m2', 'm1']);
    const page3 = await call('conversations.history', { channel: ch, limit: 2, cursor: (page2.json!.response_metadata as { next_cursor: string }).next_cursor });
    expect(texts(page3)).toEqual(['m0']);
    expect(page3.json).toMatchObject({ has_more: false });
    expect(page3.json).not.toHaveProperty('response_metadata');

    expect(texts(await call('conversations.history', { channel: ch, oldest: ts[1], latest: ts[3] }))).toEqual(['m2']);
    expect(texts(await call('conversations.history', { channel: ch, oldest: ts[1], latest: ts[3], inclusive: true }))).toEqual(['m3', 'm2', 'm1']);
    expect((await call('conversations.history', { channel: ch, cursor: 'garbage' })).json).toEqual({ ok: false, error: 'invalid_cursor' });
    expect(Number(ts[0])).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('threads: history shows parents with reply counts (and broadcasts); conversations.replies gives the thread oldest first', async () => {
    const ch = freshChannel();
    const parent = (await call('chat.postMessage', { channel: ch, text: 'parent', metadata: meta('p') })).json!.ts as string;
    const r1 = (await call('chat.postMessage', { channel: ch, thread_ts: parent, text: 'reply 1', metadata: meta('r1') })).json!.ts as string;
    sim.addMessage(ch, { text: 'a person answers', user: 'UPERSON', threadTs: parent });
    await call('chat.postMessage', { channel: ch, thread_ts: parent, text: 'broadcast', reply_broadcast: true });

    const history = (await call('conversations.history', { channel: ch })).json!.messages as Record<string, unknown>[];
    expect(history.map((m) => m.text)).toEqual(['broadcast', 'parent']);
    expect(history[0]).toMatchObject({ subtype: 'thread_broadcast', thread_ts: parent });
    expect(history[1]).toMatchObject({ thread_ts: parent, reply_count: 3, reply_users: [sim.botUserId, 'UPERSON'] });

    const replies = await call('conversations.replies', { channel: ch, ts: parent, include_all_metadata: 'true' });
    const msgs = replies.json!.messages as Record<string, unknown>[];
    expect(msgs.map((m) => m.text)).toEqual(['parent', 'reply 1', 'a person answers', 'broadcast']);
    expect(msgs[1]).toMatchObject({ ts: r1, thread_ts: parent, parent_user_id: sim.botUserId, metadata: meta('r1') });
    expect(msgs[2]).not.toHaveProperty('bot_id');
    // By a reply's ts, the same thread; paging works too.
    const paged = await call('conversations.replies', { channel: ch, ts: r1, limit: 2 });
    expect((paged.json!.messages as { text: string }[]).map((m) => m.text)).toEqual(['parent', 'reply 1']);
    const rest = await call('conversations.replies', { channel: ch, ts: r1, limit: 2, cursor: (paged.json!.response_metadata as { next_cursor: string }).next_cursor });
    expect((rest.json!.messages as { text: string }[]).map((m) => m.text)).toEqual(['a person answers', 'broadcast']);
    expect((await call('conversations.replies', { channel: ch, ts: '1.000001' })).json).toEqual({ ok: false, error: 'thread_not_found' });
  });

  it('metadata: stored from chat.postMessage and replaced by chat.update; malformed metadata is refused', async () => {
    const ch = freshChannel();
    const ts = (await call('chat.postMessage', { channel: ch, text: 'v1', metadata: meta('u1') })).json!.ts as string;
    expect(sim.messages.get(ts)?.metadata).toEqual(meta('u1'));
    await call('chat.update', { channel: ch, ts, text: 'v2', metadata: { event_type: 'opsbot_post', event_payload: { outbox_id: 'u1', version: 2 } } });
    expect(sim.messages.get(ts)).toMatchObject({ text: 'v2', metadata: { event_type: 'opsbot_post', event_payload: { outbox_id: 'u1', version: 2 } } });
    await call('chat.update', { channel: ch, ts, text: 'v3' });
    expect(sim.messages.get(ts)?.metadata?.event_payload).toEqual({ outbox_id: 'u1', version: 2 });
    expect((await call('chat.postMessage', { channel: ch, text: 'x', metadata: { event_payload: {} } })).json).toEqual({ ok: false, error: 'invalid_metadata_format' });
    expect((await call('chat.postMessage', { channel: ch, text: 'x', metadata: '{not json' })).json).toEqual({ ok: false, error: 'invalid_metadata_format' });
  });

  it('reactions: the current set per message; already_reacted and no_reaction as Slack answers', async () => {
    const ch = freshChannel();
    const ts = (await call('chat.postMessage', { channel: ch, text: 'react to me' })).json!.ts as string;
    const react = (method: string, name: string) => call(method, { channel: ch, timestamp: ts, name }).then((r) => r.json);
    expect(await react('reactions.add', 'hourglass_flowing_sand')).toEqual({ ok: true });
    expect(await react('reactions.add', 'eyes')).toEqual({ ok: true });
    expect(await react('reactions.add', 'eyes')).toEqual({ ok: false, error: 'already_reacted' });
    expect(sim.reactionsOf(ch, ts)).toEqual(['hourglass_flowing_sand', 'eyes']);
    expect(await react('reactions.remove', 'hourglass_flowing_sand')).toEqual({ ok: true });
    expect(await react('reactions.remove', 'hourglass_flowing_sand')).toEqual({ ok: false, error: 'no_reaction' });
    expect(await react('reactions.add', 'white_check_mark')).toEqual({ ok: true });
    expect(sim.reactionsOf(ch, ts)).toEqual(['eyes', 'white_check_mark']);
    const [shown] = (await call('conversations.history', { channel: ch })).json!.messages as Record<string, unknown>[];
    expect(shown!.reactions).toEqual([
      { name: 'eyes', users: [sim.botUserId], count: 1 },
      { name: 'white_check_mark', users: [sim.botUserId], count: 1 },
    ]);
    // A person's message the simulator never saw can be reacted to too.
    expect(await call('reactions.add', { channel: ch, timestamp: '1710000000.000200', name: 'eyes' }).then((r) => r.json)).toEqual({ ok: true });
    expect(sim.reactionsOf(ch, '1710000000.000200')).toEqual(['eyes']);
  });

  it('chat.delete removes a message; unknown ones are message_not_found', async () => {
    const ch = freshChannel();
    const ts = (await call('chat.postMessage', { channel: ch, text: 'dup', metadata: meta('d') })).json!.ts as string;
    expect((await call('chat.delete', { channel: ch, ts })).json).toEqual({ ok: true, channel: ch, ts });
    expect(sim.messagesWithMetadata(ch, 'opsbot_post')).toEqual([]);
    expect((await call('chat.delete', { channel: ch, ts })).json).toEqual({ ok: false, error: 'message_not_found' });
  });
});
