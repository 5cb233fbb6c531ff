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

/** Why a document is not a forecast input: a stable code, as the CLI's `"code"` field shows it. */
export type ForecastDocumentProblem = 'not_an_object' | 'bad_limit' | 'bad_now' | 'bad_metrics' | 'no_usable_points';

/**
 * Each problem's `"error"` string: a short, stable English description that is part of the
 * command line's data interface (like the field names), never an exception's text.
 */
export const FORECAST_DOCUMENT_ERRORS: Readonly<Record<ForecastDocumentProblem, string>> = {
  not_an_object: 'expected a JSON object with "limit", "now" and "metrics"',
  bad_limit: '"limit" is missing or not a finite number',
  bad_now: '"now" is missing or not a finite number (epoch seconds)',
  bad_metrics: '"metrics" is missing or not an array',
  no_usable_points: '"metrics" has no usable points (each needs a numeric "time" and "value")',
};

const problem = (code: ForecastDocumentProblem) => ({ code, error: FORECAST_DOCUMENT_ERRORS[code] });

/**
 * Validates a parsed JSON document: `{ name?, limit, now, metrics: [{time, value}] }` (Mackerel's
 * host-metrics response plus `limit` and `now`). `now` is required: the forecast must not depend on
 * when it is run. Returns the problem's code (and its stable `error` string) instead of throwing.
 */
export function parseForecastDocument(doc: unknown): ParsedForecastDocument | { code: ForecastDocumentProblem; error: string } {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return problem('not_an_object');
  const d = doc as Record<string, unknown>;
  if (typeof d.limit !== 'number' || !Number.isFinite(d.limit)) return problem('bad_limit');
  if (typeof d.now !== 'number' || !Number.isFinite(d.now)) return problem('bad_now');
  if (!Array.isArray(d.metrics)) return problem('bad_metrics');
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
  if (usable === 0) return problem('no_usable_points');
  const name = typeof d.name === 'string' ? d.name : null;
  return { name, input: { points: d.metrics as MetricPoint[], limit: d.limit, now: d.now }, unit: guessUnit(name) };
}
