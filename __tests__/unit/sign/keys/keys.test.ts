import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { actionNaming } from '../../../../src/actions/naming.js';
import { CLI_NAMING } from '../../../../src/cli/naming.js';
import { OptionError } from '../../../../src/core/errors.js';
import { preAuthEncoding } from '../../../../src/sign/formats/dsse.js';
import { signEnvelope, verifyEnvelope } from '../../../../src/sign/keys/envelope.js';
import {
  loadSigner,
  loadVerifier,
  passphraseFrom,
  writeKeyPair,
} from '../../../../src/sign/keys/key-files.js';
import { keyIdOf } from '../../../../src/sign/keys/signer.js';

const tmp = () => mkdtemp(join(tmpdir(), 'bentoci-sign-keys-'));

function openssl(args: string[], env: NodeJS.ProcessEnv = {}): Buffer {
  return execFileSync('openssl', args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('keygen', () => {
  it('writes an encrypted PKCS#8 key (mode 0600) that openssl opens with the passphrase, and its SPKI public key', async () => {
    const dir = await tmp();
    const written = await writeKeyPair(join(dir, 'ci'), { passphrase: 'correct horse' });
    expect(written.encrypted).toBe(true);
    expect((await stat(written.keyPath)).mode & 0o777).toBe(0o600);
    const keyText = await readFile(written.keyPath, 'utf8');
    expect(keyText).toContain('-----BEGIN ENCRYPTED PRIVATE KEY-----');
    const pubText = await readFile(written.pubPath, 'utf8');
    expect(pubText).toContain('-----BEGIN PUBLIC KEY-----');

    // openssl derives the same public key from the encrypted private key...
    const derived = openssl(['pkey', '-in', written.keyPath, '-passin', 'env:PW', '-pubout'], {
      PW: 'correct horse',
    }).toString();
    expect(derived).toBe(pubText);
    // ...and refuses it with the wrong passphrase.
    expect(() =>
      openssl(['pkey', '-in', written.keyPath, '-passin', 'env:PW', '-pubout'], { PW: 'wrong' }),
    ).toThrow();
    // The key id is the sha256 of the DER SubjectPublicKeyInfo, as openssl encodes it.
    const der = openssl(['pkey', '-pubin', '-in', written.pubPath, '-outform', 'DER']);
    expect(written.keyid).toBe(createHash('sha256').update(der).digest('hex'));
    expect(openssl(['pkey', '-pubin', '-in', written.pubPath, '-text', '-noout']).toString()).toContain(
      'prime256v1',
    );
  });

  it('refuses to overwrite an existing key unless forced', async () => {
    const dir = await tmp();
    await writeKeyPair(join(dir, 'k'));
    await expect(writeKeyPair(join(dir, 'k'))).rejects.toThrow(/k\.key already exists/);
    await expect(writeKeyPair(join(dir, 'k'), { force: true })).resolves.toMatchObject({ encrypted: false });
  });
});

describe('loading keys', () => {
  it('signs with an encrypted key given its passphrase, and the public key verifies', async () => {
    const dir = await tmp();
    const { keyPath, pubPath, keyid } = await writeKeyPair(join(dir, 'k'), { passphrase: 'pw' });
    const signer = await loadSigner(keyPath, { passphrase: 'pw' });
    const verifier = await loadVerifier(pubPath);
    expect(signer.keyid).toBe(keyid);
    const data = Buffer.from('payload');
    const sig = await signer.sign(data);
    expect(verifier.verify(data, sig)).toBe(true);
    expect(verifier.verify(Buffer.from('payloaD'), sig)).toBe(false);
    expect(verifier.verify(data, Buffer.from('not DER'))).toBe(false);
  });

  it('says why an encrypted key cannot be used, without quoting it', async () => {
    const dir = await tmp();
    const { keyPath } = await writeKeyPair(join(dir, 'k'), { passphrase: 'pw' });
    const keyText = await readFile(keyPath, 'utf8');
    const noPass = (await loadSigner(keyPath).catch((e: unknown) => e)) as Error;
    expect(noPass).toBeInstanceOf(OptionError);
    expect((noPass as OptionError).option).toBe('key');
    expect(noPass.message).toMatch(/encrypted; set BENTOCI_KEY_PASSWORD or pass `passwordEnv: NAME`/);
    // Each front door spells the options in its own words: the CLI as flags, an action as inputs.
    expect((noPass as OptionError).render(CLI_NAMING)).toBe(
      `--key "${keyPath}": the key is encrypted; set BENTOCI_KEY_PASSWORD or pass --password-env NAME`,
    );
    expect((noPass as OptionError).render(actionNaming(['sign-key', 'sign-key-password']))).toBe(
      `input "sign-key" "${keyPath}": the key is encrypted; set BENTOCI_KEY_PASSWORD or pass input "sign-key-password: NAME"`,
    );
    const wrong = (await loadSigner(keyPath, { passphrase: 'nope' }).catch((e: unknown) => e)) as Error;
    expect(wrong.message).toMatch(/cannot decrypt the key \(wrong passphrase\?\)/);
    for (const err of [noPass, wrong])
      expect(err.message).not.toContain(keyText.split('\n')[1]!.slice(0, 20));
  });

  it('reads a PEM from an env var (also with literal \\n, as some CI secrets arrive) and never from a path', async () => {
    const dir = await tmp();
    const { keyPath, pubPath } = await writeKeyPair(join(dir, 'k'));
    const pem = await readFile(keyPath, 'utf8');
    const env = {
      SIGNING_KEY: pem,
      FLAT_KEY: pem.replaceAll('\n', '\\n'),
      PUB: await readFile(pubPath, 'utf8'),
    };
    const a = await loadSigner('env://SIGNING_KEY', { env });
    const b = await loadSigner('env://FLAT_KEY', { env });
    const v = await loadVerifier('env://PUB', env);
    expect(a.keyid).toBe(v.keyid);
    expect(b.keyid).toBe(v.keyid);
    // The caller's own environment map (an action holding a secret's PEM): the env:// spec is the
    // caller's, not something the user typed, so the message names only the option.
    await expect(loadSigner('env://MISSING', { env })).rejects.toThrow(
      /^`key`: the environment variable MISSING is not set/,
    );
    await expect(loadSigner('env://bad-name', { env })).rejects.toThrow(OptionError);
    const notPem = await loadVerifier('env://SIGNING_KEY', env).catch((e: unknown) => e);
    expect(notPem).toBeInstanceOf(OptionError);
    expect((notPem as OptionError).option).toBe('pub');
    expect((notPem as OptionError).render(actionNaming(['verify-key']))).toMatch(
      /^input "verify-key": this is a private key; pass the public key/,
    );
  });

  it('names the env:// spec the user typed when the key comes from the process environment', async () => {
    const name = `BENTOCI_TEST_ABSENT_${process.pid}`;
    const err = (await loadSigner(`env://${name}`).catch((e: unknown) => e)) as OptionError;
    expect(err).toBeInstanceOf(OptionError);
    expect(err.render(CLI_NAMING)).toBe(
      `--key "env://${name}": the environment variable ${name} is not set or empty`,
    );
  });

  it('refuses keys that are not ECDSA P-256, and a private key given as the public key', async () => {
    const dir = await tmp();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    await writeFile(join(dir, 'p384.key'), p384.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(loadSigner(join(dir, 'p384.key'))).rejects.toThrow(
      /EC secp384r1; bentoci and cosign signatures need ECDSA P-256/,
    );
    const ed = generateKeyPairSync('ed25519');
    await writeFile(join(dir, 'ed.pub'), ed.publicKey.export({ type: 'spki', format: 'pem' }));
    await expect(loadVerifier(join(dir, 'ed.pub'))).rejects.toThrow(/ed25519/);
    const { keyPath } = await writeKeyPair(join(dir, 'k'));
    await expect(loadVerifier(keyPath)).rejects.toThrow(/this is a private key/);
    await expect(loadVerifier(join(dir, 'absent.pub'))).rejects.toThrow(/cannot read the file \(ENOENT\)/);
  });

  it('accepts a key made by openssl itself (SEC1 "EC PRIVATE KEY")', async () => {
    const dir = await tmp();
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', join(dir, 'ossl.key')]);
    openssl(['ec', '-in', join(dir, 'ossl.key'), '-pubout', '-out', join(dir, 'ossl.pub')]);
    const signer = await loadSigner(join(dir, 'ossl.key'));
    const verifier = await loadVerifier(join(dir, 'ossl.pub'));
    expect(signer.keyid).toBe(verifier.keyid);
    expect(keyIdOf(verifier.publicKey)).toBe(verifier.keyid);
  });

  it('takes the passphrase from the variable passwordEnv names, or BENTOCI_KEY_PASSWORD', () => {
    expect(passphraseFrom({ BENTOCI_KEY_PASSWORD: 'a' })).toBe('a');
    expect(passphraseFrom({ BENTOCI_KEY_PASSWORD: '' })).toBeUndefined();
    expect(passphraseFrom({ MY_PW: 'b', BENTOCI_KEY_PASSWORD: 'a' }, 'MY_PW')).toBe('b');
    expect(() => passphraseFrom({}, 'MY_PW')).toThrow(
      /^`passwordEnv: MY_PW`: the environment variable is not set/,
    );
    expect(() => passphraseFrom({}, 'my pw')).toThrow(/^invalid `passwordEnv` "my pw"/);
  });
});

describe('passphrase encryption strength', () => {
  /** The PBKDF2 parameters openssl reads out of an encrypted PKCS#8 PEM. */
  function kdfOf(path: string): { iterations: number; prf: string; cipher: string } {
    const lines = openssl(['asn1parse', '-in', path]).toString().split('\n');
    const kdf = lines.findIndex((line) => line.includes(':PBKDF2'));
    expect(kdf, 'the key uses PBES2 with PBKDF2').toBeGreaterThan(-1);
    const after = lines.slice(kdf);
    const integer = after.find((line) => /prim: INTEGER\s+:/.test(line));
    const prf = after.find((line) => /prim: OBJECT\s+:hmacWith/.test(line));
    const cipher = after.find((line) => /prim: OBJECT\s+:aes-/.test(line));
    return {
      iterations: Number.parseInt(integer?.split(':').pop() ?? '0', 16),
      prf: prf?.split(':').pop()?.trim() ?? 'hmacWithSHA1 (default)',
      cipher: cipher?.split(':').pop()?.trim() ?? '',
    };
  }

  it('writes keys with PBKDF2-HMAC-SHA256 at 600,000 iterations and AES-256-CBC, which openssl reads', async () => {
    const dir = await tmp();
    const { keyPath, pubPath } = await writeKeyPair(join(dir, 'strong'), { passphrase: 'pw 600k' });
    expect(kdfOf(keyPath)).toEqual({ iterations: 600_000, prf: 'hmacWithSHA256', cipher: 'aes-256-cbc' });
    const derived = openssl(['pkey', '-in', keyPath, '-passin', 'pass:pw 600k', '-pubout']).toString();
    expect(derived).toBe(await readFile(pubPath, 'utf8'));
  });

  it('still loads keys encrypted the old way (2,048 iterations, by Node or by openssl)', async () => {
    const dir = await tmp();
    // What `bentoci keygen` wrote before: Node's own PKCS#8 export, at OpenSSL's default 2,048 iterations.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const oldKey = join(dir, 'old.key');
    await writeFile(
      oldKey,
      privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'old pw' }),
    );
    expect(kdfOf(oldKey).iterations).toBe(2048);
    const signer = await loadSigner(oldKey, { passphrase: 'old pw' });
    expect(signer.keyid).toBe(keyIdOf(publicKey));

    // And one written by openssl with the old count explicitly.
    const sec1 = join(dir, 'ossl.sec1');
    const pkcs8 = join(dir, 'ossl.key');
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', sec1]);
    openssl([
      'pkcs8',
      '-topk8',
      '-in',
      sec1,
      '-out',
      pkcs8,
      '-v2',
      'aes-256-cbc',
      '-iter',
      '2048',
      '-passout',
      'pass:x',
    ]);
    expect(kdfOf(pkcs8).iterations).toBe(2048);
    await expect(loadSigner(pkcs8, { passphrase: 'x' })).resolves.toMatchObject({
      keyid: expect.any(String),
    });
    await expect(loadSigner(pkcs8, { passphrase: 'y' })).rejects.toThrow(/cannot decrypt the key/);
  });
});

describe('DSSE', () => {
  it('signs the PAE bytes, which openssl verifies over bytes built here from the envelope', async () => {
    const dir = await tmp();
    const { keyPath, pubPath } = await writeKeyPair(join(dir, 'k'));
    const signer = await loadSigner(keyPath);
    const body = Buffer.from('{"hello":"wörld"}'); // multi-byte: lengths are bytes, not characters
    const envelope = await signEnvelope('application/vnd.in-toto+json', body, signer);

    const payload = Buffer.from(envelope.payload, 'base64');
    const type = envelope.payloadType;
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${payload.length} `),
      payload,
    ]);
    await writeFile(join(dir, 'pae.bin'), pae);
    await writeFile(join(dir, 'sig.der'), Buffer.from(envelope.signatures[0]!.sig, 'base64'));
    const out = openssl([
      'dgst',
      '-sha256',
      '-verify',
      pubPath,
      '-signature',
      join(dir, 'sig.der'),
      join(dir, 'pae.bin'),
    ]);
    expect(out.toString()).toContain('Verified OK');
    expect(preAuthEncoding(type, payload).equals(pae)).toBe(true);

    const verifier = await loadVerifier(pubPath);
    expect(verifyEnvelope(envelope, verifier)).toMatchObject({ ok: true });
    // Swapping the payload type breaks the signature: it is inside the PAE.
    expect(verifyEnvelope({ ...envelope, payloadType: 'text/plain' }, verifier)).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    const other = await loadVerifier((await writeKeyPair(join(dir, 'o'))).pubPath);
    expect(verifyEnvelope(envelope, other)).toMatchObject({ ok: false, reason: 'wrong-key' });
  });
});
