/**
 * Signing and verification for the rest of bentoci: the verify gate for containerize, push, pull,
 * serve and canary; attaching entry signatures on push and fetching them on pull; and the sign and
 * verify operations.
 *
 * Folders, by role: formats/ (the signature formats as typed data), keys/ (key files and what signs
 * with a key), keyless/ (Sigstore: identity token, Fulcio/Rekor signing, trusted root, bundle checks),
 * entries/ (signatures of store entries), images/ (cosign image signatures), registry/ (where
 * signatures meet a registry: referrers), oms/ (OpenSSF model signatures). Signing and verifying are
 * separate modules throughout.
 */

export { ENVELOPE_SUFFIX, readEntryEnvelopes, writeEntryEnvelope } from './entries/envelopes.js';
export { signEntry } from './entries/sign.js';
export { type KeylessSigned, signEntryKeyless } from './entries/sign-keyless.js';
export { type EntryVerification, verifyEntry } from './entries/verify.js';
export { type KeylessVerification, verifyEntryKeyless } from './entries/verify-keyless.js';
export { COSIGN_SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE } from './formats/cosign.js';
export type { DsseEnvelope } from './formats/dsse.js';
export { ENTRY_PREDICATE_TYPE, type EntryStatement } from './formats/in-toto.js';
export { type ImageSignResult, signImage } from './images/sign.js';
export { type ImageKeylessSignResult, signImageKeyless } from './images/sign-keyless.js';
export { type ImageVerification, verifyImage } from './images/verify.js';
export { type ImageKeylessVerification, verifyImageKeyless } from './images/verify-keyless.js';
export { resolveIdentityToken } from './keyless/identity-token.js';
export { type KeylessSignOptions, PUBLIC_FULCIO_URL, PUBLIC_REKOR_URL } from './keyless/sign.js';
export { loadTrustedRoot } from './keyless/trusted-root.js';
export { compileIdentityPolicy, type IdentityPolicy, sigstoreCheck } from './keyless/verify.js';
export {
  DEFAULT_PASSWORD_ENV,
  generateKeyPair,
  loadSigner,
  loadVerifier,
  passphraseFrom,
  readKeyText,
  writeKeyPair,
} from './keys/key-files.js';
export type { Signer, Verifier } from './keys/signer.js';
export {
  type OmsSigned,
  readEntryOmsBundles,
  signEntryOms,
  verifyEntryOms,
} from './oms/entry.js';
export { OMS_PREDICATE_TYPE, OMS_SIGNATURE_FILE } from './oms/format.js';
export { type OmsTrust, type OmsVerification, verifyOmsSignature } from './oms/verify.js';
export {
  enforceVerifyPolicy,
  type KeylessTrust,
  keylessTrust,
  type PolicyOutcome,
  parseVerifyPolicy,
  type VerifyPolicy,
  type VerifyTarget,
  type VerifyTrust,
  verifyPolicySchema,
} from './policy.js';
export {
  openSignatureRegistry,
  type RegistryFlags,
  RepositorySignatureRegistry,
} from './registry/oci-registry.js';
export {
  type AttachResult,
  attachEntrySignatures,
  fetchEnvelopes,
  pullEntrySignatures,
} from './registry/referrers.js';
export type { SignatureRegistry } from './registry/signature-registry.js';
export { formatImageRef, type ImageRef, parseSignTarget, type SignTarget } from './target.js';
