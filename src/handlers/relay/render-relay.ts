import { actions, bold, channelRef, code, header, joinMd, lines, link, linesToSections, Mrkdwn, section, type ChatMessage, type MessageBlock } from '../../core/message.ts';
import type { ErrorCode } from '../../core/errors.ts';
import type { RelayAuditEntry as AuditEntry, StoredRelay } from '../../core/state/types.ts';
import type { RelayResult } from '../../services/relay/relay-service.ts';
import { OUTCOME_GLYPHS } from '../present/glyphs.ts';
import type { Presenter } from '../present/presenter.ts';
import type { MessageKey } from '../present/messages/index.ts';

/** A glyph before a line of opsbot's own words. */
const glyphed = (glyph: string, text: Mrkdwn): Mrkdwn => joinMd([glyph, text], ' ');

/** The thread reply after a successful relay: where, size, SHA-256, link and its expiry. */
export function renderRelayDone(present: Presenter, fileName: string, result: RelayResult): ChatMessage {
  const out = [
    glyphed(OUTCOME_GLYPHS.done, present.t('relay.done', { file: code(fileName), location: code(result.location) })),
    present.t('relay.done.size', { size: present.bytes(result.bytes), bytes: present.number(result.bytes, 0), sha256: code(result.sha256) }),
  ];
  if (result.link) out.push(present.t('relay.done.link', { link: link(result.link.url, present.text('relay.done.linkLabel')), expiry: present.time(result.link.expiresAt) }));
  if (result.deletedFromSlack) out.push(present.t('relay.done.deletedFromSlack'));
  return {
    text: present.t('relay.done.summary', { file: fileName, location: result.location, size: present.bytes(result.bytes), sha256: result.sha256 }),
    blocks: [section(lines(out))],
  };
}

/** A re-share of a file that was already relayed to this destination. */
export function renderAlreadyStored(present: Presenter, fileName: string, previous: StoredRelay): ChatMessage {
  const text = present.t('relay.alreadyStored', { file: code(fileName), location: code(previous.location), size: present.bytes(previous.bytes), sha256: code(previous.sha256) });
  return { text: present.t('relay.alreadyStored.summary', { file: fileName, location: previous.location }), blocks: [section(glyphed(OUTCOME_GLYPHS.info, text))] };
}

/** A new share of a file whose relay (from an earlier share) is still running: said, so the share is not met with silence. */
export function renderAlreadyRelaying(present: Presenter, fileName: string): ChatMessage {
  const text = present.t('relay.alreadyRelaying', { file: code(fileName) });
  return { text: present.t('relay.alreadyRelaying.summary', { file: fileName }), blocks: [section(glyphed(OUTCOME_GLYPHS.info, text))] };
}

/** Action ID of the Retry button on a failed relay's reply. */
export const RELAY_RETRY_ACTION = 'opsbot_relay_retry';

/** What the Retry button carries: the job (file and destination) to claim again. */
export interface RelayRetryValue {
  f: string;
  d: string;
}

/** Reads a Retry button's value; null when it is not one opsbot made. */
export function parseRetryValue(value: string | undefined): RelayRetryValue | null {
  try {
    const parsed = JSON.parse(value ?? '') as Partial<RelayRetryValue>;
    return typeof parsed.f === 'string' && typeof parsed.d === 'string' && parsed.f && parsed.d ? { f: parsed.f, d: parsed.d } : null;
  } catch {
    return null;
  }
}

/**
 * The thread reply after a failed relay: why, in words from `present.error` (give the error, or
 * the sentence already made from it); with `retry`, a Retry button (the job is claimed again and
 * the file fetched again from Slack).
 */
export function renderRelayFailed(present: Presenter, fileName: string, failure: unknown, options: { retry?: { fileId: string; destination: string } } = {}): ChatMessage {
  const reason = failure instanceof Mrkdwn ? failure : present.error(failure);
  const blocks: MessageBlock[] = [section(lines([glyphed(OUTCOME_GLYPHS.failed, present.t('relay.failed', { file: code(fileName) })), reason]))];
  if (options.retry) {
    const value: RelayRetryValue = { f: options.retry.fileId, d: options.retry.destination };
    blocks.push(actions([{ text: present.text('relay.retry.button'), actionId: RELAY_RETRY_ACTION, value: JSON.stringify(value), style: 'primary' }], `relay-retry:${options.retry.fileId}`));
  }
  return { text: present.t('relay.failed.summary', { file: fileName, reason }), blocks };
}

