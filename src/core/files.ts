import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { FileEntry } from '../shared/schemas.js';
import { sha256Digest } from './sha256.js';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every regular file below `root`, as sorted `/`-separated relative paths. Symlinks are refused. */
export async function listFiles(
  root: string,
  skip: (rel: string) => boolean = () => false,
): Promise<string[]> {
  const out: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, entry.name);
      const rel = relative(root, abs).split(sep).join('/');
      if (skip(rel)) continue;
      if (entry.isDirectory()) await walk(abs);
      else if (entry.isFile()) out.push(rel);
      else throw new Error(`${abs} is not a regular file or directory (symlinks and devices are not stored)`);
    }
  }
  await walk(root);
  return out.sort();
}

/**
 * The file manifest of a directory: path, sha256 and size of every file, sorted by path. `hashed`
 * holds digests the caller computed over the very bytes it wrote into `root` (an import hashes each
 * member as it streams it to disk); a file listed there with the same size is not read again.
 */
export async function manifestOf(
  root: string,
  skip?: (rel: string) => boolean,
  hashed?: ReadonlyMap<string, FileEntry>,
): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  for (const path of await listFiles(root, skip)) {
    const abs = join(root, path);
    const size = (await stat(abs)).size;
    const known = hashed?.get(path);
    entries.push({ path, sha256: known && known.size === size ? known.sha256 : await sha256File(abs), size });
  }
  return entries;
}

/**
 * The content digest of an entry: sha256 over its manifest in `sha256sum` format ("<hex>  <path>\n"
 * per file, sorted by path), so `sha256sum` in the entry's directory reproduces the lines.
 */
export function manifestDigest(files: readonly FileEntry[]): string {
  const lines = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.path}\n`)
    .join('');
  return sha256Digest(lines);
}

export function totalSize(files: readonly FileEntry[]): number {
  return files.reduce((sum, f) => sum + f.size, 0);
}

/** Writes a file so that readers see the old content or the new one, never a part. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true }).catch(() => undefined);
}
