import type { Config } from '../core/config.ts';
import type { StateStore } from '../core/state/types.ts';
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
import type { MackerelWebhookHandler } from '../core/webhook.ts';
import { assembleAlertJob, type AlertService } from './assemble-alert-job.ts';
import { createDemoAlertData } from '../services/alerts/demo-alert-data.ts';
import { createMackerelAlertData } from '../services/alerts/mackerel-alert-data.ts';
import { createGraphRenderPool, safeRenderGraph, type GraphSpec } from '../services/graph/index.ts';
import { createInventoryCache } from '../services/inventory/cache.ts';
import { createMackerelInventorySource } from '../services/inventory/mackerel-source.ts';
import { createYamlInventorySource } from '../services/inventory/yaml-source.ts';
import { createMackerelClient } from '../services/mackerel/client.ts';
import { parseCalendar } from '../services/urgency/index.ts';
import { createFileShareHandler } from '../handlers/relay/file-share-handler.ts';
import { createUploadsCommand } from '../handlers/relay/uploads-command.ts';
import { createFileDestination } from '../services/relay/file-destination.ts';
import { createRelayRecovery } from '../services/relay/relay-recovery.ts';
import { createLeaderLease } from '../services/leadership/leader-lease.ts';
import { createSharedInventorySource, INVENTORY_TOPIC } from '../services/inventory/shared-source.ts';
import { createRelayService } from '../services/relay/relay-service.ts';
import { createS3Client, createS3Destination } from '../services/relay/s3-destination.ts';
import { isRelayComment } from '../services/relay/upload-rules.ts';
import { createSlackFileDownloader, createSlackFileOpener, trustSlackAndApiHost } from '../services/slack-files/slack-file-downloader.ts';
import { createSlackFilesApi } from '../services/slack-files/slack-files-api.ts';
import type { OpenSlackFile } from '../slack/slack-events.ts';
import { createActHandler, type ActHandler } from '../handlers/act/act-handler.ts';
import { createPermissionCheck } from '../services/permissions/permissions.ts';
import { DEFAULT_TUNING, type Tuning } from './tuning.ts';
import { createPresenter, type Presenter } from '../handlers/present/presenter.ts';

export interface FeatureOptions {
  config: Config;
  log: Logger;
  store: StateStore;
  /** This run of the bot, in leases. */
  owner: string;
  tasks: TaskTracker;
  now: () => number;
  metrics: Metrics;
  /** Lease, sweep and retry timings (tests shorten them; see tuning.ts). Default: DEFAULT_TUNING. */
  tuning?: Tuning;
  /** Members of a Slack user group (`permissions` may name groups); Slack mode only. */
  groupMembers?: (groupId: string) => Promise<string[]>;
}

/** The three jobs, wired to their collaborators, as the transports (Slack, shell) need them. */
export interface OpsbotFeatures {
  /** The team's language, time zone and wording: the transports speak with it too (shell banner, Slack-only notes). */
  present: Presenter;
  registry: CommandRegistry;
  onMention: MentionHandler;
  onFileShare: (event: FileShareEvent, chat: ChatPort) => Promise<void>;
  isRelayComment: (text: string) => boolean;
  /** Streams a shared Slack file's bytes; present when there is a bot token to download with. */
  openSlackFile?: OpenSlackFile;
  mackerelWebhook?: MackerelWebhookHandler;
  /** Button presses on alert posts and failed relay replies. */
  onAction: ActHandler;
  /** The alert service: the shell hands it fixtures (`alert replay`, which the shell registers). */
  alerts: Pick<AlertService, 'replay'>;
  /** Starts background work (inventory refresh, alert polling) posting through `chat`. */
  start(chat: ChatPort): Promise<void>;
  /** Stops starting new background work. */
  stop(): Promise<void>;
  /** Releases clients and workers, once the work in flight is done. */
  close(): Promise<void>;
}

/** Leader roles (lease rows). */
const ALERT_POLLER = 'alert-poller';
const INVENTORY_REFRESHER = 'inventory-refresher';

