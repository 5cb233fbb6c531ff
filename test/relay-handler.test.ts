import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadRule } from '../src/core/config.ts';
import type { FileShareEvent, MessageRef, SharedFile } from '../src/handlers/chat-port.ts';
import type { CommandContext } from '../src/handlers/command-registry.ts';
import { createFileShareHandler } from '../src/handlers/relay/file-share-handler.ts';
import { createUploadsCommand } from '../src/handlers/relay/uploads-command.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { RecordingChatPort } from './helpers/recording-chat-port.ts';
import { startRelayWorld, SIM_BOT_TOKEN, type RelayWorld } from './helpers/relay-fixture.ts';
import { generatedContent } from './sim/slack-sim.ts';

const MiB = 1024 * 1024;
const present = createPresenter({ language: 'en', timeZone: 'UTC' });
let world: RelayWorld;
let seq = 0;
beforeAll(async () => {
  world = await startRelayWorld();
});
afterAll(() => world.stop());

function rules(): UploadRule[] {
  seq++;
  return [
    { keyword: '!fileupload', destination: `s3://${world.s3.bucket}/h${seq}/`, presignSeconds: 3600, maxBytes: 40 * MiB },
    { keyword: '!ops', destination: `s3://${world.s3.bucket}/ops${seq}/`, channels: ['COPS'] },
  ];
}

function event(text: string, files: SharedFile[], channel = 'CGEN', ts = `1700000${++seq}.000100`): FileShareEvent {
  return { user: 'U1', channel, ts, text, files };
}

async function setup(options: { progressIntervalMs?: number } = {}) {
  const store = await world.openStore();
  const r = rules();
  const handler = createFileShareHandler({ rules: r, relay: await world.service({ store }), log: world.log, present, progressIntervalMs: options.progressIntervalMs ?? 3000 });
  return { handler, chat: new RecordingChatPort(), store, prefix: `h${seq}/`, opsPrefix: `ops${seq}/` };
}

const textOf = (chat: RecordingChatPort) => chat.posts.map((p) => RecordingChatPort.textOf(p.message)).join('\n');

