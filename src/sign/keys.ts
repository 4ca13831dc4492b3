/**
 * Signing keys: ECDSA P-256 in PKCS#8 PEM (private, optionally encrypted) and SPKI PEM (public), the
 * formats openssl, cosign (`--key pub.pem`) and containers-policy `keyPath` read. Key material is
 * never put into messages or logs; a key read from an env var is never written anywhere.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { BentoError, UsageError } from '../core/errors.js';
import { exists } from '../core/files.js';
import { encryptPrivateKey } from './key-encryption.js';

/** The env var read for a passphrase when no `--password-env` is given (like COSIGN_PASSWORD). */
export const DEFAULT_PASSWORD_ENV = 'BENTOCI_KEY_PASSWORD';
const ENV_PREFIX = 'env://';
const P256 = 'prime256v1';

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

export interface KeyPairPem {
  privateKey: string;
  publicKey: string;
}

/**
 * A new P-256 key pair; the private key is encrypted when a passphrase is given (PKCS#8 PBES2:
 * PBKDF2-HMAC-SHA256 with 600,000 iterations, AES-256-CBC; see key-encryption.ts).
 */
export function generateKeyPair(passphrase?: string): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: P256 });
  return {
    privateKey: passphrase
      ? encryptPrivateKey(privateKey, passphrase)
      : privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKeyPem(publicKey),
  };
}

/**
 * Writes PREFIX.key (mode 0600) and PREFIX.pub. Existing files are kept unless `force`: overwriting
 * a key silently would orphan every signature made with it.
 */
export async function writeKeyPair(
  prefix: string,
  options: { passphrase?: string; force?: boolean } = {},
): Promise<{ keyPath: string; pubPath: string; keyid: string; encrypted: boolean }> {
  const keyPath = `${prefix}.key`;
  const pubPath = `${prefix}.pub`;
  if (!options.force) {
    for (const path of [keyPath, pubPath]) {
      if (await exists(path))
        throw new UsageError(
          `--out "${prefix}": ${path} already exists (choose another prefix or pass --force)`,
        );
    }
  }
  const pair = generateKeyPair(options.passphrase);
  await writeNewFile(keyPath, pair.privateKey, 0o600);
  await writeNewFile(pubPath, pair.publicKey, 0o644);
  return {
    keyPath,
    pubPath,
    keyid: keyIdOf(createPublicKey(pair.publicKey)),
    encrypted: Boolean(options.passphrase),
  };
}

/** Writes via a temp file created with its final mode, so the key is never readable by others. */
async function writeNewFile(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new BentoError(`cannot write ${path}: ${(err as Error).message}`);
  }
}

/**
 * The passphrase for a private key: from `--password-env NAME` when given (which must then be set),
 * else from BENTOCI_KEY_PASSWORD when set, else none.
 */
export function passphraseFrom(env: NodeJS.ProcessEnv, passwordEnv?: string): string | undefined {
  if (passwordEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv)) {
      throw new UsageError(`invalid --password-env "${passwordEnv}": expected an environment variable name`);
    }
    const value = env[passwordEnv];
    if (value === undefined)
      throw new UsageError(`--password-env ${passwordEnv}: the environment variable is not set`);
    return value;
  }
  const value = env[DEFAULT_PASSWORD_ENV];
  return value === undefined || value === '' ? undefined : value;
}

/** Reads PEM text from a path or `env://NAME`; `what` names the flag in messages. */
export async function readKeyText(
  spec: string,
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (spec.startsWith(ENV_PREFIX)) {
    const name = spec.slice(ENV_PREFIX.length);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new UsageError(`invalid ${what} "${spec}": expected env://NAME with a variable name`);
    const value = env[name];
    if (!value) throw new UsageError(`${what} ${spec}: the environment variable ${name} is not set or empty`);
    // Secrets pasted into CI settings sometimes arrive with literal "\n" instead of newlines.
    return value.includes('\n') ? value : value.replaceAll('\\n', '\n');
  }
  try {
    return await readFile(spec, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${what} "${spec}": cannot read the file (${code ?? 'error'}); pass a PEM file or env://NAME`,
    );
  }
}

/** Loads a private key (path or env://NAME) as a Signer; encrypted keys need a passphrase. */
export async function loadSigner(
  spec: string,
  options: { passphrase?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Signer> {
  const text = await readKeyText(spec, '--key', options.env);
  if (text.includes('ENCRYPTED SIGSTORE PRIVATE KEY') || text.includes('ENCRYPTED COSIGN PRIVATE KEY')) {
    throw new UsageError(
      `--key "${spec}": cosign's own encrypted key format is not supported; use a PKCS#8 PEM key (\`bentoci keygen\`)`,
    );
  }
  if (!text.includes('PRIVATE KEY-----'))
    throw new UsageError(`--key "${spec}": not a PEM private key (expected -----BEGIN PRIVATE KEY-----)`);
  const encrypted = text.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(text);
  if (encrypted && !options.passphrase) {
    throw new UsageError(
      `--key "${spec}": the key is encrypted; set ${DEFAULT_PASSWORD_ENV} or pass --password-env NAME`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(
      encrypted
        ? { key: text, format: 'pem', passphrase: options.passphrase ?? '' }
        : { key: text, format: 'pem' },
    );
  } catch {
    // The underlying message can quote key bytes in some OpenSSL versions; keep ours fixed.
    throw new UsageError(
      encrypted
        ? `--key "${spec}": cannot decrypt the key (wrong passphrase?)`
        : `--key "${spec}": cannot parse the private key (expected PKCS#8 or SEC1 PEM)`,
    );
  }
  return newSigner(key);
}

/** Loads a public key (SPKI PEM; path or env://NAME) as a Verifier. */
export async function loadVerifier(spec: string, env?: NodeJS.ProcessEnv): Promise<Verifier> {
  const text = await readKeyText(spec, '--pub', env);
  if (text.includes('PRIVATE KEY-----')) {
    throw new UsageError(
      `--pub "${spec}": this is a private key; pass the public key (PREFIX.pub from \`bentoci keygen\`)`,
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch {
    throw new UsageError(
      `--pub "${spec}": cannot parse the public key (expected -----BEGIN PUBLIC KEY----- PEM)`,
    );
  }
  return newVerifier(key);
}

function assertP256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== P256) {
    const type =
      key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve}` : key.asymmetricKeyType;
    throw new UsageError(
      `the ${what} is ${type}; bentoci and cosign signatures need ECDSA P-256 (\`bentoci keygen\`)`,
    );
  }
}
