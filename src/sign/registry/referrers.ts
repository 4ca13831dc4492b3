/**
 * Model and bento signatures in a registry: each DSSE envelope becomes an OCI artifact manifest whose
 * `subject` is the pushed model/bento manifest (OCI 1.1 referrers). A registry with the referrers API
 * indexes it itself (it answers the push with `OCI-Subject`); for one without (distribution 2.8) we
 * maintain the OCI 1.1 "referrers tag schema" fallback: an image index tagged `sha256-<hex>` of the
 * subject, listing its referrers, which is also where `oras discover` looks.
 */
import type { z } from 'zod';
import { BentoError } from '../../core/errors.js';
import { sha256Digest } from '../../oci/manifests.js';
import { OCI_EMPTY, OCI_INDEX, OCI_MANIFEST } from '../../oci/media-types.js';
import { referrersTag } from '../../oci/reference.js';
import {
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  imageIndexSchema,
  imageManifestSchema,
} from '../../oci/schemas.js';
import { readEntryBundles, writeEntryBundle } from '../entries/bundles.js';
import { readEntryEnvelopes, writeEntryEnvelope } from '../entries/envelopes.js';
import { DSSE_ENVELOPE_MEDIA_TYPE, type DsseEnvelope, dsseEnvelopeSchema } from '../formats/dsse.js';
import { ENTRY_PREDICATE_TYPE } from '../formats/in-toto.js';
import {
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  type SigstoreBundleJson,
  sigstoreBundleJsonSchema,
} from '../formats/sigstore-bundle.js';
import { isOmsBundle, readOwnOmsBundle } from '../oms/entry.js';
import { OMS_PREDICATE_TYPE, OMS_SIGNATURE_FILE } from '../oms/format.js';
import type { SignatureRegistry } from './signature-registry.js';

/** The artifactType of our signature manifests; the layer is the envelope itself. */
export const ENTRY_SIGNATURE_ARTIFACT_TYPE = DSSE_ENVELOPE_MEDIA_TYPE;
export const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type';
const EMPTY_CONFIG = Buffer.from('{}');

export interface AttachResult {
  /** Digests of the signature manifests, one per envelope. */
  manifests: string[];
  /** "referrers" when the registry indexes them, else the fallback tag we maintain. */
  indexedBy: 'referrers' | { tag: string };
}

/** Attaches envelopes to `subject` (the pushed manifest). Idempotent: the same envelope maps to the same manifest. */
export async function attachEnvelopes(
  registry: SignatureRegistry,
  repository: string,
  subject: Descriptor,
  envelopes: {
    envelope: DsseEnvelope | SigstoreBundleJson;
    predicateType?: string;
    mediaType?: string;
    /** On the manifest and its referrers-index entry (cosign puts a bundle's predicate type there). */
    annotations?: Record<string, string>;
  }[],
): Promise<AttachResult> {
  const pushed: Descriptor[] = [];
  let registryIndexes = envelopes.length > 0;
  if (envelopes.length > 0) await registry.putBlob(repository, EMPTY_CONFIG);
  for (const { envelope, predicateType, mediaType = DSSE_ENVELOPE_MEDIA_TYPE, annotations } of envelopes) {
    const blob = Buffer.from(JSON.stringify(envelope));
    await registry.putBlob(repository, blob);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: mediaType,
      config: {
        mediaType: OCI_EMPTY,
        digest: sha256Digest(EMPTY_CONFIG),
        size: EMPTY_CONFIG.length,
      },
      layers: [
        {
          mediaType,
          digest: sha256Digest(blob),
          size: blob.length,
          ...(predicateType ? { annotations: { [PREDICATE_TYPE_ANNOTATION]: predicateType } } : {}),
        },
      ],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      ...(annotations ? { annotations } : {}),
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = sha256Digest(bytes);
    const put = await registry.putManifest(repository, digest, OCI_MANIFEST, bytes);
    if (put.digest !== digest)
      throw new BentoError(`registry stored signature manifest as ${put.digest}, expected ${digest}`);
    registryIndexes &&= put.subjectAccepted;
    pushed.push({
      mediaType: OCI_MANIFEST,
      digest,
      size: bytes.length,
      artifactType: mediaType,
      ...(predicateType || annotations
        ? {
            annotations: {
              ...(predicateType ? { [PREDICATE_TYPE_ANNOTATION]: predicateType } : {}),
              ...annotations,
            },
          }
        : {}),
    });
  }
  if (registryIndexes) return { manifests: pushed.map((d) => d.digest), indexedBy: 'referrers' };

  const tag = referrersTag(subject.digest);
  const current = await readIndex(registry, repository, tag);
  const known = new Set(current.manifests.map((m) => m.digest));
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...current.manifests, ...pushed.filter((d) => !known.has(d.digest))],
  };
  if (pushed.some((d) => !known.has(d.digest))) {
    await registry.putManifest(repository, tag, OCI_INDEX, Buffer.from(JSON.stringify(index)));
  }
  return { manifests: pushed.map((d) => d.digest), indexedBy: { tag } };
}

