/**
 * Verifying an attestation in a registry, as `cosign verify-attestation --type ...` does: among the
 * Sigstore-bundle referrers of the digest a reference resolves to (referrers API, else the
 * `sha256-<hex>` tag index), one must be signed by the trusted key or keyless identity, hold an
 * in-toto statement of the asked predicate type whose subject is that digest, and a predicate that
 * is valid: SLSA provenance v1's required fields, or a CycloneDX document the library's validator
 * accepts. Manifests and blobs that do not hash to their digests are refused.
 */

import { option, say, type UserText } from '../core/user-text.js';
import { sha256Digest } from '../oci/manifests.js';
import { imageManifestSchema as ociManifestSchema } from '../oci/schemas.js';
import { type FailureText, failureText, mostTelling } from '../sign/failures.js';
import { dsseEnvelopeSchema } from '../sign/formats/dsse.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../sign/formats/in-toto.js';
import {
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  type SigstoreBundleJson,
  sigstoreBundleJsonSchema,
} from '../sign/formats/sigstore-bundle.js';
import { resolveDigest } from '../sign/images/resolve.js';
import { checkBundle, sigstoreCheck } from '../sign/keyless/verify.js';
import { verifyEnvelope } from '../sign/keys/envelope.js';
import type { Verifier } from '../sign/keys/signer.js';
import type { KeylessTrust } from '../sign/policy.js';
import { listReferrers } from '../sign/registry/referrers.js';
import type { SignatureRegistry } from '../sign/registry/signature-registry.js';
import { formatImageRef, type ImageRef } from '../sign/target.js';
import {
  ATTESTATION_KINDS,
  type AttestationKind,
  type AttestationStatement,
  attestationStatementSchema,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  slsaProvenanceSchema,
} from './formats.js';
import { validateCycloneDx } from './sbom-validate.js';

export type AttestationTrust = { type: 'key'; verifier: Verifier } | { type: 'keyless'; trust: KeylessTrust };

export type AttestationVerification =
  | {
      ok: true;
      kind: AttestationKind;
      digest: string;
      /** The referrer manifest that held it. */
      manifest: string;
      /** keyid, or the certificate identity and issuer. */
      signer: string;
      summary: string;
      statement: AttestationStatement;
    }
  | ({
      ok: false;
      reason:
        | 'unsigned'
        | 'malformed'
        | 'wrong-key'
        | 'untrusted'
        | 'wrong-identity'
        | 'digest-mismatch'
        | 'invalid';
    } & FailureText);
type Failure = Exclude<AttestationVerification, { ok: true }>;

function failure(reason: Failure['reason'], text: string | UserText): Failure {
  return { ok: false, reason, ...failureText(text) };
}

export async function verifyAttestation(
  registry: SignatureRegistry,
  ref: ImageRef,
  kind: AttestationKind,
  trust: AttestationTrust,
): Promise<AttestationVerification> {
  const predicateType = ATTESTATION_KINDS[kind];
  const what = formatImageRef(ref);
  const digest = await resolveDigest(registry, ref);
  const referrers = (
    await listReferrers(registry, ref.repository, digest, SIGSTORE_BUNDLE_V03_MEDIA_TYPE)
  ).filter((d) => {
    const annotated = d.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION];
    return annotated === undefined || annotated === predicateType;
  });
  if (referrers.length === 0)
    return failure(
      'unsigned',
      say`${what} (${digest}) has no ${kind} attestation (no Sigstore bundle referrer with predicate type ${predicateType}); push with ${option('attest', kind)}`,
    );
  const check =
    trust.type === 'keyless' ? sigstoreCheck(trust.trust.identity, trust.trust.options) : undefined;
  const failures: Failure[] = [];
  for (const referrer of referrers) {
    const where = `${what}: attestation ${referrer.digest.slice(0, 19)}`;
    const bundle = await fetchBundle(registry, ref.repository, referrer.digest, digest);
    if (!bundle.ok) {
      failures.push({ ok: false, reason: bundle.reason, message: `${where}: ${bundle.message}` });
      continue;
    }
    const signed = signedPayload(bundle.bundle, trust, check, where);
    if (!signed.ok) {
      failures.push(signed);
      continue;
    }
    const judged = await judgeStatement(signed.payload, signed.payloadType, kind, digest, where);
    if (!judged.ok) {
      // Another predicate type in an unannotated bundle is not this attestation: not a failure to report.
      if (judged.reason !== 'other-type') failures.push(judged as Failure);
      continue;
    }
    return {
      ok: true,
      kind,
      digest,
      manifest: referrer.digest,
      signer: signed.signer,
      summary: judged.summary,
      statement: judged.statement,
    };
  }
  return (
    mostTelling(failures) ??
    failure(
      'unsigned',
      say`${what} (${digest}) has no ${kind} attestation; push with ${option('attest', kind)}`,
    )
  );
}

async function fetchBundle(
  registry: SignatureRegistry,
  repository: string,
  manifestDigest: string,
  subjectDigest: string,
): Promise<
  | { ok: true; bundle: SigstoreBundleJson }
  | { ok: false; reason: 'malformed' | 'digest-mismatch'; message: string }
