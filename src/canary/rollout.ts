/**
 * Progressive-rollout manifests that carry the canary's thresholds into Kubernetes: Argo Rollouts
 * (a Rollout with background analysis + an AnalysisTemplate) and Flagger (a Canary + MetricTemplates).
 * Both query Prometheus for what the runtime exports (bentoci_request_duration_seconds,
 * bentoci_requests_total) and compare canary pods with stable pods by the same allowances the
 * judge used: median latency ratio, error-rate increase, and every configured Prometheus metric.
 * Prediction agreement needs paired responses, which a live rollout does not have; it stays in CI.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { UsageError } from '../core/errors.js';
import type { Direction, Thresholds } from './thresholds.js';

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
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

interface Check {
  name: string;
  /** PromQL with CANARY / STABLE standing for each side's pod selector. */
  query: string;
  min?: number;
  max?: number;
}

/** Bounds a ratio candidate/baseline must stay within for `direction` with allowance `allowed`. */
function ratioBounds(direction: Direction, allowed: number): { min?: number; max?: number } {
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  if (direction === 'increase') return { max: round(1 + allowed) };
  if (direction === 'decrease') return { min: round(1 - allowed) };
  return { min: round(1 - allowed), max: round(1 + allowed) };
}

function checksOf(t: Thresholds, window: string): Check[] {
  const checks: Check[] = [];
  const m = t.metrics;
  if (m.latency.weight > 0) {
    const median = (sel: string) =>
      `histogram_quantile(0.5, sum by (le) (rate(bentoci_request_duration_seconds_bucket{${sel}, status=~"2.."}[${window}])))`;
    checks.push({
      name: 'latency-ratio',
      query: `${median('CANARY')} / ${median('STABLE')}`,
      ...ratioBounds(m.latency.direction, m.latency.max_degradation),
    });
  }
  if (m.error_rate.weight > 0) {
    const rate = (sel: string) =>
      `((sum(rate(bentoci_requests_total{${sel}, status=~"5.."}[${window}])) or vector(0)) / sum(rate(bentoci_requests_total{${sel}}[${window}])))`;
    checks.push({
      name: 'error-rate-increase',
      query: `${rate('CANARY')} - ${rate('STABLE')}`,
      max: m.error_rate.max_increase,
    });
  }
  for (const p of m.prometheus) {
    if (p.weight === 0) continue;
    const labels = Object.entries(p.labels)
      .map(([k, v]) => `, ${k}=${JSON.stringify(v)}`)
      .join('');
    const value = (sel: string) =>
      p.aggregate === 'last'
        ? `avg(${p.name}{${sel}${labels}})`
        : `sum(rate(${p.name}{${sel}${labels}}[${window}]))`;
    const label = (p.label ?? p.name)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '');
    checks.push({
      name: `${label}-ratio`.slice(0, 63),
      query: `${value('CANARY')} / ${value('STABLE')}`,
      ...ratioBounds(p.direction, p.max_degradation),
    });
  }
  return checks;
}

function condition(check: Check): string {
  const parts: string[] = [];
  if (check.min !== undefined) parts.push(`result[0] >= ${check.min}`);
  if (check.max !== undefined) parts.push(`result[0] <= ${check.max}`);
  return parts.join(' && ');
}

function workloadTemplate(o: Required<RolloutOptions>) {
  return {
    metadata: { labels: { app: o.name } },
    spec: {
      containers: [
        {
          name: o.name,
          image: o.image,
          ports: [{ name: 'http', containerPort: o.port }],
          readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5 },
          livenessProbe: { httpGet: { path: '/livez', port: 'http' }, periodSeconds: 10 },
        },
      ],
    },
  };
}

function service(o: Required<RolloutOptions>) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: o.name, labels: { app: o.name } },
    spec: { selector: { app: o.name }, ports: [{ name: 'http', port: o.port, targetPort: 'http' }] },
  };
}

