/**
 * SLSA provenance and CycloneDX SBOM attestations attached as OCI 1.1 referrers to a pushed bento,
 * against a real registry (distribution 2.8, which has no referrers API: the `sha256-<hex>` tag index
 * is where cosign and oras look there), read back with skopeo and plain HTTP, the DSSE signatures
 * checked with openssl over PAE bytes written by hand, the SBOM validated by the CycloneDX library's
 * own validator, and tampered or misdirected attestations refused. The image side (contents read from
 * a built image through the engine) is in sign-attestations-image.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestBento } from '../../../src/attest/attest.js';
import {
  BENTO_BUILD_TYPE,
  CYCLONEDX_PREDICATE_TYPE,
  LOCAL_BUILDER_ID,
  SLSA_PROVENANCE_V1,
} from '../../../src/attest/formats.js';
import { runContext } from '../../../src/attest/run-context.js';
import { signAttestation } from '../../../src/attest/sign.js';
import type { Statement } from '../../../src/attest/statement.js';
import { statementBytes } from '../../../src/attest/statement.js';
import { verifyAttestation } from '../../../src/attest/verify.js';
import { CLI_NAMING } from '../../../src/cli/naming.js';
import { openBentoStore, type StoredBento } from '../../../src/core/bento-store.js';
import type { UserText } from '../../../src/core/user-text.js';
import { parseImageReference, parseOciUrl } from '../../../src/oci/reference.js';
import { bentoArtifact } from '../../../src/registry/artifact-kinds.js';
import { pushEntry } from '../../../src/registry/artifact-push.js';
import { SIGSTORE_BUNDLE_V03_MEDIA_TYPE } from '../../../src/sign/formats/sigstore-bundle.js';
import { loadTrustedRoot } from '../../../src/sign/keyless/trusted-root.js';
import { loadSigner, loadVerifier, writeKeyPair } from '../../../src/sign/keys/key-files.js';
import type { Signer, Verifier } from '../../../src/sign/keys/signer.js';
import {
  openSignatureRegistry,
  type RepositorySignatureRegistry,
} from '../../../src/sign/registry/oci-registry.js';
import { attachEnvelopes } from '../../../src/sign/registry/referrers.js';
import { mintToken, startFakeSigstore } from '../../support/fake-sigstore.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  saveFilesModel,
  saveTestBento,
  skopeo,
  startRegistry,
} from '../../support/registry.js';
import { bentoci, removeTempDirs } from '../../support/store-cli.js';

const skip = missingTool(REGISTRY_BIN, SKOPEO_BIN, '/usr/bin/openssl');
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

let registry: RegistryFixture;
let dir: string;
let home: string;
let bento: StoredBento;
let key: Awaited<ReturnType<typeof keys>>;

async function keys(
  name: string,
): Promise<{ signer: Signer; verifier: Verifier; keyPath: string; pubPath: string }> {
  const { keyPath, pubPath } = await writeKeyPair(join(dir, name));
  return { signer: await loadSigner(keyPath), verifier: await loadVerifier(pubPath), keyPath, pubPath };
}

async function httpJson(path: string, accept?: string): Promise<Record<string, any>> {
  const res = await request(`http://${registry.host}${path}`, accept ? { headers: { accept } } : {});
  expect(res.statusCode).toBe(200);
  return JSON.parse(Buffer.from(await res.body.arrayBuffer()).toString('utf8'));
}

/** Pushes the test bento to `repository`; returns the manifest digest. */
async function pushBento(repository: string): Promise<string> {
  const ref = parseOciUrl(`oci://${registry.host}/${repository}:v1`);
  return (await pushEntry(bentoArtifact, openBentoStore(home), 'svc:v1', ref, { home, insecure: true }))
    .digest;
}

async function withRegistry<T>(
  repository: string,
  fn: (r: RepositorySignatureRegistry) => Promise<T>,
): Promise<T> {
  const ref = parseImageReference(`${registry.host}/${repository}`);
  const r = await openSignatureRegistry(ref, { insecure: true }, { push: true });
  try {
    return await fn(r);
  } finally {
    await r.close();
  }
}

