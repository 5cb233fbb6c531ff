import { OpsbotError } from '../../core/errors.ts';

/**
 * A failed Mackerel call. `status` is the HTTP status (0 for a network failure or timeout),
 * `apiMessage` the API's own `error.message` (or the status text), `userMessage` what to tell people.
 * The API key never appears in any of them: messages are built from the path only.
 */
export class MackerelError extends OpsbotError {
  readonly status: number;
  readonly apiMessage: string;
  readonly path: string;

  constructor(options: { status: number; apiMessage: string; path: string; cause?: unknown }) {
    const { status, apiMessage, path } = options;
    super('mackerel', userMessageFor(status, apiMessage), {
      cause: options.cause,
      message: `Mackerel ${path}: ${status === 0 ? '' : `HTTP ${status} `}${apiMessage}`.trim(),
    });
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

function userMessageFor(status: number, apiMessage: string): string {
  if (status === 0) return `:warning: Mackerel is not answering (${apiMessage}). Try again in a minute.`;
  if (status === 401 || status === 403) {
    return ':no_entry: Mackerel refused the API key (HTTP 403). Check MACKEREL_APIKEY and any IP restriction on the organization.';
  }
  if (status === 404) return `:grey_question: Mackerel does not know that (${apiMessage}).`;
  if (status === 429) return ':hourglass: Mackerel is rate-limiting the bot. Try again in a minute.';
  if (status >= 500) return `:warning: Mackerel is having trouble (HTTP ${status}). Try again in a minute.`;
  return `:warning: Mackerel rejected the request (HTTP ${status}: ${apiMessage}).`;
}
