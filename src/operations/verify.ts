/**
 * `verify` as an operation: the signature of a model, bento or image, checked against whom the
 * options trust (a key or a keyless signer, src/operations/trust.ts); the signed attestation attached
 * to a pushed manifest; or, trusting nobody, the store's own check of entries against their digests.
 * Each returns what it found (failures too: a front door may print them) and a one-line summary.
 */
import { z } from 'zod';
import { ATTESTATION_KINDS, type AttestationKind } from '../attest/formats.js';
import { type AttestationTrust, type AttestationVerification, verifyAttestation } from '../attest/verify.js';
import { openBentoStore } from '../core/bento-store.js';
import { OptionError } from '../core/errors.js';
import { bentociHome } from '../core/home.js';
import type { Problem } from '../core/store.js';
import { formatTag } from '../core/tag.js';
import { option, say, type UserText } from '../core/user-text.js';
import {
  formatImageRef,
  type ImageRef,
  openSignatureRegistry,
  parseSignTarget,
  verifyEntry,
  verifyEntryKeyless,
  verifyImage,
  verifyImageKeyless,
} from '../sign/index.js';
import { optionIssue, parseOptions } from './options.js';
import { withResources } from './resources.js';
import { type FoundEntry, findEntry, resolveTarget } from './targets.js';
import { checkTrust, type KeyAccess, trustOf, trustShape } from './trust.js';

const registryShape = {
  kind: z.string().optional(),
  insecure: z.boolean().optional(),
  caFile: z.string().min(1, 'expected a value').optional(),
};

/** A key, or a keyless identity (exact or by regexp). */
function trustGiven(values: {
  pub?: string | undefined;
  certificateIdentity?: string | undefined;
  certificateIdentityRegexp?: string | undefined;
}): boolean {
  return (
    values.pub !== undefined ||
    values.certificateIdentity !== undefined ||
    values.certificateIdentityRegexp !== undefined
  );
}

/** A signature check needs someone to trust. */
export const verifySignatureSchema = z
  .object({ ...trustShape, ...registryShape })
  .superRefine((values, ctx) => {
    checkTrust(values, ctx);
    if (!trustGiven(values))
      optionIssue(
        ctx,
        'pub',
        say`a signature check needs whom to trust: ${option('pub')} (a public key) or ${option('certificateIdentity')} and ${option('certificateOidcIssuer')} (a keyless signer)`,
      );
  });

/** What a check found: `head` says what was checked; `result` is the library's verdict, as JSON would show it. */
export interface Checked<R extends { ok: boolean }> {
  head: Record<string, string>;
  result: R;
  /** One line for a result that passed. */
  summary?: string;
}

export interface Failure {
  ok: false;
  reason: string;
  message: string;
  /** The message with the options it names kept as references, for a front door to spell. */
  text?: UserText;
}

type SignatureResult = { ok: true } | Failure;

function registryOptions(values: { insecure?: boolean | undefined; caFile?: string | undefined }) {
  return {
    ...(values.insecure ? { insecure: true } : {}),
    ...(values.caFile !== undefined ? { caFile: values.caFile } : {}),
  };
}

const logged = (yes: boolean) => (yes ? ', logged in Rekor' : ', not logged');

/** Checks the signature of `text` (a store tag or a registry reference) with whom the options trust. */
export async function verifySignature(
  text: string,
  values: unknown,
  access: KeyAccess = {},
): Promise<Checked<SignatureResult>> {
  const options = parseOptions(verifySignatureSchema, values);
  // A missing entry or a bad reference fails before the trusted root is fetched.
  const target = await resolveTarget(text, options.kind);
  const trust = await trustOf(options, access);
  if (trust === undefined) throw new OptionError('pub', say`${option('pub')} is required`);
  if (target.type === 'entry') return verifyEntrySignature(target, trust);
  return withResources(async (resources) => {
    const registry = resources.use(await openSignatureRegistry(target.ref, registryOptions(options)));
    const image = formatImageRef(target.ref);
    if ('identity' in trust) {
      const result = await verifyImageKeyless(registry, target.ref, trust.identity, trust.options);
      return {
        head: { image },
        result,
        ...(result.ok
          ? {
              summary: `verified ${image} (${result.digest}): keyless cosign signature of ${result.signer.identity} (issuer ${result.signer.issuer}${logged(result.logged)})`,
            }
          : {}),
      };
    }
    const result = await verifyImage(registry, target.ref, trust);
    return {
      head: { image },
      result,
      ...(result.ok
        ? {
            summary: `verified ${image} (${result.digest}): cosign signature by keyid ${trust.keyid.slice(0, 12)}`,
          }
        : {}),
    };
  });
}

