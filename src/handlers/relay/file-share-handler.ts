import type { UploadRule } from '../../core/config.ts';
import type { Logger } from '../../core/logger.ts';
import { OpsbotError, type ErrorCode } from '../../core/errors.ts';
import type { Lease, RelayJob } from '../../core/state/types.ts';
import { replyTarget, type ChatMessage, type ChatPort, type ChatTarget, type FileShareEvent, type MessageRef, type SharedFile } from '../chat-port.ts';
import type { RelayHooks, RelayOutcome, RelayService } from '../../services/relay/relay-service.ts';
import { matchUploadRule } from '../../services/relay/upload-rules.ts';
import { code, type Mrkdwn } from '../../core/message.ts';
import type { Presenter } from '../present/presenter.ts';
import { createEditThrottle, type EditThrottle } from './progress-throttle.ts';
import { renderAlreadyRelaying, renderAlreadyStored, renderNotAllowed, renderProgress, renderRelayDone, renderRelayFailed, renderRetrying } from './render-relay.ts';

export const WORKING_REACTION = 'hourglass_flowing_sand';
export const DONE_REACTION = 'white_check_mark';
export const FAILED_REACTION = 'x';

export interface FileShareHandlerOptions {
  rules: readonly UploadRule[];
  relay: RelayService;
  log: Logger;
  /** The team's words, units and times. */
  present: Presenter;
  /**
   * Opens a file by id for a relay taken over from a run that died (Slack: files.info, then the
   * download). Without it (the local shell) such a relay is reported as failed.
   */
  openFileById?: (fileId: string, signal?: AbortSignal) => ReturnType<SharedFile['open']>;
  /** How often the progress message is edited. */
  progressIntervalMs?: number;
  /** Files at least this big get a progress message from the start; smaller ones only when slow. */
  progressThresholdBytes?: number;
  /** Shared across handlers so all edits in a channel are paced together. */
  throttle?: EditThrottle;
  /** Aborts transfers at shutdown (the task tracker's signal). */
  signal?: AbortSignal;
  /** Reads a relay job (the store); with `openFileById`, failed replies get a Retry button. */
  getJob?: (fileId: string, destination: string) => Promise<RelayJob | null>;
  /** Runs a retried relay in the background (the task tracker), so shutdown waits for it. */
  runInBackground?: (task: () => Promise<void>) => void;
}

/** What pressing Retry did, in words for the person who pressed it (shown only to them, as it is). */
export interface RetryOutcome {
  kind: 'started' | 'noop' | 'failed';
  note?: Mrkdwn;
}

export interface FileShareHandler {
  (event: FileShareEvent, chat: ChatPort): Promise<void>;
  /** Finishes (or reports) a relay that a previous run of the bot started and did not finish. */
  resume(job: RelayJob & { lease: Lease }, chat: ChatPort): Promise<void>;
  /** The Retry button of a failed relay: claims the job again (a new attempt) and relays the file again. */
  retry(input: { fileId: string; destination: string; byName: string }, chat: ChatPort): Promise<RetryOutcome>;
}

/** Failures a retry cannot fix (the file is too big, gone from Slack…): no Retry button. */
const FINAL_FAILURES: ReadonlySet<string> = new Set<ErrorCode>(['too_big', 'slack_file_gone', 'slack_delete_unconfigured', 'destination_exists']);

/** `C…:ts:retry:2` → 2; 0 for the first attempt. */
function retryNumber(eventKey: string): number {
  const m = /:retry:(\d+)$/.exec(eventKey);
  return m ? Number(m[1]) : 0;
}

/**
 * Idempotency keys of everything said about one relay. Whichever run of the bot does the work
 * (the first, a retry, a replica taking over), each of these is said once: one progress message,
 * one final reply per file, and the message's reactions in order.
 */
const keysOf = (fileId: string, destination: string, eventKey: string) => {
  // A retry (Retry button) is a new attempt with its own messages; the first attempt keeps the plain keys.
  const n = retryNumber(eventKey);
  const attempt = n > 0 ? `:retry:${n}` : '';
  return {
    progress: `relay:${fileId}:${destination}:progress${attempt}`,
    progressFinal: `relay:${fileId}:${destination}:progress:final${attempt}`,
    outcome: `relay:${fileId}:${destination}:outcome${attempt}`,
  };
};
const reactionKeys = (eventKey: string) => ({
  working: `relay:${eventKey}:react:${WORKING_REACTION}`,
  workingOff: `relay:${eventKey}:unreact:${WORKING_REACTION}`,
  final: `relay:${eventKey}:react:final`,
});

