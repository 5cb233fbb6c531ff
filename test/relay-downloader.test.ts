import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../src/core/logger.ts';
import { OpsbotError } from '../src/core/errors.ts';
import { createSlackFileDownloader, createSlackFileOpener, trustSlackAndApiHost } from '../src/services/slack-files/slack-file-downloader.ts';
import { createSlackFilesApi } from '../src/services/slack-files/slack-files-api.ts';
import { generatedContent, SlackSim } from './sim/slack-sim.ts';

const BOT = 'xoxb-sim-bot-token-000111';
const USER = 'xoxp-sim-user-token-000222';
const log = createSilentLogger();

let sim: SlackSim;
beforeAll(async () => {
  sim = await new SlackSim({ botToken: BOT, userToken: USER }).start();
});
afterAll(() => sim.stop());

async function readAll(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof OpsbotError ? error.code : `not an OpsbotError: ${String(error)}`;
  }
  return 'resolved';
}

describe('Slack file downloader against the simulator', () => {
  const downloader = () => createSlackFileDownloader({ token: BOT, log, trustedHost: trustSlackAndApiHost(sim.apiUrl) });

  it('follows the redirect to the CDN host without the token and yields the exact bytes', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const file = sim.addFile({ name: 'data.bin', content: generatedContent(size, 7), actualSize: size });
    const opened = await downloader().open(file.url_private_download as string, { expectedSize: size });
    const bytes = await readAll(opened.body);
    const expected = Buffer.concat([...(generatedContent(size, 7)() as Iterable<Uint8Array>)]);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(expected).digest('hex'));
    const hops = sim.downloads.filter((d) => d.fileId === file.id);
    expect(hops.map((d) => [d.host, d.status])).toEqual([
      ['api', 302],
      ['cdn', 200],
    ]);
    expect(hops[0]!.authorization).toBe(`Bearer ${BOT}`);
    expect(hops[1]!.authorization).toBeUndefined();
  });

  it('reports the login page when the token is not sent (host not trusted), never returning HTML as the file', async () => {
    const file = sim.addFile({ name: 'a.txt', content: Buffer.from('hello') });
    const untrusting = createSlackFileDownloader({ token: BOT, log });
    expect(await codeOf(untrusting.open(file.url_private as string))).toBe('slack_login_page');
    const last = sim.downloads.at(-1)!;
    expect(last.authorization).toBeUndefined();
  });

  it('sniffs an HTML body even when the content type claims a binary file', async () => {
    const file = sim.addFile({ name: 'x.bin', content: Buffer.from('\n  <!DOCTYPE html><html><body>login</body></html>'), redirect: false });
    expect(await codeOf(downloader().open(file.url_private as string))).toBe('slack_login_page');
  });

  it('says the file is gone on 404 and refused on a bad CDN signature', async () => {
    expect(await codeOf(downloader().open(`${sim.apiUrl.replace('/api/', '')}/files-pri/T0TEST-FNOPE/x`))).toBe('slack_file_gone');
    expect(await codeOf(downloader().open(`http://${sim.cdnHost}/cdn/FNOPE/x?exp=1&sig=bad`))).toBe('slack_refused');
  });

  it('stops after maxRedirects hops', async () => {
    let hops = 0;
    const loop: typeof fetch = async () => {
      hops++;
      return new Response(null, { status: 302, headers: { location: 'https://files.slack.com/again' } });
    };
    const d = createSlackFileDownloader({ token: BOT, log, fetch: loop, maxRedirects: 3 });
    expect(await codeOf(d.open('https://files.slack.com/start'))).toBe('slack_redirects');
    expect(hops).toBe(4);
  });

  it('sends the token to *.slack.com over https only, never to other hosts', async () => {
    const seen: { host: string; auth: string | null }[] = [];
    const fake: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      seen.push({ host: url.host, auth: new Headers(init?.headers).get('authorization') });
      if (url.host === 'files.slack.com' && url.protocol === 'https:') return new Response(null, { status: 302, headers: { location: 'https://cdn.slack-edge.com/f?sig=1' } });
      if (url.host === 'cdn.slack-edge.com') return new Response(null, { status: 302, headers: { location: 'https://files-origin.slack.com/f' } });
      return new Response('bytes', { status: 200, headers: { 'content-type': 'application/octet-stream' } });
    };
    const d = createSlackFileDownloader({ token: BOT, log, fetch: fake });
    const opened = await d.open('https://files.slack.com/files-pri/T-F/x');
    expect((await readAll(opened.body)).toString()).toBe('bytes');
    expect(seen).toEqual([
      { host: 'files.slack.com', auth: `Bearer ${BOT}` },
      { host: 'cdn.slack-edge.com', auth: null },
      { host: 'files-origin.slack.com', auth: `Bearer ${BOT}` },
    ]);
    await d.open('http://files.slack.com/plain').catch(() => {});
    expect(seen.at(-1)).toEqual({ host: 'files.slack.com', auth: null });
  });

  it('opens a Slack file object through the opener and refuses one without URLs', async () => {
    const file = sim.addFile({ name: 'b.txt', content: Buffer.from('opener bytes'), mimetype: 'text/plain' });
    const open = createSlackFileOpener(downloader());
    const opened = await open(file as { url_private_download: string; size: number });
    expect((await readAll(opened.body)).toString()).toBe('opener bytes');
    expect(opened.contentType).toBe('text/plain');
    expect(await codeOf(open({}))).toBe('slack_no_url');
  });
});

describe('Slack files API against the simulator', () => {
  it('resolves a stub with files.info and deletes with the user token only', async () => {
    const file = sim.addFile({ name: 'c.txt', content: Buffer.from('c') });
    const api = createSlackFilesApi({ apiUrl: sim.apiUrl, botToken: BOT, userToken: USER, log });
    const info = await api.fileInfo(file.id as string);
    expect(info.url_private_download).toBe(file.url_private_download);
    await api.deleteFile(file.id as string);
    expect(sim.isDeleted(file.id as string)).toBe(true);
    expect(sim.callsOf('files.delete').at(-1)!.token).toBe(USER);
    const botOnly = createSlackFilesApi({ apiUrl: sim.apiUrl, botToken: BOT, log });
    expect(botOnly.canDelete).toBe(false);
    expect(await codeOf(botOnly.deleteFile('F1'))).toBe('slack_delete_unconfigured');
    const wrong = createSlackFilesApi({ apiUrl: sim.apiUrl, botToken: 'xoxb-wrong-token-999', log });
    const error = await wrong.fileInfo('F1').catch((e: OpsbotError) => e);
    expect((error as OpsbotError).code).toBe('slack_refused');
    expect((error as OpsbotError).message).toContain('invalid_auth');
    expect((error as OpsbotError).message).not.toContain('xoxb-wrong');
  });
});
