import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { GraphSpec } from './spec.ts';
import { errorMessage } from '../../core/errors.ts';

/** Minimal logger (pino-compatible). */
export interface RenderPoolLogger {
  warn(obj: object, msg: string): void;
}

export interface GraphRenderPoolOptions {
  /** Worker threads at most; default one per core but one (the main thread keeps a core). */
  size?: number;
  log?: RenderPoolLogger;
  /** Worker module; default `render-worker.ts` next to this file. Replaceable in tests. */
  workerUrl?: URL;
}

/** A rendered graph and the time its worker spent on it (drawing + PNG encoding). */
export interface TimedRender {
  png: Buffer;
  /** Milliseconds inside the worker, excluding queueing and the hand-over. */
  renderMs: number;
}

export interface GraphRenderPool {
  /**
   * Renders the spec on a worker thread. Rejects with the renderer's error for an invalid spec,
   * when the worker dies during the task, or when the pool is closed.
   */
  render(spec: GraphSpec): Promise<Buffer>;
  /** As `render`, with the time spent inside the worker. */
  renderTimed(spec: GraphSpec): Promise<TimedRender>;
  /** Workers at most. */
  readonly size: number;
  /** Workers running now (they start on demand). */
  readonly workers: number;
  /** Ends the workers; pending and later renders reject. */
  close(): Promise<void>;
}

/** Worker protocol (internal). */
export interface RenderRequest {
  id: number;
  spec: GraphSpec;
}
export type RenderReply = { id: number; ok: true; png: ArrayBuffer; renderMs: number } | { id: number; ok: false; error: { name: string; message: string }; renderMs: number };

interface Task {
  id: number;
  spec: GraphSpec;
  resolve: (r: TimedRender) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  /** Set once the worker has exited or is being terminated. */
  dead: boolean;
}

const DEFAULT_WORKER = new URL('./render-worker.ts', import.meta.url);

/**
 * A small pool of worker threads rendering forecast graphs off the main thread, so chart drawing
 * (tens of ms of CPU each) does not stall posting. Workers start on first use and are reused; one
 * that crashes fails its task and is replaced on the next one. Idle workers do not keep the
 * process alive.
 */
export function createGraphRenderPool(options: GraphRenderPoolOptions = {}): GraphRenderPool {
  const size = Math.max(1, Math.floor(options.size ?? availableParallelism() - 1));
  const workerUrl = options.workerUrl ?? DEFAULT_WORKER;
  const log = options.log;
  const slots: Slot[] = [];
  const queue: Task[] = [];
  let nextId = 0;
  let closed = false;

  function spawn(): Slot {
    // Flags such as a test runner's loaders are not for the worker; Node runs the .ts file itself.
    const worker = new Worker(workerUrl, { execArgv: [], name: 'graph-render' });
    const slot: Slot = { worker, task: null, dead: false };
    worker.on('message', (reply: RenderReply) => {
      const task = slot.task;
      if (!task || task.id !== reply.id) return;
      slot.task = null;
      if (reply.ok) {
        task.resolve({ png: Buffer.from(reply.png), renderMs: reply.renderMs });
      } else {
        const err = new Error(reply.error.message);
        err.name = reply.error.name;
        task.reject(err);
      }
      pump();
    });
    worker.on('error', (error) => {
      log?.warn({ err: error.message }, 'graph render worker crashed');
      retire(slot, error);
    });
    worker.on('exit', (code) => {
      if (!slot.dead && !closed) log?.warn({ code }, 'graph render worker exited');
      retire(slot, new Error(`graph render worker exited (code ${code})`));
    });
    slots.push(slot);
    return slot;
  }

  /** Takes a dead worker out of the pool; its task fails, the queue moves on with a fresh worker. */
  function retire(slot: Slot, error: Error): void {
    if (!slot.dead) {
      slot.dead = true;
      slot.worker.terminate().catch((error: unknown) => log?.warn({ err: errorMessage(error) }, 'could not terminate a graph render worker'));
    }
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    const task = slot.task;
    slot.task = null;
    task?.reject(error);
    pump();
  }

  function pump(): void {
    if (closed) return;
    while (queue.length > 0) {
      let slot = slots.find((s) => !s.dead && !s.task);
      if (!slot) {
        if (slots.length >= size) break;
        slot = spawn();
      }
      const task = queue.shift()!;
      slot.task = task;
      try {
        slot.worker.postMessage({ id: task.id, spec: task.spec } satisfies RenderRequest);
      } catch (error) {
        // Not cloneable (e.g. a function in the spec): this task fails, the worker stays.
        slot.task = null;
        task.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    // Busy workers keep the process alive until their task ends; idle ones do not.
    for (const s of slots) {
      if (s.task) s.worker.ref();
      else s.worker.unref();
    }
  }

  function renderTimed(spec: GraphSpec): Promise<TimedRender> {
    if (closed) return Promise.reject(new Error('graph render pool is closed'));
    return new Promise<TimedRender>((resolve, reject) => {
      queue.push({ id: ++nextId, spec, resolve, reject });
      pump();
    });
  }

  return {
    size,
    get workers() {
      return slots.length;
    },
    renderTimed,
    render: (spec) => renderTimed(spec).then((r) => r.png),
    async close() {
      if (closed) return;
      closed = true;
      const error = new Error('graph render pool is closed');
      for (const task of queue.splice(0)) task.reject(error);
      const running = slots.splice(0);
      for (const slot of running) {
        slot.dead = true;
        slot.task?.reject(error);
        slot.task = null;
      }
      await Promise.all(running.map((s) => s.worker.terminate()));
    },
  };
}
