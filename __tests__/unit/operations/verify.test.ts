/**
 * The verify operations' option rules (src/operations/verify.ts, verify-oms.ts), checked before the
 * store, a file or the network is touched; the CLI names each option as its flag.
 */
import { describe, expect, it } from 'vitest';
import { CLI_NAMING } from '../../../src/cli/naming.js';
import type { OptionError } from '../../../src/core/errors.js';
import { parseOptions } from '../../../src/operations/options.js';
import { checkIntegrity, verifyAttestationOf, verifySignature } from '../../../src/operations/verify.js';
import { isOmsVerify, verifyOmsSchema } from '../../../src/operations/verify-oms.js';
import { optionErrorsAsync as optionErrors } from '../../support/option-errors.js';

const cli = (errors: OptionError[]) => errors.map((e) => e.render(CLI_NAMING));

describe('verify: a signature needs someone to trust', () => {
  it('a signature check without a key or a signer, before the store is read', async () => {
    expect(cli(await optionErrors(() => verifySignature('no-such-model', {})))).toEqual([
      'a signature check needs whom to trust: --pub (a public key) or --certificate-identity and --certificate-oidc-issuer (a keyless signer)',
    ]);
  });

  it('an attestation: a known kind, a registry reference, and someone to trust', async () => {
    expect(
      cli(await optionErrors(() => verifyAttestationOf('r.test/a:1', { attestation: 'vex', pub: 'k' }))),
    ).toEqual(['invalid --attestation: expected provenance or sbom']);
    expect(
      cli(await optionErrors(() => verifyAttestationOf('r.test/a:1', { attestation: 'sbom' })))[0],
    ).toMatch(/^--attestation needs whom to trust: --pub/);
    expect(
      cli(await optionErrors(() => verifyAttestationOf('iris:v1', { attestation: 'sbom', pub: 'k' })))[0],
    ).toMatch(/^--attestation checks what is attached in a registry/);
  });

  it('integrity only is for the store: an image needs a signature check', async () => {
    expect(cli(await optionErrors(() => checkIntegrity('oci://r.test/a:1', undefined)))[0]).toMatch(
      /images are checked by signature; pass --pub KEY/,
    );
  });
});

describe('OMS verification', () => {
  it('OMS-only options need a signature file or the OMS format', async () => {
    expect(isOmsVerify({ signature: 'model.sig' })).toBe(true);
    expect(isOmsVerify({ format: 'oms' })).toBe(true);
    expect(isOmsVerify({})).toBe(false);
    expect(cli(await optionErrors(() => isOmsVerify({ ignoreGitPaths: false })))).toEqual([
      '--no-ignore-git-paths is for OMS signatures: add --signature FILE (a model path) or --format oms (a stored entry)',
    ]);
    expect(cli(await optionErrors(() => isOmsVerify({ format: 'x' })))[0]).toMatch(/^invalid --format "x"/);
  });

  it('one trust method; offline with a keyless signer and without a trusted root; ignore paths with a file', async () => {
    const check = (values: Record<string, unknown>) =>
      optionErrors(() => parseOptions(verifyOmsSchema, values));
    expect(cli(await check({ format: 'oms' }))[0]).toMatch(
      /^OMS verification needs whom to trust: --pub KEY \(key\), --certificate-chain PEM/,
    );
    expect(cli(await check({ pub: 'k', certificateChain: ['ca.pem'] }))).toEqual([
      'pass one of --pub and --certificate-chain, not both: one way to trust the signer',
    ]);
    expect(cli(await check({ offline: true }))).toEqual([
      '--offline is for Sigstore signatures: set --certificate-identity and --certificate-oidc-issuer too',
    ]);
    expect(
      cli(
        await check({
          offline: true,
          trustedRoot: 'r.json',
          certificateIdentity: 'i',
          certificateOidcIssuer: 'o',
        }),
      ),
    ).toEqual(['pass --offline or --trusted-root, not both']);
    expect(cli(await check({ format: 'oms', pub: 'k', ignorePaths: ['x'] }))).toEqual([
      '--ignore-paths and --no-ignore-git-paths are for --signature FILE; a stored entry records its own',
    ]);
  });
});
