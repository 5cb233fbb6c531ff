import type { Logger } from '../../core/logger.ts';
import { OpsbotError } from '../../core/errors.ts';

/** Decides whether a URL may receive the bot token. */
export type TrustPredicate = (host: string, url: URL) => boolean;

/** Slack's own hosts over HTTPS: the only places the token goes by default. */
export const trustSlackHosts: TrustPredicate = (host, url) => url.protocol === 'https:' && (url.hostname === 'slack.com' || url.hostname.endsWith('.slack.com'));

/**
 * Slack's hosts plus the host of the configured Web API base URL (a test simulator,
 * an enterprise proxy): file URLs Slack hands out point there.
 */
export function trustSlackAndApiHost(apiUrl: string): TrustPredicate {
  const apiHost = new URL(apiUrl).host;
  return (host, url) => trustSlackHosts(host, url) || host === apiHost;
}

export interface SlackFileDownloaderOptions {
  /** Bot token with files:read. Never logged, never sent off trusted hosts. */
  token: string;
  fetch?: typeof fetch;
  log: Logger;
  maxRedirects?: number;
  trustedHost?: TrustPredicate;
}

export interface OpenedDownload {
  /** The file's bytes, with the first chunk already checked not to be an HTML page. */
  body: ReadableStream<Uint8Array>;
  contentType?: string;
  /** Content-Length of the final response, when sent. */
  contentLength?: number;
}

export interface SlackFileDownloader {
  open(url: string, options?: { signal?: AbortSignal; expectedSize?: number }): Promise<OpenedDownload>;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads `url_private(_download)` files. Redirects are followed by hand so the bearer token
 * goes only to trusted (Slack) hosts — never to a pre-signed CDN URL; an HTML page in place of
 * the file is recognised and refused rather than stored.
 */
export function createSlackFileDownloader(options: SlackFileDownloaderOptions): SlackFileDownloader {
  const doFetch = options.fetch ?? fetch;
  const maxRedirects = options.maxRedirects ?? 5;
  const trusted = options.trustedHost ?? trustSlackHosts;
  const { log } = options;

  return {
    async open(rawUrl, openOptions = {}) {
      let url = parseUrl(rawUrl);
      for (let hop = 0; ; hop++) {
        const withToken = trusted(url.host, url);
        let response: Response;
        try {
          response = await doFetch(url, {
            redirect: 'manual',
            headers: withToken ? { authorization: `Bearer ${options.token}` } : {},
            ...(openOptions.signal ? { signal: openOptions.signal } : {}),
          });
        } catch (error) {
          if (openOptions.signal?.aborted) throw error;
          throw new OpsbotError('slack_unreachable', { during: 'download' }, { cause: error, message: `download from ${url.host} failed: ${(error as Error).message}` });
        }
        if (REDIRECT.has(response.status)) {
          await response.body?.cancel();
          const location = response.headers.get('location');
          if (!location || hop >= maxRedirects) {
            throw new OpsbotError('slack_redirects', {}, { message: `too many or empty redirects at ${url.host}` });
          }
          url = parseUrl(new URL(location, url).toString());
          log.debug({ host: url.host, withToken: trusted(url.host, url) }, 'following file download redirect');
          continue;
        }
        if (!response.ok) {
          await response.body?.cancel();
          throw refused(response.status, url.host);
        }
        const contentType = response.headers.get('content-type') ?? undefined;
        if (contentType && /^text\/html\b/i.test(contentType)) {
          await response.body?.cancel();
          throw new OpsbotError('slack_login_page', {}, { message: `got text/html from ${url.host} instead of the file` });
        }
        const lengthHeader = response.headers.get('content-length');
        const contentLength = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
        const body = await sniffHtml(response.body ?? emptyStream(), url.host);
        return { body, ...(contentType ? { contentType } : {}), ...(contentLength !== undefined ? { contentLength } : {}) };
      }
    },
  };
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OpsbotError('slack_bad_url', {}, { message: 'unparseable file URL' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new OpsbotError('slack_bad_url', {}, { message: `unsupported protocol ${url.protocol}` });
  }
  return url;
}

function refused(status: number, host: string): OpsbotError {
  const message = `file download from ${host} answered HTTP ${status}`;
  if (status === 404 || status === 410) return new OpsbotError('slack_file_gone', {}, { message });
  return new OpsbotError('slack_refused', { call: 'download', status }, { message });
}

/** Reads the first chunk: an HTML document there is a sign-in page, not the file. */
async function sniffHtml(body: ReadableStream<Uint8Array>, host: string): Promise<ReadableStream<Uint8Array>> {
  const reader = body.getReader();
  let first: Awaited<ReturnType<typeof reader.read>>;
  try {
    first = await reader.read();
  } catch (error) {
    throw new OpsbotError('slack_unreachable', { during: 'transfer' }, { cause: error, message: `download from ${host} failed` });
  }
  if (!first.done && looksLikeHtml(first.value)) {
    await reader.cancel().catch(() => {});
    throw new OpsbotError('slack_login_page', {}, { message: `body from ${host} is an HTML page` });
  }
  let pending: Uint8Array | undefined = first.done ? undefined : first.value;
  let finished = first.done;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending) {
          controller.enqueue(pending);
          pending = undefined;
          return;
        }
        if (finished) return controller.close();
        const next = await reader.read();
        if (next.done) {
          finished = true;
          controller.close();
        } else controller.enqueue(next.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

function looksLikeHtml(chunk: Uint8Array): boolean {
  const head = Buffer.from(chunk.subarray(0, 64))
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (controller) => controller.close() });
}

/**
 * Adapts the downloader to Slack's file objects: what the Slack wiring passes as `SharedFile.open`
 * (`(file, signal) => opener(file, signal)`).
 */
export function createSlackFileOpener(downloader: SlackFileDownloader) {
  return (file: { url_private_download?: string; url_private?: string; size?: number }, signal?: AbortSignal): Promise<OpenedDownload> => {
    const url = file.url_private_download ?? file.url_private;
    if (!url) {
      return Promise.reject(new OpsbotError('slack_no_url', {}, { message: 'the file has neither url_private_download nor url_private' }));
    }
    return downloader.open(url, { ...(signal ? { signal } : {}), ...(file.size !== undefined ? { expectedSize: file.size } : {}) });
  };
}
