import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadImage } from '@napi-rs/canvas';
import { afterEach, describe, expect, it } from 'vitest';
import { createGraphRenderPool, safeRenderGraph, type GraphRenderPool, type GraphSpec } from '../src/services/graph/index.ts';
import { diskWords } from './fixtures/graphs/reference-specs.ts';

const NOW = 1763700000;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function spec(overrides: Partial<GraphSpec> = {}): GraphSpec {
  return {
    title: 'db-01 /dev/xvda1 used %',
    language: 'en',
    words: diskWords('en', true),
    unit: 'percent',
    timeZone: 'Asia/Tokyo',
    now: NOW,
    series: Array.from({ length: 2016 }, (_, i) => ({ time: NOW - (2016 - i) * 300, value: 40 + i / 50 + Math.sin(i / 30) })),
    thresholds: { warning: 80, critical: 90, limit: 100 },
    ...overrides,
  };
}

function collectingLog() {
  const warnings: string[] = [];
  return { warnings, log: { warn: (_obj: object, msg: string) => void warnings.push(msg) } };
}

let pool: GraphRenderPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

describe('graph render pool', () => {
  it('renders valid PNGs of the requested sizes on two workers at once', async () => {
    pool = createGraphRenderPool({ size: 2 });
    expect(pool.workers).toBe(0); // lazily started
    const sizes = [
      [800, 400],
      [1000, 500],
      [640, 320],
      [1200, 600],
    ] as const;
    const results = await Promise.all(sizes.map(([width, height]) => pool!.renderTimed(spec({ width, height }))));
    expect(pool.workers).toBe(2);
    for (const [i, { png, renderMs }] of results.entries()) {
      expect(Buffer.isBuffer(png)).toBe(true);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      expect(renderMs).toBeGreaterThan(0);
      const img = await loadImage(png);
      expect([img.width, img.height]).toEqual(sizes[i]);
    }
  });

  it('rejects a failing spec with the renderer error and keeps rendering on the same pool', async () => {
    const { log, warnings } = collectingLog();
    pool = createGraphRenderPool({ size: 1, log });
    await expect(pool.render(spec({ width: 50 }))).rejects.toThrow(/width must be an integer/);
    await expect(pool.render(spec({ timeZone: 'Mars/Olympus' }))).rejects.toMatchObject({ name: 'RangeError' });
    const png = await pool.render(spec());
    expect((await loadImage(png)).width).toBe(1000);
    expect(pool.workers).toBe(1); // a spec error is not a crash
    expect(warnings).toEqual([]);
    // Through safeRenderGraph the failure becomes "no graph".
    expect(await safeRenderGraph(spec({ height: 10_000 }), { render: pool.render })).toBeNull();
  });

  it('rejects a spec that cannot be sent to a worker', async () => {
    pool = createGraphRenderPool({ size: 1 });
    await expect(pool.render({ ...spec(), title: (() => 'x') as unknown as string })).rejects.toThrow();
    expect(Buffer.isBuffer(await pool.render(spec({ width: 300, height: 200 })))).toBe(true);
  });

  it('fails the task of a crashed worker, then replaces the worker', async () => {
    // A stand-in worker speaking the pool's protocol: dies on "crash", answers a fixed PNG otherwise.
    const dir = mkdtempSync(join(tmpdir(), 'opsbot-pool-'));
    const file = join(dir, 'crashy-worker.mjs');
    writeFileSync(
      file,
      `import { parentPort, threadId } from 'node:worker_threads';
parentPort.on('message', ({ id, spec }) => {
  if (spec.title === 'crash') process.exit(7);
  if (spec.title === 'throw') setImmediate(() => { throw new Error('boom in worker'); });
  else {
    const png = new TextEncoder().encode('PNG ' + threadId).buffer;
    parentPort.postMessage({ id, ok: true, png, renderMs: 1 }, [png]);
  }
});
`,
    );
    const { log, warnings } = collectingLog();
    pool = createGraphRenderPool({ size: 1, log, workerUrl: pathToFileURL(file) });
    const first = (await pool.render(spec())).toString();
    await expect(pool.render(spec({ title: 'crash' }))).rejects.toThrow(/exited \(code 7\)/);
    const second = (await pool.render(spec())).toString();
    expect(second).toMatch(/^PNG \d+$/);
    expect(second).not.toBe(first); // a new thread
    await expect(pool.render(spec({ title: 'throw' }))).rejects.toThrow(/boom in worker/);
    expect((await pool.render(spec())).toString()).toMatch(/^PNG \d+$/);
    expect(pool.workers).toBe(1);
    expect(warnings).toContain('graph render worker exited');
    expect(warnings).toContain('graph render worker crashed');
    // A queued task behind a crash still runs.
    const [crashed, queued] = await Promise.allSettled([pool.render(spec({ title: 'crash' })), pool.render(spec())]);
    expect(crashed.status).toBe('rejected');
    expect(queued.status).toBe('fulfilled');
  });

  it('close() ends the workers and rejects pending and later renders', async () => {
    pool = createGraphRenderPool({ size: 1 });
    await pool.render(spec({ width: 300, height: 200 }));
    expect(pool.workers).toBe(1);
    const pending = Promise.allSettled([pool.render(spec()), pool.render(spec())]); // one running, one queued
    await pool.close();
    expect(pool.workers).toBe(0);
    for (const r of await pending) expect(r).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/closed/) } });
    await expect(pool.render(spec())).rejects.toThrow(/closed/);
    await pool.close(); // idempotent
  });
});
