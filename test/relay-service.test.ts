import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { UploadRule } from '../src/core/config.ts';
import { OpsbotError } from '../src/core/errors.ts';
import type { RelayOutcome } from '../src/services/relay/relay-service.ts';
import { openSqliteStore } from '../src/core/state/sqlite-store.ts';
import { startRelayWorld, SIM_BOT_TOKEN, type RelayWorld } from './helpers/relay-fixture.ts';
import { generatedContent } from './sim/slack-sim.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';

/** The English sentences people read about a failure. */
const words = (error: unknown) => createPresenter({ language: 'en', timeZone: 'UTC' }).error(error).text;

const MiB = 1024 * 1024;
let world: RelayWorld;
let seq = 0;
beforeAll(async () => {
  world = await startRelayWorld();
});
afterAll(() => world.stop());
beforeEach(() => world.s3.failParts(undefined));

function sha256Of(size: number, seed: number): string {
  const hash = createHash('sha256');
  for (const chunk of generatedContent(size, seed)() as Iterable<Uint8Array>) hash.update(chunk);
  return hash.digest('hex');
}

function s3Rule(extra: Partial<UploadRule> = {}): UploadRule {
  return { keyword: '!fileupload', destination: `s3://${world.s3.bucket}/slack/${++seq}/`, ...extra };
}

async function failure(promise: Promise<unknown>): Promise<OpsbotError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof OpsbotError)) throw new Error(`expected an OpsbotError, got ${String(error)}`);
  return error;
}

function stored(outcome: RelayOutcome) {
  if (outcome.kind !== 'stored') throw new Error(`expected stored, got ${JSON.stringify(outcome)}`);
  return outcome.result;
}

