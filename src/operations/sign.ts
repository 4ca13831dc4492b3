/**
 * Who signs, read once for both front doors: a private key (`key`, its passphrase from the
 * variable `passwordEnv` names), or Sigstore keyless (`keyless`: an OIDC identity token, a Fulcio
 * certificate, a Rekor entry unless `tlog` is false). One choice, made from the options before any
 * work starts, then used for store entries, image manifests and attestations alike. The rules across
 * options (one way of signing, keyless settings only when keyless, attestations need a signer) are
 * written here once; each broken one names its option.
 */
import { z } from 'zod';
import { ATTESTATION_KINDS, type AttestationKind, attestationKinds } from '../attest/formats.js';
import type { AttestationSigner } from '../attest/sign.js';
import { OptionError } from '../core/errors.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { option, say } from '../core/user-text.js';
import {
  type ImageRef,
  type KeylessSignOptions,
  loadSigner,
  openSignatureRegistry,
  passphraseFrom,
  resolveIdentityToken,
  type SignatureRegistry,
  type Signer,
  signEntry,
  signEntryKeyless,
  signEntryOms,
  signImage,
  signImageKeyless,
} from '../sign/index.js';
import { optionIssue, parseOptions } from './options.js';
import { withResources } from './resources.js';
import { resolveTarget } from './targets.js';
import type { KeyAccess } from './trust.js';

const text = z.string().min(1, 'expected a value').optional();
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The options that choose a signer (cosign's names, in camelCase). */
export const signingShape = {
  key: text,
  keyless: z.boolean().optional(),
  identityTokenEnv: z.string().regex(ENV_NAME, 'expected an environment variable name').optional(),
  fulcioUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  rekorUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  /** false: no Rekor entry (commander's `--no-tlog`). */
  tlog: z.boolean().default(true),
  passwordEnv: z.string().regex(ENV_NAME, 'expected an environment variable name').optional(),
};

/** Attestation kinds as a comma list (a flag) or a list (an input already split); `none` for none. */
export const attestShape = {
  attest: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value, ctx): AttestationKind[] => {
      const names = (typeof value === 'string' ? value.split(/[,\n]/) : (value ?? []))
        .map((s) => s.trim())
        .filter(Boolean);
      const parsed = attestationKinds(names);
      if ('kinds' in parsed) return parsed.kinds;
      optionIssue(
        ctx,
        'attest',
        say`invalid ${option('attest')} "${parsed.unknown}": expected a comma list of ${Object.keys(ATTESTATION_KINDS).join(', ')}, or none`,
      );
      return z.NEVER;
    }),
};

type SigningValues = {
  key?: string | undefined;
  keyless?: boolean | undefined;
  identityTokenEnv?: string | undefined;
  fulcioUrl?: string | undefined;
  rekorUrl?: string | undefined;
  tlog?: boolean | undefined;
  passwordEnv?: string | undefined;
};

const KEYLESS_ONLY = ['identityTokenEnv', 'fulcioUrl', 'rekorUrl'] as const;

/** One way of signing at a time; the keyless settings only mean something when keyless. */
export function checkSigning(values: SigningValues, ctx: z.RefinementCtx): void {
  if (values.key !== undefined && values.keyless)
    optionIssue(
      ctx,
      'keyless',
      say`${option('keyless')} and ${option('key')} exclude each other: sign with a key or keyless, not both`,
    );
  if (values.keyless) return;
  for (const key of KEYLESS_ONLY)
    if (values[key] !== undefined)
      optionIssue(ctx, key, say`${option(key)} is for keyless signing: add ${option('keyless')}`);
  if (values.tlog === false)
    optionIssue(ctx, 'tlog', say`${option('tlog')} false is for keyless signing: add ${option('keyless')}`);
}

/** Signing, and attestations need a signer: an attestation nobody signed proves nothing. */
export function checkAttestSigning(
  values: SigningValues & { attest?: readonly AttestationKind[] | undefined },
  ctx: z.RefinementCtx,
): void {
  checkSigning(values, ctx);
  if (values.attest?.length && values.key === undefined && !values.keyless)
    optionIssue(
      ctx,
      'attest',
      say`${option('attest')} needs a signer: ${option('key')} (a private key) or ${option('keyless')}`,
    );
}

export const signingOptionsSchema = z.object(signingShape).superRefine(checkSigning);
export type SigningOptions = z.output<typeof signingOptionsSchema>;

/** Signing options with attestations to sign (push's). */
export const attestSigningSchema = z
  .object({ ...signingShape, ...attestShape })
  .superRefine(checkAttestSigning);
export type AttestSigningOptions = z.output<typeof attestSigningSchema>;

/** The signer the options chose, ready to sign. */
export type Signing =
  | { kind: 'key'; signer: Signer }
  | {
      kind: 'keyless';
      options: KeylessSignOptions;
      /** The token's subject (email or sub) and issuer, and where the token came from. */
      identity: string;
      issuer: string;
      from: string;
    };

/**
 * The signer from checked options, or undefined when none is asked for. The key is loaded and
 * decrypted, or the OIDC token fetched, here: a locked key or a missing permission fails first.
 */
