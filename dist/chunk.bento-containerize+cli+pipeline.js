import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  buildImage,
  provenanceOf
} from "./chunk.bento-containerize+bento-push+cli+pipeline.js";
import {
  bentoDepsOf,
  dockerQuote,
  dockerfileOf
} from "./chunk.bento-build+bento-containerize+bento-push+cli+pipeline.js";
import {
  connectEngine
} from "./chunk.bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  BentoError,
  CONTEXT,
  OptionError,
  SIGNATURES_DIR,
  UsageError,
  checkKeyValues,
  checkVerifyGate,
  exists,
  external_exports,
  formatImageName,
  formatTag,
  listFiles,
  openVerifyGate,
  option,
  optionIssue,
  parseImageName,
  parseOptions,
  progress,
  require_tar_stream,
  say,
  verifyGateShape
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/containerize/context.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
async function buildContext(inputs, onBytes = () => {
}) {
  const sources = [text(CONTEXT.dockerfile, inputs.dockerfile)];
  for (const file of ["package.json", "package-lock.json"]) {
    sources.push(await fileSource(`${CONTEXT.deps}/${file}`, join(inputs.runtimePackageDir, file)));
  }
  if (inputs.caFile) sources.push(await fileSource(`${CONTEXT.deps}/${CONTEXT.caFile}`, inputs.caFile));
  for (const [name, content] of Object.entries(inputs.bentoDeps?.files ?? {})) {
    sources.push(text(`${CONTEXT.bentoDeps}/${name}`, content));
  }
  sources.push(...await runtimeSources(inputs));
  const bentoFiles = await listFiles(inputs.bentoDir, (rel) => rel === SIGNATURES_DIR);
  for (const rel of bentoFiles) {
    const name = rel.startsWith("models/") ? rel : `${CONTEXT.bento}/${rel}`;
    sources.push(await fileSource(name, join(inputs.bentoDir, rel)));
  }
  const bytes = sources.reduce((sum, s) => sum + ("content" in s ? s.content.length : s.size), 0);
  return { stream: pack(sources, inputs.mtime ?? /* @__PURE__ */ new Date(0), onBytes), files: sources.length, bytes };
}
async function runtimeSources(inputs) {
  const names = await readdir(inputs.runtimeBundleDir).catch(() => []);
  const scripts = names.filter((n) => n.endsWith(".js") || n.endsWith(".mjs")).sort();
  if (!scripts.includes("server.js")) {
    throw new BentoError(
      `the runtime bundle is missing: ${join(inputs.runtimeBundleDir, "server.js")} does not exist (run \`npm run build\` in the bentoci checkout)`
    );
  }
  const out = [];
  for (const name of scripts)
    out.push(await fileSource(`${CONTEXT.runtime}/${name}`, join(inputs.runtimeBundleDir, name)));
  out.push(
    await fileSource(`${CONTEXT.runtime}/package.json`, join(inputs.runtimePackageDir, "package.json"))
  );
  return out;
}
function text(name, content) {
  return { name, mode: 420, content: Buffer.from(content) };
}
async function fileSource(name, path) {
  const info = await stat(path).catch(() => void 0);
  if (!info?.isFile()) throw new BentoError(`build context file ${path} is missing or not a regular file`);
  return { name, path, size: info.size, mode: info.mode & 73 ? 493 : 420 };
}
function pack(sources, mtime, onBytes) {
  const archive = import_tar_stream.default.pack();
  const header = (s, size) => ({
    name: s.name,
    size,
    mode: s.mode,
    mtime,
    uid: 0,
    gid: 0,
    type: "file"
  });
  void (async () => {
    for (const source of sources) {
      if ("content" in source) {
        await new Promise(
          (resolve2, reject) => archive.entry(
            header(source, source.content.length),
            source.content,
            (err) => err ? reject(err) : resolve2()
          )
        );
        onBytes(source.content.length);
        continue;
      }
      const entry = archive.entry(header(source, source.size));
      const done = new Promise((resolve2, reject) => {
        entry.on("finish", () => resolve2());
        entry.on("error", reject);
      });
      for await (const chunk of createReadStream(source.path, { highWaterMark: 1 << 20 })) {
        onBytes(chunk.length);
        if (!entry.write(chunk)) await once(entry, "drain");
      }
      entry.end(void 0);
      await done;
    }
    archive.finalize();
  })().catch((err) => archive.destroy(err));
  return archive;
}

