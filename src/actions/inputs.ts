/**
 * Every input of every action, parsed and validated in one place. Each action has one schema: a record
 * from the input's name in action.yml to a Field (input-fields.ts). `readInputs` reads them all with
 * `core.getInput`, masks the secret ones before anything else can print them, and reports every bad
 * input at once, each as an annotation titled with the input's name.
 */

import * as core from '@actions/core';
import semver from 'semver';
import { ATTESTATION_KINDS, type AttestationKind, attestationKinds } from '../attest/formats.js';
import { cudaVersionHint, resolveCudaVersion } from '../build/cuda.js';
import { UsageError } from '../core/errors.js';
import { noun } from '../core/invalid-value.js';
import { KINDS, manifestChoicesSchema } from '../kubernetes/options.js';
import { redactUserInfo } from '../oci/redact.js';
import { parseOciUrl, type Reference } from '../oci/reference.js';
import { parseOptions } from '../operations/options.js';
import { attestSigningSchema } from '../operations/sign.js';
import { parseVerifyGateOptions } from '../operations/trust.js';
import {
  bool,
  entryRefs,
  type Field,
  imageKeyValues,
  imageNames,
  keyValues,
  list,
  modelSources,
  oneOf,
  optionalDigest,
  optionalTagPart,
  optionalText,
  parsed,
  positiveInt,
  pushTags,
  tag,
} from './input-fields.js';
import { maskSecret } from './secrets.js';

/**
 * A bad input value: the message says what was expected; `input` is its name in action.yml. The
 * message is prefixed with the input unless it names it already (an option error the action rendered).
 */
export class InputError extends UsageError {
  constructor(
    readonly input: string,
    message: string,
    options: { namesInput?: boolean } = {},
  ) {
    super(options.namesInput ? message : `input "${input}": ${message}`);
    this.name = 'InputError';
  }
}

/** Several bad inputs at once; each is annotated on its own. */
export class InputErrors extends UsageError {
  constructor(readonly errors: InputError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.name = 'InputErrors';
  }
}

type Spec = Record<string, Field<unknown>>;
type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
export type Inputs<S extends Spec> = {
  [K in keyof S & string as Camel<K>]: S[K] extends Field<infer T> ? T : never;
};

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const transferInputs = {
  'import-from': oneOf(['cache']),
  'export-to': oneOf(['cache']),
} satisfies Spec;

const version = optionalTagPart('version');
const verifyPolicy = oneOf(['off', 'warn', 'require'] as const, 'off');
/** "12.4" pins to the newest 12.4 patch; an unknown release fails here, not at `docker build`. */
const cudaVersion = parsed((text) => {
  if (text === '') return undefined;
  const release = resolveCudaVersion(text);
  if (!release) throw new Error(`"${text}" is not a known CUDA release; ${cudaVersionHint(text)}`);
  return release;
});

const buildStepInputs = {
  bentofile: optionalText(),
  context: optionalText().transform((v) => v ?? '.'),
  version,
  labels: keyValues(),
  'cuda-version': cudaVersion,
  models: modelSources(),
  'import-models': entryRefs(),
  ...transferInputs,
} satisfies Spec;

export const buildInputs = {
  ...buildStepInputs,
  build: bool(true),
} satisfies Spec;

/** The bento a step works on, and how it reaches this job. */
const bentoInputs = {
  bento: tag(),
  'bento-digest': optionalDigest(),
  'import-from': oneOf(['cache']),
} satisfies Spec;

export const verifyInputs = {
  'verify-policy': verifyPolicy,
  'verify-key': optionalText(),
  'verify-certificate-identity': optionalText(),
  'verify-certificate-identity-regexp': optionalText(),
  'verify-certificate-oidc-issuer': optionalText(),
  'verify-trusted-root': optionalText(),
  'verify-insecure-ignore-sct': bool(false),
} satisfies Spec;

export const containerizeInputs = {
  ...bentoInputs,
  tags: imageNames(),
  labels: imageKeyValues(),
  ...verifyInputs,
} satisfies Spec;

/** `oci://host[:port]/path[:tag]`, or the same without the scheme as `docker push` spells it. */
function parseRegistry(text: string): Reference {
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(text) && !text.startsWith('oci://')) {
    throw new Error(`"${redactUserInfo(text)}" is not oci://host[:port]/path or host[:port]/path`);
  }
  const ref = parseOciUrl(text.startsWith('oci://') ? text : `oci://${text}`, noun('registry'));
  if (ref.digest) throw new Error(`"${text}" names a digest; push to a repository or a tag`);
  return ref;
}

