import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  ATTESTATION_KINDS,
  BentoError,
  CLI_NAMING,
  KINDS,
  LIBRARY_NAMING,
  OptionError,
  OptionErrors,
  UsageError,
  attestSigningSchema,
  attestationKinds,
  bentociHome,
  cudaVersionHint,
  debug,
  endGroup,
  error,
  errorMessage,
  external_exports,
  formatBytes,
  formatImageName,
  getInput,
  isDigest,
  keyProblem,
  manifestChoicesSchema,
  noun,
  openVerifyGate,
  parseImageName,
  parseImageReference,
  parseOciUrl,
  parseOptions,
  parseTag,
  parseVerifyGateOptions,
  redactUserInfo,
  require_semver,
  resolveCudaVersion,
  setOutput,
  setSecret,
  signingOf,
  startGroup,
  summary,
  validateTag,
  validateTagPart,
  valueProblem,
  warning
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/actions/secrets.ts
var MIN_LINE = 8;
function maskSecret(value) {
  if (!value) return;
  setSecret(value);
  const lines = value.split(/\r?\n/).map((l) => l.trim());
  if (lines.length < 2) return;
  for (const line of lines) {
    if (line.length >= MIN_LINE && !/^-----(BEGIN|END) [A-Z ]+-----$/.test(line) && !/^[A-Za-z-]+:/.test(line)) {
      setSecret(line);
    }
  }
}

// src/actions/inputs.ts
var import_semver = __toESM(require_semver(), 1);

