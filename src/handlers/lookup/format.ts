import type { HostStatus } from '../../services/inventory/types.ts';

/** Glyph per host status, shown before every host and count. */
export const STATUS_GLYPHS: Record<HostStatus, string> = {
  working: '🟢',
  standby: '🟡',
  maintenance: '🔧',
  poweroff: '⚫',
};

/** "45 seconds", "1 minute", "3 days", "5 months", "2 years". */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (s < 60) return unit(s, 'second');
  if (s < 3600) return unit(Math.floor(s / 60), 'minute');
  if (s < 86400) return unit(Math.floor(s / 3600), 'hour');
  if (s < 90 * 86400) return unit(Math.floor(s / 86400), 'day');
  if (s < 730 * 86400) return unit(Math.floor(s / (30 * 86400)), 'month');
  return unit(Math.floor(s / (365 * 86400)), 'year');
}

/** Links into Mackerel's web UI for one org; every method gives undefined when the org has no URL. */
export function mackerelLinks(orgUrl: string | undefined) {
  const base = orgUrl?.replace(/\/$/, '');
  const seg = encodeURIComponent;
  return {
    host: (id: string) => (base ? `${base}/hosts/${seg(id)}` : undefined),
    service: (service: string) => (base ? `${base}/services/${seg(service)}` : undefined),
    role: (service: string, role: string) => (base ? `${base}/services/${seg(service)}#role=${seg(role)}` : undefined),
    hosts: () => (base ? `${base}/hosts` : undefined),
  };
}
