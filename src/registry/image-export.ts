import { createWriteStream } from 'node:fs';
import { mkdir, readFile, realpath, symlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Dockerode from 'dockerode';
import * as tar from 'tar-stream';
import { z } from 'zod';
import { BentoError, IntegrityError, NotFoundError } from '../core/errors.js';
import { sha256Digest } from '../core/sha256.js';
import { operation, say } from '../core/user-text.js';
import { digestSchema } from '../shared/schemas.js';
import { safeEntryPath } from './safe-path.js';

/** One entry of `docker save`'s manifest.json (the legacy layout and the OCI one of Docker 25+ both have it). */
const saveManifestSchema = z.array(
  z.object({
    Config: z.string().min(1),
    RepoTags: z.array(z.string()).nullable().optional(),
    Layers: z.array(z.string()),
  }),
);

export const imageConfigSchema = z.looseObject({
  architecture: z.string().optional(),
  os: z.string().optional(),
  created: z.string().optional(),
  rootfs: z.object({
    type: z.literal('layers'),
    diff_ids: z.array(digestSchema),
  }),
});

export interface ExportedImage {
  /** `sha256:<hex>` of the config: the engine's image ID. */
  id: string;
  configBytes: Buffer;
  config: z.infer<typeof imageConfigSchema>;
  /** Layer files in the export directory, bottom first, with the digest of their uncompressed tar. */
  layers: { path: string; diffId: string }[];
}

export async function inspectImage(
  docker: Dockerode,
  image: string,
): Promise<{ id: string; repoTags: string[]; labels: Record<string, string> }> {
  try {
    const inspected = await docker.getImage(image).inspect();
    return { id: inspected.Id, repoTags: inspected.RepoTags ?? [], labels: inspected.Config?.Labels ?? {} };
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 404)
      throw new NotFoundError(
        say`image ${image} is not in the Docker engine: build it with ${operation('containerize')} (or docker build)`,
      );
    throw new BentoError(`cannot inspect image ${image} in the Docker engine: ${(err as Error).message}`);
  }
}

/**
 * Unpacks `docker save` of one image into `dir` and reads its config and layer list. Entries must stay
 * inside `dir`; the legacy layout's symlinked duplicate layers are allowed when they point inside it.
 */
export async function exportImage(docker: Dockerode, id: string, dir: string): Promise<ExportedImage> {
  await mkdir(dir, { recursive: true });
  const stream = (await docker.getImage(id).get()) as Readable;
  const extract = tar.extract();
  const unpacked = (async () => {
    for await (const entry of extract) {
      const name = entry.header.name.replace(/\/+$/, '');
      if (entry.header.type === 'directory') {
        entry.resume();
        await mkdir(join(dir, safeEntryPath(name, 'docker save')), { recursive: true });
        continue;
      }
      const path = join(dir, safeEntryPath(name, 'docker save'));
      await mkdir(dirname(path), { recursive: true });
      if (entry.header.type === 'symlink' && entry.header.linkname) {
        const target = resolve(dirname(path), entry.header.linkname);
        if (!target.startsWith(dir + sep))
          throw new BentoError(`docker save holds a link "${name}" that leaves the export`);
        entry.resume();
        await symlink(relative(dirname(path), target), path);
        continue;
      }
      if (entry.header.type !== 'file') {
        entry.resume();
        continue;
      }
      await pipeline(entry, createWriteStream(path));
    }
  })();
  await Promise.all([pipeline(stream, extract), unpacked]);

  const manifests = saveManifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  const first = manifests[0];
  if (!first || manifests.length !== 1)
    throw new BentoError(`docker save of ${id} holds ${manifests.length} images, expected 1`);
  const configBytes = await readFile(await inside(dir, first.Config));
  const configDigest = sha256Digest(configBytes);
  if (configDigest !== id)
    throw new IntegrityError(`docker save of ${id} gave a config with digest ${configDigest}`);
  const config = imageConfigSchema.parse(JSON.parse(configBytes.toString('utf8')));
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== first.Layers.length) {
    throw new IntegrityError(
      `docker save of ${id} lists ${first.Layers.length} layers for ${diffIds.length} diff_ids`,
    );
  }
  const layers = [];
  for (const [i, layer] of first.Layers.entries())
    layers.push({ path: await inside(dir, layer), diffId: diffIds[i]! });
  return { id, configBytes, config, layers };
}

/** A path named by manifest.json, resolved through links and checked to stay inside the export. */
async function inside(dir: string, rel: string): Promise<string> {
  const real = await realpath(join(dir, safeEntryPath(rel, 'docker save manifest.json')));
  const root = await realpath(dir);
  if (!real.startsWith(root + sep))
    throw new BentoError(`docker save manifest.json names "${rel}", outside the export`);
  return real;
}
