/**
 * The canary, as `bentoci canary` and the bento-canary action both run it: read the options through
 * one schema (every error carries its option's key, which the CLI shows as a flag and the action as
 * an input), start or reach both sides behind the verify gate, send them the same requests, judge,
 * then promote and write the rollout manifests. Everything opened on the way (started runtimes and
 * containers, registry sessions, the shadow file) is closed in one place when the run ends.
 */
import type Docker from 'dockerode';
import semver from 'semver';
import { z } from 'zod';
import { parseDuration } from '../canary/duration.js';
import { applyGate, type GateResult } from '../canary/gate.js';
import { parsePromotionTarget } from '../canary/promote.js';
import { type CanaryOutcome, measureCanary, openShadowLog } from '../canary/run.js';
import { parseTargetRef, type Side, startTargets, type VerifiableTarget } from '../canary/targets.js';
import { loadThresholds, type Thresholds } from '../canary/thresholds.js';
import { connectEngine } from '../containerize/engine.js';
import { openBentoStore } from '../core/bento-store.js';
import { BentoError } from '../core/errors.js';
import { openModelStore } from '../core/model-store.js';
import { option, say, type UserText } from '../core/user-text.js';
import { openRepository, type RepositoryOptions } from '../oci/index.js';
import { RepositorySignatureRegistry } from '../sign/index.js';
import { parseOptions } from './options.js';
import { type Resources, withResources } from './resources.js';
import {
  checkVerifyGate,
  type KeyAccess,
  openVerifyGate,
  type VerifyGate,
  verifyGateShape,
} from './trust.js';

/** The defaults, which the CLI's help and the action's action.yml show (a test keeps them equal). */
export const CANARY_DEFAULTS = {
  concurrency: 1,
  warmup: 10,
  seed: 1,
  order: 'interleaved',
  timeout: '30s',
  readyTimeout: '120s',
} as const;

/** A bad value, said in full: the text may name other options, which the front door spells. */
function reject(ctx: z.RefinementCtx, text: UserText): never {
  ctx.addIssue({ code: 'custom', message: text.render(), params: { text } });
  return z.NEVER;
}

/** A check by a parse function of the features, which throws our errors naming the option. */
function parsedBy<T>(parse: (text: string) => T) {
  return (text: string, ctx: z.RefinementCtx): T => {
    try {
      return parse(text);
    } catch (err) {
      if (err instanceof BentoError) return reject(ctx, err.text);
      throw err;
    }
  };
}

const target = (side: Side) =>
  z
    .string()
    .optional()
    .transform((text, ctx) =>
      text === undefined || text === ''
        ? reject(
            ctx,
            say`${option(side)} is required: a URL, bento or model tag, directory, image:REF or oci://host/repo:tag`,
          )
        : parsedBy((t) => parseTargetRef(t, side))(text, ctx),
    );

/** A whole number, from a flag's or an input's text or from a number. */
const wholeNumber = (key: string, min: 0 | 1) =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isInteger(n) && n >= min) return n;
    return reject(
      ctx,
      say`invalid ${option(key)} "${value}": expected a ${min === 1 ? 'positive ' : ''}whole number`,
    );
  });

const oneOf = <const V extends readonly [string, ...string[]]>(key: string, values: V) =>
  z
    .string()
    .transform((text, ctx): V[number] =>
      (values as readonly string[]).includes(text)
        ? (text as V[number])
        : reject(
            ctx,
            say`invalid ${option(key)} "${text}": expected ${values.join(', ').replace(/, (?=[^,]*$)/, ' or ')}`,
          ),
    );

const duration = (key: string) => z.string().transform(parsedBy((text) => parseDuration(text, key)));

export const canaryOptionsSchema = z
  .object({
    /** What runs today: a URL, bento or model tag, directory, image:REF or oci://host/repo:tag. */
    baseline: target('baseline'),
    /** What would replace it, in the same forms. */
    candidate: target('candidate'),
    /** Measured request pairs (default: the requests file's length, or 200). */
    requests: wholeNumber('requests', 1).optional(),
    /** Measure for this long instead (`30s`, `2m`); in milliseconds once parsed. */
    duration: duration('duration').optional(),
    concurrency: wholeNumber('concurrency', 1).default(CANARY_DEFAULTS.concurrency),
    warmup: wholeNumber('warmup', 0).default(CANARY_DEFAULTS.warmup),
    /** Recorded requests to replay (JSONL); generated from the API signature without one. */
    requestsFile: z.string().optional(),
    seed: wholeNumber('seed', 0).default(CANARY_DEFAULTS.seed),
    order: oneOf('order', ['interleaved', 'paired']).default(CANARY_DEFAULTS.order),
    /** Per-request timeout, in milliseconds once parsed. */
    timeout: duration('timeout').prefault(CANARY_DEFAULTS.timeout),
    readyTimeout: duration('readyTimeout').prefault(CANARY_DEFAULTS.readyTimeout),
    /** Environment for the sides the canary starts. */
    env: z.record(z.string(), z.string()).default({}),
    /** The thresholds file (YAML); the defaults without one. */
    thresholds: z.string().optional(),
    /** Shadow mode: every disagreeing pair goes to this JSONL file. */
    shadow: z.string().optional(),
    /** On pass, move `stable` (or this URL's tag) in `oci://host/repo[:tag]` to the candidate's digest. */
    promoteTo: z
      .string()
      .transform(
        parsedBy((text) => {
          parsePromotionTarget(text);
          return text;
        }),
      )
      .optional(),
    /** With promoteTo: a semantic version whose tags are promoted too. */
    release: z
      .string()
      .transform((text, ctx) =>
        semver.valid(text)
          ? text
          : reject(
              ctx,
              say`invalid ${option('release')} "${text}": expected a semantic version such as 1.4.2`,
            ),
      )
      .optional(),
    rolloutManifests: z.string().optional(),
    rolloutName: z.string().optional(),
    rolloutImage: z.string().optional(),
    /** Check each side's signature before it starts (`verify`), and whom to trust (src/operations/trust.ts). */
    ...verifyGateShape,
  })
  .superRefine((options, ctx) => {
    checkVerifyGate(options, ctx);
    if (options.requests !== undefined && options.duration !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['duration'],
        message: 'requests and duration are exclusive',
        params: { text: say`give ${option('requests')} or ${option('duration')}, not both` },
      });
    if (options.release !== undefined && options.promoteTo === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['release'],
        message: 'release needs promoteTo',
        params: { text: say`${option('release')} needs ${option('promoteTo')}` },
      });
  });

