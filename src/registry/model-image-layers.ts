/**
 * The filesystem layers of a model image: reproducible, uncompressed tars written with tar-stream
 * that put the model's files under /models (sorted entries, fixed times, root-owned, 0644 files and
 * 0755 directories, every parent directory present).
 *
 * Uncompressed on purpose: weights barely compress, so gzip would cost a full CPU pass for nothing and
 * a second digest to keep; an uncompressed layer's digest is its diff_id. containerd, CRI-O, Docker,
 * skopeo and umoci all read `application/vnd.oci.image.layer.v1.tar`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import * as tar from 'tar-stream';
import { z } from 'zod';
import { IntegrityError } from '../core/errors.js';
import { digestOf } from '../core/sha256.js';
import type { BlobSource } from '../oci/blob-source.js';
import { digestSchema, type FileEntry } from '../shared/schemas.js';
import { JsonCache } from './json-cache.js';

/** Where the files sit in the image: KServe's modelcar links /mnt/models to it. */
export const MODELS_DIR = 'models';
/** Files from this size on get a layer of their own. */
export const OWN_LAYER_MIN_BYTES = 1024 * 1024;
/**
 * Time of every entry in a layer of one large file: fixed, not the model's creation time, so the same
 * weights at the same path make the same layer in every version of the model (a node that pulled
 * v1 pulls only what changed for v2). The small-files layer carries the model's own time.
 */
export const SHARED_LAYER_TIME = new Date(0);

export interface ImageLayer {
  /** The layer blob; uncompressed, so its digest is also its diff_id. */
  source: BlobSource;
  /** What the layer holds, for the history and the layer's title: `models/<path>` or `models/ (n files)`. */
  comment: string;
}

/** A file to put in a layer: its path under /models and the bytes the entry's manifest records. */
export interface LayerFile {
  path: string;
  size: number;
  sha256: string;
}

type Header = Partial<tar.Header> & Pick<tar.Header, 'name'>;

function dirHeader(name: string, mtime: Date): Header {
  return { name, type: 'directory', mode: 0o755, mtime, uid: 0, gid: 0, uname: '', gname: '' };
}

function fileHeader(name: string, size: number, mtime: Date): Header {
  return { name, type: 'file', size, mode: 0o644, mtime, uid: 0, gid: 0, uname: '', gname: '' };
}

/** `models/` and every directory between it and the files, with trailing slashes. */
function directoriesOf(paths: readonly string[]): string[] {
  const dirs = new Set<string>([`${MODELS_DIR}/`]);
  for (const path of paths) {
    const parts = path.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(`${MODELS_DIR}/${parts.slice(0, i).join('/')}/`);
  }
  return [...dirs];
}

function damaged(what: string, path: string): IntegrityError {
  return new IntegrityError(
    `${what} is damaged: ${path} differs from its manifest; delete it and save or pull it again`,
  );
}

function addEntry(pack: tar.Pack, header: Header, data?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null) => (err ? reject(err) : resolve());
    if (data) pack.entry(header, data, done);
    else pack.entry(header, done);
  });
}

/** Streams one file into the tar, checking its bytes against the manifest's size and sha256 as they pass. */
async function addFile(
  pack: tar.Pack,
  dir: string,
  file: LayerFile,
  mtime: Date,
  what: string,
): Promise<void> {
  const input = createReadStream(join(dir, file.path), { highWaterMark: 1 << 20 });
  const onClose = () => input.destroy();
  pack.once('close', onClose);
  const hash = createHash('sha256');
  let seen = 0;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      seen += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry(fileHeader(`${MODELS_DIR}/${file.path}`, file.size, mtime), (err) =>
        err ? reject(err) : resolve(),
      );
      input.on('error', reject);
      input.pipe(check).pipe(sink as unknown as NodeJS.WritableStream);
    });
  } catch {
    // Shorter, longer or unreadable: tar-stream refuses the entry; say what that means for the model.
    throw damaged(what, file.path);
  } finally {
    pack.off('close', onClose);
  }
  if (seen !== file.size || hash.digest('hex') !== file.sha256) throw damaged(what, file.path);
}

/**
 * A layer's tar, streamed (no file is held whole in memory): `models/` and the directories, then the
 * files from disk and `extra` (in-memory files such as model.yaml), all in name order.
 */
