/**
 * `bentoci manifests` objects, validated as a cluster would (support/kubernetes-schemas.ts): every
 * kind for a CPU bento and a CUDA bento, the rollout files from the same workload, and the judge
 * server's own manifests. Plus what each object must say: GPUs only for CUDA, probes, shutdown,
 * security, and the runtime settings the runtime really reads.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { USAGE } from '../../../runtime/config.js';
import { judgeManifests } from '../../../src/canary/judge-manifests.js';
import { argoRolloutManifests, flaggerManifests } from '../../../src/canary/rollout.js';
import { defaultThresholds } from '../../../src/canary/thresholds.js';
import { OptionError, OptionErrors, UsageError } from '../../../src/core/errors.js';
import { generateManifests } from '../../../src/kubernetes/generate.js';
import { manifestOptionsOf } from '../../../src/kubernetes/options.js';
import { argoDirectory, flaggerDirectory } from '../../../src/kubernetes/rollout-dirs.js';
import { ENV, METRICS, PATHS } from '../../../src/kubernetes/runtime-contract.js';
import type { ServiceFacts } from '../../../src/kubernetes/service-facts.js';
import { parseManifestsOptions } from '../../../src/operations/manifests.js';
import { validateObject } from '../../support/kubernetes-schemas.js';

/** Manifests are deep, free-form objects; the assertions say what each path must hold. */
// biome-ignore lint/suspicious/noExplicitAny: reading nested manifest fields in assertions
type Manifest = Record<string, any>;

const image = `ghcr.io/acme/iris@sha256:${'c'.repeat(64)}`;
const cpu: ServiceFacts = {
  name: 'iris-classifier',
  version: 'v7abc',
  bento: 'iris_classifier:v7abc',
  cuda: false,
  resources: { cpu: '2', memory: '1Gi' },
  modelBytes: 40 * 1000 * 1000,
  maxBatchSize: 64,
};
const cuda: ServiceFacts = {
  ...cpu,
  name: 'resnet',
  cuda: true,
  resources: { cpu: 4, gpu: 2, gpu_type: 'NVIDIA-A10G' },
};

/** The generators' options as the manifests operation reads them, with the image it resolved. */
function optionsOf(flags: Record<string, unknown> = {}, resolved = image) {
  return manifestOptionsOf(parseManifestsOptions({ target: 'iris_classifier:v7abc', ...flags }), resolved);
}

function objects(facts: ServiceFacts, flags: Record<string, unknown> = {}): Manifest[] {
  const set = generateManifests(facts, optionsOf(flags));
  return set.resources.flatMap((f) => f.objects) as Manifest[];
}

const byKind = (docs: Manifest[], kind: string) => docs.find((d) => d.kind === kind)!;

/**
 * What the schemas cannot see and the kubelet refuses: a volumeMount without its volume in the same
 * pod spec (a ServingRuntime's spec is the pod spec KServe builds from).
 */
function expectMountsResolve(doc: Manifest): void {
  const pod = doc.kind === 'ServingRuntime' ? doc.spec : doc.spec?.template?.spec;
  if (!pod?.containers) return;
  const volumes = new Set((pod.volumes ?? []).map((v: { name: string }) => v.name));
  for (const c of pod.containers)
    for (const m of c.volumeMounts ?? [])
      expect(volumes.has(m.name), `${doc.kind} mounts ${m.name}`).toBe(true);
}

describe('generated objects validate against the official schemas', () => {
  const cases: [string, ServiceFacts, Record<string, unknown>][] = [
    ['deployment, CPU', cpu, {}],
    [
      'deployment, CUDA, queue autoscaling, namespace',
      cuda,
      { autoscale: 'queue', namespace: 'ml', replicas: 3 },
    ],
    ['kserve, bento image', cpu, { kind: 'kserve' }],
    [
      'kserve, model image (modelcar), CUDA',
      cuda,
      { kind: 'kserve', modelUri: 'oci://ghcr.io/acme/resnet-model:v1' },
    ],
    ['knative, CPU', cpu, { kind: 'knative' }],
    ['knative, CUDA', cuda, { kind: 'knative' }],
  ];
  it.each(cases)(
    '%s',
    (_label, facts, flags) => {
      const docs = objects(facts, flags);
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) validateObject(doc);
      for (const doc of docs) expectMountsResolve(doc);
    },
    240_000,
  );

  it('Argo Rollouts and Flagger, with Prometheus checks and with the judge, and the judge server', () => {
    const t = defaultThresholds();
    for (const judgeUrl of [undefined, 'http://bentoci-judge.ml.svc:8080']) {
      const options = { name: 'iris', image, facts: cuda, ...(judgeUrl ? { judgeUrl } : {}) };
      for (const doc of argoRolloutManifests(t, options) as Manifest[]) validateObject(doc);
      // Flagger publishes no schema package: its Deployment is checked, its own kinds by shape below.
      const flagger = flaggerManifests(t, options) as Manifest[];
      validateObject(byKind(flagger, 'Deployment'));
    }
    for (const doc of judgeManifests(t, { prometheusAddress: 'http://prometheus:9090', namespace: 'ml' })) {
      validateObject(doc);
      expectMountsResolve(doc as Manifest);
    }
  });

  it('the validators refuse what a cluster would refuse (so the checks above can fail)', () => {
    const deployment = byKind(objects(cpu), 'Deployment');
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(() => validateObject(deployment)).toThrow(/containerPort/);
    const isvc = byKind(objects(cpu, { kind: 'kserve' }), 'InferenceService');
    isvc.spec.predictor.model.protocol = 'v2';
    expect(() => validateObject(isvc)).toThrow(/additional properties/);
    expect(() => validateObject({ apiVersion: 'example.com/v1', kind: 'Thing' })).toThrow(/no schema/);
  }, 240_000);
});

