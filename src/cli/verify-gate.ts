/**
 * The flags that name whom to trust, read in one place: `--pub` (a key) or cosign's keyless set
 * (`--certificate-identity[-regexp]`, `--certificate-oidc-issuer[-regexp]`, `--trusted-root`, and the
 * two `--insecure-ignore-*`). `bentoci verify` takes them, and so does every command with a
 * `--verify off|warn|require` gate (containerize, push, pull, serve).
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { compileIdentityPolicy, type IdentityPolicy } from '../sign/keyless-verify.js';
import {
  enforceVerifyPolicy,
  type KeylessTrust,
  keylessTrust,
  type PolicyOutcome,
  parseVerifyPolicy,
  type VerifyTarget,
  type VerifyTrust,
} from '../sign/policy.js';
import { info } from './output.js';

/** The gate's flags as commander hands them over, for commands that validate their flags with zod. */
export const gateFlagsShape = {
  verify: z.string().default('off'),
  pub: z.string().optional(),
  certificateIdentity: z.string().optional(),
  certificateIdentityRegexp: z.string().optional(),
  certificateOidcIssuer: z.string().optional(),
  certificateOidcIssuerRegexp: z.string().optional(),
  trustedRoot: z.string().optional(),
  insecureIgnoreTlog: z.boolean().optional(),
  insecureIgnoreSct: z.boolean().optional(),
};

export type GateFlags = z.infer<z.ZodObject<typeof gateFlagsShape>>;
export type TrustFlags = Omit<GateFlags, 'verify'>;

const KEYLESS_FLAGS = [
  'certificateIdentity',
  'certificateIdentityRegexp',
  'certificateOidcIssuer',
  'certificateOidcIssuerRegexp',
  'trustedRoot',
  'insecureIgnoreTlog',
  'insecureIgnoreSct',
] as const;

/** The trust flags; `pubHelp` says what --pub is for in this command. */
export function withTrustFlags(command: Command, pubHelp: string): Command {
  return command
    .option('--pub <key>', pubHelp)
    .option('--certificate-identity <id>', 'keyless: the signer identity (certificate SAN) to accept')
    .option('--certificate-identity-regexp <re>', 'keyless: accept identities matching this regexp')
    .option('--certificate-oidc-issuer <url>', 'keyless: the OIDC issuer to accept')
    .option('--certificate-oidc-issuer-regexp <re>', 'keyless: accept issuers matching this regexp')
    .option(
      '--trusted-root <file>',
      "keyless: Sigstore TrustedRoot JSON (default: Sigstore's, via TUF; needs network)",
    )
    .option(
      '--insecure-ignore-tlog',
      'keyless: accept signatures without a Rekor entry (certificate checked at the current time)',
    )
    .option('--insecure-ignore-sct', 'keyless: accept certificates without an embedded SCT');
}

/** `--verify off|warn|require` and whom it trusts. */
export function withVerifyGate(command: Command, what: string): Command {
  return withTrustFlags(
    command.option('--verify <policy>', `check the signature of ${what} first: off, warn or require`, 'off'),
    'public key for --verify: a PEM file or env://NAME',
  );
}

export function isKeyless(flags: TrustFlags): boolean {
  return KEYLESS_FLAGS.some((f) => flags[f] !== undefined);
}

/** cosign's identity policy from the flags, checked before anything is read. */
export function identityPolicyOf(flags: TrustFlags): IdentityPolicy {
  const policy = {
    ...(flags.certificateIdentity !== undefined ? { identity: flags.certificateIdentity } : {}),
    ...(flags.certificateIdentityRegexp !== undefined
      ? { identityRegexp: flags.certificateIdentityRegexp }
      : {}),
    ...(flags.certificateOidcIssuer !== undefined ? { issuer: flags.certificateOidcIssuer } : {}),
    ...(flags.certificateOidcIssuerRegexp !== undefined
      ? { issuerRegexp: flags.certificateOidcIssuerRegexp }
      : {}),
  };
  compileIdentityPolicy(policy);
  return policy;
}

/** The keyless signer the flags accept; the trusted root is loaded here (from TUF unless --trusted-root). */
export function keylessTrustOf(flags: TrustFlags): Promise<KeylessTrust> {
  return keylessTrust(identityPolicyOf(flags), {
    trustedRootFile: flags.trustedRoot,
    ignoreTlog: flags.insecureIgnoreTlog ?? false,
    ignoreSct: flags.insecureIgnoreSct ?? false,
  });
}

/** Whom the flags trust: a key spec, a keyless signer, or nobody. */
export async function trustOf(flags: TrustFlags): Promise<VerifyTrust | undefined> {
  if (flags.pub !== undefined && isKeyless(flags))
    throw new UsageError(
      'pass --pub (key-based) or --certificate-identity/--certificate-oidc-issuer (keyless), not both',
    );
  if (isKeyless(flags)) return keylessTrustOf(flags);
  return flags.pub;
}

/**
 * Reads the gate's flags before any work (a bad policy or identity is a usage error up front) and
 * returns the check to run when the target is at hand; with `--verify off` the target is never looked up.
 */
export async function verifyGate(
  flags: GateFlags,
): Promise<(target: () => Promise<VerifyTarget> | VerifyTarget) => Promise<PolicyOutcome>> {
  const policy = parseVerifyPolicy(flags.verify);
  const trust = policy === 'off' ? undefined : await trustOf(flags);
  return async (target) => {
    if (policy === 'off') return { status: 'skipped' };
    const outcome = await enforceVerifyPolicy(policy, await target(), trust);
    if (outcome.status === 'verified') info(`signature verified (${outcome.by})`);
    return outcome;
  };
}
