/**
 * The manifests operation: Kubernetes manifests (Deployment, KServe or Knative) for a bento or its
 * image, as a kustomize directory, optionally with the Argo Rollouts / Flagger files and the canary
 * judge. Both front doors call it: the CLI's `manifests` command and bento-push's manifests step.
 * Its options are one schema, so a bad value is an OptionError naming its key, checked before the
 * target is resolved against a registry or a file is written.
 */
import { z } from 'zod';
import { loadThresholds } from '../canary/thresholds.js';
import { type WrittenManifests, writeManifests } from '../kubernetes/manifests.js';
import { checkManifestChoices, manifestChoicesSchema } from '../kubernetes/options.js';
import { resolveTarget } from '../kubernetes/target.js';
import { parseOptions } from './options.js';

export const DEFAULT_PROMETHEUS = 'http://prometheus.monitoring.svc:9090';

export const manifestsOptionsSchema = manifestChoicesSchema.extend({
  /** A bento tag in the store, or an image reference. */
  target: z.string().min(1, { error: 'name a bento tag or an image reference' }),
  /** The directory to write. */
  out: z.string().min(1).default('manifests'),
  /** For a bento target: its pushed image, by digest or by a tag to resolve. */
  image: z.string().min(1).optional(),
  /** For an image target: the bento whose resources and settings to use. */
  bento: z.string().min(1).optional(),
  /** Also write rollouts/argo and rollouts/flagger for the same workload. */
  rollouts: z.boolean().default(false),
  /** Rollout analyses ask the canary judge server; writes judge/ to run it (implies rollouts). */
  judge: z.boolean().default(false),
  judgeImage: z.string().min(1).optional(),
  /** The canary thresholds file the rollout analyses apply (default thresholds when absent). */
  thresholds: z.string().min(1).optional(),
  /** Prometheus the analyses query. */
  prometheus: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).default(DEFAULT_PROMETHEUS),
  /** Plain HTTP to the registry when resolving a tag. */
  insecure: z.boolean().default(false),
  caFile: z.string().min(1).optional(),
});

/** The options as the front doors have them: each checked by the schema, whatever its type. */
export type ManifestsValues = { [K in keyof z.input<typeof manifestsOptionsSchema>]?: unknown };
export type ManifestsOptions = z.output<typeof manifestsOptionsSchema>;

/** Reads the options; every bad option is an OptionError with its key. */
export function parseManifestsOptions(values: ManifestsValues): ManifestsOptions {
  const options = parseOptions(manifestsOptionsSchema, values);
  checkManifestChoices(options);
  return options;
}

export async function manifests(
  values: ManifestsValues,
  context: { home: string },
): Promise<WrittenManifests> {
  const options = parseManifestsOptions(values);
  const rollouts = options.rollouts || options.judge;
  // Read before the registry is asked, so a bad thresholds file costs nothing.
  const thresholds = rollouts ? await loadThresholds(options.thresholds) : undefined;
  const target = await resolveTarget(options.target, {
    home: context.home,
    ...(options.image ? { image: options.image } : {}),
    ...(options.bento ? { bento: options.bento } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
  });
  return writeManifests({
    target,
    out: options.out,
    choices: options,
    ...(thresholds
      ? {
          rollouts: {
            thresholds,
            prometheusAddress: options.prometheus,
            judge: options.judge,
            ...(options.judgeImage ? { judgeImage: options.judgeImage } : {}),
          },
        }
      : {}),
  });
}
