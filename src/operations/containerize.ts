/**
 * Containerize with its gate, once for both front doors: a bento from the store -> a Docker image
 * through the engine at DOCKER_HOST (or just the Dockerfile it would be built from). The options
 * and the verify gate are read first (a bad option, key or trusted root fails before any work); the
 * bento must be intact and, as `verify` asks, signed by whom the options trust, before anything is
 * built from it or handed out.
 */
import { z } from 'zod';
import { dockerfileOf } from '../containerize/bento-files.js';
import { type ContainerizeResult, containerize } from '../containerize/containerize.js';
import type { BentoStore, StoredBento } from '../core/bento-store.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import { option, say } from '../core/user-text.js';
import type { PolicyOutcome } from '../sign/index.js';
import { optionIssue, parseOptions } from './options.js';
import {
  checkVerifyGate,
  type KeyAccess,
  openVerifyGate,
  type VerifyGate,
  verifyGateShape,
} from './trust.js';

const text = z.string().min(1, 'expected a value').optional();

export const containerizeOptionsSchema = z
  .object({
    /** Image names; default `<bento name>:<bento version>`. */
    tag: z.array(z.string().min(1)).default([]),
    buildArg: z.record(z.string(), z.string()).default({}),
    label: z.record(z.string(), z.string()).default({}),
    /** Build up to this stage only (deps or bento). */
    target: text,
    platform: text,
    cacheFrom: z.array(z.string().min(1)).default([]),
    noCache: z.boolean().default(false),
    npmRegistry: text,
    caFile: text,
    network: z.string().min(1).default('host'),
    /** The Dockerfile instead of an image; `output` is where to write it. */
    dockerfileOnly: z.boolean().default(false),
    output: text,
    ...verifyGateShape,
  })
  .superRefine((values, ctx) => {
    checkVerifyGate(values, ctx);
    if (values.output !== undefined && !values.dockerfileOnly)
      optionIssue(
        ctx,
        'output',
        say`${option('output')} writes the Dockerfile: use it with ${option('dockerfileOnly')}`,
      );
  });

export type ContainerizeOptions = z.output<typeof containerizeOptionsSchema>;

/** Checked options and the gate, its trust loaded: what containerizing a bento needs besides the bento. */
export interface ContainerizePlan {
  readonly options: ContainerizeOptions;
  readonly gate: VerifyGate;
}

/** Reads the options and loads whom the gate trusts; nothing is read from the store or the engine yet. */
export async function planContainerize(values: unknown, access: KeyAccess = {}): Promise<ContainerizePlan> {
  const options = parseOptions(containerizeOptionsSchema, values);
  return { options, gate: await openVerifyGate(options, access) };
}

/**
 * The gate before a bento becomes an image (or hands out its Dockerfile): its files match their
 * digests (unless the caller checked them just now, as an action does when it restores the bento),
 * and it is signed as the policy asks (`warn` goes through `warn` and on).
 */
export async function checkBento(
  plan: ContainerizePlan,
  store: BentoStore,
  bento: StoredBento,
  options: { warn?: (message: string) => void; intactChecked?: boolean } = {},
): Promise<PolicyOutcome> {
  if (!options.intactChecked) await store.assertIntact(bento);
  return plan.gate.check(
    () => ({
      type: 'entry',
      store: store as unknown as EntryStore<EntryInfo>,
      entry: bento as unknown as StoredEntry<EntryInfo>,
    }),
    options.warn,
  );
}

/** The Dockerfile the image is built from: the one stored in the bento, or rendered from it. */
export async function bentoDockerfile(
  bento: StoredBento,
): Promise<{ text: string; source: 'stored' | 'rendered' }> {
  const dockerfile = await dockerfileOf(bento.dir, bento.info);
  return { text: dockerfile.text, source: dockerfile.stored ? 'stored' : 'rendered' };
}

/** Builds the image of a checked bento (see checkBento) through the engine. */
export function buildBentoImage(
  plan: ContainerizePlan,
  bento: StoredBento,
  log: (line: string) => void,
): Promise<ContainerizeResult> {
  const o = plan.options;
  return containerize(bento, {
    tags: o.tag,
    buildArgs: o.buildArg,
    labels: o.label,
    ...(o.target !== undefined ? { target: o.target } : {}),
    ...(o.platform !== undefined ? { platform: o.platform } : {}),
    cacheFrom: o.cacheFrom,
    noCache: o.noCache,
    ...(o.npmRegistry !== undefined ? { npmRegistry: o.npmRegistry } : {}),
    ...(o.caFile !== undefined ? { caFile: o.caFile } : {}),
    networkMode: o.network,
    log,
  });
}
