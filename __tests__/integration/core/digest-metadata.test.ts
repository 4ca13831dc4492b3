/**
 * The entry digest covers everything a consumer obeys (issue #16, finding 1): the files and the info
 * file (bento.yaml / model.yaml), whose paths must stay among the content files and out of
 * .signatures/. Each way an entry is used or arrives is tried with metadata the digest does not vouch
 * for: the store (verify, serve), a crafted archive (import), a registry that moves a tag to another
 * config (pull), and a bentofile.lock.yaml that says other than bento.yaml.
 */
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadService } from '../../../runtime/service/load.js';
import { buildBento } from '../../../src/build/build.js';
import { exportEntry } from '../../../src/core/archive/export.js';
import { importArchive } from '../../../src/core/archive/import.js';
import { openBentoStore, type StoredBento } from '../../../src/core/bento-store.js';
import { entryDigest } from '../../../src/core/digest.js';
import { IntegrityError } from '../../../src/core/errors.js';
import { manifestDigest } from '../../../src/core/files.js';
import { openModelStore } from '../../../src/core/model-store.js';
import { formatTag } from '../../../src/core/tag.js';
import { OCI_MANIFEST } from '../../../src/oci/media-types.js';
import { parseOciUrl } from '../../../src/oci/reference.js';
import { bentoArtifact } from '../../../src/registry/artifact-kinds.js';
import { pullEntry } from '../../../src/registry/artifact-pull.js';
import { pushEntry } from '../../../src/registry/artifact-push.js';
import { resolveServeTarget } from '../../../src/serve/target.js';
import { bentoInfoSchema, modelInfoSchema } from '../../../src/shared/schemas.js';
import { homeWithModels, IRIS_BENTOFILE, project } from '../../build-support.js';
import { file, readMembers, sha256, withManifest, writeMembers } from '../../support/archive-build.js';
import { missingTool, REGISTRY_BIN, type RegistryFixture, startRegistry } from '../../support/registry.js';
import { removeTempDirs, snapshot, tempDir } from '../../support/store-cli.js';

afterAll(removeTempDirs);

// biome-ignore lint/suspicious/noExplicitAny: YAML edited in place, any shape
type Yaml = Record<string, any>;

async function builtBento(home: string): Promise<StoredBento> {
  const context = await project({ 'bentofile.yaml': IRIS_BENTOFILE });
  return (await buildBento({ home, context })).bento;
}

async function editYaml(path: string, change: (value: Yaml) => void): Promise<Yaml> {
  const value = YAML.parse(await readFile(path, 'utf8')) as Yaml;
  change(value);
  await writeFile(path, YAML.stringify(value));
  return value;
}

