import { ConfigError, errorMessage } from '../core/errors.ts';
import { createSecretScrubber } from '../core/logger.ts';
import { runForecastCommand } from './forecast-command.ts';

const USAGE = `usage: opsbot <command>

  start                  run the bot: Slack when SLACK_BOT_TOKEN is set, else the local shell
  shell [-c "LINE"]...   the local chat shell; each -c line is handled as a mention
  forecast FILE...       time-to-limit forecast for metric files, one JSON line each
  help                   this text
`;

/** Splits `shell` arguments into the -c lines. */
function shellLines(args: string[]): string[] | undefined | Error {
  const lines: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-c' || arg === '--command') {
      const line = args[++i];
      if (line === undefined) return new Error(`${arg} needs a line, e.g. -c "host web-01"`);
      lines.push(line);
    } else if (arg.startsWith('-c=') || arg.startsWith('--command=')) {
      lines.push(arg.slice(arg.indexOf('=') + 1));
    } else {
      return new Error(`unknown argument for shell: ${arg}`);
    }
  }
  return lines.length ? lines : undefined;
}

/** The CLI. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command = 'start', ...args] = argv;
  try {
    switch (command) {
      case 'forecast':
        return await runForecastCommand(args, { stdout: process.stdout, stderr: process.stderr });
      case 'start': {
        const { runOpsbot } = await import('../app/run-opsbot.ts');
        return await runOpsbot({});
      }
      case 'shell': {
        const lines = shellLines(args);
        if (lines instanceof Error) {
          process.stderr.write(`opsbot: ${lines.message}\n`);
          return 2;
        }
        const { runOpsbot } = await import('../app/run-opsbot.ts');
        return await runOpsbot({ shell: true, ...(lines ? { lines } : {}) });
      }
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        process.stderr.write(`opsbot: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`opsbot: configuration error: ${error.message}\n`);
      return 78;
    }
    // Startup failures (Slack refused the token, a port in use…) are reported in one line;
    // token-shaped strings are scrubbed because some errors quote the request.
    const scrub = createSecretScrubber([]);
    process.stderr.write(`opsbot: could not start: ${scrub(errorMessage(error))}\n`);
    if (process.env.LOG_LEVEL === 'debug' && error instanceof Error && error.stack) process.stderr.write(`${scrub(error.stack)}\n`);
    return 1;
  }
}
