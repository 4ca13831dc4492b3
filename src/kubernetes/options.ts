/**
 * The choices of the manifests (and of the rollout files, which share the workload) as one zod
 * schema keyed like the manifests operation's options, so a bad value names its option; everything
 * else follows from the bento. The image is not a choice: it is resolved from the target, by digest.
 */
import { z } from 'zod';
import { OptionError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';
import { isDigest } from '../oci/reference.js';
import { DNS_LABEL } from './service-facts.js';

export const KINDS = ['deployment', 'kserve', 'knative'] as const;
export type ManifestKind = (typeof KINDS)[number];
/** `cpu`: HPA on CPU utilization, nothing to install. `queue`: the runtime's queue depth as an external metric (Prometheus adapter). */
export const AUTOSCALE = ['cpu', 'queue'] as const;

const quoted = (input: unknown) => (typeof input === 'string' ? `"${input}"` : String(input));

const dnsLabel = z.string().regex(DNS_LABEL, {
  error: (issue) =>
    `${quoted(issue.input)} is not a Kubernetes name: lower-case letters, digits and '-', at most 63, starting with a letter`,
});

export const manifestChoicesSchema = z.object({
  kind: z
    .enum(KINDS, { error: (issue) => `${quoted(issue.input)} is not one of ${KINDS.join(', ')}` })
    .default('deployment'),
  name: dnsLabel.optional(),
  namespace: dnsLabel.optional(),
  replicas: z.number().int().min(1).max(1000).default(2),
  maxReplicas: z.number().int().min(1).max(10000).optional(),
  autoscale: z
    .enum(AUTOSCALE, { error: (issue) => `${quoted(issue.input)} is not one of ${AUTOSCALE.join(', ')}` })
    .default('cpu'),
  /** KServe: serve a model pushed as a model image from storageUri instead of the bento's own models. */
  modelUri: z
    .string()
    .regex(/^oci:\/\/\S+$/, {
      error: (issue) => `${quoted(issue.input)} is not oci://host/repository[:tag|@digest]`,
    })
    .optional(),
  /** Port the runtime listens on in the Deployment (KServe and Knative choose their own). */
  port: z.number().int().min(1).max(65535).default(3000),
  /** Runtime drain timeout in ms; the grace period and preStop are sized from it. */
  drainTimeoutMs: z.number().int().positive().optional(),
});
export type ManifestChoicesInput = z.input<typeof manifestChoicesSchema>;
export type ManifestChoices = z.output<typeof manifestChoicesSchema>;

/** What the generators take: the choices, and the image by digest (registry/repository@sha256:...). */
export type ManifestOptions = ManifestChoices & { image: string };

/**
 * What one option's schema cannot see: the options together. Throws an OptionError naming the
 * option at fault.
 */
export function checkManifestChoices(choices: ManifestChoices): ManifestChoices {
  const { replicas, maxReplicas } = choices;
  if (maxReplicas !== undefined && maxReplicas < replicas)
    throw new OptionError(
      'maxReplicas',
      say`invalid ${option('maxReplicas')} ${maxReplicas}: at least ${option('replicas')} (${replicas})`,
    );
  if (choices.modelUri && choices.kind !== 'kserve')
    throw new OptionError(
      'modelUri',
      say`${option('modelUri')} is for ${option('kind', 'kserve')}: a Deployment or Knative Service serves the bento in its image`,
    );
  return choices;
}

/** The generators' options: checked choices and the resolved image, which must be by digest. */
export function manifestOptionsOf(choices: ManifestChoices, image: string): ManifestOptions {
  const at = image.lastIndexOf('@');
  if (at <= 0 || !isDigest(image.slice(at + 1)))
    throw new OptionError(
      'image',
      say`invalid ${option('image')} "${image}": expected an image by digest, repo@sha256:<64 hex>`,
    );
  return { ...checkManifestChoices(choices), image };
}
