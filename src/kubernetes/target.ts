/**
 * What `bentoci manifests TARGET` deploys: a bento from the store (its settings, plus `--image` for
 * what the cluster pulls) or an image reference (plus `--bento` for the settings, else defaults).
 * The image is pinned by digest: a tag is resolved once here, against its registry, so every replica
 * and every rollout runs the same bytes.
 */
import { openBentoStore } from '../core/bento-store.js';
import { BentoError, UsageError } from '../core/errors.js';
import { formatReference, openRepository, parseImageReference } from '../oci/index.js';
import { factsOfBento, factsOfImage, type ServiceFacts } from './service-facts.js';

export interface TargetOptions {
  home: string;
  /** The image for a bento target. */
  image?: string;
  /** The bento whose settings an image target takes. */
  bento?: string;
  insecure?: boolean;
  caFile?: string;
}

export interface ResolvedTarget {
  facts: ServiceFacts;
  /** registry/repository@sha256:... */
  image: string;
}

async function pinned(text: string, flag: string, options: TargetOptions): Promise<string> {
  const ref = parseImageReference(text, flag);
  if (ref.digest)
    return formatReference({ registry: ref.registry, repository: ref.repository, digest: ref.digest });
  const tag = ref.tag ?? 'latest';
  let digest: string | undefined;
  try {
    const repo = await openRepository(ref, {
      home: options.home,
      ...(options.insecure ? { insecure: true } : {}),
      ...(options.caFile ? { caFile: options.caFile } : {}),
    });
    digest = await repo.resolve(tag);
  } catch (err) {
    throw new BentoError(
      `cannot pin ${flag} "${text}" to a digest: ${(err as Error).message.split('\n')[0]} (pass the image by digest, repo@sha256:..., as \`bentoci push\` prints it)`,
    );
  }
  if (!digest)
    throw new UsageError(
      `invalid ${flag} "${text}": the tag ${tag} is not in ${ref.registry}/${ref.repository} (push the image first, or pass it by digest)`,
    );
  return formatReference({ registry: ref.registry, repository: ref.repository, digest });
}

async function findBento(home: string, text: string) {
  try {
    return await openBentoStore(home).find(text);
  } catch (err) {
    // Image references are not bento tags; anything else (a corrupt store) is worth reporting.
    if (err instanceof UsageError) return undefined;
    throw err;
  }
}

export async function resolveTarget(text: string, options: TargetOptions): Promise<ResolvedTarget> {
  const bento = await findBento(options.home, text);
  if (bento) {
    if (options.bento) throw new UsageError(`--bento is for an image target; "${text}" is already a bento`);
    if (!options.image)
      throw new UsageError(
        `bentoci manifests ${text} needs --image: the pushed image of this bento, by digest (registry/repo@sha256:...) or by a tag to resolve`,
      );
    return { facts: factsOfBento(bento.info), image: await pinned(options.image, '--image', options) };
  }
  if (options.image)
    throw new UsageError(
      `"${text}" is not a bento in the store, so it is the image: drop --image, or build the bento`,
    );
  const image = await pinned(text, 'image', options);
  if (options.bento) {
    const settings = await openBentoStore(options.home).get(options.bento);
    return { facts: factsOfBento(settings.info), image };
  }
  return { facts: factsOfImage(parseImageReference(text).repository), image };
}
