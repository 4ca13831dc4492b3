/**
 * Filling a staged bento directory: source files, model entries (hard links when one filesystem
 * allows it), environment files and generated text, and the manifest of what was written.
 */
import { copyFile, link, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { listFiles, manifestDigest, sha256File } from '../core/files.js';
import type { StoredModel } from '../core/model-store.js';
import type { FileEntry } from '../shared/schemas.js';

export class StagedBento {
  /** sha256 already known for files linked from verified model entries, by bento path. */
  private readonly known = new Map<string, FileEntry>();

  constructor(readonly dir: string) {}

  async writeText(rel: string, text: string): Promise<void> {
    const target = join(this.dir, rel);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }

  async copyIn(source: string, rel: string): Promise<void> {
    const target = join(this.dir, rel);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(source, target);
  }

  /** Puts a model entry (content files and model.yaml, not its signatures) under `rel`. */
  async addModel(model: StoredModel, rel: string): Promise<void> {
    for (const file of model.info.files) {
      await this.linkOrCopy(join(model.dir, file.path), `${rel}/${file.path}`);
      this.known.set(`${rel}/${file.path}`, { ...file, path: `${rel}/${file.path}` });
    }
    await this.linkOrCopy(join(model.dir, 'model.yaml'), `${rel}/model.yaml`);
  }

  /** Model files are immutable in the store, so sharing their inodes is safe and saves the copy. */
  private async linkOrCopy(source: string, rel: string): Promise<void> {
    const target = join(this.dir, rel);
    await mkdir(dirname(target), { recursive: true });
    try {
      await link(source, target);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EMLINK') throw err;
      await copyFile(source, target);
    }
  }

  /**
   * The manifest and digest of everything staged, as the store will compute them at commit; model
   * files reuse the digests verified moments ago instead of being read again.
   */
  async manifest(isContent: (rel: string) => boolean): Promise<{ files: FileEntry[]; digest: string }> {
    const files: FileEntry[] = [];
    for (const path of await listFiles(this.dir, (rel) => !isContent(rel))) {
      const size = (await stat(join(this.dir, path))).size;
      const known = this.known.get(path);
      files.push(
        known && known.size === size ? known : { path, sha256: await sha256File(join(this.dir, path)), size },
      );
    }
    return { files, digest: manifestDigest(files) };
  }
}