describe('file share handler', () => {
  it('relays a file with the keyword and answers in the thread with location, size, sha256 and link', async () => {
    const { handler, chat, prefix } = await setup();
    const file = world.sharedFile({ name: 'notes.txt', content: Buffer.from('hello relay') });
    const e = event('<@U0OPSBOT> !fileupload nightly notes', [file]);
    await handler(e, chat);
    const keys = await world.s3.listKeys(prefix);
    expect(keys).toHaveLength(1);
    expect(chat.reactions.map((r) => [r.name, r.added])).toEqual([
      ['hourglass_flowing_sand', true],
      ['hourglass_flowing_sand', false],
      ['white_check_mark', true],
    ]);
    expect(chat.reactions.every((r) => r.ref.ts === e.ts && r.ref.channel === 'CGEN')).toBe(true);
    expect(chat.posts).toHaveLength(1);
    expect(chat.posts[0]!.target).toEqual({ channel: 'CGEN', threadTs: e.ts });
    const reply = textOf(chat);
    expect(reply).toContain(`s3://${world.s3.bucket}/${keys[0]}`);
    expect(reply).toContain('11 B');
    expect(reply).toContain((await world.s3.getTags(keys[0]!)).sha256);
    expect(reply).toMatch(/Download link.*\(valid until (\w{3} \w{3} \d{1,2}, )?\d{2}:\d{2} UTC\)/s);
    expect(reply).not.toContain(SIM_BOT_TOKEN);
  });

  it('ignores files shared without a keyword (no download, no message, no reaction)', async () => {
    const { handler, chat } = await setup();
    const file = world.sharedFile({ name: 'cat.png', content: Buffer.from('meow') });
    await handler(event('look at my cat !fileupload', [file]), chat);
    await handler(event('', [file]), chat);
    expect(chat.posts).toEqual([]);
    expect(chat.reactions).toEqual([]);
    expect(world.sim.downloads.filter((d) => d.fileId === file.id)).toEqual([]);
  });

  it('tells the person when the keyword is not allowed in this channel, and stores nothing', async () => {
    const { handler, chat, opsPrefix } = await setup();
    const file = world.sharedFile({ name: 'ops.log', content: Buffer.from('ops') });
    await handler(event('!ops', [file], 'CGEN'), chat);
    expect(textOf(chat)).toContain('!ops is not allowed in this channel');
    expect(world.sim.downloads.filter((d) => d.fileId === file.id)).toEqual([]);
    expect(await world.s3.listKeys(opsPrefix)).toEqual([]);
    await handler(event('!ops', [file], 'COPS'), new RecordingChatPort());
    expect(await world.s3.listKeys(opsPrefix)).toHaveLength(1);
  });

  it('says a file is too big with the cap, and marks the message failed', async () => {
    const { handler, chat, prefix } = await setup();
    const file = world.sharedFile({ name: 'big.iso', content: Buffer.alloc(10), advertisedSize: 41 * MiB });
    await handler(event('!fileupload', [file]), chat);
    expect(textOf(chat)).toMatch(/big\.iso.*41\.0 MiB, more than the 40\.0 MiB allowed here/s);
    expect(chat.reactions.at(-1)).toMatchObject({ name: 'x', added: true });
    expect(await world.s3.listKeys(prefix)).toEqual([]);
  });

  it('stays silent on a retry of the same message, and points a re-share at the stored object', async () => {
    const { handler, chat, prefix } = await setup();
    const file = world.sharedFile({ name: 'once.txt', content: Buffer.from('once') });
    const e = event('!fileupload', [file]);
    await handler(e, chat);
    const after = { posts: chat.posts.length, reactions: chat.reactions.length };
    await handler(e, chat);
    expect({ posts: chat.posts.length, reactions: chat.reactions.length }).toEqual(after);
    await handler(event('!fileupload again', [file]), chat);
    expect(RecordingChatPort.textOf(chat.posts.at(-1)!.message)).toContain('was already stored at');
    expect(await world.s3.listKeys(prefix)).toHaveLength(1);
  });

  it('answers a new share of a file still being relayed from an earlier share, instead of silence, and stores it once', async () => {
    const { handler, chat, store, prefix } = await setup();
    const file = world.sharedFile({ name: 'busy.txt', content: Buffer.from('busy') });
    const destination = `s3://${world.s3.bucket}/${prefix}`;
    // An earlier share's relay, still running in another process (its lease is live).
    const earlier = await store.relays.claim(
      {
        fileId: file.id,
        destination,
        eventKey: 'earlier-share',
        intent: { channel: 'CGEN', messageTs: '1.1', user: 'U2', fileName: file.name, fileSize: file.size, keyword: '!fileupload' },
      },
      'another-replica',
      60,
    );
    expect(earlier.kind).toBe('claimed');
    const e = event('!fileupload', [file]);
    await handler(e, chat);
    expect(chat.posts).toHaveLength(1);
    expect(chat.posts[0]!.target).toEqual({ channel: 'CGEN', threadTs: e.ts });
    expect(textOf(chat)).toContain('`busy.txt` is already being relayed from an earlier share');
    // No ⏳ left behind on this share: the earlier share's message carries the relay's reactions.
    const hourglass = chat.reactions.filter((r) => r.name === 'hourglass_flowing_sand');
    expect(hourglass.filter((r) => r.added).length).toBe(hourglass.filter((r) => !r.added).length);
    expect(world.sim.downloads.filter((d) => d.fileId === file.id)).toEqual([]);
    expect(await world.s3.listKeys(prefix)).toEqual([]);
  });

  it('shows a progress message for a large file and turns it into the result', async () => {
    const { handler, chat, prefix } = await setup({ progressIntervalMs: 20 });
    const size = 24 * MiB;
    const file = world.sharedFile({ name: 'large.bin', content: generatedContent(size, 21), actualSize: size });
    await handler(event('!fileupload', [file]), chat);
    expect(await world.s3.listKeys(prefix)).toHaveLength(1);
    const progress = chat.posts.find((p) => p.message.text.startsWith('Uploading large.bin'));
    expect(progress?.message.text).toMatch(/^Uploading large\.bin: \d+% \(.* of 24\.0 MiB, [\d.,]+ (B|KiB|MiB|GiB)\/s\)$/);
    const edits = chat.updates.filter((u) => u.ref.ts === progress!.ref.ts);
    expect(edits.at(-1)!.message.text).toContain('Stored large.bin at s3://');
    expect(chat.posts.at(-1)!.message.text).toContain('Stored large.bin');
  });

  it('ends with only ✅ even when adding ⏳ is slower than the transfer (reactions applied in order)', async () => {
    // Slack's side: the reactions on the message, best effort like the Slack port (a remove of a
    // missing reaction is ignored); adds take a while, removes are quick.
    class SlowReactions extends RecordingChatPort {
      readonly onMessage = new Set<string>();
      override async react(ref: MessageRef, name: string): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 300));
        this.onMessage.add(name);
        await super.react(ref, name);
      }
      override async unreact(ref: MessageRef, name: string): Promise<void> {
        this.onMessage.delete(name);
        await super.unreact(ref, name);
      }
    }
    const { handler, prefix } = await setup();
    const chat = new SlowReactions();
    await handler(event('!fileupload', [world.sharedFile({ name: 'quick.txt', content: Buffer.from('quick') })]), chat);
    expect(await world.s3.listKeys(prefix)).toHaveLength(1);
    expect([...chat.onMessage]).toEqual(['white_check_mark']);
  });

  it('relays each of several files in one message', async () => {
    const { handler, chat, prefix } = await setup();
    const files = [1, 2, 3].map((n) => world.sharedFile({ name: `part${n}.txt`, content: Buffer.from(`part ${n}`) }));
    await handler(event('!fileupload', files), chat);
    expect(await world.s3.listKeys(prefix)).toHaveLength(3);
    expect(chat.posts.filter((p) => p.message.text.startsWith('Stored'))).toHaveLength(3);
    expect(chat.reactions.filter((r) => r.name === 'hourglass_flowing_sand' && r.added)).toHaveLength(1);
  });
});

