/**
 * Dockerfile generation and the build context, without an engine: base images per distro and CUDA
 * version, template inheritance with super(), quoting, the files a bento contributes, and the tar the
 * engine receives.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dockerfileOf,
  renderBentoDockerfile,
  STORED_DOCKERFILE,
} from '../../../src/containerize/bento-files.js';
import { buildLabels, withBuildLabels } from '../../../src/containerize/containerize.js';
import { buildContext } from '../../../src/containerize/context.js';
import { NODE_IMAGE, resolveCudaVersion, UBUNTU_IMAGE } from '../../../src/containerize/distro.js';
import { externalImageOf } from '../../../src/containerize/image-build.js';
import { parseImageName } from '../../../src/containerize/image-ref.js';
import { createdOf, httpsRemote } from '../../../src/containerize/provenance.js';
import { type DockerfileBento, renderDockerfile } from '../../../src/containerize/render.js';
import { UsageError } from '../../../src/core/errors.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function bento(overrides: Partial<DockerfileBento> = {}): DockerfileBento {
  return {
    name: 'iris_classifier',
    models: [
      { tag: 'iris:v1', module: 'onnx', digest: DIGEST, size: 10, path: 'models/iris/v1' },
      { tag: 'two_inputs:v2', module: 'onnx', digest: DIGEST, size: 10, path: 'models/two_inputs/v2' },
    ],
    docker: {},
    envs: [],
    ...overrides,
  };
}

/** The instructions of one stage (FROM ... up to the next FROM). */
function stage(dockerfile: string, name: string): string[] {
  const lines = dockerfile.split('\n').filter((l) => l && !l.startsWith('#'));
  const start = lines.findIndex((l) => l.startsWith('FROM ') && l.endsWith(` AS ${name}`));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('FROM '));
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('base images', () => {
  it('debian: the Node image is the final base, and the deps stage installs with npm ci --omit=dev', () => {
    const text = renderDockerfile(bento());
    expect(text).toContain(`ARG NODE_IMAGE=${NODE_IMAGE}`);
    expect(stage(text, 'deps')[0]).toBe('FROM $NODE_IMAGE AS deps');
    expect(stage(text, 'deps').join('\n')).toMatch(/npm ci --omit=dev .*--cache \/tmp\/npm-cache/);
    expect(stage(text, 'deps').join('\n')).toContain('ARG ONNXRUNTIME_NODE_INSTALL=skip');
    const final = stage(text, 'bento');
    expect(final[0]).toBe(`FROM ${NODE_IMAGE} AS bento`);
    expect(final.join('\n')).not.toContain('/usr/local/bin/node /usr/local/bin/node');
    // Only node_modules leaves the deps stage: no npm cache, no CA file, no npm.
    expect(final.filter((l) => l.includes('--from=deps'))).toEqual([
      'COPY --from=deps /opt/bentoci/runtime/node_modules/ /opt/bentoci/runtime/node_modules/',
    ]);
  });

  it('ubuntu copies Node into ubuntu from the Node image', () => {
    const final = stage(renderDockerfile(bento({ docker: { distro: 'ubuntu' } })), 'bento');
    expect(final[0]).toBe(`FROM ${UBUNTU_IMAGE} AS bento`);
    expect(final).toContain('COPY --from=deps /usr/local/bin/node /usr/local/bin/node');
  });

  it('cuda_version picks the NVIDIA runtime image with cuDNN, fetches the CUDA provider and selects it at run time', () => {
    const text = renderDockerfile(bento({ docker: { cuda_version: '12.4' } }));
    expect(stage(text, 'bento')[0]).toBe('FROM nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 AS bento');
    expect(text).toContain('COPY --from=deps /usr/local/bin/node /usr/local/bin/node');
    expect(text).toContain('ARG ONNXRUNTIME_NODE_INSTALL=cuda12');
    expect(text).toMatch(/BENTOCI_PROVIDER="cuda"/);
    expect(renderDockerfile(bento({ docker: { cuda_version: '12.8.1' } }))).toContain(
      'nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04',
    );
  });

  it('maps CUDA versions to full releases and refuses what onnxruntime-node cannot run', () => {
    expect(resolveCudaVersion('12.4')).toBe('12.4.1');
    expect(resolveCudaVersion('12')).toBe('12.9.1');
    expect(() => resolveCudaVersion('11.8')).toThrow(/CUDA 12 with cuDNN 9/);
    expect(() => resolveCudaVersion('13.0')).toThrow(UsageError);
    expect(() => resolveCudaVersion('12.4.0')).toThrow(/use one of 12.3, 12.4/);
  });

  it('refuses alpine with the reason', () => {
    expect(() => renderDockerfile(bento({ docker: { distro: 'alpine' } }))).toThrow(
      /glibc binaries only.*musl/,
    );
  });

  it('base_image replaces the final base and gets Node copied in', () => {
    const final = stage(
      renderDockerfile(bento({ docker: { base_image: 'registry.local/base:1' } })),
      'bento',
    );
    expect(final[0]).toBe('FROM registry.local/base:1 AS bento');
    expect(final).toContain('COPY --from=deps /usr/local/bin/node /usr/local/bin/node');
  });
});

