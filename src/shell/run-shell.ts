import { createReadStream, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChatPort, FileShareEvent } from '../handlers/chat-port.ts';
import type { MentionHandler } from '../handlers/mention-dispatcher.ts';
import { splitWords, stripShellMention } from './parse-shell-line.ts';

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

  const upload = async (args: string[]) => {
    const [path, ...comment] = args;
    if (!path) {
      out.write('usage: upload PATH [COMMENT], e.g. upload ./report.pdf !fileupload\n');
      return;
    }
    const full = resolve(cwd, path);
    let size: number;
    try {
      const stat = statSync(full);
      if (!stat.isFile()) throw new Error('not a regular file');
      size = stat.size;
    } catch (error) {
      out.write(`cannot upload ${path}: ${(error as Error).message}\n`);
      return;
    }
    const name = basename(full);
    await options.onFileShare(
      {
        user: USER,
        channel: CHANNEL,
        ts: ts(),
        text: comment.join(' '),
        files: [{ id: `FLOCAL${Buffer.from(`${full}:${size}:${seq}`).toString('base64url').slice(0, 16)}`, name, size, open: async () => ({ body: createReadStream(full) }) }],
      },
      chat,
    );
  };

  const handleLine = async (raw: string): Promise<'exit' | void> => {
    const line = stripShellMention(raw);
    if (!line || line.startsWith('#')) return;
    if (/^(exit|quit)$/i.test(line)) return 'exit';
    const words = splitWords(line);
    const first = words[0]!.toLowerCase();
    if (first === 'upload') return upload(words.slice(1));
    await options.onMention({ user: USER, channel: CHANNEL, ts: ts(), text: line }, chat);
  };

  const safeHandle = async (line: string) => {
    try {
      return await handleLine(line);
    } catch (error) {
      out.write(`error: ${(error as Error).message}\n`);
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
