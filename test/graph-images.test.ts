import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import pixelmatch from 'pixelmatch';
import { describe, expect, it } from 'vitest';
import { renderForecastGraph } from '../src/services/graph/index.ts';
import { REFERENCE_SPECS } from './fixtures/graphs/reference-specs.ts';

/**
 * Each graph of the reference set, rendered now, against its reviewed image in
 * test/fixtures/graphs/ (regenerated deliberately with `npm run graphs:refs`). A pixel differs when
 * its colour is off by more than pixelmatch's threshold (anti-aliasing is not counted); a graph
 * passes with at most MAX_DIFF pixels differing: room for another machine's rasteriser (the fonts
 * are bundled, the renderer is the same build), not for a moved line or a changed word — a label's
 * time moved by ten minutes changes ~40 pixels, a shortened word ~200.
 */
const FIXTURES = fileURLToPath(new URL('./fixtures/graphs/', import.meta.url));
const THRESHOLD = 0.1;
const MAX_DIFF = 25;

async function rgba(png: Buffer): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, data: ctx.getImageData(0, 0, image.width, image.height).data };
}

/** Pixels that differ between two PNGs of one size; writes a diff image next to the run's temp files when some do. */
async function differingPixels(name: string, actual: Buffer, reference: Buffer): Promise<{ count: number; diffFile: string | null }> {
  const a = await rgba(actual);
  const r = await rgba(reference);
  expect([a.width, a.height], `${name}: size`).toEqual([r.width, r.height]);
  const diff = new Uint8ClampedArray(a.data.length);
  const count = pixelmatch(a.data, r.data, diff, a.width, a.height, { threshold: THRESHOLD });
  let diffFile: string | null = null;
  if (count > 0) {
    const dir = join(tmpdir(), 'opsbot-graph-diffs');
    mkdirSync(dir, { recursive: true });
    const canvas = createCanvas(a.width, a.height);
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(a.width, a.height);
    img.data.set(diff);
    ctx.putImageData(img, 0, 0);
    diffFile = join(dir, `${name}.diff.png`);
    writeFileSync(diffFile, canvas.toBuffer('image/png'));
    writeFileSync(join(dir, `${name}.actual.png`), actual);
  }
  return { count, diffFile };
}

describe('graph images match their reviewed references', () => {
  it.each(Object.keys(REFERENCE_SPECS))('%s', async (name) => {
    const file = join(FIXTURES, `${name}.png`);
    expect(existsSync(file), `${file} is missing: run npm run graphs:refs and review the image`).toBe(true);
    const actual = await renderForecastGraph(REFERENCE_SPECS[name]!());
    const { count, diffFile } = await differingPixels(name, actual, readFileSync(file));
    expect(count, `${name}: ${count} pixels differ (diff: ${diffFile})`).toBeLessThanOrEqual(MAX_DIFF);
  });

  const reference = () => readFileSync(join(FIXTURES, 'disk-full-in-5h.png'));
  const base = () => REFERENCE_SPECS['disk-full-in-5h']!();

  it('the comparison catches a moved threshold', async () => {
    const spec = base();
    const moved = { ...spec, thresholds: { ...spec.thresholds, warning: spec.thresholds!.warning! * 0.95 } };
    expect((await differingPixels('moved-threshold', await renderForecastGraph(moved), reference())).count).toBeGreaterThan(MAX_DIFF);
  });

  it('the comparison catches a changed word and a changed time', async () => {
    const spec = base();
    const word = { ...spec, words: { ...spec.words, warning: 'warn' } };
    expect((await differingPixels('changed-word', await renderForecastGraph(word), reference())).count).toBeGreaterThan(MAX_DIFF);
    const time = { ...spec, eta: { ...spec.eta!, label: spec.eta!.label.replace('15:00', '15:10') } };
    expect((await differingPixels('changed-time', await renderForecastGraph(time), reference())).count).toBeGreaterThan(MAX_DIFF);
  });
});
