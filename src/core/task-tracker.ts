/**
 * Keeps track of work in flight so that shutdown can wait for it, and hands out the
 * signal that tells long work (uploads) to abort cleanly when waiting is over.
 */
export interface TaskTracker {
  readonly signal: AbortSignal;
  readonly size: number;
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Waits up to `timeoutMs` for running tasks, then aborts the rest and waits for them to settle. */
  drain(timeoutMs: number): Promise<{ finished: boolean }>;
  /** Aborts running tasks now (a second shutdown signal): `drain` then only waits for them to settle. */
  abort(reason: string): void;
}

export function createTaskTracker(): TaskTracker {
  const controller = new AbortController();
  const running = new Set<Promise<unknown>>();
  return {
    get signal() {
      return controller.signal;
    },
    get size() {
      return running.size;
    },
    run(task) {
      const promise = task();
      // Never rejects (the caller gets `promise`, with its rejection) and leaves the set when done.
      const forget = () => {
        running.delete(settled);
      };
      const settled: Promise<void> = promise.then(forget, forget);
      running.add(settled);
      return promise;
    },
    abort(reason) {
      if (!controller.signal.aborted) controller.abort(new Error(reason));
    },
    async drain(timeoutMs) {
      if (controller.signal.aborted) {
        await Promise.all(running);
        return { finished: false };
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      const aborted = new Promise<'timeout'>((resolve) => controller.signal.addEventListener('abort', () => resolve('timeout'), { once: true }));
      const outcome = await Promise.race([Promise.all(running).then(() => 'done' as const), timedOut, aborted]);
      clearTimeout(timer);
      if (outcome === 'done') return { finished: true };
      if (!controller.signal.aborted) controller.abort(new Error('opsbot is shutting down'));
      await Promise.all(running);
      return { finished: false };
    },
  };
}
