import { createShellChatPort } from '../shell/shell-chat-port.ts';
import { runShell, terminalStyle } from '../shell/run-shell.ts';
import { join } from 'node:path';
import { startOpsbot } from './start-opsbot.ts';
import { createAlertReplayCommand } from '../handlers/alerts/alert-replay-command.ts';
import type { Logger } from '../core/logger.ts';

/**
 * SIGTERM or SIGINT: stop taking work, let work in flight finish (up to the grace period), then
 * exit 0. A second signal during that drain aborts the work in flight at once, cleanly (uploads
 * aborted, claims released so another run redoes them), and the bot exits as soon as it has
 * settled. A third one exits immediately (130), for an operator who really means it.
 */
function handleShutdownSignals(bot: { log: Logger; abortWork(reason: string): void }, shutDown: () => void): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) {
      bot.log.info({ signal }, 'shutting down: finishing work in flight');
      shutDown();
    } else if (received === 2) {
      bot.log.warn({ signal }, 'second signal: aborting work in flight now');
      bot.abortWork('a second shutdown signal arrived');
    } else {
      bot.log.error({ signal }, 'third signal: exiting at once');
      bot.log.flush?.();
      process.exit(130);
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * Process-level safety net. A rejected promise nobody awaited is a bug but leaves the bot's
 * state intact: it is logged (scrubbed and bounded by the logger) and the bot keeps serving.
 * An uncaught exception may have left state half-updated, which Node documents as unsafe to
 * continue from: it is logged and the bot shuts down cleanly (drains, releases claims) and
 * exits 1, for the supervisor (Kubernetes, systemd) to restart it.
 */
function watchProcessFaults(log: Logger, shutDown: () => void): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (the bot keeps serving)');
  });
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'uncaught exception: shutting down for a clean restart');
    shutDown();
  });
}

/** Runs the bot until a signal (Slack modes) or the end of input (shell). Returns the exit code. */
export async function runOpsbot(options: { shell?: boolean; lines?: string[] }): Promise<number> {
  const bot = await startOpsbot({ shell: options.shell ?? false });
  if (bot.config.mode !== 'shell') {
    const exitCode = await new Promise<number>((resolve) => {
      handleShutdownSignals(bot, () => resolve(0));
      watchProcessFaults(bot.log, () => resolve(1));
    });
    await bot.stop();
    return exitCode;
  }
  // `alert replay FILE` reads the local disk, so only the local shell offers it.
  bot.features.registry.register(createAlertReplayCommand({ alerts: bot.features.alerts, present: bot.features.present }));
  // ANSI styles or plain text: decided once, from stdout, for the chat port and the shell alike.
  const style = terminalStyle(process.stdout);
  const present = bot.features.present;
  const chat = createShellChatPort({ out: process.stdout, imageDir: join(bot.config.dataDir, 'graphs'), present, style, verbose: !options.lines });
  await bot.features.start(chat);
  try {
    return await runShell({
      chat,
      onMention: bot.features.onMention,
      onFileShare: bot.features.onFileShare,
      input: process.stdin,
      out: process.stdout,
      present,
      style,
      ...(options.lines ? { lines: options.lines } : {}),
      interactive: !options.lines && Boolean(process.stdin.isTTY),
      // `opsbot start` without a Slack token lands here: the banner says why.
      banner: { noSlackToken: !options.shell },
    });
  } finally {
    await bot.stop();
  }
}
