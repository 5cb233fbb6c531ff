import { OpsbotError, type ErrorCode, type ErrorDetails, type InventoryProblem } from '../../core/errors.ts';
import { code, joinMd, type Mrkdwn } from '../../core/message.ts';
import type { Presenter } from './presenter.ts';

type Describe<C extends ErrorCode> = (details: ErrorDetails[C], present: Presenter, error: OpsbotError<C>) => Mrkdwn;

const http = (status: number) => `HTTP ${status}`;

/** Names as code spans, in one list: `a`, `b` (`a`、`b` in Japanese). */
const names = (values: readonly string[], present: Presenter) => joinMd(values.map(code), present.language === 'ja' ? '、' : ', ');

const FORMAT_KEYS = {
  ip: 'errors.inventory.badIp',
  role: 'errors.inventory.badRole',
  date: 'errors.inventory.badDate',
  name: 'errors.inventory.badName',
  url: 'errors.inventory.badUrl',
} as const;

/** What is wrong inside a readable YAML inventory file, worded from its code and facts. */
function inventoryProblem(problem: Exclude<InventoryProblem, { kind: 'unreadable' | 'not_yaml' }>, p: Presenter): Mrkdwn {
  switch (problem.kind) {
    case 'not_mapping':
      return p.t('errors.inventory.notMapping');
    case 'unknown_keys': {
      const keys = names(problem.keys, p);
      const count = problem.keys.length;
      return problem.path === undefined ? p.t('errors.inventory.unknownKeysTop', { keys, count }) : p.t('errors.inventory.unknownKeys', { path: code(problem.path), keys, count });
    }
    case 'missing':
      return p.t('errors.inventory.missing', { path: code(problem.path) });
    case 'wrong_type':
      return p.t(`errors.inventory.wrongType.${problem.expected}`, { path: code(problem.path) });
    case 'not_one_of':
      return p.t('errors.inventory.notOneOf', { path: code(problem.path), options: names(problem.options, p) });
    case 'empty':
      return p.t('errors.inventory.empty', { path: code(problem.path) });
    case 'bad_format':
      return p.t(FORMAT_KEYS[problem.format], { path: code(problem.path) });
    case 'duplicate_name':
      return p.t('errors.inventory.duplicateName', { path: code(problem.path), other: code(problem.other) });
    case 'duplicate_id':
      return p.t('errors.inventory.duplicateId', { path: code(problem.path), id: code(problem.id), other: code(problem.other) });
    case 'invalid':
      return problem.path === undefined ? p.t('errors.inventory.invalidTop') : p.t('errors.inventory.invalid', { path: code(problem.path) });
  }
}

/** The local inventory file's problem: unreadable, not YAML, or a rule of docs/inventory.md broken at a path. */
function inventoryFile({ file, problem }: ErrorDetails['inventory_file'], p: Presenter): Mrkdwn {
  const name = code(file);
  switch (problem.kind) {
    case 'unreadable':
      return problem.errno === 'ENOENT' ? p.t('errors.inventoryFileMissing', { file: name }) : p.t('errors.inventoryFileUnreadable', { file: name, reason: code(problem.errno) });
    case 'not_yaml':
      return problem.line === undefined ? p.t('errors.inventoryFileNotYaml', { file: name }) : p.t('errors.inventoryFileNotYamlAt', { file: name, line: problem.line });
    default:
      return p.t('errors.inventoryFile', { file: name, problem: inventoryProblem(problem, p) });
  }
}

/**
 * One sentence per code (and its details), from the catalogue (messages/errors.ts). A new code is
 * a type error here until it has its sentence.
 */
