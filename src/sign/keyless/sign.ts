/**
 * Keyless signing through Sigstore: an ephemeral key whose certificate Fulcio issues for the OIDC
 * identity, the signature optionally logged in Rekor. A statement (a store entry's, an attestation)
 * is signed as a DSSE envelope packed in a Sigstore bundle (v0.3; entries/sign-keyless.ts stores it
 * beside the entry); an image's payload gets a plain message signature (images/sign-keyless.ts
 * stores it cosign's way).
 *
 * Verification is a separate module (verify.ts), as in sigstore-js: nothing here decides whether a
 * bundle is trustworthy.
 */
import { type BundleWithMessageSignature, bundleToJSON } from '@sigstore/bundle';
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  type Witness,
} from '@sigstore/sign';
import { BentoError, OptionError } from '../../core/errors.js';
import { option, say } from '../../core/user-text.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../formats/in-toto.js';
import { type SigstoreBundleJson, sigstoreBundleJsonSchema } from '../formats/sigstore-bundle.js';
import { describeSigstoreError } from './sigstore-errors.js';

/** Sigstore's public-good instances; a private deployment passes its own. */
export const PUBLIC_FULCIO_URL = 'https://fulcio.sigstore.dev';
export const PUBLIC_REKOR_URL = 'https://rekor.sigstore.dev';

export interface KeylessSignOptions {
  /** An OIDC identity token (JWT) with audience `sigstore`; see identity-token.ts. */
  identityToken: string;
  fulcioURL?: string;
  rekorURL?: string;
  /** false: no Rekor entry (the bundle then has no trusted time; see docs/signing.md). */
  tlog?: boolean;
  /** Per request, in milliseconds. */
  timeoutMs?: number;
}

/** The DSSE bundle over an in-toto statement: Fulcio for the certificate, Rekor unless `tlog: false`. */
export async function signStatement(
  payload: Buffer,
  options: KeylessSignOptions,
): Promise<SigstoreBundleJson> {
  const built = await withSigstore(options, (parts) =>
    new DSSEBundleBuilder(parts).create({ data: payload, type: IN_TOTO_PAYLOAD_TYPE }),
  );
  // bundleToJSON gives the protobuf-JSON form every Sigstore client reads; parsed back through our
  // schema so the stored value has the type the rest of bentoci uses.
  return sigstoreBundleJsonSchema.parse(bundleToJSON(built));
}

/**
 * A plain signature over `payload` (cosign's image signatures sign the simple-signing bytes, not a
 * DSSE envelope), logged in Rekor as a hashedrekord entry unless `tlog: false`.
 */
export function signMessage(
  payload: Buffer,
  options: KeylessSignOptions,
): Promise<BundleWithMessageSignature> {
  return withSigstore(options, (parts) => new MessageSignatureBundleBuilder(parts).create({ data: payload }));
}

interface SigstoreParts {
  signer: FulcioSigner;
  witnesses: Witness[];
}

async function withSigstore<B>(
  options: KeylessSignOptions,
  build: (parts: SigstoreParts) => Promise<B>,
): Promise<B> {
  const fulcioURL = checkUrl(options.fulcioURL ?? PUBLIC_FULCIO_URL, 'fulcioUrl');
  const rekorURL = checkUrl(options.rekorURL ?? PUBLIC_REKOR_URL, 'rekorUrl');
  const timeout = options.timeoutMs ?? 30_000;
  // retry: 0 keeps a failure quick and its message ours; CI reruns a job that hit a transient outage.
  const fetchOptions = { retry: 0, timeout };
  const parts: SigstoreParts = {
    signer: new FulcioSigner({
      fulcioBaseURL: fulcioURL,
      identityProvider: { getToken: () => Promise.resolve(options.identityToken) },
      ...fetchOptions,
    }),
    witnesses: options.tlog === false ? [] : [new RekorWitness({ rekorBaseURL: rekorURL, ...fetchOptions })],
  };
  try {
    return await build(parts);
  } catch (err) {
    throw new BentoError(
      `keyless signing failed: ${describeSigstoreError(err, options.identityToken)} (Fulcio ${fulcioURL}${options.tlog === false ? '' : `, Rekor ${rekorURL}`}); check the URLs are reachable and the token is fresh`,
    );
  }
}

/** `key`: the option the URL came from. */
function checkUrl(text: string, key: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OptionError(
      key,
      say`${option(key)} "${text}" is not a URL; expected e.g. https://fulcio.example.com`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new OptionError(key, say`${option(key)} "${text}" must be an http(s) URL`);
  return text.replace(/\/+$/, '');
}
