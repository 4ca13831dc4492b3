import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  IMAGE,
  OptionError,
  SERVE_DEFAULTS,
  UsageError,
  checkName,
  external_exports,
  factsOfImage,
  option,
  require_dist,
  say,
  serveSetting,
  writeFileAtomic
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/canary/duration.ts
var UNITS = { ms: 1, s: 1e3, m: 6e4, h: 36e5 };
function parseDuration(text, key = "duration") {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1e3;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value)
    throw new OptionError(
      key,
      say`invalid ${option(key)} "${text}": expected a duration such as 30s, 2m, 1m30s or 500ms`
    );
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]], 0);
  if (ms <= 0)
    throw new OptionError(key, say`invalid ${option(key)} "${text}": the duration must be positive`);
  return ms;
}

// src/canary/thresholds.ts
var import_yaml = __toESM(require_dist(), 1);
import { readFile } from "node:fs/promises";
var directionSchema = external_exports.enum(["increase", "decrease", "either"]);
var weight = external_exports.number().min(0).max(1e3);
var fraction = external_exports.number().min(0);
var latencySchema = external_exports.object({
  weight: weight.default(40),
  critical: external_exports.boolean().default(false),
  direction: directionSchema.default("increase"),
  /** Allowed Hodges-Lehmann shift relative to the baseline median: 0.1 = 10% slower. */
  max_degradation: fraction.default(0.1)
}).strict();
var errorRateSchema = external_exports.object({
  weight: weight.default(30),
  critical: external_exports.boolean().default(true),
  /** Allowed rise of the error rate in absolute terms: 0.01 = one percentage point. */
  max_increase: external_exports.number().min(0).max(1).default(0.01)
}).strict();
var agreementModeSchema = external_exports.enum(["auto", "argmax", "tolerance", "exact"]);
var agreementSchema = external_exports.object({
  weight: weight.default(30),
  critical: external_exports.boolean().default(false),
  /** Lowest acceptable fraction of paired responses whose predictions agree. */
  min: external_exports.number().min(0).max(1).default(0.99),
  /**
   * `argmax`: same class per row of a float matrix; `tolerance`: every number within atol + rtol*|b|;
   * `exact`: equal JSON; `auto`: argmax for [batch, classes>1] floats, tolerance for other numbers.
   */
  mode: agreementModeSchema.default("auto"),
  atol: external_exports.number().min(0).default(1e-5),
  rtol: external_exports.number().min(0).default(1e-4)
}).strict();
var throughputSchema = external_exports.object({
  /** Report-only by default: with paired traffic it is a transform of latency (Little's law). */
  weight: weight.default(0),
  critical: external_exports.boolean().default(false),
  max_degradation: fraction.default(0.1)
}).strict();
var prometheusMetricSchema = external_exports.object({
  /** Shown in the report; defaults to the series name. */
  label: external_exports.string().min(1).optional(),
  /** Series name as exposed on /metrics, e.g. `process_resident_memory_bytes`. */
  name: external_exports.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/),
  /** Only series with these labels; the matching series are summed. */
  labels: external_exports.record(external_exports.string(), external_exports.string()).default({}),
  /** `last`: the value at each scrape (gauges); `increase` / `rate`: per-interval change (counters). */
  aggregate: external_exports.enum(["last", "increase", "rate"]).default("last"),
  direction: directionSchema.default("increase"),
  max_degradation: fraction.default(0.1),
  weight: weight.default(10),
  critical: external_exports.boolean().default(false)
}).strict();
var thresholdsSchema = external_exports.object({
  /** Significance level of every test (one-sided by the metric's direction). */
  alpha: external_exports.number().gt(0).lt(1).default(0.05),
  score: external_exports.object({
    pass: external_exports.number().min(0).max(100).default(95),
    marginal: external_exports.number().min(0).max(100).default(75)
  }).strict().default({ pass: 95, marginal: 75 }).refine((s) => s.marginal <= s.pass, { message: "score.marginal must not exceed score.pass" }),
  /** What a marginal score means for the gate (exit code, commit status, promotion). */
  marginal_is: external_exports.enum(["pass", "fail"]).default("fail"),
  metrics: external_exports.object({
    latency: latencySchema.default(latencySchema.parse({})),
    error_rate: errorRateSchema.default(errorRateSchema.parse({})),
    agreement: agreementSchema.default(agreementSchema.parse({})),
    throughput: throughputSchema.default(throughputSchema.parse({})),
    prometheus: external_exports.array(prometheusMetricSchema).default([])
  }).strict().default({
    latency: latencySchema.parse({}),
    error_rate: errorRateSchema.parse({}),
    agreement: agreementSchema.parse({}),
    throughput: throughputSchema.parse({}),
    prometheus: []
  })
}).strict();
function defaultThresholds() {
  return thresholdsSchema.parse({});
}
function parseThresholds(value, source = "thresholds") {
  const parsed = thresholdsSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
    throw new UsageError(
      say`invalid ${source}: ${where}: ${issue.message} (see docs/canary.md for the fields)`
    );
  }
  return parsed.data;
}
async function loadThresholds(path, key = "thresholds") {
  if (!path) return defaultThresholds();
  let text;
  try {
    text = await readFile(path, "utf8");
  } catch {
    throw new OptionError(
      key,
      say`invalid ${option(key)} "${path}": the file cannot be read (pass a YAML file)`
    );
  }
  let value;
  try {
    value = import_yaml.default.parse(text);
  } catch (err) {
    throw new OptionError(
      key,
      say`invalid ${option(key)} "${path}": not YAML (${err.message.split("\n")[0]})`
    );
  }
  try {
    return parseThresholds(value, say`${option(key)} "${path}"`);
  } catch (err) {
    throw err instanceof UsageError ? new OptionError(key, err.text) : err;
  }
}

