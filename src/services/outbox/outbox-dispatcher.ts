import { performance } from 'node:perf_hooks';
import type { Logger } from '../../core/logger.ts';
import type { Lease, OutboxEntry, OutboxStore, StateStore } from '../../core/state/types.ts';

/**
 * Sends the outbox: takes due entries from the store (leased to this dispatcher), hands each to
 * the sender, and records the outcome, fenced by the lease. It knows nothing of Slack.
 *
 * - A failure the sender calls temporary is retried with exponential backoff and jitter, or at
 *   the sender's Retry-After (never sooner), until `maxAttempts` or `maxAgeSeconds`, then failed.
 * - A post (or upload) whose earlier attempt may have reached the platform — the attempt failed
 *   ambiguously (timeout, reset, 5xx), or another dispatcher held the lease and vanished — is
 *   first looked for with `sender.findSent`; only when it is not there is it sent again.
 * - Entries of one group go one after another in enqueue order (the store only hands out the
 *   first unfinished entry of a group); an entry referring to a post waits for that post's ts.
 */

/** What one attempt to send an entry came to. */
export type OutboxSendResult =
  /** Done; posts give the message ts. */
  | { outcome: 'sent'; ts?: string }
  /**
   * Not done this time: try again, not before `retryAfterSeconds` when the platform said so
   * (else the dispatcher's backoff). `maybeSent`: the platform may have performed it anyway
   * (timeout, reset, 5xx after it stored the message) — the next attempt looks first.
   */
  | { outcome: 'retry'; error: string; retryAfterSeconds?: number; maybeSent?: boolean }
  /** Will never work (bad channel, invalid blocks, message gone…): fail it. */
  | { outcome: 'permanent'; error: string };

export interface OutboxSender {
  send(entry: OutboxEntry & { lease: Lease }): Promise<OutboxSendResult>;
  /**
   * The platform's trace of an earlier attempt of this entry (a post carrying its key), or null.
   * Throws when it cannot tell now (the dispatcher retries rather than risk a second post).
   */
  findSent?(entry: OutboxEntry): Promise<{ ts: string } | null>;
}

/** An entry that was failed for good (`sent(key)` rejects with it). */
export class OutboxFailedError extends Error {
  readonly entry: OutboxEntry;
  constructor(entry: OutboxEntry) {
    super(`outbox entry ${entry.key} (${entry.kind}) failed: ${entry.lastError ?? 'unknown error'}`);
    this.name = 'OutboxFailedError';
    this.entry = entry;
  }
}

/** `sent(key)` was still waiting when the dispatcher stopped; the entry stays queued for the next run. */
export class OutboxStoppedError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`the outbox dispatcher stopped before ${key} was sent; it stays queued`);
    this.name = 'OutboxStoppedError';
    this.key = key;
  }
}

export interface OutboxDispatcherOptions {
  store: OutboxStore;
  sender: OutboxSender;
  /** This process (and dispatcher) among replicas: the lease owner. */
  owner: string;
  log: Logger;
  /** How long an entry is ours while being sent; must exceed the sender's slowest call. Default 60. */
  leaseSeconds?: number;
  /** Entries sent at once. Default 8. */
  concurrency?: number;
  /**
   * The store's clock (epoch seconds) for retry times: pass `() => state.now()`. Default: derived
   * from the lease the store just gave (its expiry minus `leaseSeconds`), plus the time since.
   */
  now?: () => number | Promise<number>;
  /** Cross-process wake-ups: `sent(key)` hears completions by other replicas at once (else polls). */
  bus?: Pick<StateStore, 'subscribe' | 'notify'>;
  /** Idle poll for due entries (retries, other replicas' entries) and for awaited keys. Default 1000 ms. */
  pollMs?: number;
  /** Attempts before an entry is failed. Default 20. */
  maxAttempts?: number;
  /** Age (since enqueue) after which an entry is failed instead of retried. Default 3600 s. */
  maxAgeSeconds?: number;
  /** First backoff (doubles per attempt, jittered). Default 1 s. */
  baseBackoffSeconds?: number;
  /** Longest backoff. Default 60 s. */
  maxBackoffSeconds?: number;
  /** Randomness for the jitter (tests may fix it). Default Math.random. */
  random?: () => number;
}

