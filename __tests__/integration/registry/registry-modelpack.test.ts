/**
 * Models as CNCF ModelPack artifacts and bentos with every file titled, against a real registry:
 * the manifest and config follow the spec (config checked with the spec's own JSON Schema, read from
 * ../shared/interop/modelpack/), an ORAS-style pull by titles writes the whole entry, bentoci's pull
 * gives back the same bytes, and pull still reads the landed bentoci layout and the older `vnd.cnai`
 * names of ModelPack.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { openBentoStore } from '../../../src/core/bento-store.js';
import { openModelStore, saveModel } from '../../../src/core/model-store.js';
import type { EntryInfo, StoredEntry } from '../../../src/core/store.js';
import { openRepository, parseOciUrl } from '../../../src/oci/index.js';
import { bentoArtifact, modelArtifact } from '../../../src/registry/artifact-kinds.js';
import { planArtifact } from '../../../src/registry/artifact-layout.js';
import { pullEntry } from '../../../src/registry/artifact-pull.js';
import { pushEntry } from '../../../src/registry/artifact-push.js';
import { pushLegacyArtifact } from '../../support/legacy-artifact.js';
import { mlpModel } from '../../support/onnx-fixture.js';
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

const SPEC_DIR = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'interop', 'modelpack');
const MiB = 1024 * 1024;
const missing = missingTool(REGISTRY_BIN, SKOPEO_BIN);

type Layer = { mediaType: string; digest: string; size: number; annotations?: Record<string, string> };
type Manifest = {
  schemaVersion: number;
  mediaType: string;
  artifactType: string;
  config: Layer;
  layers: Layer[];
  annotations: Record<string, string>;
};

/** The layer media types spec.md lists (implementations SHOULD support these). */
const SPEC_LAYER_TYPES = ['weight', 'weight.config', 'doc', 'code', 'dataset'].flatMap((kind) =>
  ['raw', 'tar', 'tar+gzip', 'tar+zstd'].map((form) => `application/vnd.cncf.model.${kind}.v1.${form}`),
);

async function validatorOfSpec() {
  const schema = JSON.parse(await readFile(join(SPEC_DIR, 'config-schema.json'), 'utf8'));
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const addFormats = (formats as unknown as { default?: typeof formats }).default ?? formats;
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  return ajv.compile(schema);
}

/** Every file under `dir` but .signatures/, path -> bytes. */
async function filesUnder(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name));
    if (path.startsWith('.signatures')) continue;
    out.set(path, await readFile(join(dir, path)));
  }
  return out;
}

/**
 * What `oras pull` does: fetch the manifest, write each titled layer's blob under its title; an
 * untitled layer is skipped (oras skips it too). Plain HTTP against the registry, no bentoci code.
 */
