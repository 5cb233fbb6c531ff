import type { Config } from '../core/config.ts';
import type { DatabaseSync } from '../core/database.ts';
import type { Logger } from '../core/logger.ts';
import { mackerelRoute, type Metrics } from '../core/metrics.ts';
import type { TaskTracker } from '../core/task-tracker.ts';
import { createAlertCommands } from '../handlers/alerts/alert-commands.ts';
import type { ChatPort, FileShareEvent } from '../handlers/chat-port.ts';
import { createCommandRegistry, type CommandRegistry } from '../handlers/command-registry.ts';
import { createHelpCommand } from '../handlers/help.ts';
import { createLookupCommands } from '../handlers/lookup/commands.ts';
import { createMentionDispatcher, type MentionHandler } from '../handlers/mention-dispatcher.ts';
import { createUnknownCommandHandler } from '../handlers/unknown-command.ts';
import type { MackerelWebhookHandler } from '../server/http-server.ts';
import { createAlertService } from '../services/alerts/alert-service.ts';
import { createAlertStore } from '../services/alerts/alert-store.ts';
import { createDemoAlertData } from '../services/alerts/demo-alert-data.ts';
import { createMackerelAlertData } from '../services/alerts/mackerel-alert-data.ts';
import { createGraphRenderPool, safeRenderGraph, type GraphSpec } from '../services/graph/index.ts';
import { createInventoryCache } from '../services/inventory/cache.ts';
import { createMackerelInventorySource } from '../services/inventory/mackerel-source.ts';
import { createYamlInventorySource } from '../services/inventory/yaml-source.ts';
import { createMackerelClient } from '../services/mackerel/client.ts';
import { createFileShareHandler } from '../handlers/relay/file-share-handler.ts';
import { createUploadsCommand } from '../handlers/relay/uploads-command.ts';
import { createFileDestination } from '../services/relay/file-destination.ts';
import { createRelayLedger } from '../services/relay/relay-ledger.ts';
import { createRelayService } from '../services/relay/relay-service.ts';
import { createS3Client, createS3Destination } from '../services/relay/s3-destination.ts';
import { isRelayComment } from '../services/relay/upload-rules.ts';
import { createSlackFileDownloader, createSlackFileOpener, trustSlackAndApiHost } from '../services/slack-files/slack-file-downloader.ts';
import { createSlackFilesApi } from '../services/slack-files/slack-files-api.ts';
import type { OpenSlackFile } from '../slack/slack-events.ts';

export interface FeatureOptions {
  config: Config;
  log: Logger;
  db: DatabaseSync;
  tasks: TaskTracker;
  now: () => number;
  metrics: Metrics;
}

/** The three jobs, wired to their collaborators, as the transports (Slack, shell) need them. */
export interface OpsbotFeatures {
  registry: CommandRegistry;
  onMention: MentionHandler;
  onFileShare: (event: FileShareEvent, chat: ChatPort) => Promise<void>;
  isRelayComment: (text: string) => boolean;
  /** Streams a shared Slack file's bytes; present when there is a bot token to download with. */
  openSlackFile?: OpenSlackFile;
  mackerelWebhook?: MackerelWebhookHandler;
  /** Starts background work (inventory refresh, alert polling) posting through `chat`. */
  start(chat: ChatPort): Promise<void>;
  /** Stops starting new background work. */
  stop(): Promise<void>;
  /** Releases clients and workers, once the work in flight is done. */
  close(): Promise<void>;
}

