/**
 * Attestations of an image: its SBOM and provenance are read from the image itself through a real
 * engine. The image is built here on a one-file base from real files: the bento.yaml and
 * Dockerfile where containerize puts them, the runtime's installed packages' package.json files and
 * ONNX Runtime's library from this checkout's node_modules, and this host's dpkg database and
 * os-release (a real Debian package list). Pushed with push-image, attested, the referrers checked
 * with openssl and the SBOM with the CycloneDX library's validator.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import type Docker from 'dockerode';
import * as tar from 'tar-stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestImage } from '../../../src/attest/attest.js';
import { IMAGE_BUILD_TYPE, SLSA_PROVENANCE_V1 } from '../../../src/attest/formats.js';
import { verifyAttestation } from '../../../src/attest/verify.js';
import { parseImageReference, parseOciUrl } from '../../../src/oci/reference.js';
import { pushImage } from '../../../src/registry/image-push.js';
import { loadSigner, loadVerifier, writeKeyPair } from '../../../src/sign/keys/key-files.js';
import { openSignatureRegistry } from '../../../src/sign/registry/oci-registry.js';
import { type DockerFixture, missingDocker, startDocker } from '../../support/docker.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  saveFilesModel,
  saveTestBento,
  startRegistry,
} from '../../support/registry.js';
import { bentoci, removeTempDirs } from '../../support/store-cli.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const skip = missingTool(REGISTRY_BIN, '/usr/bin/openssl') || missingDocker();
const ORT_LIB = `node_modules/onnxruntime-node/bin/napi-v6/linux/${process.arch}/libonnxruntime.so.1`;
const BASE = 'bentoci-attest-base:1';
const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

let registry: RegistryFixture;
let engine: DockerFixture;
let docker: Docker;
let dir: string;
let home: string;
let imageId: string;
let baseId: string;
let dockerfile: string;
let runtimePackages: { name: string; version: string; license?: string }[];

/** The runtime's locked packages that this checkout has installed, with their real package.json. */
function runtimePackageFiles(): { path: string; json: Buffer }[] {
  const lock = JSON.parse(readFileSync(join(REPO, 'runtime/package-lock.json'), 'utf8'));
  return Object.keys(lock.packages)
    .filter((p) => p.startsWith('node_modules/') && existsSync(join(REPO, p, 'package.json')))
    .map((p) => ({ path: p, json: readFileSync(join(REPO, p, 'package.json')) }));
}

function follow(stream: NodeJS.ReadableStream): Promise<{ error?: string }[]> {
  return new Promise((done, fail) =>
    docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) =>
      err ? fail(err) : done(out as never),
    ),
  );
}

/** A one-file base image of our own (the stand-in Node base is 100+ MB to push). */
async function importBase(): Promise<string> {
  const pack = tar.pack();
  pack.entry({ name: 'etc/bentoci-attest-base', mode: 0o644 }, 'base\n');
  pack.finalize();
  await follow(
    await docker.importImage(pack as never, { repo: BASE.split(':')[0], tag: BASE.split(':')[1] }),
  );
  return (await docker.getImage(BASE).inspect()).Id;
}

async function buildTestImage(bentoYaml: Buffer): Promise<string> {
  const pack = tar.pack();
  const add = (name: string, data: Buffer | string) => pack.entry({ name, mode: 0o644 }, data);
  dockerfile = `FROM ${BASE} AS bento\nCOPY rootfs/ /\n`;
  add('Dockerfile', dockerfile);
  add('rootfs/home/bentoci/bento/bento.yaml', bentoYaml);
  add('rootfs/home/bentoci/bento/env/docker/Dockerfile', dockerfile);
  for (const { path, json } of runtimePackageFiles())
    add(`rootfs/opt/bentoci/runtime/${path}/package.json`, json);
  add(`rootfs/opt/bentoci/runtime/${ORT_LIB}`, readFileSync(join(REPO, ORT_LIB)));
  add('rootfs/var/lib/dpkg/status', readFileSync('/var/lib/dpkg/status'));
  add('rootfs/usr/lib/os-release', readFileSync('/usr/lib/os-release'));
  pack.finalize();
  const stream = await docker.buildImage(pack as unknown as NodeJS.ReadableStream, {
    t: 'bentoci-attest-test:1',
    networkmode: 'host',
  });
  const events = await follow(stream);
  const failed = events.find((e) => e.error);
  if (failed) throw new Error(`test image build failed: ${failed.error}`);
  return (await docker.getImage('bentoci-attest-test:1').inspect()).Id;
}

