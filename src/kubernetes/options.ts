/**
 * The choices of `bentoci manifests` (and of the rollout files, which share the workload), validated
 * once with zod; everything else follows from the bento.
 */
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { DNS_LABEL } from './service-facts.js';

export const KINDS = ['deployment', 'kserve', 'knative'] as const;
export type ManifestKind = (typeof KINDS)[number];
/** `cpu`: HPA on CPU utilization, nothing to install. `queue`: the runtime's queue depth as an external metric (Prometheus adapter). */
export const AUTOSCALE = ['cpu', 'queue'] as const;

const dnsLabel = z.string().regex(DNS_LABEL, {
  error: "expected a Kubernetes name: lower-case letters, digits and '-', at most 63, starting with a letter",
});

export const manifestOptionsSchema = z.object({
  kind: z.enum(KINDS, { error: `expected one of ${KINDS.join(', ')}` }).default('deployment'),
  name: dnsLabel.optional(),
  namespace: dnsLabel.optional(),
  /** The image by digest (repo@sha256:...). */
  image: z
    .string()
    .regex(/@sha256:[0-9a-f]{64}$/, { error: 'expected an image by digest, repo@sha256:<64 hex>' }),
  replicas: z.number().int().min(1).max(1000).default(2),
  maxReplicas: z.number().int().min(1).max(10000).optional(),
  autoscale: z.enum(AUTOSCALE, { error: 'expected cpu or queue' }).default('cpu'),
  /** KServe: serve a model pushed as a model image from storageUri instead of the bento's own models. */
  modelUri: z
    .string()
    .regex(/^oci:\/\/\S+$/, { error: 'expected oci://host/repository[:tag|@digest]' })
    .optional(),
  /** Port the runtime listens on in the Deployment (KServe and Knative choose their own). */
  port: z.number().int().min(1).max(65535).default(3000),
  /** Runtime drain timeout in ms; the grace period and preStop are sized from it. */
  drainTimeoutMs: z.number().int().positive().optional(),
});
export type ManifestOptionsInput = z.input<typeof manifestOptionsSchema>;
export type ManifestOptions = z.infer<typeof manifestOptionsSchema>;

const FLAGS: Record<string, string> = {
  kind: '--kind',
  name: '--name',
  namespace: '--namespace',
  image: '--image',
  replicas: '--replicas',
  maxReplicas: '--max-replicas',
  autoscale: '--autoscale',
  modelUri: '--model-uri',
};

/** Options as flags and action inputs give them: checked here, whatever their type. */
export type ManifestOptionsFlags = Partial<Record<keyof ManifestOptionsInput, unknown>>;

export function parseManifestOptions(input: ManifestOptionsFlags): ManifestOptions {
  const parsed = manifestOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const value = (input as Record<string, unknown>)[key];
    throw new UsageError(`invalid ${FLAGS[key] ?? key} "${String(value)}": ${issue.message}`);
  }
  const o = parsed.data;
  if (o.maxReplicas !== undefined && o.maxReplicas < o.replicas)
    throw new UsageError(`invalid --max-replicas ${o.maxReplicas}: at least --replicas (${o.replicas})`);
  if (o.modelUri && o.kind !== 'kserve')
    throw new UsageError(
      '--model-uri is for --kind kserve: a Deployment or Knative Service serves the bento in its image',
    );
  return o;
}
