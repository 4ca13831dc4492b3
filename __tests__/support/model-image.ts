/**
 * Helpers for the model image tests: models saved as under SOURCE_DATE_EPOCH, tar reading and writing
 * with tar-stream, a tiny base image pushed as a build tool would, and manifests read back.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { openModelStore, saveModel } from '../../src/core/model-store.js';
import { openRepository } from '../../src/oci/index.js';
import type { RegistryFixture } from './registry.js';

export const UMOCI_BIN = '/usr/bin/umoci';
export const EPOCH = new Date('2026-03-04T05:06:07Z');
export const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export interface TarEntry {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  data: Buffer;
}

/** Every entry of an uncompressed tar, in order, read by tar-stream's extractor. */
export async function readTar(bytes: Buffer): Promise<TarEntry[]> {
  const extract = tar.extract();
  const entries: TarEntry[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const h = entry.header;
      entries.push({
        name: h.name,
        type: h.type ?? 'file',
        mode: h.mode ?? 0,
        uid: h.uid ?? -1,
        gid: h.gid ?? -1,
        mtime: h.mtime?.getTime() ?? -1,
        data: Buffer.concat(chunks),
      });
    }
  })();
  extract.end(bytes);
  await done;
  return entries;
}

export function tarOf(entries: { name: string; data?: Buffer; mode?: number }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    if (e.data) pack.entry({ name: e.name, mode: e.mode ?? 0o644, mtime: new Date(0) }, e.data);
    else pack.entry({ name: e.name, type: 'directory', mode: 0o755, mtime: new Date(0) });
  }
  pack.finalize();
  return collected.then(() => Buffer.concat(chunks));
}

export async function saveAt(
  home: string,
  tag: string,
  files: Record<string, Buffer | string>,
): Promise<void> {
  const source = await mkdtemp(join(tmpdir(), 'bentoci-model-image-src-'));
  try {
    for (const [path, data] of Object.entries(files)) {
      await mkdir(join(source, path, '..'), { recursive: true });
      await writeFile(join(source, path), data);
    }
    // As `models save` under SOURCE_DATE_EPOCH: a fixed creation time.
    await saveModel(openModelStore(home), { tag, source, module: 'files', creationTime: EPOCH });
  } finally {
    await rm(source, { recursive: true, force: true });
  }
}

/** The manifest and config of `repoName:reference`, read through our client. */
export async function manifestOf(registry: RegistryFixture, repoName: string, reference: string) {
  const repo = await openRepository(`${registry.url}/${repoName}`, { insecure: true });
  try {
    const manifest = JSON.parse((await repo.getManifest(reference)).bytes.toString('utf8'));
    const config = JSON.parse((await repo.fetchBlob(manifest.config.digest)).toString('utf8'));
    return { manifest, config };
  } finally {
    await repo.close();
  }
}

/** A base pushed as a build tool would: one gzip layer with a "shell", a config with its diff_id. */
export async function pushBase(
  at: RegistryFixture,
  repoName: string,
  tag: string,
  architecture: string,
  variant?: string,
) {
  const layerTar = await tarOf([
    { name: 'bin/' },
    { name: 'bin/sh', data: Buffer.from(`#!${architecture} shell\n`), mode: 0o755 },
    { name: 'etc/' },
    { name: 'etc/os-release', data: Buffer.from(`ID=${repoName}\n`) },
  ]);
  const layer = gzipSync(layerTar);
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os: 'linux',
      ...(variant ? { variant } : {}),
      config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { base: 'tiny' } },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
      history: [{ created_by: 'test base', created: '2020-01-01T00:00:00Z' }],
    }),
  );
  const repo = await openRepository(`${at.url}/${repoName}`, { insecure: true, push: true });
  try {
    const layerDesc = await repo.putBlob(layer, 'application/vnd.oci.image.layer.v1.tar+gzip');
    const configDesc = await repo.putBlob(config, 'application/vnd.oci.image.config.v1+json');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: configDesc,
        layers: [layerDesc],
      }),
    );
    const digest = await repo.putManifest(tag, manifest, 'application/vnd.oci.image.manifest.v1+json');
    return { digest, size: manifest.length, layer: layerDesc, diffId: sha256(layerTar) };
  } finally {
    await repo.close();
  }
}
