/**
 * Signing and verification for the rest of bentoci: the verify gate for containerize, push, pull,
 * serve and canary; attaching entry signatures on push and fetching them on pull; and the sign and
 * verify operations behind `bentoci sign|verify`.
 */
export { type AttachResult, attachEntrySignatures, fetchEnvelopes, pullEntrySignatures } from './attach.js';
export { ENVELOPE_SUFFIX, readEntryEnvelopes, writeEntryEnvelope } from './entry-envelopes.js';
export {
  COSIGN_SIGNATURE_ANNOTATION,
  type DsseEnvelope,
  ENTRY_PREDICATE_TYPE,
  type EntryStatement,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from './formats.js';
export { loadSigner, loadVerifier, passphraseFrom, type Signer, type Verifier } from './keys.js';
export { openSignatureRegistry, type RegistryFlags, RepositorySignatureRegistry } from './oci-registry.js';
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
  type PolicyOutcome,
  parseVerifyPolicy,
  type VerifyPolicy,
  type VerifyTarget,
  verifyPolicySchema,
} from './policy.js';
export type { SignatureRegistry } from './registry.js';
export { signEntry } from './sign-entry.js';
export { signImage } from './sign-image.js';
export { type EntryVerification, verifyEntry } from './verify-entry.js';
export { type ImageVerification, verifyImage } from './verify-image.js';
