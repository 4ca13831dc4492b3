/**
 * The image half: a bento in the store -> a Docker image through the engine at DOCKER_HOST, behind
 * verify-policy (src/operations/containerize.ts, as `bentoci containerize`), with the image's ID,
 * tags and size for outputs and the summary.
 */
import * as core from '@actions/core';
import type Docker from 'dockerode';
import type { BentoStore, StoredBento } from '../../core/bento-store.js';
import { formatBytes } from '../../core/progress.js';
import { formatTag } from '../../core/tag.js';
import {
  buildBentoImage,
  type ContainerizePlan,
  checkBento,
  planContainerize,
} from '../../operations/containerize.js';
import type { VerifyTrustInputs } from '../inputs.js';
import type { ActionRun } from '../run.js';
import type { RunnerEnv } from '../runner.js';
import { verifyOptionsFrom } from './keys.js';
import { verifyStep } from './verify.js';

export interface ImageRequest extends VerifyTrustInputs {
  tags: string[];
  labels: Record<string, string>;
}

export interface BuiltImage {
  /** The engine's image ID: the digest of the image's config. */
  id: string;
  tags: string[];
  size: number;
  /** Every label of the image's config: this build's and those it inherits from the base. */
  labels: Record<string, string>;
}

/**
 * Reads the image's inputs and verify-policy's trust (a key, or a keyless signer's trusted root)
 * before any work: a bad input fails here, named as the input.
 */
export function containerizePlanFrom(request: ImageRequest, env: RunnerEnv): Promise<ContainerizePlan> {
  const { options, access } = verifyOptionsFrom(request, env);
  return planContainerize({ ...options, tag: request.tags, label: request.labels }, access);
}

/** Checks the bento (intact, signed as verify-policy asks), then builds its image. */
export async function containerizeFlow(
  run: ActionRun,
  docker: Docker,
  store: BentoStore,
  bento: StoredBento,
  plan: ContainerizePlan,
): Promise<BuiltImage> {
  // The bento's files were checked as it was built, restored or looked up in this job.
  await verifyStep(run, `bento ${formatTag(bento.tag)}`, plan.gate.policy, (warn) =>
    checkBento(plan, store, bento, { intactChecked: true, warn }),
  );
  const image = await run.step(`Build image of ${formatTag(bento.tag)}`, async () => {
    const built = await buildBentoImage(plan, bento, (line) => core.info(line));
    const inspected = await docker.getImage(built.id).inspect();
    core.info(`built image ${built.tags.join(', ')} (${built.id}, ${formatBytes(inspected.Size)})`);
    return { id: built.id, tags: built.tags, size: inspected.Size, labels: inspected.Config?.Labels ?? {} };
  });
  run.report.imageDetails({ image: image.tags.join(', '), kind: 'labels', values: image.labels });
  for (const tag of image.tags)
    run.report.artifact({ kind: 'image', ref: tag, action: 'built', digest: image.id, size: image.size });
  return image;
}
