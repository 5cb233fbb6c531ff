import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../core/config.ts';
import type { Logger } from '../core/logger.ts';
import type { TaskTracker } from '../core/task-tracker.ts';
import { replyTarget, type ChatPort, type FileShareEvent } from '../handlers/chat-port.ts';
import type { MentionHandler } from '../handlers/mention-dispatcher.ts';
import type { EventStore } from '../core/state/types.ts';
import { toBoltLogger } from './bolt-logger.ts';
import { code, joinMd, lines, type ChatMessage } from '../core/message.ts';
import { OUTCOME_GLYPHS } from '../handlers/present/glyphs.ts';
import type { Presenter } from '../handlers/present/presenter.ts';
import type { ActHandler } from '../handlers/act/act-handler.ts';
import { createEphemeralReply, type EphemeralReply } from './respond.ts';
import { toActionPress, toSlashCommand } from './slack-interactions.ts';
import { createSlackChatPort } from './slack-chat-port.ts';
import { checkSlackMessage, isFromPerson, isHostedFile, toFileShareEvent, toMentionEvent, type OpenSlackFile, type SlackFileObject, type SlackMessageLike } from './slack-events.ts';

export interface SlackAppOptions {
  config: Config;
  log: Logger;
  /** The team's words (the few things the Slack edge says itself). */
  present: Presenter;
  onMention: MentionHandler;
  onFileShare: (event: FileShareEvent, chat: ChatPort) => Promise<void>;
  /** True when a comment starts with a relay keyword: such a mention is the relay's, not a command. */
  isRelayComment: (text: string) => boolean;
  /** Streams a Slack file's bytes (the relay's downloader). */
  openFile: OpenSlackFile;
  events: EventStore;
  tasks: TaskTracker;
  /** The chat port replies go through (the durable outbox in production); default: straight Web API calls. */
  makeChat?: (client: WebClient) => ChatPort;
  /** Button presses on opsbot's messages (alert posts, failed relays). */
  onAction?: ActHandler;
  /** Told about every ephemeral reply sent to a response_url (for metrics). */
  onRespond?: (result: 'ok' | 'error') => void;
}

export interface SlackApp {
  app: App;
  client: WebClient;
  chat: ChatPort;
  /** HTTP mode: the handler for POST /slack/events (mounted on opsbot's own server). */
  eventsListener?: RequestListener;
  /** Connects (Socket Mode) and checks the token with auth.test. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Bolt app: Slack transport only. It turns Slack's events into opsbot's platform-neutral
 * events and hands them to the handlers; retries and duplicates are claimed once in the ledger.
 */
export function createSlackApp(options: SlackAppOptions): SlackApp {
  const { config, log, events, tasks, present } = options;
  const boltLogger = toBoltLogger(log);
  const receiver: Receiver =
    config.mode === 'socket'
      ? new SocketModeReceiver({ appToken: config.slack.appToken!, logger: boltLogger, installerOptions: { clientOptions: { slackApiUrl: config.slack.apiUrl } } })
      : new HTTPReceiver({ signingSecret: config.slack.signingSecret!, logger: boltLogger, unhandledRequestTimeoutMillis: 3001 });
  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger: boltLogger,
    deferInitialization: true,
    clientOptions: { slackApiUrl: config.slack.apiUrl, retryConfig: { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 } },
  });
  const client = app.client;
  const chat = options.makeChat ? options.makeChat(client) : createSlackChatPort({ client, log });
  let botUserId: string | undefined;

  const handleMention = async (message: SlackMessageLike) => {
    if (!(await events.claim(`mention:${message.channel}:${message.ts}`))) return;
    const event = toMentionEvent(message, botUserId);
    tasks.run(() => options.onMention(event, chat)).catch((error: unknown) => log.error({ err: error }, 'mention handler failed'));
  };

  /** Events whose shape opsbot cannot use are dropped here, logged once per kind of problem. */
  const unusable = new Set<string>();
  const check = (kind: string, raw: unknown) => {
    const message = checkSlackMessage(raw);
    if (!message && !unusable.has(kind)) {
      unusable.add(kind);
      log.warn({ kind }, 'a Slack event without a usable channel or ts was ignored (logged once)');
    }
    return message;
  };

  app.event('app_mention', async ({ event }) => {
    const message = check('app_mention', event);
    if (!message || message.subtype === 'document_mention' || !isFromPerson(message, botUserId)) return;
    // A file shared with "@opsbot !fileupload" arrives as a file_share message too; that one relays it.
    if (message.files?.length && options.isRelayComment(toMentionEvent(message, botUserId).text)) return;
    await handleMention(message);
  });

  app.message(async ({ message }) => {
    const m = check('message', message);
    if (!m || !isFromPerson(m, botUserId)) return;
    if (m.subtype === 'file_share') {
      // Only a comment with a relay keyword is worth a files.info call (Slack Connect stubs).
      const comment = toMentionEvent(m, botUserId);
      if (!options.isRelayComment(comment.text)) return;
      const { files, skipped } = await resolveFiles(client, m.files ?? [], log);
      if (skipped.length > 0) {
        const text = lines(skipped.map((s) => joinMd([OUTCOME_GLYPHS.warning, present.t('relay.skipped', { file: code(s.name), reason: present.t(SKIP_REASONS[s.reason]) })], ' ')));
        void chat.post(replyTarget(comment), { text }).catch((error: unknown) => log.warn({ err: error }, 'could not explain skipped files'));
      }
      if (files.length === 0) return;
      const event = toFileShareEvent(m, files, options.openFile);
      void tasks.run(() => options.onFileShare(event, chat)).catch((error: unknown) => log.error({ err: error }, 'file share handler failed'));
    } else if (m.channel_type === 'im' && !m.subtype) {
      await handleMention(m);
    }
  });

  const ephemeral = (responseUrl: string | undefined): EphemeralReply =>
    createEphemeralReply({ responseUrl, apiUrl: config.slack.apiUrl, log, ...(options.onRespond ? { onCall: options.onRespond } : {}) });

  // Buttons: acknowledged at once (Slack wants an answer within 3 s), handled in the background.
  app.action(/^opsbot_/, async ({ ack, body }) => {
    await ack();
    const press = toActionPress(body);
    if (!press) {
      if (!unusable.has('block_actions')) {
        unusable.add('block_actions');
        log.warn('a button press without a usable user, channel, message or value was ignored (logged once)');
      }
      return;
    }
    const reply = ephemeral(press.responseUrl);
    const onAction = options.onAction;
    if (!onAction) return void (await reply({ text: present.t('relay.slack.inertButton') }));
    tasks.run(() => onAction(press.press, chat, reply)).catch((error: unknown) => log.error({ err: error }, 'button handler failed'));
  });

  // `/opsbot <command>`: every command, answered to the person alone.
  app.command('/opsbot', async ({ ack, body }) => {
    await ack();
    const command = toSlashCommand(body);
    if (!command) return;
    const reply = ephemeral(command.responseUrl);
    const event = { user: command.user, channel: command.channel, ts: command.ts, text: command.text };
    tasks.run(() => options.onMention(event, ephemeralChat(reply, command.channel, present))).catch((error: unknown) => log.error({ err: error }, 'slash command failed'));
  });

  app.error(async (error) => {
    log.error({ err: error }, 'bolt error');
  });

  return {
    app,
    client,
    chat,
    ...(receiver instanceof HTTPReceiver ? { eventsListener: receiver.requestListener } : {}),
    async start() {
      await app.init();
      const auth = await client.auth.test();
      botUserId = auth.user_id;
      log.info({ botUserId, team: auth.team }, 'connected to Slack');
      if (config.mode === 'socket') await app.start();
    },
    async stop() {
      if (config.mode === 'socket') await app.stop();
    },
  };
}

