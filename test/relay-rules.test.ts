import { toSlackMessage } from '../src/core/message.ts';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { UploadRule } from '../src/core/config.ts';
import { OpsbotError } from '../src/core/errors.ts';
import { createEditThrottle } from '../src/handlers/relay/progress-throttle.ts';
import { renderProgress, renderRelayDone } from '../src/handlers/relay/render-relay.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import { buildObjectKey, safeFileName } from '../src/services/relay/object-key.ts';
import { contentDisposition } from '../src/services/relay/relay-service.ts';
import { createStreamMeter } from '../src/services/relay/stream-meter.ts';
import { isRelayComment, matchUploadRule, parseDestination } from '../src/services/relay/upload-rules.ts';

const rules: UploadRule[] = [
  { keyword: '!upload', destination: 's3://team-a/logs', channels: ['CA'] },
  { keyword: '!upload', destination: 's3://team-b/', channels: ['CB'], users: ['UB'] },
  { keyword: '!fileupload', destination: 'file:///srv/uploads/' },
];

describe('upload rules', () => {
  it('matches the keyword as the first word only, after optional mentions, case-insensitively', () => {
    const at = (text: string, channel = 'CX', user = 'U1') => matchUploadRule(rules, { text, channel, user });
    expect(at('!fileupload')).toMatchObject({ kind: 'match', destination: { kind: 'file', dir: '/srv/uploads' } });
    expect(at('<@U0BOT> !FILEUPLOAD logs of today')).toMatchObject({ kind: 'match' });
    expect(at('please !fileupload')).toEqual({ kind: 'none' });
    expect(at('!fileuploads')).toEqual({ kind: 'none' });
    expect(at('   ')).toEqual({ kind: 'none' });
    expect(isRelayComment(rules, '!upload x')).toBe(true);
    expect(isRelayComment(rules, 'upload')).toBe(false);
  });

  it('takes the first rule that admits channel and user, and reports the first refusal otherwise', () => {
    expect(matchUploadRule(rules, { text: '!upload', channel: 'CA', user: 'U1' })).toMatchObject({ kind: 'match', destination: { bucket: 'team-a', prefix: 'logs/' } });
    expect(matchUploadRule(rules, { text: '!upload', channel: 'CB', user: 'UB' })).toMatchObject({ kind: 'match', destination: { bucket: 'team-b', prefix: '' } });
    expect(matchUploadRule(rules, { text: '!upload', channel: 'CB', user: 'U1' })).toMatchObject({ kind: 'denied', reason: 'channel' });
    expect(matchUploadRule(rules.slice(1), { text: '!upload', channel: 'CB', user: 'U1' })).toMatchObject({ kind: 'denied', reason: 'user' });
  });

  it('never takes a destination from the comment', () => {
    const match = matchUploadRule(rules, { text: '!fileupload s3://attacker-bucket/ ../../etc', channel: 'CX', user: 'U1' });
    expect(match).toMatchObject({ kind: 'match', destination: { kind: 'file', dir: '/srv/uploads' } });
  });

  it('parses destinations', () => {
    expect(parseDestination('s3://my-bucket/a/b')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: 'a/b/', uri: 's3://my-bucket/a/b/' });
    expect(parseDestination('s3://my-bucket')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '', uri: 's3://my-bucket/' });
    expect(parseDestination('file:///var/data%20x/')).toEqual({ kind: 'file', dir: '/var/data x', uri: 'file:///var/data x/' });
    expect(() => parseDestination('http://x/')).toThrow(/not a destination/);
  });
});