function layerTar(
  dir: string,
  files: readonly LayerFile[],
  extra: ReadonlyMap<string, Buffer>,
  mtime: Date,
  what: string,
): Readable {
  const onDisk = new Map(files.map((f) => [`${MODELS_DIR}/${f.path}`, f]));
  const inMemory = new Map(
    [...extra]
      .filter(([path]) => !onDisk.has(`${MODELS_DIR}/${path}`))
      .map(([path, data]) => [`${MODELS_DIR}/${path}`, data]),
  );
  const names = [
    ...directoriesOf([...files.map((f) => f.path), ...extra.keys()]),
    ...onDisk.keys(),
    ...inMemory.keys(),
    // A directory's name (with its slash) is a prefix of its contents' names: sorted, parents come first.
  ].sort();
  const pack = tar.pack();
  (async () => {
    for (const name of names) {
      const file = onDisk.get(name);
      const data = inMemory.get(name);
      if (file) await addFile(pack, dir, file, mtime, what);
      else if (data) await addEntry(pack, fileHeader(name, data.length, mtime), data);
      else await addEntry(pack, dirHeader(name, mtime));
    }
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err as Error));
  return pack as unknown as Readable;
}

/** Bytes `start` to `end` (inclusive) of a stream that is produced from its beginning. */
function slice(make: () => Readable, start: number, end: number): Readable {
  return Readable.from(
    (async function* () {
      const stream = make();
      let at = 0;
      try {
        for await (const chunk of stream) {
          const buffer = chunk as Buffer;
          const from = Math.max(start - at, 0);
          const to = Math.min(end + 1 - at, buffer.length);
          if (to > from) yield buffer.subarray(from, to);
          at += buffer.length;
          if (at > end) break;
        }
      } finally {
        stream.destroy();
      }
    })(),
  );
}

/** Reads a layer once for its digest and size; `onBytes` reports the files' bytes as they pass. */
async function measure(
  make: () => Readable,
  onBytes?: (n: number) => void,
): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of make()) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    onBytes?.((chunk as Buffer).length);
  }
  return { digest: digestOf(hash), size };
}

/**
 * A layer as an upload source. An upload that resumes from an offset re-reads the layer up to it:
 * resuming is rare, and a temporary copy of the weights is not free.
 */
function streamedSource(make: () => Readable, digest: string, size: number): BlobSource {
  return { digest, size, open: (start, end) => slice(make, start, end) };
}

/** One layer of the small files (checked against the manifest) and the in-memory `extra` files, such as model.yaml. */
export async function smallFilesLayer(
  dir: string,
  files: readonly LayerFile[],
  extra: ReadonlyMap<string, Buffer>,
  mtime: Date,
  what: string,
): Promise<ImageLayer> {
  const make = () => layerTar(dir, files, extra, mtime, what);
  const { digest, size } = await measure(make);
  const count = new Set([...files.map((f) => f.path), ...extra.keys()]).size;
  return {
    source: streamedSource(make, digest, size),
    comment: `${MODELS_DIR}/ (${count} small file${count === 1 ? '' : 's'})`,
  };
}

const layerDigestsSchema = z.record(
  z.string(),
  z.object({ digest: digestSchema, size: z.number().int().min(0) }),
);

/**
 * The digest of each large file's layer is remembered by the file's sha256 and path (the layer's
 * only inputs), so pushing the same weights again reads no large file until an upload needs it.
 * Only a hint: a wrong entry makes the registry refuse the upload, as the blob's digest is checked.
 */
function keyOf(file: LayerFile): string {
  return `v1:${file.sha256}:${MODELS_DIR}/${file.path}`;
}

export class LayerDigests {
  private constructor(private readonly cache: JsonCache<{ digest: string; size: number }>) {}

  static async load(home: string): Promise<LayerDigests> {
    return new LayerDigests(await JsonCache.load(home, 'model-image-layers.json', layerDigestsSchema));
  }

  /** Large files whose layer digest is not remembered: they are read once before anything is sent. */
  unknown(files: readonly LayerFile[]): LayerFile[] {
    return files.filter((file) => !this.cache.get(keyOf(file)));
  }

  /** A layer holding `file` alone; its digest from the cache, or from one read of the file. */
  async layerOf(
    dir: string,
    file: LayerFile,
    what: string,
    onBytes?: (n: number) => void,
  ): Promise<ImageLayer> {
    const make = () => layerTar(dir, [file], new Map(), SHARED_LAYER_TIME, what);
    const key = keyOf(file);
    let known = this.cache.get(key);
    if (!known) {
      known = await measure(make, onBytes);
      this.cache.set(key, known);
    }
    return { source: streamedSource(make, known.digest, known.size), comment: `${MODELS_DIR}/${file.path}` };
  }

  save(): Promise<void> {
    return this.cache.save();
  }
}

/** Splits the entry's files: large ones by path (one layer each), the rest together. */
export function splitFiles(files: readonly FileEntry[]): { large: FileEntry[]; small: FileEntry[] } {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    large: sorted.filter((f) => f.size >= OWN_LAYER_MIN_BYTES),
    small: sorted.filter((f) => f.size < OWN_LAYER_MIN_BYTES),
  };
}
