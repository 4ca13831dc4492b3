/**
 * What signs and checks bytes: ECDSA P-256 with SHA-256, signatures in ASN.1 DER, the algorithm
 * cosign and containers-policy use for keys. Key material is never put into messages or logs.
 */
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { UsageError } from '../../core/errors.js';
import { operation, say } from '../../core/user-text.js';

export const P256 = 'prime256v1';

/** Something that signs bytes with ECDSA P-256/SHA-256 and returns an ASN.1 DER signature. */
export interface Signer {
  readonly keyid: string;
  readonly publicKey: KeyObject;
  sign(data: Uint8Array): Promise<Buffer>;
}

/** Checks ECDSA P-256/SHA-256 DER signatures with one public key. */
export interface Verifier {
  readonly keyid: string;
  readonly publicKey: KeyObject;
  verify(data: Uint8Array, signature: Uint8Array): boolean;
}

/** The key id we put into DSSE `keyid`: sha256 of the DER SubjectPublicKeyInfo, hex. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function newSigner(privateKey: KeyObject): Signer {
  assertP256(privateKey, 'private key');
  const publicKey = createPublicKey(privateKey);
  return {
    keyid: keyIdOf(publicKey),
    publicKey,
    sign: async (data) => sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }),
  };
}

export function newVerifier(publicKey: KeyObject): Verifier {
  assertP256(publicKey, 'public key');
  return {
    keyid: keyIdOf(publicKey),
    publicKey,
    verify: (data, signature) => {
      try {
        return verify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, signature);
      } catch {
        // A malformed DER signature is a failed verification, not a crash.
        return false;
      }
    },
  };
}

function assertP256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== P256) {
    const type =
      key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve}` : key.asymmetricKeyType;
    throw new UsageError(
      say`the ${what} is ${type}; bentoci and cosign signatures need ECDSA P-256 (${operation('keygen')})`,
    );
  }
}
