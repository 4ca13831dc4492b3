import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/core/errors.js';
import { preAuthEncoding, signEnvelope, verifyEnvelope } from '../src/sign/dsse.js';
import { keyIdOf, loadSigner, loadVerifier, passphraseFrom, writeKeyPair } from '../src/sign/keys.js';

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
    expect(noPass).toBeInstanceOf(UsageError);
    expect(noPass.message).toMatch(/encrypted; set BENTOCI_KEY_PASSWORD or pass --password-env/);
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
    await expect(loadSigner('env://MISSING', { env })).rejects.toThrow(
      /env:\/\/MISSING: the environment variable MISSING is not set/,
    );
    await expect(loadSigner('env://bad-name', { env })).rejects.toThrow(UsageError);
  });

  it('refuses keys that are not ECDSA P-256, and a private key given as --pub', async () => {
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

  it('takes the passphrase from --password-env NAME or BENTOCI_KEY_PASSWORD', () => {
    expect(passphraseFrom({ BENTOCI_KEY_PASSWORD: 'a' })).toBe('a');
    expect(passphraseFrom({ BENTOCI_KEY_PASSWORD: '' })).toBeUndefined();
    expect(passphraseFrom({ MY_PW: 'b', BENTOCI_KEY_PASSWORD: 'a' }, 'MY_PW')).toBe('b');
    expect(() => passphraseFrom({}, 'MY_PW')).toThrow(
      /--password-env MY_PW: the environment variable is not set/,
    );
    expect(() => passphraseFrom({}, 'my pw')).toThrow(/invalid --password-env/);
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
