/**
 * `--attest provenance,sbom` on `bentoci push` and `push-image`: after the push, SLSA provenance and a
 * CycloneDX SBOM of what was pushed, signed (`--key` or `--keyless`, as `bentoci sign`) and attached
 * to the pushed manifest as OCI 1.1 referrers in cosign's bundle layout. Off unless asked for, as
 * with `cosign attest`: an attestation needs a signer, and push signs nothing by itself. The flags'
 * rules are src/operations/sign.ts's (attestShape, checkAttestSigning), shared with the actions.
 */
import type { Command } from 'commander';
import type { Attestation } from '../attest/attest.js';
import { DEFAULT_PASSWORD_ENV, PUBLIC_FULCIO_URL, PUBLIC_REKOR_URL } from '../sign/index.js';

export function withAttestFlags(command: Command): Command {
  return command
    .option(
      '--attest <list>',
      'sign and attach attestations of what was pushed: provenance (SLSA v1), sbom (CycloneDX); comma list',
    )
    .option('--key <key>', '--attest: private key, a PEM file or env://NAME')
    .option('--keyless', '--attest: sign through Sigstore (Fulcio certificate for an OIDC identity, Rekor)')
    .option('--identity-token-env <name>', '--attest --keyless: env var holding the OIDC identity token')
    .option('--fulcio-url <url>', `--attest --keyless: Fulcio instance (default ${PUBLIC_FULCIO_URL})`)
    .option('--rekor-url <url>', `--attest --keyless: Rekor instance (default ${PUBLIC_REKOR_URL})`)
    .option('--no-tlog', '--attest --keyless: do not record the signatures in Rekor')
    .option(
      '--password-env <name>',
      `--attest: env var holding the key's passphrase (default ${DEFAULT_PASSWORD_ENV})`,
    );
}

/** What `--json` adds to a push result. */
export function attestationsJson(attestations: Attestation[]): Record<string, unknown> {
  return {
    attestations: attestations.map((a) => ({
      kind: a.kind,
      predicateType: a.predicateType,
      manifest: a.manifest,
      indexedBy: a.indexedBy === 'referrers' ? 'referrers' : `tag ${a.indexedBy.tag}`,
    })),
  };
}