describe('the final stage', () => {
  const text = renderDockerfile(
    bento({
      description: 'Iris "species"\nfrom $measurements',
      envs: [{ name: 'IRIS_SPECIES', value: 'setosa,"versicolor"' }],
      docker: { env: { HOME_DIR: '/home/$USER' }, system_packages: ['curl', 'libgomp1=12*'] },
    }),
  );
  const final = stage(text, 'bento');

  it('copies each model in its own layer before the runtime and the bento source', () => {
    const copyIndex = (prefix: string) => final.findIndex((l) => l.startsWith(prefix));
    expect(final).toContain('COPY models/iris/v1/ /home/bentoci/bento/models/iris/v1/');
    expect(final).toContain('COPY models/two_inputs/v2/ /home/bentoci/bento/models/two_inputs/v2/');
    expect(copyIndex('COPY --from=deps')).toBeLessThan(copyIndex('COPY models/'));
    expect(copyIndex('COPY models/two_inputs')).toBeLessThan(copyIndex('COPY runtime/'));
    expect(copyIndex('COPY runtime/')).toBeLessThan(copyIndex('COPY bento/'));
  });

  it('runs as a numeric non-root user, exposes 3000, checks /healthz with node and starts the runtime', () => {
    expect(final).toContain('USER 10001:10001');
    expect(final).toContain('EXPOSE 3000');
    const health = final.findIndex((l) => l.startsWith('HEALTHCHECK'));
    expect(final[health + 1]).toMatch(
      /^ {2}CMD \["\/usr\/local\/bin\/node","-e","fetch\('http:\/\/127\.0\.0\.1:' \+ .*'\/healthz'\)/,
    );
    expect(final).toContain('ENTRYPOINT ["/usr/local/bin/node","/opt/bentoci/runtime/server.js"]');
    expect(text).toContain('BENTOCI_BENTO_DIR="/home/bentoci/bento"');
  });

  it('quotes values from the bento so they are taken literally', () => {
    expect(text).toContain('    IRIS_SPECIES="setosa,\\"versicolor\\"" \\\n    HOME_DIR="/home/\\$USER"\n');
    expect(text).toContain('org.opencontainers.image.description="Iris \\"species\\" from \\$measurements"');
    expect(text).toContain('apt-get install -y --no-install-recommends curl libgomp1=12*');
  });

  it("names the image, and leaves the labels (the bento's and this build's) to containerize", () => {
    const label = final.find((l) => l.startsWith('LABEL '));
    expect(label).toBe('LABEL org.opencontainers.image.title="iris_classifier" \\');
    expect(final.at(-1)).toBe(
      '      org.opencontainers.image.description="Iris \\"species\\" from \\$measurements"',
    );
    expect(text).not.toMatch(/\$BENTO_VERSION|\bowner=|revision=|created=/);
    expect(renderDockerfile(bento())).toBe(
      renderDockerfile({ ...bento(), version: 'another' } as DockerfileBento),
    );
  });

  it('appends the per-build labels as one LABEL to the Dockerfile it sends', () => {
    const sent = withBuildLabels(text, { 'org.opencontainers.image.version': 'v9', 'ci.note': 'a "b" $c' });
    expect(sent.startsWith(text.trimEnd())).toBe(true);
    expect(sent.slice(text.trimEnd().length)).toBe(
      '\n\n# Added by bentoci for this build.\nLABEL "org.opencontainers.image.version"="v9" \\\n      "ci.note"="a \\"b\\" \\$c"\n',
    );
    expect(withBuildLabels(text, {})).toBe(text);
  });

  it("appends the bento's labels and the per-build ones; a label the bento sets wins", () => {
    const info = {
      name: 'iris_classifier',
      version: 'v9',
      labels: { 'org.opencontainers.image.source': 'https://example.org/own', owner: 'ml-team' },
    };
    expect(
      buildLabels(info as never, {
        revision: 'abc',
        source: 'https://github.com/org/repo',
        created: '2026-01-01T00:00:00.000Z',
      }),
    ).toEqual({
      'org.opencontainers.image.version': 'v9',
      'org.opencontainers.image.created': '2026-01-01T00:00:00.000Z',
      'org.opencontainers.image.revision': 'abc',
      'org.opencontainers.image.source': 'https://example.org/own',
      'org.opencontainers.image.url': 'https://github.com/org/repo',
      'bentoci.bento': 'iris_classifier:v9',
      owner: 'ml-team',
    });
  });

  it('refuses inputs that would break the Dockerfile', () => {
    expect(() => renderDockerfile(bento({ envs: [{ name: 'BAD NAME', value: 'x' }] }))).toThrow(
      /invalid environment variable name "BAD NAME"/,
    );
    expect(() => renderDockerfile(bento({ envs: [{ name: 'A', value: 'x\ny' }] }))).toThrow(/line break/);
    expect(() => renderDockerfile(bento({ docker: { system_packages: ['curl; rm -rf /'] } }))).toThrow(
      /system_packages/,
    );
    const escaping = bento();
    escaping.models[0]!.path = 'models/../../etc';
    expect(() => renderDockerfile(escaping)).toThrow(/expected models\/<name>\/<version>/);
  });
});

describe('dockerfile_template', () => {
  const template = [
    '{% extends bento_base_template %}',
    '{% block SETUP_BENTO_COMPONENTS %}',
    '{{ super() }}',
    'RUN echo "custom component for {{ bento.name }}"',
    '{% endblock %}',
    '{% block SETUP_BENTO_ENTRYPOINT %}',
    'ENV TEMPLATE_APPLIED=yes',
    '{{ super() }}',
    '{% endblock %}',
  ].join('\n');

  it('overrides blocks and keeps the base with super()', () => {
    const text = renderDockerfile(bento(), { template: { source: template, path: 'Dockerfile.j2' } });
    expect(text).toContain('RUN echo "custom component for iris_classifier"');
    const final = stage(text, 'bento');
    expect(final.indexOf('ENV TEMPLATE_APPLIED=yes')).toBeLessThan(final.indexOf('EXPOSE 3000'));
    expect(final).toContain('USER 10001:10001');
    expect(stage(text, 'deps').length).toBeGreaterThan(3);
  });

  it('reports a template error in one line naming the template', () => {
    const broken =
      '{% extends bento_base_template %}\n{% block SETUP_BENTO_USER %}\n{% if %}\n{% endblock %}';
    try {
      renderDockerfile(bento(), { template: { source: broken, path: 'env/docker/Dockerfile.template' } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(
        /^docker\.dockerfile_template "env\/docker\/Dockerfile\.template" failed to render: .*Line 3/,
      );
      expect((err as Error).message).not.toContain('\n');
    }
  });
});

describe('files of a bento', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bci-cz-files-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses env/docker copies made by src/build, and node.packages for the bento deps', async () => {
    const b = join(dir, 'b1');
    await mkdir(join(b, 'env/docker'), { recursive: true });
    await mkdir(join(b, 'env/node'), { recursive: true });
    await writeFile(
      join(b, 'env/docker/Dockerfile.template'),
      '{% extends bento_base_template %}{% block SETUP_BENTO_USER %}USER 20000:20000{% endblock %}',
    );
    await writeFile(join(b, 'env/docker/setup_script'), '#!/bin/sh\necho hi\n');
    await writeFile(join(b, 'env/node/package-lock.json'), '{}');
    const text = await renderBentoDockerfile(b, {
      ...bento(),
      docker: {
        dockerfile_template: 'env/docker/Dockerfile.template',
        setup_script: 'env/docker/setup_script',
      },
      node: { packages: ['lodash@4.17.21', '@scope/pkg'], lockfile: 'env/node/package-lock.json' },
    });
    expect(text).toContain('USER 20000:20000');
    expect(text).toContain('COPY bento/env/docker/setup_script /opt/bentoci/setup_script');
    expect(text).toContain('RUN chmod +x /opt/bentoci/setup_script && /opt/bentoci/setup_script');
    // A package.json made here cannot drive `npm ci` with the project's lockfile.
    expect(text).toContain('npm install --omit=dev');
    expect(text).toContain(
      'COPY --from=deps /opt/bentoci/bento-deps/node_modules/ /home/bentoci/bento/node_modules/',
    );
  });

  it('names a template the bento does not have', async () => {
    await expect(
      renderBentoDockerfile(dir, { ...bento(), docker: { dockerfile_template: 'nope.j2' } }),
    ).rejects.toThrow(
      /docker\.dockerfile_template "nope\.j2" is not in the bento \(looked for nope\.j2, env\/docker\/Dockerfile\.template, src\/nope\.j2\)/,
    );
  });

  it('prefers the Dockerfile stored in the bento', async () => {
    const b = join(dir, 'b2');
    await mkdir(join(b, 'env/docker'), { recursive: true });
    await writeFile(join(b, STORED_DOCKERFILE), 'FROM stored\n');
    expect(await dockerfileOf(b, bento())).toEqual({ text: 'FROM stored\n', stored: true });
    expect((await dockerfileOf(dir, bento())).stored).toBe(false);
  });

  it("never renders a bento's own template at containerize: without a stored Dockerfile it is refused", async () => {
    const b = join(dir, 'b4');
    const marker = join(dir, 'b4-marker');
    await mkdir(join(b, 'env/docker'), { recursive: true });
    await writeFile(
      join(b, 'env/docker/Dockerfile.template'),
      `{% extends bento_base_template %}{% block SETUP_BENTO_USER %}{{ range.constructor("process.getBuiltinModule('fs').writeFileSync('${marker}', 'x')")() }}{% endblock %}`,
    );
    const info = {
      ...bento(),
      version: 'v1',
      docker: { dockerfile_template: 'env/docker/Dockerfile.template' },
    };
    await expect(dockerfileOf(b, info)).rejects.toThrow(
      /^bento iris_classifier:v1 has a docker\.dockerfile_template but no env\/docker\/Dockerfile: containerize does not render a bento's template; `build\(\)` to store the rendered Dockerfile$/,
    );
    // The copy alone (bento.yaml edited to drop the option) is refused too.
    await expect(dockerfileOf(b, bento())).rejects.toThrow(/has a docker\.dockerfile_template/);
    expect(existsSync(marker)).toBe(false);
  });

  it('streams a context with models apart, fixed owners and times, and the CA only when given', async () => {
    const b = join(dir, 'b3');
    await mkdir(join(b, 'models/iris/v1'), { recursive: true });
    await mkdir(join(b, 'src'), { recursive: true });
    await mkdir(join(b, '.signatures'), { recursive: true });
    await writeFile(join(b, 'models/iris/v1/model.onnx'), Buffer.alloc(3 << 20, 7));
    await writeFile(join(b, 'bento.yaml'), 'name: x\n');
    await writeFile(join(b, 'src/run.sh'), '#!/bin/sh\n');
    await chmod(join(b, 'src/run.sh'), 0o700);
    await writeFile(join(b, '.signatures/sig.json'), '{}');
    const bundle = join(dir, 'bundle');
    await mkdir(bundle, { recursive: true });
    await writeFile(join(bundle, 'server.js'), 'export {};\n');
    await writeFile(join(bundle, 'worker.js'), 'export {};\n');
    const ca = join(dir, 'ca.pem');
    await writeFile(join(ca), '-----BEGIN CERTIFICATE-----\n');

    const collect = async (caFile?: string) => {
      const context = await buildContext({
        dockerfile: 'FROM x\n',
        bentoDir: b,
        runtimeBundleDir: bundle,
        runtimePackageDir: join(import.meta.dirname, '../../../runtime'),
        caFile,
      });
      const extract = tar.extract();
      const entries = new Map<string, { size: number; mode: number; uid: number; mtime: number }>();
      const done = (async () => {
        for await (const entry of extract) {
          const h = entry.header;
          entries.set(h.name, { size: h.size, mode: h.mode, uid: h.uid, mtime: h.mtime.getTime() });
          entry.resume();
        }
      })();
      (context.stream as NodeJS.ReadableStream).pipe(extract as unknown as NodeJS.WritableStream);
      await done;
      return { context, entries };
    };

    const { context, entries } = await collect(ca);
    expect([...entries.keys()].sort()).toEqual([
      'Dockerfile',
      'bento/bento.yaml',
      'bento/src/run.sh',
      'deps/build-ca.crt',
      'deps/package-lock.json',
      'deps/package.json',
      'models/iris/v1/model.onnx',
      'runtime/package.json',
      'runtime/server.js',
      'runtime/worker.js',
    ]);
    expect(entries.get('models/iris/v1/model.onnx')).toEqual({
      size: 3 << 20,
      mode: 0o644,
      uid: 0,
      mtime: 0,
    });
    expect(entries.get('bento/src/run.sh')?.mode).toBe(0o755);
    expect(context.bytes).toBeGreaterThan(3 << 20);
    expect((await collect()).entries.has('deps/build-ca.crt')).toBe(false);
  });
});

