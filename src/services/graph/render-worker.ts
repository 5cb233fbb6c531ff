/**
 * Worker-thread entry of the graph render pool (see render-pool.ts): renders one `GraphSpec` per
 * message and answers with the PNG bytes (one copy in the worker, then transferred).
 */
import { parentPort } from 'node:worker_threads';
import { renderForecastGraph } from './render.ts';
import type { RenderReply, RenderRequest } from './render-pool.ts';

if (!parentPort) throw new Error('render-worker.ts must run in a worker thread');
const port = parentPort;

/** A fresh ArrayBuffer holding the bytes: one copy, then transferred without another. */
function copyOut(png: Buffer): ArrayBuffer {
  const copy = new ArrayBuffer(png.byteLength);
  new Uint8Array(copy).set(png);
  return copy;
}

/** Answers one request; a failure to answer at all is handled by the listener below. */
async function answer(msg: RenderRequest): Promise<void> {
  const started = performance.now();
  let png: Buffer;
  try {
    png = await renderForecastGraph(msg.spec);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ id: msg.id, ok: false, error: { name: err.name, message: err.message }, renderMs: performance.now() - started } satisfies RenderReply);
    return;
  }
  const renderMs = performance.now() - started;
  // @napi-rs/canvas hands out externally backed buffers, which cannot be transferred: copy once
  // into a plain ArrayBuffer and transfer that (structured cloning would copy twice).
  const copy = copyOut(png);
  port.postMessage({ id: msg.id, ok: true, png: copy, renderMs } satisfies RenderReply, [copy]);
}

port.on('message', (msg: RenderRequest) => {
  // A rejection here (the reply could not be posted) would be unhandled and take the worker down
  // with the request's cause lost: answer the request with the error instead.
  answer(msg).catch((error: unknown) => {
    const err = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ id: msg.id, ok: false, error: { name: err.name, message: err.message }, renderMs: 0 } satisfies RenderReply);
  });
});
