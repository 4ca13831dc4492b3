import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { sha256File } from '../core/files.js';
import { sha256Digest } from '../core/sha256.js';

/** Content to upload, re-readable from any offset so an interrupted upload can resume. */
export interface BlobSource {
  digest: string;
  size: number;
  /** Bytes `start` to `end` inclusive. */
  open(start: number, end: number): Readable;
}

export function bufferSource(bytes: Uint8Array): BlobSource {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    digest: sha256Digest(buffer),
    size: buffer.length,
    open: (start, end) => Readable.from([buffer.subarray(start, end + 1)]),
  };
}

/** A file whose sha256 is known (from a store manifest) or computed here. */
export async function fileSource(
  path: string,
  known?: { sha256: string; size: number },
): Promise<BlobSource> {
  const size = known?.size ?? (await stat(path)).size;
  const hex = known?.sha256 ?? (await sha256File(path));
  return {
    digest: `sha256:${hex}`,
    size,
    open: (start, end) => createReadStream(path, { start, end, highWaterMark: 1 << 20 }),
  };
}

/** Passes bytes through, reporting each chunk (progress) without changing the stream. */
export function counting(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onBytes(chunk.length);
      callback(null, chunk);
    },
  });
}
