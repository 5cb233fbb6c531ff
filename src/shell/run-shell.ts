import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, open, realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { OpsbotError } from '../core/errors.ts';
import { code, joinMd, plain, type Mrkdwn } from '../core/message.ts';
import type { ChatPort, FileShareEvent, SharedFile } from '../handlers/chat-port.ts';
import type { MentionHandler } from '../handlers/mention-dispatcher.ts';
import type { Presenter } from '../handlers/present/presenter.ts';
import { MAX_LINE_CHARS, readWord, ShellLineError, stripShellMention, type ShellLineProblem } from './parse-shell-line.ts';
import { shellGutter, type TextStyle } from './render-text.ts';
import { createShellVoice } from './shell-chat-port.ts';

export interface ShellOptions {
  chat: ChatPort;
  onMention: MentionHandler;
  onFileShare: (event: FileShareEvent, chat: ChatPort) => Promise<void>;
  input: NodeJS.ReadableStream;
  out: NodeJS.WritableStream;
  /** The team's words: the banner, the prompt and the shell's own notes. */
  present: Pick<Presenter, 't' | 'text' | 'number' | 'error'>;
  /** ANSI styles or plain text, from terminalStyle(out), decided once. */
  style: TextStyle;
  /** Lines given with -c; when present stdin is not read. */
  lines?: string[];
  interactive: boolean;
  cwd?: string;
  /** Greets an interactive session; `noSlackToken` says why the bot runs in the terminal (`opsbot start` without a token). */
  banner?: { noSlackToken?: boolean };
}

/**
 * Whether the shell writes ANSI styles: only to a terminal, and not when NO_COLOR is set
 * (no-color.org). Decided once, for stdout, and passed to the chat port and the shell.
 */
export function terminalStyle(out: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): TextStyle {
  return { ansi: (out as { isTTY?: boolean }).isTTY === true && !env.NO_COLOR };
}

const USER = 'U0LOCAL';
const CHANNEL = 'C0LOCAL';

/** A local file as the shell shares it: its identity is fixed when it is shared. */
export interface LocalFile {
  /** `FLOCAL` + 128 bits of sha256(real path, size, modification time): the relay's dedupe key. */
  id: string;
  name: string;
  realPath: string;
  size: number;
  mtimeNs: bigint;
}

/** Why a local path cannot be shared: a closed list (the shell words it in the team's language). */
export type PathProblem = 'missing' | 'denied' | 'notFolder' | 'tooLong' | 'loop' | 'unusable' | 'nul' | 'folder' | 'special' | 'other';

/** The problem a path's error code means, instead of `ENOENT: no such file or directory, stat '…'`. */
function pathProblem(error: unknown): { problem: PathProblem; errno?: string } {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (errno) {
    case 'ENOENT':
      return { problem: 'missing' };
    case 'EACCES':
    case 'EPERM':
      return { problem: 'denied' };
    case 'ENOTDIR':
      return { problem: 'notFolder' };
    case 'ENAMETOOLONG':
      return { problem: 'tooLong' };
    case 'ELOOP':
      return { problem: 'loop' };
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_INVALID_ARG_TYPE':
      return { problem: 'unusable' };
    default:
      return errno ? { problem: 'other', errno } : { problem: 'other' };
  }
}

/** A path problem as people read it. */
export function describePathProblem(result: { problem: PathProblem; errno?: string }, present: Pick<Presenter, 't'>): Mrkdwn {
  return result.problem === 'other' ? present.t('shell.path.other', { code: code(result.errno ?? '?') }) : present.t(`shell.path.${result.problem}`);
}

/** A line the shell cannot read, as people read it. */
function describeLineProblem(problem: ShellLineProblem, present: Pick<Presenter, 't'>): Mrkdwn {
  return problem.kind === 'unclosed_quote' ? present.t('shell.unclosedQuote', { quote: code(problem.quote), column: problem.column }) : present.t('shell.trailingBackslash');
}

/**
 * Resolves `path` (relative to `cwd`) to a readable regular file and its identity. The id comes
 * from the whole real path, the size and the modification time, hashed: two files never share
 * it, however long their common prefix, while the same unchanged file (by any path or link to it)
 * keeps it, so sharing it again is answered "already stored", as Slack's file id would be.
 * Returns the problem instead of throwing.
 */
export async function identifyLocalFile(cwd: string, path: string): Promise<LocalFile | { problem: PathProblem; errno?: string }> {
  if (path.includes('\0')) return { problem: 'nul' };
  try {
    const realPath = await realpath(resolve(cwd, path));
    const info = await stat(realPath, { bigint: true });
    if (info.isDirectory()) return { problem: 'folder' };
    if (!info.isFile()) return { problem: 'special' };
    await access(realPath, constants.R_OK);
    const digest = createHash('sha256').update(`${realPath}\0${info.size}\0${info.mtimeNs}`).digest('hex');
    return { id: `FLOCAL${digest.slice(0, 32).toUpperCase()}`, name: basename(realPath), realPath, size: Number(info.size), mtimeNs: info.mtimeNs };
  } catch (error) {
    return pathProblem(error);
  }
}

