import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type DestinationStream } from 'pino';
import { loadConfig, type Config, type LoadConfigOptions } from '../core/config.ts';
import { openDatabase } from '../core/database.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { createMetrics } from '../core/metrics.ts';
import { createTaskTracker } from '../core/task-tracker.ts';
import { createHttpServer } from '../server/http-server.ts';
import { createEventLedger } from '../services/event-ledger.ts';
import { createSlackApp } from '../slack/create-slack-app.ts';
import { createOpsbotFeatures, type OpsbotFeatures } from './create-opsbot-features.ts';

export interface StartOptions extends LoadConfigOptions {
  /** Overrides the logger (tests capture lines with it). */
  log?: Logger;
  /** Where the JSON log lines go (scrubbed of the configured secrets as always); stdout by default. */
  logDestination?: DestinationStream;
  /** Seconds since the epoch; tests fix the clock. */
  now?: () => number;
}

export interface RunningOpsbot {
  config: Config;
  log: Logger;
  features: OpsbotFeatures;
  /** The HTTP port actually bound (Slack modes). */
  port?: number;
  /** Finishes work in flight (up to `graceMs`, then aborts it cleanly) and closes everything. */
  stop(graceMs?: number): Promise<void>;
  /** During `stop`: aborts the work still in flight now instead of waiting out the grace period. */
  abortWork(reason: string): void;
}

/** Shell mode keeps the terminal for the conversation: logs go to a file in the data folder. */
function shellLogger(config: Config): Logger {
  mkdirSync(config.dataDir, { recursive: true });
  return createLogger({
    level: config.logLevel,
    secrets: config.secrets,
    destination: pino.destination({ dest: join(config.dataDir, 'opsbot.log'), sync: false, mkdir: true }),
  });
}

/**
 * The composition root: config → logger, state, features → Slack transport and HTTP server
 * (or, in shell mode, just the features; the shell runner drives them).
 */
export async function startOpsbot(options: StartOptions = {}): Promise<RunningOpsbot> {
  const config = loadConfig(options);
  const log =
    options.log ??
    (config.mode === 'shell' && !options.logDestination
      ? shellLogger(config)
      : createLogger({ level: config.logLevel, secrets: config.secrets, ...(options.logDestination ? { destination: options.logDestination } : {}) }));
  const db = openDatabase(join(config.dataDir, 'opsbot.sqlite'));
  const tasks = createTaskTracker();
  const now = options.now ?? (() => Date.now() / 1000);
  const metrics = createMetrics();
  const features = await createOpsbotFeatures({ config, log, db, tasks, now, metrics });

  if (config.mode === 'shell') {
    return {
      config,
      log,
      features,
      abortWork: (reason) => tasks.abort(reason),
      async stop(graceMs = 10_000) {
        await features.stop();
        await tasks.drain(graceMs);
        await features.close();
        db.close();
        log.flush?.();
      },
    };
  }

  const events = createEventLedger({ db });
  const slack = createSlackApp({
    config,
    log,
    events,
    tasks,
    onMention: features.onMention,
    onFileShare: features.onFileShare,
    isRelayComment: features.isRelayComment,
    openFile: features.openSlackFile!,
  });
  let ready = false;
  const http = createHttpServer({
    log,
    ...(slack.eventsListener ? { slackEvents: { signingSecret: config.slack.signingSecret!, listener: slack.eventsListener } } : {}),
    ...(config.mackerel.webhookToken && features.mackerelWebhook
      ? { mackerelWebhook: { token: config.mackerel.webhookToken, handle: features.mackerelWebhook } }
      : {}),
    health: () => (ready ? { ok: true, mode: config.mode, inFlight: tasks.size } : null),
    metrics: () => metrics.expose(),
  });
  const port = await http.listen(config.port);
  try {
    await slack.start();
    await features.start(slack.chat);
  } catch (error) {
    await http.close();
    db.close();
    throw error;
  }
  ready = true;
  events.prune(7 * 86400);
  log.info({ mode: config.mode, port, pid: process.pid }, 'opsbot is ready');

  return {
    config,
    log,
    features,
    port,
    abortWork: (reason) => tasks.abort(reason),
    async stop(graceMs = 25_000) {
      ready = false;
      await features.stop();
      const { finished } = await tasks.drain(graceMs);
      if (!finished) log.warn('work still in flight at shutdown was aborted');
      await features.close();
      await slack.stop();
      await http.close();
      db.close();
      log.info('opsbot stopped');
      log.flush?.();
    },
  };
}
