/**
 * opsbot's error taxonomy: every failure a person may see carries a stable `code`
 * and a plain-language `userMessage` saying what happened and what to do.
 */
export class OpsbotError extends Error {
  readonly code: string;
  readonly userMessage: string;

  constructor(code: string, userMessage: string, options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? userMessage, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpsbotError';
    this.code = code;
    this.userMessage = userMessage;
  }
}

/** A configuration problem found at startup; the message names the bad key. */
export class ConfigError extends Error {
  readonly key: string;

  constructor(key: string, message: string) {
    super(`config ${key}: ${message}`);
    this.name = 'ConfigError';
    this.key = key;
  }
}

/**
 * What a person may read about a failure: an OpsbotError's own plain words, anything else the
 * given sentence (an exception's message is for the log, never for a reply).
 */
export function userFacing(error: unknown, otherwise: string): string {
  return error instanceof OpsbotError ? error.userMessage : otherwise;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