/**
 * Relays files shared with a relay keyword: reaction on start, progress for large or slow
 * files, a thread reply with where it landed (or why not), and a final reaction. Files without
 * a keyword are ignored; retries of a handled message stay silent. A relay cut short by a
 * shutdown is left to the next run (or another replica), which resumes it and says the outcome.
 */
export function createFileShareHandler(options: FileShareHandlerOptions): FileShareHandler {
  const { log, present } = options;
  const intervalMs = options.progressIntervalMs ?? 3000;
  const threshold = options.progressThresholdBytes ?? 20 * 1024 * 1024;
  const throttle = options.throttle ?? createEditThrottle();

  /** Runs one file's relay and tells the thread how it went. */
  async function relayAndReport(input: {
    chat: ChatPort;
    target: ChatTarget;
    eventKey: string;
    file: SharedFile;
    destination: string;
    run: (hooks: RelayHooks) => Promise<RelayOutcome>;
    /** The message's ⏳, added at most once per message by this run; settling waits for it. */
    working: WorkingReaction;
    /** A resumed relay: the dead run's progress message (same key) is continued and finished. */
    resumed?: boolean;
  }): Promise<'reported' | 'aborted' | 'quiet'> {
    const { chat, target, file, eventKey, working } = input;
    const keys = keysOf(file.id, input.destination, eventKey);
    const say = (text: ChatMessage, key: string) => chat.post(target, text, { key }).catch((error: unknown) => log.warn({ err: error }, 'could not post a relay reply'));
    const progress = createProgress({ chat, target, file, present, intervalMs, threshold, throttle, log, key: keys.progress });
    let outcome: RelayOutcome;
    try {
      outcome = await input.run({
        onStart: () => {
          working.add();
          progress.start(input.resumed === true);
        },
        onProgress: (bytes) => progress.update(bytes),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (error instanceof OpsbotError && error.code === 'relay_aborted') {
        // Shutdown: the job was given back; the next run resumes it and reports the outcome.
        progress.stop();
        return 'aborted';
      }
      const errorCode = error instanceof OpsbotError ? error.code : 'relay_failed';
      const retryable = options.openFileById !== undefined && options.getJob !== undefined && !FINAL_FAILURES.has(errorCode);
      const failed = renderRelayFailed(present, file.name, present.error(error), retryable ? { retry: { fileId: file.id, destination: input.destination } } : {});
      await progress.finish(failed, keys.progressFinal);
      await say(failed, keys.outcome);
      return 'reported';
    }
    if (outcome.kind === 'stored') {
      const done = renderRelayDone(present, file.name, outcome.result);
      await progress.finish(done, keys.progressFinal);
      await say(done, keys.outcome);
      return 'reported';
    }
    progress.stop();
    if (outcome.kind === 'duplicate') {
      if (!outcome.sameEvent && outcome.previous) await say(renderAlreadyStored(present, file.name, outcome.previous), `${keys.outcome}:again:${eventKey}`);
      else if (!outcome.sameEvent && outcome.inProgress) await say(renderAlreadyRelaying(present, file.name), `${keys.outcome}:again:${eventKey}`);
      return 'quiet';
    }
    // Superseded: another run holds the job now and reports it.
    return 'quiet';
  }

  /**
   * The message's reaction once none of its files is still being relayed: ⏳ off, then ✅ when
   * all were stored or ❌ when any failed. Reactions on one message go out in order (the outbox
   * groups them), so the message never ends with ⏳ beside the result.
   */
  async function settleReactions(chat: ChatPort, message: MessageRef, eventKey: string, working: WorkingReaction): Promise<void> {
    const state = await options.relay.messageState(eventKey).catch(() => 'working' as const);
    if (state === 'working' || state === 'none') return;
    const keys = reactionKeys(eventKey);
    try {
      // In order: the ⏳ add must have been applied before it is removed, or it lands after the removal.
      await working.added();
      await chat.unreact(message, WORKING_REACTION, { key: keys.workingOff });
      await chat.react(message, state === 'failed' ? FAILED_REACTION : DONE_REACTION, { key: keys.final });
    } catch (error) {
      log.warn({ err: error }, 'could not set the final reaction');
    }
  }

  const handler = async (event: FileShareEvent, chat: ChatPort) => {
    const match = matchUploadRule(options.rules, event);
    if (match.kind === 'none' || event.files.length === 0) return;
    const target = replyTarget(event);
    const eventKey = `${event.channel}:${event.ts}`;
    if (match.kind === 'denied') {
      log.info({ channel: event.channel, user: event.user, keyword: match.keyword, reason: match.reason }, 'relay keyword not allowed here');
      await chat
        .post(target, renderNotAllowed(present, match.keyword, match.reason), { key: `relay:${eventKey}:denied` })
        .catch((error: unknown) => log.warn({ err: error }, 'could not post a relay reply'));
      return;
    }
    const message: MessageRef = { channel: event.channel, ts: event.ts };
    const intent = { channel: event.channel, messageTs: event.ts, user: event.user, ...(event.threadTs ? { threadTs: event.threadTs } : {}) };
    const working = workingReaction(chat, message, eventKey);
    // Every file is claimed (its intent recorded) before the first is relayed: a run that dies
    // mid-way leaves all of them to the next run, not just the one it was working on.
    const claims = [];
    for (const file of event.files) claims.push({ file, claim: await options.relay.claim({ file, rule: match.rule, intent, eventKey }) });
    let aborted = false;
    let reported = false;
    for (const { file, claim } of claims) {
      if (aborted || options.signal?.aborted) {
        // Shutdown: give the files not started back to the next run.
        if (claim.kind === 'claimed') await claim.release().catch((error: unknown) => log.warn({ err: error }, 'could not release a relay'));
        continue;
      }
      const outcome = await relayAndReport({
        chat,
        target,
        eventKey,
        working,
        file,
        destination: match.rule.destination,
        run: (hooks) => (claim.kind === 'claimed' ? claim.run(hooks) : Promise.resolve(claim)),
      });
      if (outcome === 'aborted') aborted = true;
      if (outcome === 'reported') reported = true;
    }
    // A retry of a handled message did nothing and says nothing.
    if (reported) await settleReactions(chat, message, eventKey, working);
  };

  handler.resume = async (job: RelayJob & { lease: Lease }, chat: ChatPort) => {
    const { intent } = job;
    // The rule may have changed since: the job keeps its destination; limits come from the rule if it is still there.
    const rule = options.rules.find((r) => r.keyword === intent.keyword && r.destination === job.destination) ?? { keyword: intent.keyword, destination: job.destination };
    const openById = options.openFileById;
    const file: SharedFile = {
      id: job.fileId,
      name: intent.fileName,
      size: intent.fileSize,
      ...(intent.mimetype ? { mimetype: intent.mimetype } : {}),
      open: openById
        ? (signal) => openById(job.fileId, signal)
        : () => Promise.reject(new OpsbotError('relay_interrupted', {}, { message: 'resumed relay without a way to fetch the file again' })),
    };
    const message = { channel: intent.channel, ts: intent.messageTs };
    const working = workingReaction(chat, message, job.eventKey);
    const outcome = await relayAndReport({
      chat,
      target: { channel: intent.channel, threadTs: intent.threadTs ?? intent.messageTs },
      eventKey: job.eventKey,
      working,
      file,
      destination: job.destination,
      run: (hooks) => options.relay.resume(job, file, rule, hooks),
      resumed: true,
    });
    if (outcome === 'reported') await settleReactions(chat, message, job.eventKey, working);
  };
  handler.retry = async (input: { fileId: string; destination: string; byName: string }, chat: ChatPort): Promise<RetryOutcome> => {
    const openById = options.openFileById;
    if (!openById || !options.getJob) return { kind: 'failed', note: present.t('relay.retry.unavailable') };
    const job = await options.getJob(input.fileId, input.destination);
    if (!job) return { kind: 'failed', note: present.t('relay.retry.unknown') };
    if (job.state === 'done') {
      return { kind: 'noop', note: job.stored ? present.t('relay.retry.alreadyStored', { location: code(job.stored.location) }) : present.t('relay.retry.alreadyStoredSomewhere') };
    }
    if (job.state === 'in_progress') return { kind: 'noop', note: present.t('relay.retry.inProgress') };
    const { intent } = job;
    const rule = options.rules.find((r) => r.keyword === intent.keyword && r.destination === job.destination);
    if (!rule) return { kind: 'failed', note: present.t('relay.retry.ruleGone') };
    // A new attempt claims the failed job under its own key (`…:retry:<n>`): two presses of one
    // Retry compute the same key, so only one of them wins the claim.
    const base = job.eventKey.replace(/:retry:\d+$/, '');
    const eventKey = `${base}:retry:${retryNumber(job.eventKey) + 1}`;
    const file: SharedFile = {
      id: job.fileId,
      name: intent.fileName,
      size: intent.fileSize,
      ...(intent.mimetype ? { mimetype: intent.mimetype } : {}),
      open: (signal) => openById(job.fileId, signal),
    };
    const claim = await options.relay.claim({
      file,
      rule,
      intent: { channel: intent.channel, messageTs: intent.messageTs, user: intent.user, ...(intent.threadTs ? { threadTs: intent.threadTs } : {}) },
      eventKey,
    });
    if (claim.kind !== 'claimed') return { kind: 'noop', note: present.t(claim.inProgress ? 'relay.retry.alreadyRetrying' : 'relay.retry.handled') };
    const target = { channel: intent.channel, threadTs: intent.threadTs ?? intent.messageTs };
    const message = { channel: intent.channel, ts: intent.messageTs };
    log.info({ file: job.fileId, destination: job.destination, eventKey }, 'relay retried from Slack');
    const work = async () => {
      await chat
        .post(target, renderRetrying(present, intent.fileName, input.byName), { key: `relay:${job.fileId}:${job.destination}:retrying:${retryNumber(eventKey)}` })
        .catch((error: unknown) => log.warn({ err: error }, 'could not post a relay reply'));
      const working = workingReaction(chat, message, eventKey);
      const outcome = await relayAndReport({ chat, target, eventKey, working, file, destination: job.destination, run: (hooks) => claim.run(hooks) });
      if (outcome === 'reported') await settleRetried(chat, message, base, eventKey, working);
    };
    if (options.runInBackground) options.runInBackground(work);
    else void work().catch((error: unknown) => log.error({ err: error }, 'retried relay failed'));
    return { kind: 'started' };
  };

  /**
   * After a retry, the shared message's reaction: ✅ in place of ❌ once the retried file is stored
   * and none of the message's other files failed.
   */
  async function settleRetried(chat: ChatPort, message: MessageRef, eventKey: string, retryKey: string, working: WorkingReaction): Promise<void> {
    const keys = reactionKeys(retryKey);
    try {
      await working.added();
      await chat.unreact(message, WORKING_REACTION, { key: keys.workingOff });
      const [others, retried] = await Promise.all([options.relay.messageState(eventKey), options.relay.messageState(retryKey)]);
      if (retried !== 'done' || others === 'failed' || others === 'working') return;
      await chat.unreact(message, FAILED_REACTION, { key: `relay:${retryKey}:unreact:${FAILED_REACTION}` });
      await chat.react(message, DONE_REACTION, { key: keys.final });
    } catch (error) {
      log.warn({ err: error }, 'could not set the reaction after a retry');
    }
  }

  /** The ⏳ on a shared message: added once (and once across runs, by its key), awaited before its removal. */
  function workingReaction(chat: ChatPort, message: MessageRef, eventKey: string): WorkingReaction {
    let adding: Promise<void> | undefined;
    return {
      add() {
        adding ??= chat.react(message, WORKING_REACTION, { key: reactionKeys(eventKey).working }).catch((error: unknown) => log.warn({ err: error }, 'could not add the working reaction'));
      },
      added: () => adding ?? Promise.resolve(),
    };
  }

  return handler;
}

interface WorkingReaction {
  add(): void;
  added(): Promise<void>;
}

/** The progress message of one file: posted early for big files, or once a small one proves slow. */
function createProgress(input: {
  chat: ChatPort;
  target: ChatTarget;
  file: SharedFile;
  present: Presenter;
  intervalMs: number;
  threshold: number;
  throttle: EditThrottle;
  log: Logger;
  /** The progress message's key: a resumed relay continues the same message. */
  key: string;
}) {
  const { chat, target, file, log } = input;
  let bytes = 0;
  let startedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let ref: Promise<MessageRef | undefined> | undefined;
  const render = () => renderProgress(input.present, file.name, bytes, file.size, bytes / Math.max(0.001, (Date.now() - startedAt) / 1000));
  const post = () => {
    ref ??= chat.post(target, render(), { key: input.key }).catch((error: unknown) => {
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
    start(postNow: boolean) {
      startedAt = Date.now();
      if (postNow || file.size >= input.threshold) post();
      timer = setInterval(() => {
        tick().catch((error: unknown) => log.debug({ err: error }, 'progress tick failed'));
      }, input.intervalMs);
      timer.unref();
    },
    update(next: number) {
      bytes = next;
    },
    /** Stops ticking and leaves the progress message as it is (another run finishes it). */
    stop() {
      clearInterval(timer);
    },
    /** Stops ticking; the progress message (if any) shows the final result. */
    async finish(final: ChatMessage, key: string) {
      clearInterval(timer);
      const posted = await ref;
      if (!posted) return;
      if (!input.throttle.tryTake(target.channel)) await new Promise((resolve) => setTimeout(resolve, 1000));
      await chat.update(posted, final, { key }).catch((error: unknown) => log.debug({ err: error }, 'final progress edit failed'));
    },
  };
}
