/**
 * Knative Serving: one Service whose revisions scale on request concurrency (to zero when allowed).
 * Knative owns ports, shutdown and the pod spec's riskier fields, so the container drops what its
 * webhook refuses: lifecycle hooks, named ports other than http1, probe ports other than the serving port, pod-level settings.
 */
import type { IService } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { PATHS } from './runtime-contract.js';
import { maxReplicasOf } from './scaling.js';
import { labelsOf, metadataOf, runtimeContainer, TMP_VOLUME, type Workload } from './workload.js';

/** Knative's queue-proxy forwards to this port (and sets PORT to it). */
export const KNATIVE_PORT = 8080;

export function knativeServiceOf(w: Workload): IService {
  const base = runtimeContainer(w, { port: KNATIVE_PORT, preStop: false });
  const { startupProbe: _startup, lifecycle: _lifecycle, volumeMounts, ...container } = base;
  // Concurrency per replica: enough to fill a batch, as the runtime's batching wants.
  const target = Math.max(1, w.facts.maxBatchSize);
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: metadataOf(w),
    spec: {
      template: {
        metadata: {
          labels: labelsOf(w),
          annotations: {
            'autoscaling.knative.dev/min-scale': String(w.options.replicas),
            'autoscaling.knative.dev/max-scale': String(maxReplicasOf(w)),
            'autoscaling.knative.dev/metric': 'concurrency',
            'autoscaling.knative.dev/target': String(target),
            // The first revision is ready only after the models load: give it the startup budget.
            'serving.knative.dev/progress-deadline': `${w.sizing.startupSeconds + 60}s`,
          },
        },
        spec: {
          containers: [
            {
              ...container,
              ports: [{ name: 'http1', containerPort: KNATIVE_PORT }],
              livenessProbe: { httpGet: { path: PATHS.live, port: KNATIVE_PORT }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: PATHS.ready, port: KNATIVE_PORT }, periodSeconds: 5 },
              ...(volumeMounts ? { volumeMounts } : {}),
            },
          ],
          volumes: [TMP_VOLUME],
          ...(w.sizing.nodeSelector ? { nodeSelector: w.sizing.nodeSelector } : {}),
          ...(w.sizing.tolerations ? { tolerations: w.sizing.tolerations } : {}),
        },
      },
    },
  };
}
