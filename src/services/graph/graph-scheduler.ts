import type { GraphSpec } from './spec.ts';

export interface GraphSchedulerOptions {
  /** The renderer (never throws; null = no graph), e.g. `safeRenderGraph` over the render pool. */
  render: (spec: GraphSpec) => Promise<Buffer | null>;
  /** Graphs rendered at once: the render pool's size when `render` uses one; default 1. */
  slots?: number;
  /** A graph waits at most this long (ms, since it was asked for) for posts still being prepared; default 1000. */
  deferMs?: number;
}

export interface GraphScheduler {
  /** Renders the spec in a free slot, after the posts being prepared (bounded); null when it could not be drawn. */
  render(spec: GraphSpec): Promise<Buffer | null>;
  /** A post is being prepared: graphs asked for meanwhile wait for it. Call the result once it is out (or failed). */
  preparing(): () => void;
}

// Graph specs of one host's alerts share the series array (see loadAlertContext); keying the
// dedupe by the array's identity avoids serialising hundreds of points per graph.
const seriesIds = new WeakMap<object, number>();
let lastSeriesId = 0;
function seriesId(series: object): number {
  let id = seriesIds.get(series);
  if (id === undefined) seriesIds.set(series, (id = ++lastSeriesId));
  return id;
}

/**
 * When graphs are drawn. Drawing is CPU-bound: a bounded number at a time (one per render worker)
 * keeps each render short (the renderer's timeout starts when it is called), and renders wait
 * while posts are being prepared, so a burst's posts do not share the CPU with its graphs.
 * Identical graphs asked for while one is queued or drawing share it.
 */
export function createGraphScheduler(options: GraphSchedulerOptions): GraphScheduler {
  const renderOne = options.render;
  const slots = Math.max(1, Math.floor(options.slots ?? 1));
  const deferMs = options.deferMs ?? 1000;
  const waiting: (() => void)[] = [];
  let rendering = 0;
  // Alerts of one host on one metric in one burst often draw the very same graph (same title,
  // series, forecast and thresholds): while one is queued or drawing, an identical request shares it.
  const sameGraphs = new Map<string, Promise<Buffer | null>>();

  // Posts between their start and their send; graphs wait for them (at most `deferMs`).
  let preparingPosts = 0;
  const postsIdle: (() => void)[] = [];
  const postsSettled = (since: number): Promise<void> => {
    const left = since + deferMs - performance.now();
    if (preparingPosts === 0 || left <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const i = postsIdle.indexOf(done);
        if (i >= 0) postsIdle.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(done, left);
      postsIdle.push(done);
    });
  };

  const renderNow = async (spec: GraphSpec): Promise<Buffer | null> => {
    const queuedAt = performance.now();
    if (rendering >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    else rendering++;
    try {
      await postsSettled(queuedAt);
      // A turn of the event loop between graphs: an in-process renderer draws synchronously, and
      // back-to-back renders chained on promises alone would hold the loop for the whole burst.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return await renderOne(spec);
    } catch {
      return null;
    } finally {
      // The slot passes straight to the next waiter, if any.
      const next = waiting.shift();
      if (next) next();
      else rendering--;
    }
  };

  return {
    render(spec) {
      const key = JSON.stringify({ ...spec, series: seriesId(spec.series) });
      const pending = sameGraphs.get(key);
      if (pending) return pending;
      const png = renderNow(spec);
      sameGraphs.set(key, png);
      const forget = () => {
        if (sameGraphs.get(key) === png) sameGraphs.delete(key);
      };
      // Both ways, so this branch never rejects; the callers get png's own rejection.
      png.then(forget, forget);
      return png;
    },
    preparing() {
      preparingPosts++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        if (--preparingPosts === 0) for (const settle of postsIdle.slice()) settle();
      };
    },
  };
}
