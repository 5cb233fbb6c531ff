import type { UploadRule } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { OpsbotError } from '../../core/errors.ts';
import { replyTarget, type ChatMessage, type ChatPort, type FileShareEvent, type MessageRef, type SharedFile } from '../chat-port.ts';
import type { RelayOutcome, RelayService } from '../../services/relay/relay-service.ts';
import { matchUploadRule } from '../../services/relay/upload-rules.ts';
import { createEditThrottle, type EditThrottle } from './progress-throttle.ts';
import { renderAlreadyStored, renderNotAllowed, renderProgress, renderRelayDone, renderRelayFailed } from './render-relay.ts';

export const WORKING_REACTION = 'hourglass_flowing_sand';
export const DONE_REACTION = 'white_check_mark';
export const FAILED_REACTION = 'x';

export interface FileShareHandlerOptions {
  rules: readonly UploadRule[];
  relay: RelayService;
  log: Logger;
  /** How often the progress message is edited. */
  progressIntervalMs?: number;
  /** Files at least this big get a progress message from the start; smaller ones only when slow. */
  progressThresholdBytes?: number;
  /** Shared across handlers so all edits in a channel are paced together. */
  throttle?: EditThrottle;
  /** Aborts transfers at shutdown (the task tracker's signal). */
  signal?: AbortSignal;
}

export type FileShareHandler = (event: FileShareEvent, chat: ChatPort) => Promise<void>;

/**
 * Relays files shared with a relay keyword: reaction on start, progress for large or slow
 * files, a thread reply with where it landed (or why not), and a final reaction. Files without
 * a keyword are ignored; retries of a handled message stay silent.
 */
export function createFileShareHandler(options: FileShareHandlerOptions): FileShareHandler {
  const { log } = options;
  const intervalMs = options.progressIntervalMs ?? 3000;
  const threshold = options.progressThresholdBytes ?? 20 * 1024 * 1024;
  const throttle = options.throttle ?? createEditThrottle();

  return async (event, chat) => {
    const match = matchUploadRule(options.rules, event);
    if (match.kind === 'none' || event.files.length === 0) return;
    const target = replyTarget(event);
    const say = (message: ChatMessage) => chat.post(target, message).catch((error: unknown) => log.warn({ err: error }, 'could not post a relay reply'));
    if (match.kind === 'denied') {
      log.info({ channel: event.channel, user: event.user, keyword: match.keyword, reason: match.reason }, 'relay keyword not allowed here');
      await say(renderNotAllowed(match.keyword, match.reason));
      return;
    }
    const message: MessageRef = { channel: event.channel, ts: event.ts };
    // The ⏳ reaction, once the first transfer starts. Its removal waits for it: reactions on one
    // message are applied in order, or a slow add lands after the remove and ⏳ stays beside ✅/❌.
    let working: Promise<void> | undefined;
    let stored = 0;
    let failed = 0;
    const startWork = () => {
      working ??= chat.react(message, WORKING_REACTION).catch((error: unknown) => log.warn({ err: error }, 'could not add the working reaction'));
    };

    for (const file of event.files) {
      const progress = createProgress({ chat, target, file, intervalMs, threshold, throttle, log });
      let outcome: RelayOutcome;
      try {
        outcome = await options.relay.relay({
          file,
          rule: match.rule,
          user: event.user,
          channel: event.channel,
          eventKey: `${event.channel}:${event.ts}`,
          onStart: () => {
            startWork();
            progress.start();
          },
          onProgress: (bytes) => progress.update(bytes),
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        failed++;
        const userMessage = error instanceof OpsbotError ? error.userMessage : 'Something unexpected went wrong, so nothing was stored. Please try again; if it keeps failing, tell the opsbot admins.';
        await progress.finish(renderRelayFailed(file.name, userMessage));
        await say(renderRelayFailed(file.name, userMessage));
        continue;
      }
      if (outcome.kind === 'stored') {
        stored++;
        await progress.finish(renderRelayDone(file.name, outcome.result));
        await say(renderRelayDone(file.name, outcome.result));
      } else {
        await progress.finish(undefined);
        if (!outcome.sameEvent && outcome.previous) await say(renderAlreadyStored(file.name, outcome.previous));
      }
    }

    if (!working) return;
    await working;
    await chat.unreact(message, WORKING_REACTION);
    if (failed > 0) await chat.react(message, FAILED_REACTION);
    else if (stored > 0) await chat.react(message, DONE_REACTION);
  };
}

/** The progress message of one file: posted early for big files, or once a small one proves slow. */
function createProgress(input: {
  chat: ChatPort;
  target: { channel: string; threadTs?: string };
  file: SharedFile;
  intervalMs: number;
  threshold: number;
  throttle: EditThrottle;
  log: Logger;
}) {
  const { chat, target, file, log } = input;
  let bytes = 0;
  let startedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let ref: Promise<MessageRef | undefined> | undefined;
  const render = () => renderProgress(file.name, bytes, file.size, bytes / Math.max(0.001, (Date.now() - startedAt) / 1000));
  const post = () => {
    ref ??= chat.post(target, render()).catch((error: unknown) => {
      log.warn({ err: error }, 'could not post relay progress');
      return undefined;
    });
  };
  const tick = async () => {
    if (!ref) return post();
    const posted = await ref;
    if (posted && input.throttle.tryTake(target.channel)) {
      await chat.update(posted, render()).catch((error: unknown) => log.debug({ err: error }, 'progress edit failed'));
    }
  };
  return {
    start() {
      startedAt = Date.now();
      if (file.size >= input.threshold) post();
      timer = setInterval(() => {
        tick().catch((error: unknown) => log.debug({ err: error }, 'progress tick failed'));
      }, input.intervalMs);
      timer.unref();
    },
    update(next: number) {
      bytes = next;
    },
    /** Stops ticking; the progress message (if any) shows the final result. */
    async finish(final: ChatMessage | undefined) {
      clearInterval(timer);
      const posted = await ref;
      if (posted && final && !input.throttle.tryTake(target.channel)) await new Promise((resolve) => setTimeout(resolve, 1000));
      if (posted && final) await chat.update(posted, final).catch((error: unknown) => log.debug({ err: error }, 'final progress edit failed'));
    },
  };
}