/**
 * The chat port a slash command answers through: every reply is ephemeral (seen by the person
 * who typed it). Reactions mean nothing there; an image cannot be ephemeral, so it is described.
 */
function ephemeralChat(reply: EphemeralReply, channel: string, present: Presenter): ChatPort {
  let seq = 0;
  const say = async (message: ChatMessage) => {
    await reply(message);
    return { channel, ts: `ephemeral.${++seq}` };
  };
  return {
    post: (_target, message) => say(message),
    update: async (_ref, message) => void (await say(message)),
    react: async () => undefined,
    unreact: async () => undefined,
    uploadImage: async (_target, image) => void (await say({ text: joinMd([':frame_with_picture:', present.t('relay.slack.graphNotPrivate', { title: image.title })], ' ') })),
  };
}

/** Why a shared file cannot be relayed: an external link, or a stub Slack would not describe. */
interface SkippedFile {
  name: string;
  reason: 'external' | 'noInfo';
}

const SKIP_REASONS = { external: 'relay.skipped.external', noInfo: 'relay.skipped.noInfo' } as const;

/**
 * Slack Connect files arrive as stubs without URLs; files.info has the real object. Files with
 * no Slack-hosted bytes (external links) or that Slack will not describe are skipped, with why.
 */
async function resolveFiles(client: WebClient, files: SlackFileObject[], log: Logger): Promise<{ files: SlackFileObject[]; skipped: SkippedFile[] }> {
  const resolved: SlackFileObject[] = [];
  const skipped: SkippedFile[] = [];
  for (const file of files) {
    const name = file.name || file.title || file.id;
    let full = file;
    if (!isHostedFile(file)) {
      skipped.push({ name, reason: 'external' });
      continue;
    }
    if (file.file_access === 'check_file_info' || (!file.url_private_download && !file.url_private)) {
      try {
        full = (await client.files.info({ file: file.id })).file as SlackFileObject;
      } catch (error) {
        log.warn({ err: error, file: file.id }, 'files.info failed for a file stub');
        skipped.push({ name, reason: 'noInfo' });
        continue;
      }
    }
    if (isHostedFile(full)) resolved.push(full);
    else skipped.push({ name, reason: 'external' });
  }
  return { files: resolved, skipped };
}
