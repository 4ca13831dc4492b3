/**
 * The options of a push, checked once for both front doors: one zod schema (keys are the CLI's
 * flags in camelCase, which the actions map to their inputs), then the rules that need the subject
 * and what the features parse (references, release tags, the model image's base and platform),
 * each failure an OptionError carrying its key.
 */
import { z } from 'zod';
import type { Attestation } from '../attest/attest.js';
import type { AttestationKind } from '../attest/formats.js';
import { parseSourceDateEpoch } from '../build/reproducible.js';
import type { BentoStore } from '../core/bento-store.js';
import type { ModelStore } from '../core/model-store.js';
import { option, say } from '../core/user-text.js';
import { formatReference, parseOciUrl, type Reference } from '../oci/reference.js';
import type { PushResult } from '../registry/artifact-push.js';
import type { PushImageResult } from '../registry/image-push.js';
import type { ModelImageOptions, ModelImageResult } from '../registry/model-image.js';
import { parsePlatform } from '../registry/model-image-base.js';
import {
  parseReleaseTagKinds,
  RELEASE_TAG_KINDS,
  type ReleaseTagKind,
  releaseTags,
} from '../registry/release-tags.js';
import { OptionChecks } from './option-checks.js';
import { attestShape, checkAttestSigning, type Signing, signingShape } from './sign.js';
import { connectionShape, type RegistryContext, referenceOf, referenceOption } from './transfer.js';
import { checkVerifyGate, type KeyAccess, verifyGateShape } from './trust.js';

/** The options of a push; keys are the CLI's flags in camelCase, which the actions map to inputs. */
export const pushOptionsSchema = z
  .object({
    /** Where the artifact goes (or the image, when only an image is pushed). */
    to: referenceOption,
    /** Where the image goes when an entry is pushed with it. */
    imageRegistry: referenceOption.optional(),
    /** Move a tag that holds something else. */
    force: z.boolean().default(false),
    /** A semantic version: also tag it, and point its moving tags (`releaseTags`) at it. */
    release: z.string().min(1).optional(),
    releaseTags: z.union([z.string(), z.array(z.enum(RELEASE_TAG_KINDS))]).optional(),
    /** More tags of the image (blobs go up once), and its manifest annotations. */
    tag: z.array(z.string().min(1)).default([]),
    annotation: z.record(z.string(), z.string()).default({}),
    /** A model as a runnable image (its files under /models), on `base`, for `platform`. */
    asImage: z.boolean().default(false),
    base: z.string().min(1).optional(),
    platform: z.string().min(1).optional(),
    /** Sign the entry before the push and every pushed manifest after it (the actions' sign-key). */
    sign: z.boolean().default(false),
    ...signingShape,
    ...attestShape,
    /** The gate the entry passes before it is pushed. */
    ...verifyGateShape,
    ...connectionShape,
  })
  .superRefine((values, ctx) => {
    checkAttestSigning(values, ctx);
    checkVerifyGate(values, ctx);
  });

export type PushOptionValues = z.input<typeof pushOptionsSchema>;
export type PushOptions = z.output<typeof pushOptionsSchema>;

/** What is pushed: an entry of a store (a bento with, optionally, an image of it), or an image alone. */
export type PushSubject =
  | { kind: 'bento'; store: BentoStore; tag: string; image?: string | undefined }
  | { kind: 'model'; store: ModelStore; tag: string }
  | { kind: 'image'; image: string };

/** Something the push put into a registry, as it happens (an action lists them in its summary). */
export interface Published {
  kind: 'bento' | 'model' | 'image' | 'signature' | 'attestation';
  /** `host/repo:tag` for what is tagged, `host/repo@digest` for referrers and signatures. */
  ref: string;
  digest: string;
  /** The attestation's kind (provenance, sbom). */
  attestation?: AttestationKind;
}

