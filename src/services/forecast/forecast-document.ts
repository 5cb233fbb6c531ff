import type { ForecastInput, MetricPoint, ValueUnit } from './types.ts';

/** A forecast input file (CONTRACT.md "Forecast input and output"), validated. */
export interface ParsedForecastDocument {
  name: string | null;
  input: ForecastInput;
  unit: ValueUnit;
}

/** Wording unit from a Mackerel metric name: percentages, byte-valued metrics, otherwise plain numbers. */
export function guessUnit(name: string | null): ValueUnit {
  if (!name) return 'bytes'; // the contract's example and typical use: a filesystem
  const lower = name.toLowerCase();
  if (/percent|pct|ratio|utili[sz]ation|%/.test(lower)) return 'percent';
  if (/filesystem|disk|memory|mem\.|bytes|\.used\b|\.size\b|swap|inode/.test(lower)) return lower.includes('inode') ? 'number' : 'bytes';
  return 'number';
}

/**
 * Validates a parsed JSON document: `{ name?, limit, now, metrics: [{time, value}] }` (Mackerel's
 * host-metrics response plus `limit` and `now`). `now` is required: the forecast must not depend on
 * when it is run. Returns an error message instead of throwing.
 */
export function parseForecastDocument(doc: unknown): ParsedForecastDocument | { error: string } {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { error: 'expected a JSON object with "limit", "now" and "metrics"' };
  const d = doc as Record<string, unknown>;
  if (typeof d.limit !== 'number' || !Number.isFinite(d.limit)) return { error: '"limit" is missing or not a finite number' };
  if (typeof d.now !== 'number' || !Number.isFinite(d.now)) return { error: '"now" is missing or not a finite number (epoch seconds)' };
  if (!Array.isArray(d.metrics)) return { error: '"metrics" is missing or not an array' };
  const usable = d.metrics.filter(
    (p: unknown) =>
      p !== null &&
      typeof p === 'object' &&
      Number.isFinite(Number((p as MetricPoint).time)) &&
      Number.isFinite(Number((p as MetricPoint).value)) &&
      typeof (p as MetricPoint).time !== 'boolean' &&
      typeof (p as MetricPoint).value !== 'boolean' &&
      (p as MetricPoint).value !== null &&
      (p as MetricPoint).time !== null,
  ).length;
  if (usable === 0) return { error: '"metrics" has no usable points (each needs a numeric "time" and "value")' };
  const name = typeof d.name === 'string' ? d.name : null;
  return { name, input: { points: d.metrics as MetricPoint[], limit: d.limit, now: d.now }, unit: guessUnit(name) };
}