describe('what the objects say', () => {
  it('a CUDA bento asks for its GPUs and tolerates GPU nodes; a CPU bento mentions no GPU', () => {
    const gpu = byKind(objects(cuda), 'Deployment').spec.template.spec;
    expect(gpu.containers[0].resources).toEqual({
      requests: { cpu: '4', memory: '640Mi', 'nvidia.com/gpu': '2' },
      limits: { memory: '640Mi', 'nvidia.com/gpu': '2' },
    });
    expect(gpu.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A10G' });
    expect(gpu.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    const plainCuda = byKind(objects({ ...cuda, resources: {} }), 'Deployment').spec.template.spec;
    expect(plainCuda.containers[0].resources.limits['nvidia.com/gpu']).toBe('1');
    expect(plainCuda.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    const isvc = byKind(objects(cuda, { kind: 'kserve' }), 'InferenceService');
    expect(isvc.spec.predictor.tolerations).toHaveLength(1);
    expect(isvc.spec.predictor.model.resources.limits['nvidia.com/gpu']).toBe('2');

    for (const kind of ['deployment', 'kserve', 'knative']) {
      const text = YAML.stringify(objects(cpu, { kind }));
      expect(text).not.toMatch(/nvidia|tolerations|nodeSelector/);
    }
  });

  it('names every object with an RFC 1035 label, and refuses names a kind cannot take', async () => {
    const { kubernetesName } = await import('../../../src/kubernetes/service-facts.js');
    expect(kubernetesName('iris_classifier.v2')).toBe('iris-classifier-v2');
    expect(kubernetesName('3d_model')).toBe('bento-3d-model');
    expect(() => objects(cpu, { name: '3d-model' })).toThrow(
      /invalid `name`: "3d-model" is not a Kubernetes name.*starting with a letter/,
    );
    expect(() => objects(cpu, { kind: 'kserve', name: `a${'b'.repeat(53)}` })).toThrow(
      /at most 53: pass a shorter `name`/,
    );
  });

  it('refuses GPUs for a bento without CUDA, with the fix in the message', () => {
    expect(() => objects({ ...cpu, resources: { gpu: 1 } })).toThrow(UsageError);
    expect(() => objects({ ...cpu, resources: { gpu: 1 } })).toThrow(/set cuda_version in bentofile.yaml/);
  });

  it('reads the options as one schema: each bad option an OptionError with its key, all at once', () => {
    const caught = (fn: () => unknown): unknown => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      throw new Error('expected a throw');
    };
    const one = caught(() => parseManifestsOptions({ target: 'iris', kind: 'helm' }));
    expect(one).toBeInstanceOf(OptionError);
    expect((one as OptionError).option).toBe('kind');
    expect((one as Error).message).toBe('invalid `kind`: "helm" is not one of deployment, kserve, knative');
    const several = caught(() =>
      parseManifestsOptions({ target: 'iris', namespace: 'ML', replicas: 0, prometheus: 'ftp://x' }),
    );
    expect(several).toBeInstanceOf(OptionErrors);
    expect((several as OptionErrors).errors.map((e) => e.option)).toEqual([
      'namespace',
      'replicas',
      'prometheus',
    ]);
    const crossed = caught(() => parseManifestsOptions({ target: 'iris', replicas: 4, maxReplicas: 2 }));
    expect((crossed as OptionError).option).toBe('maxReplicas');
    expect((crossed as Error).message).toBe('invalid `maxReplicas` 2: at least `replicas` (4)');
  });

  it('pins the image by digest, probes /livez and /readyz, sizes startup and shutdown, runs locked down', () => {
    expect(() => optionsOf({}, 'ghcr.io/acme/iris:v1')).toThrow(
      /invalid `image` "ghcr.io\/acme\/iris:v1".*by digest/,
    );
    const pod = byKind(objects(cpu), 'Deployment').spec.template.spec;
    const c = pod.containers[0];
    expect(c.image).toBe(image);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/livez', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    // 30s base + 2 x 2s for 40 MB of weights, in 5s periods.
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(34);
    const drain = Number(c.env.find((e: { name: string }) => e.name === 'BENTOCI_DRAIN_TIMEOUT_MS').value);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(
      c.lifecycle.preStop.sleep.seconds + drain / 1000,
    );
    expect(c.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    // preStop already held SIGTERM back until the endpoints were gone: no second wait in the runtime.
    expect(c.env).toContainEqual({ name: 'BENTOCI_DRAIN_DELAY_MS', value: '0' });
    expect(c.env).toContainEqual({ name: 'BENTOCI_WORKERS', value: '1' });
    expect(c.env).toContainEqual({ name: 'BENTOCI_THREADS', value: '2' });
  });

  it('relies only on what the runtime has: its variables, endpoints and metric names', async () => {
    const router = await readFile('runtime/http/router.ts', 'utf8');
    for (const path of Object.values(PATHS)) expect(router).toContain(`'${path}'`);
    const metrics = await readFile('runtime/metrics.ts', 'utf8');
    for (const name of Object.values(METRICS)) expect(metrics).toContain(`'${name}'`);
    for (const name of Object.values(ENV))
      expect(USAGE.includes(name) || name === 'BENTOCI_BENTO_DIR').toBe(true);
    for (const kind of ['deployment', 'kserve', 'knative']) {
      const docs = objects(cpu, { kind, ...(kind === 'kserve' ? { modelUri: 'oci://r.example/m:1' } : {}) });
      const names = [...YAML.stringify(docs).matchAll(/name: (BENTOCI_[A-Z_]+)/g)].map((m) => m[1]!);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(USAGE.includes(name) || name === 'BENTOCI_BENTO_DIR').toBe(true);
    }
  });

  it('HPA on CPU, or on the queue depth as an external metric; PDB, ServiceMonitor, NetworkPolicy agree on labels', () => {
    const docs = objects(cpu);
    const hpa = byKind(docs, 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics[0].resource).toEqual({
      name: 'cpu',
      target: { type: 'Utilization', averageUtilization: 70 },
    });
    expect(hpa.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 8,
      scaleTargetRef: { kind: 'Deployment', name: 'iris-classifier' },
    });
    const queue = byKind(objects(cpu, { autoscale: 'queue' }), 'HorizontalPodAutoscaler');
    expect(queue.spec.metrics[0]).toEqual({
      type: 'External',
      external: {
        metric: { name: 'bentoci_queue_depth', selector: { matchLabels: { service: 'iris-classifier' } } },
        target: { type: 'AverageValue', averageValue: '64' },
      },
    });
    const selector = byKind(docs, 'Deployment').spec.selector.matchLabels;
    const podLabels = byKind(docs, 'Deployment').spec.template.metadata.labels;
    expect(podLabels).toMatchObject(selector);
    expect(byKind(docs, 'Service').spec.selector).toEqual(selector);
    // Flagger relabels its primary's selector label; this one it keeps, so both sides are covered.
    const service = { 'bentoci.dev/service': 'iris-classifier' };
    expect(podLabels).toMatchObject(service);
    expect(byKind(docs, 'PodDisruptionBudget').spec.selector.matchLabels).toEqual(service);
    expect(byKind(docs, 'NetworkPolicy').spec.podSelector.matchLabels).toEqual(service);
    const monitor = byKind(docs, 'ServiceMonitor');
    expect(byKind(docs, 'Service').metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
    expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '15s' }]);
    expect(monitor.spec.podTargetLabels).toContain('rollouts-pod-template-hash');
  });

  it('KServe speaks the Open Inference Protocol v2 and serves a model image from storageUri', () => {
    const [runtime, isvc] = objects(cpu, { kind: 'kserve', modelUri: 'oci://ghcr.io/acme/iris-model:v1' });
    expect(runtime!.spec.protocolVersions).toEqual(['v2']);
    expect(runtime!.spec.containers[0]).toMatchObject({ name: 'kserve-container', image });
    expect(runtime!.spec.containers[0].env).toContainEqual({
      name: 'BENTOCI_BENTO_DIR',
      value: '/mnt/models',
    });
    expect(runtime!.spec.containers[0].readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(isvc!.spec.predictor.model).toMatchObject({
      protocolVersion: 'v2',
      runtime: runtime!.metadata.name,
      storageUri: 'oci://ghcr.io/acme/iris-model:v1',
      modelFormat: { name: 'bentoci' },
    });
    const [, own] = objects(cpu, { kind: 'kserve' });
    expect(own!.spec.predictor.model.storageUri).toBeUndefined();
    expect(() => objects(cpu, { modelUri: 'oci://ghcr.io/acme/m:1' })).toThrow(
      /`modelUri` is for `kind: kserve`/,
    );
  });

  it('the rollout files share the workload: same container, labels and Service as the Deployment', () => {
    const t = defaultThresholds();
    const docs = objects(cpu, { name: 'iris' });
    const deployment = byKind(docs, 'Deployment');
    const options = { name: 'iris', image, facts: cpu, replicas: 2 };
    const argo = argoRolloutManifests(t, options) as Manifest[];
    const flagger = flaggerManifests(t, options) as Manifest[];
    expect(byKind(argo, 'Rollout').spec.template).toEqual(deployment.spec.template);
    expect(byKind(argo, 'Rollout').spec.selector).toEqual(deployment.spec.selector);
    expect(byKind(argo, 'Service')).toEqual(byKind(docs, 'Service'));
    expect(byKind(flagger, 'Deployment').spec.template).toEqual(deployment.spec.template);
    expect(byKind(flagger, 'Canary').spec.service).toEqual({ port: 80, targetPort: 'http' });
  });

  it('rollout directories: Argo scales the Rollout, Flagger hands its HPA over and is scraped by PodMonitor', () => {
    const t = defaultThresholds();
    const set = generateManifests(cuda, optionsOf({ name: 'iris', namespace: 'ml' }));
    const options = {
      name: 'iris',
      image,
      facts: cuda,
      namespace: 'ml',
      judgeUrl: 'http://bentoci-judge.ml.svc:8080',
    };
    const argo = argoDirectory(set.workload, t, options).flatMap((f) => f.objects) as Manifest[];
    const flagger = flaggerDirectory(set.workload, t, options).flatMap((f) => f.objects) as Manifest[];
    for (const o of [...argo, ...flagger.filter((o) => !['Canary', 'MetricTemplate'].includes(o.kind))]) {
      validateObject(o);
      expectMountsResolve(o);
    }
    expect(byKind(argo, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'iris',
    });
    expect(argo.map((o) => o.kind)).not.toContain('Deployment');
    const canary = byKind(flagger, 'Canary');
    expect(canary.spec.autoscalerRef).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      name: 'iris',
    });
    expect(byKind(flagger, 'Deployment').spec.replicas).toBeUndefined();
    expect(flagger.map((o) => o.kind)).not.toContain('Service');
    const podMonitor = byKind(flagger, 'PodMonitor');
    expect(byKind(flagger, 'Deployment').spec.template.metadata.labels).toMatchObject(
      podMonitor.spec.selector.matchLabels,
    );
    expect(podMonitor.spec.selector.matchLabels).toEqual({ 'bentoci.dev/service': 'iris' });
    expect([...argo, ...flagger].every((o) => o.metadata.namespace === 'ml')).toBe(true);
  });

  it('with a judge URL, Argo asks the judge server through the Web provider and Flagger through a rollout webhook', () => {
    const t = defaultThresholds();
    const options = { name: 'iris', image, judgeUrl: 'http://bentoci-judge.ml.svc:8080' };
    const analysis = byKind(argoRolloutManifests(t, options) as Manifest[], 'AnalysisTemplate');
    expect(analysis.spec.metrics).toHaveLength(1);
    const metric = analysis.spec.metrics[0];
    expect(metric).toMatchObject({
      successCondition: 'result == "pass"',
      failureCondition: 'result == "fail"',
    });
    expect(metric.provider.web).toMatchObject({
      method: 'POST',
      url: 'http://bentoci-judge.ml.svc:8080/v1/argo',
      jsonPath: '{$.gate}',
      jsonBody: {
        canaryHash: '{{args.canary-hash}}',
        stableHash: '{{args.stable-hash}}',
        namespace: '{{args.namespace}}',
      },
    });
    const rollout = byKind(argoRolloutManifests(t, options) as Manifest[], 'Rollout');
    expect(rollout.spec.strategy.canary.analysis.args).toContainEqual({
      name: 'namespace',
      valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
    });
    const canary = byKind(flaggerManifests(t, options) as Manifest[], 'Canary');
    expect(canary.spec.analysis.metrics).toEqual([]);
    expect(canary.spec.analysis.webhooks).toEqual([
      {
        name: 'bentoci-judge',
        type: 'rollout',
        url: 'http://bentoci-judge.ml.svc:8080/v1/flagger',
        timeout: '30s',
        metadata: { window: '5m' },
      },
    ]);
  });
});
