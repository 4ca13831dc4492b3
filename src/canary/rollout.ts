/**
 * Progressive-rollout manifests that carry the canary's policy into Kubernetes: Argo Rollouts (a
 * Rollout with background analysis + an AnalysisTemplate) and Flagger (a Canary that steps a
 * Deployment). The workload (pod template, Service, Deployment) comes from the same generator as
 * `bentoci manifests` (src/kubernetes/), so names, ports, probes and labels agree.
 *
 * The analysis either asks the judge server (`judgeUrl`: Argo's Web provider, Flagger's rollout
 * webhook), which applies the PR gate's statistics and thresholds to the live canary, or, without a
 * judge server, queries Prometheus with point checks of the same allowances (rollout-checks.ts).
 * Prediction agreement needs paired responses, which a live rollout does not have; it stays in CI.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ManifestOptions } from '../kubernetes/options.js';
import { checkName, factsOfImage, type ServiceFacts } from '../kubernetes/service-facts.js';
import {
  deploymentOf,
  metadataOf,
  PORT_NAME,
  podTemplateOf,
  SERVICE_PORT,
  selectorOf,
  serviceOf,
  type Workload,
  workloadOf,
} from '../kubernetes/workload.js';
import { toYaml } from '../kubernetes/write.js';
import { JUDGE_PATHS } from './judge-protocol.js';
import { checksOf, condition } from './rollout-checks.js';
import type { Thresholds } from './thresholds.js';

export interface RolloutOptions {
  /** Kubernetes name of the service: lower-case DNS label. */
  name: string;
  /** The candidate image, by digest when known. */
  image: string;
  port?: number;
  prometheusAddress?: string;
  /** How often each analysis queries, and the rate() window. */
  interval?: string;
  /** Canary traffic weights, in percent, ascending. */
  steps?: number[];
  replicas?: number;
  namespace?: string;
  /** The bento's facts (resources, GPU, model sizes); defaults for an image alone. */
  facts?: ServiceFacts;
  /** Base URL of `bentoci canary judge-server`: the analysis asks it instead of querying Prometheus. */
  judgeUrl?: string;
  /** With judgeUrl: the window each judgement covers (default 5m, the pause between steps). */
  judgeWindow?: string;
  /** An HPA of the same name scales the workload: Flagger copies it for the primary (autoscalerRef). */
  autoscaler?: boolean;
}

interface Resolved {
  w: Workload;
  autoscaler: boolean;
  prometheusAddress: string;
  interval: string;
  steps: number[];
  judgeUrl?: string;
  judgeWindow: string;
}

function resolve(options: RolloutOptions): Resolved {
  checkName(options.name, 'rollout name');
  const steps = options.steps ?? [10, 25, 50];
  if (steps.some((s, i) => !(s > 0 && s <= 100) || (i > 0 && s <= steps[i - 1]!)))
    throw new UsageError(
      `invalid rollout steps "${steps.join(',')}": ascending percentages between 1 and 100`,
    );
  if (options.judgeUrl && !/^https?:\/\/[^\s/]+/.test(options.judgeUrl))
    throw new UsageError(`invalid judge URL "${options.judgeUrl}": expected http(s)://host[:port]`);
  const manifestOptions: ManifestOptions = {
    kind: 'deployment',
    name: options.name,
    ...(options.namespace ? { namespace: options.namespace } : {}),
    image: options.image,
    replicas: options.replicas ?? 3,
    autoscale: 'cpu',
    port: options.port ?? 3000,
  };
  return {
    w: workloadOf(options.facts ?? factsOfImage(options.name), manifestOptions),
    autoscaler: options.autoscaler === true,
    prometheusAddress: options.prometheusAddress ?? 'http://prometheus.monitoring.svc:9090',
    interval: options.interval ?? '1m',
    steps,
    ...(options.judgeUrl ? { judgeUrl: options.judgeUrl.replace(/\/+$/, '') } : {}),
    judgeWindow: options.judgeWindow ?? '5m',
  };
}

function argoMetrics(r: Resolved, t: Thresholds): object[] {
  if (r.judgeUrl)
    return [
      {
        name: 'bentoci-judge',
        interval: r.judgeWindow,
        // The first judgement covers a whole window of canary traffic.
        initialDelay: r.judgeWindow,
        // The judge already separates noise from regressions; one failing verdict aborts. Too little
        // traffic is neither pass nor fail: Argo counts it inconclusive and pauses for a person.
        failureLimit: 0,
        successCondition: 'result == "pass"',
        failureCondition: 'result == "fail"',
        provider: {
          web: {
            method: 'POST',
            url: `${r.judgeUrl}${JUDGE_PATHS.argo}`,
            timeoutSeconds: 30,
            headers: [{ key: 'Content-Type', value: 'application/json' }],
            jsonBody: {
              namespace: '{{args.namespace}}',
              canaryHash: '{{args.canary-hash}}',
              stableHash: '{{args.stable-hash}}',
              window: r.judgeWindow,
            },
            jsonPath: '{$.gate}',
          },
        },
      },
    ];
  const selector = (hash: string) => `rollouts_pod_template_hash="{{args.${hash}}}"`;
  return checksOf(t, r.interval).map((c) => ({
    name: c.name,
    interval: r.interval,
    // Two failed measurements abort the rollout; one can be a scrape hiccup.
    failureLimit: 1,
    successCondition: condition(c),
    provider: {
      prometheus: {
        address: '{{args.prometheus-address}}',
        query: c.query
          .replaceAll('CANARY', selector('canary-hash'))
          .replaceAll('STABLE', selector('stable-hash')),
      },
    },
  }));
}

