/**
 * Pushes an entry in the layout bentoci wrote before ModelPack (docs/oci-artifacts.md, "What pull
 * accepts"): config = the info as canonical JSON with bentoci's media types, files under 1 MiB in one
 * untitled reproducible tar, larger ones as titled raw layers. Written here, apart from src/, so the
 * test pins the old format as it was pushed rather than as the current code would write it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tar from 'tar-stream';
import { canonicalJson } from '../../src/core/digest.js';
import type { EntryInfo, StoredEntry } from '../../src/core/store.js';
import { openRepository } from '../../src/oci/index.js';

const MiB = 1024 * 1024;

async function smallFilesTar(dir: string, paths: string[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const path of [...paths].sort()) {
    const data = await readFile(join(dir, path));
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        { name: path, size: data.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, type: 'file' },
        data,
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

/** Pushes `entry` as bentoci 0.2 did to `url` (`oci://host/repo`) under `tag`; returns the manifest digest. */
export async function pushLegacyArtifact(
  url: string,
  tag: string,
  noun: 'model' | 'bento',
  entry: StoredEntry<EntryInfo>,
): Promise<string> {
  const repo = await openRepository(url, { insecure: true, push: true });
  try {
    const config = await repo.putBlob(
      Buffer.from(canonicalJson(entry.info)),
      `application/vnd.bentoci.${noun}.config.v1+json`,
    );
    const small = entry.info.files.filter((f) => f.size < MiB).map((f) => f.path);
    const large = entry.info.files.filter((f) => f.size >= MiB).sort((a, b) => (a.path < b.path ? -1 : 1));
    const layers = [];
    if (small.length > 0) {
      const blob = await repo.putBlob(
        await smallFilesTar(entry.dir, small),
        'application/vnd.bentoci.files.v1.tar',
      );
      layers.push({ ...blob, annotations: { 'dev.bentoci.file-count': String(small.length) } });
    }
    for (const file of large) {
      const blob = await repo.putBlob(
        await readFile(join(entry.dir, file.path)),
        'application/vnd.bentoci.file.v1',
      );
      layers.push({ ...blob, annotations: { 'org.opencontainers.image.title': file.path } });
    }
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: `application/vnd.bentoci.${noun}.v1`,
      config,
      layers,
      annotations: {
        'dev.bentoci.kind': noun,
        'dev.bentoci.tag': `${entry.info.name}:${entry.info.version}`,
        'dev.bentoci.content-digest': entry.info.digest,
      },
    };
    return await repo.putManifest(
      tag,
      Buffer.from(JSON.stringify(manifest)),
      'application/vnd.oci.image.manifest.v1+json',
    );
  } finally {
    await repo.close();
  }
}