// src/canary/judge-protocol.ts
var JUDGE_PATHS = { argo: "/v1/argo", flagger: "/v1/flagger", health: "/healthz" };
var labelValue = external_exports.string().regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, {
  error: "expected a Kubernetes name or label value"
});
var window = external_exports.string().refine((w) => {
  try {
    return parseDuration(w) >= 6e4;
  } catch {
    return false;
  }
}, "expected a duration of at least 1m, such as 5m").optional();
var argoRequestSchema = external_exports.object({
  namespace: labelValue,
  canaryHash: labelValue,
  stableHash: labelValue,
  window
});
var flaggerRequestSchema = external_exports.object({
  name: labelValue,
  namespace: labelValue,
  phase: external_exports.string().optional(),
  checksum: external_exports.string().optional(),
  metadata: external_exports.record(external_exports.string(), external_exports.string()).optional()
});
function argoSides(r) {
  const side = (hash) => `namespace="${r.namespace}", rollouts_pod_template_hash="${hash}"`;
  return { canary: side(r.canaryHash), stable: side(r.stableHash) };
}
function flaggerSides(r) {
  const pods = (prefix) => `namespace="${r.namespace}", pod=~"${prefix}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"`;
  return { canary: pods(r.name), stable: pods(`${r.name}-primary`) };
}

// src/canary/rollout.ts
import { mkdir as mkdir2, writeFile } from "node:fs/promises";
import { join as join2 } from "node:path";

// src/kubernetes/runtime-contract.ts
var PATHS = {
  live: "/livez",
  ready: "/readyz",
  metrics: "/metrics",
  v2Ready: "/v2/health/ready"
};
var envOf = (key) => serveSetting(key).env;
var ENV = {
  port: envOf("port"),
  workers: envOf("workers"),
  threads: envOf("threads"),
  drainTimeoutMs: envOf("drainTimeoutMs"),
  drainDelayMs: envOf("drainDelayMs"),
  /** Read by runtime/config.ts beside the table: where the bento (or a model directory) is. */
  bentoDir: "BENTOCI_BENTO_DIR"
};
var METRICS = {
  latency: "bentoci_request_duration_seconds",
  requests: "bentoci_requests_total",
  queueDepth: "bentoci_queue_depth"
};
var SHUTDOWN = {
  /** Seconds preStop waits: long enough for kube-proxy and ingress controllers to drop the endpoint. */
  preStopSeconds: 5,
  drainTimeoutMs: SERVE_DEFAULTS.drainTimeoutMs,
  /** Slack between the drain's end and SIGKILL, for the process to log and exit. */
  exitSlackSeconds: 5
};
function gracePeriodSeconds(drainTimeoutMs) {
  return SHUTDOWN.preStopSeconds + Math.ceil(drainTimeoutMs / 1e3) + SHUTDOWN.exitSlackSeconds;
}

