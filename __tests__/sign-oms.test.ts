/**
 * OpenSSF Model Signing (OMS v1.0): the reference tool's own signatures (model_signing's
 * scripts/tests vectors, copied into __tests__/fixtures/model-signing with their LICENSE and
 * SOURCE-COMMIT) verify as `model_signing verify key|certificate|sigstore` verifies them; tampered
 * copies fail naming the reason; bentoci's OMS signatures of stored models have the vectors' structure
 * and pass the same code path. Keyless signing uses the local fake Fulcio/Rekor of the keyless tests;
 * the Sigstore vectors verify offline against the trusted root @sigstore/tuf ships.
 * No Python model_signing here (no PyPI), so there is no cross-check with the tool itself.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelStore, saveModel } from '../src/core/model-store.js';
import { attachEntrySignatures, pullEntrySignatures } from '../src/sign/attach.js';
import { sigstoreCheck } from '../src/sign/keyless-verify.js';
import { generateKeyPair, loadSigner } from '../src/sign/keys.js';
import { parseOmsPublicKey } from '../src/sign/oms/ec-keys.js';
import { readEntryOmsBundles, signEntryOms, verifyEntryOms } from '../src/sign/oms/entry.js';
import { rootDigest } from '../src/sign/oms/model-hash.js';
import { seededTrustedRoot } from '../src/sign/oms/seeded-root.js';
import { type OmsTrust, verifyOmsSignature } from '../src/sign/oms/verify.js';
import { parseTrustAnchors } from '../src/sign/oms/x509-chain.js';
import { type SignatureRegistry, sha256Digest } from '../src/sign/registry.js';
import { loadTrustedRoot } from '../src/sign/trusted-root.js';
import { createCa, type FakeSigstore, mintToken, startFakeSigstore } from './support/fake-sigstore.js';
import { cliPath, removeTempDirs } from './support/store-cli.js';

const VECTORS = resolve('__tests__/fixtures/model-signing');
const KEYS = join(VECTORS, 'keys');
const SIGSTORE_IDENTITY = {
  identity: 'stefanb@us.ibm.com',
  issuer: 'https://sigstore.verify.ibm.com/oauth2',
};

let work: string;
let fake: FakeSigstore;
const pem = (file: string) => readFile(join(KEYS, file), 'utf8');
const keyTrust = async (): Promise<OmsTrust> => ({
  method: 'key',
  publicKey: parseOmsPublicKey(await pem('signing-key-pub.pem'), 'signing-key-pub.pem'),
});
const certTrust = async (file = 'ca-cert.pem'): Promise<OmsTrust> => ({
  method: 'certificate',
  anchors: parseTrustAnchors(await pem(file), file),
});
const sigstoreTrust = (policy = SIGSTORE_IDENTITY): OmsTrust => ({
  method: 'sigstore',
  check: sigstoreCheck(policy, { trustedRoot: seededTrustedRoot() }),
});
const trustFor = (folder: string) =>
  folder.endsWith('-elliptic-key')
    ? keyTrust()
    : folder.endsWith('-certificate')
      ? certTrust()
      : sigstoreTrust();
const readSig = async (dir: string) => JSON.parse(await readFile(join(dir, 'model.sig'), 'utf8')) as unknown;

/** As the reference tool's scripts/tests verify each vector: v1.0.1 needs ignore-me passed, v1.1.0 records it. */
function verifyFolder(dir: string, trust: OmsTrust, extraIgnore: string[] = []) {
  return readSig(dir).then((sig) =>
    verifyOmsSignature(dir.endsWith('v1.0.0-elliptic-key') ? join(dir, 'signme-1') : dir, sig, trust, {
      signatureFile: join(dir, 'model.sig'),
      ignorePaths: extraIgnore,
    }),
  );
}

const FOLDERS = [
  'v1.0.0-elliptic-key',
  'v1.0.1-elliptic-key',
  'v1.1.0-elliptic-key',
  'v1.0.0-certificate',
  'v1.0.1-certificate',
  'v1.1.0-certificate',
  'v1.0.1-sigstore',
  'v1.1.0-sigstore',
];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bentoci-oms-'));
  fake = await startFakeSigstore();
});

