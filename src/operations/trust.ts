/**
 * Whom a verification trusts, and the verify gate built on it, read once for both front doors:
 * a public key (`pub`), or a keyless signer (cosign's certificate identity and OIDC issuer, exact or
 * by regexp, certified by a Sigstore trusted root). `verify` (off, warn, require) is the gate that
 * containerize, push, pull, serve and canary run before they act. The CLI hands its flags; an action
 * maps its inputs to these keys (`verify-key` -> `pub`). The rules across options are written here
 * once, and each broken one names its option, so the CLI shows the flag and an action the input.
 */
import { z } from 'zod';
import { option, say } from '../core/user-text.js';
import {
  enforceVerifyPolicy,
  type PolicyOutcome,
  type VerifyPolicy,
  type VerifyTarget,
  verifyPolicySchema,
} from '../sign/index.js';
import type { IdentityPolicy } from '../sign/keyless/verify.js';
import { loadVerifier } from '../sign/keys/key-files.js';
import type { Verifier } from '../sign/keys/signer.js';
import { type KeylessTrust, keylessTrust } from '../sign/policy.js';
import { optionIssue, parseOptions } from './options.js';

export type { KeylessTrust } from '../sign/index.js';

const text = z.string().min(1, 'expected a value').optional();

/** The options that name whom to trust (cosign's names, in camelCase). */
export const trustShape = {
  pub: text,
  certificateIdentity: text,
  certificateIdentityRegexp: text,
  certificateOidcIssuer: text,
  certificateOidcIssuerRegexp: text,
  trustedRoot: text,
  insecureIgnoreTlog: z.boolean().optional(),
  insecureIgnoreSct: z.boolean().optional(),
};

/** `verify` and whom it trusts: the gate of every command that acts on a signed artifact. */
export const verifyGateShape = {
  verify: z.enum(verifyPolicySchema.options, { error: 'expected off, warn or require' }).default('off'),
  ...trustShape,
};

type TrustValues = { [K in keyof typeof trustShape]?: z.output<(typeof trustShape)[K]> };
type GateValues = TrustValues & { verify?: VerifyPolicy | undefined };

/** The keyless options that only mean something beside an identity and an issuer. */
const KEYLESS_SETTINGS = ['trustedRoot', 'insecureIgnoreTlog', 'insecureIgnoreSct'] as const;

const IDENTITY_EXAMPLE = 'https://github.com/ORG/REPO/.github/workflows/release.yml@refs/heads/main';
const ISSUER_EXAMPLE = 'https://token.actions.githubusercontent.com';

function setKey(values: TrustValues, keys: readonly (keyof TrustValues)[]): keyof TrustValues | undefined {
  return keys.find((k) => values[k] !== undefined && values[k] !== false);
}

/** True when the options name a keyless signer (or any keyless setting). */
export function isKeyless(values: TrustValues): boolean {
  return (
    setKey(values, [
      'certificateIdentity',
      'certificateIdentityRegexp',
      'certificateOidcIssuer',
      'certificateOidcIssuerRegexp',
      ...KEYLESS_SETTINGS,
    ]) !== undefined
  );
}

/**
 * The rules across the trust options: one identity and one issuer (each exact or by regexp, not
 * both), a key or a keyless signer (not both), keyless settings only beside a keyless signer, and
 * regexps that compile. A zod refinement, so an operation's schema adds it to its own options.
 */
export function checkTrust(values: TrustValues, ctx: z.RefinementCtx): void {
  for (const [exact, regexp] of [
    ['certificateIdentity', 'certificateIdentityRegexp'],
    ['certificateOidcIssuer', 'certificateOidcIssuerRegexp'],
  ] as const) {
    if (values[exact] !== undefined && values[regexp] !== undefined)
      optionIssue(
        ctx,
        regexp,
        say`${option(exact)} and ${option(regexp)} exclude each other: accept one value, or those matching a regexp`,
      );
    const re = values[regexp];
    if (re !== undefined) {
      try {
        new RegExp(re);
      } catch (err) {
        optionIssue(
          ctx,
          regexp,
          say`${option(regexp)} "${re}" is not a valid regular expression (${(err as Error).message})`,
        );
      }
    }
  }
  const identity = setKey(values, ['certificateIdentity', 'certificateIdentityRegexp']);
  const issuer = setKey(values, ['certificateOidcIssuer', 'certificateOidcIssuerRegexp']);
  const keyless = identity ?? issuer ?? setKey(values, KEYLESS_SETTINGS);
  if (values.pub !== undefined && keyless !== undefined)
    optionIssue(
      ctx,
      'pub',
      say`${option('pub')} and ${option(keyless)} exclude each other: trust a key or a keyless signer, not both`,
    );
  if (identity !== undefined && issuer === undefined)
    optionIssue(
      ctx,
      'certificateOidcIssuer',
      say`${option('certificateOidcIssuer')} is required with ${option(identity)}: the OIDC issuer to accept (e.g. ${ISSUER_EXAMPLE})`,
    );
  if (issuer !== undefined && identity === undefined)
    optionIssue(
      ctx,
      'certificateIdentity',
      say`${option('certificateIdentity')} is required with ${option(issuer)}: the signer identity to accept (e.g. ${IDENTITY_EXAMPLE})`,
    );
  if (identity === undefined && issuer === undefined && values.pub === undefined)
    for (const key of KEYLESS_SETTINGS)
      if (values[key] !== undefined && values[key] !== false)
        optionIssue(
          ctx,
          key,
          say`${option(key)} is for keyless verification: set ${option('certificateIdentity')} and ${option('certificateOidcIssuer')} too`,
        );
}

