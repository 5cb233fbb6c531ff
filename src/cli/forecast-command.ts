import { readFile } from 'node:fs/promises';
import { forecastTimeToLimit, parseForecastDocument, type ForecastResult } from '../services/forecast/index.ts';

interface ForecastLine {
  input: string;
  secondsToLimit: number | null;
  low?: number | null;
  high?: number | null;
  method?: string;
  explanation?: string;
  ratePerSecond?: number | null;
  currentValue?: number | null;
  window?: { from: number; to: number } | null;
  confidence?: string;
  error?: string;
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x);
}

function toLine(input: string, r: ForecastResult): ForecastLine {
  return {
    input,
    secondsToLimit: round(r.secondsToLimit),
    low: round(r.low),
    high: round(r.high),
    method: r.method,
    explanation: r.explanation,
    ratePerSecond: r.ratePerSecond,
    currentValue: r.currentValue,
    window: r.window,
    confidence: r.confidence,
  };
}

async function forecastFile(file: string, timeZone: string): Promise<ForecastLine> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { input: file, secondsToLimit: null, error: code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(e)})` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { input: file, secondsToLimit: null, error: `invalid JSON: ${(e as Error).message}` };
  }
  const parsed = parseForecastDocument(doc);
  if ('error' in parsed) return { input: file, secondsToLimit: null, error: parsed.error };
  try {
    return toLine(file, forecastTimeToLimit(parsed.input, { unit: parsed.unit, timeZone }));
  } catch (e) {
    return { input: file, secondsToLimit: null, error: (e as Error).message };
  }
}

/**
 * `opsbot forecast FILE...`: one JSON line per file on stdout, in the order given. A file that
 * cannot be read or is not a valid forecast input gets a line with `"error"` and `secondsToLimit:
 * null`; the others go on. Returns the exit code: 0 when every file was forecast, 1 when any
 * failed, 2 when no file was given (usage on stderr). Clock times in explanations use `TZ`
 * (default UTC).
 */
export async function runForecastCommand(files: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  if (files.length === 0) {
    io.stderr.write('usage: opsbot forecast FILE...\n  FILE: {"limit": N, "now": EPOCH_SECONDS, "metrics": [{"time": T, "value": V}, ...]}\n');
    return 2;
  }
  const timeZone = process.env.TZ && process.env.TZ.trim() !== '' ? process.env.TZ : 'UTC';
  let failed = false;
  for (const file of files) {
    const line = await forecastFile(file, timeZone);
    if (line.error !== undefined) failed = true;
    io.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return failed ? 1 : 0;
}
