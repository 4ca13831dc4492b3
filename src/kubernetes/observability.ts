/**
 * Prometheus scraping through prometheus-operator: a ServiceMonitor for the runtime's /metrics. The
 * pod-template-hash labels are copied onto every series, so queries (and the canary judge) can tell
 * canary pods from stable pods during an Argo rollout; Flagger's pods differ by name.
 */
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { PATHS } from './runtime-contract.js';
import { metadataOf, PORT_NAME, selectorOf, serviceLabelOf, type Workload } from './workload.js';

/** Becomes the series label `rollouts_pod_template_hash` (Prometheus replaces '-' with '_'). */
export const ROLLOUT_HASH_LABEL = 'rollouts-pod-template-hash';
export const SCRAPE_INTERVAL = '15s';

export function serviceMonitorOf(w: Workload): IServiceMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: metadataOf(w),
    spec: {
      selector: { matchLabels: selectorOf(w) },
      endpoints: [{ port: PORT_NAME, path: PATHS.metrics, interval: SCRAPE_INTERVAL }],
      podTargetLabels: [ROLLOUT_HASH_LABEL, 'app.kubernetes.io/version'],
    },
  };
}

/**
 * For Flagger, which creates the Services itself (`<name>`, `-primary`, `-canary`) with labels of its
 * own: scrape the pods directly, stable and canary, by the label Flagger leaves alone.
 */
export function podMonitorOf(w: Workload): IPodMonitor {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: metadataOf(w),
    spec: {
      selector: { matchLabels: serviceLabelOf(w) },
      podMetricsEndpoints: [{ port: PORT_NAME, path: PATHS.metrics, interval: SCRAPE_INTERVAL }],
      podTargetLabels: ['app.kubernetes.io/version'],
    },
  };
}
