import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/files.js';

/**
 * Where we pushed each blob before, per registry: the hint for cross-repository mounts (a bento's
 * model file already pushed under the model's repository is linked, not uploaded again). It is only
 * a hint: a wrong entry costs one refused mount; concurrent writers may drop each other's additions.
 */
const locationsSchema = z.record(z.string(), z.record(z.string(), z.array(z.string())));
type Locations = z.infer<typeof locationsSchema>;

const MAX_DIGESTS_PER_REGISTRY = 20_000;
const MAX_REPOS_PER_DIGEST = 4;

export class BlobLocations {
  private constructor(
    private readonly path: string,
    private data: Locations,
  ) {}

  static async load(home: string): Promise<BlobLocations> {
    const path = join(home, '.oci', 'blob-locations.json');
    let data: Locations = {};
    try {
      data = locationsSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    } catch {
      // Missing or damaged: start empty, it is only a hint.
    }
    return new BlobLocations(path, data);
  }

  reposOf(registry: string, digest: string): string[] {
    return this.data[registry]?.[digest] ?? [];
  }

  add(registry: string, repository: string, digests: Iterable<string>): void {
    const byDigest = this.data[registry] ?? {};
    this.data[registry] = byDigest;
    for (const digest of digests) {
      const repos = (byDigest[digest] ?? []).filter((r) => r !== repository);
      // Delete and re-insert: object key order then keeps the most recently used last.
      delete byDigest[digest];
      byDigest[digest] = [repository, ...repos].slice(0, MAX_REPOS_PER_DIGEST);
    }
    const keys = Object.keys(byDigest);
    for (const key of keys.slice(0, Math.max(0, keys.length - MAX_DIGESTS_PER_REGISTRY)))
      delete byDigest[key];
  }

  async save(): Promise<void> {
    const current = await BlobLocations.load(join(this.path, '..', '..'));
    // Merge what another process wrote meanwhile under ours.
    for (const [registry, byDigest] of Object.entries(current.data)) {
      const mine = this.data[registry] ?? {};
      this.data[registry] = mine;
      for (const [digest, repos] of Object.entries(byDigest)) {
        mine[digest] = [...new Set([...(mine[digest] ?? []), ...repos])].slice(0, MAX_REPOS_PER_DIGEST);
      }
    }
    await writeFileAtomic(this.path, JSON.stringify(this.data));
  }
}
