import fc from 'fast-check';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createSilentLogger } from '../src/core/logger.ts';
import { createFileDestination } from '../src/services/relay/file-destination.ts';
import { buildObjectKey, MAX_NAME_BYTES } from '../src/services/relay/object-key.ts';

/** Names people (and hostile clients) give files: separators, dot runs, controls, bidi marks, any script. */
const hostileName = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.array(fc.constantFrom('..', '.', '/', '\\', '\u0000', '\u202E', '\uFEFF', ' ', 'a', '報告', '.pdf', '%2e%2e', '~', '<!channel>'), { maxLength: 40 }).map((parts) => parts.join('')),
);
const id = fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[A-Z0-9]{1,12}$/));

describe('file names through the object-key builder and the file:// destination', () => {
  it('every key stays under its prefix with the fixed layout and no traversal, control or bidi characters', () => {
    fc.assert(
      fc.property(hostileName, id, id, id, fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (fileName, channel, fileId, unique, date) => {
        const key = buildObjectKey({ prefix: 'slack/team/', date, channel, fileId, fileName, unique });
        expect(key.startsWith('slack/team/')).toBe(true);
        const segments = key.slice('slack/team/'.length).split('/');
        expect(segments).toHaveLength(6);
        for (const segment of segments) {
          expect(segment.length).toBeGreaterThan(0);
          expect(segment).not.toMatch(/^\.+$/);
        }
        expect(key).not.toMatch(/\.\.|\\/);
        // eslint-disable-next-line no-control-regex -- the point: no control characters in a key
        expect(key).not.toMatch(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069\ufeff]/);
        expect(Buffer.byteLength(segments.at(-1)!)).toBeLessThanOrEqual(MAX_NAME_BYTES);
      }),
      { numRuns: 500 },
    );
  });

  it('every stored local file lands inside the destination folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'opsbot-keys-'));
    const files = createFileDestination({ log: createSilentLogger() });
    await fc.assert(
      fc.asyncProperty(hostileName, id, async (fileName, channel) => {
        const key = buildObjectKey({ prefix: '', date: new Date('2026-11-30T00:00:00Z'), channel, fileId: 'F1', fileName, unique: Math.random().toString(16).slice(2, 10) });
        const { path } = await files.put({ dir: root, relativePath: key, body: Readable.from([Buffer.from('x')]) });
        const inside = relative(resolve(root), resolve(path));
        expect(inside.startsWith('..')).toBe(false);
        expect(resolve(root, inside)).toBe(resolve(path));
      }),
      { numRuns: 150 },
    );
    // Nothing but the stored files (no temporary .partial left behind).
    const leftovers = readdirSync(root, { recursive: true })
      .map(String)
      .filter((p) => p.endsWith('.partial'));
    expect(leftovers).toEqual([]);
  });
});