export interface OutboxDispatcher {
  start(): void;
  /** Stops taking entries, lets in-flight sends finish and record, then rejects remaining `sent()` waiters. */
  stop(): Promise<void>;
  /** Looks for due entries now (after an enqueue). */
  kick(): void;
  /**
   * Resolves with the entry once it is sent (by this dispatcher, at once; by another replica,
   * when the store shows it); rejects with OutboxFailedError when it failed for good, or
   * OutboxStoppedError when this dispatcher stopped first.
   */
  sent(key: string): Promise<OutboxEntry>;
}

/** Topic on which dispatchers announce that entries were finished (sent or failed). */
export const OUTBOX_DONE_TOPIC = 'outbox.done';
/** Prefix of a stored `lastError` when the attempt may have been performed anyway. */
export const MAYBE_SENT_PREFIX = 'maybe sent: ';

interface Waiter {
  resolve: (entry: OutboxEntry) => void;
  reject: (error: Error) => void;
}

/** Kinds whose repetition shows (a second message): looked for before being sent again. */
const VISIBLE_KINDS = new Set(['post', 'upload']);

export function createOutboxDispatcher(options: OutboxDispatcherOptions): OutboxDispatcher {
  const { store, sender, owner, log } = options;
  const leaseSeconds = options.leaseSeconds ?? 60;
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const pollMs = options.pollMs ?? 1000;
  const maxAttempts = options.maxAttempts ?? 20;
  const maxAgeSeconds = options.maxAgeSeconds ?? 3600;
  const baseBackoff = options.baseBackoffSeconds ?? 1;
  const maxBackoff = options.maxBackoffSeconds ?? 60;
  const random = options.random ?? Math.random;

  let running = false;
  let loopDone: Promise<void> = Promise.resolve();
  let kicked = false;
  let wakeSleeper: (() => void) | null = null;
  let wakeTimer: NodeJS.Timeout | null = null;
  let wakeAt = Number.POSITIVE_INFINITY;
  let waiterPoll: NodeJS.Timeout | null = null;
  let unsubscribe: (() => void) | null = null;
  /** The last take used every free slot: more may be due. */
  let lastTakeFilled = false;
  const inflight = new Map<string, Promise<void>>();
  const waiters = new Map<string, Waiter[]>();
  /**
   * What this dispatcher knows of its own last attempt per key: the lease token it held and
   * whether the platform certainly did not perform it. A next take with token + 1 (nobody took
   * it in between) after a certain "not performed" may skip the look-up. Bounded.
   */
  const lastAttempt = new Map<string, { token: number; notSent: boolean }>();
  const LAST_ATTEMPT_MAX = 10_000;

  const remember = (key: string, token: number, notSent: boolean) => {
    lastAttempt.delete(key);
    lastAttempt.set(key, { token, notSent });
    if (lastAttempt.size > LAST_ATTEMPT_MAX) lastAttempt.delete(lastAttempt.keys().next().value!);
  };

  const kick = () => {
    kicked = true;
    wakeSleeper?.();
  };

  /** Wake the loop at a store time (a retry falling due), keeping only the earliest timer. */
  const wakeIn = (seconds: number) => {
    const at = performance.now() + Math.max(0, seconds) * 1000;
    if (at >= wakeAt) return;
    if (wakeTimer) clearTimeout(wakeTimer);
    wakeAt = at;
    wakeTimer = setTimeout(
      () => {
        wakeTimer = null;
        wakeAt = Number.POSITIVE_INFINITY;
        kick();
      },
      Math.ceil(Math.max(0, seconds) * 1000) + 5,
    );
  };

  const settle = (key: string, entry: OutboxEntry) => {
    const list = waiters.get(key);
    if (!list) return;
    waiters.delete(key);
    for (const w of list) {
      if (entry.state === 'sent') w.resolve(entry);
      else w.reject(new OutboxFailedError(entry));
    }
  };

  /** Looks up awaited keys that this dispatcher is not sending (another replica may be). */
  const checkWaiters = async () => {
    for (const key of [...waiters.keys()]) {
      if (inflight.has(key)) continue;
      try {
        const entry = await store.get(key);
        if (!entry) {
          for (const w of waiters.get(key) ?? []) w.reject(new Error(`no outbox entry ${key}`));
          waiters.delete(key);
        } else if (entry.state === 'sent' || entry.state === 'failed') settle(key, entry);
      } catch (error) {
        log.warn({ err: error, key }, 'outbox: could not check an awaited entry');
      }
    }
  };

  const scheduleWaiterPoll = () => {
    if (waiterPoll || waiters.size === 0) return;
    waiterPoll = setTimeout(() => {
      waiterPoll = null;
      checkWaiters().then(scheduleWaiterPoll, scheduleWaiterPoll);
    }, pollMs);
  };

  const storeClock = async (entry: { lease: Lease }, takenAt: number): Promise<number> => {
    if (options.now) return options.now();
    return entry.lease.expiresAt - leaseSeconds + (performance.now() - takenAt) / 1000;
  };

  const backoffSeconds = (attempts: number) => {
    const ceiling = Math.min(maxBackoff, baseBackoff * 2 ** Math.max(0, attempts - 1));
    return ceiling / 2 + (random() * ceiling) / 2;
  };

  const finish = async (entry: OutboxEntry & { lease: Lease }, state: 'sent' | 'failed', fields: { resultTs?: string; error?: string }) => {
    const ok = state === 'sent' ? await store.complete(entry.id, entry.lease, fields.resultTs) : await store.fail(entry.id, entry.lease, fields.error ?? 'failed');
    lastAttempt.delete(entry.key);
    if (!ok) {
      // Another dispatcher took the entry over (our lease expired mid-send): it decides. For a
      // post it looks for ours first, so nothing is doubled.
      log.warn({ key: entry.key, kind: entry.kind, state }, 'outbox: entry was taken over while being sent; the new holder finishes it');
      return;
    }
    if (state === 'failed') log.error({ key: entry.key, kind: entry.kind, channel: entry.channel, attempts: entry.attempts, error: fields.error }, 'outbox: entry failed for good');
    settle(entry.key, { ...entry, state, lease: null, resultTs: fields.resultTs ?? null, lastError: fields.error ?? entry.lastError });
    if (options.bus) void options.bus.notify(OUTBOX_DONE_TOPIC).catch((error: unknown) => log.warn({ err: error }, 'outbox: notify failed'));
  };

  const retry = async (entry: OutboxEntry & { lease: Lease }, takenAt: number, result: { error: string; retryAfterSeconds?: number; maybeSent?: boolean }) => {
    const now = await storeClock(entry, takenAt);
    const error = `${result.maybeSent ? MAYBE_SENT_PREFIX : ''}${result.error}`;
    const hinted = result.retryAfterSeconds !== undefined && Number.isFinite(result.retryAfterSeconds) && result.retryAfterSeconds >= 0;
    // A Retry-After is a floor (plus a little jitter so replicas don't return in step).
    const delay = hinted ? result.retryAfterSeconds! + random() * Math.min(1, result.retryAfterSeconds! * 0.1 + 0.05) : backoffSeconds(entry.attempts);
    const next = now + delay;
    // An upload cannot be looked for: one that may have landed is retried once, not again.
    const repeatAmbiguousUpload = entry.kind === 'upload' && result.maybeSent && entry.lastError?.startsWith(MAYBE_SENT_PREFIX);
    if (entry.attempts >= maxAttempts || next - entry.createdAt > maxAgeSeconds || repeatAmbiguousUpload) {
      return finish(entry, 'failed', {
        error: repeatAmbiguousUpload ? `${error} (again after an attempt that may have landed: not repeated)` : `${error} (gave up after ${entry.attempts} attempts)`,
      });
    }
    remember(entry.key, entry.lease.token, !result.maybeSent);
    const ok = await store.retryAt(entry.id, entry.lease, next, error);
    if (!ok) {
      log.warn({ key: entry.key }, 'outbox: entry was taken over while being sent');
      return;
    }
    log.info({ key: entry.key, kind: entry.kind, attempts: entry.attempts, retryInSeconds: Math.round(delay * 100) / 100, error }, 'outbox: send failed, will retry');
    wakeIn(next - now);
  };

  /** Whether an earlier attempt of this entry may have been performed (so look before sending). */
  const mayHaveLanded = (entry: OutboxEntry & { lease: Lease }) => {
    if (entry.attempts <= 1) return false;
    const mine = lastAttempt.get(entry.key);
    return !(mine && mine.notSent && mine.token + 1 === entry.lease.token);
  };

  const sendOne = async (entry: OutboxEntry & { lease: Lease }) => {
    const takenAt = performance.now();
    try {
      if (VISIBLE_KINDS.has(entry.kind) && sender.findSent && mayHaveLanded(entry)) {
        let found: { ts: string } | null;
        try {
          found = await sender.findSent(entry);
        } catch (error) {
          // Cannot tell whether the earlier attempt landed: do not risk a second message.
          return await retry(entry, takenAt, { error: `looking for an earlier attempt: ${errorText(error)}`, maybeSent: true, ...retryAfterOf(error) });
        }
        if (found) {
          log.info({ key: entry.key, ts: found.ts }, 'outbox: an earlier attempt had landed; not sending again');
          return await finish(entry, 'sent', { resultTs: found.ts });
        }
      }
      let result: OutboxSendResult;
      try {
        result = await sender.send(entry);
      } catch (error) {
        result = { outcome: 'retry', error: errorText(error), maybeSent: true };
      }
      if (result.outcome === 'sent') return await finish(entry, 'sent', result.ts !== undefined ? { resultTs: result.ts } : {});
      if (result.outcome === 'permanent') return await finish(entry, 'failed', { error: result.error });
      return await retry(entry, takenAt, result);
    } catch (error) {
      // The store failed while recording: the lease runs out and the entry is taken again (looked for first).
      log.error({ err: error, key: entry.key }, 'outbox: could not record an attempt');
    }
  };

  const launch = (entry: OutboxEntry & { lease: Lease }) => {
    const done = sendOne(entry).finally(() => {
      inflight.delete(entry.key);
      // Look again when this may have unblocked something: the next of its group, entries
      // waiting for this post's ts, or due entries left behind while every slot was busy.
      if (entry.group || entry.kind === 'post' || lastTakeFilled) kick();
    });
    inflight.set(entry.key, done);
  };

  /** Until `ms` pass, a kick, or stop. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (kicked || !running) return resolve();
      const timer = setTimeout(() => {
        wakeSleeper = null;
        resolve();
      }, ms);
      wakeSleeper = () => {
        wakeSleeper = null;
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    let failures = 0;
    while (running) {
      kicked = false;
      const free = concurrency - inflight.size;
      if (free > 0) {
        try {
          const due = await store.takeDue(owner, leaseSeconds, free);
          failures = 0;
          lastTakeFilled = due.length === free;
          for (const entry of due) {
            if (inflight.has(entry.key)) continue; // cannot happen with a fenced store; never send twice at once
            launch(entry);
          }
          if (due.length > 0 && due.length === free) continue;
        } catch (error) {
          failures++;
          log.error({ err: error }, 'outbox: could not take due entries');
          await sleep(Math.min(30_000, pollMs * 2 ** Math.min(failures, 5)));
          continue;
        }
      }
      await sleep(pollMs);
    }
  };

  return {
    start() {
      if (running) return;
      running = true;
      kicked = true;
      if (options.bus && !unsubscribe) {
        unsubscribe = options.bus.subscribe(OUTBOX_DONE_TOPIC, () => {
          checkWaiters().catch((error: unknown) => log.warn({ err: error }, 'outbox: could not check awaited entries'));
        });
      }
      loopDone = loop();
    },
    async stop() {
      running = false;
      wakeSleeper?.();
      await loopDone;
      await Promise.allSettled([...inflight.values()]);
      if (wakeTimer) clearTimeout(wakeTimer);
      wakeTimer = null;
      wakeAt = Number.POSITIVE_INFINITY;
      if (waiterPoll) clearTimeout(waiterPoll);
      waiterPoll = null;
      unsubscribe?.();
      unsubscribe = null;
      for (const [key, list] of waiters) for (const w of list) w.reject(new OutboxStoppedError(key));
      waiters.clear();
    },
    kick,
    sent(key) {
      return new Promise<OutboxEntry>((resolve, reject) => {
        // Registered before looking, so a completion in between is not missed.
        const list = waiters.get(key) ?? [];
        list.push({ resolve, reject });
        waiters.set(key, list);
        if (!inflight.has(key)) {
          void store.get(key).then(
            (entry) => {
              if (!entry) {
                const mine = waiters.get(key);
                if (mine) {
                  mine.splice(
                    mine.findIndex((w) => w.resolve === resolve),
                    1,
                  );
                  if (mine.length === 0) waiters.delete(key);
                }
                reject(new Error(`no outbox entry ${key}`));
              } else if (entry.state === 'sent' || entry.state === 'failed') settle(key, entry);
            },
            (error: unknown) => log.warn({ err: error, key }, 'outbox: could not check an awaited entry'),
          );
        }
        scheduleWaiterPoll();
      });
    },
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function retryAfterOf(error: unknown): { retryAfterSeconds?: number } {
  const value = (error as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  return typeof value === 'number' && Number.isFinite(value) ? { retryAfterSeconds: value } : {};
}