function withDefaults(options: RolloutOptions): Required<RolloutOptions> {
  if (!DNS_LABEL.test(options.name))
    throw new UsageError(
      `invalid rollout name "${options.name}": a Kubernetes name is lower-case letters, digits and '-' (at most 63)`,
    );
  const steps = options.steps ?? [10, 25, 50];
  if (steps.some((s, i) => !(s > 0 && s <= 100) || (i > 0 && s <= steps[i - 1]!)))
    throw new UsageError(
      `invalid rollout steps "${steps.join(',')}": ascending percentages between 1 and 100`,
    );
  return {
    name: options.name,
    image: options.image,
    port: options.port ?? 3000,
    prometheusAddress: options.prometheusAddress ?? 'http://prometheus.monitoring.svc:9090',
    interval: options.interval ?? '1m',
    steps,
    replicas: options.replicas ?? 3,
  };
}

/** Argo Rollouts: Service, AnalysisTemplate (one metric per check), Rollout with background analysis. */
export function argoRolloutManifests(t: Thresholds, options: RolloutOptions): object[] {
  const o = withDefaults(options);
  const checks = checksOf(t, o.interval);
  const selector = (hash: string) => `rollouts_pod_template_hash="{{args.${hash}}}"`;
  const analysis = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: `${o.name}-canary` },
    spec: {
      args: [
        { name: 'canary-hash' },
        { name: 'stable-hash' },
        { name: 'prometheus-address', value: o.prometheusAddress },
      ],
      metrics: checks.map((c) => ({
        name: c.name,
        interval: o.interval,
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
      })),
    },
  };
  const steps = o.steps.flatMap((w) => [
    { setWeight: w },
    { pause: { duration: o.interval === '1m' ? '5m' : o.interval } },
  ]);
  const rollout = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: o.name },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: o.name } },
      template: workloadTemplate(o),
      strategy: {
        canary: {
          analysis: {
            templates: [{ templateName: `${o.name}-canary` }],
            startingStep: 1,
            args: [
              { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
              { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
            ],
          },
          steps,
        },
      },
    },
  };
  return [service(o), analysis, rollout];
}

/** Flagger: Deployment, one MetricTemplate per check, and the Canary that steps traffic and checks them. */
export function flaggerManifests(t: Thresholds, options: RolloutOptions): object[] {
  const o = withDefaults(options);
  const checks = checksOf(t, '{{ interval }}');
  // Flagger runs the canary as the target's pods and the stable version as `<target>-primary`.
  const canaryPods = 'namespace="{{ namespace }}", pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"';
  const primaryPods = 'namespace="{{ namespace }}", pod=~"{{ target }}-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"';
  const templates = checks.map((c) => ({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'MetricTemplate',
    metadata: { name: `${o.name}-${c.name}`.slice(0, 63) },
    spec: {
      provider: { type: 'prometheus', address: o.prometheusAddress },
      query: c.query.replaceAll('CANARY', canaryPods).replaceAll('STABLE', primaryPods),
    },
  }));
  const step = o.steps[0]!;
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: o.name, labels: { app: o.name } },
    spec: { replicas: o.replicas, selector: { matchLabels: { app: o.name } }, template: workloadTemplate(o) },
  };
  const canary = {
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: o.name },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: o.name },
      service: { port: o.port, targetPort: 'http' },
      analysis: {
        interval: o.interval,
        threshold: 2,
        stepWeight: step,
        maxWeight: o.steps.at(-1)!,
        metrics: checks.map((c, i) => ({
          name: c.name,
          templateRef: { name: templates[i]!.metadata.name },
          thresholdRange: {
            ...(c.min !== undefined ? { min: c.min } : {}),
            ...(c.max !== undefined ? { max: c.max } : {}),
          },
          interval: o.interval,
        })),
      },
    },
  };
  return [deployment, ...templates, canary];
}

function toYaml(docs: object[], header: string): string {
  return `# ${header}\n${docs.map((d) => YAML.stringify(d, { lineWidth: 0 })).join('---\n')}`;
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
  const note = `generated by bentoci canary from the same thresholds as the CI verdict; image ${options.image}`;
  await writeFile(argo, toYaml(argoRolloutManifests(t, options), note));
  await writeFile(flagger, toYaml(flaggerManifests(t, options), note));
  return [argo, flagger];
}
