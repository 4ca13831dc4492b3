/**
 * `bentoci push-image` with several tags and annotations, as users run it (the bundled CLI), against
 * docker-registry; skopeo reads back what each tag resolves to and what the manifest says.
 * Needs a Docker engine and docker-registry/skopeo: fails under CI=true without them.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import * as tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DockerFixture, missingDocker, startDocker } from '../../support/docker.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../support/registry.js';
import { bentoci, tempDir } from '../../support/store-cli.js';

const STATIC_BINARY = '/sbin/ldconfig';
const missing = missingTool(REGISTRY_BIN, SKOPEO_BIN, STATIC_BINARY) || missingDocker();
const SOURCE = 'https://github.com/acme/iris';

/** A tiny image, imported offline, with OCI labels as containerize sets them. */
async function labelledImage(docker: Dockerode, name: string): Promise<string> {
  const pack = tar.pack();
  pack.entry({ name: 'ldconfig', mode: 0o755 }, await readFile(STATIC_BINARY));
  pack.finalize();
  const [repo, tag] = name.split(':');
  // dockerode's types lack `changes` (the engine's import API takes Dockerfile instructions).
  const options = {
    repo,
    tag,
    changes: [
      `LABEL org.opencontainers.image.source=${SOURCE} org.opencontainers.image.licenses=Apache-2.0 com.example.team=ml`,
    ],
  } as unknown as { repo: string; tag: string };
  const stream = await docker.importImage(pack as unknown as NodeJS.ReadableStream, options);
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err, out) => (err ? reject(err) : resolve(out))),
  );
  return (await docker.getImage(name).inspect()).Id;
}

function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

describe.skipIf(missing)('push-image with several tags and annotations', () => {
  let engine: DockerFixture;
  let registry: RegistryFixture;
  let home: string;
  let imageId: string;
  const image = `bentoci-test-tags:${Date.now().toString(36)}`;

  beforeAll(async () => {
    [engine, registry] = await Promise.all([startDocker(), startRegistry()]);
    // The CLI runs as a process: it finds the engine where this file's fixture is.
    process.env['DOCKER_HOST'] = engine.host;
    home = await tempDir('bentoci-tags-');
    imageId = await labelledImage(engine.docker, image);
  });
  afterAll(async () => {
    await engine?.docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    await Promise.all([engine?.stop(), registry?.stop()]);
    await rm(home, { recursive: true, force: true });
  });

  it('puts one manifest under every tag, annotated with the OCI labels and the given annotations', async () => {
    const repo = `${registry.host}/team/tags`;
    const run = await bentoci(
      [
        'push-image',
        image,
        '--to',
        `oci://${repo}:1.0.0`,
        '-t',
        'stable',
        '--tag',
        'latest',
        '--annotation',
        'org.opencontainers.image.licenses=MIT',
        '--annotation',
        'com.example.note=a, b',
        '--insecure',
        '--json',
      ],
      { home },
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.toString()) as {
      id: string;
      digest: string;
      size: number;
      tags: string[];
      references: string[];
      annotations: Record<string, string>;
      blobs: { uploaded: number };
    };
    expect(result.id).toBe(imageId);
    expect(result.tags).toEqual(['1.0.0', 'stable', 'latest']);
    expect(result.references).toEqual(['1.0.0', 'stable', 'latest'].map((t) => `${repo}:${t}`));
    // The config and the one layer, uploaded once for the three tags.
    expect(result.blobs.uploaded).toBe(2);

    for (const ref of result.references) {
      const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
      expect(sha256(raw)).toBe(result.digest);
      expect(Buffer.byteLength(raw)).toBe(result.size);
    }
    const manifest = JSON.parse(
      await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${repo}:stable`]),
    ) as { config: { digest: string }; annotations: Record<string, string> };
    expect(manifest.config.digest).toBe(imageId);
    expect(manifest.annotations).toEqual(result.annotations);
    expect(manifest.annotations).toMatchObject({
      'org.opencontainers.image.source': SOURCE,
      'org.opencontainers.image.licenses': 'MIT',
      'com.example.note': 'a, b',
    });
    // Only the OCI keys of the labels become annotations.
    expect(manifest.annotations['com.example.team']).toBeUndefined();
    const labels = (
      JSON.parse(await skopeo(['inspect', '--tls-verify=false', `docker://${repo}:latest`])) as {
        Labels: Record<string, string>;
      }
    ).Labels;
    expect(labels['org.opencontainers.image.licenses']).toBe('Apache-2.0');

    // Pushed again with the same annotations: the same digest, nothing to do.
    const again = await bentoci(
      [
        'push-image',
        image,
        '--to',
        `oci://${repo}:1.0.0`,
        '-t',
        'stable',
        '-t',
        'latest',
        '--annotation',
        'org.opencontainers.image.licenses=MIT',
        '--annotation',
        'com.example.note=a, b',
        '--insecure',
        '--json',
      ],
      { home },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout.toString())).toMatchObject({ digest: result.digest, unchanged: true });
  }, 240_000);

  it('refuses a bad tag or annotation key before it exports anything, naming the flag', async () => {
    const repo = `oci://${registry.host}/team/bad`;
    const badTag = await bentoci(['push-image', image, '--to', repo, '-t', '.hidden', '--insecure'], {
      home,
    });
    expect(badTag.code).not.toBe(0);
    expect(badTag.stderr).toMatch(/invalid --tag "\.hidden"/);
    const badKey = await bentoci(
      [
        'push-image',
        image,
        '--to',
        `${repo}:1`,
        '--annotation',
        'org.opencontainers.image.licence=MIT',
        '--insecure',
      ],
      { home },
    );
    expect(badKey.code).not.toBe(0);
    expect(badKey.stderr).toMatch(/invalid --annotation "org\.opencontainers\.image\.licence=MIT".*licenses/);
    const noKey = await bentoci(
      ['push-image', image, '--to', `${repo}:1`, '--annotation', '=x', '--insecure'],
      {
        home,
      },
    );
    expect(noKey.stderr).toMatch(/invalid --annotation "=x": expected key=value/);
  }, 240_000);
});
