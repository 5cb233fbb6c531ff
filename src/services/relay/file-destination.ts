import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../../core/logger.ts';
import { OpsbotError } from '../../core/errors.ts';

export interface FileDestination {
  /** Writes the stream under `dir` at `relativePath`; never overwrites; returns the final path. */
  put(input: { dir: string; relativePath: string; body: Readable; signal?: AbortSignal }): Promise<{ path: string }>;
}

/**
 * Local folder destination: bytes go to a temporary name next to the target, are fsynced, and
 * are then hard-linked to the final name (which fails rather than replace an existing file).
 * A failure leaves neither the temporary nor the final file behind.
 */
export function createFileDestination(options: { log: Logger }): FileDestination {
  return {
    async put({ dir, relativePath, body, signal }) {
      const root = resolve(dir);
      const target = resolve(root, relativePath);
      if (!target.startsWith(root + sep)) throw new Error(`refusing a path outside ${root}`);
      await mkdir(dirname(target), { recursive: true });
      const temp = join(dirname(target), `.opsbot-${randomBytes(6).toString('hex')}.partial`);
      let linked = false;
      try {
        // flush: the data is fsynced before the descriptor closes, i.e. before the link below.
        await pipeline(body, createWriteStream(temp, { flags: 'wx', mode: 0o640, flush: true }), ...(signal ? [{ signal }] : []));
        try {
          await link(temp, target);
          linked = true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
            throw new OpsbotError('destination_exists', {}, { cause: error, message: `${target} already exists` });
          }
          throw error;
        }
        await syncDir(dirname(target));
        return { path: target };
      } catch (error) {
        // A final file that cannot be removed again is left half-stored: say so (the temporary's
        // unlink below fails harmlessly when it never existed).
        if (linked) await unlink(target).catch((unlinkError: unknown) => options.log.warn({ err: unlinkError, path: target }, 'could not remove a file whose store failed'));
        if (error instanceof OpsbotError || (error as Error).name === 'AbortError') throw error;
        throw new OpsbotError('file_write_failed', {}, { cause: error, message: `local write failed: ${(error as Error).message}` });
      } finally {
        await unlink(temp).catch(() => {});
      }
    },
  };
}

async function syncDir(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // Not every platform or file system lets a directory be fsynced; the data itself is synced.
  }
}
