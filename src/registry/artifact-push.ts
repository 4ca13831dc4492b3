import { BentoError } from '../core/errors.js';
import { noun } from '../core/invalid-value.js';
import type { EntryInfo, EntryStore } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { openRepository } from '../oci/client.js';
import { linkedController } from '../oci/pool.js';
import { formatReference, type Reference, validateTag } from '../oci/reference.js';
import type { ArtifactKind } from './artifact-kinds.js';
import { planArtifact } from './artifact-layout.js';
import { type BlobStats, describeStats, publishManifest, refuseDigestTarget } from './publish.js';
import { type ReleaseTagKind, releaseTags } from './release-tags.js';
import type { TransferOptions } from './transfer.js';

export interface PushOptions extends TransferOptions {
  /** Move a fixed tag that points at a different artifact. */
  force?: boolean;
  /** A semantic version: also tag it and its moving tags (`1.4`, `1`, `latest`). */
  release?: string;
  releaseTags?: ReleaseTagKind[];
}

export interface PushResult {
  kind: 'model' | 'bento';
  tag: string;
  /** `host/repo:tag` of the primary tag. */
  reference: string;
  digest: string;
  tags: string[];
  /** True when every tag already pointed at this artifact: nothing was sent. */
  unchanged: boolean;
  blobs: BlobStats;
}

/**
 * Pushes a stored model or bento as an OCI artifact to `target` (`oci://host/repo[:tag]`; the tag
 * defaults to the entry's version). An identical push is a no-op that reads no large file.
 */
export async function pushEntry<I extends EntryInfo>(
  kind: ArtifactKind<I>,
  store: EntryStore<I>,
  tagText: string,
  target: Reference,
  options: PushOptions,
): Promise<PushResult> {
  refuseDigestTarget(target);
  const entry = await store.get(tagText);
  const tag = formatTag(entry.tag);
  const primary = target.tag ?? validateTag(entry.tag.version, noun(`${kind.noun} version`));
  const release = options.release ? releaseTags(options.release, options.releaseTags) : undefined;
  const fixed = [primary, ...(release ? [release.exact] : [])];
  const moving = release?.moving ?? [];

  // The metadata is checked here (digest, confined paths); the files as they are read for the layers.
  await store.assertMetadata(entry);
  const plan = await planArtifact(kind, entry);
  const controller = linkedController(options.signal);
  const repo = await openRepository(target, { ...options, push: true, signal: controller.signal });
  const log = options.log ?? (() => undefined);
  const reference = formatReference({ ...target, tag: primary });
  try {
    const published = await publishManifest(
      repo,
      {
        bytes: plan.bytes,
        digest: plan.digest,
        blobs: [plan.config, ...plan.layers].map((b) => ({
          descriptor: b.descriptor,
          source: async () => b.source,
        })),
        fixed,
        moving,
        label: `pushing ${kind.noun} ${tag}`,
        controller,
      },
      options,
    );
    if (published.unchanged)
      log(`${kind.noun} ${tag} is already at ${reference} (${plan.digest}): nothing to push`);
    else
      log(
        `pushed ${kind.noun} ${tag} to ${reference} (${plan.digest}): ${describeStats(published.blobs)}; tags ${published.tagsSet.join(', ')}`,
      );
    return {
      kind: kind.noun,
      tag,
      reference,
      digest: plan.digest,
      tags: [...new Set([...fixed, ...moving])],
      unchanged: published.unchanged,
      blobs: published.blobs,
    };
  } catch (err) {
    if (err instanceof BentoError || !(err instanceof Error)) throw err;
    throw new BentoError(`pushing ${kind.noun} ${tag} to ${reference} failed: ${err.message}`, {
      cause: err,
    });
  } finally {
    await repo.close();
  }
}
