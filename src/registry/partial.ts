import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BentoError } from '../core/errors.js';
import { digestHex, isSha256Digest } from '../core/sha256.js';
import { ociDir } from './transfer.js';

export interface PartialSlot {
  /** Where the blob's bytes accumulate; kept across runs so the next pull resumes. */
  path: string;
  release(): Promise<void>;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The partial-download file of a blob under `$BENTOCI_HOME/.oci/partial/`. One process at a time owns
 * `<hex>.part` (a lock file holds its pid); a second concurrent pull of the same blob gets a private
 * file instead, so two writers never append to one file.
 */
export async function partialSlot(home: string, digest: string): Promise<PartialSlot> {
  // The digest comes from a registry's manifest and names a file here: only sha256 hex may do that.
  if (!isSha256Digest(digest))
    throw new BentoError(`blob digest "${digest.slice(0, 80)}" is not sha256:<64 hex>: cannot download it`);
  const dir = join(ociDir(home), 'partial');
  await mkdir(dir, { recursive: true });
  const hex = digestHex(digest);
  const lock = join(dir, `${hex}.lock`);
  const shared = { path: join(dir, `${hex}.part`), release: () => rm(lock, { force: true }) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return shared;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (owner && isAlive(owner)) break;
      // Left by a process that died: take it over (its bytes are resumed, and verified at the end).
      await rm(lock, { force: true });
    }
  }
  const own = join(dir, `${hex}.${process.pid}.${Math.random().toString(36).slice(2)}.part`);
  return { path: own, release: () => rm(own, { force: true }) };
}
