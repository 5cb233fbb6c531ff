import { createShellChatPort } from '../shell/shell-chat-port.ts';
import { runShell } from '../shell/run-shell.ts';
import { join } from 'node:path';
import { startOpsbot } from './start-opsbot.ts';

const BANNER = `opsbot local shell — no Slack credentials set, so this is the bot on its embedded defaults.
Type "help" for the commands, "exit" to leave. Try: host web-01 · role shop:web · alerts · forecast web-01`;

/** Runs the bot until a signal (Slack modes) or the end of input (shell). Returns the exit code. */
export async function runOpsbot(options: { shell?: boolean; lines?: string[] }): Promise<number> {
  const bot = await startOpsbot({ shell: options.shell ?? false });
  if (bot.config.mode !== 'shell') {
    await new Promise<void>((resolve) => {
      const onSignal = (signal: string) => {
        bot.log.info({ signal }, 'shutting down');
        resolve();
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
    await bot.stop();
    return 0;
  }
  const chat = createShellChatPort({ out: process.stdout, imageDir: join(bot.config.dataDir, 'graphs'), verbose: !options.lines });
  await bot.features.start(chat);
  try {
    return await runShell({
      chat,
      onMention: bot.features.onMention,
      onFileShare: bot.features.onFileShare,
      input: process.stdin,
      out: process.stdout,
      ...(options.lines ? { lines: options.lines } : {}),
      interactive: !options.lines && Boolean(process.stdin.isTTY),
      banner: BANNER,
    });
  } finally {
    await bot.stop();
  }
}