export async function signingOf(
  options: SigningValues,
  access: KeyAccess = {},
): Promise<Signing | undefined> {
  const env = access.env ?? process.env;
  if (options.keyless) {
    let resolved: Awaited<ReturnType<typeof resolveIdentityToken>>;
    try {
      resolved = await resolveIdentityToken({
        ...(options.identityTokenEnv !== undefined ? { envName: options.identityTokenEnv } : {}),
      });
    } catch (err) {
      // No token is the keyless choice's fault: an action names its input, the CLI its flag.
      throw err instanceof OptionError ? err : new OptionError('keyless', say`${err}`);
    }
    return {
      kind: 'keyless',
      options: {
        identityToken: resolved.token,
        tlog: options.tlog ?? true,
        ...(options.fulcioUrl !== undefined ? { fulcioURL: options.fulcioUrl } : {}),
        ...(options.rekorUrl !== undefined ? { rekorURL: options.rekorUrl } : {}),
      },
      identity: resolved.claims.email ?? resolved.claims.sub ?? '',
      issuer: resolved.claims.iss,
      from: resolved.from,
    };
  }
  if (options.key === undefined) return undefined;
  const passphrase = passphraseFrom(env, options.passwordEnv);
  const signer = await loadSigner(options.key, {
    ...(access.env ? { env: access.env } : {}),
    ...(passphrase ? { passphrase } : {}),
  });
  return { kind: 'key', signer };
}

export function describeSigning(signing: Signing): string {
  return signing.kind === 'key'
    ? `with key ${signing.signer.keyid.slice(0, 12)}`
    : `keyless as ${signing.identity} (issuer ${signing.issuer}${signing.options.tlog === false ? ', not logged' : ''})`;
}

/** Signs a store entry: a DSSE envelope (key) or a Sigstore bundle (keyless) beside it. */
export async function signStoredEntry<I extends EntryInfo>(
  store: EntryStore<I>,
  entry: StoredEntry<I>,
  signing: Signing,
): Promise<{ path: string; subjects: number; logged: boolean }> {
  if (signing.kind === 'key') {
    const signed = await signEntry(store, entry, signing.signer);
    return { path: signed.path, subjects: signed.statement.subject.length, logged: false };
  }
  const signed = await signEntryKeyless(store, entry, signing.options);
  return { path: signed.path, subjects: signed.statement.subject.length, logged: signed.logged };
}

/** Signs a manifest in cosign's format (a key-based or a keyless `.sig` layer). */
export async function signManifest(
  registry: SignatureRegistry,
  ref: ImageRef,
  signing: Signing,
  annotations: Record<string, string> = {},
): Promise<{
  digest: string;
  signatureTag: string;
  signatureManifestDigest: string;
  kept: number;
  logged: boolean;
}> {
  if (signing.kind === 'key') {
    const signed = await signImage(registry, ref, signing.signer, { annotations });
    return { ...signed, logged: false };
  }
  return signImageKeyless(registry, ref, { ...signing.options, annotations });
}

/** The signer as src/attest takes it. */
export function attestationSignerOf(signing: Signing): AttestationSigner {
  return signing.kind === 'key'
    ? { type: 'key', signer: signing.signer }
    : { type: 'keyless', options: signing.options };
}

/** `sign`: a store entry (our DSSE format or OMS) or an image (cosign's format). */
export const signArtifactSchema = z
  .object({
    ...signingShape,
    kind: z.string().optional(),
    insecure: z.boolean().optional(),
    caFile: text,
    format: z
      .enum(['bentoci', 'oms'], {
        error: 'expected bentoci (the default) or oms (OpenSSF model signing v1.0)',
      })
      .default('bentoci'),
    /** Image signatures: extra claims in the payload. */
    annotation: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((values, ctx) => {
    checkSigning(values, ctx);
    if (values.key === undefined && !values.keyless)
      optionIssue(
        ctx,
        'key',
        say`signing needs ${option('key', 'KEY')} (a private key) or ${option('keyless')} (Sigstore, with an OIDC identity)`,
      );
    if (Object.keys(values.annotation).some((k) => k === 'creator' || k === 'timestamp'))
      optionIssue(
        ctx,
        'annotation',
        say`invalid ${option('annotation')}: creator and timestamp are set by bentoci; choose other keys`,
      );
  });

export type SignedArtifact =
  | {
      type: 'entry';
      format: 'bentoci' | 'oms';
      tag: string;
      kind: string;
      path: string;
      files: number;
      logged: boolean;
      signing: Signing;
    }
  | {
      type: 'image';
      image: ImageRef;
      digest: string;
      signatureTag: string;
      kept: number;
      logged: boolean;
      signing: Signing;
    };

/**
 * Signs what `text` names (a store tag or a registry reference). The entry is looked up before the
 * key is read or a token fetched, so a typo costs nothing.
 */
export async function signArtifact(
  text: string,
  values: unknown,
  access: KeyAccess = {},
): Promise<SignedArtifact> {
  const options = parseOptions(signArtifactSchema, values);
  const target = await resolveTarget(text, options.kind);
  if (options.format === 'oms' && target.type === 'image')
    throw new OptionError(
      'format',
      say`${option('format', 'oms')} is for models and bentos in the store; images are signed in cosign's format`,
    );
  const signing = (await signingOf(options, access))!;
  if (target.type === 'image')
    return withResources(async (resources) => {
      const registry = resources.use(
        await openSignatureRegistry(
          target.ref,
          {
            ...(options.insecure ? { insecure: true } : {}),
            ...(options.caFile ? { caFile: options.caFile } : {}),
          },
          { push: true },
        ),
      );
      const signed = await signManifest(registry, target.ref, signing, options.annotation);
      return { type: 'image', image: target.ref, ...signed, signing };
    });
  const { store, entry } = target;
  const head = { type: 'entry', tag: formatTag(entry.tag), kind: store.kind.noun, signing } as const;
  if (options.format === 'oms') {
    const signed = await signEntryOms(
      store,
      entry,
      signing.kind === 'key' ? { signer: signing.signer } : { keyless: signing.options },
    );
    return {
      ...head,
      format: 'oms',
      path: signed.path,
      files: signed.statement.predicate.resources.length,
      logged: signed.logged,
    };
  }
  const signed = await signStoredEntry(store, entry, signing);
  return { ...head, format: 'bentoci', path: signed.path, files: signed.subjects, logged: signed.logged };
}
