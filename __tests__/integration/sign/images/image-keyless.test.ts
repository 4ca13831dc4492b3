/**
 * Keyless image signatures in cosign's layout, against a real registry (distribution 2.8) and a local
 * fake Fulcio/Rekor (see support/fake-sigstore.ts): the `.sig` layer is read back with skopeo and its
 * signature checked with openssl against the certificate it carries, so the layout is proven by
 * independent tools; @sigstore/verify checks chain, log entry and identity. Not exercised here: cosign
 * itself, the real Fulcio/Rekor/TUF (no network), SCTs.
 */
import { execFile as execFileCb } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_NAMING } from '../../../../src/cli/naming.js';
import { OCI_MANIFEST, parseImageReference } from '../../../../src/oci/index.js';
import { signImage } from '../../../../src/sign/images/sign.js';
import { signImageKeyless } from '../../../../src/sign/images/sign-keyless.js';
import { verifyImage } from '../../../../src/sign/images/verify.js';
import { verifyImageKeyless } from '../../../../src/sign/images/verify-keyless.js';
import { loadTrustedRoot } from '../../../../src/sign/keyless/trusted-root.js';
import { loadSigner, loadVerifier, writeKeyPair } from '../../../../src/sign/keys/key-files.js';
import { createCa, type FakeSigstore, mintToken, startFakeSigstore } from '../../../support/fake-sigstore.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../../support/registry.js';
import { pushTestImage, withSignatureRegistry } from '../../../support/test-images.js';

const execFile = promisify(execFileCb);
const skip = missingTool(REGISTRY_BIN, SKOPEO_BIN, '/usr/bin/openssl');
const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const ISSUER = 'https://token.actions.githubusercontent.com';
const IDENTITY = 'https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main';
const policy = { identity: IDENTITY, issuer: ISSUER };

let registry: RegistryFixture;
let fake: FakeSigstore;
let dir: string;
let rootFile: string;
const token = () =>
  mintToken({ iss: ISSUER, sub: IDENTITY, aud: 'sigstore', exp: Math.floor(Date.now() / 1000) + 600 });

const pushImage = (repository: string, tag: string, seed: string) =>
  pushTestImage(registry.host, repository, tag, seed);
const withRegistry = withSignatureRegistry;

const signKeyless = (image: string, tlog = true) =>
  withRegistry(
    image,
    (r) =>
      signImageKeyless(r, parseImageReference(image), {
        identityToken: token(),
        fulcioURL: fake.url,
        rekorURL: fake.url,
        tlog,
      }),
    true,
  );

async function verifyKeyless(image: string, options: { ignoreTlog?: boolean; root?: string } = {}) {
  const trustedRoot = await loadTrustedRoot({ file: options.root ?? rootFile });
  return withRegistry(image, (r) =>
    verifyImageKeyless(r, parseImageReference(image), policy, {
      trustedRoot,
      ignoreSct: true,
      ignoreTlog: options.ignoreTlog ?? false,
    }),
  );
}

async function sigLayers(repository: string, signatureTag: string) {
  const raw = await skopeo([
    'inspect',
    '--raw',
    '--tls-verify=false',
    `docker://${registry.host}/${repository}:${signatureTag}`,
  ]);
  return (JSON.parse(raw) as { layers: { digest: string; annotations: Record<string, string> }[] }).layers;
}

