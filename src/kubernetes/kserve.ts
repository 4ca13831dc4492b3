/**
 * KServe: a ServingRuntime that runs the bentoci runtime (Open Inference Protocol v2 on its port) and
 * an InferenceService that uses it. The predictor serves the models inside the bento image, or, with
 * `--model-uri oci://...`, a model pushed as a model image, which KServe mounts at /mnt/models
 * (modelcar) and the runtime serves as a model directory. RawDeployment mode: a Deployment, Service
 * and HPA, no Knative needed.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import { ENV, PATHS } from './runtime-contract.js';
import { CPU_TARGET_PERCENT, maxReplicasOf } from './scaling.js';
import { metadataOf, resourcesOf, runtimeContainer, TMP_VOLUME, type Workload } from './workload.js';

/** KServe routes to this container name and port. */
export const KSERVE_CONTAINER = 'kserve-container';
export const KSERVE_PORT = 8080;
/** Where KServe puts the files of `storageUri` (the modelcar's /models). */
export const KSERVE_MODEL_DIR = '/mnt/models';
/** Our own format name, so the runtime is never auto-selected for another ISVC's ONNX model. */
export const MODEL_FORMAT = { name: 'bentoci', version: '1' } as const;

export interface KServeObject {
  apiVersion: 'serving.kserve.io/v1alpha1' | 'serving.kserve.io/v1beta1';
  kind: 'ServingRuntime' | 'InferenceService';
  metadata: ReturnType<typeof metadataOf>;
  spec: Record<string, unknown>;
}

export function runtimeName(w: Workload): string {
  return `${w.name.slice(0, 55).replace(/-+$/, '')}-runtime`;
}

function kserveContainer(w: Workload): IContainer {
  const base = runtimeContainer(w, {
    port: KSERVE_PORT,
    name: KSERVE_CONTAINER,
    ...(w.options.modelUri ? { env: [{ name: ENV.bentoDir, value: KSERVE_MODEL_DIR }] } : {}),
  });
  // Probes by number: KServe's pod mutation adds containers of its own and names no ports.
  const probe = (path: string) => ({ httpGet: { path, port: KSERVE_PORT } });
  return {
    ...base,
    ports: [{ containerPort: KSERVE_PORT, protocol: 'TCP' }],
    startupProbe: { ...base.startupProbe, ...probe(PATHS.live) },
    livenessProbe: { ...base.livenessProbe, ...probe(PATHS.live) },
    readinessProbe: { ...base.readinessProbe, ...probe(PATHS.v2Ready) },
  };
}

export function servingRuntimeOf(w: Workload): KServeObject {
  return {
    apiVersion: 'serving.kserve.io/v1alpha1',
    kind: 'ServingRuntime',
    metadata: metadataOf(w, runtimeName(w)),
    spec: {
      supportedModelFormats: [{ ...MODEL_FORMAT, autoSelect: true }],
      protocolVersions: ['v2'],
      containers: [kserveContainer(w)],
      // The container's /tmp under a read-only root filesystem.
      volumes: [TMP_VOLUME],
    },
  };
}

export function inferenceServiceOf(w: Workload): KServeObject {
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: metadataOf(w, w.name, {
      annotations: {
        'serving.kserve.io/deploymentMode': 'RawDeployment',
        'serving.kserve.io/autoscalerClass': 'hpa',
      },
    }),
    spec: {
      predictor: {
        minReplicas: w.options.replicas,
        maxReplicas: maxReplicasOf(w),
        scaleMetric: 'cpu',
        scaleTarget: CPU_TARGET_PERCENT,
        ...(w.sizing.nodeSelector ? { nodeSelector: w.sizing.nodeSelector } : {}),
        ...(w.sizing.tolerations ? { tolerations: w.sizing.tolerations } : {}),
        model: {
          modelFormat: { ...MODEL_FORMAT },
          runtime: runtimeName(w),
          protocolVersion: 'v2',
          ...(w.options.modelUri ? { storageUri: w.options.modelUri } : {}),
          resources: resourcesOf(w),
        },
      },
    },
  };
}
