/**
 * Paces outgoing requests: at most `concurrency` in flight and at most `perSecond` started in any
 * one-second window, first come first served. Uses the real clock (pacing is about wall time,
 * not the injected analysis clock).
 */
export interface RequestPacer {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Requests started so far. */
  readonly started: number;
}

export function createRequestPacer(options: { concurrency: number; perSecond: number }): RequestPacer {
  const concurrency = Math.max(1, options.concurrency);
  const perSecond = Math.max(1, options.perSecond);
  const queue: (() => void)[] = [];
  const recentStarts: number[] = [];
  let active = 0;
  let started = 0;
  let timer: NodeJS.Timeout | undefined;

  const pump = () => {
    while (queue.length > 0 && active < concurrency) {
      const now = performance.now();
      while (recentStarts.length > 0 && recentStarts[0]! <= now - 1000) recentStarts.shift();
      if (recentStarts.length >= perSecond) {
        if (!timer) {
          timer = setTimeout(
            () => {
              timer = undefined;
              pump();
            },
            recentStarts[0]! + 1000 - now + 1,
          );
        }
        return;
      }
      recentStarts.push(now);
      active++;
      started++;
      queue.shift()!();
    }
  };

  return {
    get started() {
      return started;
    },
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push(() => {
          task()
            .then(resolve, reject)
            .finally(() => {
              active--;
              pump();
            });
        });
        pump();
      });
    },
  };
}
