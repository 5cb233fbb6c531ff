import type { Readable } from 'node:stream';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand, type CompletedPart, type S3Client } from '@aws-sdk/client-s3';

export interface MultipartUploadInput {
  client: S3Client;
  bucket: string;
  key: string;
  body: Readable;
  /** Every part but the last has exactly this many bytes. */
  partSize: number;
  /** Parts in flight at once. */
  queueSize: number;
  contentType?: string;
  contentDisposition?: string;
  metadata?: Record<string, string>;
  /** `If-None-Match: *` on the request that creates the object (PutObject or CompleteMultipartUpload). */
  ifNoneMatch?: boolean;
  /** Told the upload id as soon as S3 hands it out, so a failure can abort it. */
  onUploadId?: (uploadId: string) => void;
}

/**
 * Streams `body` into S3 with a fixed pool of `queueSize + 1` part buffers: one being filled,
 * the others in flight. Each byte is copied once (from the stream's chunk into its part buffer)
 * and a buffer is reused as soon as its part is stored, so a transfer of any size allocates the
 * same few part buffers and leaves no part-sized garbage for the GC (lib-storage's `Upload`
 * concatenates chunks into a fresh buffer for every part, and keeps the remainder as a view on
 * it; that garbage, not live data, was most of the relay's peak RSS).
 *
 * A body smaller than one part goes up as a single PutObject. On any failure (the body's error,
 * a part refused) the in-flight parts are cancelled and awaited before the error is thrown; the
 * caller aborts the multipart upload (see `onUploadId`).
 */
export async function multipartUpload(input: MultipartUploadInput): Promise<void> {
  const { client, partSize, queueSize } = input;
  const checksums = (await client.config.requestChecksumCalculation()) === 'WHEN_SUPPORTED';
  const objectParams = {
    Bucket: input.bucket,
    Key: input.key,
    ...(input.metadata ? { Metadata: input.metadata } : {}),
    ...(input.contentType ? { ContentType: input.contentType } : {}),
    ...(input.contentDisposition ? { ContentDisposition: input.contentDisposition } : {}),
  };
  const cancel = new AbortController();
  const free: Buffer[] = [];
  let allocated = 0;
  const inFlight = new Set<Promise<void>>();
  const parts: CompletedPart[] = [];
  let failure: { error: unknown } | undefined;
  let uploadId: Promise<string> | undefined;

  const createUpload = async (): Promise<string> => {
    // Not cancelled: an upload created after a failure must still be known, so it can be aborted.
    const created = await client.send(new CreateMultipartUploadCommand({ ...objectParams, ...(checksums ? { ChecksumAlgorithm: 'CRC32' } : {}) }));
    if (!created.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
    input.onUploadId?.(created.UploadId);
    return created.UploadId;
  };

  const sendPart = async (buffer: Buffer, length: number, partNumber: number): Promise<void> => {
    try {
      uploadId ??= createUpload();
      const id = await uploadId;
      const result = await client.send(
        new UploadPartCommand({
          Bucket: input.bucket,
          Key: input.key,
          UploadId: id,
          PartNumber: partNumber,
          Body: length === buffer.length ? buffer : buffer.subarray(0, length),
          ContentLength: length,
          ...(checksums ? { ChecksumAlgorithm: 'CRC32' } : {}),
        }),
        { abortSignal: cancel.signal },
      );
      if (!result.ETag) throw new Error(`UploadPart ${partNumber} returned no ETag`);
      parts.push({
        PartNumber: partNumber,
        ETag: result.ETag,
        ...(result.ChecksumCRC32 ? { ChecksumCRC32: result.ChecksumCRC32 } : {}),
        ...(result.ChecksumCRC32C ? { ChecksumCRC32C: result.ChecksumCRC32C } : {}),
        ...(result.ChecksumSHA1 ? { ChecksumSHA1: result.ChecksumSHA1 } : {}),
        ...(result.ChecksumSHA256 ? { ChecksumSHA256: result.ChecksumSHA256 } : {}),
      });
      // Only a stored part's buffer is reused: a request that failed may still be writing it.
      free.push(buffer);
    } catch (error) {
      if (!failure) {
        failure = { error };
        cancel.abort();
        // Stops the reader at once, even while it waits for the download.
        input.body.destroy();
      }
    }
  };

  /** A free part buffer, waiting for a part to finish when all are in use. */
  const takeBuffer = async (): Promise<Buffer | undefined> => {
    while (!failure) {
      const buffer = free.pop();
      if (buffer) return buffer;
      if (allocated <= queueSize) {
        allocated++;
        // Outside the small-buffer pool, and never zero-filled: every byte sent is written first.
        return Buffer.allocUnsafeSlow(partSize);
      }
      await Promise.race(inFlight);
    }
    return undefined;
  };

  const startPart = (buffer: Buffer, length: number, partNumber: number): void => {
    const sending: Promise<void> = sendPart(buffer, length, partNumber).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };

  let partNumber = 0;
  let current: Buffer | undefined;
  let filled = 0;
  try {
    current = await takeBuffer();
    for await (const chunk of input.body as AsyncIterable<Uint8Array>) {
      let offset = 0;
      while (offset < chunk.length) {
        if (!current) break;
        const n = Math.min(chunk.length - offset, partSize - filled);
        current.set(n === chunk.length ? chunk : chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === partSize) {
          startPart(current, filled, ++partNumber);
          filled = 0;
          current = await takeBuffer();
        }
      }
      if (failure) break;
    }
  } catch (error) {
    // The body's own error comes first; one caused by our destroy() after a failed part does not.
    if (!failure) {
      failure = { error };
      cancel.abort();
    }
  }
  if (!failure && current && partNumber === 0) {
    await client.send(new PutObjectCommand({ ...objectParams, Body: current.subarray(0, filled), ContentLength: filled, ...(input.ifNoneMatch ? { IfNoneMatch: '*' } : {}) }));
    return;
  }
  if (!failure && current && filled > 0) startPart(current, filled, ++partNumber);
  while (inFlight.size > 0) await Promise.race(inFlight);
  if (failure) throw failure.error;

  parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: input.bucket,
      Key: input.key,
      UploadId: await uploadId!,
      MultipartUpload: { Parts: parts },
      ...(input.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
    }),
  );
}