async function orasStylePull(host: string, repository: string, tag: string, into: string) {
  const base = `http://${host}/v2/${repository}`;
  const reply = await fetch(`${base}/manifests/${tag}`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  expect(reply.status).toBe(200);
  const manifest = (await reply.json()) as Manifest;
  for (const layer of manifest.layers) {
    const title = layer.annotations?.['org.opencontainers.image.title'];
    if (!title) continue;
    const bytes = Buffer.from(await (await fetch(`${base}/blobs/${layer.digest}`)).arrayBuffer());
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(layer.digest);
    await mkdir(dirname(join(into, title)), { recursive: true });
    await writeFile(join(into, title), bytes);
  }
  return manifest;
}

describe.skipIf(missing)('models as CNCF ModelPack artifacts, bentos with every file titled', () => {
  let registry: RegistryFixture;
  let work: string;
  let home: string;
  let onnx: StoredEntry<EntryInfo>;
  const options = (h: string) => ({ home: h, insecure: true });
  const weights = randomBytes(2 * MiB);

  beforeAll(async () => {
    registry = await startRegistry();
    work = await mkdtemp(join(tmpdir(), 'bentoci-modelpack-'));
    home = join(work, 'home');
    const source = join(work, 'src');
    await mkdir(join(source, 'tokenizer'), { recursive: true });
    await writeFile(join(source, 'classifier.onnx'), mlpModel({ layers: [4, 8, 3] }));
    await writeFile(join(source, 'classifier.onnx.data'), weights);
    await writeFile(join(source, 'README.md'), '# classifier\n');
    await writeFile(join(source, 'tokenizer', 'vocab.json'), '{"a":1}');
    await writeFile(join(source, 'preprocess.py'), 'print(1)\n');
    await writeFile(join(source, 'calibration.csv'), 'x\n1\n');
    await writeFile(join(source, 'opaque'), 'no extension');
    onnx = await saveModel(openModelStore(home), {
      tag: 'classifier:v1',
      source,
      labels: { stage: 'dev', 'a.team': 'ml' }, // not in key order: the pulled model.yaml keeps it
    });
  });
  afterAll(async () => {
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('pushes a model whose manifest and config follow the ModelPack spec and its schema', async () => {
    const pushed = await pushEntry(
      modelArtifact,
      openModelStore(home),
      'classifier:v1',
      parseOciUrl(`${registry.url}/models/classifier`),
      options(home),
    );
    const repo = await openRepository(`${registry.url}/models/classifier`, { insecure: true });
    try {
      const fetched = await repo.getManifest(pushed.digest);
      const manifest = JSON.parse(fetched.bytes.toString('utf8')) as Manifest;
      expect(manifest.schemaVersion).toBe(2);
      expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(manifest.artifactType).toBe('application/vnd.cncf.model.manifest.v1+json');
      expect(manifest.config.mediaType).toBe('application/vnd.cncf.model.config.v1+json');

      const config = JSON.parse((await repo.fetchBlob(manifest.config.digest)).toString('utf8'));
      const validate = await validatorOfSpec();
      expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
      expect(config.descriptor).toEqual({
        name: 'classifier',
        version: 'v1',
        createdAt: onnx.info.creation_time,
      });
      expect(config.config).toEqual({ format: 'onnx' });
      // Raw layers are uncompressed: the diff id of each is its digest, in layer order.
      expect(config.modelfs).toEqual({ type: 'layers', diffIds: manifest.layers.map((l) => l.digest) });

      const kinds = Object.fromEntries(
        manifest.layers.map((l) => [l.annotations?.['org.opencontainers.image.title'], l.mediaType]),
      );
      expect(kinds).toEqual({
        'model.yaml': 'application/vnd.cncf.model.weight.config.v1.raw',
        'README.md': 'application/vnd.cncf.model.doc.v1.raw',
        'calibration.csv': 'application/vnd.cncf.model.dataset.v1.raw',
        'classifier.onnx': 'application/vnd.cncf.model.weight.v1.raw',
        'classifier.onnx.data': 'application/vnd.cncf.model.weight.v1.raw',
        opaque: 'application/vnd.cncf.model.weight.config.v1.raw',
        'preprocess.py': 'application/vnd.cncf.model.code.v1.raw',
        'tokenizer/vocab.json': 'application/vnd.cncf.model.weight.config.v1.raw',
      });
      for (const layer of manifest.layers) {
        expect(SPEC_LAYER_TYPES).toContain(layer.mediaType);
        const path = layer.annotations!['org.opencontainers.image.title']!;
        expect(layer.annotations!['org.cncf.model.filepath']).toBe(path);
        const metadata = JSON.parse(layer.annotations!['org.cncf.model.file.metadata+json']!);
        expect(metadata).toEqual({
          name: path.split('/').at(-1),
          mode: 0o644,
          uid: 0,
          gid: 0,
          size: layer.size,
          mtime: onnx.info.creation_time,
          typeflag: 48,
        });
        // Only a kind guessed from no name pattern is flagged as untested.
        expect(layer.annotations!['org.cncf.model.file.mediatype.untested']).toBe(
          path === 'opaque' ? 'true' : undefined,
        );
        const file = onnx.info.files.find((f) => f.path === path);
        if (file) expect(layer.digest).toBe(`sha256:${file.sha256}`);
      }
      expect(manifest.annotations).toMatchObject({
        'org.opencontainers.image.created': onnx.info.creation_time,
        'org.opencontainers.image.title': 'classifier',
        'org.opencontainers.image.version': 'v1',
        'dev.bentoci.kind': 'model',
        'dev.bentoci.tag': 'classifier:v1',
        'dev.bentoci.content-digest': onnx.info.digest,
        'dev.bentoci.label.stage': 'dev',
        'dev.bentoci.label.a.team': 'ml',
      });
    } finally {
      await repo.close();
    }
    // skopeo, an independent client, reads the manifest and the config (its plain `inspect` refuses
    // every artifact: it only summarises images).
    const reference = `docker://${registry.host}/models/classifier:v1`;
    const raw = await skopeo(['inspect', '--tls-verify=false', '--raw', reference]);
    expect(createHash('sha256').update(raw).digest('hex')).toBe(pushed.digest.slice(7));
    const config = JSON.parse(
      await skopeo(['inspect', '--tls-verify=false', '--config', '--raw', reference]),
    );
    expect((await validatorOfSpec())(config)).toBe(true);
  });

  it('the spec schema refuses a config that breaks it (the validator is not a pass-through)', async () => {
    const validate = await validatorOfSpec();
    const good = {
      descriptor: { name: 'x' },
      config: {},
      modelfs: { type: 'layers', diffIds: ['sha256:0'] },
    };
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, modelfs: { type: 'layers', diffIds: [] } })).toBe(false);
    expect(validate({ ...good, extra: 1 })).toBe(false);
    expect(validate({ ...good, descriptor: { createdAt: 'yesterday' } })).toBe(false);
  });

  it('an ORAS-style pull by titles writes every file of the model, model.yaml included', async () => {
    const into = join(work, 'oras-model');
    await orasStylePull(registry.host, 'models/classifier', 'v1', into);
    const pulled = await filesUnder(into);
    const stored = await filesUnder(onnx.dir);
    expect([...pulled.keys()].sort()).toEqual([...stored.keys()].sort());
    for (const [path, bytes] of stored) expect(pulled.get(path)!.equals(bytes), path).toBe(true);
  });

  it('bentoci pull gives back the same entry, byte for byte, and verifies it', async () => {
    const other = join(work, 'pull-home');
    const pulled = await pullEntry(
      modelArtifact,
      openModelStore(other),
      undefined,
      parseOciUrl(`${registry.url}/models/classifier:v1`),
      options(other),
    );
    expect(pulled).toMatchObject({ tag: 'classifier:v1', contentDigest: onnx.info.digest, unchanged: false });
    const copy = await openModelStore(other).get('classifier:v1');
    expect(await openModelStore(other).verify(copy)).toEqual([]);
    const a = await filesUnder(onnx.dir);
    const b = await filesUnder(copy.dir);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [path, bytes] of a) expect(b.get(path)!.equals(bytes), path).toBe(true);
  });

  it('gives the same manifest digest for the same entry, from another store and in another repository', async () => {
    const copyHome = join(work, 'copy-home');
    await cp(join(home, 'models'), join(copyHome, 'models'), { recursive: true });
    const copy = await openModelStore(copyHome).get('classifier:v1');
    const [first, second] = [
      await planArtifact(modelArtifact, onnx as never),
      await planArtifact(modelArtifact, copy),
    ];
    expect(second.bytes.equals(first.bytes)).toBe(true);
    const elsewhere = await pushEntry(
      modelArtifact,
      openModelStore(copyHome),
      'classifier:v1',
      parseOciUrl(`${registry.url}/mirror/classifier`),
      options(copyHome),
    );
    expect(elsewhere.digest).toBe(first.digest);
    const again = await pushEntry(
      modelArtifact,
      openModelStore(home),
      'classifier:v1',
      parseOciUrl(`${registry.url}/models/classifier`),
      options(home),
    );
    expect(again).toMatchObject({ unchanged: true, digest: first.digest });
  });

  it('titles every file of a bento, bento.yaml included, and pulls it back byte for byte', async () => {
    const filesModel = await saveFilesModel(home, 'iris:v1', {
      'model.bin': randomBytes(MiB + 5),
      'labels.txt': 'a\nb\n',
    });
    await saveTestBento(home, { name: 'svc', version: 'b1' }, filesModel);
    const bento = await openBentoStore(home).get('svc:b1');
    await pushEntry(
      bentoArtifact,
      openBentoStore(home),
      'svc:b1',
      parseOciUrl(`${registry.url}/bentos/svc`),
      options(home),
    );
    const into = join(work, 'oras-bento');
    const manifest = await orasStylePull(registry.host, 'bentos/svc', 'b1', into);
    expect(manifest.artifactType).toBe('application/vnd.bentoci.bento.v2');
    expect(manifest.layers.every((l) => l.annotations?.['org.opencontainers.image.title'])).toBe(true);
    expect(manifest.layers[0]).toMatchObject({
      mediaType: 'application/vnd.bentoci.info.v1+yaml',
      annotations: { 'org.opencontainers.image.title': 'bento.yaml' },
    });
    const stored = await filesUnder(bento.dir);
    const oras = await filesUnder(into);
    expect([...oras.keys()].sort()).toEqual([...stored.keys()].sort());
    for (const [path, bytes] of stored) expect(oras.get(path)!.equals(bytes), path).toBe(true);

    const other = join(work, 'bento-pull');
    await pullEntry(
      bentoArtifact,
      openBentoStore(other),
      undefined,
      parseOciUrl(`${registry.url}/bentos/svc:b1`),
      options(other),
    );
    const copy = await openBentoStore(other).get('svc:b1');
    expect(await openBentoStore(other).verify(copy)).toEqual([]);
    const pulled = await filesUnder(copy.dir);
    for (const [path, bytes] of stored) expect(pulled.get(path)!.equals(bytes), path).toBe(true);
  });

  it('still pulls the landed bentoci layout (config = info, small files in one tar), models and bentos', async () => {
    const model = await openModelStore(home).get('classifier:v1');
    await pushLegacyArtifact(`${registry.url}/legacy/classifier`, 'v1', 'model', model);
    const bento = await openBentoStore(home).get('svc:b1');
    await pushLegacyArtifact(`${registry.url}/legacy/svc`, 'b1', 'bento', bento);
    const other = join(work, 'legacy-pull');
    const pulledModel = await pullEntry(
      modelArtifact,
      openModelStore(other),
      undefined,
      parseOciUrl(`${registry.url}/legacy/classifier:v1`),
      options(other),
    );
    expect(pulledModel.contentDigest).toBe(model.info.digest);
    const copy = await openModelStore(other).get('classifier:v1');
    expect(copy.info).toEqual(model.info);
    expect(await openModelStore(other).verify(copy)).toEqual([]);
    await pullEntry(
      bentoArtifact,
      openBentoStore(other),
      undefined,
      parseOciUrl(`${registry.url}/legacy/svc:b1`),
      options(other),
    );
    const bentoCopy = await openBentoStore(other).get('svc:b1');
    expect(await openBentoStore(other).verify(bentoCopy)).toEqual([]);
  });

  it('pulls a model whose manifest uses the older vnd.cnai / org.cnai names', async () => {
    const base = `http://${registry.host}/v2/models/classifier`;
    const manifest = (await (
      await fetch(`${base}/manifests/v1`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
    ).json()) as Manifest;
    const rename = (type: string) => type.replace('application/vnd.cncf.', 'application/vnd.cnai.');
    const old = {
      ...manifest,
      artifactType: rename(manifest.artifactType),
      config: { ...manifest.config, mediaType: rename(manifest.config.mediaType) },
      layers: manifest.layers.map((l) => ({
        ...l,
        mediaType: rename(l.mediaType),
        annotations: Object.fromEntries(
          Object.entries(l.annotations ?? {})
            .filter(([k]) => k !== 'org.opencontainers.image.title')
            .map(([k, v]) => [k.replace('org.cncf.', 'org.cnai.'), v]),
        ),
      })),
    };
    expect(JSON.stringify(old)).not.toContain('cncf');
    const put = await fetch(`${base}/manifests/cnai`, {
      method: 'PUT',
      body: JSON.stringify(old),
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(put.status).toBe(201);
    const other = join(work, 'cnai-pull');
    const pulled = await pullEntry(
      modelArtifact,
      openModelStore(other),
      undefined,
      parseOciUrl(`${registry.url}/models/classifier:cnai`),
      options(other),
    );
    expect(pulled.contentDigest).toBe(onnx.info.digest);
    const copy = await openModelStore(other).get('classifier:v1');
    expect(await openModelStore(other).verify(copy)).toEqual([]);
  });

  it('refuses ModelPack manifests whose diff ids, paths or metadata do not hold, and stores nothing', async () => {
    const base = `http://${registry.host}/v2/models/classifier`;
    const manifest = (await (
      await fetch(`${base}/manifests/v1`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
    ).json()) as Manifest;
    const put = async (tag: string, body: unknown) => {
      const reply = await fetch(`${base}/manifests/${tag}`, {
        method: 'PUT',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      });
      expect(reply.status).toBe(201);
    };
    const withLayers = (layers: Layer[]) => ({ ...manifest, layers });
    const path = (l: Layer, p: string) => ({
      ...l,
      annotations: { ...l.annotations, 'org.opencontainers.image.title': p, 'org.cncf.model.filepath': p },
    });
    // Layers reordered: the config's diff ids no longer name them in order.
    await put('reordered', withLayers([...manifest.layers].reverse()));
    // A file layer that claims to be somewhere outside the entry.
    await put('escape', withLayers(manifest.layers.map((l, i) => (i === 1 ? path(l, '../evil') : l))));
    // No model.yaml: a ModelPack model that bentoci did not push.
    await put('foreign', withLayers(manifest.layers.map((l, i) => (i === 0 ? path(l, 'info.yaml') : l))));
    // A second model.yaml, which would decide which metadata is read.
    await put('twice', withLayers(manifest.layers.map((l, i) => (i === 1 ? path(l, 'model.yaml') : l))));
    const other = join(work, 'refused-pull');
    const attempt = (tag: string) =>
      pullEntry(
        modelArtifact,
        openModelStore(other),
        undefined,
        parseOciUrl(`${registry.url}/models/classifier:${tag}`),
        options(other),
      );
    await expect(attempt('reordered')).rejects.toThrow(/modelfs\.diffIds do not name the manifest's layers/);
    await expect(attempt('escape')).rejects.toThrow(
      /"\.\.\/evil", which has an empty, '\.' or '\.\.' segment/,
    );
    await expect(attempt('foreign')).rejects.toThrow(
      /a ModelPack model without a model\.yaml layer \(not pushed by bentoci\)/,
    );
    await expect(attempt('twice')).rejects.toThrow(/more than one layer is model\.yaml/);
    expect(await openModelStore(other).list()).toEqual([]);
  });
});

describe('an entry of too many files for one manifest', () => {
  it('is refused before anything is sent, naming the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bentoci-modelpack-many-'));
    try {
      const model = await saveFilesModel(join(dir, 'home'), 'many:v1', { 'a.bin': 'a' });
      // Large files are planned from their recorded digest, unread: a file list is enough here.
      const files = Array.from({ length: 4500 }, (_, i) => ({
        path: `shards/${'s'.repeat(230)}-${String(i).padStart(5, '0')}.safetensors`,
        sha256: createHash('sha256').update(String(i)).digest('hex'),
        size: MiB,
      }));
      const info = { ...model.info, files };
      await writeFile(join(model.dir, 'model.yaml'), YAML.stringify(info));
      await expect(planArtifact(modelArtifact, { ...model, info })).rejects.toThrow(
        /model many:v1 has 4500 files, which make a manifest of \d+ bytes, over the 4194304 that registries accept: put the small files in an archive/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
