import { readFile } from 'node:fs/promises';
import { loadConfig } from '../core/config.ts';
import type { Language } from '../core/language.ts';
import { describeForecastText } from '../handlers/present/forecast-story.ts';
import { createPresenter } from '../handlers/present/presenter.ts';
import type { ForecastDocumentProblem } from '../services/forecast/forecast-document.ts';
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
  /** Why the file gave no forecast: a stable code, and its stable English description. */
  code?: FileProblem;
  error?: string;
}

/** Why a file gave no forecast (the `"code"` field): the file itself, or what is in it. */
type FileProblem = 'file_not_found' | 'file_unreadable' | 'invalid_json' | ForecastDocumentProblem | 'forecast_failed';

/**
 * The `"error"` field for the file-level problems: short, stable English strings (a data
 * interface, like the field names; README documents them), never an exception's message.
 */
const FILE_ERRORS = {
  file_not_found: 'file not found',
  file_unreadable: 'cannot read file',
  invalid_json: 'invalid JSON',
  forecast_failed: 'forecast failed',
} as const;

function failed(input: string, code: FileProblem, error: string): ForecastLine {
  return { input, secondsToLimit: null, code, error };
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
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file_not_found' : 'file_unreadable';
    return failed(file, code, FILE_ERRORS[code]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return failed(file, 'invalid_json', FILE_ERRORS.invalid_json);
  }
  const parsed = parseForecastDocument(doc);
  if ('error' in parsed) return failed(file, parsed.code, parsed.error);
  try {
    return toLine(file, forecastTimeToLimit(parsed.input, { unit: parsed.unit }), wording);
  } catch {
    return failed(file, 'forecast_failed', FILE_ERRORS.forecast_failed);
  }
}

/**
 * The explanations' language (OPSBOT_LANGUAGE, else the config file's `language`) and zone (the
 * configuration's `alerts.calendar.timezone`, UTC by default: the zone the rest of the bot shows
 * times in, so this and the shell's `forecast` agree; `TZ` plays no part). Loaded as the local
 * shell would (no Slack token needed); a bad value throws the ConfigError naming its key (exit 78).
 */
function loadWording(env: NodeJS.ProcessEnv, cwd: string | undefined): Wording {
  const config = loadConfig({ env, shell: true, ...(cwd === undefined ? {} : { cwd }) });
  return { language: config.language, timeZone: config.alerts.calendar.timezone };
}

/**
 * `opsbot forecast FILE...`: one JSON line per file on stdout, in the order given. A file that
 * cannot be read or is not a valid forecast input gets a line with `"code"`, `"error"` and
 * `secondsToLimit: null`; the others go on. Returns the exit code: 0 when every file was
 * forecast, 1 when any failed, 2 when no file was given (said on stderr in the configured
 * language); throws ConfigError for a bad configuration (the language is checked first, also
 * without files). Explanations are worded in the configured language, clock times in the
 * calendar's zone.
 */
export async function runForecastCommand(
  files: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<number> {
  const wording = loadWording(options.env ?? process.env, options.cwd);
  if (files.length === 0) {
    const present = createPresenter(wording);
    const file = present.text('shell.cli.file');
    io.stderr.write(
      `opsbot: ${present.text('errors.cli.forecastNoFile', { usage: `opsbot forecast ${file}...` })}\n  ${file}: {"limit": N, "now": EPOCH_SECONDS, "metrics": [{"time": T, "value": V}, ...]}\n`,
    );
    return 2;
  }
  let anyFailed = false;
  for (const file of files) {
    const line = await forecastFile(file, wording);
    if (line.error !== undefined) anyFailed = true;
    io.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return anyFailed ? 1 : 0;
}