// src/kubernetes/sizing.ts
var GPU_RESOURCE = "nvidia.com/gpu";
var GPU_PRESENT_LABEL = "nvidia.com/gpu.present";
var GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
var MI = 1024 * 1024;
var BASE_MEMORY = 512 * MI;
var MEMORY_PER_MODEL_BYTE = 2;
var LOAD_BYTES_PER_SECOND = 25 * 1e3 * 1e3;
var START_BASE_SECONDS = 30;
var CUDA_INIT_SECONDS = 60;
function coresOf(cpu) {
  if (typeof cpu === "number") return cpu;
  return cpu.endsWith("m") ? Number(cpu.slice(0, -1)) / 1e3 : Number(cpu);
}
function defaultMemory(modelBytes) {
  const bytes = BASE_MEMORY + MEMORY_PER_MODEL_BYTE * modelBytes;
  return `${Math.ceil(bytes / (64 * MI)) * 64}Mi`;
}
function sizingOf(facts) {
  const r = facts.resources;
  const gpus = r.gpu ?? (facts.cuda ? 1 : 0);
  if (gpus > 0 && !facts.cuda)
    throw new UsageError(
      `resources.gpu is ${gpus} but the bento has no docker.cuda_version: set cuda_version in bentofile.yaml so the image has the CUDA provider, or drop resources.gpu`
    );
  const cpu = r.cpu ?? 1;
  const memory = r.memory ?? defaultMemory(facts.modelBytes);
  const requests = { cpu: String(cpu), memory };
  const limits = { memory };
  if (gpus > 0) {
    requests[GPU_RESOURCE] = String(gpus);
    limits[GPU_RESOURCE] = String(gpus);
  }
  const cores = Math.max(1, Math.floor(coresOf(cpu)));
  const workers = Math.max(1, Math.floor(cores / 2));
  const threads = Math.max(1, Math.floor(cores / workers));
  const startupSeconds = START_BASE_SECONDS + 2 * Math.ceil(facts.modelBytes / LOAD_BYTES_PER_SECOND) + (gpus > 0 ? CUDA_INIT_SECONDS : 0);
  return {
    requests,
    limits,
    gpus,
    ...gpus > 0 ? {
      nodeSelector: r.gpu_type ? { [GPU_PRODUCT_LABEL]: r.gpu_type } : { [GPU_PRESENT_LABEL]: "true" },
      // GPU node pools are commonly tainted so that only pods asking for GPUs land there.
      tolerations: [{ key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" }]
    } : {},
    workers,
    threads,
    startupSeconds
  };
}

// src/kubernetes/workload.ts
var CONTAINER_NAME = "runtime";
var PORT_NAME = "http";
var PROBE_PERIOD_SECONDS = 5;
function workloadOf(facts, options) {
  return {
    name: options.name ?? facts.name,
    ...options.namespace ? { namespace: options.namespace } : {},
    image: options.image,
    facts,
    options,
    sizing: sizingOf(facts),
    drainTimeoutMs: options.drainTimeoutMs ?? SHUTDOWN.drainTimeoutMs
  };
}
function selectorOf(w) {
  return { "app.kubernetes.io/name": w.name };
}
function serviceLabelOf(w) {
  return { "bentoci.dev/service": w.name };
}
function labelsOf(w) {
  return {
    ...selectorOf(w),
    ...serviceLabelOf(w),
    "app.kubernetes.io/component": "inference",
    "app.kubernetes.io/managed-by": "bentoci",
    ...w.facts.version ? { "app.kubernetes.io/version": w.facts.version } : {}
  };
}
function metadataOf(w, name = w.name, extra = {}) {
  return {
    name,
    ...w.namespace ? { namespace: w.namespace } : {},
    labels: labelsOf(w),
    ...extra
  };
}
function annotationsOf(w) {
  return w.facts.bento ? { annotations: { "bentoci.dev/bento": w.facts.bento } } : {};
}
function runtimeEnv(w, port, preStop) {
  return [
    { name: ENV.port, value: String(port) },
    { name: ENV.workers, value: String(w.sizing.workers) },
    { name: ENV.threads, value: String(w.sizing.threads) },
    { name: ENV.drainTimeoutMs, value: String(w.drainTimeoutMs) },
    ...preStop ? [{ name: ENV.drainDelayMs, value: "0" }] : []
  ];
}
function resourcesOf(w) {
  return { requests: { ...w.sizing.requests }, limits: { ...w.sizing.limits } };
}
function runtimeContainer(w, choices) {
  const probe = (path) => ({ httpGet: { path, port: PORT_NAME } });
  return {
    name: choices.name ?? CONTAINER_NAME,
    image: w.image,
    ports: [{ name: PORT_NAME, containerPort: choices.port, protocol: "TCP" }],
    env: [...runtimeEnv(w, choices.port, choices.preStop !== false), ...choices.env ?? []],
    resources: resourcesOf(w),
    // Until the startup probe passes, liveness and readiness are not run: a slow model load is not
    // mistaken for a hung process.
    startupProbe: {
      ...probe(PATHS.live),
      periodSeconds: PROBE_PERIOD_SECONDS,
      failureThreshold: Math.ceil(w.sizing.startupSeconds / PROBE_PERIOD_SECONDS)
    },
    livenessProbe: { ...probe(PATHS.live), periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
    // /readyz is 503 until the models are warm and again once draining starts.
    readinessProbe: {
      ...probe(PATHS.ready),
      periodSeconds: PROBE_PERIOD_SECONDS,
      timeoutSeconds: 2,
      failureThreshold: 2
    },
    ...choices.preStop === false ? {} : { lifecycle: { preStop: { sleep: { seconds: SHUTDOWN.preStopSeconds } } } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: IMAGE.uid,
      runAsGroup: IMAGE.gid,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" }
    },
    // The root filesystem is read-only; Node and ONNX Runtime may still write temporary files.
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }]
  };
}
var TMP_VOLUME = { name: "tmp", emptyDir: { sizeLimit: "1Gi" } };
function podSpecOf(w, container) {
  return {
    containers: [container],
    terminationGracePeriodSeconds: gracePeriodSeconds(w.drainTimeoutMs),
    securityContext: { runAsNonRoot: true, fsGroup: IMAGE.gid, seccompProfile: { type: "RuntimeDefault" } },
    // The runtime calls no Kubernetes API.
    automountServiceAccountToken: false,
    volumes: [TMP_VOLUME],
    ...w.sizing.nodeSelector ? { nodeSelector: w.sizing.nodeSelector } : {},
    ...w.sizing.tolerations ? { tolerations: w.sizing.tolerations } : {}
  };
}
function podTemplateOf(w) {
  return {
    metadata: { labels: labelsOf(w), ...annotationsOf(w) },
    spec: podSpecOf(w, runtimeContainer(w, { port: w.options.port }))
  };
}
function deploymentOf(w) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadataOf(w, w.name, annotationsOf(w)),
    spec: {
      // No replicas: the HorizontalPodAutoscaler owns the count, and a re-apply must not reset it.
      selector: { matchLabels: selectorOf(w) },
      // Surge first: a replica leaves only when its replacement is ready.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: podTemplateOf(w)
    }
  };
}
var SERVICE_PORT = 80;
function serviceOf(w) {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: metadataOf(w),
    spec: {
      selector: selectorOf(w),
      ports: [{ name: PORT_NAME, port: SERVICE_PORT, targetPort: PORT_NAME, protocol: "TCP" }]
    }
  };
}

