import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { OpsbotError } from '../../core/errors.ts';

export interface StreamMeterOptions {
  /** Cut the stream off with `too_big` as soon as it passes this many bytes. */
  maxBytes?: number;
  /** What the platform said; a different total at the end fails with `size_mismatch`. */
  expectedBytes?: number;
  onProgress?: (bytes: number) => void;
}

export interface StreamMeter {
  stream: Transform;
  /** Bytes seen so far. */
  readonly bytes: number;
  /** The SHA-256 (hex) of everything that passed; only after the stream ended. */
  sha256(): string;
}

/**
 * A pass-through that counts bytes, hashes them, enforces the size cap while streaming and
 * checks the total against the expected size before signalling the end — so a consumer that
 * waits for the end (an S3 upload) never completes with a short or long file.
 */
export function createStreamMeter(options: StreamMeterOptions = {}): StreamMeter {
  const hash = createHash('sha256');
  let bytes = 0;
  let digest: string | undefined;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (options.maxBytes !== undefined && bytes > options.maxBytes) {
        callback(tooBig(options.maxBytes));
        return;
      }
      hash.update(chunk);
      options.onProgress?.(bytes);
      callback(null, chunk);
    },
    flush(callback) {
      if (options.expectedBytes !== undefined && bytes !== options.expectedBytes) {
        callback(new OpsbotError('size_mismatch', { bytes, expectedBytes: options.expectedBytes }, { message: `byte count ${bytes} != expected ${options.expectedBytes}` }));
        return;
      }
      digest = hash.digest('hex');
      callback();
    },
  });
  return {
    stream,
    get bytes() {
      return bytes;
    },
    sha256() {
      if (digest === undefined) throw new Error('sha256 is known only after the stream ended');
      return digest;
    },
  };
}

/** The size-cap failure: the cap, and the file's size when it is known before the download. */
export function tooBig(maxBytes: number, size?: number): OpsbotError<'too_big'> {
  return new OpsbotError('too_big', size === undefined ? { maxBytes } : { maxBytes, size }, {
    message: size === undefined ? `file exceeds maxBytes ${maxBytes}` : `file of ${size} bytes exceeds maxBytes ${maxBytes}`,
  });
}
