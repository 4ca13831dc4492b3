/**
 * Verifying an OMS v1.0 signature against a model on disk, with the checks of `model_signing verify
 * key|certificate|sigstore`, in its order: the bundle's signature is authentic for the trust given;
 * the payload is an in-toto statement of predicate type https://model_signing/signature/v1.0 whose
 * subject digest covers its resources; the model, hashed as the signature's `serialization` says
 * (minus its ignore_paths, the extra ignored paths and the signature file), has exactly those files
 * with those digests. Each failure names the reason.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { resolve } from 'node:path';
import { option, say, type UserText } from '../../core/user-text.js';
import { compareSubjects, describeChanges, type SubjectChange } from '../entries/statement.js';
import { failureText } from '../failures.js';
import { checkBundle, type SigstoreCheck } from '../keyless/verify.js';
import { hashForKey, keyHint, verifyDsseSignature } from './ec-keys.js';
import {
  GIT_PATHS,
  IN_TOTO_PAYLOAD_TYPE,
  OMS_PREDICATE_TYPE,
  type OmsBundle,
  type OmsResource,
  type OmsSigningMethod,
  type OmsStatement,
  omsBundleSchema,
  omsStatementSchema,
  signingMethodOf,
} from './format.js';
import { hashModel, ignoredPaths, normalizeName, rootDigest } from './model-hash.js';
import { verifyCertificateChain } from './x509-chain.js';

/** Whom to trust, as model_signing's `verify key`, `verify certificate` and `verify sigstore` take it. */
export type OmsTrust =
  | { method: 'key'; publicKey: KeyObject }
  | { method: 'certificate'; anchors: readonly X509Certificate[] }
  | { method: 'sigstore'; check: SigstoreCheck };

export interface OmsVerifyOptions {
  /** Further paths to leave out (absolute), as model_signing's --ignore-paths. */
  ignorePaths?: readonly string[];
  /** Leave out .git, .gitattributes, .github, .gitignore at the model root (model_signing's default). */
  ignoreGitPaths?: boolean;
  /** The signature file (absolute); left out when it lies inside the model, as model_signing does. */
  signatureFile?: string;
  /** How the signature is named in messages. */
  where?: string;
}

export type OmsFailureReason =
  | 'unsigned'
  | 'malformed'
  | 'unsupported'
  | 'wrong-key'
  | 'bad-signature'
  | 'untrusted'
  | 'wrong-identity'
  | 'changed';

export type OmsVerification =
  | {
      ok: true;
      method: OmsSigningMethod;
      /** The key hint, the certificate chain, or the Sigstore identity that signed. */
      signer: string;
      modelName: string;
      files: number;
      ignorePaths: string[];
      statement: OmsStatement;
    }
  | { ok: false; reason: OmsFailureReason; message: string; text?: UserText; changes?: SubjectChange[] };

type Failure = Extract<OmsVerification, { ok: false }>;

export async function verifyOmsSignature(
  modelPath: string,
  json: unknown,
  trust: OmsTrust,
  options: OmsVerifyOptions = {},
): Promise<OmsVerification> {
  const where = options.where ?? 'the signature';
  const parsed = omsBundleSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      'malformed',
      `${where} is not a Sigstore bundle with a DSSE envelope (${issue?.path.join('.') || 'document'}: ${issue?.message})`,
    );
  }
  const bundle = parsed.data;
  const authentic = authenticate(bundle, json, trust, where);
  if (!authentic.ok) return authentic;

  const statement = readStatement(bundle, authentic.payload, where);
  if ('ok' in statement) return statement;
  const serialization = statement.predicate.serialization;
  if (serialization.method !== 'files')
    return fail(
      'unsupported',
      `${where} serializes the model by "${serialization.method}"; bentoci verifies method "files" only`,
    );
  if (
    serialization.hash_type !== 'sha256' ||
    statement.predicate.resources.some((r) => r.algorithm !== 'sha256')
  )
    return fail(
      'unsupported',
      `${where} hashes with ${serialization.hash_type}; bentoci verifies sha256 only`,
    );

  const signed = serialization.ignore_paths ?? [];
  const ignore = [
    ...ignoredPaths(modelPath, signed),
    ...ignoredPaths(modelPath, options.ignoreGitPaths === false ? [] : GIT_PATHS),
    ...(options.ignorePaths ?? []).map((p) => resolve(p)),
    ...(options.signatureFile ? [resolve(options.signatureFile)] : []),
  ];
  let actual: OmsResource[];
  try {
    actual = await hashModel(modelPath, {
      ignore,
      allowSymlinks: serialization.allow_symlinks === true || serialization.allow_symlinks === 'true',
    });
  } catch (err) {
    return fail('changed', `${modelPath} does not match ${where}: ${(err as Error).message}`);
  }
  const asSubjects = (rs: readonly OmsResource[]) =>
    rs.map((r) => ({ name: normalizeName(r.name), digest: { sha256: r.digest } }));
  const changes = compareSubjects(asSubjects(statement.predicate.resources), asSubjects(actual));
  if (changes.length > 0) {
    return {
      ok: false,
      reason: 'changed',
      message: `${modelPath} does not match ${where}: ${describeChanges(changes)}`,
      changes,
    };
  }
  return {
    ok: true,
    method: signingMethodOf(bundle) ?? trust.method,
    signer: authentic.signer,
    modelName: statement.subject[0]!.name,
    files: actual.length,
    ignorePaths: signed,
    statement,
  };
}

