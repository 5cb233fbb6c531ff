/** Produces a file's bytes; called once per download so big files are never buffered. */
export type ContentSource = () => AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/**
 * Deterministic pseudo-random bytes of any size, produced in 1 MiB blocks (each block differs)
 * so multi-GiB files stream without buffering.
 */
export function generatedContent(size: number, seed = 1): ContentSource {
  return function* () {
    const block = Buffer.alloc(1024 * 1024);
    let state = seed >>> 0 || 1;
    for (let i = 0; i < block.length; i += 4) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      block.writeUInt32LE(state >>> 0, i);
    }
    for (let offset = 0, index = 0; offset < size; offset += block.length, index++) {
      const out = Buffer.from(block.subarray(0, Math.min(block.length, size - offset)));
      if (out.length >= 8) out.writeBigUInt64LE(BigInt(index) ^ BigInt(seed), 0);
      yield out;
    }
  };
}