/** Said in the thread when someone presses Retry. */
export function renderRetrying(present: Presenter, fileName: string, byName: string): ChatMessage {
  return {
    text: present.t('relay.retrying.summary', { file: fileName, user: byName }),
    blocks: [section(glyphed(OUTCOME_GLYPHS.retry, present.t('relay.retrying', { file: code(fileName), user: byName })))],
  };
}

/** A relay keyword used where (or by whom) its rule does not allow it. */
export function renderNotAllowed(present: Presenter, keyword: string, reason: 'channel' | 'user'): ChatMessage {
  const key = reason === 'channel' ? 'relay.notAllowed.channel' : 'relay.notAllowed.user';
  return { text: present.t(key, { keyword }), blocks: [section(glyphed(OUTCOME_GLYPHS.refused, present.t(key, { keyword: code(keyword) })))] };
}

/** The progress line edited during a large transfer. */
export function renderProgress(present: Presenter, fileName: string, bytes: number, total: number, bytesPerSecond: number): ChatMessage {
  const percent = `${present.number(total > 0 ? Math.min(100, Math.floor((bytes / total) * 100)) : 0, 0)}%`;
  const values = { done: present.bytes(bytes), total: present.bytes(total), rate: present.rate(bytesPerSecond) };
  return {
    text: present.t('relay.progress', { file: fileName, percent, ...values }),
    blocks: [section(glyphed(OUTCOME_GLYPHS.working, present.t('relay.progress', { file: code(fileName), percent: bold(percent), ...values })))],
  };
}

/** The short reason a failed relay shows in the uploads list, by its error code. */
type ReasonKey = Extract<MessageKey, `relay.uploads.reason.${string}`>;
const FAILED_REASONS: Readonly<Partial<Record<ErrorCode, ReasonKey>>> = {
  too_big: 'relay.uploads.reason.tooBig',
  size_mismatch: 'relay.uploads.reason.sizeMismatch',
  slack_file_gone: 'relay.uploads.reason.slackGone',
  slack_unreachable: 'relay.uploads.reason.slackDownload',
  slack_refused: 'relay.uploads.reason.slackDownload',
  slack_bad_url: 'relay.uploads.reason.slackDownload',
  slack_login_page: 'relay.uploads.reason.slackDownload',
  slack_no_url: 'relay.uploads.reason.slackDownload',
  slack_redirects: 'relay.uploads.reason.slackDownload',
  slack_delete_unconfigured: 'relay.uploads.reason.slackDelete',
  s3_refused: 'relay.uploads.reason.s3',
  s3_mismatch: 'relay.uploads.reason.s3',
  s3_unconfigured: 'relay.uploads.reason.s3Unconfigured',
  destination_exists: 'relay.uploads.reason.exists',
  file_write_failed: 'relay.uploads.reason.write',
  file_changed: 'relay.uploads.reason.changed',
  relay_interrupted: 'relay.uploads.reason.interrupted',
};

function failedReason(present: Presenter, errorCode: string | undefined): string {
  const known = errorCode !== undefined && Object.hasOwn(FAILED_REASONS, errorCode) ? FAILED_REASONS[errorCode as ErrorCode] : undefined;
  return present.text(known ?? 'relay.uploads.reason.other');
}

/** `@opsbot uploads`: the channel's recent relays. */
export function renderUploadsList(present: Presenter, entries: readonly AuditEntry[], channel: string): ChatMessage {
  if (entries.length === 0) {
    return { text: present.t('relay.uploads.emptySummary'), blocks: [section(present.t('relay.uploads.empty', { channel: channelRef(channel) }))] };
  }
  const items = entries.map((e) => {
    const common = { when: present.time(e.at), user: code(e.user), file: code(e.fileName) };
    if (e.result === 'done') {
      const sha256 = code(`${(e.sha256 ?? '').slice(0, 12)}…`);
      return glyphed(OUTCOME_GLYPHS.done, present.t('relay.uploads.done', { ...common, location: code(e.location ?? e.destination), size: present.bytes(e.bytes ?? 0), sha256 }));
    }
    return glyphed(OUTCOME_GLYPHS.failed, present.t('relay.uploads.failed', { ...common, destination: code(e.destination), reason: failedReason(present, e.errorCode) }));
  });
  return {
    text: present.t('relay.uploads.summary', { count: entries.length }),
    blocks: [header(present.text('relay.uploads.header')), ...linesToSections(items)],
  };
}
