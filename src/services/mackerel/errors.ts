import { OpsbotError } from '../../core/errors.ts';

/**
 * A failed Mackerel call. `status` is the HTTP status (0 for a network failure or timeout),
 * `apiMessage` the API's own `error.message` (or the status text); people read the code's sentence (present.error).
 * The API key never appears in any of them: messages are built from the path only.
 */
export class MackerelError extends OpsbotError<'mackerel'> {
  readonly status: number;
  readonly apiMessage: string;
  readonly path: string;

  constructor(options: { status: number; apiMessage: string; path: string; cause?: unknown }) {
    const { status, apiMessage, path } = options;
    super('mackerel', { status }, { cause: options.cause, message: `Mackerel ${path}: ${status === 0 ? '' : `HTTP ${status} `}${apiMessage}`.trim() });
    this.name = 'MackerelError';
    this.status = status;
    this.apiMessage = apiMessage;
    this.path = path;
  }

  /** 429, 5xx and network failures are worth another try; other 4xx are not. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}
