import { crc32, deflateSync } from 'node:zlib';

/** The part of a @napi-rs/canvas `Canvas` the encoder reads. */
export interface RgbaSource {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row by row (unpremultiplied; the graph is opaque, so it does not matter). */
  data(): Uint8Array;
}

let scratch = Buffer.alloc(0);
const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Encodes the canvas as an RGBA PNG with the same chunks Skia writes (IHDR, sRGB, IDAT, IEND) and
 * the same pixels, but with a fast deflate (level 2, no row filters) instead of Skia's adaptive
 * filters at level 6: about 4× cheaper for a 1000 × 500 chart (mostly flat white and thin lines),
 * and the file is about the same size (~65 KB).
 */
export function encodePngFast(canvas: RgbaSource, level = 2): Buffer {
  const { width, height } = canvas;
  const pixels = canvas.data();
  const stride = width * 4;
  if (pixels.length < stride * height) throw new RangeError(`canvas data holds ${pixels.length} bytes, expected ${stride * height}`);
  const src = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
  // Filter type 0 (None) before each row. The scratch buffer is reused: a fresh 2 MB per graph
  // costs page faults and GC work comparable to the deflate itself.
  const size = height * (stride + 1);
  if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(size);
  const raw = scratch.subarray(0, size);
  for (let y = 0, o = 0; y < height; y++, o += stride + 1) {
    raw[o] = 0;
    src.copy(raw, o + 1, y * stride, (y + 1) * stride);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  // compression 0, filter method 0, no interlace
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('sRGB', Buffer.from([0])), chunk('IDAT', deflateSync(raw, { level })), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(12 + body.length);
  out.writeUInt32BE(body.length, 0);
  out.write(type, 4, 'latin1');
  body.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
  return out;
}
