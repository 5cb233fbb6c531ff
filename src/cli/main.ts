import { ConfigError, errorMessage } from '../core/errors.ts';
import { isLanguage, LANGUAGES, type Language } from '../core/language.ts';
import { createSecretScrubber } from '../core/logger.ts';
import { createPresenter, type Presenter } from '../handlers/present/presenter.ts';
import { displayWidth } from '../core/display-width.ts';
import { runForecastCommand } from './forecast-command.ts';

/**
 * The command line's words, in the team's language: OPSBOT_LANGUAGE, else the configuration
 * file's `language`, else English (also when the configuration cannot be read: its error is what
 * is being reported). `strict` (every path but the error report itself) refuses an unknown
 * OPSBOT_LANGUAGE as `shell` and `forecast` do: the ConfigError naming it (exit 78).
 */
async function cliPresenter(options: { strict?: boolean } = {}): Promise<Presenter> {
  const fromEnv = process.env.OPSBOT_LANGUAGE?.trim();
  let language: Language = 'en';
  if (isLanguage(fromEnv)) language = fromEnv;
  else if (fromEnv && options.strict) {
    const { describeValue } = await import('../core/config.ts');
    throw new ConfigError('OPSBOT_LANGUAGE', `expected ${LANGUAGES.join(' or ')}, got ${describeValue(process.env.OPSBOT_LANGUAGE)}`);
  } else if (!fromEnv) {
    try {
      const { loadConfig } = await import('../core/config.ts');
      language = loadConfig().language;
    } catch {
      // English, then.
    }
  }
  return createPresenter({ language, timeZone: 'UTC' });
}

/** `opsbot help`: the commands (their words stay English) and what each does, in one column. */
function usage(present: Presenter): string {
  const rows: Array<[string, string]> = [
    ['start', present.text('shell.cli.start')],
    [`shell [-c "${present.text('shell.cli.line')}"]...`, present.text('shell.cli.shell')],
    [`forecast ${present.text('shell.cli.file')}...`, present.text('shell.cli.forecast')],
    ['help', present.text('shell.cli.help')],
  ];
  const width = Math.max(...rows.map(([command]) => displayWidth(command)));
  const table = rows.map(([command, what]) => `  ${command}${' '.repeat(width - displayWidth(command) + 3)}${what}`);
  return `${present.text('shell.cli.usage')}\n\n${table.join('\n')}\n`;
}

type ShellArgs = { lines?: string[] } | { needsLine: string } | { unknown: string };

/** Splits `shell` arguments into the -c lines. */
function shellLines(args: string[]): ShellArgs {
  const lines: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-c' || arg === '--command') {
      const line = args[++i];
      if (line === undefined) return { needsLine: arg };
      lines.push(line);
    } else if (arg.startsWith('-c=') || arg.startsWith('--command=')) {
      lines.push(arg.slice(arg.indexOf('=') + 1));
    } else {
      return { unknown: arg };
    }
  }
  return lines.length ? { lines } : {};
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
        const parsed = shellLines(args);
        if ('needsLine' in parsed || 'unknown' in parsed) {
          const present = await cliPresenter({ strict: true });
          const problem =
            'needsLine' in parsed
              ? present.text('shell.cli.needsLine', { flag: parsed.needsLine, example: '-c "host web-01"' })
              : present.text('shell.cli.unknownArgument', { command: 'shell', argument: parsed.unknown });
          process.stderr.write(`opsbot: ${problem}\n`);
          return 2;
        }
        const { runOpsbot } = await import('../app/run-opsbot.ts');
        return await runOpsbot({ shell: true, ...(parsed.lines ? { lines: parsed.lines } : {}) });
      }
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(usage(await cliPresenter({ strict: true })));
        return 0;
      default: {
        const present = await cliPresenter({ strict: true });
        process.stderr.write(`opsbot: ${present.text('shell.cli.unknownCommand', { command })}\n\n${usage(present)}`);
        return 2;
      }
    }
  } catch (error) {
    const present = await cliPresenter();
    if (error instanceof ConfigError) {
      process.stderr.write(`opsbot: ${present.text('shell.cli.configError', { problem: error.message })}\n`);
      return 78;
    }
    // Startup failures (Slack refused the token, a port in use…) are reported in one line, for
    // the operator (the error's own text: this is stderr, not a reply); token-shaped strings are
    // scrubbed because some errors quote the request.
    const scrub = createSecretScrubber([]);
    process.stderr.write(`opsbot: ${present.text('shell.cli.couldNotStart', { reason: scrub(errorMessage(error)) })}\n`);
    if (process.env.LOG_LEVEL === 'debug' && error instanceof Error && error.stack) process.stderr.write(`${scrub(error.stack)}\n`);
    return 1;
  }
}
