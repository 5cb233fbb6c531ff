import { describe, expect, it } from 'vitest';
import type { Language } from '../src/core/language.ts';
import { OpsbotError } from '../src/core/errors.ts';
import type { RelayAuditEntry } from '../src/core/state/types.ts';
import { createPresenter } from '../src/handlers/present/presenter.ts';
import {
  parseRetryValue,
  RELAY_RETRY_ACTION,
  renderAlreadyRelaying,
  renderAlreadyStored,
  renderNotAllowed,
  renderProgress,
  renderRelayDone,
  renderRelayFailed,
  renderRetrying,
  renderUploadsList,
} from '../src/handlers/relay/render-relay.ts';
import { renderedBoth } from './helpers/render-snapshot.ts';

/** Tue 1 Dec 2026, 12:00 JST: the fixed "now" of every presenter here. */
const NOW = Date.UTC(2026, 11, 1, 3, 0) / 1000;
const HOUR = 3600;
const LANGUAGES: readonly Language[] = ['en', 'ja'];
const presenter = (language: Language) => createPresenter({ language, timeZone: 'Asia/Tokyo', now: () => NOW });

const SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const GiB = 2 ** 30;

const audit: RelayAuditEntry[] = [
  {
    at: NOW - 2 * HOUR,
    channel: 'COPS',
    user: 'U0ALICE',
    fileId: 'F1',
    fileName: 'db-dump 2026-12-01.sql.gz',
    destination: 's3://backups/db/',
    location: 's3://backups/db/2026/12/01/COPS/F1/db-dump 2026-12-01.sql.gz',
    bytes: 3 * GiB + 123_456_789,
    sha256: SHA,
    result: 'done',
  },
  { at: NOW - 26 * HOUR, channel: 'COPS', user: 'U0BOB', fileId: 'F2', fileName: 'huge.iso', destination: 's3://backups/db/', result: 'failed', errorCode: 'too_big' },
  { at: NOW - 27 * HOUR, channel: 'COPS', user: 'U0BOB', fileId: 'F3', fileName: 'app.log', destination: 'file:///srv/uploads/', result: 'failed', errorCode: 'slack_refused' },
  // S3 refused or unreachable: the list keeps only the code, so the words fit both.
  { at: NOW - 28 * HOUR, channel: 'COPS', user: 'U0BOB', fileId: 'F5', fileName: 'db.sql', destination: 's3://backups/db/', result: 'failed', errorCode: 's3_refused' },
  { at: NOW - 400 * 24 * HOUR, channel: 'COPS', user: 'U0CAROL', fileId: 'F4', fileName: 'old.tar', destination: 's3://backups/db/', result: 'failed', errorCode: 'no_such_code' },
];

describe.each(LANGUAGES)('relay messages in %s', (language) => {
  const present = presenter(language);

  it('done: location, size in binary units and exact bytes, SHA-256, the link with its expiry, the deleted Slack copy', () => {
    const result = {
      destination: 's3://backups/db/',
      location: 's3://backups/db/2026/12/01/COPS/F1/report <final>.pdf',
      bytes: 1_610_612_736,
      sha256: SHA,
      link: { url: 'https://backups.s3.ap-northeast-1.amazonaws.com/db/report.pdf?X-Amz-Signature=abc', expiresAt: NOW + 7 * 24 * HOUR },
      deletedFromSlack: true,
    };
    expect(renderedBoth(renderRelayDone(present, 'report <final>.pdf', result))).toMatchSnapshot();
    expect(renderedBoth(renderRelayDone(present, 'small.txt', { destination: 'file:///srv/uploads/', location: '/srv/uploads/small.txt', bytes: 11, sha256: SHA }))).toMatchSnapshot();
  });

  it('already stored', () => {
    expect(renderedBoth(renderAlreadyStored(present, 'app.log', { location: 's3://logs/app/2026/12/01/app.log', bytes: 52_428_800, sha256: SHA }))).toMatchSnapshot();
  });

  it('already being relayed from an earlier share', () => {
    expect(renderedBoth(renderAlreadyRelaying(present, 'app.log'))).toMatchSnapshot();
  });

  it('failed, with and without a Retry button; the reason is the error’s sentence, never an exception’s message', () => {
    const retryable = renderRelayFailed(present, 'db.sql.gz', new OpsbotError('s3_refused', { reason: 'access_denied', status: 403 }), {
      retry: { fileId: 'F1', destination: 's3://backups/db/' },
    });
    expect(renderedBoth(retryable)).toMatchSnapshot();
    const actions = retryable.blocks?.find((b) => b.type === 'actions');
    expect(actions?.type === 'actions' && actions.buttons[0]?.actionId).toBe(RELAY_RETRY_ACTION);
    expect(actions?.type === 'actions' && parseRetryValue(actions.buttons[0]?.value)).toEqual({ f: 'F1', d: 's3://backups/db/' });

    const final = renderRelayFailed(present, 'huge.iso', new OpsbotError('too_big', { maxBytes: 40 * 2 ** 20, size: 41 * 2 ** 20 }));
    expect(renderedBoth(final)).toMatchSnapshot();
    expect(final.blocks?.some((b) => b.type === 'actions')).toBe(false);

    const crash = renderRelayFailed(present, 'x.bin', new Error('ECONNRESET at socket 10.0.0.1:443 <secret>'));
    expect(renderedBoth(crash)).toMatchSnapshot();
    expect(renderedBoth(crash)).not.toContain('ECONNRESET');
    // An already-worded reason is used as it is.
    expect(renderRelayFailed(present, 'x.bin', present.error(new Error('boom'))).text.text).toBe(crash.text.text);
  });

  it('retrying', () => {
    expect(renderedBoth(renderRetrying(present, 'db.sql.gz', 'Sato <admin>'))).toMatchSnapshot();
  });

  it('not allowed: in this channel, for this person', () => {
    expect(renderedBoth(renderNotAllowed(present, '!ops', 'channel'))).toMatchSnapshot();
    expect(renderedBoth(renderNotAllowed(present, '!ops', 'user'))).toMatchSnapshot();
  });

  it('progress: percent, sizes and the rate in binary units', () => {
    const progress = renderProgress(present, 'db-dump.sql.gz', 1.5 * GiB, 3 * GiB, 45.2 * 2 ** 20);
    expect(renderedBoth(progress)).toMatchSnapshot();
    expect(renderedBoth(progress)).not.toMatch(/MB\/s/);
    expect(progress.text.text).toContain('45.2 MiB/s');
  });

  it('uploads list: empty, and with entries (times in the team’s zone, failures in words)', () => {
    expect(renderedBoth(renderUploadsList(present, [], 'COPS'))).toMatchSnapshot();
    const list = renderedBoth(renderUploadsList(present, audit, 'COPS'));
    expect(list).toMatchSnapshot();
    expect(list).not.toMatch(/too_big|slack_refused|s3_refused|no_such_code|UTC|refused the upload|拒否/);
  });
});

describe('relay messages across languages', () => {
  it('give the same sizes, times and rates, worded per language', () => {
    const [en, ja] = LANGUAGES.map((l) => renderProgress(presenter(l), 'a.bin', 1.5 * GiB, 3 * GiB, 45.2 * 2 ** 20).text.text);
    expect(en).toBe('Uploading a.bin: 50% (1.50 GiB of 3.00 GiB, 45.2 MiB/s)');
    expect(ja).toBe('a.bin をアップロード中: 50%（3.00 GiB 中 1.50 GiB、45.2 MiB/s）');
  });
});