describe('relay service: S3 over real protocols (simulator → s3rver)', () => {
  it('streams a 50 MB file behind the CDN redirect into S3 with content, metadata, tag and a working link', async () => {
    const size = 50 * MiB + 123;
    const file = world.sharedFile({ name: 'backup 2026-05.tar.gz', content: generatedContent(size, 50), actualSize: size, mimetype: 'application/gzip' });
    const rule = s3Rule({ presignSeconds: 600 });
    const progress: number[] = [];
    const result = stored(
      await (
        await world.service()
      ).relay({ file, rule, intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'C1:1.1', onProgress: (bytes) => progress.push(bytes) }),
    );

    expect(result.bytes).toBe(size);
    expect(result.sha256).toBe(sha256Of(size, 50));
    const key = result.location.replace(`s3://${world.s3.bucket}/`, '');
    expect(key).toMatch(new RegExp(`^slack/${seq}/\\d{4}/\\d{2}/\\d{2}/C1/${file.id}-[0-9a-f]{8}/backup 2026-05\\.tar\\.gz$`));
    expect(await world.s3.sha256Of(key)).toBe(result.sha256);
    const head = await world.s3.head(key);
    expect(head.ContentLength).toBe(size);
    expect(head.Metadata).toMatchObject({ 'slack-file-id': file.id, 'slack-channel': 'C1', 'slack-user': 'U1', 'original-name': encodeURIComponent('backup 2026-05.tar.gz') });
    expect(await world.s3.getTags(key)).toEqual({ sha256: result.sha256 });
    expect(world.s3.requests.createMultipart).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(size);
    expect(world.sim.downloads.filter((d) => d.fileId === file.id && d.host === 'cdn').every((d) => d.authorization === undefined)).toBe(true);

    expect(result.link?.url).toContain('X-Amz-Signature');
    const viaLink = await fetch(result.link!.url);
    expect(viaLink.status).toBe(200);
    expect(
      createHash('sha256')
        .update(Buffer.from(await viaLink.arrayBuffer()))
        .digest('hex'),
    ).toBe(result.sha256);
  });

  it('refuses a file too big by Slack metadata without downloading it', async () => {
    const file = world.sharedFile({ name: 'huge.iso', content: generatedContent(2 * MiB, 2), actualSize: 2 * MiB });
    const error = await failure(
      (await world.service()).relay({ file, rule: s3Rule({ maxBytes: MiB }), intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'k-meta' }),
    );
    expect(error.code).toBe('too_big');
    expect(error.details).toEqual({ maxBytes: MiB, size: 2 * MiB });
    expect(words(error)).toMatch(/^This file is 2\.00 MiB, more than the 1\.00 MiB allowed here/);
    expect(world.sim.downloads.filter((d) => d.fileId === file.id)).toEqual([]);
  });

  it('cuts off a file that turns out bigger than the cap, aborting the multipart upload', async () => {
    const actual = 30 * MiB;
    const file = world.sharedFile({ name: 'liar.bin', content: generatedContent(actual, 3), actualSize: actual, advertisedSize: 4 * MiB });
    const rule = s3Rule({ maxBytes: 12 * MiB });
    const abortsBefore = world.s3.requests.abort ?? 0;
    const error = await failure((await world.service()).relay({ file, rule, intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'k-actual' }));
    expect(error.code).toBe('too_big');
    expect(await world.s3.listKeys(`slack/${seq}/`)).toEqual([]);
    expect(world.s3.inProgressUploads()).toEqual([]);
    expect(world.s3.requests.abort ?? 0).toBeGreaterThan(abortsBefore);
  });

  it('fails, storing nothing, when the bytes disagree with Slack’s size', async () => {
    const file = world.sharedFile({ name: 'short.bin', content: generatedContent(MiB, 4), actualSize: MiB, advertisedSize: MiB + 1 });
    const error = await failure((await world.service()).relay({ file, rule: s3Rule(), intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'k-short' }));
    expect(error.code).toBe('size_mismatch');
    expect(await world.s3.listKeys(`slack/${seq}/`)).toEqual([]);
  });

  it('reports Slack’s login page and stores nothing when the token is withheld', async () => {
    const file = world.sharedFile({ name: 'page.txt', content: Buffer.from('secret data') }, () => false);
    const error = await failure((await world.service()).relay({ file, rule: s3Rule(), intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'k-html' }));
    expect(error.code).toBe('slack_login_page');
    expect(words(error)).toContain('`files:read`');
    expect(await world.s3.listKeys(`slack/${seq}/`)).toEqual([]);
  });

  it('keeps hostile names out of the key while Unicode names survive', async () => {
    const names = ['../../etc/passwd', 'a/b\\c.txt', '\u202Egnp.exe', `x\u0000y\u0007z.log`, '.hidden', `${'長'.repeat(400)}.pdf`, 'Ünïcödé 報告書.xlsx'];
    const rule = s3Rule();
    const keys: string[] = [];
    for (const name of names) {
      const file = world.sharedFile({ name, content: Buffer.from(name) });
      const result = stored(await (await world.service()).relay({ file, rule, intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: `k-${file.id}` }));
      keys.push(result.location.replace(`s3://${world.s3.bucket}/`, ''));
      expect(await world.s3.getObject(keys.at(-1)!)).toEqual(Buffer.from(name));
    }
    const lastSegments = keys.map((key) => key.split('/').at(-1)!);
    expect(lastSegments.slice(0, 5)).toEqual(['etc_passwd', 'a_b_c.txt', 'gnp.exe', 'xyz.log', 'hidden']);
    expect(lastSegments[5]!.endsWith('.pdf')).toBe(true);
    expect(Buffer.byteLength(lastSegments[5]!)).toBeLessThanOrEqual(180);
    expect(lastSegments[6]).toBe('Ünïcödé 報告書.xlsx');
    for (const key of keys) {
      expect(key.startsWith(`slack/${seq}/`)).toBe(true);
      expect(key.split('/')).toHaveLength(8);
      // eslint-disable-next-line no-control-regex -- the point: no control characters in a key
      expect(key).not.toMatch(/\.\.|[\u0000-\u001f\u202e]/);
    }
  });

  it('aborts the multipart upload and tells why when S3 drops the connection mid-upload', async () => {
    const size = 14 * MiB;
    const file = world.sharedFile({ name: 'cut.bin', content: generatedContent(size, 5), actualSize: size });
    world.s3.failParts({ partNumber: 2, mode: 'reset', afterBytes: 1024 * 1024 });
    const abortsBefore = world.s3.requests.abort ?? 0;
    const error = await failure((await world.service()).relay({ file, rule: s3Rule(), intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'k-reset' }));
    expect(error.code).toBe('s3_refused');
    expect(error.details).toEqual({ reason: 'unreachable' });
    expect(words(error)).toMatch(/^The connection to S3 failed during the upload, so nothing was stored/);
    expect(world.s3.requests.abort ?? 0).toBeGreaterThan(abortsBefore);
    expect(world.s3.inProgressUploads()).toEqual([]);
    expect(await world.s3.listKeys(`slack/${seq}/`)).toEqual([]);
  });

  it('says the download broke off (not that the destination failed) when Slack cuts the connection mid-file', async () => {
    const size = 8 * MiB;
    const cut = function* () {
      yield Buffer.alloc(MiB, 7);
      throw new Error('connection cut by the test');
    };
    for (const rule of [s3Rule(), { keyword: '!u', destination: `file://${join(world.dataDir, 'cut-off')}/` }]) {
      const file = world.sharedFile({ name: 'cut-off.bin', content: cut, actualSize: size });
      const error = await failure((await world.service()).relay({ file, rule, intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: `k-cut-${file.id}` }));
      expect(error.code).toBe('slack_unreachable');
      expect(words(error)).toMatch(/^The download from Slack broke off, so nothing was stored/);
    }
    expect(await world.s3.listKeys(`slack/${seq}/`)).toEqual([]);
    expect(world.s3.inProgressUploads()).toEqual([]);
  });

  it('words an S3 access-denied answer plainly', async () => {
    const file = world.sharedFile({ name: 'denied.bin', content: generatedContent(12 * MiB, 6), actualSize: 12 * MiB });
    world.s3.failParts({ mode: 'error', code: 'AccessDenied', status: 403 });
    const error = await failure((await world.service()).relay({ file, rule: s3Rule(), intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'k-denied' }));
    expect(error.details).toEqual({ reason: 'access_denied', status: 403 });
    expect(words(error)).toContain('(access denied)');
    expect(words(error)).toContain('write access');
    expect(error.message).toContain('AccessDenied');
    expect(world.s3.inProgressUploads()).toEqual([]);
  });

  it('deletes the Slack copy after a verified upload when the rule says so', async () => {
    const file = world.sharedFile({ name: 'del.txt', content: Buffer.from('delete me') });
    const result = stored(
      await (await world.service()).relay({ file, rule: s3Rule({ deleteFromSlack: true }), intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'k-del' }),
    );
    expect(result.deletedFromSlack).toBe(true);
    expect(world.sim.isDeleted(file.id)).toBe(true);
    const keep = world.sharedFile({ name: 'keep.txt', content: Buffer.from('keep me') });
    stored(await (await world.service()).relay({ file: keep, rule: s3Rule(), intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'k-keep' }));
    expect(world.sim.isDeleted(keep.id)).toBe(false);
  });
});

