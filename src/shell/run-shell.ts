import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, open, realpath, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { errorMessage, OpsbotError } from '../core/errors.ts';
import type { ChatPort, FileShareEvent, SharedFile } from '../handlers/chat-port.ts';
import type { MentionHandler } from '../handlers/mention-dispatcher.ts';
import { MAX_LINE_CHARS, readWord, ShellLineError, stripShellMention } from './parse-shell-line.ts';

export interface ShellOptions {
  chat: ChatPort;
  onMention: MentionHandler;
  onFileShare: (event: FileShareEvent, chat: ChatPort) => Promise<void>;
  input: NodeJS.ReadableStream;
  out: NodeJS.WritableStream;
  /** Lines given with -c; when present stdin is not read. */
  lines?: string[];
  interactive: boolean;
  cwd?: string;
  banner?: string;
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

/** Plain words for the errors a path can give, instead of `ENOENT: no such file or directory, stat '…'`. */
function pathProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied (the file cannot be read)';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'ELOOP':
      return 'too many symbolic links (a link loop?)';
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_INVALID_ARG_TYPE':
      return 'not a usable path';
    default:
      return code ? `${code.toLowerCase()}: ${errorMessage(error)}` : errorMessage(error);
  }
}

/**
 * Resolves `path` (relative to `cwd`) to a readable regular file and its identity. The id comes
 * from the whole real path, the size and the modification time, hashed: two files never share
 * it, however long their common prefix, while the same unchanged file (by any path or link to it)
 * keeps it, so sharing it again is answered "already stored", as Slack's file id would be.
 * Returns a message saying why not, instead of throwing.
 */
export async function identifyLocalFile(cwd: string, path: string): Promise<LocalFile | { problem: string }> {
  if (path.includes('\0')) return { problem: 'a path cannot contain NUL characters' };
  try {
    const realPath = await realpath(resolve(cwd, path));
    const info = await stat(realPath, { bigint: true });
    if (info.isDirectory()) return { problem: 'it is a folder; upload one file at a time' };
    if (!info.isFile()) return { problem: 'not a regular file (a device, socket or pipe cannot be uploaded)' };
    await access(realPath, constants.R_OK);
    const digest = createHash('sha256').update(`${realPath}\0${info.size}\0${info.mtimeNs}`).digest('hex');
    return { id: `FLOCAL${digest.slice(0, 32).toUpperCase()}`, name: basename(realPath), realPath, size: Number(info.size), mtimeNs: info.mtimeNs };
  } catch (error) {
    return { problem: pathProblem(error) };
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
  const { chat, out } = options;
  const cwd = options.cwd ?? process.cwd();
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
      out.write(`cannot upload: ${error.message}; put a path with spaces or quotes in double quotes, e.g. upload "./it's here.pdf" !fileupload\n`);
      return;
    }
    if (!path) {
      out.write('usage: upload PATH [COMMENT], e.g. upload ./report.pdf !fileupload\n');
      return;
    }
    const file = await identifyLocalFile(cwd, path);
    if ('problem' in file) {
      out.write(`cannot upload ${path}: ${file.problem}\n`);
      return;
    }
    const shared: SharedFile = { id: file.id, name: file.name, size: file.size, open: (signal) => openUnchanged(file, signal) };
    const event: FileShareEvent = { user: USER, channel: CHANNEL, ts: ts(), text: comment, files: [shared] };
    await options.onFileShare(event, chat);
  };

  const handleLine = async (raw: string): Promise<'exit' | void> => {
    if (raw.length > MAX_LINE_CHARS) {
      out.write(`line ignored: it is ${raw.length} characters long; the limit is ${MAX_LINE_CHARS} (as in Slack)\n`);
      return;
    }
    if (raw.includes('\0')) {
      out.write('line ignored: it contains a NUL character\n');
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
      out.write(`error: ${errorMessage(error)}\n`);
      return undefined;
    }
  };

  if (options.lines) {
    for (const line of options.lines) if ((await safeHandle(line)) === 'exit') break;
    return 0;
  }

  if (options.banner && options.interactive) out.write(`${options.banner}\n`);
  const rl = createInterface({
    input: options.input,
    output: options.interactive ? out : undefined,
    terminal: options.interactive,
    prompt: 'you> ',
    historySize: 500,
  });
  if (options.interactive) rl.prompt();
  // The iterator queues lines while one is handled, so they run one at a time, in order.
  for await (const line of rl) {
    if ((await safeHandle(line)) === 'exit') break;
    if (options.interactive) rl.prompt();
  }
  rl.close();
  return 0;
}