describe('names and provenance', () => {
  it('checks image names before a build', () => {
    expect(parseImageName('iris_classifier:3kq7')).toEqual({ repo: 'iris_classifier', tag: '3kq7' });
    expect(parseImageName('localhost:5000/org/iris')).toEqual({
      repo: 'localhost:5000/org/iris',
      tag: 'latest',
    });
    expect(() => parseImageName('Iris:1')).toThrow(/lower-case/);
    expect(() => parseImageName('iris:-bad')).toThrow(/tag "-bad"/);
    expect(() => parseImageName('iris@sha256:abc')).toThrow(/digest/);
  });

  it('names the image a failing FROM or COPY --from needed, with ARGs expanded', () => {
    const dockerfile =
      'ARG NODE_IMAGE=node:24-trixie-slim\nFROM $NODE_IMAGE AS deps\nFROM ubuntu:24.04 AS bento\n';
    expect(externalImageOf('FROM $NODE_IMAGE AS deps', { dockerfile, buildArgs: {} })).toBe(
      'node:24-trixie-slim',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, not a JS template
    const braced = 'FROM ${NODE_IMAGE} AS deps';
    expect(externalImageOf(braced, { dockerfile, buildArgs: { NODE_IMAGE: 'mine:1' } })).toBe('mine:1');
    expect(externalImageOf('COPY --from=deps /a /b', { dockerfile, buildArgs: {} })).toBeUndefined();
    expect(externalImageOf('COPY --from=busybox:1 /bin/sh /bin/sh', { dockerfile, buildArgs: {} })).toBe(
      'busybox:1',
    );
    expect(externalImageOf('RUN true', { dockerfile, buildArgs: {} })).toBeUndefined();
  });

  it('derives label values from git remotes and SOURCE_DATE_EPOCH', () => {
    expect(httpsRemote('git@github.com:org/repo.git')).toBe('https://github.com/org/repo');
    expect(httpsRemote('https://x-access-token:secret@github.com/org/repo.git')).toBe(
      'https://github.com/org/repo',
    );
    expect(httpsRemote('/local/path')).toBe('');
    expect(createdOf('1700000000', '2026-01-01T00:00:00Z')).toBe('2023-11-14T22:13:20.000Z');
    expect(createdOf(undefined, '2026-01-01T00:00:00+02:00')).toBe('2025-12-31T22:00:00.000Z');
    expect(() => createdOf('yesterday', '2026-01-01T00:00:00Z')).toThrow(/SOURCE_DATE_EPOCH/);
  });
});
