/**
 * The keys OMS signatures use: ECDSA on P-256, P-384 or P-521, each with the hash of its size (as
 * model_signing and Sigstore's protobuf specs pair them), over the DSSE pre-authentication encoding.
 * The key hint model_signing (v1.1+) records is the sha256 of the public key as SPKI PEM, hex.
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { OptionError } from '../../core/errors.js';
import { option, say } from '../../core/user-text.js';
import { preAuthEncoding } from '../formats/dsse.js';

const HASH_BY_CURVE: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  prime256v1: 'sha256',
  secp384r1: 'sha384',
  secp521r1: 'sha512',
};

/** The digest an ECDSA key signs with, or undefined for a key OMS does not support. */
export function hashForKey(key: KeyObject): 'sha256' | 'sha384' | 'sha512' | undefined {
  if (key.asymmetricKeyType !== 'ec') return undefined;
  return HASH_BY_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ''];
}

export function keyHint(key: KeyObject): string {
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  return createHash('sha256').update(pem).digest('hex');
}

/**
 * A public key for verifying an OMS signature: SPKI PEM of an EC key on a curve OMS supports, read
 * from `source` (the option `pub`'s value, for messages).
 */
export function parseOmsPublicKey(text: string, source: string): KeyObject {
  const fail = (why: string) => new OptionError('pub', say`${option('pub')} "${source}": ${why}`);
  if (text.includes('PRIVATE KEY-----')) throw fail('this is a private key; pass the public key');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch {
    throw fail('cannot parse the public key (expected -----BEGIN PUBLIC KEY----- PEM)');
  }
  if (!hashForKey(key)) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw fail(
      `the key is ${key.asymmetricKeyType}${curve ? ` ${curve}` : ''}; OMS signatures use ECDSA on P-256, P-384 or P-521`,
    );
  }
  return key;
}

/** Whether `sig` (DER, base64) by `key` covers PAE(payloadType, payload). */
export function verifyDsseSignature(
  key: KeyObject,
  payloadType: string,
  payload: Buffer,
  sigBase64: string,
): boolean {
  const hash = hashForKey(key);
  if (!hash) return false;
  try {
    return verify(
      hash,
      preAuthEncoding(payloadType, payload),
      { key, dsaEncoding: 'der' },
      Buffer.from(sigBase64, 'base64'),
    );
  } catch {
    // A malformed signature is a failed verification, not a crash.
    return false;
  }
}
