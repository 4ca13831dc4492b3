import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  ENV,
  JUDGE_PATHS,
  METRICS,
  PATHS,
  PORT_NAME,
  TMP_VOLUME,
  argoRolloutManifests,
  deploymentOf,
  flaggerManifests,
  labelsOf,
  loadThresholds,
  metadataOf,
  resourcesOf,
  runtimeContainer,
  selectorOf,
  serviceLabelOf,
  serviceOf,
  workloadOf,
  writeManifestDir
} from "./chunk.bento-canary+bento-push+cli.js";
import {
  BENTOCI_VERSION,
  BentoError,
  OptionError,
  UsageError,
  UserText,
  checkManifestChoices,
  external_exports,
  factsOfBento,
  factsOfImage,
  formatReference,
  manifestChoicesSchema,
  manifestOptionsOf,
  noun,
  openBentoStore,
  openRepository,
  option,
  parseImageReference,
  parseOptions,
  require_dist,
  say,
  textOf
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/kubernetes/manifests.ts
import { join } from "node:path";

// src/canary/judge-manifests.ts
var import_yaml = __toESM(require_dist(), 1);
var JUDGE_NAME = "bentoci-judge";
var JUDGE_PORT = 8080;
var DEFAULT_JUDGE_IMAGE = "node:22-bookworm-slim";
function judgeUrlOf(namespace) {
  return `http://${JUDGE_NAME}${namespace ? `.${namespace}.svc` : ""}:${JUDGE_PORT}`;
}
function judgeManifests(t, options) {
  const labels = { "app.kubernetes.io/name": JUDGE_NAME, "app.kubernetes.io/managed-by": "bentoci" };
  const meta = (name) => ({
    name,
    ...options.namespace ? { namespace: options.namespace } : {},
    labels
  });
  const config = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta(`${JUDGE_NAME}-thresholds`),
    data: { "thresholds.yaml": import_yaml.default.stringify(t, { lineWidth: 0 }) }
  };
  const command = options.command ?? ["npx", "--yes", `bentoci@${BENTOCI_VERSION}`];
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(JUDGE_NAME),
    spec: {
      replicas: 2,
      selector: { matchLabels: { "app.kubernetes.io/name": JUDGE_NAME } },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1e3,
            seccompProfile: { type: "RuntimeDefault" }
          },
          containers: [
            {
              name: "judge",
              image: options.image ?? DEFAULT_JUDGE_IMAGE,
              command: [
                ...command,
                "canary",
                "judge-server",
                "--prometheus",
                options.prometheusAddress,
                "--thresholds",
                "/etc/bentoci/thresholds.yaml",
                "--port",
                String(JUDGE_PORT)
              ],
              // npx caches the package under HOME; the root filesystem stays read-only.
              env: [{ name: "HOME", value: "/tmp" }],
              ports: [{ name: "http", containerPort: JUDGE_PORT, protocol: "TCP" }],
              readinessProbe: { httpGet: { path: JUDGE_PATHS.health, port: "http" }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: JUDGE_PATHS.health, port: "http" }, periodSeconds: 10 },
              startupProbe: {
                httpGet: { path: JUDGE_PATHS.health, port: "http" },
                periodSeconds: 5,
                failureThreshold: 60
              },
              resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
              securityContext: {
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] }
              },
              volumeMounts: [
                { name: "thresholds", mountPath: "/etc/bentoci", readOnly: true },
                { name: "tmp", mountPath: "/tmp" }
              ]
            }
          ],
          volumes: [
            { name: "thresholds", configMap: { name: `${JUDGE_NAME}-thresholds` } },
            { name: "tmp", emptyDir: {} }
          ]
        }
      }
    }
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(JUDGE_NAME),
    spec: {
      selector: { "app.kubernetes.io/name": JUDGE_NAME },
      ports: [{ name: "http", port: JUDGE_PORT, targetPort: "http", protocol: "TCP" }]
    }
  };
  return [config, deployment, service];
}