afterAll(async () => {
  fake?.close();
  await rm(work, { recursive: true, force: true });
  await removeTempDirs();
});

/** A writable copy of a vector folder. */
async function copyOf(folder: string): Promise<string> {
  const dir = join(await mkdtemp(join(work, 'copy-')), folder);
  await cp(join(VECTORS, folder), dir, { recursive: true });
  return dir;
}

describe("the reference tool's signatures", () => {
  it.each(FOLDERS)('%s verifies', async (folder) => {
    const dir = join(VECTORS, folder);
    const result = await verifyFolder(dir, await trustFor(folder), [join(dir, 'ignore-me')]);
    expect(result).toMatchObject({
      ok: true,
      modelName: folder.startsWith('v1.0.0-e') ? 'signme-1' : folder,
    });
  });

  it('records ignore-me from v1.1.0 on; v1.0.1 fails without --ignore-paths, as with model_signing', async () => {
    for (const folder of ['v1.1.0-elliptic-key', 'v1.1.0-certificate', 'v1.1.0-sigstore']) {
      const result = await verifyFolder(join(VECTORS, folder), await trustFor(folder));
      expect(result).toMatchObject({ ok: true });
      expect(result.ok && result.ignorePaths).toContain('ignore-me');
    }
    for (const folder of ['v1.0.1-elliptic-key', 'v1.0.1-certificate', 'v1.0.1-sigstore']) {
      const result = await verifyFolder(join(VECTORS, folder), await trustFor(folder));
      expect(result).toMatchObject({
        ok: false,
        reason: 'changed',
        message: expect.stringMatching(/ignore-me was added after signing$/),
      });
    }
  });

  it.each(FOLDERS)('%s fails after one byte of a signed file flips', async (folder) => {
    const dir = await copyOf(folder);
    const file = join(dir, 'signme-1');
    const bytes = await readFile(file);
    bytes[0] = bytes[0]! ^ 0x01;
    await writeFile(file, bytes);
    const result = await verifyFolder(dir, await trustFor(folder), [join(dir, 'ignore-me')]);
    expect(result).toMatchObject({ ok: false, reason: 'changed' });
    expect(result.ok || result.message).toMatch(
      /(signme-1|\.) changed \(signed sha256 [0-9a-f]{12}…, now [0-9a-f]{12}…\)/,
    );
  });

  it('fails on an added or a missing file, not on a change to an ignored one', async () => {
    const dir = await copyOf('v1.1.0-certificate');
    const trust = await certTrust();
    await writeFile(join(dir, 'ignore-me'), 'anything');
    expect(await verifyFolder(dir, trust)).toMatchObject({ ok: true });
    await writeFile(join(dir, 'extra'), 'x');
    expect(await verifyFolder(dir, trust)).toMatchObject({
      ok: false,
      reason: 'changed',
      message: expect.stringMatching(/extra was added after signing$/),
    });
    await rm(join(dir, 'extra'));
    await rm(join(dir, 'signme-2'));
    expect(await verifyFolder(dir, trust)).toMatchObject({
      ok: false,
      reason: 'changed',
      message: expect.stringMatching(/signme-2 is missing$/),
    });
  });

  it('fails on a changed statement, a wrong key, an untrusted chain and a wrong identity', async () => {
    const dir = await copyOf('v1.1.0-elliptic-key');
    const bundle = (await readSig(dir)) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    statement.predicate.resources[0].digest = 'f'.repeat(64);
    statement.subject[0].digest.sha256 = rootDigest(statement.predicate.resources);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    await writeFile(join(dir, 'model.sig'), JSON.stringify(bundle));
    expect(await verifyFolder(dir, await keyTrust())).toMatchObject({
      ok: false,
      reason: 'bad-signature',
      message: expect.stringMatching(/does not verify \(the statement was altered\)/),
    });

    const other = generateKeyPair();
    const otherKey: OmsTrust = { method: 'key', publicKey: parseOmsPublicKey(other.publicKey, 'other') };
    expect(await verifyFolder(join(VECTORS, 'v1.1.0-elliptic-key'), otherKey)).toMatchObject({
      ok: false,
      reason: 'wrong-key',
      message: expect.stringMatching(/signed by another key \(hint e8450dec4eb9\)/),
    });
    // v1.0.x carry the key itself, not a hint: the signature check is what fails.
    expect(
      await verifyFolder(join(VECTORS, 'v1.0.1-elliptic-key'), otherKey, [
        join(VECTORS, 'v1.0.1-elliptic-key/ignore-me'),
      ]),
    ).toMatchObject({ ok: false, reason: 'wrong-key' });

    const ca = await createCa('another root');
    const stranger: OmsTrust = {
      method: 'certificate',
      anchors: parseTrustAnchors(ca.cert.toString('pem'), 'another'),
    };
    expect(await verifyFolder(join(VECTORS, 'v1.1.0-certificate'), stranger)).toMatchObject({
      ok: false,
      reason: 'untrusted',
      message: expect.stringMatching(/does not lead to a certificate given in --certificate-chain/),
    });
    // The intermediate as the anchor is enough (partial chain); a key signature is no certificate.
    expect(
      await verifyFolder(join(VECTORS, 'v1.1.0-certificate'), await certTrust('int-ca-cert.pem')),
    ).toMatchObject({ ok: true });
    expect(await verifyFolder(join(VECTORS, 'v1.1.0-elliptic-key'), await certTrust())).toMatchObject({
      ok: false,
      reason: 'malformed',
      message: expect.stringMatching(/verify it with --pub/),
    });

    const wrongId = sigstoreTrust({ identity: 'someone@example.com', issuer: SIGSTORE_IDENTITY.issuer });
    expect(await verifyFolder(join(VECTORS, 'v1.1.0-sigstore'), wrongId)).toMatchObject({
      ok: false,
      reason: 'wrong-identity',
    });
    const noRoot: OmsTrust = {
      method: 'sigstore',
      check: sigstoreCheck(SIGSTORE_IDENTITY, { trustedRoot: fake.trustedRoot() as never }),
    };
    expect(await verifyFolder(join(VECTORS, 'v1.1.0-sigstore'), noRoot)).toMatchObject({
      ok: false,
      reason: 'untrusted',
    });
  });

  it('refuses what is not an OMS signature, naming why', async () => {
    const trust = await keyTrust();
    const dir = join(VECTORS, 'v1.1.0-elliptic-key');
    expect(await verifyOmsSignature(dir, { hello: 1 }, trust)).toMatchObject({
      ok: false,
      reason: 'malformed',
      message: expect.stringMatching(/is not a Sigstore bundle with a DSSE envelope/),
    });
    const bundle = (await readSig(dir)) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    statement.subject[0].digest.sha256 = '0'.repeat(64);
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    // The payload is checked only after the signature, so an inconsistent one needs a signature of ours.
    const { privateKey } = generateKeyPair();
    const keyFile = join(work, 'k.pem');
    await writeFile(keyFile, privateKey);
    const signer = await loadSigner(keyFile);
    const { signOmsWithKey } = await import('../src/sign/oms/entry.js');
    const resigned = await signOmsWithKey(statement, signer);
    const ours: OmsTrust = { method: 'key', publicKey: signer.publicKey };
    expect(await verifyOmsSignature(dir, resigned, ours)).toMatchObject({
      ok: false,
      reason: 'malformed',
      message: expect.stringMatching(/subject digest 000000000000 does not cover its resources/),
    });
  });
});

