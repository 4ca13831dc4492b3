/**
 * Validation of generated objects as a cluster's API server would: Kubernetes built-in kinds with
 * `kubernetes-models` (the official OpenAPI schemas), Argo Rollouts, prometheus-operator and Knative
 * with `@kubernetes-models/*` (their CRDs' schemas), KServe with ajv over the openAPIV3Schema of the
 * CRDs in ../shared/interop/kserve/. KServe's check is strict about unknown fields, as
 * `kubectl apply --validate=strict` is: an object that only "validates" because a misspelt field is
 * ignored would not do what it says.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnalysisTemplate, Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { Service as KnativeService } from '@kubernetes-models/knative/serving.knative.dev/v1';
import { PodMonitor, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Ajv, type ValidateFunction } from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import YAML from 'yaml';

export const KSERVE_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'interop', 'kserve');

type JsonSchema = Record<string, unknown>;

/** Unknown fields are errors where the CRD lists the fields and does not say to keep unknown ones. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    // Kubernetes' own extensions mean nothing to ajv; int-or-string is the one that changes typing.
    if (k.startsWith('x-kubernetes-')) continue;
    out[k] = strict(v);
  }
  const s = schema as JsonSchema;
  if (s['x-kubernetes-int-or-string'] === true) {
    delete out['type'];
    out['anyOf'] = [{ type: 'integer' }, { type: 'string' }];
  }
  if (
    s['properties'] &&
    s['additionalProperties'] === undefined &&
    s['x-kubernetes-preserve-unknown-fields'] !== true
  )
    out['additionalProperties'] = false;
  return out;
}

const crdValidators = new Map<string, ValidateFunction>();

function crdValidator(file: string, version: string): ValidateFunction {
  const key = `${file}@${version}`;
  const cached = crdValidators.get(key);
  if (cached) return cached;
  const crd = YAML.parse(readFileSync(join(KSERVE_DIR, file), 'utf8')) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: JsonSchema } }[] };
  };
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v) throw new Error(`${file} has no version ${version}`);
  const schema = strict(v.schema.openAPIV3Schema) as JsonSchema;
  // metadata is validated by the API server's ObjectMeta, not the CRD: the CRD says only "object".
  (schema['properties'] as JsonSchema)['metadata'] = { type: 'object' };
  const ajv = new Ajv({ strict: false, validateFormats: false });
  const validate = ajv.compile(schema);
  crdValidators.set(key, validate);
  return validate;
}

const KSERVE: Record<string, { file: string; version: string }> = {
  'serving.kserve.io/v1beta1/InferenceService': {
    file: 'serving.kserve.io_inferenceservices.yaml',
    version: 'v1beta1',
  },
  'serving.kserve.io/v1alpha1/ServingRuntime': {
    file: 'serving.kserve.io_servingruntimes.yaml',
    version: 'v1alpha1',
  },
};

type Validatable = { validate(): void };
type ModelClass = new (data: never) => Validatable;

const MODELS: Record<string, ModelClass> = {
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as ModelClass,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as ModelClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as ModelClass,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor as unknown as ModelClass,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor as unknown as ModelClass,
  'argoproj.io/v1alpha1/Rollout': Rollout as unknown as ModelClass,
  'argoproj.io/v1alpha1/AnalysisTemplate': AnalysisTemplate as unknown as ModelClass,
  'serving.knative.dev/v1/Service': KnativeService as unknown as ModelClass,
};

/** The kinds this module can check; anything else is an error, so nothing passes unchecked. */
export function knownKinds(): string[] {
  return [...Object.keys(MODELS), ...Object.keys(KSERVE)];
}

/** Throws with the schema's own message when `object` would be refused. */
export function validateObject(object: unknown): void {
  const o = object as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
  const key = `${o.apiVersion}/${o.kind}`;
  const Model = MODELS[key];
  if (Model) {
    new Model(object as never).validate();
    return;
  }
  const crd = KSERVE[key];
  if (!crd) throw new Error(`no schema for ${key}: add one before generating it`);
  const validate = crdValidator(crd.file, crd.version);
  if (!validate(object)) {
    const errors = (validate.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    throw new Error(`${key} ${o.metadata?.name}: ${errors.join('; ')}`);
  }
}