// src/actions/input-fields.ts
var TRUE = ["true", "True", "TRUE"];
var FALSE = ["false", "False", "FALSE"];
function parsed(parse) {
  return external_exports.string().transform((text, ctx) => {
    try {
      return parse(text);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : String(err) });
      return external_exports.NEVER;
    }
  });
}
function optionalText() {
  return external_exports.string().transform((text) => text === "" ? void 0 : text);
}
function bool(defaultValue) {
  return parsed((text) => {
    if (text === "") return defaultValue;
    if (TRUE.includes(text)) return true;
    if (FALSE.includes(text)) return false;
    throw new Error(`"${text}" is not a boolean: expected true or false`);
  });
}
function oneOf(values, defaultValue) {
  return parsed((text) => {
    if (text === "") return defaultValue;
    if (values.includes(text)) return text;
    throw new Error(`"${text}" is not one of: ${values.join(", ")}`);
  });
}
function list(options = {}) {
  return external_exports.string().transform(
    (text) => text.split(/\r?\n/).flatMap((line) => options.commas === false ? [line] : line.split(",")).map((item) => item.trim()).filter((item) => item !== "" && !item.startsWith("#"))
  );
}
function keyValues() {
  return list().transform((items, ctx) => {
    const out = {};
    for (const item of items) {
      const eq = item.indexOf("=");
      if (eq <= 0) {
        ctx.addIssue({ code: "custom", message: `"${item}" is not key=value` });
        return external_exports.NEVER;
      }
      out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
    }
    return out;
  });
}
function imageKeyValues() {
  return list({ commas: false }).transform((items, ctx) => {
    const out = {};
    for (const item of items) {
      const eq = item.indexOf("=");
      const key = eq < 0 ? item : item.slice(0, eq).trim();
      const problem = eq < 0 ? 'it has no "="' : keyProblem(key) ?? valueProblem(item.slice(eq + 1).trim());
      if (problem) {
        ctx.addIssue({
          code: "custom",
          message: `"${item}": ${problem}; expected one key=value a line, e.g. org.opencontainers.image.licenses=Apache-2.0`
        });
        return external_exports.NEVER;
      }
      out[key] = item.slice(eq + 1).trim();
    }
    return out;
  });
}
function imageNames() {
  return list().transform((items, ctx) => {
    try {
      return [...new Set(items.map((item) => formatImageName(parseImageName(item, noun("tag")))))];
    } catch (err) {
      ctx.addIssue({ code: "custom", message: err.message });
      return external_exports.NEVER;
    }
  });
}
function positiveInt(defaultValue) {
  return parsed((text) => {
    if (text === "") return defaultValue;
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`"${text}" is not a positive whole number`);
    return n;
  });
}
function optionalTagPart(what) {
  return parsed((text) => text === "" ? void 0 : validateTagPart(text, what, noun(what)));
}
function tag() {
  return parsed((text) => {
    if (text === "") throw new Error("is required: expected name[:version]");
    return parseTag(text, noun("tag"));
  });
}
function optionalDigest() {
  return parsed((text) => {
    if (text === "") return void 0;
    if (!isDigest(text)) throw new Error(`"${text}" is not sha256:<64 lowercase hex digits>`);
    return text;
  });
}
function parseEntryRef(text) {
  const at = text.indexOf("@");
  const tagText = at >= 0 ? text.slice(0, at) : text;
  const digest = at >= 0 ? text.slice(at + 1) : void 0;
  if (digest !== void 0 && !isDigest(digest)) {
    throw new BentoError(`"${text}": the digest after '@' must be sha256:<64 lowercase hex digits>`);
  }
  return {
    tag: parseTag(tagText, noun("tag")),
    explicitVersion: tagText.includes(":"),
    ...digest ? { digest } : {}
  };
}
function entryRefs() {
  return list().transform((items, ctx) => {
    const out = [];
    for (const item of items) {
      try {
        out.push(parseEntryRef(item));
      } catch (err) {
        ctx.addIssue({ code: "custom", message: err.message });
        return external_exports.NEVER;
      }
    }
    return out;
  });
}
function modelSources() {
  return list({ commas: false }).transform((items, ctx) => {
    const out = [];
    for (const item of items) {
      const eq = item.indexOf("=");
      const tagText = eq > 0 ? item.slice(0, eq).trim() : "";
      const path = eq > 0 ? item.slice(eq + 1).trim() : "";
      try {
        if (!tagText || !path) throw new Error(`"${item}" is not name[:version]=path`);
        parseTag(tagText, noun("tag"));
      } catch (err) {
        ctx.addIssue({ code: "custom", message: err.message });
        return external_exports.NEVER;
      }
      out.push({ tag: tagText, path });
    }
    return out;
  });
}
function pushTags() {
  return list().transform((items, ctx) => {
    const out = [];
    for (const item of items) {
      try {
        if (!item.includes("/")) {
          out.push({ tag: validateTag(item, noun("tag")) });
          continue;
        }
        const ref = parseImageReference(item, noun("tag"));
        if (ref.digest || !ref.tag) throw new Error(`"${item}" names no tag: expected host/repository:tag`);
        out.push({ tag: ref.tag, repository: { registry: ref.registry, repository: ref.repository } });
      } catch (err) {
        ctx.addIssue({ code: "custom", message: err.message });
        return external_exports.NEVER;
      }
    }
    return out;
  });
}