// src/kubernetes/write.ts
var import_yaml2 = __toESM(require_dist(), 1);
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
var KUSTOMIZATION = "kustomization.yaml";
function toYaml(objects, header) {
  const docs = objects.map((o) => import_yaml2.default.stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }));
  return `# ${header}
${docs.join("---\n")}`;
}
function kustomizationOf(resources, namespace) {
  return {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    ...namespace ? { namespace } : {},
    resources: resources.map((f) => f.path)
  };
}
async function writeManifestDir(dir, files, options) {
  await mkdir(dir, { recursive: true });
  const written = [];
  for (const file of [...files.resources, ...files.extras]) {
    const path = join(dir, file.path);
    await writeFileAtomic(path, toYaml(file.objects, options.header));
    written.push(path);
  }
  const kustomization = join(dir, KUSTOMIZATION);
  await writeFileAtomic(
    kustomization,
    toYaml([kustomizationOf(files.resources, options.namespace)], options.header)
  );
  written.push(kustomization);
  return written;
}

// src/canary/rollout-checks.ts
function ratioBounds(direction, allowed) {
  const round = (v) => Math.round(v * 1e6) / 1e6;
  if (direction === "increase") return { max: round(1 + allowed) };
  if (direction === "decrease") return { min: round(1 - allowed) };
  return { min: round(1 - allowed), max: round(1 + allowed) };
}
function checksOf(t, window2) {
  const checks = [];
  const m = t.metrics;
  if (m.latency.weight > 0) {
    const median = (sel) => `histogram_quantile(0.5, sum by (le) (rate(bentoci_request_duration_seconds_bucket{${sel}, status=~"2.."}[${window2}])))`;
    checks.push({
      name: "latency-ratio",
      query: `${median("CANARY")} / ${median("STABLE")}`,
      ...ratioBounds(m.latency.direction, m.latency.max_degradation)
    });
  }
  if (m.error_rate.weight > 0) {
    const rate = (sel) => `((sum(rate(bentoci_requests_total{${sel}, status=~"5.."}[${window2}])) or vector(0)) / sum(rate(bentoci_requests_total{${sel}}[${window2}])))`;
    checks.push({
      name: "error-rate-increase",
      query: `${rate("CANARY")} - ${rate("STABLE")}`,
      max: m.error_rate.max_increase
    });
  }
  for (const p of m.prometheus) {
    if (p.weight === 0) continue;
    const labels = Object.entries(p.labels).map(([k, v]) => `, ${k}=${JSON.stringify(v)}`).join("");
    const value = (sel) => p.aggregate === "last" ? `avg(${p.name}{${sel}${labels}})` : `sum(rate(${p.name}{${sel}${labels}}[${window2}]))`;
    const label = (p.label ?? p.name).toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "");
    checks.push({
      name: `${label}-ratio`.slice(0, 63),
      query: `${value("CANARY")} / ${value("STABLE")}`,
      ...ratioBounds(p.direction, p.max_degradation)
    });
  }
  return checks;
}
function condition(check) {
  const parts = [];
  if (check.min !== void 0) parts.push(`result[0] >= ${check.min}`);
  if (check.max !== void 0) parts.push(`result[0] <= ${check.max}`);
  return parts.join(" && ");
}

