import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { IntegrityError } from '../core/errors.js';
import { digestOf } from '../core/sha256.js';
import { OCI_LAYER_GZIP } from '../oci/media-types.js';

export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';

export interface CompressedLayer {
  path: string;
  digest: string;
  size: number;
  mediaType: string;
}

function hashing(hash: ReturnType<typeof createHash>, count?: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      if (count) count.bytes += chunk.length;
      callback(null, chunk);
    },
  });
}

async function magic(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return digestOf(hash);
}

/**
 * The layer as a registry blob: gzip (level 6, as Docker pushes) of an uncompressed tar, checking the
 * tar against its diff_id on the way; an already compressed layer (an OCI export) is used as it is.
 * Node's zlib is deterministic for the same input and level, so the same layer gives the same digest.
 */
export async function compressLayer(path: string, diffId: string, outPath: string): Promise<CompressedLayer> {
  const head = await magic(path);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    return { path, digest: await sha256Of(path), size: (await stat(path)).size, mediaType: OCI_LAYER_GZIP };
  }
  if (head.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) {
    return { path, digest: await sha256Of(path), size: (await stat(path)).size, mediaType: OCI_LAYER_ZSTD };
  }
  const raw = createHash('sha256');
  const compressed = createHash('sha256');
  const count = { bytes: 0 };
  await pipeline(
    createReadStream(path, { highWaterMark: 1 << 20 }),
    hashing(raw),
    createGzip({ level: 6 }),
    hashing(compressed, count),
    createWriteStream(outPath),
  );
  const actualDiffId = digestOf(raw);
  if (actualDiffId !== diffId)
    throw new IntegrityError(`image layer ${path} has digest ${actualDiffId}, but its config says ${diffId}`);
  return {
    path: outPath,
    digest: digestOf(compressed),
    size: count.bytes,
    mediaType: OCI_LAYER_GZIP,
  };
}
