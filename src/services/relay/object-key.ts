/** Longest file-name part of a key, in UTF-8 bytes (S3 allows 1024 for the whole key). */
export const MAX_NAME_BYTES = 180;

const BIDI_AND_CONTROL = /[\p{Cc}\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/gu;

/**
 * A file name that is safe as the last segment of a key or a path: NFC, no control or bidi
 * characters, no `/` or `\`, no `..`, no leading dots, at most MAX_NAME_BYTES UTF-8 bytes with
 * the extension kept. Letters of every script survive.
 */
export function safeFileName(name: string, maxBytes = MAX_NAME_BYTES): string {
  let out = name.normalize('NFC').replace(BIDI_AND_CONTROL, '');
  // Path parts made only of dots (`..`, `.`) vanish; the rest are joined with `_`.
  out = out
    .split(/[/\\]+/)
    .filter((part) => !/^[.\s]*$/.test(part))
    .join('_')
    .replace(/\.{2,}/g, '.');
  out = out
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (!out) return 'file';
  const dot = out.lastIndexOf('.');
  const ext = dot > 0 && utf8Length(out.slice(dot)) <= 16 ? out.slice(dot) : '';
  const stem = ext ? out.slice(0, dot) : out;
  const trimmed = truncateUtf8(stem, maxBytes - utf8Length(ext)).replace(/[.\s]+$/, '');
  return `${trimmed || 'file'}${ext}`;
}

/** Keeps only characters Slack uses in IDs, so a hostile "channel" cannot shape the key. */
export function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40) || 'unknown';
}

/**
 * `prefix` + `YYYY/MM/DD/` + channel + `/` + file id and a short random tag + `/` + safe name.
 * The unique folder means two uploads never share a key, while the last segment stays the
 * person's file name (what a browser saves the download as).
 */
export function buildObjectKey(input: { prefix: string; date: Date; channel: string; fileId: string; fileName: string; unique: string }): string {
  const d = input.date;
  const day = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
  return `${input.prefix}${day}/${safeId(input.channel)}/${safeId(input.fileId)}-${safeId(input.unique)}/${safeFileName(input.fileName)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts at a code-point boundary so no character is split. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = utf8Length(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}
