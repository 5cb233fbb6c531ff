import { actions, channelRef, code, header, joinMd, link, linesToSections, md, plain, section, type ChatMessage, type MessageBlock } from '../../core/message.ts';
import { formatBytes } from '../../services/relay/format-bytes.ts';
import type { RelayAuditEntry as AuditEntry, StoredRelay } from '../../core/state/types.ts';
import type { RelayResult } from '../../services/relay/relay-service.ts';

function isoMinute(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The thread reply after a successful relay: where, size, SHA-256, link and its expiry. */
export function renderRelayDone(fileName: string, result: RelayResult): ChatMessage {
  const lines = [
    md`:white_check_mark: ${code(fileName)} is stored at ${code(result.location)}`,
    md`Size: ${formatBytes(result.bytes)} (${result.bytes.toLocaleString('en-US')} bytes) · SHA-256: ${code(result.sha256)}`,
  ];
  if (result.link) lines.push(md`${link(result.link.url, 'Download link')} (valid until ${isoMinute(result.link.expiresAt)})`);
  if (result.deletedFromSlack) lines.push(md`The Slack copy was deleted, as this keyword is set up to do.`);
  return { text: plain(`Stored ${fileName} at ${result.location} (${formatBytes(result.bytes)}, sha256 ${result.sha256})`), blocks: [section(joinMd(lines, '\n'))] };
}

/** A re-share of a file that was already relayed to this destination. */
export function renderAlreadyStored(fileName: string, previous: StoredRelay): ChatMessage {
  const text = md`${code(fileName)} was already stored at ${code(previous.location)} (${formatBytes(previous.bytes)}, SHA-256 ${code(previous.sha256)}); it was not uploaded again.`;
  return { text: plain(`${fileName} was already stored at ${previous.location}`), blocks: [section(md`:information_source: ${text}`)] };
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
 * The thread reply after a failed relay; with `retry`, a Retry button (the job is claimed again
 * and the file fetched again from Slack).
 */
export function renderRelayFailed(fileName: string, userMessage: string, options: { retry?: { fileId: string; destination: string } } = {}): ChatMessage {
  const blocks: MessageBlock[] = [section(md`:x: Could not relay ${code(fileName)}.\n${userMessage}`)];
  if (options.retry) {
    const value: RelayRetryValue = { f: options.retry.fileId, d: options.retry.destination };
    blocks.push(actions([{ text: 'Retry', actionId: RELAY_RETRY_ACTION, value: JSON.stringify(value), style: 'primary' }], `relay-retry:${options.retry.fileId}`));
  }
  return { text: plain(`Could not relay ${fileName}: ${userMessage}`), blocks };
}

/** Said in the thread when someone presses Retry. */
export function renderRetrying(fileName: string, byName: string): ChatMessage {
  return { text: plain(`Retrying ${fileName} (asked by ${byName})`), blocks: [section(md`:repeat: Retrying ${code(fileName)}, as ${byName} asked.`)] };
}

export function renderNotAllowed(keyword: string, reason: 'channel' | 'user'): ChatMessage {
  const where = reason === 'channel' ? 'in this channel' : 'for you';
  const text = `${keyword} is not allowed ${where}, so the file was not uploaded. Ask the opsbot admins to add ${reason === 'channel' ? 'this channel' : 'you'} to the rule, or use a channel where it is allowed.`;
  return { text: plain(text), blocks: [section(md`:no_entry: ${text}`)] };
}

/** The progress line edited during a large transfer. */
export function renderProgress(fileName: string, bytes: number, total: number, bytesPerSecond: number): ChatMessage {
  const percent = total > 0 ? Math.min(100, Math.floor((bytes / total) * 100)) : 0;
  const rate = `${(bytesPerSecond / (1024 * 1024)).toFixed(1)} MB/s`;
  const text = `Uploading ${fileName}: ${percent}% (${formatBytes(bytes)} of ${formatBytes(total)}, ${rate})`;
  return { text: plain(text), blocks: [section(md`:hourglass_flowing_sand: Uploading ${code(fileName)}: *${percent}%* (${formatBytes(bytes)} of ${formatBytes(total)}, ${rate})`)] };
}

/** `@opsbot uploads`: the channel's recent relays. */
export function renderUploadsList(entries: readonly AuditEntry[], channel: string): ChatMessage {
  if (entries.length === 0) {
    return {
      text: md`No file relays in this channel yet.`,
      blocks: [section(md`No file relays in ${channelRef(channel)} yet. Share a file with a relay keyword (e.g. \`!fileupload\`) in the comment.`)],
    };
  }
  const lines = entries.map((e) => {
    const when = isoMinute(e.at);
    if (e.result === 'done') {
      return md`:white_check_mark: ${when} · by ${code(e.user)} · ${code(e.fileName)} → ${code(e.location ?? e.destination)} · ${formatBytes(e.bytes ?? 0)} · sha256 ${code(`${(e.sha256 ?? '').slice(0, 12)}…`)}`;
    }
    return md`:x: ${when} · by ${code(e.user)} · ${code(e.fileName)} → ${code(e.destination)} · failed (${e.errorCode ?? 'error'})`;
  });
  return {
    text: md`Recent file relays in this channel: ${entries.length}`,
    blocks: [header('Recent file relays'), ...linesToSections(lines)],
  };
}
