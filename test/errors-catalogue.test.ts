import { describe, expect, it } from 'vitest';
import { ERROR_CODES, OpsbotError, type ErrorCode, type ErrorDetails } from '../src/core/errors.ts';
import type { Language } from '../src/core/language.ts';
import { describeError } from '../src/handlers/present/describe-error.ts';
import { en } from '../src/handlers/present/messages/errors.ts';
import { createPresenter, type Presenter } from '../src/handlers/present/presenter.ts';

const LOG = 'LOG-ONLY s3://bucket/key AccessDenied: signature mismatch';
const CAUSE = 'CAUSE-ONLY ECONNRESET socket hang up';

/** Details for every code, one entry per sentence it can become (the mapped type makes a missing code a type error). */
const SAMPLES: { readonly [C in ErrorCode]: readonly ErrorDetails[C][] } = {
  too_big: [{ maxBytes: 1024 ** 3, size: 1.5 * 1024 ** 3 }, { maxBytes: 50 * 1024 ** 2 }],
  size_mismatch: [
    { bytes: 1024 ** 2, expectedBytes: 1024 ** 2 + 1 },
    { bytes: 512 * 1024, expectedBytes: 3 * 1024 ** 2 },
  ],
  relay_aborted: [{}],
  relay_failed: [{}],
  relay_interrupted: [{}],
  file_changed: [{ fileName: 'report.csv' }],
  destination_exists: [{}],
  file_write_failed: [{}],
  s3_unconfigured: [{}],
  s3_refused: [
    { reason: 'access_denied', status: 403 },
    { reason: 'no_bucket', status: 404 },
    { reason: 'exists', status: 412 },
    { reason: 'unreachable' },
    { reason: 'other', status: 500 },
    { reason: 'other' },
  ],
  s3_mismatch: [{}],
  slack_unreachable: [{ during: 'download' }, { during: 'transfer' }, { during: 'api' }],
  slack_redirects: [{}],
  slack_login_page: [{}],
  slack_bad_url: [{}],
  slack_no_url: [{}],
  slack_file_gone: [{}],
  slack_refused: [{ call: 'download', status: 403 }, { call: 'download', status: 500 }, { call: 'files.info', slackError: 'invalid_auth' }, { call: 'files.info' }],
  slack_delete_unconfigured: [{}],
  mackerel: [{ status: 0 }, { status: 403 }, { status: 404 }, { status: 429 }, { status: 503 }, { status: 400 }],
  inventory_file: [
    { file: 'hosts.yaml', problem: { kind: 'unreadable', errno: 'ENOENT' } },
    { file: 'hosts.yaml', problem: { kind: 'unreadable', errno: 'EACCES' } },
    { file: 'hosts.yaml', problem: { kind: 'not_yaml', line: 3 } },
    { file: 'hosts.yaml', problem: { kind: 'not_yaml' } },
    { file: 'hosts.yaml', problem: { kind: 'not_mapping' } },
    { file: 'hosts.yaml', problem: { kind: 'unknown_keys', keys: ['hostz'] } },
    { file: 'hosts.yaml', problem: { kind: 'unknown_keys', path: 'hosts[0] (web-01)', keys: ['rolez', 'ipz'] } },
    { file: 'hosts.yaml', problem: { kind: 'unknown_keys', path: 'hosts[0] (web-01)', keys: ['rolez'] } },
    { file: 'hosts.yaml', problem: { kind: 'missing', path: 'hosts[2].name' } },
    { file: 'hosts.yaml', problem: { kind: 'wrong_type', path: 'hosts[3]', expected: 'mapping' } },
    { file: 'hosts.yaml', problem: { kind: 'wrong_type', path: 'hosts[0] (web-01).roles', expected: 'list' } },
    { file: 'hosts.yaml', problem: { kind: 'wrong_type', path: 'hosts[0] (web-01).memo', expected: 'text' } },
    { file: 'hosts.yaml', problem: { kind: 'wrong_type', path: 'hosts[0] (web-01).createdAt', expected: 'number' } },
    { file: 'hosts.yaml', problem: { kind: 'not_one_of', path: 'hosts[0] (web-04).status', options: ['working', 'standby', 'maintenance', 'poweroff'] } },
    { file: 'hosts.yaml', problem: { kind: 'empty', path: 'hosts[0].name' } },
    { file: 'hosts.yaml', problem: { kind: 'bad_format', path: 'hosts[0] (web-09).ips[0]', format: 'ip' } },
    { file: 'hosts.yaml', problem: { kind: 'bad_format', path: 'hosts[0] (web-01).roles[0]', format: 'role' } },
    { file: 'hosts.yaml', problem: { kind: 'bad_format', path: 'hosts[0] (web-01).createdAt', format: 'date' } },
    { file: 'hosts.yaml', problem: { kind: 'bad_format', path: 'services[1].name', format: 'name' } },
    { file: 'hosts.yaml', problem: { kind: 'bad_format', path: 'orgUrl', format: 'url' } },
    { file: 'hosts.yaml', problem: { kind: 'duplicate_name', path: 'hosts[2] (OK-01)', other: 'hosts[0] (ok-01)' } },
    { file: 'hosts.yaml', problem: { kind: 'duplicate_id', path: 'hosts[2] (web-02)', id: 'h-1', other: 'hosts[0] (web-01)' } },
    { file: 'hosts.yaml', problem: { kind: 'invalid', path: 'hosts[0] (web-01).interfaces[0]' } },
    { file: 'hosts.yaml', problem: { kind: 'invalid' } },
  ],
  inventory_load_failed: [{}],
  inventory_unavailable: [{}],
};

