/**
 * Rough human duration for alert reasons: "<1 min", "~45 min", "~3 h", "~6 days".
 * Hours are used up to 36 h, so "~1 days" never appears. Negative values count as 0.
 *
 * @throws {RangeError} for NaN or infinite input
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) throw new RangeError(`formatDuration: not a finite number of seconds: ${seconds}`);
  const s = Math.max(0, seconds);
  if (s < 60) return '<1 min';
  if (s < 3600) return `~${Math.min(59, Math.round(s / 60))} min`;
  if (s < 36 * 3600) return `~${Math.round(s / 3600)} h`;
  return `~${Math.round(s / 86400)} days`;
}