async function savedModel(home: string, tag = 'iris:v1') {
  const src = await mkdtemp(join(work, 'src-'));
  await mkdir(join(src, 'weights'));
  await writeFile(join(src, 'weights', 'model.bin'), Buffer.alloc(4096, 3));
  await writeFile(join(src, 'labels.txt'), 'a\nb\n');
  await writeFile(join(src, 'weights-a'), 'sorts after weights/ by component');
  const store = openModelStore(home);
  return { store, entry: await saveModel(store, { tag, source: src, module: 'files' }) };
}

/** The field names at each level of a bundle and its statement, to compare with the vectors'. */
function shape(bundle: unknown) {
  const at = (o: unknown, ...path: (string | number)[]): unknown =>
    path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], o);
  const keys = (o: unknown) => (o && typeof o === 'object' ? Object.keys(o).sort() : undefined);
  const payload = at(bundle, 'dsseEnvelope', 'payload') as string;
  const statement: unknown = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
  const predicate = at(statement, 'predicate');
  return {
    bundle: keys(bundle),
    material: keys(at(bundle, 'verificationMaterial')),
    publicKey: keys(at(bundle, 'verificationMaterial', 'publicKey')),
    envelope: keys(at(bundle, 'dsseEnvelope')),
    signature: keys(at(bundle, 'dsseEnvelope', 'signatures', 0)),
    mediaType: at(bundle, 'mediaType'),
    payloadType: at(bundle, 'dsseEnvelope', 'payloadType'),
    statement: keys(statement),
    type: at(statement, '_type'),
    predicateType: at(statement, 'predicateType'),
    subjects: (at(statement, 'subject') as unknown[]).length,
    subject: keys(at(statement, 'subject', 0)),
    subjectDigest: keys(at(statement, 'subject', 0, 'digest')),
    predicate: keys(predicate),
    serialization: keys(at(predicate, 'serialization')),
    method: at(predicate, 'serialization', 'method'),
    hashType: at(predicate, 'serialization', 'hash_type'),
    symlinks: at(predicate, 'serialization', 'allow_symlinks'),
    resource: keys(at(predicate, 'resources', 0)),
    algorithm: at(predicate, 'resources', 0, 'algorithm'),
  };
}

