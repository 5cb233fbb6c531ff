import type { HostIndex } from '../inventory/host-index.ts';
import type { InventoryHost } from '../inventory/types.ts';
import { createLookup, type Lookup } from './lookup.ts';
import type { HostScope, LookupResult } from './types.ts';

/**
 * What the host a command was given turned out to be: one host, several (the person has to
 * pick one), none (with the nearest names), or a question the text cannot answer (an invalid
 * or too expensive pattern, nothing typed).
 */
export type HostResolution =
  | { kind: 'host'; host: InventoryHost }
  | { kind: 'ambiguous'; query: string; scope: HostScope; hosts: InventoryHost[] }
  | Extract<LookupResult, { kind: 'not-found' }>
  | Extract<LookupResult, { kind: 'usage' }>;

/** A resolution and the words typed after the host (a command's further arguments). */
export interface HostWords {
  resolution: HostResolution;
  rest: string[];
}

/** Display names longer than this many words are not looked for among a command's words. */
const MAX_NAME_WORDS = 8;

const QUOTES: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '「': '」' };

const sharedLookup = createLookup();

/**
 * One host from typed text, by exactly the matching `host` uses (`Lookup.host`): name, display
 * name, custom identifier or host id (case-insensitive), an IPv4 or IPv6 address of any
 * interface, or a pattern such as `web-0?` (fine when it matches exactly one host).
 */
export function resolveHost(index: HostIndex, text: string, lookup: Lookup = sharedLookup): HostResolution {
  const query = text.trim();
  if (!query) return { kind: 'usage', usage: { code: 'host-required' } };
  const result = lookup.host(index, [query]);
  switch (result.kind) {
    case 'host':
    case 'not-found':
    case 'usage':
      return result;
    case 'hosts':
      if (result.hosts.length === 1) return { kind: 'host', host: result.hosts[0]! };
      if (result.hosts.length === 0) return { kind: 'not-found', what: 'host', query, suggestions: result.misses.flatMap((m) => m.suggestions) };
      return { kind: 'ambiguous', query, scope: result.scope, hosts: result.hosts };
    default:
      // `host` answers with hosts only; anything else would be a change in Lookup.
      return { kind: 'not-found', what: 'host', query, suggestions: [] };
  }
}

/**
 * The host named by the first of a command's words, and the words after it. A display name
 * may have spaces: `forecast shop web 1 memory` finds "shop web 1" (the longest run of leading
 * words that is exactly one host's name wins), and so does `forecast "shop web 1" memory`.
 * Otherwise the first word alone is resolved by `resolveHost`.
 */
export function resolveHostWords(index: HostIndex, words: readonly string[], lookup: Lookup = sharedLookup): HostWords {
  const first = words[0] ?? '';
  const close = QUOTES[first.charAt(0)];
  if (close !== undefined) {
    const end = words.findIndex((w, i) => w.endsWith(close) && (i > 0 || w.length > 1));
    if (end >= 0) {
      const text = words
        .slice(0, end + 1)
        .join(' ')
        .slice(1, -close.length);
      return { resolution: resolveHost(index, text, lookup), rest: words.slice(end + 1) };
    }
  }
  for (let n = Math.min(words.length, MAX_NAME_WORDS); n > 1; n--) {
    const text = words.slice(0, n).join(' ');
    const hosts = index.byName(text);
    if (hosts.length === 1) return { resolution: { kind: 'host', host: hosts[0]! }, rest: words.slice(n) };
    if (hosts.length > 1) return { resolution: { kind: 'ambiguous', query: text, scope: { kind: 'terms', terms: [text] }, hosts }, rest: words.slice(n) };
  }
  return { resolution: resolveHost(index, first, lookup), rest: words.slice(1) };
}
