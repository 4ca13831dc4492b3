/**
 * Which objects each kind of deployment gets, grouped into files: one concern per file, so a user can
 * drop one (say the NetworkPolicy) from kustomization.yaml without editing the others.
 */
import { OptionError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';
import { knativeServiceOf } from './knative.js';
import { inferenceServiceOf, servingRuntimeOf } from './kserve.js';
import { networkPolicyOf } from './network.js';
import { serviceMonitorOf } from './observability.js';
import type { ManifestOptions } from './options.js';
import { adapterValuesOf, autoscalerOf, disruptionBudgetOf } from './scaling.js';
import type { ServiceFacts } from './service-facts.js';
import { deploymentOf, serviceOf, type Workload, workloadOf } from './workload.js';

/** 63 minus "-predictor": KServe's RawDeployment Service for the predictor must stay a DNS label. */
const KSERVE_NAME_MAX = 53;

export interface ManifestFile {
  /** File name inside the output directory. */
  path: string;
  /** Kubernetes objects, one YAML document each. */
  objects: object[];
}

export interface ManifestSet {
  workload: Workload;
  /** Listed in kustomization.yaml. */
  resources: ManifestFile[];
  /** Written beside them but not applied: configuration of other components (Helm values). */
  extras: ManifestFile[];
}

export function generateManifests(facts: ServiceFacts, options: ManifestOptions): ManifestSet {
  const w = workloadOf(facts, options);
  if (options.kind === 'kserve' && w.name.length > KSERVE_NAME_MAX)
    throw new OptionError(
      'name',
      say`the name "${w.name}" is ${w.name.length} characters; KServe names the predictor's objects "<name>-predictor", so at most ${KSERVE_NAME_MAX}: pass a shorter ${option('name')}`,
    );
  if (options.kind === 'kserve')
    return {
      workload: w,
      resources: [
        { path: 'servingruntime.yaml', objects: [servingRuntimeOf(w)] },
        { path: 'inferenceservice.yaml', objects: [inferenceServiceOf(w)] },
      ],
      extras: [],
    };
  if (options.kind === 'knative')
    return {
      workload: w,
      resources: [{ path: 'knative-service.yaml', objects: [knativeServiceOf(w)] }],
      extras: [],
    };
  return {
    workload: w,
    resources: [
      { path: 'deployment.yaml', objects: [deploymentOf(w)] },
      { path: 'service.yaml', objects: [serviceOf(w)] },
      { path: 'hpa.yaml', objects: [autoscalerOf(w)] },
      { path: 'pdb.yaml', objects: [disruptionBudgetOf(w)] },
      { path: 'servicemonitor.yaml', objects: [serviceMonitorOf(w)] },
      { path: 'networkpolicy.yaml', objects: [networkPolicyOf(w)] },
    ],
    extras:
      options.autoscale === 'queue'
        ? [{ path: 'prometheus-adapter-values.yaml', objects: [adapterValuesOf()] }]
        : [],
  };
}