const registry = parsed((text) => {
  if (text === '') throw new Error('is required: expected oci://host[:port]/path or host[:port]/path');
  return parseRegistry(text);
});
const optionalRegistry = parsed((text) => (text === '' ? undefined : parseRegistry(text)));

const releaseVersion = parsed((text) => {
  if (text === '') return undefined;
  if (!semver.valid(text)) throw new Error(`"${text}" is not a semantic version such as 1.4.2 or v1.4.2`);
  return text;
});

const registryInputs = {
  'registry-username': optionalText(),
  'registry-password': optionalText(),
  insecure: bool(false),
} satisfies Spec;

/** `provenance,sbom` (or empty / `none`): the attestations to sign and attach, as push's --attest. */
const attestKinds = parsed((text): AttestationKind[] => {
  const names = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const parsed = attestationKinds(names);
  if ('unknown' in parsed)
    throw new Error(
      `"${parsed.unknown}" is not an attestation: expected a comma list of ${Object.keys(ATTESTATION_KINDS).join(', ')}, or none`,
    );
  return parsed.kinds;
});

const signInputs = {
  attest: attestKinds,
  'sign-key': optionalText(),
  'sign-key-password': optionalText(),
  'sign-keyless': bool(false),
  'sigstore-fulcio-url': optionalText(),
  'sigstore-rekor-url': optionalText(),
} satisfies Spec;

export const pushInputs = {
  ...bentoInputs,
  registry,
  image: optionalText(),
  'image-registry': optionalRegistry,
  'image-tags': pushTags(),
  annotations: imageKeyValues(),
  'release-version': releaseVersion,
  // Kubernetes manifests for the pushed image (docs/kubernetes.md).
  manifests: optionalText(),
  'manifests-kind': oneOf(KINDS, 'deployment'),
  // Checked by the manifests' own rule before anything is pushed.
  'manifests-namespace': optionalText().pipe(manifestChoicesSchema.shape.namespace),
  ...registryInputs,
  ...signInputs,
  ...verifyInputs,
} satisfies Spec;

/** The root action: build, containerize, push and sign in one step. */
export const pipelineInputs = {
  ...buildStepInputs,
  tags: imageNames(),
  containerize: bool(true),
  push: bool(true),
  registry: optionalRegistry,
  'image-registry': optionalRegistry,
  'release-version': releaseVersion,
  ...registryInputs,
  ...signInputs,
  ...verifyInputs,
} satisfies Spec;

/**
 * actions/bento-canary. The canary's options are read as text and checked by the canary operation
 * (src/operations/canary.ts), the same checks as `bentoci canary`'s, whose errors name the input at
 * fault; the action's own inputs (the PR comment, the commit status, which events may promote) are
 * checked here.
 */
export const canaryInputs = {
  baseline: optionalText(),
  candidate: optionalText(),
  requests: optionalText(),
  duration: optionalText(),
  concurrency: optionalText(),
  warmup: optionalText(),
  'requests-file': optionalText(),
  seed: optionalText(),
  order: optionalText(),
  timeout: optionalText(),
  'ready-timeout': optionalText(),
  env: keyValues(),
  thresholds: optionalText(),
  shadow: optionalText(),
  'promote-to': optionalText(),
  'release-version': optionalText(),
  'rollout-manifests': optionalText(),
  'rollout-name': optionalText(),
  'rollout-image': optionalText(),
  'github-token': optionalText(),
  comment: bool(true),
  status: bool(true),
  'pr-number': positiveInt(),
  'promote-on': list(),
  'promote-refs': list(),
  ...registryInputs,
  ...verifyInputs,
} satisfies Spec;

/** Inputs whose values are masked in the log before they are parsed. */
export const SECRET_INPUTS: readonly string[] = [
  'registry-password',
  'sign-key',
  'sign-key-password',
  'github-token',
];

/** Every action's schema, by the action's name; tests check each against its action.yml. */
export const ACTION_INPUTS = {
  'bento-build': buildInputs,
  'bento-containerize': containerizeInputs,
  'bento-push': pushInputs,
  'bento-canary': canaryInputs,
  pipeline: pipelineInputs,
} as const satisfies Record<string, Spec>;