async function verifyEntrySignature(
  { store, entry }: FoundEntry,
  trust: NonNullable<Awaited<ReturnType<typeof trustOf>>>,
): Promise<Checked<SignatureResult>> {
  const head = { tag: formatTag(entry.tag), kind: store.kind.noun };
  const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
  if ('identity' in trust) {
    const result = await verifyEntryKeyless(store, entry, trust.identity, trust.options);
    if (!result.ok) return { head, result };
    const { subject, predicate } = result.statement;
    return {
      head,
      result,
      summary: `verified ${what}: ${subject.length} files match the keyless signature of ${result.signer.identity} (issuer ${result.signer.issuer}, signed ${predicate.signedAt}${logged(result.logged)})`,
    };
  }
  const result = await verifyEntry(store, entry, trust);
  if (!result.ok) return { head, result };
  const { subject, predicate } = result.statement;
  return {
    head,
    result,
    summary: `verified ${what}: ${subject.length} files match the signature by keyid ${result.keyid.slice(0, 12)} (signed ${predicate.signedAt})`,
  };
}

/** An attestation check: its kind, and whom to trust. */
export const verifyAttestationSchema = z
  .object({
    ...trustShape,
    ...registryShape,
    attestation: z.enum(Object.keys(ATTESTATION_KINDS) as [AttestationKind, ...AttestationKind[]], {
      error: `expected ${Object.keys(ATTESTATION_KINDS).join(' or ')}`,
    }),
  })
  .superRefine((values, ctx) => {
    checkTrust(values, ctx);
    if (!trustGiven(values))
      optionIssue(
        ctx,
        'attestation',
        say`${option('attestation')} needs whom to trust: ${option('pub')} (a public key), or ${option('certificateIdentity')} and ${option('certificateOidcIssuer')}`,
      );
  });

/** Checks the signed attestation of a kind attached to a pushed manifest (see src/attest/verify.ts). */
export async function verifyAttestationOf(
  text: string | undefined,
  values: unknown,
  access: KeyAccess = {},
): Promise<Checked<AttestationVerification>> {
  const options = parseOptions(verifyAttestationSchema, values);
  const target = text === undefined ? undefined : parseSignTarget(text);
  if (target?.type !== 'image')
    throw new OptionError(
      'attestation',
      say`${option('attestation')} checks what is attached in a registry: pass a reference like oci://host/repo:tag or host/repo@sha256:...`,
    );
  const loaded = await trustOf(options, access);
  if (loaded === undefined) throw new OptionError('pub', say`${option('pub')} is required`);
  const trust: AttestationTrust =
    'identity' in loaded ? { type: 'keyless', trust: loaded } : { type: 'key', verifier: loaded };
  const ref: ImageRef = target.ref;
  return withResources(async (resources) => {
    const registry = resources.use(await openSignatureRegistry(ref, registryOptions(options)));
    const result = await verifyAttestation(registry, ref, options.attestation, trust);
    const image = formatImageRef(ref);
    return {
      head: { image },
      result,
      ...(result.ok
        ? {
            summary: `verified ${options.attestation} attestation of ${image} (${result.digest}) signed by ${result.signer}: ${result.summary}`,
          }
        : {}),
    };
  });
}

export interface IntegrityResult {
  tag: string;
  kind: string;
  problems: Problem[];
}

/**
 * The store's own check of entries against their recorded digests (no signatures): one entry, or
 * every bento when no target is given.
 */
export async function checkIntegrity(
  text: string | undefined,
  kind: string | undefined,
): Promise<IntegrityResult[]> {
  if (text !== undefined && parseSignTarget(text).type === 'image')
    throw new OptionError(
      'pub',
      say`${text}: images are checked by signature; pass ${option('pub', 'KEY')} or a keyless signer`,
    );
  const found: FoundEntry[] = text === undefined ? await allBentos() : [await findEntry(text, kind)];
  const results: IntegrityResult[] = [];
  for (const { store, entry } of found)
    results.push({ tag: formatTag(entry.tag), kind: store.kind.noun, problems: await store.verify(entry) });
  return results;
}

async function allBentos(): Promise<FoundEntry[]> {
  const store = openBentoStore(bentociHome());
  return (await store.list()).map((entry) => ({
    store: store as unknown as FoundEntry['store'],
    entry: entry as unknown as FoundEntry['entry'],
  }));
}
