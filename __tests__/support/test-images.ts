/**
 * Small images pushed straight to a test registry, and the signature registry view of one, for the
 * image-signing tests (key-based and keyless).
 */
import { createHash } from 'node:crypto';
import {
  OCI_CONFIG,
  OCI_LAYER_TAR,
  OCI_MANIFEST,
  openRepository,
  parseImageReference,
} from '../../src/oci/index.js';
import { openSignatureRegistry } from '../../src/sign/registry/oci-registry.js';

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Pushes a one-layer image whose content differs by `seed` to `host`; returns its manifest digest. */
export async function pushTestImage(
  host: string,
  repository: string,
  tag: string,
  seed: string,
): Promise<string> {
  const repo = await openRepository(`oci://${host}/${repository}`, { insecure: true, push: true });
  try {
    const layer = Buffer.from(`layer ${seed}`);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
        config: {},
      }),
    );
    const l = await repo.putBlob(layer, OCI_LAYER_TAR);
    const c = await repo.putBlob(config, OCI_CONFIG);
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: c, layers: [l] }),
    );
    return await repo.putManifest(tag, manifest, OCI_MANIFEST);
  } finally {
    await repo.close();
  }
}

/** Runs `fn` with the signature registry of `image` (plain HTTP), closing it after. */
export async function withSignatureRegistry<T>(
  image: string,
  fn: (r: Awaited<ReturnType<typeof openSignatureRegistry>>) => Promise<T>,
  push = false,
): Promise<T> {
  const r = await openSignatureRegistry(parseImageReference(image), { insecure: true }, { push });
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}
