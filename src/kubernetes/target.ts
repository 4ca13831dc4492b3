/**
 * What the manifests deploy: a bento from the store (its settings, plus the `image` option for what
 * the cluster pulls) or an image reference (plus the `bento` option for the settings, else defaults).
 * The image is pinned by digest: a tag is resolved once here, against its registry, so every replica
 * and every rollout runs the same bytes.
 */
import { openBentoStore } from '../core/bento-store.js';
import { BentoError, OptionError, UsageError } from '../core/errors.js';
import { noun } from '../core/invalid-value.js';
import { option, say, type TextPart, textOf, UserText } from '../core/user-text.js';
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

/**
 * The image by digest. `key` is the option that gave it (`image`), or undefined for the target
 * itself, which the front door names as the argument it is.
 */
async function pinned(text: string, key: 'image' | undefined, options: TargetOptions): Promise<string> {
  const ref = parseImageReference(text, key ?? noun('image'));
  if (ref.digest)
    return formatReference({ registry: ref.registry, repository: ref.repository, digest: ref.digest });
  const what = key ? say`${option(key)} "${text}"` : say`the image "${text}"`;
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
      say`cannot pin ${what} to a digest: ${firstLine(err)} (pass the image by digest, repo@sha256:..., as its push printed it)`,
    );
  }
  if (!digest) {
    const message = say`invalid ${what}: the tag ${tag} is not in ${ref.registry}/${ref.repository} (push the image first, or pass it by digest)`;
    throw key ? new OptionError(key, message) : new UsageError(message);
  }
  return formatReference({ registry: ref.registry, repository: ref.repository, digest });
}

/** The first line of an error's text, its option and operation references kept. */
function firstLine(err: unknown): UserText {
  const parts: TextPart[] = [];
  for (const part of textOf(err).parts) {
    const cut = typeof part === 'string' ? part.indexOf('\n') : -1;
    if (cut < 0) parts.push(part);
    else {
      parts.push((part as string).slice(0, cut));
      break;
    }
  }
  return new UserText(parts);
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
    if (options.bento)
      throw new OptionError(
        'bento',
        say`${option('bento')} is for an image target; "${text}" is already a bento`,
      );
    if (!options.image)
      throw new OptionError(
        'image',
        say`the bento ${text} needs ${option('image')}: the pushed image of this bento, by digest (registry/repo@sha256:...) or by a tag to resolve`,
      );
    return { facts: factsOfBento(bento.info), image: await pinned(options.image, 'image', options) };
  }
  if (options.image)
    throw new OptionError(
      'image',
      say`"${text}" is not a bento in the store, so it is the image: drop ${option('image')}, or build the bento`,
    );
  const image = await pinned(text, undefined, options);
  if (options.bento) {
    const settings = await openBentoStore(options.home).get(options.bento);
    return { facts: factsOfBento(settings.info), image };
  }
  return { facts: factsOfImage(parseImageReference(text).repository), image };
}
