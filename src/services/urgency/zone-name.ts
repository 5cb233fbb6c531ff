import type { DateTime } from 'luxon';

// Intl only knows an abbreviation like "JST" in locales where it is customary (Japanese for
// Asia/Tokyo, en-GB for CET …), so ask a few and keep the first real abbreviation.
const LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN', 'en-NZ', 'en-CA', 'en-SG', 'en-HK', 'ja-JP'];
const ABBREVIATION = /^[A-Z]{2,5}$/;

/**
 * Short name of the zone at that moment: "JST", "EDT", "CET", "UTC"…, or "UTC+9" / "UTC+5:30"
 * when no customary abbreviation exists (e.g. Asia/Seoul).
 */
export function zoneAbbreviation(dt: DateTime): string {
  // A zone's name changes only with its offset (JST all year; EST/EDT), and building the
  // Intl formatters costs ~0.7 ms, so the answer is kept per zone and offset.
  const zone = dt.zoneName ?? 'UTC';
  const key = `${zone}|${dt.offset}`;
  let name = abbreviations.get(key);
  if (name === undefined) {
    name = lookUpAbbreviation(dt, zone);
    abbreviations.set(key, name);
  }
  return name;
}

const abbreviations = new Map<string, string>();

function lookUpAbbreviation(dt: DateTime, zone: string): string {
  const date = dt.toJSDate();
  for (const locale of LOCALES) {
    const name = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value;
    if (name && ABBREVIATION.test(name)) return name;
  }
  const off = dt.offset;
  if (off === 0) return 'UTC';
  const abs = Math.abs(off);
  return `UTC${off < 0 ? '-' : '+'}${Math.floor(abs / 60)}${abs % 60 ? `:${String(abs % 60).padStart(2, '0')}` : ''}`;
}
