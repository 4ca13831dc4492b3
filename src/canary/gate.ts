/**
 * What follows a verdict, shared by the CLI and the action: promotion on pass (stable untouched
 * otherwise) and the progressive-rollout manifests. Returns lines for the report, as user text: a
 * line may name an option, which each front door spells its way.
 */
import { option, say, type UserText } from '../core/user-text.js';
import type { RepositoryOptions } from '../oci/index.js';
import { formatReference } from '../oci/reference.js';
import { type PromotionResult, planPromotion, promote } from './promote.js';
import { writeRolloutManifests } from './rollout.js';
import type { CanaryOutcome } from './run.js';
import type { Thresholds } from './thresholds.js';

export interface GateOptions {
  /** `oci://host/repo[:tag]`: move `stable` (or the given tag) to the candidate's digest on pass. */
  promoteTo?: string;
  /** A semantic version: its exact tag and the moving minor/major/latest tags are promoted too. */
  release?: string;
  /** Why promotion is not allowed in this context (an event that does not promote), if it is not. */
  promotionBlocked?: UserText;
  registry: RepositoryOptions;
  rolloutDir?: string;
  rolloutName?: string;
  rolloutImage?: string;
  thresholds: Thresholds;
  log: (line: string) => void;
}

export interface GateResult {
  promotion?: PromotionResult;
  manifests: string[];
  notes: UserText[];
}

function defaultRolloutName(outcome: CanaryOutcome): string {
  const ref = outcome.candidate.ref;
  const raw =
    ref.kind === 'image'
      ? (ref.registry?.repository ?? ref.image).split('/').at(-1)!.split(/[:@]/)[0]!
      : (outcome.candidate.description.split(/[\s:]/)[1] ?? 'bento-service');
  return (
    raw
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'bento-service'
  );
}

function candidateImage(outcome: CanaryOutcome, promoted?: PromotionResult): string | undefined {
  const ref = outcome.candidate.ref;
  if (ref.kind !== 'image') return undefined;
  if (ref.registry) {
    const digest = promoted?.digest ?? ref.registry.digest;
    return digest
      ? formatReference({ registry: ref.registry.registry, repository: ref.registry.repository, digest })
      : ref.image;
  }
  return ref.image;
}

export async function applyGate(outcome: CanaryOutcome, options: GateOptions): Promise<GateResult> {
  const notes: UserText[] = [];
  const manifests: string[] = [];
  let promotion: PromotionResult | undefined;
  if (options.promoteTo) {
    // Check the plan before the verdict matters, so a bad promotion target fails every run alike.
    const source = outcome.candidate.ref.kind === 'image' ? outcome.candidate.ref.registry : undefined;
    const plan = planPromotion(options.promoteTo, source, options.release);
    if (!outcome.verdict.passed) {
      notes.push(
        say`Promotion skipped: the verdict is ${outcome.verdict.verdict}; \`${plan.tags.join(', ')}\` left untouched.`,
      );
    } else if (options.promotionBlocked) {
      notes.push(say`Promotion skipped: ${options.promotionBlocked}.`);
    } else {
      promotion = await promote(plan, options.registry);
      const moved = promotion.moves.filter((m) => m.moved).map((m) => `\`${m.tag}\``);
      const kept = promotion.moves.filter((m) => !m.moved).map((m) => `\`${m.tag}\``);
      const line = `Promoted ${promotion.repository}@${promotion.digest}: ${moved.length > 0 ? `moved ${moved.join(', ')}` : 'no tag moved'}${kept.length > 0 ? `; already there: ${kept.join(', ')}` : ''}.`;
      notes.push(say`${line}`);
      options.log(`canary: ${line.replace(/`/g, '')}`);
    }
  }
  if (options.rolloutDir) {
    const image = options.rolloutImage ?? candidateImage(outcome, promotion);
    if (!image) {
      notes.push(
        say`Rollout manifests not written: the candidate is not an image (pass ${option('rolloutImage')}).`,
      );
    } else {
      manifests.push(
        ...(await writeRolloutManifests(options.rolloutDir, options.thresholds, {
          name: options.rolloutName ?? defaultRolloutName(outcome),
          image,
        })),
      );
      notes.push(
        say`Rollout manifests (Argo Rollouts, Flagger) with the same thresholds: ${manifests.map((m) => `\`${m}\``).join(', ')}.`,
      );
    }
  }
  return { ...(promotion ? { promotion } : {}), manifests, notes };
}
