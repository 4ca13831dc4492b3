/**
 * A NetworkPolicy for the runtime: traffic in on the HTTP port only (API calls, probes, Prometheus
 * scrapes all use it), nothing out. The runtime loads its models from the image and calls nothing,
 * so denying egress costs it nothing and contains a compromised process.
 */
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { metadataOf, PORT_NAME, serviceLabelOf, type Workload } from './workload.js';

export function networkPolicyOf(w: Workload): INetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadataOf(w),
    spec: {
      podSelector: { matchLabels: serviceLabelOf(w) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: PORT_NAME }] }],
      egress: [],
    },
  };
}