// src/kubernetes/scaling.ts
var CPU_TARGET_PERCENT = 70;
function maxReplicasOf(w) {
  return w.options.maxReplicas ?? w.options.replicas * 4;
}
function queueTargetOf(w) {
  return w.facts.maxBatchSize;
}
function autoscalerOf(w, target = { apiVersion: "apps/v1", kind: "Deployment" }) {
  const metric = w.options.autoscale === "queue" ? {
    type: "External",
    external: {
      metric: { name: METRICS.queueDepth, selector: { matchLabels: { service: w.name } } },
      target: { type: "AverageValue", averageValue: String(queueTargetOf(w)) }
    }
  } : {
    type: "Resource",
    resource: {
      name: "cpu",
      target: { type: "Utilization", averageUtilization: CPU_TARGET_PERCENT }
    }
  };
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: metadataOf(w),
    spec: {
      scaleTargetRef: { ...target, name: w.name },
      minReplicas: w.options.replicas,
      maxReplicas: maxReplicasOf(w),
      metrics: [metric],
      // Scale down slowly: a replica costs a model load to bring back.
      behavior: {
        scaleDown: {
          stabilizationWindowSeconds: 300,
          policies: [{ type: "Pods", value: 1, periodSeconds: 60 }]
        }
      }
    }
  };
}
function disruptionBudgetOf(w) {
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: metadataOf(w),
    spec: { maxUnavailable: 1, selector: { matchLabels: serviceLabelOf(w) } }
  };
}
function adapterValuesOf() {
  return {
    rules: {
      external: [
        {
          seriesQuery: `${METRICS.queueDepth}{namespace!="",service!=""}`,
          resources: { overrides: { namespace: { resource: "namespace" } } },
          name: { as: METRICS.queueDepth },
          metricsQuery: "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)"
        }
      ]
    }
  };
}

// src/kubernetes/knative.ts
var KNATIVE_PORT = 8080;
function knativeServiceOf(w) {
  const base = runtimeContainer(w, { port: KNATIVE_PORT, preStop: false });
  const { startupProbe: _startup, lifecycle: _lifecycle, volumeMounts, ...container } = base;
  const target = Math.max(1, w.facts.maxBatchSize);
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: metadataOf(w),
    spec: {
      template: {
        metadata: {
          labels: labelsOf(w),
          annotations: {
            "autoscaling.knative.dev/min-scale": String(w.options.replicas),
            "autoscaling.knative.dev/max-scale": String(maxReplicasOf(w)),
            "autoscaling.knative.dev/metric": "concurrency",
            "autoscaling.knative.dev/target": String(target),
            // The first revision is ready only after the models load: give it the startup budget.
            "serving.knative.dev/progress-deadline": `${w.sizing.startupSeconds + 60}s`
          }
        },
        spec: {
          containers: [
            {
              ...container,
              ports: [{ name: "http1", containerPort: KNATIVE_PORT }],
              livenessProbe: { httpGet: { path: PATHS.live, port: KNATIVE_PORT }, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: PATHS.ready, port: KNATIVE_PORT }, periodSeconds: 5 },
              ...volumeMounts ? { volumeMounts } : {}
            }
          ],
          volumes: [TMP_VOLUME],
          ...w.sizing.nodeSelector ? { nodeSelector: w.sizing.nodeSelector } : {},
          ...w.sizing.tolerations ? { tolerations: w.sizing.tolerations } : {}
        }
      }
    }
  };
}