const DESCRIBE: { readonly [C in ErrorCode]: Describe<C> } = {
  too_big: (d, p) => (d.size === undefined ? p.t('errors.tooBigUnknownSize', { max: p.bytes(d.maxBytes) }) : p.t('errors.tooBig', { size: p.bytes(d.size), max: p.bytes(d.maxBytes) })),
  size_mismatch: (d, p) => {
    // Sizes a byte apart round alike: then the exact counts.
    const [bytes, expected] = p.bytes(d.bytes) === p.bytes(d.expectedBytes) ? [d.bytes, d.expectedBytes].map((n) => `${p.number(n, 0)} B`) : [p.bytes(d.bytes), p.bytes(d.expectedBytes)];
    return p.t('errors.sizeMismatch', { bytes: bytes!, expected: expected! });
  },
  relay_aborted: (_, p) => p.t('errors.relayAborted'),
  relay_failed: (_, p) => p.t('errors.relayFailed'),
  relay_interrupted: (_, p) => p.t('errors.relayInterrupted'),
  file_changed: (d, p) => p.t('errors.fileChanged', { file: code(d.fileName) }),
  destination_exists: (_, p) => p.t('errors.destinationExists'),
  file_write_failed: (_, p) => p.t('errors.fileWriteFailed'),
  s3_unconfigured: (_, p) => p.t('errors.s3Unconfigured'),
  s3_refused: (d, p) => {
    switch (d.reason) {
      case 'access_denied':
        return p.t('errors.s3AccessDenied');
      case 'no_bucket':
        return p.t('errors.s3NoBucket');
      case 'exists':
        return p.t('errors.s3Exists');
      case 'unreachable':
        return p.t('errors.s3Unreachable');
      case 'other':
        return d.status === undefined ? p.t('errors.s3RefusedNoStatus') : p.t('errors.s3Refused', { status: http(d.status) });
    }
  },
  s3_mismatch: (_, p) => p.t('errors.s3Mismatch'),
  slack_unreachable: (d, p) => p.t(d.during === 'download' ? 'errors.slackUnreachableDownload' : d.during === 'transfer' ? 'errors.slackDownloadBrokeOff' : 'errors.slackUnreachable'),
  slack_redirects: (_, p) => p.t('errors.slackRedirects'),
  slack_login_page: (_, p) => p.t('errors.slackLoginPage'),
  slack_bad_url: (_, p) => p.t('errors.slackBadUrl'),
  slack_no_url: (_, p) => p.t('errors.slackNoUrl'),
  slack_file_gone: (_, p) => p.t('errors.slackFileGone'),
  slack_refused: (d, p) => {
    if (d.call === 'download') return p.t(d.status === 401 || d.status === 403 ? 'errors.slackDownloadDenied' : 'errors.slackDownloadRefused', { status: http(d.status) });
    return d.slackError === undefined ? p.t('errors.slackNoFileInfo') : p.t('errors.slackApiRefused', { method: code(d.call), slackError: code(d.slackError) });
  },
  slack_delete_unconfigured: (_, p) => p.t('errors.slackDeleteUnconfigured'),
  mackerel: ({ status }, p) => {
    if (status === 0) return p.t('errors.mackerelUnreachable');
    if (status === 401 || status === 403) return p.t('errors.mackerelKeyRefused', { status: http(status) });
    if (status === 404) return p.t('errors.mackerelNotFound', { status: http(status) });
    if (status === 429) return p.t('errors.mackerelRateLimited');
    return p.t(status >= 500 ? 'errors.mackerelTrouble' : 'errors.mackerelRejected', { status: http(status) });
  },
  inventory_file: (d, p) => inventoryFile(d, p),
  inventory_load_failed: (_, p) => p.t('errors.inventoryLoadFailed'),
  // Why the load failed is the cause's own code.
  inventory_unavailable: (_, p, error) =>
    p.t('errors.inventoryUnavailable', { problem: error.cause instanceof OpsbotError ? describeError(error.cause, p) : p.t('errors.inventoryLoadFailed') }),
};

/**
 * The sentence people read about a failure, in their language: an OpsbotError's code (and its
 * details) through the catalogue, anything else the generic apology — an exception's own message
 * is for the log, never for a reply.
 */
export function describeError(error: unknown, present: Presenter): Mrkdwn {
  if (!(error instanceof OpsbotError)) return present.t('common.unexpected');
  const describe = DESCRIBE[error.code as ErrorCode] as Describe<ErrorCode> | undefined;
  // An OpsbotError built around the types (a code from stored data, a cast) is still only an unexpected failure.
  return describe ? describe(error.details, present, error) : present.t('common.unexpected');
}