export interface PushContext extends RegistryContext {
  /** Runs one phase of the push (an action groups the log and times it); by default it just runs. */
  step?: <T>(title: string, work: () => Promise<T>) => Promise<T>;
  /** Called as each manifest, signature and attestation lands. */
  published?: (item: Published) => void;
  /** Where `env://NAME` keys and the key's passphrase are read (default: this process's environment). */
  keys?: KeyAccess;
  /**
   * The signer, when the front door loaded it from words of its own (an action's PEM secret); the
   * options still say that one is given (`key` or `keyless`). Otherwise the options' signer is loaded.
   */
  signing?: Signing | undefined;
  /** SOURCE_DATE_EPOCH and what attestations read of the run; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export interface PushOutcome {
  /** The entry's artifact (absent when a model went as an image, or only an image was pushed). */
  artifact?: PushResult;
  modelImage?: ModelImageResult;
  image?: PushImageResult;
  /** Everything published, in order: manifests' tags, then signatures, then attestations. */
  published: Published[];
  attestations: Attestation[];
  /** How the push signed (`with key 1a2b...`, `keyless as ...`), when it did. */
  signedAs?: string;
}

/** The options, checked, with everything derived from them resolved. */
export interface PushPlan {
  options: PushOptions;
  to: Reference;
  imageTo?: Reference | undefined;
  release: { release?: string; releaseTags?: ReleaseTagKind[] };
  modelImage?: Pick<ModelImageOptions, 'base' | 'platform' | 'sourceDateEpoch'>;
  signing?: Signing | undefined;
}

export function imageOf(subject: PushSubject): string | undefined {
  return subject.kind === 'model' ? undefined : subject.image;
}

/** The rules across options that need the subject, and what the features parse. */
export function planPush(
  subject: PushSubject,
  options: PushOptions,
  env: NodeJS.ProcessEnv,
): Omit<PushPlan, 'signing'> {
  const checks = new OptionChecks();
  const to = referenceOf(checks, 'to', options.to);
  if (to?.digest)
    checks.fail('to', say`invalid ${option('to')} "${formatReference(to)}": push to a tag, not a digest`);
  const image = imageOf(subject);
  let imageTo: Reference | undefined;
  if (subject.kind === 'bento' && image) {
    if (options.imageRegistry === undefined)
      checks.fail('imageRegistry', say`${option('imageRegistry')} is required to push the image ${image}`);
    else imageTo = referenceOf(checks, 'imageRegistry', options.imageRegistry);
  }
  if (!image)
    for (const key of ['tag', 'annotation'] as const)
      if (Object.keys(options[key]).length > 0)
        checks.fail(key, say`${option(key)} applies to a pushed image, and no image is pushed`);

  const kinds =
    typeof options.releaseTags === 'string'
      ? checks.value('releaseTags', () => parseReleaseTagKinds(options.releaseTags as string))
      : options.releaseTags;
  const release = options.release;
  if (release !== undefined) checks.value('release', () => releaseTags(release, kinds));

  let modelImage: PushPlan['modelImage'];
  if (options.asImage) {
    if (subject.kind !== 'model') checks.fail('asImage', say`${option('asImage')} pushes models only`);
    const { base, platform } = options;
    const baseRef =
      base && base !== 'none' ? checks.value('base', () => parseOciUrl(base, 'base')) : undefined;
    const parsedPlatform = platform
      ? checks.value('platform', () => parsePlatform(platform, 'platform'))
      : undefined;
    const epoch = parseSourceDateEpoch(env['SOURCE_DATE_EPOCH']);
    modelImage = {
      ...(baseRef ? { base: baseRef } : {}),
      ...(parsedPlatform ? { platform: parsedPlatform } : {}),
      ...(epoch ? { sourceDateEpoch: epoch } : {}),
    };
  } else {
    for (const key of ['base', 'platform'] as const)
      if (options[key] !== undefined)
        checks.fail(
          key,
          say`${option(key)} shapes the model image: add ${option('asImage')}, or drop it to push the artifact`,
        );
  }

  if (options.attest.length > 0 && subject.kind === 'model')
    checks.fail('attest', say`${option('attest')} describes bentos and their images, not models`);
  if (options.attest.length === 0 && !options.sign && (options.key !== undefined || options.keyless))
    checks.fail(
      options.key !== undefined ? 'key' : 'keyless',
      say`${option('key')} and ${option('keyless')} sign the attestations of a push: add ${option('attest', 'provenance,sbom')}`,
    );
  checks.done();
  return {
    options,
    to: to as Reference,
    imageTo,
    release: {
      ...(release !== undefined ? { release } : {}),
      ...(kinds ? { releaseTags: kinds } : {}),
    },
    ...(modelImage ? { modelImage } : {}),
  };
}