/** The digest bentoci records for this bento.yaml: what an attacker who recomputes it would write. */
function bentoDigest(info: Yaml): string {
  return entryDigest('bento.yaml', bentoInfoSchema.parse(info));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('a stored entry', () => {
  it('whose bento.yaml was edited fails verify and is not served', async () => {
    const home = await homeWithModels();
    const bento = await builtBento(home);
    const store = openBentoStore(home);
    const tag = formatTag(bento.tag);
    expect(await store.verify(bento)).toEqual([]);
    expect(await resolveServeTarget(home, tag)).toMatchObject({ kind: 'bento', dir: bento.dir });

    // Other batching and labels under the recorded digest: the files are all as they were.
    await editYaml(join(bento.dir, 'bento.yaml'), (info) => {
      info.service.apis[0].batching.max_batch_size = 4096;
      info.labels = { stage: 'prod' };
    });
    const edited = await store.get(tag);
    expect(edited.info.digest).toBe(bento.info.digest);
    expect(await store.verify(edited)).toEqual([
      {
        path: 'bento.yaml',
        problem: 'modified',
        detail: `the files and bento.yaml digest to ${bentoDigest(edited.info)}, not the recorded ${bento.info.digest}`,
      },
      // and the lock file, which still says what was built, no longer agrees with it
      {
        path: 'bentofile.lock.yaml',
        problem: 'inconsistent',
        detail: 'says other than bento.yaml at "service": the bento was altered after it was built',
      },
    ]);
    const refused = await rejection(resolveServeTarget(home, tag));
    expect(refused).toBeInstanceOf(IntegrityError);
    expect(refused.message).toMatch(
      new RegExp(
        `^bento ${tag} is damaged: bento\\.yaml \\(modified: the files and bento\\.yaml digest to sha256:`,
      ),
    );
    // Named by its path in the store, it is the same entry, checked the same way.
    await expect(resolveServeTarget(home, bento.dir)).rejects.toThrow(`bento ${tag} is damaged`);
  });

  it('whose model path was pointed into .signatures/ fails verify, even with the digest recomputed', async () => {
    const home = await homeWithModels();
    const bento = await builtBento(home);
    const store = openBentoStore(home);
    const ref = bento.info.models[0]!;
    // Other weights where no digest looks: a copy of the other example model, under .signatures/.
    const models = openModelStore(home);
    const other = await models.get('two_inputs:v1');
    await cp(join(bento.dir, ref.path), join(bento.dir, '.signatures/evil'), { recursive: true });
    await cp(join(other.dir, 'two_inputs.onnx'), join(bento.dir, '.signatures/evil/iris.onnx'));
    await editYaml(join(bento.dir, 'bento.yaml'), (info) => {
      info.models[0].path = '.signatures/evil';
      info.digest = bentoDigest(info);
    });
    const edited = await store.get(formatTag(bento.tag));
    expect(await store.verify(edited)).toEqual([
      {
        path: 'bento.yaml',
        problem: 'unsafe-path',
        detail: 'models[0].path ".signatures/evil" points into .signatures/, which the digest does not cover',
      },
      {
        path: 'bentofile.lock.yaml',
        problem: 'inconsistent',
        detail: 'says other than bento.yaml at "models": the bento was altered after it was built',
      },
    ]);
    expect((await rejection(resolveServeTarget(home, formatTag(bento.tag)))).message).toContain(
      'bento.yaml (unsafe-path: models[0].path ".signatures/evil" points into .signatures/',
    );
    // The runtime refuses it too, as an image or a bare directory would hand it over unchecked.
    expect((await rejection(loadService(bento.dir))).message).toMatch(
      /path "\.signatures\/evil" points into .*\.signatures\/, which holds no content/,
    );
  });

  it('whose model entrypoint was pointed into .signatures/ fails verify and is not served', async () => {
    const home = await homeWithModels();
    const models = openModelStore(home);
    const model = await models.get('iris:v1');
    await cp(join(model.dir, 'iris.onnx'), join(model.dir, '.signatures/other.onnx'));
    await editYaml(join(model.dir, 'model.yaml'), (info) => {
      info.entrypoint = '.signatures/other.onnx';
      info.digest = entryDigest('model.yaml', modelInfoSchema.parse(info));
    });
    const edited = await models.get('iris:v1');
    expect(await models.verify(edited)).toEqual([
      {
        path: 'model.yaml',
        problem: 'unsafe-path',
        detail:
          'entrypoint ".signatures/other.onnx" points into .signatures/, which the digest does not cover',
      },
    ]);
    await expect(resolveServeTarget(home, 'iris:v1')).rejects.toThrow(
      /^model iris:v1 is damaged: model\.yaml \(unsafe-path/,
    );
  });

  it('with a bentofile.lock.yaml that says other than bento.yaml fails verify, though every digest matches', async () => {
    const home = await homeWithModels();
    const bento = await builtBento(home);
    const store = openBentoStore(home);
    const lockPath = join(bento.dir, 'bentofile.lock.yaml');
    await editYaml(lockPath, (lock) => {
      lock.service.apis[0].batching.max_batch_size = 1;
    });
    const lock = await readFile(lockPath);
    await editYaml(join(bento.dir, 'bento.yaml'), (info) => {
      const entry = info.files.find((f: { path: string }) => f.path === 'bentofile.lock.yaml');
      entry.sha256 = sha256(lock);
      entry.size = lock.length;
      info.digest = bentoDigest(info);
    });
    const edited = await store.get(formatTag(bento.tag));
    expect(await store.verify(edited)).toEqual([
      {
        path: 'bentofile.lock.yaml',
        problem: 'inconsistent',
        detail: 'says other than bento.yaml at "service": the bento was altered after it was built',
      },
    ]);
    await expect(store.assertIntact(edited)).rejects.toThrow(
      /bentofile\.lock\.yaml \(inconsistent: says other/,
    );
  });

  it('stored with the files-only digest of bentoci 0.1 is refused, naming the fix', async () => {
    const home = await homeWithModels();
    const models = openModelStore(home);
    const model = await models.get('iris:v1');
    await editYaml(join(model.dir, 'model.yaml'), (info) => {
      info.digest = manifestDigest(info.files);
    });
    const legacy = await models.get('iris:v1');
    expect(await models.verify(legacy)).toEqual([
      {
        path: 'model.yaml',
        problem: 'legacy-digest',
        detail: 'written by an earlier bentoci, whose digest covers the files but not model.yaml',
      },
    ]);
    await expect(resolveServeTarget(home, 'iris:v1')).rejects.toThrow(
      'model iris:v1 cannot be used: model.yaml was written by an earlier bentoci, whose digest covers the files but not model.yaml; delete it (`delete-model(iris:v1)`) and save it again (`save-model(iris:v1 PATH)` keeps the version), or pull or import a copy written by this bentoci',
    );
    await expect(
      exportEntry(models, 'iris:v1', join(await tempDir('legacy'), 'x.bentomodel')),
    ).rejects.toThrow(/cannot be used/);
  });

  it('a bento with the files-only digest is refused with one message, and a rebuild does not reuse it', async () => {
    const home = await homeWithModels();
    const context = await project({ 'bentofile.yaml': IRIS_BENTOFILE });
    const { bento } = await buildBento({ home, context, version: 'v1' });
    await editYaml(join(bento.dir, 'bento.yaml'), (info) => {
      info.digest = manifestDigest(info.files);
    });
    await expect(resolveServeTarget(home, 'iris_classifier:v1')).rejects.toThrow(
      'bento iris_classifier:v1 cannot be used: bento.yaml was written by an earlier bentoci, whose digest covers the files but not bento.yaml; delete it (`delete-bento(iris_classifier:v1)`) and build it again (`build({ version: v1 })` keeps the version), or pull or import a copy written by this bentoci',
    );
    const rebuilt = await buildBento({ home, context });
    expect(rebuilt.reused).toBe(false);
    expect(await openBentoStore(home).verify(rebuilt.bento)).toEqual([]);
  });
});

describe('import', () => {
  it('refuses a .bento whose bento.yaml was edited under the recorded digest', async () => {
    const home = await homeWithModels();
    const bento = await builtBento(home);
    const archive = join(await tempDir('crafted'), 'crafted.bento');
    await exportEntry(openBentoStore(home), formatTag(bento.tag), archive);
    const members = await readMembers(archive);
    const info = members.find((m) => m.header.name === 'entry/bento.yaml')!;
    const value = YAML.parse(info.data.toString('utf8')) as Yaml;
    value.service.apis[0].batching.enabled = false;
    value.labels = { team: 'someone-else' };
    const edited = Buffer.from(YAML.stringify(value));
    const crafted = withManifest(
      members.map((m) => (m === info ? file(m.header.name, edited) : m)),
      (manifest) => {
        const listed = manifest.files.find((f) => f.path === 'bento.yaml')!;
        manifest.size += edited.length - listed.size;
        listed.sha256 = sha256(edited);
        listed.size = edited.length;
      },
    );
    await writeMembers(archive, crafted);

    const target = await tempDir('import-home');
    const refused = await rejection(importArchive(openBentoStore(target), archive));
    expect(refused).toBeInstanceOf(IntegrityError);
    expect(refused.message).toBe(
      `archive "${archive}": bento.yaml and the files digest to ${bentoDigest(value)}, not ${bento.info.digest} as recorded; the metadata or the files were altered`,
    );
    expect((await snapshot(target)).staging).toEqual([]);
    expect(await openBentoStore(target).list()).toEqual([]);
  });

  it('refuses a model archive whose entrypoint points into .signatures/, even with its digest recomputed', async () => {
    const home = await homeWithModels();
    const models = openModelStore(home);
    const archive = join(await tempDir('crafted'), 'iris.bentomodel');
    await exportEntry(models, 'iris:v1', archive);
    const other = await readFile(join((await models.get('two_inputs:v1')).dir, 'two_inputs.onnx'));
    const members = await readMembers(archive);
    const info = members.find((m) => m.header.name === 'entry/model.yaml')!;
    const value = YAML.parse(info.data.toString('utf8')) as Yaml;
    value.entrypoint = '.signatures/evil.onnx';
    value.digest = entryDigest('model.yaml', modelInfoSchema.parse(value));
    const edited = Buffer.from(YAML.stringify(value));
    const crafted = withManifest(
      [
        ...members.map((m) => (m === info ? file(m.header.name, edited) : m)),
        file('entry/.signatures/evil.onnx', other),
      ],
      (manifest) => {
        const listed = manifest.files.find((f) => f.path === 'model.yaml')!;
        listed.sha256 = sha256(edited);
        listed.size = edited.length;
        manifest.files.push({ path: '.signatures/evil.onnx', sha256: sha256(other), size: other.length });
        manifest.files.sort((a, b) => (a.path < b.path ? -1 : 1));
        manifest.size = manifest.files.reduce((s, f) => s + f.size, 0);
        manifest.digest = value.digest;
      },
    );
    await writeMembers(archive, crafted);

    const target = await tempDir('import-home');
    const refused = await rejection(importArchive(openModelStore(target), archive));
    expect(refused).toBeInstanceOf(IntegrityError);
    expect(refused.message).toBe(
      `archive "${archive}": model.yaml unsafe-path (entrypoint ".signatures/evil.onnx" points into .signatures/, which the digest does not cover); refusing it`,
    );
    expect(await openModelStore(target).list()).toEqual([]);
  });

  it('refuses an archive of format 1 (files-only digest), naming the fix', async () => {
    const home = await homeWithModels();
    const archive = join(await tempDir('legacy'), 'iris.bentomodel');
    await exportEntry(openModelStore(home), 'iris:v1', archive);
    await writeMembers(
      archive,
      withManifest(await readMembers(archive), (manifest) => {
        manifest.format_version = 1;
        manifest.digest = manifestDigest(manifest.files.filter((f) => f.path !== 'model.yaml'));
      }),
    );
    await expect(importArchive(openModelStore(await tempDir('import-home')), archive)).rejects.toThrow(
      `archive "${archive}" was written by an earlier bentoci (archive format 1), whose digest covers the files but not model.yaml; refusing it: export it again from a store where it was saved with this bentoci`,
    );
  });
});

const missing = missingTool(REGISTRY_BIN);

describe.skipIf(missing)('pull from a registry that moves a tag to another config', () => {
  let registry: RegistryFixture;
  let home: string;
  let bento: StoredBento;
  let base: string;

  beforeAll(async () => {
    registry = await startRegistry();
    home = await homeWithModels();
    bento = await builtBento(home);
    base = `http://${registry.host}/v2/bentos/iris`;
    await pushEntry(
      bentoArtifact,
      openBentoStore(home),
      formatTag(bento.tag),
      parseOciUrl(`${registry.url}/bentos/iris`),
      { home, insecure: true },
    );
  });
  afterAll(async () => {
    await registry?.stop();
  });

  async function putBlob(bytes: Buffer): Promise<string> {
    const digest = `sha256:${sha256(bytes)}`;
    const upload = await fetch(`${base}/blobs/uploads/`, { method: 'POST' });
    const location = new URL(upload.headers.get('location')!, base);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(put.status).toBe(201);
    return digest;
  }

  /**
   * What the registry now serves under the bento's version tag: the same file layers, another config
   * the bento.yaml layer and content-digest annotation to match it (as a hostile registry would).
   */
  async function swapConfig(change: (config: Yaml) => void): Promise<string> {
    const tag = bento.tag.version;
    const got = await fetch(`${base}/manifests/${tag}`, { headers: { accept: OCI_MANIFEST } });
    const manifest = (await got.json()) as Yaml;
    const config = (await (await fetch(`${base}/blobs/${manifest.config.digest}`)).json()) as Yaml;
    change(config);
    const bytes = Buffer.from(JSON.stringify(config));
    manifest.config = { ...manifest.config, digest: await putBlob(bytes), size: bytes.length };
    const infoLayer = manifest.layers.find(
      (l: Yaml) => l.mediaType === 'application/vnd.bentoci.info.v1+yaml',
    );
    const infoBytes = Buffer.from(YAML.stringify(config));
    Object.assign(infoLayer, { digest: await putBlob(infoBytes), size: infoBytes.length });
    manifest.annotations['dev.bentoci.content-digest'] = config.digest;
    const body = Buffer.from(JSON.stringify(manifest));
    const moved = await fetch(`${base}/manifests/${tag}`, {
      method: 'PUT',
      body,
      headers: { 'content-type': OCI_MANIFEST },
    });
    expect(moved.status).toBe(201);
    return `sha256:${sha256(body)}`;
  }

  it('refuses a config edited under the recorded digest, by tag and by digest, and stores nothing', async () => {
    const manifestDigest = await swapConfig((config) => {
      config.service.apis[0].batching.max_batch_size = 4096;
      config.labels = { stage: 'prod' };
    });
    const into = await tempDir('pull-home');
    const byTag = await rejection(
      pullEntry(
        bentoArtifact,
        openBentoStore(into),
        undefined,
        parseOciUrl(`${registry.url}/bentos/iris:${bento.tag.version}`),
        { home: into, insecure: true },
      ),
    );
    expect(byTag).toBeInstanceOf(IntegrityError);
    expect(byTag.message).toMatch(
      new RegExp(
        `^${registry.host}/bentos/iris:${bento.tag.version}: its bento config does not match the digest it records \\(${bento.info.digest}; its metadata and files digest to sha256:[0-9a-f]{64}\\): it was altered; nothing was pulled$`,
      ),
    );
    const byDigest = await rejection(
      pullEntry(
        bentoArtifact,
        openBentoStore(into),
        formatTag(bento.tag),
        parseOciUrl(`${registry.url}/bentos/iris@${manifestDigest}`),
        { home: into, insecure: true },
      ),
    );
    expect(byDigest.message).toContain('its bento config does not match the digest it records');
    expect(await openBentoStore(into).list()).toEqual([]);
  });

  it('refuses a config that points a model path into .signatures/, its digest recomputed', async () => {
    await swapConfig((config) => {
      config.models[0].path = '.signatures/evil';
      config.digest = bentoDigest(config);
    });
    const into = await tempDir('pull-home');
    const refused = await rejection(
      pullEntry(
        bentoArtifact,
        openBentoStore(into),
        undefined,
        parseOciUrl(`${registry.url}/bentos/iris:${bento.tag.version}`),
        { home: into, insecure: true },
      ),
    );
    expect(refused.message).toContain('models[0].path ".signatures/evil" points into .signatures/');
    expect(await openBentoStore(into).list()).toEqual([]);
  });
});
