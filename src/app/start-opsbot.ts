import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type DestinationStream } from 'pino';
import { loadConfig, type Config, type LoadConfigOptions } from '../core/config.ts';
import { newOwnerId, openStateStore } from '../core/state/open-store.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { createMetrics } from '../core/metrics.ts';
import { createTaskTracker } from '../core/task-tracker.ts';
import { createHttpServer } from '../server/http-server.ts';
import { createSlackApp } from '../slack/create-slack-app.ts';
import { createSlackOutboxSender } from '../slack/slack-outbox-sender.ts';
import { createOutboxChatPort } from '../services/outbox/outbox-chat-port.ts';
import { createOutboxDispatcher, type OutboxDispatcher } from '../services/outbox/outbox-dispatcher.ts';
import { createOpsbotFeatures, type OpsbotFeatures } from './create-opsbot-features.ts';
import { tuningFromEnv } from './tuning.ts';

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

/** How long handled-event keys and sent outbox entries are kept. */
const RETENTION_SECONDS = 7 * 86400;

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
  const store = await openStateStore(config, log);
  const owner = newOwnerId();
  const tasks = createTaskTracker();
  const now = options.now ?? (() => Date.now() / 1000);
  const metrics = createMetrics();
  const tuning = tuningFromEnv(options.env ?? process.env);
  // User groups named in `permissions` are read from Slack, once the Slack client exists.
  const slackRef: { client?: import('@slack/web-api').WebClient } = {};
  const groupMembers = async (groupId: string): Promise<string[]> => {
    const slackClient = slackRef.client;
    if (!slackClient) throw new Error('Slack is not connected');
    try {
      const result = await slackClient.usergroups.users.list({ usergroup: groupId });
      metrics.slackCalls.inc({ method: 'usergroups.users.list', result: 'ok' });
      return result.users ?? [];
    } catch (error) {
      metrics.slackCalls.inc({ method: 'usergroups.users.list', result: 'error' });
      throw error;
    }
  };
  const features = await createOpsbotFeatures({ config, log, store, owner, tasks, now, metrics, tuning, groupMembers });

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
        await store.close();
        log.flush?.();
      },
    };
  }

  // Every Slack side effect goes through the durable outbox: queued in the state store, sent once
  // by a dispatcher (this replica's, or any other's if this one dies), retried with Retry-After.
  let dispatcher: OutboxDispatcher | undefined;
  const slack = createSlackApp({
    config,
    log,
    present: features.present,
    makeChat: (client) => {
      dispatcher = createOutboxDispatcher({
        store: store.outbox,
        sender: createSlackOutboxSender({ client, log: log.child({ component: 'outbox' }), onCall: (method, result) => metrics.slackCalls.inc({ method, result }) }),
        owner,
        log: log.child({ component: 'outbox' }),
        bus: store,
        leaseSeconds: tuning.outboxLeaseSeconds,
      });
      return createOutboxChatPort({ dispatcher, store: store.outbox, log });
    },
    events: store.events,
    tasks,
    onMention: features.onMention,
    onFileShare: features.onFileShare,
    isRelayComment: features.isRelayComment,
    openFile: features.openSlackFile!,
    onAction: features.onAction,
    onRespond: (result) => metrics.slackCalls.inc({ method: 'response_url', result }),
  });
  slackRef.client = slack.client;
  let ready = false;
  const http = createHttpServer({
    log,
    ...(slack.eventsListener ? { slackEvents: { signingSecret: config.slack.signingSecret!, listener: slack.eventsListener } } : {}),
    ...(config.mackerel.webhookToken && features.mackerelWebhook ? { mackerelWebhook: { token: config.mackerel.webhookToken, handle: features.mackerelWebhook } } : {}),
    health: () => (ready ? { ok: true, mode: config.mode, inFlight: tasks.size } : null),
    metrics: () => metrics.expose(),
  });
  const port = await http.listen(config.port);
  const outboxGauges = setInterval(() => {
    store.outbox.depth().then(
      ({ count, oldestAgeSeconds }) => {
        metrics.outboxDepth.set(count);
        metrics.outboxOldestSeconds.set(oldestAgeSeconds ?? 0);
      },
      (error: unknown) => log.debug({ err: error }, 'could not read the outbox depth'),
    );
  }, 5000);
  outboxGauges.unref();
  try {
    dispatcher?.start();
    await slack.start();
    await features.start(slack.chat);
  } catch (error) {
    clearInterval(outboxGauges);
    await dispatcher?.stop();
    await http.close();
    await store.close();
    throw error;
  }
  ready = true;
  // Handled-event keys and sent outbox entries are kept a week (Slack retries for hours at most),
  // pruned at start and then daily by every replica (pruning is idempotent).
  const prune = () => {
    store.events.prune(RETENTION_SECONDS).catch((error: unknown) => log.warn({ err: error }, 'could not prune handled events'));
    store.outbox.prune(RETENTION_SECONDS).catch((error: unknown) => log.warn({ err: error }, 'could not prune the outbox'));
  };
  prune();
  const pruning = setInterval(prune, 86_400_000);
  pruning.unref();
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
      clearInterval(outboxGauges);
      clearInterval(pruning);
      // After the drain: what the work in flight queued is sent (or left for the next run).
      await dispatcher?.stop();
      await slack.stop();
      await http.close();
      await store.close();
      log.info('opsbot stopped');
      log.flush?.();
    },
  };
}
