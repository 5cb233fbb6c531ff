import { isIP } from 'node:net';

const MAX_ADDRESS_TEXT = 100;

/**
 * The canonical form of an IPv4 or IPv6 address (IPv6 compressed and lowercased, zone and
 * brackets dropped), or undefined when the text is not an address. Both the index and the
 * query go through it, so `fd00:0::1` finds `fd00::1`.
 */
export function normalizeIp(text: string): string | undefined {
  // The longest address with brackets and a zone is far shorter; longer text is never one.
  if (text.length > MAX_ADDRESS_TEXT) return undefined;
  let bare = text.trim();
  if (bare.startsWith('[') && bare.endsWith(']')) bare = bare.slice(1, -1);
  const zone = bare.indexOf('%');
  if (zone >= 0) bare = bare.slice(0, zone);
  const kind = isIP(bare);
  if (kind === 4) return bare;
  if (kind === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return undefined;
}
