/**
 * The binary unit ladder every size is written in (B, KiB, MiB, GiB, TiB, PiB: what `ls -h`,
 * Mackerel's graphs and S3's console show): one place, used by the presentation kit's size
 * formatter and by the graph axes, so a size reads the same in a reply and on a graph.
 */
export const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** The unit for a magnitude: the largest whose factor (1024^i) is at most `magnitude`. */
export function binaryScale(magnitude: number): { factor: number; unit: (typeof BINARY_UNITS)[number] } {
  let i = 0;
  const m = Math.abs(magnitude);
  while (i < BINARY_UNITS.length - 1 && m >= 1024 ** (i + 1)) i++;
  return { factor: 1024 ** i, unit: BINARY_UNITS[i]! };
}
