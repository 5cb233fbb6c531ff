import { readFile } from 'node:fs/promises';
import { loadConfig } from '../core/config.ts';
import type { Language } from '../core/language.ts';
import { describeForecastText } from '../handlers/present/forecast-story.ts';
import { createPresenter } from '../handlers/present/presenter.ts';
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

/** How explanations are worded: the team's language, and its calendar's zone for clock times. */
interface Wording {
  language: Language;
  timeZone: string;
}

function toLine(input: string, r: ForecastResult, wording: Wording): ForecastLine {
  // "Today" is the analysis time, not the wall clock: the same file always gives the same line.
  const present = createPresenter({ ...wording, now: () => r.now });
  return {
    input,
    secondsToLimit: round(r.secondsToLimit),
    low: round(r.low),
    high: round(r.high),
    method: r.method,
    explanation: describeForecastText(r, present),
    ratePerSecond: r.ratePerSecond,
    currentValue: r.currentValue,
    window: r.window,
    confidence: r.confidence,
  };
}

async function forecastFile(file: string, wording: Wording): Promise<ForecastLine> {
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
    return toLine(file, forecastTimeToLimit(parsed.input, { unit: parsed.unit }), wording);
  } catch (e) {
    return { input: file, secondsToLimit: null, error: (e as Error).message };
  }
}

/**
 * The explanations' language (OPSBOT_LANGUAGE, else the config file's `language`) and zone (the
 * config file's `alerts.calendar.timezone`, as the bot shows times; without a config file, `TZ`,
 * else UTC). Loaded as the local shell would (no Slack token needed); a bad value throws the
 * ConfigError naming its key (exit 78).
 */
function loadWording(env: NodeJS.ProcessEnv, cwd: string | undefined): Wording {
  const config = loadConfig({ env, shell: true, ...(cwd === undefined ? {} : { cwd }) });
  const tz = env.TZ?.trim();
  return { language: config.language, timeZone: config.configFile ? config.alerts.calendar.timezone : tz || 'UTC' };
}

/**
 * `opsbot forecast FILE...`: one JSON line per file on stdout, in the order given. A file that
 * cannot be read or is not a valid forecast input gets a line with `"error"` and `secondsToLimit:
 * null`; the others go on. Returns the exit code: 0 when every file was forecast, 1 when any
 * failed, 2 when no file was given (usage on stderr); throws ConfigError for a bad configuration.
 * Explanations are worded in the configured language, clock times in the calendar's zone.
 */
export async function runForecastCommand(
  files: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<number> {
  if (files.length === 0) {
    io.stderr.write('usage: opsbot forecast FILE...\n  FILE: {"limit": N, "now": EPOCH_SECONDS, "metrics": [{"time": T, "value": V}, ...]}\n');
    return 2;
  }
  const wording = loadWording(options.env ?? process.env, options.cwd);
  let failed = false;
  for (const file of files) {
    const line = await forecastFile(file, wording);
    if (line.error !== undefined) failed = true;
    io.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return failed ? 1 : 0;
}
