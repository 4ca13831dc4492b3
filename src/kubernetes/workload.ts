/**
 * The workload every generated file shares: names, labels, the runtime container (probes, shutdown,
 * security, resources, env) and its pod template; then the Deployment and Service built on them.
 * Argo Rollouts, Flagger, KServe and Knative files reuse these pieces, so ports, probes and labels
 * agree across every kind.
 */

import type { IIoK8sApimachineryPkgApisMetaV1ObjectMeta as ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import { IMAGE } from '../containerize/layout.js';
import type { ManifestOptions } from './options.js';
import { ENV, gracePeriodSeconds, PATHS, SHUTDOWN } from './runtime-contract.js';
import type { ServiceFacts } from './service-facts.js';
import { type Sizing, sizingOf } from './sizing.js';

export interface Workload {
  name: string;
  namespace?: string;
  image: string;
  facts: ServiceFacts;
  options: ManifestOptions;
  sizing: Sizing;
  drainTimeoutMs: number;
}

export const CONTAINER_NAME = 'runtime';
export const PORT_NAME = 'http';
const PROBE_PERIOD_SECONDS = 5;

export function workloadOf(facts: ServiceFacts, options: ManifestOptions): Workload {
  return {
    name: options.name ?? facts.name,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    image: options.image,
    facts,
    options,
    sizing: sizingOf(facts),
    drainTimeoutMs: options.drainTimeoutMs ?? SHUTDOWN.drainTimeoutMs,
  };
}

/** The selector: stable across versions, so a new image rolls the same pods. */
export function selectorOf(w: Workload): Record<string, string> {
  return { 'app.kubernetes.io/name': w.name };
}

/**
 * Selects every pod of the service, stable and canary alike: Flagger rewrites the selector label of
 * its primary pods (`<name>-primary`) but keeps this one, so the PDB, the NetworkPolicy and a
 * PodMonitor cover both.
 */
export function serviceLabelOf(w: Workload): Record<string, string> {
  return { 'bentoci.dev/service': w.name };
}

export function labelsOf(w: Workload): Record<string, string> {
  return {
    ...selectorOf(w),
    ...serviceLabelOf(w),
    'app.kubernetes.io/component': 'inference',
    'app.kubernetes.io/managed-by': 'bentoci',
    ...(w.facts.version ? { 'app.kubernetes.io/version': w.facts.version } : {}),
  };
}

export function metadataOf(w: Workload, name = w.name, extra: Partial<ObjectMeta> = {}): ObjectMeta {
  return {
    name,
    ...(w.namespace ? { namespace: w.namespace } : {}),
    labels: labelsOf(w),
    ...extra,
  };
}

/** The bento an object runs, for people reading the cluster; nothing selects on it. */
function annotationsOf(w: Workload): { annotations?: Record<string, string> } {
  return w.facts.bento ? { annotations: { 'bentoci.dev/bento': w.facts.bento } } : {};
}

export interface ContainerChoices {
  /** Port the runtime listens on. */
  port: number;
  name?: string;
  /** Knative refuses lifecycle hooks and drains by itself. */
  preStop?: boolean;
  /** Environment to add (e.g. where the model is mounted). */
  env?: { name: string; value: string }[];
}

/**
 * The runtime's env: its port, the worker layout for the granted cores, and its drain: the timeout
 * the grace period is sized from, and no delay of its own where preStop already waited.
 */
export function runtimeEnv(w: Workload, port: number, preStop: boolean): { name: string; value: string }[] {
  return [
    { name: ENV.port, value: String(port) },
    { name: ENV.workers, value: String(w.sizing.workers) },
    { name: ENV.threads, value: String(w.sizing.threads) },
    { name: ENV.drainTimeoutMs, value: String(w.drainTimeoutMs) },
    ...(preStop ? [{ name: ENV.drainDelayMs, value: '0' }] : []),
  ];
}

export function resourcesOf(w: Workload): {
  requests: Record<string, string>;
  limits: Record<string, string>;
} {
  return { requests: { ...w.sizing.requests }, limits: { ...w.sizing.limits } };
}

export function runtimeContainer(w: Workload, choices: ContainerChoices): IContainer {
  const probe = (path: string) => ({ httpGet: { path, port: PORT_NAME } });
  return {
    name: choices.name ?? CONTAINER_NAME,
    image: w.image,
    ports: [{ name: PORT_NAME, containerPort: choices.port, protocol: 'TCP' }],
    env: [...runtimeEnv(w, choices.port, choices.preStop !== false), ...(choices.env ?? [])],
    resources: resourcesOf(w),
    // Until the startup probe passes, liveness and readiness are not run: a slow model load is not
    // mistaken for a hung process.
    startupProbe: {
      ...probe(PATHS.live),
      periodSeconds: PROBE_PERIOD_SECONDS,
      failureThreshold: Math.ceil(w.sizing.startupSeconds / PROBE_PERIOD_SECONDS),
    },
    livenessProbe: { ...probe(PATHS.live), periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    // /readyz is 503 until the models are warm and again once draining starts.
    readinessProbe: {
      ...probe(PATHS.ready),
      periodSeconds: PROBE_PERIOD_SECONDS,
      timeoutSeconds: 2,
      failureThreshold: 2,
    },
    ...(choices.preStop === false
      ? {}
      : { lifecycle: { preStop: { sleep: { seconds: SHUTDOWN.preStopSeconds } } } }),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: IMAGE.uid,
      runAsGroup: IMAGE.gid,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    // The root filesystem is read-only; Node and ONNX Runtime may still write temporary files.
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

/** Backs the container's /tmp: the root filesystem is read-only. */
export const TMP_VOLUME = { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } };

export function podSpecOf(w: Workload, container: IContainer): IPodSpec {
  return {
    containers: [container],
    terminationGracePeriodSeconds: gracePeriodSeconds(w.drainTimeoutMs),
    securityContext: { runAsNonRoot: true, fsGroup: IMAGE.gid, seccompProfile: { type: 'RuntimeDefault' } },
    // The runtime calls no Kubernetes API.
    automountServiceAccountToken: false,
    volumes: [TMP_VOLUME],
    ...(w.sizing.nodeSelector ? { nodeSelector: w.sizing.nodeSelector } : {}),
    ...(w.sizing.tolerations ? { tolerations: w.sizing.tolerations } : {}),
  };
}

export function podTemplateOf(w: Workload): IPodTemplateSpec {
  return {
    metadata: { labels: labelsOf(w), ...annotationsOf(w) },
    spec: podSpecOf(w, runtimeContainer(w, { port: w.options.port })),
  };
}

export function deploymentOf(w: Workload): IDeployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadataOf(w, w.name, annotationsOf(w)),
    spec: {
      // No replicas: the HorizontalPodAutoscaler owns the count, and a re-apply must not reset it.
      selector: { matchLabels: selectorOf(w) },
      // Surge first: a replica leaves only when its replacement is ready.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: podTemplateOf(w),
    },
  };
}

export const SERVICE_PORT = 80;

export function serviceOf(w: Workload): IService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadataOf(w),
    spec: {
      selector: selectorOf(w),
      ports: [{ name: PORT_NAME, port: SERVICE_PORT, targetPort: PORT_NAME, protocol: 'TCP' }],
    },
  };
}
