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
        paths: [
          'token', '*.token', 'headers.authorization', '*.headers.authorization', 'apiKey', '*.apiKey',
          'headers["x-api-key"]', '*.headers["x-api-key"]', 'secret', '*.secret',
        ],
        censor: '[REDACTED]',
      },
      hooks: { streamWrite: scrub },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that drops everything (tests, the local shell's quiet mode). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