describe('@opsbot uploads', () => {
  it('lists the channel’s recent relays, successes and failures', async () => {
    const { handler, store } = await setup();
    await handler(event('!fileupload', [world.sharedFile({ name: 'good.txt', content: Buffer.from('good') })], 'CLIST'), new RecordingChatPort());
    await handler(event('!fileupload', [world.sharedFile({ name: 'bad.txt', content: Buffer.from('bad'), advertisedSize: 5 })], 'CLIST'), new RecordingChatPort());
    await handler(event('!fileupload', [world.sharedFile({ name: 'elsewhere.txt', content: Buffer.from('x') })], 'COTHER'), new RecordingChatPort());
    const chat = new RecordingChatPort();
    const command = createUploadsCommand({ relays: store.relays, present });
    const ctx = {
      event: { user: 'U1', channel: 'CLIST', ts: '1.1', text: 'uploads' },
      args: [],
      argText: '',
      chat,
      log: world.log,
      reply: (message) => chat.post({ channel: 'CLIST', threadTs: '1.1' }, message),
    } satisfies CommandContext;
    await command.run(ctx);
    const text = textOf(chat);
    expect(text).toContain('good.txt');
    expect(text).toContain('bad.txt');
    expect(text).toContain('failed (incomplete download)');
    expect(text).not.toContain('size_mismatch');
    expect(text).not.toContain('elsewhere.txt');
    expect(text.indexOf('bad.txt')).toBeLessThan(text.indexOf('good.txt'));
  });
});