describe.skipIf(skip)(`keyless image signatures${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    registry = await startRegistry();
    fake = await startFakeSigstore();
    dir = await mkdtemp(join(tmpdir(), 'bentoci-sign-image-keyless-'));
    rootFile = join(dir, 'trusted_root.json');
    await writeFile(rootFile, JSON.stringify(fake.trustedRoot()));
  });
  afterAll(async () => {
    await registry?.stop();
    await fake?.close();
  });

  it("writes cosign's keyless layer: skopeo reads it, openssl checks the signature with its certificate", async () => {
    const digest = await pushImage('demo/keyless', '1.0', 'one');
    const image = `${registry.host}/demo/keyless:1.0`;
    const signed = await signKeyless(image);
    expect(signed).toMatchObject({ digest, logged: true, kept: 0 });
    expect(signed.signatureTag).toBe(`sha256-${digest.slice(7)}.sig`);

    const [layer] = await sigLayers('demo/keyless', signed.signatureTag);
    expect(layer!.digest).toBe(sha256(signed.payload));
    const a = layer!.annotations;
    expect(Object.keys(a).sort()).toEqual([
      'dev.cosignproject.cosign/signature',
      'dev.sigstore.cosign/bundle',
      'dev.sigstore.cosign/certificate',
    ]);
    // The certificate names the OIDC identity and chains to the fake Fulcio's CA.
    const cert = new X509Certificate(a['dev.sigstore.cosign/certificate']!);
    expect(cert.subjectAltName).toContain(IDENTITY);
    expect(cert.verify(new X509Certificate(Buffer.from(fake.ca.cert.rawData)).publicKey)).toBe(true);
    // cosign's Rekor bundle: the entry Rekor returned (a hashedrekord of this payload and signature).
    const rekor = JSON.parse(a['dev.sigstore.cosign/bundle']!);
    expect(Object.keys(rekor).sort()).toEqual(['Payload', 'SignedEntryTimestamp']);
    expect(Object.keys(rekor.Payload).sort()).toEqual(['body', 'integratedTime', 'logID', 'logIndex']);
    const body = JSON.parse(Buffer.from(rekor.Payload.body, 'base64').toString());
    expect(body).toMatchObject({ kind: 'hashedrekord', apiVersion: '0.0.1' });
    expect(`sha256:${body.spec.data.hash.value}`).toBe(layer!.digest);
    expect(body.spec.signature.content).toBe(a['dev.cosignproject.cosign/signature']);

    // openssl: the signature over the payload bytes verifies with the certificate's public key.
    await writeFile(join(dir, 'cert.pem'), a['dev.sigstore.cosign/certificate']!);
    await writeFile(join(dir, 'payload'), signed.payload);
    await writeFile(join(dir, 'sig.der'), Buffer.from(a['dev.cosignproject.cosign/signature']!, 'base64'));
    const { stdout: pub } = await execFile('openssl', [
      'x509',
      '-in',
      join(dir, 'cert.pem'),
      '-pubkey',
      '-noout',
    ]);
    await writeFile(join(dir, 'cert-pub.pem'), pub);
    const { stdout } = await execFile('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      join(dir, 'cert-pub.pem'),
      '-signature',
      join(dir, 'sig.der'),
      join(dir, 'payload'),
    ]);
    expect(stdout.trim()).toBe('Verified OK');

    const ok = await verifyKeyless(image);
    expect(ok).toMatchObject({
      ok: true,
      digest,
      signer: { identity: IDENTITY, issuer: ISSUER },
      logged: true,
    });
    // By digest too.
    expect((await verifyKeyless(`${registry.host}/demo/keyless@${digest}`)).ok).toBe(true);
  });

  it('refuses the wrong identity, another CA, an altered log entry and a signature moved to another image', async () => {
    const first = await pushImage('demo/tamper', 'a', 'a');
    const image = `${registry.host}/demo/tamper:a`;
    const signed = await signKeyless(image);

    const trustedRoot = await loadTrustedRoot({ file: rootFile });
    const who = await withRegistry(image, (r) =>
      verifyImageKeyless(
        r,
        parseImageReference(image),
        { ...policy, identity: 'https://github.com/evil/x' },
        {
          trustedRoot,
          ignoreSct: true,
        },
      ),
    );
    expect(who).toMatchObject({ ok: false, reason: 'wrong-identity' });
    expect(!who.ok && who.message).toContain(IDENTITY);

    const otherRoot = join(dir, 'other_root.json');
    await writeFile(otherRoot, JSON.stringify(fake.trustedRoot(await createCa('another ca'))));
    expect(await verifyKeyless(image, { root: otherRoot })).toMatchObject({ ok: false, reason: 'untrusted' });

    // The same .sig manifest under the tag of another image's digest: the payload names the first.
    const second = await pushImage('demo/tamper', 'b', 'b');
    const sig = await withRegistry(image, (r) => r.getManifest('demo/tamper', signed.signatureTag));
    const putSig = (tag: string, bytes: Buffer) =>
      withRegistry(image, (r) => r.putManifest('demo/tamper', tag, OCI_MANIFEST, bytes), true);
    await putSig(`sha256-${second.slice(7)}.sig`, sig!.bytes);
    const moved = await verifyKeyless(`${registry.host}/demo/tamper:b`);
    expect(moved).toMatchObject({ ok: false, reason: 'digest-mismatch' });
    expect(!moved.ok && moved.message).toContain(first);

    // A log entry whose time was changed: its signed entry timestamp no longer verifies.
    const manifest = JSON.parse(sig!.bytes.toString()) as {
      layers: { annotations: Record<string, string> }[];
    };
    const rekor = JSON.parse(manifest.layers[0]!.annotations['dev.sigstore.cosign/bundle']!);
    rekor.Payload.integratedTime -= 60;
    manifest.layers[0]!.annotations['dev.sigstore.cosign/bundle'] = JSON.stringify(rekor);
    await putSig(signed.signatureTag, Buffer.from(JSON.stringify(manifest)));
    const altered = await verifyKeyless(image);
    expect(altered).toMatchObject({ ok: false, reason: 'untrusted' });
    expect(!altered.ok && altered.message).toContain('does not verify against the trusted root');

    // Garbage in the annotation is named, not thrown.
    manifest.layers[0]!.annotations['dev.sigstore.cosign/bundle'] = '{"not": "rekor"}';
    await putSig(signed.signatureTag, Buffer.from(JSON.stringify(manifest)));
    const garbage = await verifyKeyless(image);
    expect(garbage).toMatchObject({ ok: false, reason: 'malformed' });
    expect(!garbage.ok && garbage.message).toContain('dev.sigstore.cosign/bundle');
  });

  it('keeps key-based signatures beside keyless ones; each verifier finds its own', async () => {
    await pushImage('demo/both', '1', 'both');
    const image = `${registry.host}/demo/both:1`;
    const { keyPath, pubPath } = await writeKeyPair(join(dir, 'both'));
    await withRegistry(
      image,
      async (r) => signImage(r, parseImageReference(image), await loadSigner(keyPath)),
      true,
    );
    const none = await verifyKeyless(image);
    expect(none).toMatchObject({ ok: false, reason: 'unsigned' });
    expect(!none.ok && none.message).toContain('1 signed with a key');

    const signed = await signKeyless(image);
    expect(signed.kept).toBe(1);
    expect(await sigLayers('demo/both', signed.signatureTag)).toHaveLength(2);
    expect((await verifyKeyless(image)).ok).toBe(true);
    const verifier = await loadVerifier(pubPath);
    expect((await withRegistry(image, (r) => verifyImage(r, parseImageReference(image), verifier))).ok).toBe(
      true,
    );
  });

  it('a signature not logged in Rekor needs --insecure-ignore-tlog', async () => {
    await pushImage('demo/notlog', '1', 'notlog');
    const image = `${registry.host}/demo/notlog:1`;
    const signed = await signKeyless(image, false);
    expect(signed.logged).toBe(false);
    const [layer] = await sigLayers('demo/notlog', signed.signatureTag);
    expect(layer!.annotations['dev.sigstore.cosign/bundle']).toBeUndefined();
    const refused = await verifyKeyless(image);
    expect(refused).toMatchObject({ ok: false, reason: 'untrusted' });
    expect(!refused.ok && refused.message).toContain('`insecureIgnoreTlog`');
    expect(!refused.ok && refused.text?.render(CLI_NAMING)).toContain('pass --insecure-ignore-tlog');
    expect(await verifyKeyless(image, { ignoreTlog: true })).toMatchObject({ ok: true, logged: false });
  });

  it('bentoci sign IMAGE --keyless and verify IMAGE --certificate-identity (CLI from source)', async () => {
    await pushImage('demo/cli', '1', 'cli');
    const image = `${registry.host}/demo/cli:1`;
    const cli = resolve('src/cli.ts');
    const env: NodeJS.ProcessEnv = { ...process.env, OIDC_TOKEN: token(), BENTOCI_HOME: join(dir, 'home') };
    delete env['ACTIONS_ID_TOKEN_REQUEST_URL'];
    const run = (args: string[]) =>
      execFile(process.execPath, ['--import', 'tsx', cli, ...args], { env }).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (err: { code?: number; stderr?: string }) => ({ code: err.code ?? 1, stderr: err.stderr ?? '' }),
      );
    const sign = await run([
      'sign',
      image,
      '--keyless',
      '--identity-token-env',
      'OIDC_TOKEN',
      '--fulcio-url',
      fake.url,
      '--rekor-url',
      fake.url,
      '--insecure',
    ]);
    expect(sign.stderr).toMatch(/signed .*demo\/cli:1 \(sha256:[0-9a-f]{64}\) keyless as .*logged in Rekor/);
    expect(sign.code).toBe(0);
    const verify = [
      'verify',
      image,
      '--certificate-oidc-issuer',
      ISSUER,
      '--trusted-root',
      rootFile,
      '--insecure-ignore-sct',
      '--insecure',
    ];
    const ok = await run([...verify, '--certificate-identity', IDENTITY]);
    expect(ok.stderr).toContain(`keyless cosign signature of ${IDENTITY}`);
    expect(ok.code).toBe(0);
    const wrong = await run([...verify, '--certificate-identity-regexp', '^https://github\\.com/evil/']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('not by the expected identity /^https://github\\.com/evil//');
  }, 60_000);
});