async function httpJson(path: string, accept?: string): Promise<Record<string, any>> {
  const res = await request(`http://${registry.host}${path}`, accept ? { headers: { accept } } : {});
  expect(res.statusCode).toBe(200);
  return JSON.parse(Buffer.from(await res.body.arrayBuffer()).toString('utf8'));
}

describe.skipIf(skip)(`attestations of an image${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    engine = await startDocker();
    docker = engine.docker;
    process.env['DOCKER_HOST'] = engine.host;
    baseId = await importBase();
    registry = await startRegistry();
    dir = await mkdtemp(join(tmpdir(), 'bentoci-attest-image-'));
    home = join(dir, 'home');
    const model = await saveFilesModel(home, 'iris:v1', { 'model.onnx': 'onnx bytes' });
    const bento = await saveTestBento(home, { name: 'svc', version: 'v1' }, model);
    runtimePackages = runtimePackageFiles().map(({ json }) => JSON.parse(json.toString('utf8')));
    imageId = await buildTestImage(readFileSync(join(bento.dir, 'bento.yaml')));
  }, 300_000);
  afterAll(async () => {
    await docker
      ?.getImage('bentoci-attest-test:1')
      .remove({ force: true })
      .catch(() => undefined);
    await docker
      ?.getImage(BASE)
      .remove({ force: true })
      .catch(() => undefined);
    await registry?.stop();
    await engine?.stop();
    await removeTempDirs();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists what the image holds in a valid CycloneDX SBOM and its bases in provenance', {
    timeout: 240_000,
  }, async () => {
    const { keyPath, pubPath } = await writeKeyPair(join(dir, 'k'));
    const signer = await loadSigner(keyPath);
    const verifier = await loadVerifier(pubPath);
    const target = parseOciUrl(`oci://${registry.host}/demo/image:1`);
    const pushed = await pushImage('bentoci-attest-test:1', target, { home, insecure: true, docker });
    const sigs = await openSignatureRegistry(target, { insecure: true }, { push: true });
    const logged: string[] = [];
    try {
      const attestations = await attestImage(sigs, target, pushed.digest, docker, imageId, {
        kinds: ['sbom', 'provenance'],
        signer: { type: 'key', signer },
        startedOn: new Date(),
        env: {},
        log: (line) => logged.push(line),
      });
      expect(attestations.map((a) => a.kind)).toEqual(['sbom', 'provenance']);
    } finally {
      await sigs.close();
    }
    expect(logged.join('\n')).toMatch(/base image bentoci-attest-base:1 \(stage bento\): no registry digest/);

    const ref = parseImageReference(`${registry.host}/demo/image:1`);
    const verify = (kind: 'sbom' | 'provenance') =>
      openSignatureRegistry(ref, { insecure: true }).then((r) =>
        verifyAttestation(r, ref, kind, { type: 'key', verifier }).finally(() => r.close()),
      );
    const sbomResult = await verify('sbom');
    const provenanceResult = await verify('provenance');
    if (!sbomResult.ok || !provenanceResult.ok)
      throw new Error(JSON.stringify([sbomResult, provenanceResult]));

    // Each referrer's DSSE signature verifies with openssl over the PAE bytes.
    for (const manifestDigest of [sbomResult.manifest, provenanceResult.manifest]) {
      const manifest = await httpJson(
        `/v2/demo/image/manifests/${manifestDigest}`,
        'application/vnd.oci.image.manifest.v1+json',
      );
      expect(manifest.subject.digest).toBe(pushed.digest);
      const envelope = (await httpJson(`/v2/demo/image/blobs/${manifest.layers[0].digest}`)).dsseEnvelope;
      const payload = Buffer.from(envelope.payload, 'base64');
      const pae = Buffer.concat([
        Buffer.from(
          `DSSEv1 ${Buffer.byteLength(envelope.payloadType)} ${envelope.payloadType} ${payload.length} `,
        ),
        payload,
      ]);
      writeFileSync(join(dir, 'pae.bin'), pae);
      writeFileSync(join(dir, 'sig.der'), Buffer.from(envelope.signatures[0].sig, 'base64'));
      const run = spawnSync('openssl', [
        'dgst',
        '-sha256',
        '-verify',
        pubPath,
        '-signature',
        join(dir, 'sig.der'),
        join(dir, 'pae.bin'),
      ]);
      expect(run.stdout.toString()).toContain('Verified OK');
    }

    // The SBOM: valid CycloneDX, every runtime package with its version and license, ORT's library by
    // hash, every installed Debian package of the host's list, the OS, the model.
    const bom = sbomResult.statement.predicate as any;
    expect(await new Validation.JsonValidator(Spec.Version.v1dot6).validate(JSON.stringify(bom))).toBeNull();
    const components = bom.components as any[];
    for (const pkg of runtimePackages) {
      const found = components.find(
        (c) => c.purl === `pkg:npm/${pkg.name.replace('@', '%40')}@${pkg.version}`,
      );
      expect(found, pkg.name).toBeDefined();
      if (typeof pkg.license === 'string') expect(JSON.stringify(found.licenses)).toContain(pkg.license);
    }
    const ortVersion = runtimePackages.find((p) => p.name === 'onnxruntime-node')!.version;
    expect(components.find((c) => c.name === 'onnxruntime')).toMatchObject({
      version: ortVersion,
      hashes: [{ alg: 'SHA-256', content: sha256(readFileSync(join(REPO, ORT_LIB))) }],
    });
    const installed = readFileSync('/var/lib/dpkg/status', 'utf8')
      .split(/\n\n+/)
      .filter((p) => /^Status: install ok installed$/m.test(p));
    const debs = components.filter((c) => c.purl?.startsWith('pkg:deb/'));
    expect(debs).toHaveLength(installed.length);
    const osId = /^ID=(.*)$/m.exec(readFileSync('/usr/lib/os-release', 'utf8'))![1]!.replace(/"/g, '');
    expect(components.find((c) => c.type === 'operating-system')?.name).toBe(osId);
    expect(debs[0].purl).toMatch(new RegExp(`^pkg:deb/${osId}/`));
    expect(components.find((c) => c.type === 'machine-learning-model')).toMatchObject({
      name: 'iris',
      version: 'v1',
    });
    expect(bom.metadata.component).toMatchObject({ type: 'container', version: pushed.digest });
    expect(sbomResult.summary).toMatch(
      new RegExp(`${runtimePackages.length} npm, ${installed.length} deb, 1 models`),
    );

    // Provenance: the image build type; the base the image sits on, by the engine's image ID (the
    // stand-in base was never pulled from a registry, so it has no registry digest).
    const predicate = provenanceResult.statement.predicate as any;
    expect(provenanceResult.statement.predicateType).toBe(SLSA_PROVENANCE_V1);
    expect(predicate.buildDefinition.buildType).toBe(IMAGE_BUILD_TYPE);
    expect(predicate.buildDefinition.externalParameters.image).toBe(`${registry.host}/demo/image:1`);
    expect(predicate.buildDefinition.internalParameters.dockerfile).toEqual({
      source: 'stored',
      sha256: sha256(dockerfile),
    });
    expect(predicate.buildDefinition.resolvedDependencies).toContainEqual({
      uri: 'pkg:docker/bentoci-attest-base@1',
      annotations: { stage: 'bento', from: BASE, imageId: baseId },
    });
  });

  it('bentoci push-image --attest sbom --key, as a process', { timeout: 240_000 }, async () => {
    const { keyPath, pubPath } = await writeKeyPair(join(dir, 'cli'));
    const run = await bentoci(
      [
        'push-image',
        'bentoci-attest-test:1',
        '--to',
        `oci://${registry.host}/cli/image:1`,
        '--insecure',
        '--attest',
        'sbom',
        '--key',
        keyPath,
        '--json',
      ],
      { home },
    );
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout.toString('utf8'));
    expect(result.attestations).toEqual([
      expect.objectContaining({ kind: 'sbom', predicateType: 'https://cyclonedx.org/bom' }),
    ]);
    const ref = parseImageReference(`${registry.host}/cli/image:1`);
    const r = await openSignatureRegistry(ref, { insecure: true });
    const verified = await verifyAttestation(r, ref, 'sbom', {
      type: 'key',
      verifier: await loadVerifier(pubPath),
    }).finally(() => r.close());
    expect(verified).toMatchObject({ ok: true, manifest: result.attestations[0].manifest });

    // An image with no bento in it cannot be described: refused before anything is pushed.
    const refused = await bentoci(
      [
        'push-image',
        BASE,
        '--to',
        `oci://${registry.host}/cli/base:1`,
        '--insecure',
        '--attest',
        'sbom',
        '--key',
        keyPath,
      ],
      { home },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /holds no bento\.yaml \(it was not containerized from a bento\): --attest describes images of bentos only/,
    );
    const tags = await request(`http://${registry.host}/v2/cli/base/tags/list`);
    expect(tags.statusCode).toBe(404);
    await tags.body.dump();
  });
});
