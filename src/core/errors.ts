/**
 * opsbot's error taxonomy. A failure people may hear about is an `OpsbotError`: a code from a
 * closed list, the facts that code needs (its details, typed per code), and an English `message`
 * for the operators' log. It carries no wording for people: the presentation kit turns the code
 * and its details into a sentence in the team's language (src/handlers/present/describe-error.ts),
 * so a service throws what it found, not what to say.
 */

type NoDetails = Readonly<Record<string, never>>;

/** Why S3 refused an upload, as far as the answer tells. */
export type S3Refusal = 'access_denied' | 'no_bucket' | 'exists' | 'unreachable' | 'other';

/** Which Slack request was refused: the file download (an HTTP status) or a Web API method (Slack's error code, when it gave one). */
export type SlackRefusal = { call: 'download'; status: number } | { call: 'files.info' | 'files.delete'; slackError?: string };

/** A value type the inventory file's format expects. */
export type InventoryValueType = 'text' | 'number' | 'list' | 'mapping';

/** A text format the inventory file's format requires of a value. */
export type InventoryFormat = 'ip' | 'role' | 'date' | 'name' | 'url';

/**
 * What is wrong with the local inventory file (docs/inventory.md), as a closed code with its
 * facts. `path` names the entry and key as written in the file, e.g. `hosts[0] (web-01).status`.
 */
export type InventoryProblem =
  /** The file could not be read: the system's error code (`ENOENT`, `EACCES`…). */
  | { kind: 'unreadable'; errno: string }
  /** Not YAML; the line of the first syntax error when the parser tells. */
  | { kind: 'not_yaml'; line?: number }
  /** The document is not a mapping (an empty file, a list…). */
  | { kind: 'not_mapping' }
  /** Keys the format does not know (at the top level when there is no path). */
  | { kind: 'unknown_keys'; path?: string; keys: readonly string[] }
  | { kind: 'missing'; path: string }
  | { kind: 'wrong_type'; path: string; expected: InventoryValueType }
  | { kind: 'not_one_of'; path: string; options: readonly string[] }
  | { kind: 'empty'; path: string }
  | { kind: 'bad_format'; path: string; format: InventoryFormat }
  /** A host with the same name (case-insensitive) as an earlier one, `other` being its path. */
  | { kind: 'duplicate_name'; path: string; other: string }
  | { kind: 'duplicate_id'; path: string; id: string; other: string }
  /** Anything else the format forbids there. */
  | { kind: 'invalid'; path?: string };

/** Each code with the details its sentence needs. */
export interface ErrorDetails {
  // Relaying a file.
  /** The file is over the keyword's cap: its size when known up front (Slack's metadata). */
  too_big: { maxBytes: number; size?: number };
  /** The download ended at a different size than Slack announced. */
  size_mismatch: { bytes: number; expectedBytes: number };
  /** The bot is shutting down; the job is given back. */
  relay_aborted: NoDetails;
  /** Anything else went wrong while relaying. */
  relay_failed: NoDetails;
  /** A run taken over from a dead one cannot fetch the file again. */
  relay_interrupted: NoDetails;
  /** The shell's local file changed after it was shared. */
  file_changed: { fileName: string };
  /** The file:// destination already has that name (never overwritten). */
  destination_exists: NoDetails;
  file_write_failed: NoDetails;
  /** A keyword points at S3 but no S3 access is configured. */
  s3_unconfigured: NoDetails;
  s3_refused: { reason: S3Refusal; status?: number };
  /** S3 stored a different size than was sent. */
  s3_mismatch: NoDetails;
  // Slack's files.
  /** Slack could not be reached: connecting for the download, mid-download, or for a Web API call. */
  slack_unreachable: { during: 'download' | 'transfer' | 'api' };
  slack_redirects: NoDetails;
  /** Slack answered with its sign-in page instead of the file (missing files:read, or not in the channel). */
  slack_login_page: NoDetails;
  slack_bad_url: NoDetails;
  slack_no_url: NoDetails;
  slack_file_gone: NoDetails;
  slack_refused: SlackRefusal;
  slack_delete_unconfigured: NoDetails;
  // Host data.
  /** A failed Mackerel call: the HTTP status, 0 for no answer. */
  mackerel: { status: number };
  /** The local inventory file breaks docs/inventory.md: its name and the first problem (a code, with its path and facts). */
  inventory_file: { file: string; problem: InventoryProblem };
  /** Loading the host inventory failed for a reason without a code of its own (the cause, in the log). */
  inventory_load_failed: NoDetails;
  /** No inventory to answer from: the load failed (the cause, an OpsbotError, says why) and nothing is cached. */
  inventory_unavailable: NoDetails;
}

/** Every code an OpsbotError may carry (a closed union). */
export type ErrorCode = keyof ErrorDetails;

/** The codes at run time (tests iterate them); `satisfies` makes leaving one out a type error. */
const CODES = {
  too_big: true,
  size_mismatch: true,
  relay_aborted: true,
  relay_failed: true,
  relay_interrupted: true,
  file_changed: true,
  destination_exists: true,
  file_write_failed: true,
  s3_unconfigured: true,
  s3_refused: true,
  s3_mismatch: true,
  slack_unreachable: true,
  slack_redirects: true,
  slack_login_page: true,
  slack_bad_url: true,
  slack_no_url: true,
  slack_file_gone: true,
  slack_refused: true,
  slack_delete_unconfigured: true,
  mackerel: true,
  inventory_file: true,
  inventory_load_failed: true,
  inventory_unavailable: true,
} as const satisfies Record<ErrorCode, true>;

export const ERROR_CODES = Object.keys(CODES) as readonly ErrorCode[];

export interface OpsbotErrorOptions {
  cause?: unknown;
  /** What the log says (English, for operators); defaults to the code and its details. */
  message?: string;
}

export class OpsbotError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly details: ErrorDetails[C];

  constructor(code: C, details: ErrorDetails[C], options: OpsbotErrorOptions = {}) {
    const shown = Object.keys(details).length ? ` ${JSON.stringify(details)}` : '';
    super(options.message ?? `${code}${shown}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpsbotError';
    this.code = code;
    this.details = details;
  }
}

/** Whether `error` is an OpsbotError with this code (narrowing its details). */
export function isOpsbotError<C extends ErrorCode>(error: unknown, code: C): error is OpsbotError<C> {
  return error instanceof OpsbotError && error.code === code;
}

/** A configuration problem found at startup; the message names the bad key (English: it is for operators). */
export class ConfigError extends Error {
  readonly key: string;

  constructor(key: string, message: string) {
    super(`config ${key}: ${message}`);
    this.name = 'ConfigError';
    this.key = key;
  }
}

/** An error's own message, for the log (never for a reply: people read `present.error`). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