// src/containerize/runtime-files.ts
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join as join2, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
var RUNTIME_PACKAGE = "bentoci-runtime";
async function locateRuntime(env = process.env) {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (; ; ) {
    const pkg = join2(dir, "runtime", "package.json");
    if (await isRuntimePackage(pkg)) {
      const bundleDir = env["BENTOCI_RUNTIME_BUNDLE"] ? resolve(env["BENTOCI_RUNTIME_BUNDLE"]) : join2(dir, "dist", "runtime");
      return { bundleDir, packageDir: join2(dir, "runtime") };
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new BentoError(
    `cannot find runtime/package.json of the ${RUNTIME_PACKAGE} package above ${fileURLToPath(import.meta.url)}; reinstall bentoci`
  );
}
async function isRuntimePackage(path) {
  if (!await exists(path)) return false;
  try {
    return JSON.parse(await readFile(path, "utf8")).name === RUNTIME_PACKAGE;
  } catch {
    return false;
  }
}
var registrySchema = external_exports.url({ protocol: /^https?$/ });
async function npmRegistryOf(given) {
  if (given !== void 0) {
    const parsed = registrySchema.safeParse(given);
    if (!parsed.success)
      throw new OptionError(
        "npmRegistry",
        say`invalid ${option("npmRegistry")} "${given}": expected an http(s) URL like https://registry.npmjs.org/`
      );
    return parsed.data;
  }
  try {
    const { stdout } = await promisify(execFile)("npm", ["config", "get", "registry"], { timeout: 15e3 });
    const parsed = registrySchema.safeParse(stdout.trim());
    if (parsed.success) return parsed.data;
  } catch {
  }
  return "https://registry.npmjs.org/";
}
async function caFileOf(given, env = process.env) {
  if (given !== void 0) {
    if (!await exists(given))
      throw new OptionError(
        "caFile",
        say`invalid ${option("caFile")} "${given}": no such file (pass a PEM bundle, e.g. /etc/ssl/certs/ca-certificates.crt)`
      );
    return resolve(given);
  }
  const fromEnv = env["NODE_EXTRA_CA_CERTS"];
  return fromEnv && await exists(fromEnv) ? resolve(fromEnv) : void 0;
}

// src/containerize/containerize.ts
async function containerize(bento, options = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {
  });
  const tags = [
    ...new Set(options.tags?.length ? options.tags : [`${bento.info.name}:${bento.info.version}`])
  ].map((t) => parseImageName(t));
  checkKeyValues(options.labels ?? {}, "label");
  for (const image of options.cacheFrom ?? []) parseImageName(image, "cacheFrom");
  const dockerfile = await dockerfileOf(bento.dir, bento.info);
  const runtime = options.runtime ?? await locateRuntime(env);
  const [npmRegistry, caFile, provenance] = await Promise.all([
    npmRegistryOf(options.npmRegistry),
    caFileOf(options.caFile, env),
    provenanceOf(bento.info.creation_time, { env })
  ]);
  const docker = await connectEngine();
  const labels = { ...buildLabels(bento.info, provenance), ...options.labels };
  const buildDockerfile = withBuildLabels(dockerfile.text, labels);
  const sendProgress = progress("sending build context", void 0, log);
  const context = await buildContext(
    {
      dockerfile: buildDockerfile,
      bentoDir: bento.dir,
      runtimeBundleDir: runtime.bundleDir,
      runtimePackageDir: runtime.packageDir,
      caFile,
      bentoDeps: await bentoDepsOf(bento.dir, bento.info),
      mtime: contextTime(env)
    },
    (n) => sendProgress.add(n)
  );
  log(
    `building ${tags.map(formatImageName).join(", ")} from bento ${formatTag(bento.tag)} (${dockerfile.stored ? "stored" : "generated"} Dockerfile, npm registry ${npmRegistry}${caFile ? `, CA ${caFile}` : ""})`
  );
  const built = await buildImage(docker, context.stream, {
    tags,
    buildArgs: { NPM_CONFIG_REGISTRY: npmRegistry, ...options.buildArgs },
    labels: {},
    target: options.target,
    platform: options.platform,
    cacheFrom: options.cacheFrom ?? [],
    noCache: options.noCache ?? false,
    networkMode: options.networkMode ?? "host",
    dockerfile: buildDockerfile,
    signal: options.signal,
    log
  });
  sendProgress.done();
  return {
    id: built.id,
    tags: built.tags,
    bento: formatTag(bento.tag),
    dockerfile: dockerfile.stored ? "stored" : "rendered",
    context: { files: context.files, bytes: context.bytes },
    labels
  };
}
function buildLabels(info, provenance) {
  const labels = {
    "org.opencontainers.image.version": info.version,
    "org.opencontainers.image.created": provenance.created,
    "bentoci.bento": `${info.name}:${info.version}`,
    ...provenance.revision ? { "org.opencontainers.image.revision": provenance.revision } : {},
    ...provenance.source ? {
      "org.opencontainers.image.source": provenance.source,
      "org.opencontainers.image.url": provenance.source
    } : {}
  };
  return { ...labels, ...info.labels };
}
function withBuildLabels(dockerfile, labels) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return dockerfile;
  const lines = entries.map(([k, v]) => `${dockerQuote(k)}=${dockerQuote(v)}`).join(" \\\n      ");
  return `${dockerfile.trimEnd()}

# Added by bentoci for this build.
LABEL ${lines}
`;
}
function contextTime(env) {
  const epoch = env["SOURCE_DATE_EPOCH"];
  if (epoch && !/^\d+$/.test(epoch))
    throw new UsageError(`invalid SOURCE_DATE_EPOCH "${epoch}": expected whole seconds since 1970`);
  return new Date(epoch ? Number(epoch) * 1e3 : 0);
}

