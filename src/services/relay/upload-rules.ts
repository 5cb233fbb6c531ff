import type { UploadRule } from '../../core/config.ts';

/** Where a rule sends files. */
export type Destination = { kind: 's3'; bucket: string; prefix: string; uri: string } | { kind: 'file'; dir: string; uri: string };

/** The outcome of matching a comment against the rules. */
export type RuleMatch = { kind: 'none' } | { kind: 'denied'; rule: UploadRule; keyword: string; reason: 'channel' | 'user' } | { kind: 'match'; rule: UploadRule; destination: Destination };

/**
 * Parses `s3://bucket/prefix/` or `file:///abs/dir/`. The prefix always ends in `/` (or is empty),
 * so keys never run into the prefix's last segment.
 */
export function parseDestination(uri: string): Destination {
  const s3 = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (s3) {
    const raw = (s3[2] ?? '').replace(/^\/+/, '');
    const prefix = raw === '' || raw.endsWith('/') ? raw : `${raw}/`;
    return { kind: 's3', bucket: s3[1]!, prefix, uri: `s3://${s3[1]}/${prefix}` };
  }
  if (uri.startsWith('file:///')) {
    const dir = decodeURIComponent(new URL(uri).pathname).replace(/\/+$/, '') || '/';
    return { kind: 'file', dir, uri: `file://${dir === '/' ? '' : dir}/` };
  }
  throw new Error(`not a destination: ${uri} (expected s3://bucket/prefix/ or file:///dir/)`);
}

/** The comment's first word, after any leading `<@U…>` mentions. */
export function commentKeyword(text: string): string | undefined {
  const stripped = text.trim().replace(/^(?:<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*)+/, '');
  const word = stripped.split(/\s+/, 1)[0];
  return word ? word : undefined;
}

/** True when the comment starts with any rule's keyword (allowed here or not). */
export function isRelayComment(rules: readonly UploadRule[], text: string): boolean {
  const word = commentKeyword(text)?.toLowerCase();
  return word !== undefined && rules.some((rule) => rule.keyword.toLowerCase() === word);
}

/**
 * First rule whose keyword starts the comment and whose allow-lists admit the channel and user
 * wins. When the keyword is known but no such rule admits them, the first refusal is reported.
 * The destination only ever comes from configuration, never from the comment.
 */
export function matchUploadRule(rules: readonly UploadRule[], event: { text: string; channel: string; user: string }): RuleMatch {
  const word = commentKeyword(event.text)?.toLowerCase();
  if (word === undefined) return { kind: 'none' };
  let denied: RuleMatch | undefined;
  for (const rule of rules) {
    if (rule.keyword.toLowerCase() !== word) continue;
    if (rule.channels && !rule.channels.includes(event.channel)) {
      denied ??= { kind: 'denied', rule, keyword: rule.keyword, reason: 'channel' };
      continue;
    }
    if (rule.users && !rule.users.includes(event.user)) {
      denied ??= { kind: 'denied', rule, keyword: rule.keyword, reason: 'user' };
      continue;
    }
    return { kind: 'match', rule, destination: parseDestination(rule.destination) };
  }
  return denied ?? { kind: 'none' };
}