/** The options as the front doors hand them over: each as the text typed, or as a value. */
export type CanaryOptionsInput = {
  [K in keyof z.input<typeof canaryOptionsSchema>]?: z.input<typeof canaryOptionsSchema>[K] | string;
};
export type CanaryOptions = z.output<typeof canaryOptionsSchema>;

/** What a front door provides besides the options. */
export interface CanaryContext {
  /** The store home, for bento: and model: sides. */
  home: string;
  /** How to reach registries: for oci:// sides' signatures and for promotion. */
  registry: RepositoryOptions;
  /** Where the verify gate reads a key named `env://NAME` (an action's private environment). */
  keys?: KeyAccess;
  /** Why this run may not promote although the verdict passed (an action on a pull request). */
  promotionBlocked?: UserText;
  /** The Docker engine, connected on first use (image sides only). */
  connectDocker?: () => Promise<Docker>;
  log: (line: string) => void;
  warn: (line: string) => void;
  signal?: AbortSignal;
}

export interface CanaryResult extends CanaryOutcome {
  thresholds: Thresholds;
  /** Promotion, rollout manifests, and the report's notes. */
  gate: GateResult;
}

/**
 * The verify gate for each side before it starts: store entries and registry images carry
 * signatures; anything else cannot be verified, which `require` refuses and `warn` reports.
 */
function verifyGate(
  gate: VerifyGate,
  context: CanaryContext,
  resources: Resources,
): (target: VerifiableTarget) => Promise<void> {
  return async (target) => {
    if (gate.policy === 'off') return;
    if (target.type === 'unverifiable') {
      const message = `${target.description} cannot be verified (only store entries and registry images carry signatures)`;
      if (gate.policy === 'require') throw new BentoError(say`${option('verify', 'require')}: ${message}`);
      context.warn(message);
      return;
    }
    await gate.check(
      async () =>
        target.type === 'entry'
          ? target
          : {
              type: 'image',
              registry: new RepositorySignatureRegistry(
                resources.use(await openRepository(target.ref, context.registry)),
              ),
              ref: target.ref,
            },
      context.warn,
    );
  };
}

export async function runCanary(values: CanaryOptionsInput, context: CanaryContext): Promise<CanaryResult> {
  const options = parseOptions(canaryOptionsSchema, values);
  const thresholds = await loadThresholds(options.thresholds);
  // The key or the trusted root is loaded now: a bad one fails before anything starts.
  const gate = await openVerifyGate(options, context.keys);
  const outcome = await withResources(async (resources) => {
    const targets = await startTargets(options.baseline, options.candidate, {
      bentos: openBentoStore(context.home),
      models: openModelStore(context.home),
      docker: context.connectDocker ?? (() => connectEngine()),
      readyTimeoutMs: options.readyTimeout,
      ...(Object.keys(options.env).length > 0 ? { env: options.env } : {}),
      beforeStart: verifyGate(gate, context, resources),
      log: context.log,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    resources.defer(() => targets.stop());
    const shadow = options.shadow ? resources.use(openShadowLog(options.shadow)) : undefined;
    return measureCanary(targets, {
      ...(options.requests !== undefined ? { requests: options.requests } : {}),
      ...(options.duration !== undefined ? { durationMs: options.duration } : {}),
      concurrency: options.concurrency,
      warmup: options.warmup,
      ...(options.requestsFile ? { requestsFile: options.requestsFile } : {}),
      seed: options.seed,
      order: options.order,
      timeoutMs: options.timeout,
      thresholds,
      ...(shadow ? { onMismatch: (m) => shadow.write(m) } : {}),
      log: context.log,
      ...(context.signal ? { signal: context.signal } : {}),
    });
  });
  const gated = await applyGate(outcome, {
    ...(options.promoteTo ? { promoteTo: options.promoteTo } : {}),
    ...(options.release ? { release: options.release } : {}),
    ...(context.promotionBlocked ? { promotionBlocked: context.promotionBlocked } : {}),
    registry: context.registry,
    ...(options.rolloutManifests ? { rolloutDir: options.rolloutManifests } : {}),
    ...(options.rolloutName ? { rolloutName: options.rolloutName } : {}),
    ...(options.rolloutImage ? { rolloutImage: options.rolloutImage } : {}),
    thresholds,
    log: context.log,
  });
  return { ...outcome, thresholds, gate: gated };
}