interface Envelope {
  payload: string;
  payloadType: string;
  signatures: { sig: string; keyid?: string }[];
}

/**
 * openssl's verdict on an envelope's signature: PAE(type, payload) written here by hand from the
 * DSSE spec ("DSSEv1" SP len(type) SP type SP len(payload) SP payload), not by our encoder.
 */
function opensslVerifies(envelope: Envelope, pubPath: string): boolean {
  const payload = Buffer.from(envelope.payload, 'base64');
  const type = Buffer.from(envelope.payloadType);
  const pae = Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
  writeFileSync(join(dir, 'pae.bin'), pae);
  writeFileSync(join(dir, 'sig.der'), Buffer.from(envelope.signatures[0]!.sig, 'base64'));
  const run = spawnSync('openssl', [
    'dgst',
    '-sha256',
    '-verify',
    pubPath,
    '-signature',
    join(dir, 'sig.der'),
    join(dir, 'pae.bin'),
  ]);
  return run.status === 0 && run.stdout.toString().includes('Verified OK');
}

/** The referrers of `digest` in `repository` as the tag scheme lists them, read by skopeo. */
async function referrersIndex(repository: string, digest: string): Promise<Record<string, any>> {
  return JSON.parse(
    await skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${registry.host}/${repository}:sha256-${digest.slice(7)}`,
    ]),
  );
}

/** The bundle a referrer manifest holds, over plain HTTP, after checking the manifest's layout. */
async function bundleOf(
  repository: string,
  manifestDigest: string,
  subject: string,
): Promise<Record<string, any>> {
  const manifest = await httpJson(`/v2/${repository}/manifests/${manifestDigest}`, OCI_MANIFEST);
  expect(manifest.artifactType).toBe(SIGSTORE_BUNDLE_V03_MEDIA_TYPE);
  expect(manifest.config).toMatchObject({ mediaType: 'application/vnd.oci.empty.v1+json', size: 2 });
  expect(manifest.subject.digest).toBe(subject);
  expect(manifest.layers).toHaveLength(1);
  expect(manifest.layers[0].mediaType).toBe(SIGSTORE_BUNDLE_V03_MEDIA_TYPE);
  expect(manifest.annotations['dev.sigstore.bundle.content']).toBe('dsse-envelope');
  return httpJson(`/v2/${repository}/blobs/${manifest.layers[0].digest}`);
}

describe.skipIf(skip)(`attestations as OCI referrers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    registry = await startRegistry();
    dir = await mkdtemp(join(tmpdir(), 'bentoci-attest-'));
    home = join(dir, 'home');
    const model = await saveFilesModel(home, 'iris:v1', {
      'weights.bin': 'w'.repeat(100),
      'model.onnx': 'onnx',
    });
    bento = await saveTestBento(home, { name: 'svc', version: 'v1' }, model);
    key = await keys('attest');
  });
  afterAll(async () => {
    await registry?.stop();
    await removeTempDirs();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('attaches signed provenance and SBOM that skopeo, HTTP, openssl and the CycloneDX validator accept', async () => {
    const digest = await pushBento('demo/svc');
    const ref = parseImageReference(`${registry.host}/demo/svc@${digest}`);
    const attestations = await withRegistry('demo/svc', (r) =>
      attestBento(r, ref, digest, bento.info, {
        kinds: ['provenance', 'sbom'],
        signer: { type: 'key', signer: key.signer },
        startedOn: new Date(Date.now() - 1000),
        env: {},
      }),
    );
    expect(attestations.map((a) => a.kind)).toEqual(['provenance', 'sbom']);
    const tag = `sha256-${digest.slice(7)}`;
    for (const a of attestations) expect(a.indexedBy).toEqual({ tag });

    // The referrers index under the fallback tag lists both, annotated as cosign annotates them.
    const index = await referrersIndex('demo/svc', digest);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    const byType = new Map<string, Record<string, any>>(
      index.manifests.map((m: any) => [m.annotations['dev.sigstore.bundle.predicateType'], m]),
    );
    expect([...byType.keys()].sort()).toEqual([CYCLONEDX_PREDICATE_TYPE, SLSA_PROVENANCE_V1].sort());
    for (const m of byType.values()) {
      expect(m.artifactType).toBe(SIGSTORE_BUNDLE_V03_MEDIA_TYPE);
      expect(m.annotations['dev.sigstore.bundle.content']).toBe('dsse-envelope');
      expect(Number.isNaN(Date.parse(m.annotations['org.opencontainers.image.created']))).toBe(false);
    }

    const statements: Record<string, Statement> = {};
    for (const [type, m] of byType) {
      const bundle = await bundleOf('demo/svc', m.digest, digest);
      expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
      expect(bundle.verificationMaterial.publicKey.hint).toBe(key.signer.keyid);
      const envelope = bundle.dsseEnvelope as Envelope;
      expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
      expect(opensslVerifies(envelope, key.pubPath)).toBe(true);
      statements[type] = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    }

    // SLSA provenance v1: the required fields, our build type, the models by digest, the local builder.
    const provenance = statements[SLSA_PROVENANCE_V1]!;
    expect(provenance._type).toBe('https://in-toto.io/Statement/v1');
    expect(provenance.subject).toEqual([
      { name: `${registry.host}/demo/svc`, digest: { sha256: digest.slice(7) } },
    ]);
    const predicate = provenance.predicate as any;
    expect(predicate.buildDefinition.buildType).toBe(BENTO_BUILD_TYPE);
    expect(predicate.buildDefinition.externalParameters.bento).toMatchObject({
      name: 'svc',
      version: 'v1',
      models: ['iris:v1'],
      service: { name: 'svc', apis: [] },
    });
    const model = bento.info.models[0]!;
    expect(predicate.buildDefinition.resolvedDependencies).toContainEqual(
      expect.objectContaining({ name: 'iris:v1', digest: { sha256: model.digest.slice(7) } }),
    );
    expect(predicate.runDetails.builder.id).toBe(LOCAL_BUILDER_ID);
    const { startedOn, finishedOn, invocationId } = predicate.runDetails.metadata;
    expect(invocationId).toMatch(/^urn:uuid:/);
    expect(Date.parse(startedOn)).toBeLessThanOrEqual(Date.parse(finishedOn));

    // CycloneDX: valid by the library's own validator; the model with its digest as SHA-256.
    const sbom = statements[CYCLONEDX_PREDICATE_TYPE]!.predicate as any;
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(sbom.specVersion).toBe('1.6');
    expect(await new Validation.JsonValidator(Spec.Version.v1dot6).validate(JSON.stringify(sbom))).toBeNull();
    expect(sbom.components).toContainEqual(
      expect.objectContaining({
        type: 'machine-learning-model',
        name: 'iris',
        version: 'v1',
        hashes: [{ alg: 'SHA-256', content: model.digest.slice(7) }],
      }),
    );
    expect(sbom.metadata.component.version).toBe(digest);

    // Our verification finds and accepts both, by tag and by digest.
    for (const kind of ['provenance', 'sbom'] as const) {
      for (const text of [`${registry.host}/demo/svc:v1`, `${registry.host}/demo/svc@${digest}`]) {
        const result = await withRegistry('demo/svc', (r) =>
          verifyAttestation(r, parseImageReference(text), kind, { type: 'key', verifier: key.verifier }),
        );
        expect(result).toMatchObject({ ok: true, kind, digest });
      }
    }
    // Another key: refused.
    const other = await keys('other');
    const wrong = await withRegistry('demo/svc', (r) =>
      verifyAttestation(r, ref, 'sbom', { type: 'key', verifier: other.verifier }),
    );
    expect(wrong).toMatchObject({ ok: false, reason: 'wrong-key' });
    // The option is a key for a library caller, and the CLI spells it as its flag.
    expect((wrong as { message: string }).message).toMatch(/is not signed by the key in `pub`$/);
    expect((wrong as { text?: UserText }).text?.render(CLI_NAMING)).toMatch(
      /is not signed by the key in --pub$/,
    );
  });

  it('refuses a tampered envelope (openssl agrees) and a statement about another digest', async () => {
    const digest = await pushBento('demo/tampered');
    const ref = parseImageReference(`${registry.host}/demo/tampered@${digest}`);
    const statement: Statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: `${registry.host}/demo/tampered`, digest: { sha256: digest.slice(7) } }],
      predicateType: SLSA_PROVENANCE_V1,
      predicate: {
        buildDefinition: { buildType: BENTO_BUILD_TYPE, externalParameters: {} },
        runDetails: { builder: { id: LOCAL_BUILDER_ID } },
      },
    };
    const bundle = await signAttestation(statementBytes(statement), { type: 'key', signer: key.signer });
    const envelope = bundle['dsseEnvelope'] as Envelope;
    expect(opensslVerifies(envelope, key.pubPath)).toBe(true);
    // One byte of the statement changed after signing: another builder.
    const altered = Buffer.from(envelope.payload, 'base64')
      .toString('utf8')
      .replace('builders/local', 'builders/lokal');
    const tampered = {
      ...bundle,
      dsseEnvelope: { ...envelope, payload: Buffer.from(altered).toString('base64') },
    };
    expect(opensslVerifies(tampered.dsseEnvelope, key.pubPath)).toBe(false);

    const attach = (envelope: typeof bundle) =>
      withRegistry('demo/tampered', async (r) => {
        const found = await r.getManifest('demo/tampered', digest);
        return attachEnvelopes(
          r,
          'demo/tampered',
          { mediaType: found!.mediaType, digest, size: found!.bytes.length },
          [
            {
              envelope,
              mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
              annotations: { 'dev.sigstore.bundle.predicateType': SLSA_PROVENANCE_V1 },
            },
          ],
        );
      });
    await attach(tampered);
    const result = await withRegistry('demo/tampered', (r) =>
      verifyAttestation(r, ref, 'provenance', { type: 'key', verifier: key.verifier }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'wrong-key' });
    expect((result as { message: string }).message).toMatch(
      /does not verify \(the attestation was altered\)/,
    );

    // Validly signed, but about another image: attached here it must not count.
    const elsewhere = await signAttestation(
      statementBytes({ ...statement, subject: [{ name: 'x/y', digest: { sha256: 'a'.repeat(64) } }] }),
      { type: 'key', signer: key.signer },
    );
    await attach(elsewhere);
    const misdirected = await withRegistry('demo/tampered', (r) =>
      verifyAttestation(r, ref, 'provenance', { type: 'key', verifier: key.verifier }),
    );
    expect(misdirected).toMatchObject({ ok: false, reason: 'digest-mismatch' });

    // No SBOM among them: none to find.
    const noSbom = await withRegistry('demo/tampered', (r) =>
      verifyAttestation(r, ref, 'sbom', { type: 'key', verifier: key.verifier }),
    );
    expect(noSbom).toMatchObject({ ok: false, reason: 'unsigned' });
  });

  it('refuses signed provenance that lacks SLSA v1 required fields', async () => {
    const digest = await pushBento('demo/invalid');
    const ref = parseImageReference(`${registry.host}/demo/invalid@${digest}`);
    const statement: Statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: `${registry.host}/demo/invalid`, digest: { sha256: digest.slice(7) } }],
      predicateType: SLSA_PROVENANCE_V1,
      // No runDetails.builder.id.
      predicate: { buildDefinition: { buildType: BENTO_BUILD_TYPE, externalParameters: {} }, runDetails: {} },
    };
    const bundle = await signAttestation(statementBytes(statement), { type: 'key', signer: key.signer });
    await withRegistry('demo/invalid', async (r) => {
      const found = await r.getManifest('demo/invalid', digest);
      await attachEnvelopes(
        r,
        'demo/invalid',
        { mediaType: found!.mediaType, digest, size: found!.bytes.length },
        [{ envelope: bundle, mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE }],
      );
    });
    const result = await withRegistry('demo/invalid', (r) =>
      verifyAttestation(r, ref, 'provenance', { type: 'key', verifier: key.verifier }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    expect((result as { message: string }).message).toMatch(/not SLSA provenance v1: runDetails\.builder/);
  });

  it("docs/signing.md's by-hand check of an attestation bundle works as written", async () => {
    const doc = readFileSync('docs/signing.md', 'utf8');
    const at = doc.indexOf('Check one by hand');
    expect(at).toBeGreaterThan(-1);
    const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(at))![1]!;
    const work = await mkdtemp(join(dir, 'by-hand-'));
    const statement: Statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'x/y', digest: { sha256: 'b'.repeat(64) } }],
      predicateType: SLSA_PROVENANCE_V1,
      predicate: { buildDefinition: { buildType: BENTO_BUILD_TYPE, externalParameters: { é: 'ü' } } },
    };
    const bundle = await signAttestation(statementBytes(statement), { type: 'key', signer: key.signer });
    writeFileSync(join(work, 'bundle.json'), JSON.stringify(bundle));
    copyFileSync(key.pubPath, join(work, 'cosign.pub'));
    const good = spawnSync('bash', ['-euo', 'pipefail', '-c', block], { cwd: work });
    expect(good.stdout.toString() + good.stderr.toString()).toContain('Verified OK');
    expect(good.status).toBe(0);
    // The same block refuses a bundle whose statement changed after signing.
    const envelope = bundle['dsseEnvelope'] as Envelope;
    const altered = Buffer.from(
      Buffer.from(envelope.payload, 'base64').toString('utf8').replace('x/y', 'x/z'),
    );
    writeFileSync(
      join(work, 'bundle.json'),
      JSON.stringify({ ...bundle, dsseEnvelope: { ...envelope, payload: altered.toString('base64') } }),
    );
    const bad = spawnSync('bash', ['-euo', 'pipefail', '-c', block], { cwd: work });
    expect(bad.status).not.toBe(0);
  });

  it('keyless: a Fulcio certificate and Rekor entry (local fake Sigstore); identity checked, openssl agrees', async () => {
    const fake = await startFakeSigstore();
    try {
      const digest = await pushBento('demo/keyless');
      const ref = parseImageReference(`${registry.host}/demo/keyless@${digest}`);
      const identity = 'https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main';
      const issuer = 'https://token.actions.githubusercontent.com';
      const identityToken = mintToken({
        iss: issuer,
        sub: identity,
        aud: 'sigstore',
        exp: Math.floor(Date.now() / 1000) + 600,
      });
      const attestations = await withRegistry('demo/keyless', (r) =>
        attestBento(r, ref, digest, bento.info, {
          kinds: ['provenance'],
          signer: { type: 'keyless', options: { identityToken, fulcioURL: fake.url, rekorURL: fake.url } },
          startedOn: new Date(),
          env: {},
        }),
      );
      expect(fake.requests).toMatchObject({ fulcio: 1, rekor: 1 });
      const rootFile = join(dir, 'trusted-root.json');
      writeFileSync(rootFile, JSON.stringify(fake.trustedRoot()));
      const trustedRoot = await loadTrustedRoot({ file: rootFile });
      const verify = (policy: { identity: string; issuer: string }) =>
        withRegistry('demo/keyless', (r) =>
          verifyAttestation(r, ref, 'provenance', {
            type: 'keyless',
            trust: { identity: policy, options: { trustedRoot, ignoreSct: true, ignoreTlog: false } },
          }),
        );
      expect(await verify({ identity, issuer })).toMatchObject({
        ok: true,
        manifest: attestations[0]!.manifest,
        signer: `${identity} (issuer ${issuer})`,
      });
      expect(
        await verify({ identity: 'https://github.com/evil/fork/x.yml@refs/heads/main', issuer }),
      ).toMatchObject({
        ok: false,
        reason: 'wrong-identity',
      });
      // A key-based check of a keyless attestation: not by that key.
      expect(
        await withRegistry('demo/keyless', (r) =>
          verifyAttestation(r, ref, 'provenance', { type: 'key', verifier: key.verifier }),
        ),
      ).toMatchObject({ ok: false, reason: 'wrong-key' });

      // openssl checks the DSSE signature with the public key of the bundle's certificate.
      const bundle = await bundleOf('demo/keyless', attestations[0]!.manifest, digest);
      const cert = new X509Certificate(
        Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64'),
      );
      const certPub = join(dir, 'cert-pub.pem');
      writeFileSync(certPub, cert.publicKey.export({ type: 'spki', format: 'pem' }));
      expect(cert.subjectAltName).toContain(identity);
      expect(bundle.verificationMaterial.tlogEntries).toHaveLength(1);
      expect(opensslVerifies(bundle.dsseEnvelope as Envelope, certPub)).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('names the GitHub workflow as the builder when run in Actions', async () => {
    const run = await runContext('2026-01-01T00:00:00Z', {
      env: {
        GITHUB_ACTIONS: 'true',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'acme/models',
        GITHUB_WORKFLOW_REF: 'acme/models/.github/workflows/release.yml@refs/tags/v1.2.0',
        GITHUB_REF: 'refs/tags/v1.2.0',
        GITHUB_SHA: 'f'.repeat(40),
        GITHUB_RUN_ID: '4242',
        GITHUB_RUN_ATTEMPT: '2',
      },
    });
    expect(run.builderId).toBe(
      'https://github.com/acme/models/.github/workflows/release.yml@refs/tags/v1.2.0',
    );
    expect(run.workflow).toEqual({
      repository: 'https://github.com/acme/models',
      ref: 'refs/tags/v1.2.0',
      path: '.github/workflows/release.yml',
    });
    expect(run.invocationId).toBe('https://github.com/acme/models/actions/runs/4242/attempts/2');
    expect(run.source).toEqual({
      uri: 'git+https://github.com/acme/models@refs/tags/v1.2.0',
      digest: { gitCommit: 'f'.repeat(40) },
    });
  });

  it('bentoci push --attest and bentoci verify --attestation, as processes', async () => {
    const to = `oci://${registry.host}/cli/svc:v1`;
    const pushed = await bentoci(
      [
        'push',
        'svc:v1',
        '--to',
        to,
        '--insecure',
        '--attest',
        'provenance,sbom',
        '--key',
        key.keyPath,
        '--json',
      ],
      { home },
    );
    expect(pushed.stderr).not.toMatch(/error/);
    expect(pushed.code).toBe(0);
    const result = JSON.parse(pushed.stdout.toString('utf8'));
    expect(result.attestations.map((a: { kind: string }) => a.kind)).toEqual(['provenance', 'sbom']);

    for (const kind of ['provenance', 'sbom']) {
      const verified = await bentoci(
        ['verify', `${registry.host}/cli/svc:v1`, '--insecure', '--attestation', kind, '--pub', key.pubPath],
        { home },
      );
      expect(verified.stderr).toMatch(new RegExp(`verified ${kind} attestation of`));
      expect(verified.code).toBe(0);
    }
    const summary = await bentoci(
      ['verify', `${registry.host}/cli/svc:v1`, '--insecure', '--attestation', 'sbom', '--pub', key.pubPath],
      { home },
    );
    expect(summary.stderr).toMatch(/CycloneDX 1\.6 SBOM: 1 components \(0 npm, 0 deb, 1 models\)/);

    const other = await keys('cli-other');
    const refused = await bentoci(
      [
        'verify',
        `${registry.host}/cli/svc:v1`,
        '--insecure',
        '--attestation',
        'provenance',
        '--pub',
        other.pubPath,
      ],
      { home },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not signed by the key in --pub/);

    const usage = await bentoci(['push', 'svc:v1', '--to', to, '--insecure', '--attest', 'sbom'], { home });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--attest needs a signer: --key .*or --keyless/);
    const unknown = await bentoci(
      ['push', 'svc:v1', '--to', to, '--insecure', '--attest', 'vex', '--key', key.keyPath],
      { home },
    );
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/invalid --attest:? "vex"/);
  });
});