// src/actions/inputs.ts
var InputError = class extends UsageError {
  constructor(input, message, options = {}) {
    super(options.namesInput ? message : `input "${input}": ${message}`);
    this.input = input;
    this.name = "InputError";
  }
  input;
};
var InputErrors = class extends UsageError {
  constructor(errors) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
    this.name = "InputErrors";
  }
  errors;
};
function camel(name) {
  return name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
}
var transferInputs = {
  "import-from": oneOf(["cache"]),
  "export-to": oneOf(["cache"])
};
var version = optionalTagPart("version");
var verifyPolicy = oneOf(["off", "warn", "require"], "off");
var cudaVersion = parsed((text) => {
  if (text === "") return void 0;
  const release = resolveCudaVersion(text);
  if (!release) throw new Error(`"${text}" is not a known CUDA release; ${cudaVersionHint(text)}`);
  return release;
});
var buildStepInputs = {
  bentofile: optionalText(),
  context: optionalText().transform((v) => v ?? "."),
  version,
  labels: keyValues(),
  "cuda-version": cudaVersion,
  models: modelSources(),
  "import-models": entryRefs(),
  ...transferInputs
};
var buildInputs = {
  ...buildStepInputs,
  build: bool(true)
};
var bentoInputs = {
  bento: tag(),
  "bento-digest": optionalDigest(),
  "import-from": oneOf(["cache"])
};
var verifyInputs = {
  "verify-policy": verifyPolicy,
  "verify-key": optionalText(),
  "verify-certificate-identity": optionalText(),
  "verify-certificate-identity-regexp": optionalText(),
  "verify-certificate-oidc-issuer": optionalText(),
  "verify-trusted-root": optionalText(),
  "verify-insecure-ignore-sct": bool(false)
};
var containerizeInputs = {
  ...bentoInputs,
  tags: imageNames(),
  labels: imageKeyValues(),
  ...verifyInputs
};
function parseRegistry(text) {
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(text) && !text.startsWith("oci://")) {
    throw new Error(`"${redactUserInfo(text)}" is not oci://host[:port]/path or host[:port]/path`);
  }
  const ref = parseOciUrl(text.startsWith("oci://") ? text : `oci://${text}`, noun("registry"));
  if (ref.digest) throw new Error(`"${text}" names a digest; push to a repository or a tag`);
  return ref;
}
var registry = parsed((text) => {
  if (text === "") throw new Error("is required: expected oci://host[:port]/path or host[:port]/path");
  return parseRegistry(text);
});
var optionalRegistry = parsed((text) => text === "" ? void 0 : parseRegistry(text));
var releaseVersion = parsed((text) => {
  if (text === "") return void 0;
  if (!import_semver.default.valid(text)) throw new Error(`"${text}" is not a semantic version such as 1.4.2 or v1.4.2`);
  return text;
});
var registryInputs = {
  "registry-username": optionalText(),
  "registry-password": optionalText(),
  insecure: bool(false)
};
var attestKinds = parsed((text) => {
  const names = text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  const parsed2 = attestationKinds(names);
  if ("unknown" in parsed2)
    throw new Error(
      `"${parsed2.unknown}" is not an attestation: expected a comma list of ${Object.keys(ATTESTATION_KINDS).join(", ")}, or none`
    );
  return parsed2.kinds;
});
var signInputs = {
  attest: attestKinds,
  "sign-key": optionalText(),
  "sign-key-password": optionalText(),
  "sign-keyless": bool(false),
  "sigstore-fulcio-url": optionalText(),
  "sigstore-rekor-url": optionalText()
};
var pushInputs = {
  ...bentoInputs,
  registry,
  image: optionalText(),
  "image-registry": optionalRegistry,
  "image-tags": pushTags(),
  annotations: imageKeyValues(),
  "release-version": releaseVersion,
  // Kubernetes manifests for the pushed image (docs/kubernetes.md).
  manifests: optionalText(),
  "manifests-kind": oneOf(KINDS, "deployment"),
  // Checked by the manifests' own rule before anything is pushed.
  "manifests-namespace": optionalText().pipe(manifestChoicesSchema.shape.namespace),
  ...registryInputs,
  ...signInputs,
  ...verifyInputs
};
var pipelineInputs = {
  ...buildStepInputs,
  tags: imageNames(),
  containerize: bool(true),
  push: bool(true),
  registry: optionalRegistry,
  "image-registry": optionalRegistry,
  "release-version": releaseVersion,
  ...registryInputs,
  ...signInputs,
  ...verifyInputs
};
var canaryInputs = {
  baseline: optionalText(),
  candidate: optionalText(),
  requests: optionalText(),
  duration: optionalText(),
  concurrency: optionalText(),
  warmup: optionalText(),
  "requests-file": optionalText(),
  seed: optionalText(),
  order: optionalText(),
  timeout: optionalText(),
  "ready-timeout": optionalText(),
  env: keyValues(),
  thresholds: optionalText(),
  shadow: optionalText(),
  "promote-to": optionalText(),
  "release-version": optionalText(),
  "rollout-manifests": optionalText(),
  "rollout-name": optionalText(),
  "rollout-image": optionalText(),
  "github-token": optionalText(),
  comment: bool(true),
  status: bool(true),
  "pr-number": positiveInt(),
  "promote-on": list(),
  "promote-refs": list(),
  ...registryInputs,
  ...verifyInputs
};
var SECRET_INPUTS = [
  "registry-password",
  "sign-key",
  "sign-key-password",
  "github-token"
];
var ACTION_INPUTS = {
  "bento-build": buildInputs,
  "bento-containerize": containerizeInputs,
  "bento-push": pushInputs,
  "bento-canary": canaryInputs,
  pipeline: pipelineInputs
};
function readInputs(spec, read = (n) => getInput(n)) {
  const out = {};
  const errors = [];
  for (const [name, field] of Object.entries(spec)) {
    const raw = read(name);
    if (SECRET_INPUTS.includes(name) && raw) maskSecret(raw);
    const result = field.safeParse(raw);
    if (result.success) out[camel(name)] = result.data;
    else
      errors.push(
        new InputError(name, SECRET_INPUTS.includes(name) ? "is not valid" : result.error.issues[0].message)
      );
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new InputErrors(errors);
  return out;
}
function requireInput(value, input, why) {
  if (value === void 0 || value === "" || Array.isArray(value) && value.length === 0) {
    throw new InputError(input, `is required ${why}`);
  }
  return value;
}
function signOptionsOf(inputs) {
  return {
    attest: inputs.attest ?? [],
    key: inputs.signKey,
    keyless: inputs.signKeyless ?? false,
    fulcioUrl: inputs.sigstoreFulcioUrl,
    rekorUrl: inputs.sigstoreRekorUrl,
    passwordEnv: inputs.signKeyPassword ? SIGN_KEY_PASSWORD_VAR : void 0
  };
}
var SIGN_KEY_PASSWORD_VAR = "BENTOCI_SIGN_KEY_PASSWORD";
function checkSignInputs(inputs) {
  parseOptions(attestSigningSchema, signOptionsOf(inputs));
}
function verifyOptionsOf(inputs) {
  return {
    verify: inputs.verifyPolicy ?? "off",
    pub: inputs.verifyKey,
    certificateIdentity: inputs.verifyCertificateIdentity,
    certificateIdentityRegexp: inputs.verifyCertificateIdentityRegexp,
    certificateOidcIssuer: inputs.verifyCertificateOidcIssuer,
    trustedRoot: inputs.verifyTrustedRoot,
    insecureIgnoreSct: inputs.verifyInsecureIgnoreSct ?? false
  };
}
function checkVerifyInputs(inputs) {
  parseVerifyGateOptions(verifyOptionsOf(inputs));
}

// src/actions/outputs.ts
var ACTION_OUTPUTS = {
  "bento-build": ["tag", "name", "version", "digest", "size", "models", "cache-key"],
  "bento-containerize": ["tag", "digest", "image-id", "image-digest", "image-tags", "image-size", "metadata"],
  "bento-push": [
    "tag",
    "digest",
    "artifact-ref",
    "artifact-digest",
    "image-id",
    "image-digest",
    "image-tags",
    "metadata",
    "pushed-refs",
    "signature-refs",
    "attestation-refs",
    "manifests-dir"
  ],
  "bento-canary": [
    "verdict",
    "score",
    "passed",
    "report-file",
    "comment-url",
    "promoted-digest",
    "manifests"
  ],
  pipeline: [
    "tag",
    "version",
    "digest",
    "cache-key",
    "image-id",
    "image-digest",
    "image-tags",
    "metadata",
    "pushed-refs",
    "signature-refs",
    "attestation-refs"
  ]
};
function formatOutput(value) {
  if (value === void 0) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (isList(value)) return value.join("\n");
  return JSON.stringify(value);
}
function isList(value) {
  return Array.isArray(value);
}
function setOutputs(declared, values) {
  for (const name of Object.keys(values)) {
    if (!declared.includes(name)) throw new Error(`output "${name}" is not declared in action.yml`);
  }
  for (const name of declared) setOutput(name, formatOutput(values[name]));
}

// src/actions/naming.ts
var INPUT_OF = {
  key: "sign-key",
  keyless: "sign-keyless",
  password: "registry-password",
  passwordEnv: "sign-key-password",
  username: "registry-username",
  fulcioUrl: "sigstore-fulcio-url",
  rekorUrl: "sigstore-rekor-url",
  pub: "verify-key",
  verify: "verify-policy",
  certificateIdentity: "verify-certificate-identity",
  certificateIdentityRegexp: "verify-certificate-identity-regexp",
  certificateOidcIssuer: "verify-certificate-oidc-issuer",
  trustedRoot: "verify-trusted-root",
  insecureIgnoreSct: "verify-insecure-ignore-sct",
  release: "release-version",
  to: "registry",
  tag: "tags",
  label: "labels",
  annotation: "annotations"
};
var ACTION_OF = {
  build: "bento-build",
  containerize: "bento-containerize",
  push: "bento-push",
  "save-model": "bento-build's models input",
  sign: "the sign-key or sign-keyless input"
};
function kebab(key) {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
function inputOf(key, inputs) {
  const name = INPUT_OF[key] ?? kebab(key);
  return inputs.includes(name) ? name : void 0;
}
function actionNaming(inputs) {
  const option = (ref) => {
    const input = inputOf(ref.key, inputs);
    if (!input) return LIBRARY_NAMING.option(ref);
    return ref.value === void 0 ? `input "${input}"` : `input "${input}: ${ref.value}"`;
  };
  const operation = (ref) => ACTION_OF[ref.operation] ?? CLI_NAMING.operation(ref);
  return { option, operation };
}

// src/actions/run.ts
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

// src/actions/report.ts
var RunReport = class {
  startedAt = Date.now();
  artifacts = [];
  transfers = [];
  pushed = [];
  steps = [];
  images = [];
  notes = [];
  failure;
  artifact(a) {
    this.artifacts.push(a);
  }
  transfer(t) {
    this.transfers.push(t);
  }
  push(p) {
    this.pushed.push(p);
  }
  imageDetails(d) {
    this.images.push(d);
  }
  note(text) {
    this.notes.push(text);
  }
};

// src/actions/summary.ts
function cell(text) {
  if (text === void 0 || text === "") return "\u2013";
  return String(text).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
function code(text) {
  return text ? `\`${text.replace(/`/g, "'")}\`` : "\u2013";
}
function table(headers, rows) {
  const head = `| ${headers.join(" | ")} |
| ${headers.map(() => "---").join(" | ")} |
`;
  return head + rows.map((r) => `| ${r.map(cell).join(" | ")} |
`).join("");
}
function seconds(ms) {
  return `${(ms / 1e3).toFixed(ms < 1e4 ? 2 : 1)} s`;
}
function ganttName(name) {
  return name.replace(/[:#;]/g, " ").trim() || "step";
}
function gantt(steps, origin) {
  const lines = ["```mermaid", "gantt", "  dateFormat x", "  axisFormat %M:%S", "  section steps"];
  steps.forEach((s, i) => {
    const end = Math.max(s.endMs - origin, s.startMs - origin + 1);
    lines.push(`  ${ganttName(s.name)} :${s.ok ? "done" : "crit"}, s${i}, ${s.startMs - origin}, ${end}`);
  });
  lines.push("```");
  return `${lines.join("\n")}
`;
}
function renderSummary(title, report, now = Date.now()) {
  const parts = [`## ${title}
`];
  if (report.failure) parts.push(`> [!CAUTION]
> **${report.failure.title}**: ${report.failure.message}
`);
  if (report.artifacts.length > 0) {
    parts.push(
      `### Artifacts

${table(
        ["Kind", "Reference", "Action", "Size", "Digest"],
        report.artifacts.map((a) => [
          a.kind,
          code(a.ref),
          a.action,
          a.size === void 0 ? void 0 : formatBytes(a.size),
          code(a.digest)
        ])
      )}`
    );
  }
  if (report.transfers.length > 0) {
    parts.push(
      `### Actions cache

${table(
        ["Direction", "Entry", "Cache key", "Outcome", "Archive size"],
        report.transfers.map((t) => [
          t.direction,
          `${t.kind} ${code(t.ref)}`,
          code(t.key),
          t.outcome,
          t.size === void 0 ? void 0 : formatBytes(t.size)
        ])
      )}`
    );
  }
  if (report.pushed.length > 0) {
    parts.push(
      `### Pushed

${table(
        ["Kind", "Reference", "Digest"],
        report.pushed.map((p) => [p.kind, code(p.ref), code(p.digest)])
      )}`
    );
  }
  for (const details of report.images) {
    const entries = Object.entries(details.values).sort(([a], [b]) => a.localeCompare(b));
    if (entries.length === 0) continue;
    const what = details.kind === "labels" ? "Image labels" : "Manifest annotations";
    parts.push(
      `### ${what} of ${code(details.image)}

${table(
        ["Key", "Value"],
        entries.map(([k, v]) => [code(k), v])
      )}`
    );
  }
  if (report.steps.length > 0) {
    const origin = report.steps[0].startMs;
    const total = Math.max(...report.steps.map((s) => s.endMs)) - origin;
    parts.push(
      `### Timings

${table(
        ["Step", "Duration", "Result"],
        [
          ...report.steps.map((s) => [s.name, seconds(s.endMs - s.startMs), s.ok ? "ok" : "failed"]),
          ["**total**", seconds(total), report.failure ? "failed" : "ok"]
        ]
      )}`
    );
    if (report.steps.length > 1) parts.push(gantt(report.steps, origin));
  } else {
    parts.push(`Finished in ${seconds(now - report.startedAt)}.
`);
  }
  if (report.notes.length > 0) parts.push(report.notes.map((n) => `- ${n}`).join("\n") + "\n");
  return parts.join("\n");
}
async function writeSummary(title, report) {
  if (!process.env["GITHUB_STEP_SUMMARY"]) return;
  await summary.addRaw(renderSummary(title, report), true).write();
}

// src/actions/run.ts
var StepFailure = class extends Error {
  constructor(step, cause) {
    super(errorMessage(cause));
    this.step = step;
    this.cause = cause;
  }
  step;
  cause;
};
async function runAction(definition, main) {
  const report = new RunReport();
  const run = {
    name: definition.name,
    report,
    async step(title, fn) {
      const startMs = Date.now();
      startGroup(title);
      try {
        const value = await fn();
        report.steps.push({ name: title, startMs, endMs: Date.now(), ok: true });
        return value;
      } catch (err) {
        report.steps.push({ name: title, startMs, endMs: Date.now(), ok: false });
        throw err instanceof StepFailure ? err : new StepFailure(title, err);
      } finally {
        endGroup();
      }
    }
  };
  try {
    const outputs = await main(run);
    setOutputs(definition.outputs, outputs);
  } catch (err) {
    fail(definition, report, err);
  }
  try {
    await writeSummary(definition.title, report);
  } catch (err) {
    warning(`could not write the job summary: ${errorMessage(err)}`);
  }
}
function fail(definition, report, err) {
  const step = err instanceof StepFailure ? err.step : void 0;
  const cause = err instanceof StepFailure ? err.cause : err;
  const inputs = Object.keys(ACTION_INPUTS[definition.name] ?? {});
  const naming = actionNaming(inputs);
  const render = (e) => e instanceof BentoError ? e.render(naming) : errorMessage(e);
  const optionErrors = cause instanceof OptionErrors ? cause.errors : cause instanceof OptionError ? [cause] : [];
  const optionInputs = optionErrors.map((e) => inputOf(e.option, inputs));
  const inputErrors = cause instanceof InputErrors ? cause.errors : cause instanceof InputError ? [cause] : optionErrors.length > 0 && optionInputs.every(Boolean) ? optionErrors.map((e, i) => new InputError(optionInputs[i], render(e), { namesInput: true })) : [];
  if (inputErrors.length > 0) {
    for (const e of inputErrors)
      error(e.message, { title: `Invalid input "${e.input}" (${definition.name})` });
    report.failure = { title: "invalid inputs", message: inputErrors.map((e) => e.message).join("; ") };
  } else {
    const title = `${step ? `${step} failed` : "Failed"} (${definition.name})`;
    const message = render(cause);
    error(message, { title });
    if (!(cause instanceof BentoError) && cause instanceof Error && cause.stack) debug(cause.stack);
    report.failure = { title, message };
  }
  process.exitCode = 1;
}
function isMainModule(moduleUrl) {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

// src/actions/runner.ts
import { tmpdir } from "node:os";
import { resolve } from "node:path";
function runnerEnv(env = process.env) {
  const get = (name) => env[name] ? env[name] : void 0;
  const repository = get("GITHUB_REPOSITORY");
  const sha = get("GITHUB_SHA");
  const ref = get("GITHUB_REF");
  return {
    workspace: resolve(get("GITHUB_WORKSPACE") ?? process.cwd()),
    temp: resolve(get("RUNNER_TEMP") ?? tmpdir()),
    home: bentociHome(env),
    ...repository ? { repository } : {},
    ...sha ? { sha } : {},
    ...ref ? { ref } : {}
  };
}
function workspacePath(env, path) {
  return resolve(env.workspace, path);
}

// src/actions/steps/keys.ts
var SIGN_KEY_VAR = "BENTOCI_SIGN_KEY";
var VERIFY_KEY_VAR = "BENTOCI_VERIFY_KEY";
function keySpec(text, name, env, keyEnv) {
  if (text === void 0) return void 0;
  if (!text.includes("-----BEGIN")) return workspacePath(env, text);
  keyEnv[name] = text;
  return `env://${name}`;
}
function verifyOptionsFrom(inputs, env) {
  const keyEnv = {};
  const options = verifyOptionsOf(inputs);
  return {
    options: {
      ...options,
      pub: keySpec(options.pub, VERIFY_KEY_VAR, env, keyEnv),
      trustedRoot: options.trustedRoot !== void 0 ? workspacePath(env, options.trustedRoot) : void 0
    },
    access: { env: keyEnv }
  };
}
async function verifyGateFrom(inputs, env) {
  const { options, access } = verifyOptionsFrom(inputs, env);
  return openVerifyGate(parseVerifyGateOptions(options), access);
}
function signingFrom(inputs, env) {
  const keyEnv = {};
  const options = signOptionsOf(inputs);
  if (inputs.signKeyPassword) keyEnv[SIGN_KEY_PASSWORD_VAR] = inputs.signKeyPassword;
  return signingOf({ ...options, key: keySpec(options.key, SIGN_KEY_VAR, env, keyEnv) }, { env: keyEnv });
}

export {
  maskSecret,
  InputError,
  buildInputs,
  containerizeInputs,
  pushInputs,
  pipelineInputs,
  canaryInputs,
  readInputs,
  requireInput,
  signOptionsOf,
  checkSignInputs,
  checkVerifyInputs,
  ACTION_OUTPUTS,
  setOutputs,
  actionNaming,
  runAction,
  isMainModule,
  runnerEnv,
  workspacePath,
  verifyOptionsFrom,
  verifyGateFrom,
  signingFrom
};
