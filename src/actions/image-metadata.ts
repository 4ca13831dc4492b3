/**
 * The `metadata` output: the keys docker/build-push-action's `metadata` output has where they apply
 * (`containerimage.digest`, `containerimage.config.digest`, `containerimage.descriptor`, `image.name`),
 * plus bentoci's own under `bentoci.*`. `containerimage.digest` is the manifest digest once the image
 * is pushed and the image ID before (a local image has no manifest digest); `bentoci.digest-kind`
 * says which, so a workflow never has to guess.
 */
import type { StoredBento } from '../core/bento-store.js';
import { formatTag } from '../core/tag.js';
import type { BuiltImage } from './steps/containerize.js';

/** What a push of the image left in the registry. */
export interface PushedImage {
  id: string;
  digest: string;
  mediaType: string;
  size: number;
  annotations: Record<string, string>;
  /** `host/repo:tag` of every tag the manifest is under. */
  references: string[];
}

export type ImageMetadata = Record<string, unknown>;

function bentoKeys(bento: StoredBento): ImageMetadata {
  return { 'bentoci.bento': formatTag(bento.tag), 'bentoci.bento.digest': bento.info.digest };
}

/** A built, not (yet) pushed, image. */
export function builtImageMetadata(bento: StoredBento, image: BuiltImage): ImageMetadata {
  return {
    'containerimage.config.digest': image.id,
    'containerimage.digest': image.id,
    'image.name': image.tags.join(','),
    'bentoci.digest-kind': 'image-id',
    'bentoci.image.id': image.id,
    'bentoci.image.size': image.size,
    'bentoci.image.labels': image.labels,
    ...bentoKeys(bento),
  };
}

/** A pushed image: its manifest, by digest, under every pushed tag. */
export function pushedImageMetadata(
  bento: StoredBento,
  pushed: PushedImage,
  built?: BuiltImage,
): ImageMetadata {
  return {
    'containerimage.config.digest': pushed.id,
    'containerimage.descriptor': {
      mediaType: pushed.mediaType,
      digest: pushed.digest,
      size: pushed.size,
      ...(Object.keys(pushed.annotations).length > 0 ? { annotations: pushed.annotations } : {}),
    },
    'containerimage.digest': pushed.digest,
    'image.name': pushed.references.join(','),
    'bentoci.digest-kind': 'manifest',
    'bentoci.image.id': pushed.id,
    ...(built ? { 'bentoci.image.size': built.size, 'bentoci.image.labels': built.labels } : {}),
    'bentoci.image.annotations': pushed.annotations,
    ...bentoKeys(bento),
  };
}