async function readIndex(registry: SignatureRegistry, repository: string, tag: string): Promise<ImageIndex> {
  const found = await registry.getManifest(repository, tag);
  if (!found) return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] };
  const parsed = imageIndexSchema.safeParse(parseJson(found.bytes));
  if (!parsed.success)
    throw new BentoError(
      `${repository}:${tag} should be an OCI referrers index but is not; delete that tag and push again`,
    );
  return parsed.data;
}

/** The referrers of a digest: from the referrers API when the registry has one, else the fallback tag. */
export async function listReferrers(
  registry: SignatureRegistry,
  repository: string,
  digest: string,
  artifactType?: string,
): Promise<Descriptor[]> {
  const fromApi = await registry.getReferrers(repository, digest, artifactType);
  const index = fromApi ?? (await readIndex(registry, repository, referrersTag(digest)));
  return index.manifests.filter((m) => !artifactType || m.artifactType === artifactType);
}

/** Every DSSE envelope attached to `digest`; manifests or blobs that are not what they claim are skipped. */
export function fetchEnvelopes(
  registry: SignatureRegistry,
  repository: string,
  digest: string,
): Promise<DsseEnvelope[]> {
  return fetchAttached(registry, repository, digest, {
    artifactType: ENTRY_SIGNATURE_ARTIFACT_TYPE,
    layerType: DSSE_ENVELOPE_MEDIA_TYPE,
    schema: dsseEnvelopeSchema,
  });
}

/**
 * Every Sigstore bundle attached to `digest` (artifactType = the bundle media type, as cosign and
 * oras attach them); like envelopes, they are only shape-checked here and judged by verify.
 */
export function fetchBundles(
  registry: SignatureRegistry,
  repository: string,
  digest: string,
): Promise<SigstoreBundleJson[]> {
  return fetchAttached(registry, repository, digest, {
    artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    layerType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    schema: sigstoreBundleJsonSchema,
  });
}

/**
 * The JSON layers of the referrers of `digest` with this artifact type: each manifest and blob must
 * hash to its digest and the manifest must name `digest` as its subject, else it is skipped.
 */
async function fetchAttached<T>(
  registry: SignatureRegistry,
  repository: string,
  digest: string,
  kind: { artifactType: string; layerType: string; schema: z.ZodType<T> },
): Promise<T[]> {
  const values: T[] = [];
  for (const referrer of await listReferrers(registry, repository, digest, kind.artifactType)) {
    const found = await registry.getManifest(repository, referrer.digest);
    if (!found || sha256Digest(found.bytes) !== referrer.digest) continue;
    const manifest = imageManifestSchema.safeParse(parseJson(found.bytes));
    if (!manifest.success || manifest.data.subject?.digest !== digest) continue;
    for (const layer of manifest.data.layers.filter((l) => l.mediaType === kind.layerType)) {
      const blob = await registry.getBlob(repository, layer.digest);
      if (sha256Digest(blob) !== layer.digest) continue;
      const value = kind.schema.safeParse(parseJson(blob));
      if (value.success) values.push(value.data);
    }
  }
  return values;
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Attaches the envelopes and Sigstore bundles stored beside an entry to its pushed manifest (`subject`: a descriptor, or
 * just the digest, then read from the registry); undefined when the entry has no signatures.
 */
export async function attachEntrySignatures(
  registry: SignatureRegistry,
  repository: string,
  subject: Descriptor | string,
  entryDir: string,
): Promise<AttachResult | undefined> {
  const { envelopes } = await readEntryEnvelopes(entryDir);
  const { bundles } = await readEntryBundles(entryDir);
  // The OMS signature (model.sig) travels as one more bundle; pull stores it as *.sigstore.json.
  const oms = await readOwnOmsBundle(entryDir);
  if (oms) bundles.push({ file: OMS_SIGNATURE_FILE, bundle: oms });
  if (envelopes.length === 0 && bundles.length === 0) return undefined;
  if (typeof subject === 'string') {
    const found = await registry.getManifest(repository, subject);
    if (!found)
      throw new BentoError(`cannot attach signatures: ${repository}@${subject} is not in the registry`);
    subject = { mediaType: found.mediaType, digest: found.digest, size: found.bytes.length };
  }
  return attachEnvelopes(registry, repository, subject, [
    ...envelopes.map((e) => ({ envelope: e.envelope, predicateType: ENTRY_PREDICATE_TYPE })),
    ...bundles.map((b) => ({
      envelope: b.bundle,
      predicateType: isOmsBundle(b.bundle) ? OMS_PREDICATE_TYPE : ENTRY_PREDICATE_TYPE,
      mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    })),
  ]);
}

/**
 * Writes the envelopes and bundles attached to a pulled manifest into an entry directory (staged or committed);
 * returns how many. They are stored unverified, as found: `verify` judges them later.
 */
export async function pullEntrySignatures(
  registry: SignatureRegistry,
  repository: string,
  digest: string,
  entryDir: string,
): Promise<number> {
  const envelopes = await fetchEnvelopes(registry, repository, digest);
  for (const envelope of envelopes) await writeEntryEnvelope(entryDir, envelope, { nameBy: 'content' });
  const bundles = await fetchBundles(registry, repository, digest);
  for (const bundle of bundles) await writeEntryBundle(entryDir, bundle);
  return envelopes.length + bundles.length;
}
