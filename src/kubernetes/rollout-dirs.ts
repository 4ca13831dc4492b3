/**
 * `bentoci manifests --rollouts`: one kustomize directory per progressive-delivery engine, each a
 * complete replacement for the plain one (apply one of the three), built from the same workload.
 *
 * - rollouts/argo: the Service, the Rollout in the Deployment's place with its AnalysisTemplate, the
 *   HPA scaling the Rollout, and the same PDB, ServiceMonitor (pod-template hashes copied onto the
 *   series) and NetworkPolicy.
 * - rollouts/flagger: the Deployment Flagger clones into `<name>-primary`, the Canary (with the HPA
 *   as its autoscalerRef) and its MetricTemplates, the PDB and NetworkPolicy, and a PodMonitor
 *   instead of the ServiceMonitor: Flagger creates the Services itself, with labels of its own.
 */
import { argoRolloutManifests, flaggerManifests, type RolloutOptions } from '../canary/rollout.js';
import type { Thresholds } from '../canary/thresholds.js';
import type { ManifestFile } from './generate.js';
import { networkPolicyOf } from './network.js';
import { podMonitorOf, serviceMonitorOf } from './observability.js';
import { autoscalerOf, disruptionBudgetOf } from './scaling.js';
import type { Workload } from './workload.js';

interface Kinded {
  kind: string;
}

const ofKind = (objects: object[], ...kinds: string[]) =>
  objects.filter((o) => kinds.includes((o as Kinded).kind));

export function argoDirectory(w: Workload, t: Thresholds, options: RolloutOptions): ManifestFile[] {
  const objects = argoRolloutManifests(t, options);
  return [
    { path: 'service.yaml', objects: ofKind(objects, 'Service') },
    { path: 'rollout.yaml', objects: ofKind(objects, 'AnalysisTemplate', 'Rollout') },
    { path: 'hpa.yaml', objects: [autoscalerOf(w, { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' })] },
    { path: 'pdb.yaml', objects: [disruptionBudgetOf(w)] },
    { path: 'servicemonitor.yaml', objects: [serviceMonitorOf(w)] },
    { path: 'networkpolicy.yaml', objects: [networkPolicyOf(w)] },
  ];
}

export function flaggerDirectory(w: Workload, t: Thresholds, options: RolloutOptions): ManifestFile[] {
  const objects = flaggerManifests(t, { ...options, autoscaler: true });
  return [
    { path: 'deployment.yaml', objects: ofKind(objects, 'Deployment') },
    { path: 'canary.yaml', objects: ofKind(objects, 'MetricTemplate', 'Canary') },
    { path: 'hpa.yaml', objects: [autoscalerOf(w)] },
    { path: 'pdb.yaml', objects: [disruptionBudgetOf(w)] },
    { path: 'podmonitor.yaml', objects: [podMonitorOf(w)] },
    { path: 'networkpolicy.yaml', objects: [networkPolicyOf(w)] },
  ];
}