describe('relay service: file:// destination', () => {
  it('writes the file atomically under the folder, leaving no temporary file', async () => {
    const dir = join(world.dataDir, 'uploads');
    const size = 3 * MiB + 5;
    const file = world.sharedFile({ name: 'local report.csv', content: generatedContent(size, 9), actualSize: size });
    const result = stored(
      await (
        await world.service()
      ).relay({ file, rule: { keyword: '!fileupload', destination: `file://${dir}/` }, intent: { user: 'U1', channel: 'C9', messageTs: '1700000000.000001' }, eventKey: 'k-file' }),
    );
    expect(result.location.startsWith(`${dir}/`)).toBe(true);
    expect(result.location.endsWith('/C9/' + result.location.split('/').at(-2) + '/local report.csv')).toBe(true);
    expect(createHash('sha256').update(readFileSync(result.location)).digest('hex')).toBe(sha256Of(size, 9));
    expect(readdirSync(join(result.location, '..')).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('leaves nothing behind when the file is cut off for size', async () => {
    const dir = join(world.dataDir, 'uploads-cut');
    const file = world.sharedFile({ name: 'big.csv', content: generatedContent(8 * MiB, 10), actualSize: 8 * MiB, advertisedSize: 1024 });
    const error = await failure(
      (await world.service()).relay({
        file,
        rule: { keyword: '!u', destination: `file://${dir}/`, maxBytes: 2 * MiB },
        intent: { user: 'U1', channel: 'C9', messageTs: '1700000000.000001' },
        eventKey: 'k-fcut',
      }),
    );
    expect(error.code).toBe('too_big');
    const leftovers = existsSync(dir) ? readdirSync(dir, { recursive: true }).filter((n) => String(n).match(/\.(partial|csv)$/)) : [];
    expect(leftovers).toEqual([]);
  });
});

describe('relay service: exactly once per (file, destination)', () => {
  it('stores one object when the same file is relayed three times concurrently', async () => {
    const rule = s3Rule();
    const file = world.sharedFile({ name: 'race.bin', content: generatedContent(6 * MiB, 11), actualSize: 6 * MiB });
    const service = await world.service();
    const outcomes = await Promise.all([1, 2, 3].map(() => service.relay({ file, rule, intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'C1:race' })));
    expect(outcomes.filter((o) => o.kind === 'stored')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'duplicate' && o.sameEvent && o.inProgress)).toHaveLength(2);
    expect(await world.s3.listKeys(`slack/${seq}/`)).toHaveLength(1);
  });

  it('stores one object when two processes (two ledgers on one database file) race', async () => {
    const rule = s3Rule();
    const file = world.sharedFile({ name: 'two-procs.bin', content: generatedContent(6 * MiB, 12), actualSize: 6 * MiB });
    const a = await world.service();
    const b = await world.service();
    const outcomes = await Promise.all([
      a.relay({ file, rule, intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'C1:p' }),
      b.relay({ file, rule, intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'C1:p' }),
    ]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['duplicate', 'stored']);
    expect(await world.s3.listKeys(`slack/${seq}/`)).toHaveLength(1);
  });

  it('after a restart, a retry of a finished relay is a duplicate pointing at the stored object', async () => {
    const rule = s3Rule();
    const file = world.sharedFile({ name: 'restart.txt', content: Buffer.from('once') });
    const first = stored(await (await world.service()).relay({ file, rule, intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'C1:r' }));
    const restarted = await world.service();
    const again = await restarted.relay({ file, rule, intent: { user: 'U1', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'C1:r' });
    expect(again).toEqual({ kind: 'duplicate', sameEvent: true, inProgress: false, previous: { location: first.location, bytes: 4, sha256: first.sha256 } });
    const reshared = await restarted.relay({ file, rule, intent: { user: 'U2', channel: 'C1', messageTs: '1700000000.000001' }, eventKey: 'C1:other' });
    expect(reshared).toMatchObject({ kind: 'duplicate', sameEvent: false });
    expect(await world.s3.listKeys(`slack/${seq}/`)).toHaveLength(1);
    const downloads = world.sim.downloads.filter((d) => d.fileId === file.id && d.host === 'cdn');
    expect(downloads).toHaveLength(1);
  });

  it('takes over an in-progress job left by a crashed process only after its lease expired', async () => {
    let clock = 1000;
    const crashed = await openSqliteStore({ path: join(world.dataDir, 'stale.sqlite'), now: () => clock });
    const fresh = await openSqliteStore({ path: join(world.dataDir, 'stale.sqlite'), now: () => clock });
    const intent = { channel: 'C1', messageTs: '1.1', user: 'U1', fileName: 'f', fileSize: 1, keyword: '!u' };
    const first = await crashed.relays.claim({ fileId: 'F1', destination: 'd', eventKey: 'e', intent }, 'crashed', 60);
    expect(first).toMatchObject({ kind: 'claimed' });
    clock += 30;
    expect(await fresh.relays.claim({ fileId: 'F1', destination: 'd', eventKey: 'e', intent }, 'fresh', 60)).toEqual({ kind: 'in_progress', sameEvent: true });
    clock += 31;
    const taken = await fresh.relays.claim({ fileId: 'F1', destination: 'd', eventKey: 'e', intent }, 'fresh', 60);
    expect(taken).toMatchObject({ kind: 'claimed', attempts: 2 });
    // The crashed run wakes up: its lease is gone, so it can no longer finish the job.
    if (first.kind !== 'claimed' || taken.kind !== 'claimed') throw new Error('unreachable');
    expect(await crashed.relays.finish('F1', 'd', first.lease, { state: 'done', stored: { location: 'x', bytes: 1, sha256: 'y' } })).toBe(false);
    expect(await fresh.relays.claim({ fileId: 'F1', destination: 'd', eventKey: 'e2', intent }, 'other', 60)).toEqual({ kind: 'in_progress', sameEvent: false });
    expect(await fresh.relays.finish('F1', 'd', taken.lease, { state: 'failed', errorCode: 'x' })).toBe(true);
    expect(await fresh.relays.claim({ fileId: 'F1', destination: 'd', eventKey: 'e', intent }, 'fresh', 60)).toEqual({ kind: 'failed', sameEvent: true });
    expect(await fresh.relays.claim({ fileId: 'F1', destination: 'd', eventKey: 'e3', intent }, 'fresh', 60)).toMatchObject({ kind: 'claimed' });
    await crashed.close();
    await fresh.close();
  });

  it('audits successes and failures per channel, newest first', async () => {
    const store = await world.openStore();
    const service = await world.service({ store });
    const ok = world.sharedFile({ name: 'audit-ok.txt', content: Buffer.from('ok') });
    const bad = world.sharedFile({ name: 'audit-bad.txt', content: Buffer.from('bad'), advertisedSize: 99 });
    await service.relay({ file: ok, rule: s3Rule(), intent: { user: 'UA', channel: 'CAUDIT', messageTs: '1700000000.000001' }, eventKey: 'a1' });
    await service.relay({ file: bad, rule: s3Rule(), intent: { user: 'UB', channel: 'CAUDIT', messageTs: '1700000000.000001' }, eventKey: 'a2' }).catch(() => {});
    const rows = await store.relays.recent('CAUDIT', 10);
    expect(rows.map((r) => [r.fileName, r.user, r.result, r.errorCode ?? null])).toEqual([
      ['audit-bad.txt', 'UB', 'failed', 'size_mismatch'],
      ['audit-ok.txt', 'UA', 'done', null],
    ]);
    expect(rows[1]).toMatchObject({ bytes: 2, sha256: createHash('sha256').update('ok').digest('hex') });
    expect(rows[1]!.location).toMatch(/^s3:\/\//);
    expect(await store.relays.recent('COTHER', 10)).toEqual([]);
    expect(JSON.stringify(rows)).not.toContain(SIM_BOT_TOKEN);
  });
});