// src/canary/rollout.ts
function resolve(options) {
  checkName(options.name, "rollout name");
  const steps = options.steps ?? [10, 25, 50];
  if (steps.some((s, i) => !(s > 0 && s <= 100) || i > 0 && s <= steps[i - 1]))
    throw new UsageError(
      `invalid rollout steps "${steps.join(",")}": ascending percentages between 1 and 100`
    );
  if (options.judgeUrl && !/^https?:\/\/[^\s/]+/.test(options.judgeUrl))
    throw new UsageError(`invalid judge URL "${options.judgeUrl}": expected http(s)://host[:port]`);
  const manifestOptions = {
    kind: "deployment",
    name: options.name,
    ...options.namespace ? { namespace: options.namespace } : {},
    image: options.image,
    replicas: options.replicas ?? 3,
    autoscale: "cpu",
    port: options.port ?? 3e3
  };
  return {
    w: workloadOf(options.facts ?? factsOfImage(options.name), manifestOptions),
    autoscaler: options.autoscaler === true,
    prometheusAddress: options.prometheusAddress ?? "http://prometheus.monitoring.svc:9090",
    interval: options.interval ?? "1m",
    steps,
    ...options.judgeUrl ? { judgeUrl: options.judgeUrl.replace(/\/+$/, "") } : {},
    judgeWindow: options.judgeWindow ?? "5m"
  };
}
function argoMetrics(r, t) {
  if (r.judgeUrl)
    return [
      {
        name: "bentoci-judge",
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
            method: "POST",
            url: `${r.judgeUrl}${JUDGE_PATHS.argo}`,
            timeoutSeconds: 30,
            headers: [{ key: "Content-Type", value: "application/json" }],
            jsonBody: {
              namespace: "{{args.namespace}}",
              canaryHash: "{{args.canary-hash}}",
              stableHash: "{{args.stable-hash}}",
              window: r.judgeWindow
            },
            jsonPath: "{$.gate}"
          }
        }
      }
    ];
  const selector = (hash) => `rollouts_pod_template_hash="{{args.${hash}}}"`;
  return checksOf(t, r.interval).map((c) => ({
    name: c.name,
    interval: r.interval,
    // Two failed measurements abort the rollout; one can be a scrape hiccup.
    failureLimit: 1,
    successCondition: condition(c),
    provider: {
      prometheus: {
        address: "{{args.prometheus-address}}",
        query: c.query.replaceAll("CANARY", selector("canary-hash")).replaceAll("STABLE", selector("stable-hash"))
      }
    }
  }));
}
function argoRolloutManifests(t, options) {
  const r = resolve(options);
  const { w } = r;
  const analysis = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: metadataOf(w, `${w.name}-canary`),
    spec: {
      args: [
        { name: "canary-hash" },
        { name: "stable-hash" },
        r.judgeUrl ? { name: "namespace" } : { name: "prometheus-address", value: r.prometheusAddress }
      ],
      metrics: argoMetrics(r, t)
    }
  };
  const pause = r.judgeUrl ? r.judgeWindow : r.interval === "1m" ? "5m" : r.interval;
  const steps = r.steps.flatMap((weight2) => [{ setWeight: weight2 }, { pause: { duration: pause } }]);
  const rollout = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Rollout",
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
              { name: "canary-hash", valueFrom: { podTemplateHashValue: "Latest" } },
              { name: "stable-hash", valueFrom: { podTemplateHashValue: "Stable" } },
              ...r.judgeUrl ? [{ name: "namespace", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } }] : []
            ]
          },
          steps
        }
      }
    }
  };
  return [serviceOf(w), analysis, rollout];
}
function flaggerManifests(t, options) {
  const r = resolve(options);
  const { w } = r;
  const checks = r.judgeUrl ? [] : checksOf(t, "{{ interval }}");
  const canaryPods = 'namespace="{{ namespace }}", pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"';
  const primaryPods = 'namespace="{{ namespace }}", pod=~"{{ target }}-primary-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"';
  const templates = checks.map((c) => ({
    apiVersion: "flagger.app/v1beta1",
    kind: "MetricTemplate",
    metadata: metadataOf(w, `${w.name}-${c.name}`.slice(0, 63)),
    spec: {
      provider: { type: "prometheus", address: r.prometheusAddress },
      query: c.query.replaceAll("CANARY", canaryPods).replaceAll("STABLE", primaryPods)
    }
  }));
  const interval = r.judgeUrl ? r.judgeWindow : r.interval;
  const canary = {
    apiVersion: "flagger.app/v1beta1",
    kind: "Canary",
    metadata: metadataOf(w),
    spec: {
      targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: w.name },
      ...r.autoscaler ? { autoscalerRef: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: w.name } } : {},
      service: { port: SERVICE_PORT, targetPort: PORT_NAME },
      analysis: {
        interval,
        threshold: r.judgeUrl ? 1 : 2,
        stepWeight: r.steps[0],
        maxWeight: r.steps.at(-1),
        metrics: checks.map((c, i) => ({
          name: c.name,
          templateRef: { name: templates[i].metadata.name },
          thresholdRange: {
            ...c.min !== void 0 ? { min: c.min } : {},
            ...c.max !== void 0 ? { max: c.max } : {}
          },
          interval
        })),
        ...r.judgeUrl ? {
          webhooks: [
            {
              name: "bentoci-judge",
              type: "rollout",
              url: `${r.judgeUrl}${JUDGE_PATHS.flagger}`,
              timeout: "30s",
              metadata: { window: r.judgeWindow }
            }
          ]
        } : {}
      }
    }
  };
  const deployment = deploymentOf(w);
  const target = r.autoscaler ? deployment : { ...deployment, spec: { ...deployment.spec, replicas: w.options.replicas } };
  return [target, ...templates, canary];
}
async function writeRolloutManifests(dir, t, options) {
  await mkdir2(dir, { recursive: true });
  const argo = join2(dir, "argo-rollouts.yaml");
  const flagger = join2(dir, "flagger.yaml");
  const note = `generated by bentoci from the same thresholds as the CI verdict; image ${options.image}`;
  await writeFile(argo, toYaml(argoRolloutManifests(t, options), note));
  await writeFile(flagger, toYaml(flaggerManifests(t, options), note));
  return [argo, flagger];
}

export {
  parseDuration,
  PATHS,
  ENV,
  METRICS,
  PORT_NAME,
  workloadOf,
  selectorOf,
  serviceLabelOf,
  labelsOf,
  metadataOf,
  resourcesOf,
  runtimeContainer,
  TMP_VOLUME,
  deploymentOf,
  serviceOf,
  writeManifestDir,
  JUDGE_PATHS,
  argoRequestSchema,
  flaggerRequestSchema,
  argoSides,
  flaggerSides,
  argoRolloutManifests,
  flaggerManifests,
  writeRolloutManifests,
  loadThresholds
};
