/**
 * `bentoci manifests` end to end: bentos built from bentofiles with and without `resources:` and
 * `cuda_version`, the command run as a process, and the directory built as a cluster would take it:
 * `kubectl kustomize` where kubectl is installed, plus an offline check that needs nothing (the
 * kustomization lists exactly the files written, each parses, every object validates and names and
 * labels agree). A tag is pinned to its digest against a real registry.
 */
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { buildBento } from '../../../src/build/build.js';
import { DOCKER_CONFIG, DOCKER_LAYER_GZIP, OCI_MANIFEST, openRepository } from '../../../src/oci/index.js';
import { homeWithModels, project } from '../../build-support.js';
import { validateObject } from '../../support/kubernetes-schemas.js';
import { missingTool, REGISTRY_BIN, type RegistryFixture, startRegistry } from '../../support/registry.js';
import { tempDir } from '../../support/store-cli.js';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const hasKubectl = (() => {
  try {
    accessSync(KUBECTL, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();

/** Manifests are deep, free-form objects; the assertions say what each path must hold. */
// biome-ignore lint/suspicious/noExplicitAny: reading nested manifest fields in assertions
type Manifest = Record<string, any>;

const digest = `sha256:${'d'.repeat(64)}`;
const image = `ghcr.io/acme/iris@${digest}`;

function bentofile(extra: string): string {
  return `service:
  name: iris_classifier
  apis:
    - name: predict
      model: iris:latest
      batching: { max_batch_size: 64, max_latency_ms: 10 }
${extra}`;
}

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI from the sources (dist/ is rebuilt separately), as a process with its own home. */
function bentoci(args: string[], home: string): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, BENTOCI_HOME: home, BENTOCI_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function docsOf(path: string): Promise<Manifest[]> {
  return YAML.parseAllDocuments(await readFile(path, 'utf8')).map((d) => d.toJS() as Manifest);
}

/**
 * What `kubectl kustomize` checks without a cluster, done here: the kustomization parses and lists
 * files that exist in the directory, every YAML file of the directory is listed or is a known extra,
 * and each listed file holds Kubernetes objects. Returns the objects.
 */
async function offlineBuild(dir: string, extras: string[] = []): Promise<Manifest[]> {
  const kustomization = YAML.parse(await readFile(join(dir, 'kustomization.yaml'), 'utf8')) as {
    kind: string;
    resources: string[];
    namespace?: string;
  };
  expect(kustomization.kind).toBe('Kustomization');
  const files = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.yaml') && e.name !== 'kustomization.yaml')
    .map((e) => e.name)
    .sort();
  expect([...kustomization.resources, ...extras].sort()).toEqual(files);
  const objects: Manifest[] = [];
  for (const file of kustomization.resources) objects.push(...(await docsOf(join(dir, file))));
  for (const o of objects) {
    expect(o.apiVersion).toBeTruthy();
    expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    if (kustomization.namespace) expect(o.metadata.namespace).toBe(kustomization.namespace);
  }
  return objects;
}

async function kustomize(dir: string): Promise<Manifest[]> {
  const { stdout } = await run(KUBECTL, ['kustomize', dir], { timeout: 60_000 });
  return YAML.parseAllDocuments(stdout).map((d) => d.toJS() as Manifest);
}

let home: string;
let cpuTag: string;
let cudaTag: string;
let out: string;

beforeAll(async () => {
  home = await homeWithModels();
  out = await tempDir('manifests-out');
  const cpu = await buildBento({
    home,
    context: await project({ 'bentofile.yaml': bentofile('resources: { cpu: "500m", memory: 1Gi }\n') }),
  });
  cpuTag = `${cpu.bento.info.name}:${cpu.bento.info.version}`;
  const cuda = await buildBento({
    home,
    context: await project({
      'bentofile.yaml': bentofile(
        'docker: { cuda_version: "12.4" }\nresources: { cpu: 4, memory: 8Gi, gpu: 1 }\n',
      ),
    }),
  });
  cudaTag = `${cuda.bento.info.name}:${cuda.bento.info.version}`;
}, 120_000);

describe('bentoci manifests', () => {
  it('writes a kustomize directory for a CPU bento: resources from the bentofile, no GPU, every object valid', async () => {
    const dir = join(out, 'cpu');
    const result = await bentoci(
      ['manifests', cpuTag, '--image', image, '--out', dir, '--namespace', 'ml', '--json'],
      home,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const written = JSON.parse(result.stdout) as { name: string; image: string; files: string[] };
    expect(written).toMatchObject({ name: 'iris-classifier', image });
    const objects = await offlineBuild(dir);
    expect(objects.map((o) => o.kind)).toEqual([
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'ServiceMonitor',
      'NetworkPolicy',
    ]);
    for (const o of objects) validateObject(o);
    const container = objects[0]!.spec.template.spec.containers[0];
    expect(container.resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { memory: '1Gi' },
    });
    expect(JSON.stringify(objects)).not.toMatch(/nvidia|tolerations/);
    expect(objects[0]!.metadata.annotations['bentoci.dev/bento']).toBe(cpuTag);
  }, 120_000);

  it('a CUDA bento gets its GPU request, node selector and toleration', async () => {
    const dir = join(out, 'cuda');
    const result = await bentoci(['manifests', cudaTag, '--image', image, '--out', dir], home);
    expect(result.code).toBe(0);
    const [deployment] = await docsOf(join(dir, 'deployment.yaml'));
    const pod = deployment!.spec.template.spec;
    expect(pod.containers[0].resources.limits).toEqual({ memory: '8Gi', 'nvidia.com/gpu': '1' });
    expect(pod.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  }, 120_000);

  it.skipIf(!hasKubectl)(
    'kubectl kustomize builds every kind, the Argo and Flagger directories and the judge',
    async () => {
      const cases: [string, string[]][] = [
        ['k-deploy', ['--rollouts', '--judge', '--autoscale', 'queue', '--namespace', 'ml']],
        ['k-kserve', ['--kind', 'kserve', '--model-uri', 'oci://ghcr.io/acme/iris-model:v1']],
        ['k-knative', ['--kind', 'knative']],
      ];
      for (const [name, flags] of cases) {
        const dir = join(out, name);
        const result = await bentoci(['manifests', cudaTag, '--image', image, '--out', dir, ...flags], home);
        expect(result.code, result.stderr).toBe(0);
        const extras = flags.includes('queue') ? ['prometheus-adapter-values.yaml'] : [];
        const offline = await offlineBuild(dir, extras);
        const built = await kustomize(dir);
        expect(built.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
          offline.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
        );
        for (const o of built) validateObject(o);
      }
      const judge = await kustomize(join(out, 'k-deploy', 'judge'));
      expect(judge.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service']);
      expect(judge.every((o) => o.metadata.namespace === 'ml')).toBe(true);
      for (const o of judge) validateObject(o);
      const argo = await kustomize(join(out, 'k-deploy', 'rollouts', 'argo'));
      expect(argo.map((o) => o.kind).sort()).toEqual([
        'AnalysisTemplate',
        'HorizontalPodAutoscaler',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Rollout',
        'Service',
        'ServiceMonitor',
      ]);
      for (const o of argo) validateObject(o);
      const analysis = argo.find((o) => o.kind === 'AnalysisTemplate')!;
      expect(analysis.spec.metrics[0].provider.web.url).toBe('http://bentoci-judge.ml.svc:8080/v1/argo');
      const flagger = await kustomize(join(out, 'k-deploy', 'rollouts', 'flagger'));
      expect(flagger.map((o) => o.kind).sort()).toEqual([
        'Canary',
        'Deployment',
        'HorizontalPodAutoscaler',
        'NetworkPolicy',
        'PodDisruptionBudget',
        'PodMonitor',
      ]);
      expect(await offlineBuild(join(out, 'k-deploy', 'rollouts', 'flagger'))).toHaveLength(flagger.length);
    },
    300_000,
  );

  it('bad input: one line naming the flag and the fix, exit 2', async () => {
    const noImage = await bentoci(['manifests', cpuTag, '--out', join(out, 'x')], home);
    expect(noImage.code).toBe(2);
    expect(noImage.stderr.trim().split('\n')).toHaveLength(1);
    expect(noImage.stderr).toMatch(/needs --image: the pushed image of this bento, by digest/);
    const kind = await bentoci(['manifests', cpuTag, '--image', image, '--kind', 'statefulset'], home);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/invalid --kind: "statefulset" is not one of deployment, kserve, knative/);
    // Every bad option at once, each named as its flag, before the target is looked at.
    const several = await bentoci(
      ['manifests', 'no-such:bento', '--kind', 'helm', '--namespace', 'ML', '--prometheus', 'ftp://p'],
      home,
    );
    expect(several.code).toBe(2);
    expect(several.stderr.trim().split('\n')).toHaveLength(1);
    expect(several.stderr).toMatch(
      /invalid --kind: "helm".*; invalid --namespace: "ML" is not a Kubernetes name.*; invalid --prometheus: expected an http\(s\) URL/,
    );
    const max = await bentoci(
      ['manifests', cpuTag, '--image', image, '--replicas', '4', '--max-replicas', '2'],
      home,
    );
    expect(max.stderr).toMatch(/invalid --max-replicas 2: at least --replicas \(4\)/);
    const modelUri = await bentoci(
      ['manifests', image, '--kind', 'knative', '--model-uri', 'oci://r.example/m:1'],
      home,
    );
    expect(modelUri.code).toBe(2);
    expect(modelUri.stderr).toMatch(/--model-uri is for --kind kserve/);
  }, 120_000);
});

const noRegistry = missingTool(REGISTRY_BIN);

describe.skipIf(noRegistry)('pinning a tag to its digest', () => {
  let registry: RegistryFixture;
  beforeAll(async () => {
    registry = await startRegistry();
  }, 60_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('resolves --image by tag against the registry, and names the tag when it is missing', async () => {
    const repo = await openRepository(`${registry.url}/acme/iris`, { insecure: true, push: true });
    const config = await repo.putBlob(
      Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]}}'),
      DOCKER_CONFIG,
    );
    const layer = await repo.putBlob(Buffer.from('layer'), DOCKER_LAYER_GZIP);
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }),
    );
    const pushed = await repo.putManifest('v1', manifest, OCI_MANIFEST);
    const dir = join(out, 'pinned');
    const result = await bentoci(
      ['manifests', cpuTag, '--image', `${registry.host}/acme/iris:v1`, '--insecure', '--out', dir],
      home,
    );
    expect(result.code, result.stderr).toBe(0);
    const [deployment] = await docsOf(join(dir, 'deployment.yaml'));
    expect(deployment!.spec.template.spec.containers[0].image).toBe(`${registry.host}/acme/iris@${pushed}`);
    const missing = await bentoci(
      ['manifests', `${registry.host}/acme/iris:v9`, '--insecure', '--out', dir],
      home,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /the tag v9 is not in .*acme\/iris \(push the image first, or pass it by digest\)/,
    );
  }, 120_000);
});