export async function createOpsbotFeatures(options: FeatureOptions): Promise<OpsbotFeatures> {
  const { config, log, db, tasks, now } = options;
  const mackerel = config.mackerel.apiKey
    ? createMackerelClient({
        apiKey: config.mackerel.apiKey,
        baseUrl: config.mackerel.apiUrl,
        log: log.child({ component: 'mackerel' }),
        onCall: ({ path, status }) => options.metrics.mackerelCalls.inc({ route: mackerelRoute(path), status: String(status) }),
      })
    : undefined;

  const inventory = createInventoryCache({
    source: mackerel ? createMackerelInventorySource({ client: mackerel }) : createYamlInventorySource({ file: config.inventoryFile, now }),
    ttlSeconds: config.mackerel.ttlSeconds,
    now,
    log: log.child({ component: 'inventory' }),
  });

  // Polling only makes sense where alerts can be posted: in Slack, with a channel to post in.
  const postsAlerts = config.mode !== 'shell' && Boolean(config.alerts.channel);
  if (config.mode !== 'shell' && !postsAlerts) log.warn('alerts.channel is not set: Mackerel alerts will not be posted (commands still work)');
  // Alert graphs render on worker threads (started on first use) so drawing does not stall posting.
  const graphPool = createGraphRenderPool({ log: log.child({ component: 'graph' }) });
  const renderGraph = (spec: GraphSpec) => safeRenderGraph(spec, { log, render: graphPool.render });
  const alerts = createAlertService({
    data: mackerel ? createMackerelAlertData({ client: mackerel, now }) : createDemoAlertData({ now }),
    store: createAlertStore(db),
    config: postsAlerts ? config.alerts : { ...config.alerts, pollSeconds: 0 },
    log: log.child({ component: 'alerts' }),
    now,
    tasks,
    render: renderGraph,
    renderConcurrency: graphPool.size,
  });
  // `alert replay FILE` reads the local disk, so only the local shell offers it.
  const alertCommands = createAlertCommands({ service: alerts, render: renderGraph }).filter((c) => c.name !== 'alert' || config.mode === 'shell');

  const relayLog = log.child({ component: 'relay' });
  const relayLedger = createRelayLedger({ db, now });
  const s3Client = config.uploads.some((rule) => rule.destination.startsWith('s3://')) ? createS3Client(config.s3, config.s3.credentials ? { credentials: config.s3.credentials } : {}) : undefined;
  const slackFiles = config.slack.botToken
    ? createSlackFilesApi({ apiUrl: config.slack.apiUrl, botToken: config.slack.botToken, ...(config.slack.userToken ? { userToken: config.slack.userToken } : {}), log: relayLog })
    : undefined;
  const relay = createRelayService({
    ledger: relayLedger,
    ...(s3Client ? { s3: createS3Destination({ client: s3Client, partSizeBytes: config.s3.partSizeBytes, queueSize: config.s3.queueSize, log: relayLog }) } : {}),
    files: createFileDestination({ log: relayLog }),
    ...(slackFiles?.canDelete ? { deleteSlackFile: (id: string) => slackFiles.deleteFile(id) } : {}),
    log: relayLog,
    now,
  });
  const onFileShare = createFileShareHandler({ rules: config.uploads, relay, log: relayLog, signal: tasks.signal });

  let registry: CommandRegistry;
  const getRegistry = () => registry;
  registry = createCommandRegistry([
    createHelpCommand(getRegistry),
    ...createLookupCommands({ inventory, log, now }),
    createUploadsCommand({ ledger: relayLedger }),
    ...alertCommands,
  ]);
  const onMention = createMentionDispatcher({ registry, log, onUnknown: createUnknownCommandHandler(getRegistry) });

  return {
    registry,
    onMention,
    onFileShare,
    isRelayComment: (text) => isRelayComment(config.uploads, text),
    ...(config.slack.botToken
      ? { openSlackFile: createSlackFileOpener(createSlackFileDownloader({ token: config.slack.botToken, log: relayLog, trustedHost: trustSlackAndApiHost(config.slack.apiUrl) })) }
      : {}),
    mackerelWebhook: alerts.webhookHandler,
    async start(chat) {
      inventory.start();
      alerts.start(chat);
    },
    async stop() {
      inventory.stop();
      await alerts.stop();
      await inventory.idle();
    },
    async close() {
      await graphPool.close();
      s3Client?.destroy();
    },
  };
}
