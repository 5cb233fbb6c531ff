import { isIP } from 'node:net';

/**
 * The canonical form of an IPv4 or IPv6 address (IPv6 compressed and lowercased, zone and
 * brackets dropped), or undefined when the text is not an address. Both the index and the
 * query go through it, so `fd00:0::1` finds `fd00::1`.
 */
export function normalizeIp(text: string): string | undefined {
  const bare = text.trim().replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const kind = isIP(bare);
  if (kind === 4) return bare;
  if (kind === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return undefined;
}