// src/operations/containerize.ts
var text2 = external_exports.string().min(1, "expected a value").optional();
var containerizeOptionsSchema = external_exports.object({
  /** Image names; default `<bento name>:<bento version>`. */
  tag: external_exports.array(external_exports.string().min(1)).default([]),
  buildArg: external_exports.record(external_exports.string(), external_exports.string()).default({}),
  label: external_exports.record(external_exports.string(), external_exports.string()).default({}),
  /** Build up to this stage only (deps or bento). */
  target: text2,
  platform: text2,
  cacheFrom: external_exports.array(external_exports.string().min(1)).default([]),
  noCache: external_exports.boolean().default(false),
  npmRegistry: text2,
  caFile: text2,
  network: external_exports.string().min(1).default("host"),
  /** The Dockerfile instead of an image; `output` is where to write it. */
  dockerfileOnly: external_exports.boolean().default(false),
  output: text2,
  ...verifyGateShape
}).superRefine((values, ctx) => {
  checkVerifyGate(values, ctx);
  if (values.output !== void 0 && !values.dockerfileOnly)
    optionIssue(
      ctx,
      "output",
      say`${option("output")} writes the Dockerfile: use it with ${option("dockerfileOnly")}`
    );
});
async function planContainerize(values, access = {}) {
  const options = parseOptions(containerizeOptionsSchema, values);
  return { options, gate: await openVerifyGate(options, access) };
}
async function checkBento(plan, store, bento, options = {}) {
  if (!options.intactChecked) await store.assertIntact(bento);
  return plan.gate.check(
    () => ({
      type: "entry",
      store,
      entry: bento
    }),
    options.warn
  );
}
async function bentoDockerfile(bento) {
  const dockerfile = await dockerfileOf(bento.dir, bento.info);
  return { text: dockerfile.text, source: dockerfile.stored ? "stored" : "rendered" };
}
function buildBentoImage(plan, bento, log) {
  const o = plan.options;
  return containerize(bento, {
    tags: o.tag,
    buildArgs: o.buildArg,
    labels: o.label,
    ...o.target !== void 0 ? { target: o.target } : {},
    ...o.platform !== void 0 ? { platform: o.platform } : {},
    cacheFrom: o.cacheFrom,
    noCache: o.noCache,
    ...o.npmRegistry !== void 0 ? { npmRegistry: o.npmRegistry } : {},
    ...o.caFile !== void 0 ? { caFile: o.caFile } : {},
    networkMode: o.network,
    log
  });
}

export {
  planContainerize,
  checkBento,
  bentoDockerfile,
  buildBentoImage
};