describe('object keys', () => {
  it('sanitizes names: NFC, no controls, bidi, separators, dot runs or leading dots', () => {
    expect(safeFileName('Cafe\u0301.txt')).toBe('Café.txt');
    expect(safeFileName('..\\..\\boot.ini')).toBe('boot.ini');
    expect(safeFileName('a\u0000b\u001b[31mc.sh')).toBe('ab[31mc.sh');
    expect(safeFileName('evil\u202Etxt.exe')).toBe('eviltxt.exe');
    expect(safeFileName('...')).toBe('file');
    expect(safeFileName('')).toBe('file');
    expect(safeFileName('report..final.pdf')).toBe('report.final.pdf');
    expect(safeFileName(' .env ')).toBe('env');
  });

  it('caps long names in UTF-8 bytes at a character boundary, keeping the extension', () => {
    const name = safeFileName(`${'😀'.repeat(100)}.tar.gz`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(180);
    expect(name.endsWith('.gz')).toBe(true);
    expect(name).not.toContain('\uFFFD');
    expect([...name.slice(0, -3)].every((c) => c === '😀' || c === '.' || c === 't' || c === 'a' || c === 'r')).toBe(true);
  });

  it('builds prefix/date/channel/unique/name with hostile ids neutralised', () => {
    const key = buildObjectKey({ prefix: 'p/', date: new Date(Date.UTC(2026, 0, 5)), channel: 'C1/../x', fileId: 'F1', fileName: 'a.txt', unique: 'ab12' });
    expect(key).toBe('p/2026/01/05/C1x/F1-ab12/a.txt');
  });

  it('content disposition carries the Unicode name encoded and an ASCII fallback', () => {
    expect(contentDisposition('報告 "q".pdf')).toBe(`attachment; filename="__ _q_.pdf"; filename*=UTF-8''%E5%A0%B1%E5%91%8A%20%22q%22.pdf`);
  });
});

describe('stream meter', () => {
  const sink = () => new Writable({ write: (_c, _e, done) => done() });

  it('counts and hashes what passes', async () => {
    const meter = createStreamMeter({ expectedBytes: 11 });
    await pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), meter.stream, sink());
    expect(meter.bytes).toBe(11);
    expect(meter.sha256()).toBe(createHash('sha256').update('hello world').digest('hex'));
  });

  it('cuts off past the cap and fails a total that differs from the expected size', async () => {
    const capped = createStreamMeter({ maxBytes: 8 });
    const error = await pipeline(Readable.from([Buffer.alloc(5), Buffer.alloc(5)]), capped.stream, sink()).catch((e: unknown) => e);
    expect((error as OpsbotError).code).toBe('too_big');
    const short = createStreamMeter({ expectedBytes: 12 });
    const mismatch = await pipeline(Readable.from([Buffer.alloc(10)]), short.stream, sink()).catch((e: unknown) => e);
    expect((mismatch as OpsbotError).code).toBe('size_mismatch');
    expect(() => short.sha256()).toThrow();
  });
});

describe('progress pacing and wording', () => {
  it('allows one edit per second per channel', () => {
    let t = 0;
    const throttle = createEditThrottle({ nowMs: () => t });
    expect(throttle.tryTake('C1')).toBe(true);
    expect(throttle.tryTake('C1')).toBe(false);
    expect(throttle.tryTake('C2')).toBe(true);
    t = 999;
    expect(throttle.tryTake('C1')).toBe(false);
    t = 1000;
    expect(throttle.tryTake('C1')).toBe(true);
  });

  it('words sizes, progress and results', () => {
    const present = createPresenter({ language: 'en', timeZone: 'UTC' });
    expect([present.bytes(512), present.bytes(1536), present.bytes(50 * 1024 * 1024), present.bytes(2 ** 30)]).toEqual(['512 B', '1.50 KiB', '50.0 MiB', '1.00 GiB']);
    expect(renderProgress(present, 'a.bin', 512 * 1024 * 1024, 2 ** 30, 25 * 1024 * 1024).text.text).toBe('Uploading a.bin: 50% (512 MiB of 1.00 GiB, 25.0 MiB/s)');
    const done = renderRelayDone(present, '<b>.txt', { destination: 's3://b/', location: 's3://b/k', bytes: 3, sha256: 'abc' });
    const wire = toSlackMessage(done);
    expect(JSON.stringify(wire.blocks)).toContain('&lt;b&gt;.txt');
    expect(wire.text).toBe('Stored &lt;b&gt;.txt at s3://b/k (3 B, sha256 abc)');
  });
});