const presenters: Record<Language, Presenter> = {
  en: createPresenter({ language: 'en', timeZone: 'UTC' }),
  ja: createPresenter({ language: 'ja', timeZone: 'Asia/Tokyo' }),
};

function errorsOf<C extends ErrorCode>(code: C): OpsbotError<C>[] {
  return SAMPLES[code].map((details) => new OpsbotError(code, details as ErrorDetails[C], { message: LOG, cause: new Error(CAUSE) }));
}

/** A presenter that notes which catalogue keys it was asked for. */
function recording(present: Presenter, used: Set<string>): Presenter {
  return { ...present, t: ((key: string, ...params: unknown[]) => (used.add(key), (present.t as (k: string, ...p: unknown[]) => unknown)(key, ...params))) as Presenter['t'] };
}

describe('error catalogue', () => {
  it('lists every code at run time, once', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    expect([...ERROR_CODES].sort()).toEqual(Object.keys(SAMPLES).sort());
  });

  it.each([...ERROR_CODES])('%s has a sentence in both languages, without the log message or the cause', (code) => {
    for (const error of errorsOf(code)) {
      const texts = (['en', 'ja'] as const).map((language) => describeError(error, presenters[language]).text);
      for (const [i, text] of texts.entries()) {
        expect(text.trim(), `${code} ${['en', 'ja'][i]}`).not.toBe('');
        expect(text).not.toContain('LOG-ONLY');
        expect(text).not.toContain('CAUSE-ONLY');
        expect(text).not.toContain('{');
      }
      expect(texts[0]).not.toBe(presenters.en.t('common.unexpected').text);
      expect(texts[1]).not.toBe(presenters.ja.t('common.unexpected').text);
      expect(texts[1], `${code}: the Japanese sentence is not the English one`).not.toBe(texts[0]);
      // The presenter's own entry point gives the same sentence.
      expect(presenters.ja.error(error).text).toBe(texts[1]);
    }
  });

  it('uses every error sentence of the catalogue', () => {
    const used = new Set<string>();
    for (const language of ['en', 'ja'] as const) {
      const present = recording(presenters[language], used);
      for (const code of ERROR_CODES) for (const error of errorsOf(code)) describeError(error, present);
    }
    // `errors.cli.*` are the command line's own (stderr), not a code's sentence.
    expect(Object.keys(en).filter((key) => !used.has(key) && !key.startsWith('errors.cli.'))).toEqual([]);
  });

  it('words a size cap with the sizes in binary units, in each language', () => {
    const error = new OpsbotError('too_big', { maxBytes: 1024 ** 3, size: 1.5 * 1024 ** 3 });
    expect(describeError(error, presenters.en).text).toBe(
      'This file is 1.50 GiB, more than the 1.00 GiB allowed here, so it was not uploaded. Compress or split it, or ask an admin to raise the limit for this keyword.',
    );
    expect(describeError(error, presenters.ja).text).toBe(
      'このファイルは 1.50 GiB で、ここで許可されている 1.00 GiB を超えているためアップロードしませんでした。圧縮・分割するか、管理者にこのキーワードの上限を上げてもらってください。',
    );
  });

  it('keeps names and identifiers from people or Slack inert', () => {
    const hostile = '<!channel> <@U123> <https://evil.example|click>';
    const errors = [
      new OpsbotError('file_changed', { fileName: `${hostile}.txt` }),
      new OpsbotError('inventory_file', { file: `${hostile}.yaml`, problem: { kind: 'missing', path: hostile } }),
      new OpsbotError('slack_refused', { call: 'files.info', slackError: hostile }),
    ];
    for (const error of errors) {
      for (const present of Object.values(presenters)) {
        const text = present.error(error).text;
        expect(text).toContain('&lt;!channel&gt;');
        expect(text).not.toMatch(/<[!@#h]/);
      }
    }
  });

  it('says why the inventory is unavailable through the cause’s own code', () => {
    const mackerel = new OpsbotError('mackerel', { status: 503 }, { message: 'Mackerel /api/v0/hosts: HTTP 503 upstream' });
    const unavailable = new OpsbotError('inventory_unavailable', {}, { cause: mackerel });
    expect(presenters.en.error(unavailable).text).toBe('Mackerel is having trouble (HTTP 503). Try again in a minute. There is no cached inventory to answer from yet.');
    expect(presenters.ja.error(unavailable).text).toBe(
      'Mackerel で問題が起きています（HTTP 503）。1分ほどしてからもう一度お試しください。キャッシュされたインベントリもまだないため、回答できません。',
    );
    const unknown = new OpsbotError('inventory_unavailable', {}, { cause: new Error(CAUSE) });
    expect(presenters.en.error(unknown).text).toBe('The host inventory could not be loaded (details are in the bot log). There is no cached inventory to answer from yet.');
  });

  it('starts no sentence with a glyph: the caller adds one, and a sentence quoted in another gets none', () => {
    for (const code of ERROR_CODES) {
      for (const error of errorsOf(code)) {
        for (const language of ['en', 'ja'] as const) expect(presenters[language].error(error).text, `${code} ${language}`).not.toMatch(/^\s*:[a-z0-9_+-]+:|^\s*\p{Extended_Pictographic}/u);
      }
    }
  });

  it('words an inventory file problem from its code, path and facts, in each language', () => {
    const error = new OpsbotError('inventory_file', { file: 'hosts.yaml', problem: { kind: 'not_one_of', path: 'hosts[0] (web-01).status', options: ['working', 'standby'] } });
    expect(presenters.en.error(error).text).toBe('The inventory file `hosts.yaml` is not valid: `hosts[0] (web-01).status` should be one of `working`, `standby`. See `docs/inventory.md`.');
    expect(presenters.ja.error(error).text).toBe(
      'インベントリファイル `hosts.yaml` が正しくありません: `hosts[0] (web-01).status` は `working`、`standby` のいずれかにしてください。`docs/inventory.md` を確認してください。',
    );
  });

  it('gives anything that is not an OpsbotError the generic sentence, never its message', () => {
    for (const thrown of [new Error(CAUSE), new TypeError(CAUSE), CAUSE, undefined, { code: 'too_big', details: { maxBytes: 1 } }]) {
      expect(presenters.en.error(thrown).text).toBe(presenters.en.t('common.unexpected').text);
      expect(presenters.ja.error(thrown).text).toBe(presenters.ja.t('common.unexpected').text);
    }
    // A code outside the union (read back from old data, a cast) is no more than an unexpected failure.
    const stray = new OpsbotError('inventory-unavailable' as ErrorCode, {} as never, { message: LOG });
    expect(presenters.en.error(stray).text).toBe(presenters.en.t('common.unexpected').text);
  });

  it('reads the same as the reviewed sentences (snapshot, both languages)', () => {
    const lines: string[] = [];
    for (const code of ERROR_CODES) {
      for (const error of errorsOf(code)) {
        lines.push(`${code} ${JSON.stringify(error.details)}`);
        for (const language of ['en', 'ja'] as const) lines.push(`  ${language}: ${presenters[language].error(error).text}`);
      }
    }
    expect(lines.join('\n')).toMatchSnapshot();
  });
});
