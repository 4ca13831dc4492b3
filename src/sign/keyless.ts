/**
 * Keyless signing through Sigstore: an ephemeral key whose certificate Fulcio issues for the OIDC
 * identity, the signature optionally logged in Rekor. A store entry gets the same in-toto statement
 * the key-based path signs, in a DSSE envelope packed as a Sigstore bundle (v0.3) beside the entry;
 * an image's payload gets a plain message signature (sign-image-keyless.ts stores it cosign's way).
 *
 * Verification is a separate module (`keyless-verify.ts`), as in sigstore-js: nothing here decides
 * whether a bundle is trustworthy.
 */
import { type BundleWithMessageSignature, bundleToJSON } from '@sigstore/bundle';
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  type Witness,
} from '@sigstore/sign';
import { BentoError, UsageError } from '../core/errors.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { type SigstoreBundleJson, sigstoreBundleJsonSchema, writeEntryBundle } from './entry-bundles.js';
import { type EntryStatement, IN_TOTO_PAYLOAD_TYPE } from './formats.js';
import { entryStatement } from './statement.js';

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

export interface KeylessSigned {
  path: string;
  statement: EntryStatement;
  bundle: SigstoreBundleJson;
  /** Whether the bundle carries a transparency-log entry. */
  logged: boolean;
}

/** Signs an intact entry as it is on disk; a damaged entry is refused rather than blessed. */
export async function signEntryKeyless<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  options: KeylessSignOptions,
  now: Date = new Date(),
): Promise<KeylessSigned> {
  await store.assertIntact(entry);
  const statement = await entryStatement(store, entry, now);
  const bundle = await signStatement(Buffer.from(JSON.stringify(statement)), options);
  const path = await writeEntryBundle(entry.dir, bundle);
  const logged = Array.isArray(bundle.verificationMaterial['tlogEntries'])
    ? bundle.verificationMaterial['tlogEntries'].length > 0
    : false;
  return { path, statement, bundle, logged };
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
  const fulcioURL = checkUrl(options.fulcioURL ?? PUBLIC_FULCIO_URL, '--fulcio-url');
  const rekorURL = checkUrl(options.rekorURL ?? PUBLIC_REKOR_URL, '--rekor-url');
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

function checkUrl(text: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} "${text}" is not a URL; expected e.g. https://fulcio.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`${flag} "${text}" must be an http(s) URL`);
  return text.replace(/\/+$/, '');
}

/**
 * sigstore-js errors carry a code and a cause chain; the innermost message says what happened (an
 * HTTP status, ECONNREFUSED). Some of them quote the identity token, which must not reach a CI log.
 */
export function describeSigstoreError(err: unknown, token: string): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code}: ${current.message}` : current.message);
    current = (current as { cause?: unknown }).cause;
  }
  const text = parts.length > 0 ? parts.join(': ') : String(err);
  return token ? text.split(token).join('<identity token>') : text;
}