/** The trust rules, and a `require` gate needs someone to trust: a gate that cannot check must not pass. */
export function checkVerifyGate(values: GateValues, ctx: z.RefinementCtx): void {
  checkTrust(values, ctx);
  const identity = setKey(values, ['certificateIdentity', 'certificateIdentityRegexp']);
  if (values.verify === 'require' && values.pub === undefined && identity === undefined)
    optionIssue(
      ctx,
      'pub',
      say`${option('verify', 'require')} needs whom to trust: ${option('pub')} (a public key) or ${option('certificateIdentity')} and ${option('certificateOidcIssuer')} (a keyless signer)`,
    );
}

export const trustOptionsSchema = z.object(trustShape).superRefine(checkTrust);
export const verifyGateOptionsSchema = z.object(verifyGateShape).superRefine(checkVerifyGate);

export type TrustOptions = z.output<typeof trustOptionsSchema>;
export type VerifyGateOptions = z.output<typeof verifyGateOptionsSchema>;

export function parseTrustOptions(values: unknown): TrustOptions {
  return parseOptions(trustOptionsSchema, values);
}

export function parseVerifyGateOptions(values: unknown): VerifyGateOptions {
  return parseOptions(verifyGateOptionsSchema, values);
}

/** Where key material named by an option is read: `env://NAME` from `env` (default: this process's). */
export interface KeyAccess {
  env?: NodeJS.ProcessEnv;
}

/** cosign's identity policy from checked options. */
export function identityPolicyOf(options: TrustValues): IdentityPolicy {
  return {
    ...(options.certificateIdentity !== undefined ? { identity: options.certificateIdentity } : {}),
    ...(options.certificateIdentityRegexp !== undefined
      ? { identityRegexp: options.certificateIdentityRegexp }
      : {}),
    ...(options.certificateOidcIssuer !== undefined ? { issuer: options.certificateOidcIssuer } : {}),
    ...(options.certificateOidcIssuerRegexp !== undefined
      ? { issuerRegexp: options.certificateOidcIssuerRegexp }
      : {}),
  };
}

/** The keyless signer checked options accept; the trusted root is loaded here (via TUF unless a file is given). */
export function keylessTrustOf(options: TrustValues): Promise<KeylessTrust> {
  return keylessTrust(identityPolicyOf(options), {
    trustedRootFile: options.trustedRoot,
    ignoreTlog: options.insecureIgnoreTlog ?? false,
    ignoreSct: options.insecureIgnoreSct ?? false,
  });
}

/** Whom checked options trust: a loaded public key, a keyless signer, or nobody. */
export async function trustOf(
  options: TrustValues,
  access: KeyAccess = {},
): Promise<Verifier | KeylessTrust | undefined> {
  if (isKeyless(options)) return keylessTrustOf(options);
  if (options.pub !== undefined) return loadVerifier(options.pub, access.env);
  return undefined;
}

/** The gate, its trust loaded: checks a target under the policy when it is at hand. */
export interface VerifyGate {
  readonly policy: VerifyPolicy;
  /** With `off` the target is never looked up; `warn` reports through `warn` and goes on. */
  check(
    target: () => Promise<VerifyTarget> | VerifyTarget,
    warn?: (message: string) => void,
  ): Promise<PolicyOutcome>;
}

/**
 * The gate from checked options, with its key or trusted root loaded now: a bad key or an
 * unreachable trusted root fails before any work, and with `off` nothing is read.
 */
export async function openVerifyGate(
  options: VerifyGateOptions,
  access: KeyAccess = {},
): Promise<VerifyGate> {
  const policy = options.verify;
  const trust = policy === 'off' ? undefined : await trustOf(options, access);
  return {
    policy,
    async check(target, warn) {
      if (policy === 'off') return { status: 'skipped' };
      return enforceVerifyPolicy(policy, await target(), trust, warn ? { warn } : {});
    },
  };
}
