/**
 * The flags that name whom to trust: `--pub` (a key) or cosign's keyless set
 * (`--certificate-identity[-regexp]`, `--certificate-oidc-issuer[-regexp]`, `--trusted-root`, and the
 * two `--insecure-ignore-*`). `bentoci verify` takes them, and so does every command with a
 * `--verify off|warn|require` gate (containerize, push, pull, serve, canary). What they mean and the
 * rules between them are src/operations/trust.ts's, shared with the actions; this file declares the
 * flags and prints what the gate found.
 */
import type { Command } from 'commander';
import { openVerifyGate, parseVerifyGateOptions } from '../operations/trust.js';
import type { PolicyOutcome, VerifyTarget } from '../sign/index.js';
import { info } from './output.js';

/** The trust flags as commander hands them over. */
export interface TrustFlags {
  pub?: string | undefined;
  certificateIdentity?: string | undefined;
  certificateIdentityRegexp?: string | undefined;
  certificateOidcIssuer?: string | undefined;
  certificateOidcIssuerRegexp?: string | undefined;
  trustedRoot?: string | undefined;
  insecureIgnoreTlog?: boolean | undefined;
  insecureIgnoreSct?: boolean | undefined;
}

export interface GateFlags extends TrustFlags {
  verify?: string | undefined;
}

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

/**
 * Reads the gate's flags before any work (a bad policy, identity or key is a usage error up front)
 * and returns the check to run when the target is at hand; with `--verify off` the target is never
 * looked up.
 */
export async function verifyGate(
  flags: GateFlags,
): Promise<(target: () => Promise<VerifyTarget> | VerifyTarget) => Promise<PolicyOutcome>> {
  const gate = await openVerifyGate(parseVerifyGateOptions(flags));
  return async (target) => {
    const outcome = await gate.check(target);
    if (outcome.status === 'verified') info(`signature verified (${outcome.by})`);
    return outcome;
  };
}