export type BuildInputs = Inputs<typeof buildInputs>;
export type ContainerizeInputs = Inputs<typeof containerizeInputs>;
export type PushInputs = Inputs<typeof pushInputs>;
export type PipelineInputs = Inputs<typeof pipelineInputs>;
export type CanaryInputs = Inputs<typeof canaryInputs>;

/**
 * Reads and validates every input of `spec`. `read` is `core.getInput` in an action; tests may pass
 * a map. Throws InputErrors naming every bad input.
 */
export function readInputs<S extends Spec>(
  spec: S,
  read: (name: string) => string = (n) => core.getInput(n),
): Inputs<S> {
  const out: Record<string, unknown> = {};
  const errors: InputError[] = [];
  for (const [name, field] of Object.entries(spec)) {
    const raw = read(name);
    if (SECRET_INPUTS.includes(name) && raw) maskSecret(raw);
    const result = field.safeParse(raw);
    if (result.success) out[camel(name)] = result.data;
    else
      errors.push(
        new InputError(name, SECRET_INPUTS.includes(name) ? 'is not valid' : result.error.issues[0]!.message),
      );
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new InputErrors(errors);
  return out as Inputs<S>;
}

/** For checks that span inputs (e.g. `push: true` needs `registry`). */
export function requireInput<T>(value: T | undefined, input: string, why: string): T {
  if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
    throw new InputError(input, `is required ${why}`);
  }
  return value;
}

/** What an action signs with, as the inputs name it. */
export interface SignInputs {
  attest?: readonly AttestationKind[] | undefined;
  signKey?: string | undefined;
  signKeyPassword?: string | undefined;
  signKeyless?: boolean | undefined;
  sigstoreFulcioUrl?: string | undefined;
  sigstoreRekorUrl?: string | undefined;
}

/**
 * The signing options (src/operations/sign.ts) the inputs set. A key given as PEM text and its
 * password stay out of the options: `key` and `passwordEnv` name variables of a private environment
 * (see steps/keys.ts); for the checks their presence is what counts.
 */
export function signOptionsOf(inputs: SignInputs) {
  return {
    attest: inputs.attest ?? [],
    key: inputs.signKey,
    keyless: inputs.signKeyless ?? false,
    fulcioUrl: inputs.sigstoreFulcioUrl,
    rekorUrl: inputs.sigstoreRekorUrl,
    passwordEnv: inputs.signKeyPassword ? SIGN_KEY_PASSWORD_VAR : undefined,
  };
}

/** The private variable that holds sign-key-password for the key loader. */
export const SIGN_KEY_PASSWORD_VAR = 'BENTOCI_SIGN_KEY_PASSWORD';

/** One way of signing at a time, keyless settings only when keyless, attest needs a signer: the operation's rules. */
export function checkSignInputs(inputs: SignInputs): void {
  parseOptions(attestSigningSchema, signOptionsOf(inputs));
}

/** What the verify gate trusts, as the inputs name it. */
export interface VerifyTrustInputs {
  verifyPolicy?: string | undefined;
  verifyKey?: string | undefined;
  verifyCertificateIdentity?: string | undefined;
  verifyCertificateIdentityRegexp?: string | undefined;
  verifyCertificateOidcIssuer?: string | undefined;
  verifyTrustedRoot?: string | undefined;
  verifyInsecureIgnoreSct?: boolean | undefined;
}

/** The verify gate's options (src/operations/trust.ts) the inputs set; src/actions/naming.ts maps them back. */
export function verifyOptionsOf(inputs: VerifyTrustInputs) {
  return {
    verify: inputs.verifyPolicy ?? 'off',
    pub: inputs.verifyKey,
    certificateIdentity: inputs.verifyCertificateIdentity,
    certificateIdentityRegexp: inputs.verifyCertificateIdentityRegexp,
    certificateOidcIssuer: inputs.verifyCertificateOidcIssuer,
    trustedRoot: inputs.verifyTrustedRoot,
    insecureIgnoreSct: inputs.verifyInsecureIgnoreSct ?? false,
  };
}

/** A key or a keyless signer, never half of one, and require needs one: the operation's rules. */
export function checkVerifyInputs(inputs: VerifyTrustInputs): void {
  parseVerifyGateOptions(verifyOptionsOf(inputs));
}
