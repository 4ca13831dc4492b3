/**
 * OpenSSF Model Signing (OMS v1.0): the reference tool's own signatures (model_signing's
 * scripts/tests vectors, copied into __tests__/fixtures/model-signing with their LICENSE and
 * SOURCE-COMMIT) verify as `model_signing verify key|certificate|sigstore` verifies them; tampered
 * copies fail naming the reason; bentoci's OMS signatures of stored models have the vectors' structure
 * and pass the same code path. Keyless signing uses the local fake Fulcio/Rekor of the keyless tests;
 * the Sigstore vectors verify offline against the trusted root @sigstore/tuf ships. The CLI is in
 * sign-oms-cli.test.ts. No Python model_signing here (no PyPI), so no cross-check with the tool itself.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelStore, saveModel } from '../../../../src/core/model-store.js';
import { parseOciUrl } from '../../../../src/oci/index.js';
import { sha256Digest } from '../../../../src/oci/manifests.js';
import { modelArtifact } from '../../../../src/registry/artifact-kinds.js';
import { pullEntry } from '../../../../src/registry/artifact-pull.js';
import { pushEntry } from '../../../../src/registry/artifact-push.js';
import { loadTrustedRoot } from '../../../../src/sign/keyless/trusted-root.js';
import { sigstoreCheck } from '../../../../src/sign/keyless/verify.js';
import { generateKeyPair, loadSigner } from '../../../../src/sign/keys/key-files.js';
import { parseOmsPublicKey } from '../../../../src/sign/oms/ec-keys.js';
import {
  readEntryOmsBundles,
  signEntryOms,
  signOmsWithKey,
  verifyEntryOms,
} from '../../../../src/sign/oms/entry.js';
import { rootDigest } from '../../../../src/sign/oms/model-hash.js';
import { seededTrustedRoot } from '../../../../src/sign/oms/seeded-root.js';
import { type OmsTrust, verifyOmsSignature } from '../../../../src/sign/oms/verify.js';
import { parseTrustAnchors } from '../../../../src/sign/oms/x509-chain.js';
import { openSignatureRegistry } from '../../../../src/sign/registry/oci-registry.js';
import { attachEntrySignatures, pullEntrySignatures } from '../../../../src/sign/registry/referrers.js';
import { createCa, type FakeSigstore, mintToken, startFakeSigstore } from '../../../support/fake-sigstore.js';
import {
  copyOf,
  KEYS,
  memoryRegistry,
  SIGSTORE_IDENTITY,
  savedModel,
  shape,
  VECTORS,
} from '../../../support/oms-vectors.js';
import { missingTool, REGISTRY_BIN, type RegistryFixture, startRegistry } from '../../../support/registry.js';

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
});

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
    const dir = await copyOf(work, folder);
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
    const dir = await copyOf(work, 'v1.1.0-certificate');
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
    const dir = await copyOf(work, 'v1.1.0-elliptic-key');
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
      message: expect.stringMatching(/does not lead to a certificate given in `certificateChain`/),
    });
    // The intermediate as the anchor is enough (partial chain); a key signature is no certificate.
    expect(
      await verifyFolder(join(VECTORS, 'v1.1.0-certificate'), await certTrust('int-ca-cert.pem')),
    ).toMatchObject({ ok: true });
    expect(await verifyFolder(join(VECTORS, 'v1.1.0-elliptic-key'), await certTrust())).toMatchObject({
      ok: false,
      reason: 'malformed',
      message: expect.stringMatching(/verify it with `pub`/),
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
    const resigned = await signOmsWithKey(statement, signer);
    const ours: OmsTrust = { method: 'key', publicKey: signer.publicKey };
    expect(await verifyOmsSignature(dir, resigned, ours)).toMatchObject({
      ok: false,
      reason: 'malformed',
      message: expect.stringMatching(/subject digest 000000000000 does not cover its resources/),
    });
  });
});

describe("bentoci's OMS signatures", () => {
  it('a key signature of a stored model has the structure of the reference key vector and passes its checks', async () => {
    const { store, entry } = await savedModel(work, join(work, 'h1'));
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

    const { entry: unsigned } = await savedModel(work, join(work, 'h1'), 'iris:v2');
    expect(await verifyEntryOms(store, unsigned, trust)).toMatchObject({
      ok: false,
      reason: 'unsigned',
      message: expect.stringMatching(
        /^model iris:v2 has no OMS signature .*`sign\(iris:v2, \{ format: oms \}\)`/,
      ),
    });
    await writeFile(join(entry.dir, 'weights', 'model.bin'), Buffer.alloc(4096, 4));
    expect(await verifyEntryOms(store, entry, trust)).toMatchObject({
      ok: false,
      reason: 'changed',
      message: expect.stringMatching(/weights\/model\.bin changed/),
    });
  });

  it('keyless: signs through Fulcio and Rekor (local fakes) and verifies against their trusted root', async () => {
    const { store, entry } = await savedModel(work, join(work, 'h2'));
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
    const { store, entry } = await savedModel(work, join(work, 'h3'));
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

const skip = missingTool(REGISTRY_BIN);

describe.skipIf(skip)(`model.sig through a real registry${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let registry: RegistryFixture;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('push attaches it, pull brings it back, and the pulled model (model.yaml rewritten) verifies', async () => {
    const home = join(work, 'push-home');
    const src = await mkdtemp(join(work, 'push-src-'));
    await writeFile(join(src, 'model.bin'), Buffer.alloc(10_000, 5));
    const store = openModelStore(home);
    // Labels out of sorted order: pull rewrites model.yaml from key-sorted JSON.
    const entry = await saveModel(store, {
      tag: 'iris:v1',
      source: src,
      module: 'files',
      labels: { zeta: '1', alpha: '2' },
    });
    const pair = generateKeyPair();
    await writeFile(join(work, 'reg.key'), pair.privateKey);
    await signEntryOms(store, entry, { signer: await loadSigner(join(work, 'reg.key')) });
    const ref = parseOciUrl(`oci://${registry.host}/models/iris:v1`);
    const pushed = await pushEntry(modelArtifact, store, 'iris:v1', ref, {
      home: join(work, 'push-oci'),
      insecure: true,
    });
    const sigs = await openSignatureRegistry(ref, { insecure: true }, { push: true });
    try {
      const attached = await attachEntrySignatures(sigs, 'models/iris', pushed.digest, entry.dir);
      expect(attached?.manifests).toHaveLength(1);
      const other = openModelStore(join(work, 'pull-home'));
      const pulled = await pullEntry(modelArtifact, other, undefined, ref, {
        home: join(work, 'pull-oci'),
        insecure: true,
      });
      const entry2 = await other.get(pulled.tag);
      expect(await pullEntrySignatures(sigs, 'models/iris', pulled.digest, entry2.dir)).toBe(1);
      const trust: OmsTrust = { method: 'key', publicKey: parseOmsPublicKey(pair.publicKey, 'pub') };
      expect(await verifyEntryOms(other, entry2, trust)).toMatchObject({ ok: true, files: 1 });
    } finally {
      await sigs.close();
    }
  });
});
