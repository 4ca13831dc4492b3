/**
 * `--attest provenance,sbom` on `bentoci push` and `push-image`: after the push, SLSA provenance and a
 * CycloneDX SBOM of what was pushed, signed (`--key` or `--keyless`, as `bentoci sign`) and attached
 * to the pushed manifest as OCI 1.1 referrers in cosign's bundle layout. Off unless asked for, as
 * with `cosign attest`: an attestation needs a signer, and push signs nothing by itself.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { type Attestation, type AttestOptions, parseAttestKinds } from '../attest/attest.js';
import type { AttestationSigner } from '../attest/sign.js';
import { UsageError } from '../core/errors.js';
import { resolveIdentityToken } from '../sign/identity-token.js';
import { PUBLIC_FULCIO_URL, PUBLIC_REKOR_URL } from '../sign/keyless.js';
import { DEFAULT_PASSWORD_ENV, loadSigner, passphraseFrom } from '../sign/keys.js';
import { flagOf } from './options.js';

const attestFlagsSchema = z.object({
  attest: z.string().optional(),
  key: z.string().min(1).optional(),
  keyless: z.boolean().optional(),
  identityTokenEnv: z.string().min(1).optional(),
  fulcioUrl: z.string().min(1).optional(),
  rekorUrl: z.string().min(1).optional(),
  tlog: z.boolean().default(true),
  passwordEnv: z.string().min(1).optional(),
});

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

/**
 * Reads the attest flags before the push, so a bad list, a missing key or a locked key fails before
 * anything is sent; undefined when nothing is to be attested.
 */
export async function attestPlan(
  raw: unknown,
): Promise<Omit<AttestOptions, 'startedOn' | 'log'> | undefined> {
  const parsed = attestFlagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`invalid ${flagOf(String(issue?.path[0] ?? ''))}: ${issue?.message}`);
  }
  const flags = parsed.data;
  const kinds = flags.attest === undefined ? [] : parseAttestKinds(flags.attest);
  const signing = flags.key !== undefined || flags.keyless;
  if (kinds.length === 0) {
    if (signing) throw new UsageError('--key and --keyless sign attestations: add --attest provenance,sbom');
    return undefined;
  }
  if (!signing) throw new UsageError('--attest needs a signer: --key KEY or --keyless');
  if (flags.key !== undefined && flags.keyless) throw new UsageError('pass --key or --keyless, not both');
  let signer: AttestationSigner;
  if (flags.key !== undefined) {
    for (const flag of ['identityTokenEnv', 'fulcioUrl', 'rekorUrl'] as const)
      if (flags[flag] !== undefined)
        throw new UsageError(`${flagOf(flag)} is for keyless signing; add --keyless`);
    const passphrase = passphraseFrom(process.env, flags.passwordEnv);
    signer = { type: 'key', signer: await loadSigner(flags.key, passphrase ? { passphrase } : {}) };
  } else {
    const { token } = await resolveIdentityToken(
      flags.identityTokenEnv !== undefined ? { envName: flags.identityTokenEnv } : {},
    );
    signer = {
      type: 'keyless',
      options: {
        identityToken: token,
        tlog: flags.tlog,
        ...(flags.fulcioUrl !== undefined ? { fulcioURL: flags.fulcioUrl } : {}),
        ...(flags.rekorUrl !== undefined ? { rekorURL: flags.rekorUrl } : {}),
      },
    };
  }
  return { kinds, signer };
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
