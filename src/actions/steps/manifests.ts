/**
 * The Kubernetes manifests step of bento-push: once the image is pushed and its digest known, write
 * the kustomize directory for it (docs/kubernetes.md), so a later step can commit it to a GitOps
 * repository or upload it as an artifact.
 */
import * as core from '@actions/core';
import type { StoredBento } from '../../core/bento-store.js';
import { formatTag } from '../../core/tag.js';
import { writeManifests } from '../../kubernetes/manifests.js';
import type { ManifestKind } from '../../kubernetes/options.js';
import { formatReference, type Reference } from '../../oci/index.js';
import type { ActionRun } from '../run.js';
import { type RunnerEnv, workspacePath } from '../runner.js';

export interface ManifestsRequest {
  /** The directory, as the input gave it (relative to the workspace). */
  dir: string;
  kind: ManifestKind;
  namespace?: string;
  /** Where the image was pushed, and the digest it got. */
  image: { to: Reference; digest: string };
}

export async function manifestsStep(
  run: ActionRun,
  env: RunnerEnv,
  bento: StoredBento,
  request: ManifestsRequest,
): Promise<string> {
  const out = workspacePath(env, request.dir);
  const image = formatReference({
    registry: request.image.to.registry,
    repository: request.image.to.repository,
    digest: request.image.digest,
  });
  const written = await run.step(`Kubernetes manifests (${request.kind})`, () =>
    writeManifests({
      target: formatTag(bento.tag),
      home: env.home,
      image,
      out,
      manifest: { kind: request.kind, ...(request.namespace ? { namespace: request.namespace } : {}) },
    }),
  );
  core.info(`wrote ${written.files.length} files for ${written.name} (${image}) to ${out}`);
  return out;
}