// src/kubernetes/kserve.ts
var KSERVE_CONTAINER = "kserve-container";
var KSERVE_PORT = 8080;
var KSERVE_MODEL_DIR = "/mnt/models";
var MODEL_FORMAT = { name: "bentoci", version: "1" };
function runtimeName(w) {
  return `${w.name.slice(0, 55).replace(/-+$/, "")}-runtime`;
}
function kserveContainer(w) {
  const base = runtimeContainer(w, {
    port: KSERVE_PORT,
    name: KSERVE_CONTAINER,
    ...w.options.modelUri ? { env: [{ name: ENV.bentoDir, value: KSERVE_MODEL_DIR }] } : {}
  });
  const probe = (path) => ({ httpGet: { path, port: KSERVE_PORT } });
  return {
    ...base,
    ports: [{ containerPort: KSERVE_PORT, protocol: "TCP" }],
    startupProbe: { ...base.startupProbe, ...probe(PATHS.live) },
    livenessProbe: { ...base.livenessProbe, ...probe(PATHS.live) },
    readinessProbe: { ...base.readinessProbe, ...probe(PATHS.v2Ready) }
  };
}
function servingRuntimeOf(w) {
  return {
    apiVersion: "serving.kserve.io/v1alpha1",
    kind: "ServingRuntime",
    metadata: metadataOf(w, runtimeName(w)),
    spec: {
      supportedModelFormats: [{ ...MODEL_FORMAT, autoSelect: true }],
      protocolVersions: ["v2"],
      containers: [kserveContainer(w)],
      // The container's /tmp under a read-only root filesystem.
      volumes: [TMP_VOLUME]
    }
  };
}
function inferenceServiceOf(w) {
  return {
    apiVersion: "serving.kserve.io/v1beta1",
    kind: "InferenceService",
    metadata: metadataOf(w, w.name, {
      annotations: {
        "serving.kserve.io/deploymentMode": "RawDeployment",
        "serving.kserve.io/autoscalerClass": "hpa"
      }
    }),
    spec: {
      predictor: {
        minReplicas: w.options.replicas,
        maxReplicas: maxReplicasOf(w),
        scaleMetric: "cpu",
        scaleTarget: CPU_TARGET_PERCENT,
        ...w.sizing.nodeSelector ? { nodeSelector: w.sizing.nodeSelector } : {},
        ...w.sizing.tolerations ? { tolerations: w.sizing.tolerations } : {},
        model: {
          modelFormat: { ...MODEL_FORMAT },
          runtime: runtimeName(w),
          protocolVersion: "v2",
          ...w.options.modelUri ? { storageUri: w.options.modelUri } : {},
          resources: resourcesOf(w)
        }
      }
    }
  };
}

// src/kubernetes/network.ts
function networkPolicyOf(w) {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadataOf(w),
    spec: {
      podSelector: { matchLabels: serviceLabelOf(w) },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ ports: [{ protocol: "TCP", port: PORT_NAME }] }],
      egress: []
    }
  };
}

// src/kubernetes/observability.ts
var ROLLOUT_HASH_LABEL = "rollouts-pod-template-hash";
var SCRAPE_INTERVAL = "15s";
function serviceMonitorOf(w) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: metadataOf(w),
    spec: {
      selector: { matchLabels: selectorOf(w) },
      endpoints: [{ port: PORT_NAME, path: PATHS.metrics, interval: SCRAPE_INTERVAL }],
      podTargetLabels: [ROLLOUT_HASH_LABEL, "app.kubernetes.io/version"]
    }
  };
}
function podMonitorOf(w) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: metadataOf(w),
    spec: {
      selector: { matchLabels: serviceLabelOf(w) },
      podMetricsEndpoints: [{ port: PORT_NAME, path: PATHS.metrics, interval: SCRAPE_INTERVAL }],
      podTargetLabels: ["app.kubernetes.io/version"]
    }
  };
}

// src/kubernetes/generate.ts
var KSERVE_NAME_MAX = 53;
function generateManifests(facts, options) {
  const w = workloadOf(facts, options);
  if (options.kind === "kserve" && w.name.length > KSERVE_NAME_MAX)
    throw new OptionError(
      "name",
      say`the name "${w.name}" is ${w.name.length} characters; KServe names the predictor's objects "<name>-predictor", so at most ${KSERVE_NAME_MAX}: pass a shorter ${option("name")}`
    );
  if (options.kind === "kserve")
    return {
      workload: w,
      resources: [
        { path: "servingruntime.yaml", objects: [servingRuntimeOf(w)] },
        { path: "inferenceservice.yaml", objects: [inferenceServiceOf(w)] }
      ],
      extras: []
    };
  if (options.kind === "knative")
    return {
      workload: w,
      resources: [{ path: "knative-service.yaml", objects: [knativeServiceOf(w)] }],
      extras: []
    };
  return {
    workload: w,
    resources: [
      { path: "deployment.yaml", objects: [deploymentOf(w)] },
      { path: "service.yaml", objects: [serviceOf(w)] },
      { path: "hpa.yaml", objects: [autoscalerOf(w)] },
      { path: "pdb.yaml", objects: [disruptionBudgetOf(w)] },
      { path: "servicemonitor.yaml", objects: [serviceMonitorOf(w)] },
      { path: "networkpolicy.yaml", objects: [networkPolicyOf(w)] }
    ],
    extras: options.autoscale === "queue" ? [{ path: "prometheus-adapter-values.yaml", objects: [adapterValuesOf()] }] : []
  };
}

