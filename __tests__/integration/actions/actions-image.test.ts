/**
 * The actions that need a Docker engine, run as the runner runs them: the root action.yml (build ->
 * containerize -> push -> sign in one step) against a real registry, then bento-containerize in
 * another job that restores exactly that bento from the Actions cache.
 * Needs a Docker engine (DOCKER_HOST, or dockerd as root) and docker-registry/skopeo: fails under
 * CI=true without them.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_IMAGE } from '../../../src/containerize/distro.js';
import { generateKeyPair } from '../../../src/sign/keys/key-files.js';
import {
  type Job,
  newJob,
  runActionStep,
  type StepResult,
  writeProject,
} from '../../support/action-harness.js';
import { ensureBaseImages } from '../../support/base-images.js';
import { type CacheServiceFixture, startCacheService } from '../../support/cache-service.js';
import { type DockerFixture, missingDocker, startDocker } from '../../support/docker.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../support/registry.js';

const skip = missingDocker() || missingTool(REGISTRY_BIN, SKOPEO_BIN);
const keys = generateKeyPair();

function ok(result: StepResult): StepResult {
  const log = result.stdout + result.stderr;
  expect(
    result.annotations.filter((a) => a.level === 'error'),
    log,
  ).toEqual([]);
  expect(result.exitCode, log).toBe(0);
  return result;
}

describe.skipIf(skip)(`actions with a Docker engine${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let engine: DockerFixture;
  let service: CacheServiceFixture;
  let registry: RegistryFixture;
  const jobs: Job[] = [];
  const image = `bentoci-actions-test/iris:${process.pid}`;
  let pipeline: StepResult;

  async function job(): Promise<Job> {
    const j = await newJob({ ...service.env, DOCKER_HOST: engine.host });
    jobs.push(j);
    await writeProject(j);
    return j;
  }

  beforeAll(async () => {
    [engine, service, registry] = await Promise.all([startDocker(), startCacheService(), startRegistry()]);
    await ensureBaseImages(engine.docker, [NODE_IMAGE]);
    pipeline = await runActionStep(
      '.',
      {
        context: 'project',
        models: 'iris=project/models/iris.onnx',
        version: 'v1',
        tags: image,
        registry: `${registry.host}/team/iris-bento`,
        'image-registry': `${registry.host}/team/iris`,
        insecure: 'true',
        'sign-key': keys.privateKey,
        'export-to': 'cache',
      },
      await job(),
    );
  }, 600_000);

  afterAll(async () => {
    await Promise.all(jobs.map((j) => j.cleanup()));
    await engine?.docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    await Promise.all([service?.close(), registry?.stop(), engine?.stop()]);
  }, 60_000);

  it('the root action builds, containerizes, pushes and signs in one step', async () => {
    ok(pipeline);
    const { outputs } = pipeline;
    expect(outputs['tag']).toBe('iris_service:v1');
    expect(outputs['version']).toBe('v1');
    expect(outputs['digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(outputs['cache-key']).toMatch(/^bentoci-bento-iris_service:v1@[0-9a-f]{12}$/);
    expect(outputs['image-id']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(outputs['image-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    const inspected = await engine.docker.getImage(image).inspect();
    expect(inspected.Id).toBe(outputs['image-id']);

    const pushed = outputs['pushed-refs']!.split('\n');
    expect(pushed).toContain(`${registry.host}/team/iris-bento:v1`);
    expect(pushed).toContain(`${registry.host}/team/iris:${process.pid}`);
    // skopeo reads the image we pushed under the digest the action reported.
    const raw = await skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${registry.host}/team/iris:${process.pid}`,
    ]);
    expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(outputs['image-digest']);
    expect(outputs['image-tags']).toBe(`${registry.host}/team/iris:${process.pid}`);
    expect(JSON.parse(outputs['metadata']!)).toMatchObject({
      'containerimage.digest': outputs['image-digest'],
      'containerimage.config.digest': outputs['image-id'],
      'image.name': `${registry.host}/team/iris:${process.pid}`,
    });

    const signatures = outputs['signature-refs']!.split('\n');
    expect(signatures).toContain(
      `${registry.host}/team/iris:${outputs['image-digest']!.replace(':', '-')}.sig`,
    );
    expect(signatures.filter((s) => s.endsWith('.sig'))).toHaveLength(2);

    // One summary with every stage, timed, and a chart of the stages.
    for (const step of [
      'Save model',
      'Build bento',
      `Build image of iris_service:v1`,
      'Push bento to',
      'Push image',
      'Sign what was pushed',
    ]) {
      expect(pipeline.summary).toContain(`| ${step}`);
    }
    expect(pipeline.summary).toContain('```mermaid');
  });

  it('bento-containerize in another job builds from exactly the bento the first job exported', async () => {
    ok(pipeline);
    const result = ok(
      await runActionStep(
        'actions/bento-containerize',
        {
          bento: pipeline.outputs['tag']!,
          'bento-digest': pipeline.outputs['digest']!,
          'import-from': 'cache',
          tags: `${image}-again`,
          labels: 'org.opencontainers.image.source=https://example.com/iris',
        },
        await job(),
      ),
    );
    expect(result.outputs['tag']).toBe('iris_service:v1');
    expect(result.outputs['digest']).toBe(pipeline.outputs['digest']);
    expect(result.outputs['image-tags']).toBe(`${image}-again`);
    expect(Number(result.outputs['image-size'])).toBeGreaterThan(0);
    const inspected = await engine.docker.getImage(`${image}-again`).inspect();
    expect(inspected.Id).toBe(result.outputs['image-id']);
    expect(inspected.Config.Labels?.['org.opencontainers.image.source']).toBe('https://example.com/iris');
    await engine.docker.getImage(`${image}-again`).remove({ force: true });
  });

  it('several tags, labels and annotations: each tag resolves to the digest the outputs report', async () => {
    ok(pipeline);
    const j = await job();
    const names = [`${image}-a`, `${image}-b`];
    const built = ok(
      await runActionStep(
        'actions/bento-containerize',
        {
          bento: pipeline.outputs['tag']!,
          'import-from': 'cache',
          tags: names.join(','),
          labels: 'org.opencontainers.image.licenses=Apache-2.0\ncom.example.team=ml, platform',
        },
        j,
      ),
    );
    try {
      const id = built.outputs['image-id']!;
      expect(built.outputs['image-tags']!.split('\n')).toEqual(names);
      // Not pushed: the digest is the image ID, and the metadata says which it is.
      expect(built.outputs['image-digest']).toBe(id);
      const metadata = JSON.parse(built.outputs['metadata']!) as Record<string, unknown>;
      expect(metadata).toMatchObject({
        'containerimage.digest': id,
        'containerimage.config.digest': id,
        'image.name': names.join(','),
        'bentoci.digest-kind': 'image-id',
        'bentoci.bento': 'iris_service:v1',
      });
      for (const name of names) expect((await engine.docker.getImage(name).inspect()).Id).toBe(id);
      const labels = (await engine.docker.getImage(id).inspect()).Config.Labels ?? {};
      expect(labels).toMatchObject({
        'org.opencontainers.image.licenses': 'Apache-2.0',
        'com.example.team': 'ml, platform',
        // Defaults from the bento and the runner's GITHUB_* (the harness's).
        'org.opencontainers.image.title': 'iris_service',
        'org.opencontainers.image.version': 'v1',
        'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
        'org.opencontainers.image.source': 'https://github.com/bentoci/example',
        'org.opencontainers.image.url': 'https://github.com/bentoci/example',
      });
      expect(metadata['bentoci.image.labels']).toEqual(labels);
      expect(built.summary).toContain('### Image labels of');
      expect(built.summary).toContain('| `com.example.team` | ml, platform |');

      // The same job pushes the image under two tags, one bare and one a whole reference.
      const repo = `${registry.host}/team/iris-meta`;
      const pushed = ok(
        await runActionStep(
          'actions/bento-push',
          {
            bento: pipeline.outputs['tag']!,
            registry: `${registry.host}/team/iris-meta-bento`,
            image: names[0]!,
            'image-registry': repo,
            'image-tags': `1.0.0\n${repo}:stable`,
            annotations: 'org.opencontainers.image.licenses=MIT\ncom.example.note=pushed by a test',
            insecure: 'true',
          },
          j,
        ),
      );
      const digest = pushed.outputs['image-digest']!;
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(pushed.outputs['image-id']).toBe(id);
      const refs = [`${repo}:1.0.0`, `${repo}:stable`];
      expect(pushed.outputs['image-tags']!.split('\n')).toEqual(refs);
      expect(pushed.outputs['pushed-refs']!.split('\n')).toEqual(expect.arrayContaining(refs));
      // One upload, the manifest put under each tag.
      expect(pushed.stdout).toMatch(/pushed image .* tags 1\.0\.0, stable/);

      let raw = '';
      for (const ref of refs) {
        raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
        expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(digest);
        const inspected = JSON.parse(await skopeo(['inspect', '--tls-verify=false', `docker://${ref}`])) as {
          Digest: string;
          Labels: Record<string, string>;
        };
        expect(inspected.Digest).toBe(digest);
        expect(inspected.Labels['com.example.team']).toBe('ml, platform');
      }
      const manifest = JSON.parse(raw) as { config: { digest: string }; annotations: Record<string, string> };
      expect(manifest.config.digest).toBe(id);
      expect(manifest.annotations).toMatchObject({
        // The caller's value wins over the image's label.
        'org.opencontainers.image.licenses': 'MIT',
        'com.example.note': 'pushed by a test',
        // Defaults: the image's OCI labels.
        'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
        'org.opencontainers.image.source': 'https://github.com/bentoci/example',
        'org.opencontainers.image.created': labels['org.opencontainers.image.created'],
      });

      const pushedMetadata = JSON.parse(pushed.outputs['metadata']!) as Record<string, unknown>;
      expect(pushedMetadata).toMatchObject({
        'containerimage.digest': digest,
        'containerimage.config.digest': id,
        'containerimage.descriptor': {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest,
          size: Buffer.byteLength(raw),
          annotations: manifest.annotations,
        },
        'image.name': refs.join(','),
        'bentoci.digest-kind': 'manifest',
        'bentoci.artifact.digest': pushed.outputs['artifact-digest'],
      });
      expect(pushed.summary).toContain(`### Manifest annotations of \`${repo}@${digest}\``);
      expect(pushed.summary).toContain('| `com.example.note` | pushed by a test |');
    } finally {
      for (const name of names)
        await engine.docker
          .getImage(name)
          .remove({ force: true })
          .catch(() => undefined);
    }
  }, 600_000);
});
