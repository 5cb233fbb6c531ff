import { renderForecastGraph } from './render.ts';
import type { GraphSpec } from './spec.ts';

/** Minimal logger (pino-compatible). */
export interface GraphLogger {
  warn(obj: object, msg: string): void;
}

/** Options of {@link safeRenderGraph}. */
export interface SafeRenderOptions {
  /** Give up waiting after this long; default 2000 ms. */
  timeoutMs?: number;
  log?: GraphLogger;
  /** The renderer, replaceable in tests. */
  render?: (spec: GraphSpec) => Promise<Buffer>;
}

/**
 * Renders the graph but never throws: a failure or a timeout resolves to `null` and logs why, so the
 * alert can be posted without its graph. Start it alongside the post rather than before it.
 *
 * The timeout bounds the wait, not the work: chart drawing is synchronous (kept short by
 * decimation) and cannot be interrupted; a late result is discarded.
 */
export async function safeRenderGraph(spec: GraphSpec, opts: SafeRenderOptions = {}): Promise<Buffer | null> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const render = opts.render ?? renderForecastGraph;
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => render(spec)), timeout]);
    if (result === 'timeout') {
      opts.log?.warn({ title: spec?.title, timeoutMs }, 'graph rendering timed out; posting without graph');
      return null;
    }
    return result;
  } catch (err) {
    opts.log?.warn({ err, title: spec?.title, ms: Math.round(performance.now() - started) }, 'graph rendering failed; posting without graph');
    return null;
  } finally {
    clearTimeout(timer);
  }
}