// src/kubernetes/rollout-dirs.ts
var ofKind = (objects, ...kinds) => objects.filter((o) => kinds.includes(o.kind));
function argoDirectory(w, t, options) {
  const objects = argoRolloutManifests(t, options);
  return [
    { path: "service.yaml", objects: ofKind(objects, "Service") },
    { path: "rollout.yaml", objects: ofKind(objects, "AnalysisTemplate", "Rollout") },
    { path: "hpa.yaml", objects: [autoscalerOf(w, { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout" })] },
    { path: "pdb.yaml", objects: [disruptionBudgetOf(w)] },
    { path: "servicemonitor.yaml", objects: [serviceMonitorOf(w)] },
    { path: "networkpolicy.yaml", objects: [networkPolicyOf(w)] }
  ];
}
function flaggerDirectory(w, t, options) {
  const objects = flaggerManifests(t, { ...options, autoscaler: true });
  return [
    { path: "deployment.yaml", objects: ofKind(objects, "Deployment") },
    { path: "canary.yaml", objects: ofKind(objects, "MetricTemplate", "Canary") },
    { path: "hpa.yaml", objects: [autoscalerOf(w)] },
    { path: "pdb.yaml", objects: [disruptionBudgetOf(w)] },
    { path: "podmonitor.yaml", objects: [podMonitorOf(w)] },
    { path: "networkpolicy.yaml", objects: [networkPolicyOf(w)] }
  ];
}

// src/kubernetes/manifests.ts
async function writeManifests(options) {
  const target = options.target;
  const manifestOptions = manifestOptionsOf(options.choices, target.image);
  const set = generateManifests(target.facts, manifestOptions);
  const header = `generated by bentoci for ${target.facts.bento ?? target.image}; image ${target.image}`;
  const files = await writeManifestDir(options.out, set, {
    header,
    ...manifestOptions.namespace ? { namespace: manifestOptions.namespace } : {}
  });
  const r = options.rollouts;
  if (r) {
    const namespace = manifestOptions.namespace;
    const rolloutOptions = {
      name: set.workload.name,
      image: target.image,
      facts: target.facts,
      replicas: manifestOptions.replicas,
      port: manifestOptions.port,
      prometheusAddress: r.prometheusAddress,
      ...namespace ? { namespace } : {},
      ...r.judge ? { judgeUrl: judgeUrlOf(namespace) } : {}
    };
    const dirs = [
      ["argo", argoDirectory(set.workload, r.thresholds, rolloutOptions)],
      ["flagger", flaggerDirectory(set.workload, r.thresholds, rolloutOptions)]
    ];
    if (r.judge)
      dirs.push([
        "judge",
        [
          {
            path: "judge-server.yaml",
            objects: judgeManifests(r.thresholds, {
              prometheusAddress: r.prometheusAddress,
              ...namespace ? { namespace } : {},
              ...r.judgeImage ? { image: r.judgeImage } : {}
            })
          }
        ]
      ]);
    for (const [name, resources] of dirs)
      files.push(
        ...await writeManifestDir(
          join(options.out, name === "judge" ? "judge" : join("rollouts", name)),
          { resources, extras: [] },
          { header, ...namespace ? { namespace } : {} }
        )
      );
  }
  return { dir: options.out, name: set.workload.name, image: target.image, files };
}

// src/kubernetes/target.ts
async function pinned(text, key, options) {
  const ref = parseImageReference(text, key ?? noun("image"));
  if (ref.digest)
    return formatReference({ registry: ref.registry, repository: ref.repository, digest: ref.digest });
  const what = key ? say`${option(key)} "${text}"` : say`the image "${text}"`;
  const tag = ref.tag ?? "latest";
  let digest;
  try {
    const repo = await openRepository(ref, {
      home: options.home,
      ...options.insecure ? { insecure: true } : {},
      ...options.caFile ? { caFile: options.caFile } : {}
    });
    digest = await repo.resolve(tag);
  } catch (err) {
    throw new BentoError(
      say`cannot pin ${what} to a digest: ${firstLine(err)} (pass the image by digest, repo@sha256:..., as its push printed it)`
    );
  }
  if (!digest) {
    const message = say`invalid ${what}: the tag ${tag} is not in ${ref.registry}/${ref.repository} (push the image first, or pass it by digest)`;
    throw key ? new OptionError(key, message) : new UsageError(message);
  }
  return formatReference({ registry: ref.registry, repository: ref.repository, digest });
}
function firstLine(err) {
  const parts = [];
  for (const part of textOf(err).parts) {
    const cut = typeof part === "string" ? part.indexOf("\n") : -1;
    if (cut < 0) parts.push(part);
    else {
      parts.push(part.slice(0, cut));
      break;
    }
  }
  return new UserText(parts);
}
async function findBento(home, text) {
  try {
    return await openBentoStore(home).find(text);
  } catch (err) {
    if (err instanceof UsageError) return void 0;
    throw err;
  }
}
async function resolveTarget(text, options) {
  const bento = await findBento(options.home, text);
  if (bento) {
    if (options.bento)
      throw new OptionError(
        "bento",
        say`${option("bento")} is for an image target; "${text}" is already a bento`
      );
    if (!options.image)
      throw new OptionError(
        "image",
        say`the bento ${text} needs ${option("image")}: the pushed image of this bento, by digest (registry/repo@sha256:...) or by a tag to resolve`
      );
    return { facts: factsOfBento(bento.info), image: await pinned(options.image, "image", options) };
  }
  if (options.image)
    throw new OptionError(
      "image",
      say`"${text}" is not a bento in the store, so it is the image: drop ${option("image")}, or build the bento`
    );
  const image = await pinned(text, void 0, options);
  if (options.bento) {
    const settings = await openBentoStore(options.home).get(options.bento);
    return { facts: factsOfBento(settings.info), image };
  }
  return { facts: factsOfImage(parseImageReference(text).repository), image };
}

// src/operations/manifests.ts
var DEFAULT_PROMETHEUS = "http://prometheus.monitoring.svc:9090";
var manifestsOptionsSchema = manifestChoicesSchema.extend({
  /** A bento tag in the store, or an image reference. */
  target: external_exports.string().min(1, { error: "name a bento tag or an image reference" }),
  /** The directory to write. */
  out: external_exports.string().min(1).default("manifests"),
  /** For a bento target: its pushed image, by digest or by a tag to resolve. */
  image: external_exports.string().min(1).optional(),
  /** For an image target: the bento whose resources and settings to use. */
  bento: external_exports.string().min(1).optional(),
  /** Also write rollouts/argo and rollouts/flagger for the same workload. */
  rollouts: external_exports.boolean().default(false),
  /** Rollout analyses ask the canary judge server; writes judge/ to run it (implies rollouts). */
  judge: external_exports.boolean().default(false),
  judgeImage: external_exports.string().min(1).optional(),
  /** The canary thresholds file the rollout analyses apply (default thresholds when absent). */
  thresholds: external_exports.string().min(1).optional(),
  /** Prometheus the analyses query. */
  prometheus: external_exports.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).default(DEFAULT_PROMETHEUS),
  /** Plain HTTP to the registry when resolving a tag. */
  insecure: external_exports.boolean().default(false),
  caFile: external_exports.string().min(1).optional()
});
function parseManifestsOptions(values) {
  const options = parseOptions(manifestsOptionsSchema, values);
  checkManifestChoices(options);
  return options;
}
async function manifests(values, context) {
  const options = parseManifestsOptions(values);
  const rollouts = options.rollouts || options.judge;
  const thresholds = rollouts ? await loadThresholds(options.thresholds) : void 0;
  const target = await resolveTarget(options.target, {
    home: context.home,
    ...options.image ? { image: options.image } : {},
    ...options.bento ? { bento: options.bento } : {},
    ...options.insecure ? { insecure: true } : {},
    ...options.caFile ? { caFile: options.caFile } : {}
  });
  return writeManifests({
    target,
    out: options.out,
    choices: options,
    ...thresholds ? {
      rollouts: {
        thresholds,
        prometheusAddress: options.prometheus,
        judge: options.judge,
        ...options.judgeImage ? { judgeImage: options.judgeImage } : {}
      }
    } : {}
  });
}

export {
  DEFAULT_PROMETHEUS,
  manifests
};