export async function createOpsbotFeatures(options: FeatureOptions): Promise<OpsbotFeatures> {
  const { config, log, tasks, now } = options;
  // Lease, sweep and retry timings of the crash-safety machinery (see tuning.ts).
  const tuning = options.tuning ?? DEFAULT_TUNING;
  // What every job says, in the team's language and calendar time zone.
  const present = createPresenter({ language: config.language, timeZone: parseCalendar(config.alerts.calendar).timezone, now });
  const mackerel = config.mackerel.apiKey
    ? createMackerelClient({
        apiKey: config.mackerel.apiKey,
        baseUrl: config.mackerel.apiUrl,
        log: log.child({ component: 'mackerel' }),
        onCall: ({ path, status }) => options.metrics.mackerelCalls.inc({ route: mackerelRoute(path), status: String(status) }),
      })
    : undefined;

  // Leaders (one per role across replicas, by lease rows): the alert poller, the inventory refresher.
  const leaderOf = (role: string) =>
    createLeaderLease({
      leases: options.store.leases,
      role,
      owner: options.owner,
      ttlSeconds: tuning.leaderLeaseSeconds,
      log: log.child({ component: 'leader' }),
      onChange: (leader) => {
        options.metrics.leaseHeld.set({ role }, leader ? 1 : 0);
        if (leader && role === ALERT_POLLER && postsAlerts && config.alerts.pollSeconds > 0) {
          // A new leader polls at once: alerts raised while the old one was dying are not late.
          tasks.run(() => alerts.pollOnce()).catch((error: unknown) => log.warn({ err: error }, 'first poll as leader failed'));
        }
        if (leader && role === INVENTORY_REFRESHER) {
          // A new inventory leader lists at once and stores the snapshot: replicas started together
          // find it when their caches first load, instead of each listing Mackerel itself.
          inventory.refresh().catch((error: unknown) => log.warn({ err: error }, 'first inventory load as leader failed'));
        }
      },
    });
  const pollerLease = leaderOf(ALERT_POLLER);
  // With several replicas (PostgreSQL), the inventory leader lists Mackerel once per TTL and the
  // others read its snapshot; one process lists Mackerel itself.
  const shared = options.store.backend === 'postgres' && mackerel !== undefined;
  const inventoryLease = shared ? leaderOf(INVENTORY_REFRESHER) : undefined;
  const mackerelSource = mackerel ? createMackerelInventorySource({ client: mackerel }) : undefined;
  const inventory = createInventoryCache({
    source: mackerelSource
      ? inventoryLease
        ? createSharedInventorySource({
            source: mackerelSource,
            snapshots: options.store.snapshots,
            leader: inventoryLease,
            role: INVENTORY_REFRESHER,
            notify: (topic) => options.store.notify(topic),
            log: log.child({ component: 'inventory' }),
          })
        : mackerelSource
      : createYamlInventorySource({ file: config.inventoryFile, now }),
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
  const alertData = mackerel ? createMackerelAlertData({ client: mackerel, now }) : createDemoAlertData({ now });
  const alerts = assembleAlertJob({
    data: alertData,
    store: options.store.alerts,
    config: postsAlerts ? config.alerts : { ...config.alerts, pollSeconds: 0 },
    log: log.child({ component: 'alerts' }),
    now,
    tasks,
    render: renderGraph,
    renderConcurrency: graphPool.size,
    claimTakeoverSeconds: tuning.alertClaimTakeoverSeconds,
    leader: pollerLease,
    onOutcome: (kind) => options.metrics.alertPosts.inc({ kind }),
    // Buttons only where they can be pressed (Slack); "Close in Mackerel" only when the key may write.
    buttons: config.mode !== 'shell',
    present,
    ...(mackerel && config.alerts.closeButton ? { closeAlert: async (id: string, reason: string) => void (await mackerel.closeAlert(id, reason)) } : {}),
  });
  const alertCommands = createAlertCommands({ service: alerts, inventory, data: alertData, now, present, render: renderGraph });

  const relayLog = log.child({ component: 'relay' });

  const s3Client = config.uploads.some((rule) => rule.destination.startsWith('s3://'))
    ? createS3Client(config.s3, config.s3.credentials ? { credentials: config.s3.credentials } : {})
    : undefined;
  const slackFiles = config.slack.botToken
    ? createSlackFilesApi({ apiUrl: config.slack.apiUrl, botToken: config.slack.botToken, ...(config.slack.userToken ? { userToken: config.slack.userToken } : {}), log: relayLog })
    : undefined;
  const s3 = s3Client
    ? createS3Destination({
        client: s3Client,
        partSizeBytes: config.s3.partSizeBytes,
        queueSize: config.s3.queueSize,
        log: relayLog,
        aborts: options.store.aborts,
        abortRetrySeconds: tuning.abortRetrySeconds,
      })
    : undefined;
  const relay = createRelayService({
    relays: options.store.relays,
    owner: options.owner,
    leaseSeconds: tuning.relayLeaseSeconds,
    ...(s3 ? { s3 } : {}),
    onOutcome: ({ kind, destinationKind, bytes, seconds }) => {
      options.metrics.relays.inc({ outcome: kind, destination_kind: destinationKind });
      if (bytes !== undefined) options.metrics.relayBytes.inc({ destination_kind: destinationKind }, bytes);
      if (kind !== 'duplicate') options.metrics.relaySeconds.observe({ outcome: kind }, seconds);
    },
    files: createFileDestination({ log: relayLog }),
    ...(slackFiles?.canDelete ? { deleteSlackFile: (id: string) => slackFiles.deleteFile(id) } : {}),
    log: relayLog,
    now,
  });
  const slackFileOpener = config.slack.botToken
    ? createSlackFileOpener(createSlackFileDownloader({ token: config.slack.botToken, log: relayLog, trustedHost: trustSlackAndApiHost(config.slack.apiUrl) }))
    : undefined;
  const onFileShare = createFileShareHandler({
    rules: config.uploads,
    relay,
    log: relayLog,
    present,
    signal: tasks.signal,
    // A relay taken over from a run that died fetches the file again by id.
    ...(slackFiles && slackFileOpener ? { openFileById: async (id: string, signal?: AbortSignal) => slackFileOpener(await slackFiles.fileInfo(id), signal) } : {}),
    // Failed replies get a Retry button (Slack mode: the file can be fetched again by id).
    getJob: (fileId: string, destination: string) => options.store.relays.get(fileId, destination),
    runInBackground: (task: () => Promise<void>) => void tasks.run(task).catch((error: unknown) => relayLog.error({ err: error }, 'retried relay failed')),
  });
  const onAction = createActHandler({
    alerts,
    relay: onFileShare,
    permissions: createPermissionCheck({
      permissions: config.permissions,
      ...(options.groupMembers ? { groupMembers: options.groupMembers } : {}),
      log: log.child({ component: 'permissions' }),
    }),
    present,
    log: log.child({ component: 'act' }),
  });
  let recovery: ReturnType<typeof createRelayRecovery> | undefined;
  let unsubscribeInventory: (() => void) | undefined;

  // The help command lists the registry it belongs to: it looks it up when it runs.
  const getRegistry = () => registry;
  const registry: CommandRegistry = createCommandRegistry([
    createHelpCommand({ registry: getRegistry, present }),
    ...createLookupCommands({ inventory, log, now, present }),
    createUploadsCommand({ relays: options.store.relays, present }),
    ...alertCommands,
  ]);
  const onMention = createMentionDispatcher({ registry, log, present, onUnknown: createUnknownCommandHandler({ registry: getRegistry, present }) });

  return {
    present,
    registry,
    onMention,
    onFileShare,
    isRelayComment: (text) => isRelayComment(config.uploads, text),
    ...(slackFileOpener ? { openSlackFile: slackFileOpener } : {}),
    mackerelWebhook: alerts.webhookHandler,
    onAction,
    alerts,
    async start(chat) {
      pollerLease.start();
      inventoryLease?.start();
      // A new shared snapshot is announced: followers load it now rather than at their next TTL.
      if (inventoryLease)
        unsubscribeInventory = options.store.subscribe(INVENTORY_TOPIC, () => {
          if (!inventoryLease.isLeader()) inventory.refresh().catch(() => undefined);
        });
      inventory.start();
      alerts.start(chat);
      // Every run sweeps: relays a dead run left are finished or reported, failed aborts retried.
      recovery = createRelayRecovery({
        relays: options.store.relays,
        owner: options.owner,
        leaseSeconds: tuning.relayLeaseSeconds,
        intervalMs: tuning.relaySweepSeconds * 1000,
        log: relayLog,
        ...(s3 ? { sweepAborts: () => s3.sweepAborts(options.owner) } : {}),
        resume: (job) => tasks.run(() => onFileShare.resume(job, chat)).catch((error: unknown) => relayLog.error({ err: error, file: job.fileId }, 'resumed relay failed')),
      });
      recovery.start();
    },
    async stop() {
      recovery?.stop();
      unsubscribeInventory?.();
      await Promise.all([pollerLease.stop(), inventoryLease?.stop()]);
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