> {
  const found = await registry.getManifest(repository, manifestDigest);
  if (!found || sha256Digest(found.bytes) !== manifestDigest)
    return {
      ok: false,
      reason: 'malformed',
      message: 'its manifest is missing or does not match its digest',
    };
  const manifest = ociManifestSchema.safeParse(parseJson(found.bytes));
  if (!manifest.success)
    return { ok: false, reason: 'malformed', message: 'its manifest is not an OCI image manifest' };
  if (manifest.data.subject?.digest !== subjectDigest)
    return {
      ok: false,
      reason: 'digest-mismatch',
      message: `its manifest's subject is ${manifest.data.subject?.digest ?? 'missing'}, not ${subjectDigest}`,
    };
  const layer = manifest.data.layers.find((l) => l.mediaType === SIGSTORE_BUNDLE_V03_MEDIA_TYPE);
  if (!layer) return { ok: false, reason: 'malformed', message: 'its manifest has no Sigstore bundle layer' };
  const blob = await registry.getBlob(repository, layer.digest);
  if (sha256Digest(blob) !== layer.digest)
    return {
      ok: false,
      reason: 'malformed',
      message: `its bundle ${layer.digest} does not match its digest`,
    };
  const bundle = sigstoreBundleJsonSchema.safeParse(parseJson(blob));
  if (!bundle.success)
    return { ok: false, reason: 'malformed', message: 'its layer is not a Sigstore bundle' };
  return { ok: true, bundle: bundle.data };
}

type Signed = { ok: true; payload: Buffer; payloadType: string; signer: string } | Failure;

/** The DSSE payload, once the envelope's signature verifies with the key or the keyless policy. */
function signedPayload(
  bundle: SigstoreBundleJson,
  trust: AttestationTrust,
  check: ReturnType<typeof sigstoreCheck> | undefined,
  where: string,
): Signed {
  if (trust.type === 'keyless') {
    const checked = checkBundle(bundle, 'dsseEnvelope', undefined, check!, where);
    if (!checked.ok) return checked;
    if (checked.bundle.content.$case !== 'dsseEnvelope')
      return { ok: false, reason: 'malformed', message: `${where} holds no DSSE envelope` };
    const envelope = checked.bundle.content.dsseEnvelope;
    return {
      ok: true,
      payload: Buffer.from(envelope.payload),
      payloadType: envelope.payloadType,
      signer: `${checked.signer.identity} (issuer ${checked.signer.issuer})`,
    };
  }
  const envelope = dsseEnvelopeSchema.safeParse(bundle['dsseEnvelope']);
  if (!envelope.success)
    return { ok: false, reason: 'malformed', message: `${where} holds no DSSE envelope` };
  const verified = verifyEnvelope(envelope.data, trust.verifier);
  if (!verified.ok)
    return failure(
      'wrong-key',
      verified.reason === 'bad-signature'
        ? `${where}: the signature by keyid ${trust.verifier.keyid.slice(0, 12)} does not verify (the attestation was altered)`
        : say`${where} is not signed by the key in ${option('pub')}`,
    );
  return {
    ok: true,
    payload: verified.payload,
    payloadType: envelope.data.payloadType,
    signer: `keyid ${trust.verifier.keyid.slice(0, 12)}`,
  };
}

async function judgeStatement(
  payload: Buffer,
  payloadType: string,
  kind: AttestationKind,
  digest: string,
  where: string,
): Promise<
  | { ok: true; statement: AttestationStatement; summary: string }
  | Failure
  | { ok: false; reason: 'other-type' }
> {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return {
      ok: false,
      reason: 'malformed',
      message: `${where}: payload type ${payloadType}, not ${IN_TOTO_PAYLOAD_TYPE}`,
    };
  const parsed = attestationStatementSchema.safeParse(parseJson(payload));
  if (!parsed.success)
    return {
      ok: false,
      reason: 'malformed',
      message: `${where}: the payload is not an in-toto Statement v1`,
    };
  const statement = parsed.data;
  if (statement.predicateType !== ATTESTATION_KINDS[kind]) return { ok: false, reason: 'other-type' };
  if (!statement.subject.some((s) => `sha256:${s.digest.sha256}` === digest))
    return {
      ok: false,
      reason: 'digest-mismatch',
      message: `${where}: the statement is about ${statement.subject.map((s) => `sha256:${s.digest.sha256}`).join(', ')}, not ${digest}`,
    };
  if (kind === 'provenance') {
    const provenance = slsaProvenanceSchema.safeParse(statement.predicate);
    if (!provenance.success) {
      const issue = provenance.error.issues[0];
      return {
        ok: false,
        reason: 'invalid',
        message: `${where}: not SLSA provenance v1: ${issue?.path.join('.') || 'predicate'}: ${issue?.message}`,
      };
    }
    const { buildDefinition, runDetails } = provenance.data;
    const deps = buildDefinition.resolvedDependencies ?? [];
    return {
      ok: true,
      statement,
      summary: `SLSA provenance v1: build type ${buildDefinition.buildType}, builder ${runDetails.builder.id}, ${deps.length} resolved dependencies`,
    };
  }
  const text = JSON.stringify(statement.predicate);
  const valid = await validateCycloneDx(text);
  if (!valid.ok)
    return {
      ok: false,
      reason: 'invalid',
      message: `${where}: not a valid CycloneDX SBOM: ${valid.problems.join('; ')}`,
    };
  const components =
    (statement.predicate['components'] as { type?: string; purl?: string }[] | undefined) ?? [];
  const count = (test: (c: { type?: string; purl?: string }) => boolean) => components.filter(test).length;
  return {
    ok: true,
    statement,
    summary: `CycloneDX ${valid.specVersion} SBOM: ${components.length} components (${count((c) => c.purl?.startsWith('pkg:npm/') ?? false)} npm, ${count((c) => c.purl?.startsWith('pkg:deb/') ?? false)} deb, ${count((c) => c.type === 'machine-learning-model')} models)`,
  };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