type Authentic = { ok: true; payload: Buffer; signer: string } | Failure;

/** The payload, once the bundle's signature is shown to come from whom `trust` accepts. */
function authenticate(bundle: OmsBundle, json: unknown, trust: OmsTrust, where: string): Authentic {
  const envelope = bundle.dsseEnvelope;
  const payload = Buffer.from(envelope.payload, 'base64');
  const anyVerifies = (key: KeyObject) =>
    envelope.signatures.some((s) => verifyDsseSignature(key, envelope.payloadType, payload, s.sig));
  const method = signingMethodOf(bundle);

  if (trust.method === 'key') {
    const hint = bundle.verificationMaterial.publicKey?.hint;
    const ours = keyHint(trust.publicKey);
    if (hint && hint !== ours)
      return fail(
        'wrong-key',
        say`${where} is signed by another key (hint ${short(hint)}), not the key in ${option('pub')} (${short(ours)})`,
      );
    if (!anyVerifies(trust.publicKey))
      return hint
        ? fail(
            'bad-signature',
            say`${where} names the key in ${option('pub')} but its signature does not verify (the statement was altered)`,
          )
        : fail(
            'wrong-key',
            say`${where} does not verify with the key in ${option('pub')} (signed by another key, or altered)`,
          );
    return { ok: true, payload, signer: `key ${short(ours)} (sha256 of its PEM)` };
  }

  if (trust.method === 'certificate') {
    const m = bundle.verificationMaterial;
    const certs = m.x509CertificateChain?.certificates ?? (m.certificate ? [m.certificate] : []);
    if (certs.length === 0)
      return fail(
        'malformed',
        method === 'key'
          ? say`${where} holds no certificate (it was signed with a key: verify it with ${option('pub')})`
          : `${where} holds no certificate (it was signed otherwise)`,
      );
    const chain = verifyCertificateChain(
      certs.map((c) => Buffer.from(c.rawBytes, 'base64')),
      trust.anchors,
    );
    if (!chain.ok) return fail('untrusted', say`${where}: ${chain.text ?? chain.message}`);
    if (!hashForKey(chain.publicKey))
      return fail('unsupported', `${where}: the signing certificate's key is not an ECDSA P-256/384/521 key`);
    if (!anyVerifies(chain.publicKey))
      return fail(
        'bad-signature',
        `${where}: the signature does not verify with its certificate's key (the statement was altered)`,
      );
    return { ok: true, payload, signer: `certificate ${chain.subjects.join(' <- ')}` };
  }

  const checked = checkBundle(json, 'dsseEnvelope', undefined, trust.check, where);
  if (!checked.ok) return fail(checked.reason, checked.text ?? checked.message);
  if (checked.bundle.content.$case !== 'dsseEnvelope')
    return fail('malformed', `${where} holds no DSSE envelope`);
  const signed = checked.bundle.content.dsseEnvelope;
  return {
    ok: true,
    payload: Buffer.from(signed.payload),
    signer: `${checked.signer.identity} (issuer ${checked.signer.issuer}${checked.logged ? ', logged in Rekor' : ''})`,
  };
}

function readStatement(bundle: OmsBundle, payload: Buffer, where: string): OmsStatement | Failure {
  if (bundle.dsseEnvelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return fail(
      'malformed',
      `${where} signs a ${bundle.dsseEnvelope.payloadType} payload, not an in-toto statement`,
    );
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    return fail('malformed', `${where} signs a payload that is not JSON`);
  }
  const predicateType = (value as { predicateType?: unknown } | null)?.predicateType;
  if (predicateType !== OMS_PREDICATE_TYPE)
    return fail(
      'malformed',
      `${where} is not an OMS signature: predicate type ${JSON.stringify(predicateType)}, expected ${OMS_PREDICATE_TYPE}`,
    );
  const parsed = omsStatementSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      'malformed',
      `${where} holds a malformed OMS statement (${issue?.path.join('.')}: ${issue?.message})`,
    );
  }
  const statement = parsed.data;
  if (statement.subject.length !== 1)
    return fail(
      'malformed',
      `${where}: an OMS statement has one subject, this one has ${statement.subject.length}`,
    );
  const covered = rootDigest(statement.predicate.resources);
  if (covered !== statement.subject[0]!.digest.sha256)
    return fail(
      'malformed',
      `${where} is inconsistent: its subject digest ${short(statement.subject[0]!.digest.sha256)} does not cover its resources (${short(covered)})`,
    );
  return statement;
}

function fail(reason: OmsFailureReason, message: string | UserText): Failure {
  return { ok: false, reason, ...failureText(message) };
}

function short(hex: string): string {
  return hex.slice(0, 12);
}
