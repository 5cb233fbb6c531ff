import type { Logger } from '../../core/logger.ts';
import { OpsbotError } from '../../core/errors.ts';

/** The parts of Slack's file object that file access needs. */
export interface SlackFileInfo {
  id: string;
  name?: string;
  size?: number;
  mimetype?: string;
  mode?: string;
  is_external?: boolean;
  url_private?: string;
  url_private_download?: string;
}

export interface SlackFilesApiOptions {
  /** Web API base URL with a trailing slash, e.g. https://slack.com/api/ */
  apiUrl: string;
  botToken: string;
  /** A user token allowed to delete files (files:write); without it deleteFile refuses. */
  userToken?: string;
  fetch?: typeof fetch;
  log: Logger;
}

export interface SlackFilesApi {
  /** files.info: the full object, e.g. for a Slack Connect stub that arrived without URLs. */
  fileInfo(id: string): Promise<SlackFileInfo>;
  /** files.delete with the user token. */
  deleteFile(id: string): Promise<void>;
  readonly canDelete: boolean;
}

/** The two Web API file methods the relay needs, over plain fetch (no WebClient dependency). */
export function createSlackFilesApi(options: SlackFilesApiOptions): SlackFilesApi {
  const doFetch = options.fetch ?? fetch;
  const call = async (method: 'files.info' | 'files.delete', token: string, args: Record<string, string>) => {
    let body: { ok?: boolean; error?: string; file?: SlackFileInfo };
    try {
      const response = await doFetch(new URL(method, options.apiUrl), {
        method: 'POST',
        redirect: 'error',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(args).toString(),
      });
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new OpsbotError('slack_unreachable', { during: 'api' }, { cause: error, message: `${method} failed: ${(error as Error).message}` });
    }
    if (!body.ok) {
      throw new OpsbotError('slack_refused', { call: method, slackError: body.error ?? 'not_ok' }, { message: `${method}: ${body.error ?? 'not ok'}` });
    }
    return body;
  };
  return {
    canDelete: Boolean(options.userToken),
    async fileInfo(id) {
      const body = await call('files.info', options.botToken, { file: id });
      if (!body.file) throw new OpsbotError('slack_refused', { call: 'files.info' }, { message: 'files.info without file' });
      return body.file;
    },
    async deleteFile(id) {
      if (!options.userToken) throw new OpsbotError('slack_delete_unconfigured', {}, { message: 'files.delete needs SLACK_USER_TOKEN' });
      await call('files.delete', options.userToken, { file: id });
      options.log.info({ file: id }, 'deleted the Slack copy of a relayed file');
    },
  };
}
