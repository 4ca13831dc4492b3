/**
 * Model and bento signatures travel with the entry: through export/import archives, and through a
 * registry as OCI artifacts attached to the pushed manifest (referrers tag fallback on distribution
 * 2.8), read back with skopeo.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { exportEntry } from '../../../../src/core/archive/export.js';
import { importArchive } from '../../../../src/core/archive/import.js';
import { canonicalJson } from '../../../../src/core/digest.js';
import { openModelStore, saveModel } from '../../../../src/core/model-store.js';
import { parseOciUrl } from '../../../../src/oci/index.js';
import { modelArtifact } from '../../../../src/registry/artifact-kinds.js';
import { pullEntry } from '../../../../src/registry/artifact-pull.js';
import { pushEntry } from '../../../../src/registry/artifact-push.js';
import { readEntryEnvelopes } from '../../../../src/sign/entries/envelopes.js';
import { signEntry } from '../../../../src/sign/entries/sign.js';
import { verifyEntry } from '../../../../src/sign/entries/verify.js';
import { loadSigner, loadVerifier, writeKeyPair } from '../../../../src/sign/keys/key-files.js';
import { openSignatureRegistry } from '../../../../src/sign/registry/oci-registry.js';
import {
  attachEntrySignatures,
  fetchEnvelopes,
  pullEntrySignatures,
} from '../../../../src/sign/registry/referrers.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../../support/registry.js';

const tmp = (what: string) => mkdtemp(join(tmpdir(), `bentoci-sign-${what}-`));

async function signedModel(home: string, keyDir: string) {
  const src = await tmp('src');
  await mkdir(join(src, 'weights'));
  await writeFile(join(src, 'weights', 'model.bin'), Buffer.alloc(10_000, 3));
  await writeFile(join(src, 'labels.txt'), 'x\ny\n');
  const store = openModelStore(home);
  // Labels out of sorted order: a pull rewrites model.yaml from key-sorted JSON.
  const entry = await saveModel(store, {
    tag: 'iris:v1',
    source: src,
    module: 'files',
    labels: { zeta: '1', alpha: '2' },
  });
  const { keyPath, pubPath } = await writeKeyPair(join(keyDir, 'k'));
  const signer = await loadSigner(keyPath);
  await signEntry(store, entry, signer);
  return { store, entry, signer, verifier: await loadVerifier(pubPath) };
}

describe('signatures in export archives', () => {
  it('survive export and import, and still catch a change made after import', async () => {
    const { store, entry, verifier } = await signedModel(await tmp('home'), await tmp('keys'));
    const archive = join(await tmp('out'), 'iris.bentomodel');
    await exportEntry(store, 'iris:v1', archive, { log: () => undefined });

    const other = openModelStore(await tmp('home2'));
    const imported = await importArchive(other, archive, { log: () => undefined });
    expect(imported.outcome).toBe('imported');
    expect((await readEntryEnvelopes(imported.entry.dir)).envelopes).toHaveLength(1);
    expect(await verifyEntry(other, imported.entry, verifier)).toMatchObject({
      ok: true,
      statement: { predicate: { tag: 'iris:v1' } },
    });

    await writeFile(join(imported.entry.dir, 'labels.txt'), 'x\nz\n');
    expect(await verifyEntry(other, imported.entry, verifier)).toMatchObject({
      ok: false,
      reason: 'changed',
    });
    expect(entry.info.digest).toBe(imported.entry.info.digest);
  });
});

const skip = missingTool(REGISTRY_BIN, SKOPEO_BIN);

describe.skipIf(skip)(`signatures attached in a registry${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let registry: RegistryFixture;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('attach to the pushed model (referrers tag fallback) and come back with pull, verifying there', async () => {
    const { store, entry, signer, verifier } = await signedModel(await tmp('home'), await tmp('keys'));
    const ref = parseOciUrl(`oci://${registry.host}/models/iris:v1`);
    const pushed = await pushEntry(modelArtifact, store, 'iris:v1', ref, {
      home: await tmp('push-home'),
      insecure: true,
    });

    const sigs = await openSignatureRegistry(ref, { insecure: true }, { push: true });
    try {
      const attached = await attachEntrySignatures(sigs, 'models/iris', pushed.digest, entry.dir);
      expect(attached?.indexedBy).toEqual({ tag: `sha256-${pushed.digest.slice(7)}` });
      // Attaching again changes nothing: the same envelope is the same manifest.
      expect(await attachEntrySignatures(sigs, 'models/iris', pushed.digest, entry.dir)).toEqual(attached);

      // What skopeo sees: an index under the fallback tag, pointing at a manifest whose subject is the model.
      const index = JSON.parse(
        await skopeo([
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${registry.host}/models/iris:sha256-${pushed.digest.slice(7)}`,
        ]),
      );
      expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
      expect(index.manifests).toHaveLength(1);
      expect(index.manifests[0]).toMatchObject({
        artifactType: 'application/vnd.dsse.envelope.v1+json',
        digest: attached!.manifests[0],
      });
      const sigManifest = JSON.parse(
        await skopeo([
          'inspect',
          '--raw',
          '--tls-verify=false',
          `docker://${registry.host}/models/iris@${attached!.manifests[0]}`,
        ]),
      );
      expect(sigManifest.subject).toMatchObject({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: pushed.digest,
      });
      expect(sigManifest.layers[0].mediaType).toBe('application/vnd.dsse.envelope.v1+json');
      expect(sigManifest.layers[0].annotations['in-toto.io/predicate-type']).toBe(
        'https://bentoci.dev/attestation/store-entry/v1',
      );

      // The signed model.yaml subject is the pushed model.yaml layer, as canonical JSON.
      const modelManifest = JSON.parse(
        await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/models/iris:v1`]),
      );
      const fetched = await fetchEnvelopes(sigs, 'models/iris', pushed.digest);
      expect(fetched).toHaveLength(1);
      expect(fetched[0]!.signatures[0]!.keyid).toBe(signer.keyid);
      const statement = JSON.parse(Buffer.from(fetched[0]!.payload, 'base64').toString('utf8'));
      const infoSubject = statement.subject.find((x: { name: string }) => x.name === 'model.yaml');
      const infoLayer = modelManifest.layers.find(
        (l: { annotations: Record<string, string> }) =>
          l.annotations['org.opencontainers.image.title'] === 'model.yaml',
      );
      const infoYaml = await (
        await fetch(`http://${registry.host}/v2/models/iris/blobs/${infoLayer.digest}`)
      ).text();
      expect(infoSubject.digest.sha256).toBe(
        createHash('sha256')
          .update(canonicalJson(YAML.parse(infoYaml)))
          .digest('hex'),
      );

      // Pull into another store, then the signatures: the pulled entry verifies (its model.yaml was
      // rewritten from the config JSON, labels in another order).
      const other = openModelStore(await tmp('pull-home'));
      const pulled = await pullEntry(modelArtifact, other, undefined, ref, {
        home: await tmp('pull-oci'),
        insecure: true,
      });
      const entry2 = await other.get(pulled.tag);
      expect(await verifyEntry(other, entry2, verifier)).toMatchObject({ ok: false, reason: 'unsigned' });
      expect(await pullEntrySignatures(sigs, 'models/iris', pulled.digest, entry2.dir)).toBe(1);
      // Stored under its content digest: a key id from the registry is unverified and names no file.
      expect((await readEntryEnvelopes(entry2.dir)).envelopes.map((e) => e.file)).toEqual([
        expect.stringMatching(/^sha256-[0-9a-f]{64}\.dsse\.json$/),
      ]);
      expect(await verifyEntry(other, entry2, verifier)).toMatchObject({ ok: true });

      // Nothing is attached to another digest.
      const otherDigest = `sha256:${createHash('sha256').update('other').digest('hex')}`;
      expect(await fetchEnvelopes(sigs, 'models/iris', otherDigest)).toEqual([]);
    } finally {
      await sigs.close();
    }
  });
});