describe("bentoci's OMS signatures", () => {
  it('a key signature of a stored model has the structure of the reference key vector and passes its checks', async () => {
    const { store, entry } = await savedModel(join(work, 'h1'));
    const pair = generateKeyPair();
    const keyFile = join(work, 'ours.key');
    await writeFile(keyFile, pair.privateKey);
    const signed = await signEntryOms(store, entry, { signer: await loadSigner(keyFile) });
    expect(signed.path).toBe(join(entry.dir, '.signatures', 'model.sig'));

    const reference = await readSig(join(VECTORS, 'v1.1.0-elliptic-key'));
    expect(shape(signed.bundle)).toEqual(shape(reference));
    const { predicate, subject } = signed.statement;
    expect(predicate.resources.map((r) => r.name)).toEqual(['labels.txt', 'weights/model.bin', 'weights-a']);
    expect(predicate.serialization.ignore_paths).toEqual(['.signatures', 'model.yaml']);
    expect(subject).toEqual([{ name: 'iris:v1', digest: { sha256: rootDigest(predicate.resources) } }]);

    // The same code path that verifies the vectors: the entry's directory as a plain model directory.
    const trust: OmsTrust = { method: 'key', publicKey: parseOmsPublicKey(pair.publicKey, 'ours.pub') };
    const sig = JSON.parse(await readFile(signed.path, 'utf8'));
    expect(await verifyOmsSignature(entry.dir, sig, trust, { signatureFile: signed.path })).toMatchObject({
      ok: true,
      files: 3,
    });
    expect(await verifyEntryOms(store, entry, trust)).toMatchObject({
      ok: true,
      method: 'key',
      file: 'model.sig',
    });

    await writeFile(join(entry.dir, 'weights', 'model.bin'), Buffer.alloc(4096, 4));
    expect(await verifyEntryOms(store, entry, trust)).toMatchObject({
      ok: false,
      reason: 'changed',
      message: expect.stringMatching(/weights\/model\.bin changed/),
    });
  });

  it('keyless: signs through Fulcio and Rekor (local fakes) and verifies against their trusted root', async () => {
    const { store, entry } = await savedModel(join(work, 'h2'));
    const ISSUER = 'https://token.actions.githubusercontent.com';
    const IDENTITY = 'https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main';
    const token = mintToken({
      iss: ISSUER,
      sub: IDENTITY,
      aud: 'sigstore',
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const signed = await signEntryOms(store, entry, {
      keyless: { identityToken: token, fulcioURL: fake.url, rekorURL: fake.url },
    });
    expect(signed.logged).toBe(true);
    const reference = shape(await readSig(join(VECTORS, 'v1.1.0-sigstore')));
    expect({ ...shape(signed.bundle), material: undefined }).toEqual({ ...reference, material: undefined });
    expect(shape(signed.bundle).material).toEqual(expect.arrayContaining(['certificate', 'tlogEntries']));

    const rootFile = join(work, 'root.json');
    await writeFile(rootFile, JSON.stringify(fake.trustedRoot()));
    const trustedRoot = await loadTrustedRoot({ file: rootFile });
    const trust = (identity: string): OmsTrust => ({
      method: 'sigstore',
      check: sigstoreCheck({ identity, issuer: ISSUER }, { trustedRoot, ignoreSct: true }),
    });
    expect(await verifyEntryOms(store, entry, trust(IDENTITY))).toMatchObject({
      ok: true,
      method: 'sigstore',
    });
    expect(await verifyEntryOms(store, entry, trust('https://github.com/evil/x'))).toMatchObject({
      ok: false,
      reason: 'wrong-identity',
    });
  });

  it('travels through push and pull as a Sigstore bundle and verifies after the pull', async () => {
    const { store, entry } = await savedModel(join(work, 'h3'));
    const pair = generateKeyPair();
    const keyFile = join(work, 'push.key');
    await writeFile(keyFile, pair.privateKey);
    await signEntryOms(store, entry, { signer: await loadSigner(keyFile) });
    const registry = memoryRegistry();
    const pushed = Buffer.from(JSON.stringify({ schemaVersion: 2, pushed: 'model' }));
    const digest = sha256Digest(pushed);
    await registry.putManifest('acme/iris', digest, 'application/vnd.oci.image.manifest.v1+json', pushed);
    expect((await attachEntrySignatures(registry, 'acme/iris', digest, entry.dir))?.manifests).toHaveLength(
      1,
    );
    await rm(join(entry.dir, '.signatures'), { recursive: true });
    expect(await pullEntrySignatures(registry, 'acme/iris', digest, entry.dir)).toBe(1);
    expect((await readEntryOmsBundles(entry.dir)).map((b) => b.file)).toEqual([
      expect.stringMatching(/\.sigstore\.json$/),
    ]);
    const trust: OmsTrust = { method: 'key', publicKey: parseOmsPublicKey(pair.publicKey, 'pub') };
    expect(await verifyEntryOms(store, entry, trust)).toMatchObject({ ok: true });
  });
});

describe('bentoci sign --format oms / verify --signature (the CLI as it ships)', () => {
  function bentoci(args: string[], env: Record<string, string> = {}) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [cliPath(), ...args],
        { env: { ...process.env, ...env } },
        (err, stdout, stderr) =>
          done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it("verifies the reference tool's vectors the way model_signing's own tests call it", async () => {
    const v = (f: string) => join(VECTORS, f);
    const key = await bentoci([
      'verify',
      v('v1.0.1-elliptic-key'),
      '--signature',
      v('v1.0.1-elliptic-key/model.sig'),
      '--pub',
      join(KEYS, 'signing-key-pub.pem'),
      '--ignore-paths',
      v('v1.0.1-elliptic-key/ignore-me'),
    ]);
    expect(key).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        /^verified .*v1\.0\.1-elliptic-key: 2 files match .*model\.sig \(OMS v1\.0, signed by key e8450dec4eb9 \(sha256 of its PEM\)\)\n$/,
      ),
    });
    const cert = await bentoci([
      'verify',
      v('v1.1.0-certificate'),
      '--signature',
      v('v1.1.0-certificate/model.sig'),
      '--certificate-chain',
      join(KEYS, 'ca-cert.pem'),
    ]);
    expect(cert).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        /OMS v1\.0, signed by certificate CN=intermediate-ca <- CN=intermediate-ca <- CN=root-ca; ignored as signed: /,
      ),
    });
    const sigstore = await bentoci([
      'verify',
      v('v1.1.0-sigstore'),
      '--signature',
      v('v1.1.0-sigstore/model.sig'),
      '--offline',
      '--certificate-identity',
      SIGSTORE_IDENTITY.identity,
      '--certificate-oidc-issuer',
      SIGSTORE_IDENTITY.issuer,
    ]);
    expect(sigstore).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        /signed by stefanb@us\.ibm\.com \(issuer https:\/\/sigstore\.verify\.ibm\.com\/oauth2, logged in Rekor\)/,
      ),
    });

    const dir = await copyOf('v1.1.0-certificate');
    await writeFile(join(dir, 'signme-2'), 'changed');
    const changed = await bentoci([
      'verify',
      dir,
      '--signature',
      join(dir, 'model.sig'),
      '--certificate-chain',
      join(KEYS, 'ca-cert.pem'),
    ]);
    expect(changed).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^error: .* does not match .*model\.sig: signme-2 changed \(signed sha256 32dcb1f8e1ae…, now [0-9a-f]{12}…\)\n$/,
      ),
    });
    const none = await bentoci(['verify', dir, '--signature', join(dir, 'model.sig')]);
    expect(none).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: OMS verification needs whom to trust: --pub KEY/),
    });
    const stray = await bentoci(['verify', 'iris', '--ignore-paths', 'x']);
    expect(stray).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--ignore-paths is for OMS signatures/),
    });
  }, 120_000);

  it('signs a stored model with --format oms and verifies it as an entry and as a directory', async () => {
    const home = join(work, 'cli-home');
    const { entry } = await savedModel(home);
    const env = { BENTOCI_HOME: home };
    const keys = join(work, 'cli');
    expect((await bentoci(['keygen', '--out', keys], env)).code).toBe(0);
    const sign = await bentoci(['sign', 'iris:v1', '--key', `${keys}.key`, '--format', 'oms'], env);
    expect(sign).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        /^signed model iris:v1 in the OMS v1\.0 format \(3 files, key [0-9a-f]{12}\): .*\.signatures\/model\.sig\n$/,
      ),
    });
    const asEntry = await bentoci(['verify', 'iris:v1', '--format', 'oms', '--pub', `${keys}.pub`], env);
    expect(asEntry).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        /^verified model iris:v1: 3 files match the OMS signature \(signed by key [0-9a-f]{12} \(sha256 of its PEM\)\)\n$/,
      ),
    });
    const asDir = await bentoci(
      [
        'verify',
        entry.dir,
        '--signature',
        join(entry.dir, '.signatures', 'model.sig'),
        '--pub',
        `${keys}.pub`,
        '--json',
      ],
      env,
    );
    expect(asDir.code).toBe(0);
    expect(JSON.parse(asDir.stdout)).toMatchObject({
      ok: true,
      method: 'key',
      files: 3,
      ignorePaths: ['.signatures', 'model.yaml'],
    });
    // The landed format still signs and verifies beside it.
    expect((await bentoci(['sign', 'iris:v1', '--key', `${keys}.key`], env)).code).toBe(0);
    expect((await bentoci(['verify', 'iris:v1', '--pub', `${keys}.pub`], env)).code).toBe(0);
  }, 120_000);
});

/** Just enough of a registry without the referrers API (like distribution 2.8). */
function memoryRegistry(): SignatureRegistry {
  const manifests = new Map<string, { mediaType: string; bytes: Buffer }>();
  const blobs = new Map<string, Buffer>();
  return {
    getManifest: async (repo, ref) => {
      const found = manifests.get(`${repo}@${ref}`);
      return found && { digest: sha256Digest(found.bytes), ...found };
    },
    putManifest: async (repo, ref, mediaType, bytes) => {
      const value = { mediaType, bytes: Buffer.from(bytes) };
      manifests.set(`${repo}@${ref}`, value);
      manifests.set(`${repo}@${sha256Digest(bytes)}`, value);
      return { digest: sha256Digest(bytes), subjectAccepted: false };
    },
    getBlob: async (repo, digest) => blobs.get(`${repo}@${digest}`) ?? Buffer.alloc(0),
    putBlob: async (repo, bytes) => {
      blobs.set(`${repo}@${sha256Digest(bytes)}`, Buffer.from(bytes));
      return sha256Digest(bytes);
    },
    getReferrers: async () => undefined,
  };
}
