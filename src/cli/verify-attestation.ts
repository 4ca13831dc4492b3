/**
 * `bentoci verify REF --attestation provenance|sbom` with `--pub` or a keyless identity: the signed
 * attestation attached to a pushed image or bento (see src/attest/verify.ts), with a short summary.
 */
import type { Command } from 'commander';
import { ATTESTATION_KINDS, type AttestationKind } from '../attest/formats.js';
import { type AttestationTrust, verifyAttestation } from '../attest/verify.js';
import { BentoError, IntegrityError, UsageError } from '../core/errors.js';
import { loadVerifier } from '../sign/keys.js';
import { openSignatureRegistry } from '../sign/oci-registry.js';
import { formatImageRef, parseSignTarget } from '../sign/target.js';
import { info, printJson } from './output.js';
import type { TargetFlags } from './sign-targets.js';
import { isKeyless, keylessTrustOf, type TrustFlags } from './verify-gate.js';

export interface AttestationVerifyFlags {
  attestation?: string;
}

export function withAttestationFlag(command: Command): Command {
  return command.option(
    '--attestation <type>',
    `registry references: check the signed ${Object.keys(ATTESTATION_KINDS).join(' or ')} attestation attached to it`,
  );
}

export async function verifyAttestationCommand(
  text: string | undefined,
  type: string,
  opts: TargetFlags & TrustFlags,
): Promise<void> {
  if (!Object.hasOwn(ATTESTATION_KINDS, type))
    throw new UsageError(
      `invalid --attestation "${type}": expected ${Object.keys(ATTESTATION_KINDS).join(' or ')}`,
    );
  const kind = type as AttestationKind;
  if (text === undefined || parseSignTarget(text).type !== 'image')
    throw new UsageError(
      '--attestation checks what is attached in a registry: pass a reference like oci://host/repo:tag or host/repo@sha256:...',
    );
  const target = parseSignTarget(text);
  if (target.type !== 'image') return;
  if (opts.pub !== undefined && isKeyless(opts))
    throw new UsageError(
      'pass --pub (key-based) or --certificate-identity/--certificate-oidc-issuer (keyless), not both',
    );
  let trust: AttestationTrust;
  if (isKeyless(opts)) trust = { type: 'keyless', trust: await keylessTrustOf(opts) };
  else if (opts.pub !== undefined) trust = { type: 'key', verifier: await loadVerifier(opts.pub) };
  else
    throw new UsageError(
      '--attestation needs whom to trust: --pub KEY, or --certificate-identity and --certificate-oidc-issuer',
    );
  const registry = await openSignatureRegistry(target.ref, opts);
  const result = await verifyAttestation(registry, target.ref, kind, trust).finally(() => registry.close());
  const image = formatImageRef(target.ref);
  if (opts.json) {
    const { statement: _statement, ...rest } = result as typeof result & { statement?: unknown };
    printJson({ image, ...rest });
  }
  if (!result.ok)
    throw result.reason === 'digest-mismatch'
      ? new IntegrityError(result.message)
      : new BentoError(result.message);
  if (!opts.json)
    info(
      `verified ${kind} attestation of ${image} (${result.digest}) signed by ${result.signer}: ${result.summary}`,
    );
}
