import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Token shapes that must never reach a log line, whatever field they hide in. */
const SECRET_PATTERNS = [/\bxox[abposr]-[A-Za-z0-9-]+/g, /\bxapp-[A-Za-z0-9-]+/g];

/**
 * Replaces every known secret value and every Slack-token-shaped string with `[REDACTED]`.
 * Used on whole serialized log lines, so a secret inside an error message or URL is caught too.
 */
export function createSecretScrubber(secrets: Iterable<string | undefined>): (text: string) => string {
  const values = [...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 6);
  return (text) => {
    let out = text;
    for (const value of values) out = out.split(value).join('[REDACTED]');
    for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '[REDACTED]');
    return out;
  };
}

/** Longest log line written as it is; longer ones have their long strings and lists cut. */
export const MAX_LOG_LINE = 8 * 1024;
const MAX_LOG_STRING = 1000;
const MAX_LOG_ITEMS = 20;

function shrink(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > MAX_LOG_STRING ? `${value.slice(0, MAX_LOG_STRING)}…[${value.length} chars]` : value;
  if (depth > 6 || value === null || typeof value !== 'object') return depth > 6 ? '[…]' : value;
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_LOG_ITEMS).map((v) => shrink(v, depth + 1));
    return value.length > MAX_LOG_ITEMS ? [...items, `…[${value.length - MAX_LOG_ITEMS} more]`] : items;
  }
  const entries = Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, 50)) out[k] = shrink(v, depth + 1);
  if (entries.length > 50) out['…'] = `${entries.length - 50} more keys`;
  return out;
}

/**
 * Bounds one serialized log line: a line over MAX_LOG_LINE has its long strings, lists and
 * objects cut (it stays one JSON line); one still too long is replaced by a short notice.
 */
export function boundLogLine(line: string): string {
  if (line.length <= MAX_LOG_LINE) return line;
  const newline = line.endsWith('\n') ? '\n' : '';
  try {
    const shrunk = JSON.stringify(shrink(JSON.parse(line), 0));
    if (shrunk.length <= MAX_LOG_LINE) return shrunk + newline;
    const { level, time, msg } = JSON.parse(line) as { level?: unknown; time?: unknown; msg?: unknown };
    return JSON.stringify({ level, time, name: 'opsbot', msg: typeof msg === 'string' ? msg.slice(0, MAX_LOG_STRING) : 'log line too long', truncated: line.length }) + newline;
  } catch {
    return line.slice(0, MAX_LOG_LINE) + newline;
  }
}

export interface LoggerOptions {
  level?: string;
  /** Secret values (tokens, keys) to scrub from every line. */
  secrets?: Iterable<string | undefined>;
  /** Where JSON lines go; stdout by default. */
  destination?: DestinationStream;
}

/** JSON logs (pino) with secrets redacted by field name and by value. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const scrub = createSecretScrubber(options.secrets ?? []);
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'opsbot' },
      redact: {
        paths: ['token', '*.token', 'headers.authorization', '*.headers.authorization', 'apiKey', '*.apiKey', 'headers["x-api-key"]', '*.headers["x-api-key"]', 'secret', '*.secret'],
        censor: '[REDACTED]',
      },
      hooks: { streamWrite: (line) => boundLogLine(scrub(line)) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that drops everything (tests, the local shell's quiet mode). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
