/**
 * What the judge server accepts and answers. Argo Rollouts' Web metric provider POSTs the JSON body
 * the AnalysisTemplate sets (rollout.ts fills in the pod-template hashes of both sides) and reads
 * `gate` with a jsonPath; Flagger POSTs its webhook payload (name, namespace, phase, checksum,
 * metadata) and reads the status code: 2xx passes, anything else fails the check.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';

export const JUDGE_PATHS = { argo: '/v1/argo', flagger: '/v1/flagger', health: '/healthz' } as const;

const labelValue = z.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
  error: 'expected a Kubernetes name or label value',
});
const window = z
  .string()
  .refine((w) => {
    try {
      return parseDuration(w) >= 60_000;
    } catch {
      return false;
    }
  }, 'expected a duration of at least 1m, such as 5m')
  .optional();

export const argoRequestSchema = z.object({
  namespace: labelValue,
  canaryHash: labelValue,
  stableHash: labelValue,
  window,
});
export type ArgoRequest = z.infer<typeof argoRequestSchema>;

/** Flagger's webhook payload (docs: flagger.app, Webhooks); extra fields are ignored. */
export const flaggerRequestSchema = z.object({
  name: labelValue,
  namespace: labelValue,
  phase: z.string().optional(),
  checksum: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
export type FlaggerRequest = z.infer<typeof flaggerRequestSchema>;

/** PromQL label matchers for the two sides of one judgement. */
export interface Sides {
  canary: string;
  stable: string;
}

export function argoSides(r: ArgoRequest): Sides {
  const side = (hash: string) => `namespace="${r.namespace}", rollouts_pod_template_hash="${hash}"`;
  return { canary: side(r.canaryHash), stable: side(r.stableHash) };
}

/** Flagger names the canary's pods after the target and the stable ones `<target>-primary-...`. */
export function flaggerSides(r: FlaggerRequest): Sides {
  const pods = (prefix: string) => `namespace="${r.namespace}", pod=~"${prefix}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"`;
  return { canary: pods(r.name), stable: pods(`${r.name}-primary`) };
}

/** The answer: `gate` is what Argo's successCondition / failureCondition read. */
export interface JudgeAnswer {
  gate: 'pass' | 'fail' | 'inconclusive';
  verdict: 'pass' | 'marginal' | 'fail' | 'nodata';
  score: number | null;
  reason: string;
  window: { start: string; end: string };
  requests: { canary: number; stable: number };
  metrics: {
    name: string;
    status: string;
    baseline: number | null;
    candidate: number | null;
    pValue: number | null;
    reason: string;
  }[];
}