/**
 * The file's bytes as they were when it was shared: the same file (size and modification time
 * checked on the open descriptor), and no more than `size` bytes.
 */
async function openUnchanged(file: LocalFile, signal?: AbortSignal): Promise<{ body: NodeJS.ReadableStream }> {
  const handle = await open(file.realPath, 'r');
  try {
    const now = await handle.stat({ bigint: true });
    if (Number(now.size) !== file.size || now.mtimeNs !== file.mtimeNs) {
      throw new OpsbotError('file_changed', { fileName: file.name }, { message: `${file.realPath} changed after it was shared` });
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (file.size === 0) {
    await handle.close();
    return { body: Readable.from([]) };
  }
  // The stream owns the handle from here and closes it when done, failed or aborted.
  return { body: createReadStream('', { fd: handle, start: 0, end: file.size - 1, ...(signal ? { signal } : {}) }) };
}

/**
 * The local chat shell: every line is handled as if a user had mentioned the bot in Slack,
 * through the same handlers; `upload PATH COMMENT` plays a Slack file share of a local file.
 * Returns the exit code (0 when the lines are done, whatever their replies said).
 */
export async function runShell(options: ShellOptions): Promise<number> {
  const { chat, present } = options;
  const cwd = options.cwd ?? process.cwd();
  const voice = createShellVoice(options);
  let seq = 0;
  const ts = () => `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`;

  /** `upload PATH [COMMENT]`: PATH is one word (quote it or escape its spaces); COMMENT is the rest, as typed. */
  const upload = async (line: string, from: number) => {
    let path: string | undefined;
    let comment = '';
    try {
      const word = readWord(line, from);
      path = word?.word;
      if (word) comment = line.slice(word.end).trim();
    } catch (error) {
      if (!(error instanceof ShellLineError)) throw error;
      voice.say(present.t('shell.uploadUnreadable', { problem: describeLineProblem(error.problem, present) }));
      return;
    }
    if (!path) {
      voice.say(present.t('shell.uploadUsage'));
      return;
    }
    const file = await identifyLocalFile(cwd, path);
    if ('problem' in file) {
      voice.say(present.t('shell.uploadCannot', { path: code(path), problem: describePathProblem(file, present) }));
      return;
    }
    const shared: SharedFile = { id: file.id, name: file.name, size: file.size, open: (signal) => openUnchanged(file, signal) };
    const event: FileShareEvent = { user: USER, channel: CHANNEL, ts: ts(), text: comment, files: [shared] };
    await options.onFileShare(event, chat);
  };

  const handleLine = async (raw: string): Promise<'exit' | void> => {
    if (raw.length > MAX_LINE_CHARS) {
      voice.say(present.t('shell.lineTooLong', { length: present.number(raw.length), limit: present.number(MAX_LINE_CHARS) }));
      return;
    }
    if (raw.includes('\0')) {
      voice.say(present.t('shell.lineNul'));
      return;
    }
    const line = stripShellMention(raw);
    if (!line || line.startsWith('#')) return;
    if (/^(exit|quit)$/i.test(line)) return 'exit';
    // Only `upload` reads words itself; every other line goes to the commands exactly as typed,
    // as it would in Slack (where "it's" has no unterminated quote).
    const first = /^\S+/.exec(line)![0];
    if (first.toLowerCase() === 'upload') return upload(line, first.length);
    await options.onMention({ user: USER, channel: CHANNEL, ts: ts(), text: line }, chat);
  };

  const safeHandle = async (line: string) => {
    try {
      return await handleLine(line);
    } catch (error) {
      // What went wrong in the team's words; never the exception's own message.
      voice.say(present.error(error));
      return undefined;
    }
  };

  if (options.lines) {
    for (const line of options.lines) if ((await safeHandle(line)) === 'exit') break;
    return 0;
  }

  if (options.banner && options.interactive) voice.say(banner(present, options.banner));
  const rl = createInterface({
    input: options.input,
    output: options.interactive ? options.out : undefined,
    terminal: options.interactive,
    prompt: shellGutter(present.text('shell.you'), options.style).you,
    historySize: 500,
  });
  if (options.interactive) rl.prompt();
  // The iterator queues lines while one is handled, so they run one at a time, in order.
  for await (const line of rl) {
    if ((await safeHandle(line)) === 'exit') break;
    if (options.interactive) rl.prompt();
  }
  rl.close();
  if (options.interactive) voice.say(present.t('shell.bye'));
  return 0;
}

/** What an interactive session opens with: what the shell is, why it runs here, how to start. */
function banner(present: Pick<Presenter, 't'>, options: { noSlackToken?: boolean }): Mrkdwn {
  const examples = joinMd(
    ['host web-01', 'role shop:web', 'alerts', 'forecast web-01'].map((line) => code(line)),
    plain(' · '),
  );
  return joinMd(
    [present.t('shell.banner'), ...(options.noSlackToken ? [present.t('shell.bannerNoSlack')] : []), present.t('shell.bannerHint', { help: code('help'), exit: code('exit'), examples })],
    '\n',
  );
}
