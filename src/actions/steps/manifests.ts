/**
 * The Kubernetes manifests step of bento-push: once the image is pushed and its digest known, write
 * the kustomize directory for it (docs/kubernetes.md) through the manifests operation, so a later
 * step can commit it to a GitOps repository or upload it as an artifact.
 */
import * as core from '@actions/core';
import type { StoredBento } from '../../core/bento-store.js';
import { OptionError, OptionErrors } from '../../core/errors.js';
import { formatTag } from '../../core/tag.js';
import { UserText } from '../../core/user-text.js';
import type { ManifestKind } from '../../kubernetes/options.js';
import { formatReference, type Reference } from '../../oci/index.js';
import { manifests } from '../../operations/manifests.js';
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

/**
 * The operation's options this step sets from bento-push's inputs, as the key whose kebab case is the
 * input (`kind` -> `manifestsKind` -> manifests-kind): bento-push's other inputs set other options.
 */
const KEY_OF_INPUT: Readonly<Record<string, string>> = {
  out: 'manifests',
  kind: 'manifestsKind',
  namespace: 'manifestsNamespace',
};

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
    manifests(
      {
        target: formatTag(bento.tag),
        image,
        out,
        kind: request.kind,
        ...(request.namespace ? { namespace: request.namespace } : {}),
      },
      { home: env.home },
    ).catch((err: unknown) => {
      throw asInputs(err);
    }),
  );
  core.info(`wrote ${written.files.length} files for ${written.name} (${image}) to ${out}`);
  return out;
}

/** An option error of the options this step sets, as the error of the input that set it. */
function asInputs(err: unknown): unknown {
  if (err instanceof OptionErrors) return new OptionErrors(err.errors.map(asInput));
  if (err instanceof OptionError) return asInput(err);
  return err;
}

function asInput(err: OptionError): OptionError {
  const parts = err.text.parts.map((part) =>
    typeof part !== 'string' && part.kind === 'option' && KEY_OF_INPUT[part.key]
      ? { ...part, key: KEY_OF_INPUT[part.key]! }
      : part,
  );
  return new OptionError(KEY_OF_INPUT[err.option] ?? err.option, new UserText(parts));
}
