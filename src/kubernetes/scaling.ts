/**
 * How many replicas run: a HorizontalPodAutoscaler (CPU utilization by default; or the runtime's
 * queue depth through the Prometheus adapter's external metrics API) and a PodDisruptionBudget that
 * lets voluntary evictions take one replica at a time.
 */
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { METRICS } from './runtime-contract.js';
import { metadataOf, serviceLabelOf, type Workload } from './workload.js';

/** CPU utilization (of the request) the HPA keeps: headroom for a burst while a new replica starts. */
export const CPU_TARGET_PERCENT = 70;

export function maxReplicasOf(w: Workload): number {
  return w.options.maxReplicas ?? w.options.replicas * 4;
}

/**
 * The queue target: the rows one replica can take in a single batch. More queued rows per replica
 * than that means requests wait for a second batch, which is when another replica helps.
 */
export function queueTargetOf(w: Workload): number {
  return w.facts.maxBatchSize;
}

/** What the HPA scales: the Deployment, or an Argo Rollout in its place. */
export type ScaleTarget =
  | { apiVersion: 'apps/v1'; kind: 'Deployment' }
  | { apiVersion: 'argoproj.io/v1alpha1'; kind: 'Rollout' };

export function autoscalerOf(
  w: Workload,
  target: ScaleTarget = { apiVersion: 'apps/v1', kind: 'Deployment' },
): IHorizontalPodAutoscaler {
  const metric =
    w.options.autoscale === 'queue'
      ? {
          type: 'External' as const,
          external: {
            metric: { name: METRICS.queueDepth, selector: { matchLabels: { service: w.name } } },
            target: { type: 'AverageValue' as const, averageValue: String(queueTargetOf(w)) },
          },
        }
      : {
          type: 'Resource' as const,
          resource: {
            name: 'cpu',
            target: { type: 'Utilization' as const, averageUtilization: CPU_TARGET_PERCENT },
          },
        };
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadataOf(w),
    spec: {
      scaleTargetRef: { ...target, name: w.name },
      minReplicas: w.options.replicas,
      maxReplicas: maxReplicasOf(w),
      metrics: [metric],
      // Scale down slowly: a replica costs a model load to bring back.
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 300,
          policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
        },
      },
    },
  };
}

export function disruptionBudgetOf(w: Workload): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadataOf(w),
    spec: { maxUnavailable: 1, selector: { matchLabels: serviceLabelOf(w) } },
  };
}

/**
 * The Prometheus adapter rule that serves `bentoci_queue_depth` as an external metric (Helm values of
 * prometheus-community/prometheus-adapter). The `service` label comes from the ServiceMonitor's
 * scrape; the HPA's namespace is matched through the `namespace` label.
 */
export function adapterValuesOf(): object {
  return {
    rules: {
      external: [
        {
          seriesQuery: `${METRICS.queueDepth}{namespace!="",service!=""}`,
          resources: { overrides: { namespace: { resource: 'namespace' } } },
          name: { as: METRICS.queueDepth },
          metricsQuery: 'sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
        },
      ],
    },
  };
}
