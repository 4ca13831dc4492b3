/**
 * The image half: a bento in the store -> a Docker image through the engine at DOCKER_HOST, with
 * the image's ID, tags and size for outputs and the summary.
 */
import * as core from '@actions/core';
import type Docker from 'dockerode';
import { containerize } from '../../containerize/containerize.js';
import type { StoredBento } from '../../core/bento-store.js';
import { formatBytes } from '../../core/progress.js';
import { formatTag } from '../../core/tag.js';
import type { ActionRun } from '../run.js';

export interface ImageRequest {
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

export async function containerizeFlow(
  run: ActionRun,
  docker: Docker,
  bento: StoredBento,
  request: ImageRequest,
): Promise<BuiltImage> {
  const image = await run.step(`Build image of ${formatTag(bento.tag)}`, async () => {
    const built = await containerize(bento, {
      tags: request.tags,
      labels: request.labels,
      log: (line) => core.info(line),
    });
    const inspected = await docker.getImage(built.id).inspect();
    core.info(`built image ${built.tags.join(', ')} (${built.id}, ${formatBytes(inspected.Size)})`);
    return { id: built.id, tags: built.tags, size: inspected.Size, labels: inspected.Config?.Labels ?? {} };
  });
  run.report.imageDetails({ image: image.tags.join(', '), kind: 'labels', values: image.labels });
  for (const tag of image.tags)
    run.report.artifact({ kind: 'image', ref: tag, action: 'built', digest: image.id, size: image.size });
  return image;
}
