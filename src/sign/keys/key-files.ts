/**
 * Key files: ECDSA P-256 in PKCS#8 PEM (private, optionally encrypted) and SPKI PEM (public), the
 * formats openssl, cosign (`--key pub.pem`) and containers-policy `keyPath` read, from a path or an
 * environment variable (`env://NAME`). Key material is never put into messages or logs; a key read
 * from an env var is never written anywhere.
 *
 * Messages name the option the key came from (`key` or `pub`) and the spec the user typed. A caller
 * that hands over its own environment map (an action passing a secret's PEM text) made the spec up,
 * so its messages name only the option.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { BentoError, OptionError, UsageError } from '../../core/errors.js';
import { exists } from '../../core/files.js';
import { operation, option, say, textOf, type UserText } from '../../core/user-text.js';
import { encryptPrivateKey } from './key-encryption.js';
import { keyIdOf, newSigner, newVerifier, P256, publicKeyPem, type Signer, type Verifier } from './signer.js';

/** The env var read for a passphrase when no `passwordEnv` is given (like COSIGN_PASSWORD). */
export const DEFAULT_PASSWORD_ENV = 'BENTOCI_KEY_PASSWORD';
const ENV_PREFIX = 'env://';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

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
        throw new OptionError(
          'out',
          say`${option('out')} "${prefix}": ${path} already exists (choose another prefix or pass ${option('force')})`,
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
 * The passphrase for a private key: from the variable `passwordEnv` names when given (which must then
 * be set), else from BENTOCI_KEY_PASSWORD when set, else none.
 */
export function passphraseFrom(env: NodeJS.ProcessEnv, passwordEnv?: string): string | undefined {
  if (passwordEnv !== undefined) {
    if (!ENV_NAME.test(passwordEnv)) {
      throw new OptionError(
        'passwordEnv',
        say`invalid ${option('passwordEnv')} "${passwordEnv}": expected an environment variable name`,
      );
    }
    const value = env[passwordEnv];
    if (value === undefined)
      throw new OptionError(
        'passwordEnv',
        say`${option('passwordEnv', passwordEnv)}: the environment variable is not set`,
      );
    return value;
  }
  const value = env[DEFAULT_PASSWORD_ENV];
  return value === undefined || value === '' ? undefined : value;
}

/** How messages name a key source: the option, and the spec when the user typed it. */
function sourceText(key: string, spec: string, callerEnv: boolean): UserText {
  return callerEnv && spec.startsWith(ENV_PREFIX) ? say`${option(key)}` : say`${option(key)} "${spec}"`;
}

/**
 * Reads PEM text from a path or `env://NAME`; `key` is the option it came from (`key`, `pub`,
 * `certificateChain`), for messages. `env` is where env://NAME is looked up (process.env unless given).
 */
export async function readKeyText(spec: string, key: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const source = sourceText(key, spec, env !== undefined);
  if (spec.startsWith(ENV_PREFIX)) {
    const name = spec.slice(ENV_PREFIX.length);
    if (!ENV_NAME.test(name))
      throw new OptionError(key, say`invalid ${source}: expected env://NAME with a variable name`);
    const value = (env ?? process.env)[name];
    if (!value)
      throw new OptionError(key, say`${source}: the environment variable ${name} is not set or empty`);
    // Secrets pasted into CI settings sometimes arrive with literal "\n" instead of newlines.
    return value.includes('\n') ? value : value.replaceAll('\\n', '\n');
  }
  try {
    return await readFile(spec, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new OptionError(
      key,
      say`${source}: cannot read the file (${code ?? 'error'}); pass a PEM file or env://NAME`,
    );
  }
}

/** Loads a private key (path or env://NAME) as a Signer; encrypted keys need a passphrase. */
export async function loadSigner(
  spec: string,
  options: { passphrase?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Signer> {
  const text = await readKeyText(spec, 'key', options.env);
  const source = sourceText('key', spec, options.env !== undefined);
  const fail = (why: UserText | string) => new OptionError('key', say`${source}: ${why}`);
  if (text.includes('ENCRYPTED SIGSTORE PRIVATE KEY') || text.includes('ENCRYPTED COSIGN PRIVATE KEY'))
    throw fail(
      say`cosign's own encrypted key format is not supported; use a PKCS#8 PEM key (${operation('keygen')})`,
    );
  if (!text.includes('PRIVATE KEY-----'))
    throw fail('not a PEM private key (expected -----BEGIN PRIVATE KEY-----)');
  const encrypted = text.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(text);
  if (encrypted && !options.passphrase)
    throw fail(
      say`the key is encrypted; set ${DEFAULT_PASSWORD_ENV} or pass ${option('passwordEnv', 'NAME')}`,
    );
  let key: KeyObject;
  try {
    key = createPrivateKey(
      encrypted
        ? { key: text, format: 'pem', passphrase: options.passphrase ?? '' }
        : { key: text, format: 'pem' },
    );
  } catch {
    // The underlying message can quote key bytes in some OpenSSL versions; keep ours fixed.
    throw fail(
      encrypted
        ? 'cannot decrypt the key (wrong passphrase?)'
        : 'cannot parse the private key (expected PKCS#8 or SEC1 PEM)',
    );
  }
  try {
    return newSigner(key);
  } catch (err) {
    throw err instanceof UsageError ? fail(textOf(err)) : err;
  }
}

/** Loads a public key (SPKI PEM; path or env://NAME) as a Verifier. */
export async function loadVerifier(spec: string, env?: NodeJS.ProcessEnv): Promise<Verifier> {
  const text = await readKeyText(spec, 'pub', env);
  const source = sourceText('pub', spec, env !== undefined);
  const fail = (why: UserText | string) => new OptionError('pub', say`${source}: ${why}`);
  if (text.includes('PRIVATE KEY-----'))
    throw fail(say`this is a private key; pass the public key (PREFIX.pub from ${operation('keygen')})`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch {
    throw fail('cannot parse the public key (expected -----BEGIN PUBLIC KEY----- PEM)');
  }
  try {
    return newVerifier(key);
  } catch (err) {
    throw err instanceof UsageError ? fail(textOf(err)) : err;
  }
}