/** Argo Rollouts: Service, AnalysisTemplate, Rollout with background analysis. */
export function argoRolloutManifests(t: Thresholds, options: RolloutOptions): object[] {
  const r = resolve(options);
  const { w } = r;
  const analysis = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: metadataOf(w, `${w.name}-canary`),
    spec: {
      args: [
        { name: 'canary-hash' },
        { name: 'stable-hash' },
        r.judgeUrl ? { name: 'namespace' } : { name: 'prometheus-address', value: r.prometheusAddress },
      ],
      metrics: argoMetrics(r, t),
    },
  };
  const pause = r.judgeUrl ? r.judgeWindow : r.interval === '1m' ? '5m' : r.interval;
  const steps = r.steps.flatMap((weight) => [{ setWeight: weight }, { pause: { duration: pause } }]);
  const rollout = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: metadataOf(w),
    spec: {
      replicas: w.options.replicas,
      selector: { matchLabels: selectorOf(w) },
      template: podTemplateOf(w),
      strategy: {
        canary: {
          analysis: {
            templates: [{ templateName: `${w.name}-canary` }],
            startingStep: 1,
            args: [
              { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
              { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
              ...(r.judgeUrl
                ? [{ name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }]
                : []),
            ],
          },
          steps,
        },
      },
    },
  };
  return [serviceOf(w), analysis, rollout];
}

/** Flagger: Deployment, MetricTemplates (or the judge webhook), and the Canary that steps traffic. */
export function flaggerManifests(t: Thresholds, options: RolloutOptions): object[] {
  const r = resolve(options);
  const { w } = r;
  const checks = r.judgeUrl ? [] : checksOf(t, '{{ interval }}');
  // Flagger runs the canary as the target's pods and the stable version as `<target>-primary`.
  const canaryPods = 'namespace="{{ namespace }}", pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"';
  const primaryPods = 'namespace="{{ namespace }}", pod=~"{{ target }}-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"';
  const templates = checks.map((c) => ({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'MetricTemplate',
    metadata: metadataOf(w, `${w.name}-${c.name}`.slice(0, 63)),
    spec: {
      provider: { type: 'prometheus', address: r.prometheusAddress },
      query: c.query.replaceAll('CANARY', canaryPods).replaceAll('STABLE', primaryPods),
    },
  }));
  const interval = r.judgeUrl ? r.judgeWindow : r.interval;
  const canary = {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: metadataOf(w),
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: w.name },
      ...(r.autoscaler
        ? { autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name: w.name } }
        : {}),
      service: { port: SERVICE_PORT, targetPort: PORT_NAME },
      analysis: {
        interval,
        threshold: r.judgeUrl ? 1 : 2,
        stepWeight: r.steps[0]!,
        maxWeight: r.steps.at(-1)!,
        metrics: checks.map((c, i) => ({
          name: c.name,
          templateRef: { name: templates[i]!.metadata.name },
          thresholdRange: {
            ...(c.min !== undefined ? { min: c.min } : {}),
            ...(c.max !== undefined ? { max: c.max } : {}),
          },
          interval,
        })),
        ...(r.judgeUrl
          ? {
              webhooks: [
                {
                  name: 'bentoci-judge',
                  type: 'rollout',
                  url: `${r.judgeUrl}${JUDGE_PATHS.flagger}`,
                  timeout: '30s',
                  metadata: { window: r.judgeWindow },
                },
              ],
            }
          : {}),
      },
    },
  };
  // Without an HPA the replica count is the Deployment's; Flagger gives the primary the same.
  const deployment = deploymentOf(w);
  const target = r.autoscaler
    ? deployment
    : { ...deployment, spec: { ...deployment.spec, replicas: w.options.replicas } };
  return [target, ...templates, canary];
}

/** Writes argo-rollouts.yaml and flagger.yaml into `dir`; returns their paths. */
export async function writeRolloutManifests(
  dir: string,
  t: Thresholds,
  options: RolloutOptions,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const argo = join(dir, 'argo-rollouts.yaml');
  const flagger = join(dir, 'flagger.yaml');
  const note = `generated by bentoci from the same thresholds as the CI verdict; image ${options.image}`;
  await writeFile(argo, toYaml(argoRolloutManifests(t, options), note));
  await writeFile(flagger, toYaml(flaggerManifests(t, options), note));
  return [argo, flagger];
}
