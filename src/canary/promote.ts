/**
 * Promotion: after a passing verdict, point `stable` (and release tags) at the candidate's digest by
 * storing the candidate's manifest bytes under those tags in its repository. The digest is resolved
 * once, before anything moves, so every tag gets the artifact that was judged; a tag that already
 * points there is left alone. On a failing verdict nothing is touched.
 */
import { BentoError, OptionError, UsageError } from '../core/errors.js';
import { option, say, type UserText } from '../core/user-text.js';
import { openRepository, type Reference, type RepositoryOptions } from '../oci/index.js';
import { formatReference, parseOciUrl, validateTag } from '../oci/reference.js';
import { releaseTags } from '../registry/release-tags.js';

export interface PromotionPlan {
  /** The judged artifact: `oci://host/repo:tag` or `...@sha256:`. */
  source: Reference;
  /** Repository to tag in; must be the source's (a tag move copies no blobs). */
  target: Reference;
  /** Moving tags: `stable` by default, plus the target's own tag when given. */
  tags: string[];
  /** A semantic version: adds its exact tag (immutable) and the moving minor/major/latest tags. */
  release?: string;
}

export interface TagMove {
  tag: string;
  previous?: string;
  moved: boolean;
}

export interface PromotionResult {
  digest: string;
  repository: string;
  moves: TagMove[];
}

/** Option `promoteTo`: `oci://host/repo[:tag]`, a repository and the tag to move (not a digest). */
export function parsePromotionTarget(promoteTo: string): Reference {
  const target = parseOciUrl(promoteTo, 'promoteTo');
  if (target.digest)
    throw new OptionError(
      'promoteTo',
      say`invalid ${option('promoteTo')} "${promoteTo}": name a tag to move, not a digest`,
    );
  return target;
}

/**
 * Builds the plan from option `promoteTo` (`oci://host/repo[:tag]`) and the candidate's registry
 * reference. The target tag, when given, is promoted in place of `stable`.
 */
export function planPromotion(
  promoteTo: string,
  source: Reference | undefined,
  release?: string,
): PromotionPlan {
  const target = parsePromotionTarget(promoteTo);
  if (!source)
    throw new OptionError(
      'promoteTo',
      say`${option('promoteTo')} needs a candidate in a registry: pass ${option('candidate', 'oci://host/repo:tag')} (the artifact that was judged)`,
    );
  if (source.registry !== target.registry || source.repository !== target.repository) {
    throw new OptionError(
      'promoteTo',
      say`invalid ${option('promoteTo')} "${promoteTo}": promotion moves tags within the candidate's repository ${source.registry}/${source.repository}; push the candidate there first`,
    );
  }
  const tags = [validateTag(target.tag ?? 'stable', 'promoteTo')];
  return { source, target, tags, ...(release ? { release } : {}) };
}

export async function promote(
  plan: PromotionPlan,
  options: RepositoryOptions = {},
): Promise<PromotionResult> {
  const repo = await openRepository(
    { registry: plan.target.registry, repository: plan.target.repository },
    { ...options, push: true },
  );
  try {
    const reference = plan.source.digest ?? plan.source.tag;
    if (!reference)
      throw new UsageError(`the candidate ${formatReference(plan.source)} names neither a tag nor a digest`);
    const manifest = await repo.getManifest(reference);
    if (plan.source.digest && manifest.digest !== plan.source.digest)
      throw new BentoError(`the registry returned ${manifest.digest} for ${formatReference(plan.source)}`);

    const moving = [...plan.tags];
    const immutable: string[] = [];
    if (plan.release) {
      const r = releaseTags(plan.release);
      immutable.push(r.exact);
      moving.push(...r.moving);
    }
    // Check the immutable release tag before moving anything, so a refusal leaves every tag as it was.
    const moves: TagMove[] = [];
    for (const tag of immutable) {
      const previous = await repo.resolve(tag);
      if (previous && previous !== manifest.digest)
        throw new BentoError(
          `release tag ${tag} already points at ${previous}: release tags are immutable (bump the version)`,
        );
    }
    for (const tag of [...immutable, ...new Set(moving)]) {
      const previous = await repo.resolve(tag);
      if (previous === manifest.digest) {
        moves.push({ tag, previous, moved: false });
        continue;
      }
      await repo.putManifest(tag, manifest.bytes, manifest.mediaType);
      const now = await repo.resolve(tag);
      if (now !== manifest.digest)
        throw new BentoError(
          `tag ${tag} points at ${now ?? 'nothing'} after promotion, not ${manifest.digest}`,
        );
      moves.push({ tag, ...(previous ? { previous } : {}), moved: true });
    }
    return {
      digest: manifest.digest,
      repository: `${plan.target.registry}/${plan.target.repository}`,
      moves,
    };
  } finally {
    await repo.close();
  }
}

/**
 * Whether this run may promote: the verdict opened the gate, and (in Actions) the event and ref are
 * among the configured ones, e.g. a push to main, never a pull request.
 */
export function promotionAllowed(options: {
  passed: boolean;
  event?: string;
  ref?: string;
  onEvents: readonly string[];
  onRefs: readonly string[];
}): { allowed: boolean; why: UserText } {
  if (!options.passed)
    return { allowed: false, why: say`the verdict did not pass: stable is left untouched` };
  if (options.event !== undefined && options.onEvents.length > 0 && !options.onEvents.includes(options.event))
    return {
      allowed: false,
      why: say`event ${options.event} does not promote (${option('promoteOn')}: ${options.onEvents.join(', ')})`,
    };
  if (options.ref !== undefined && options.onRefs.length > 0) {
    const short = options.ref.replace(/^refs\/(heads|tags)\//, '');
    if (!options.onRefs.includes(options.ref) && !options.onRefs.includes(short))
      return {
        allowed: false,
        why: say`ref ${options.ref} does not promote (${option('promoteRefs')}: ${options.onRefs.join(', ')})`,
      };
  }
  return { allowed: true, why: say`passed` };
}
