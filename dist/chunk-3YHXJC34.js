import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  bentoDepsOf,
  dockerQuote,
  dockerfileOf
} from "./chunk-RI2Z37MR.js";
import {
  connectEngine
} from "./chunk-4B2AWKPG.js";
import {
  BentoError,
  CONTEXT,
  SIGNATURES_DIR,
  UsageError,
  exists,
  external_exports,
  formatTag,
  listFiles,
  progress,
  require_tar_stream
} from "./chunk-QGJIJT2I.js";
import {
  __toESM
} from "./chunk-QU3QV6A2.js";

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

// src/containerize/image-ref.ts
var COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
var DOMAIN = "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\\d+)?|\\[[0-9a-fA-F:]+\\](?::\\d+)?)";
var NAME = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*$`);
var TAG = /^[\w][\w.-]{0,127}$/;
function parseImageName(text2, flag = "--tag") {
  if (text2.includes("@"))
    throw new UsageError(`invalid ${flag} "${text2}": a digest cannot be a build tag; use name:tag`);
  const slash = text2.lastIndexOf("/");
  const colon = text2.lastIndexOf(":");
  const [repo, tag] = colon > slash ? [text2.slice(0, colon), text2.slice(colon + 1)] : [text2, "latest"];
  const domainless = repo.includes("/") && /[.:]|^localhost$/.test(repo.split("/")[0]) ? repo.split("/").slice(1).join("/") : repo;
  if (!NAME.test(repo) || repo.length > 255 || domainless !== domainless.toLowerCase()) {
    throw new UsageError(
      `invalid ${flag} "${text2}": expected [registry/]name[:tag] with a lower-case name, e.g. ghcr.io/org/iris:1.0`
    );
  }
  if (!TAG.test(tag)) {
    throw new UsageError(
      `invalid ${flag} "${text2}": the tag "${tag}" must be letters, digits, '_', '.' or '-' (at most 128, not starting with '.' or '-')`
    );
  }
  return { repo, tag };
}
function formatImageName(name) {
  return `${name.repo}:${name.tag}`;
}

// src/containerize/image-build.ts
var STEP = /^Step (\d+)\/(\d+) : (.*)$/;
var BOOKKEEPING = /^( ---> |Removing intermediate container |Successfully (built|tagged) )/;
var ANSI = /\u001b\[[0-9;]*m/g;
var TAIL_LINES = 5;
async function buildImage(docker, context, request) {
  const options = {
    dockerfile: "Dockerfile",
    buildargs: request.buildArgs,
    labels: request.labels,
    networkmode: request.networkMode,
    nocache: request.noCache,
    rm: true,
    // Also remove the intermediate container of a failed step: nothing half-built stays behind.
    forcerm: true,
    version: "1",
    ...request.target ? { target: request.target } : {},
    ...request.platform ? { platform: request.platform } : {},
    ...request.cacheFrom.length ? { cachefrom: request.cacheFrom } : {},
    ...request.signal ? { abortSignal: request.signal } : {}
  };
  let stream;
  try {
    stream = await docker.buildImage(context, options);
  } catch (err) {
    throw new BentoError(`the engine refused the build: ${engineMessage(err)}`);
  }
  const id = await follow(stream, request, docker);
  const applied = [];
  try {
    for (const name of request.tags) {
      await docker.getImage(id).tag({ repo: name.repo, tag: name.tag });
      applied.push(name);
    }
  } catch (err) {
    for (const name of applied)
      await docker.getImage(formatImageName(name)).remove({ noprune: true }).catch(() => {
      });
    throw new BentoError(`built ${id} but could not tag it: ${engineMessage(err)}`);
  }
  return { id, tags: request.tags.map(formatImageName) };
}
async function follow(stream, request, docker) {
  let step;
  let stageImage;
  let tail = [];
  let id;
  let failure;
  let buffer = "";
  const statusSeen = /* @__PURE__ */ new Set();
  const handle = (event) => {
    if (event.error || event.errorDetail) {
      failure ??= event;
      return;
    }
    if (event.aux?.ID) id = event.aux.ID;
    if (event.stream) {
      for (const raw of event.stream.split("\n")) {
        const line = raw.replace(ANSI, "").trimEnd();
        if (!line) continue;
        const match = STEP.exec(line);
        const stepImage = /^ ---> ([0-9a-f]{12,64})$/.exec(line)?.[1];
        if (match) {
          step = { number: match[1], total: match[2], instruction: match[3] };
          tail = [];
          if (/^FROM\s/i.test(step.instruction)) stageImage = void 0;
        } else if (stepImage) {
          stageImage = stepImage;
        } else if (!BOOKKEEPING.test(line)) {
          tail = [...tail.slice(1 - TAIL_LINES), line];
        }
        const built = /^Successfully built ([0-9a-f]{12,64})$/.exec(line);
        if (built && !id) id = built[1];
        request.log(line);
      }
    } else if (event.status) {
      const key = `${event.id ?? ""} ${event.status}`;
      if (!event.progressDetail || Object.keys(event.progressDetail).length === 0 || !statusSeen.has(key)) {
        if (!statusSeen.has(key)) request.log(event.id ? `${event.id}: ${event.status}` : event.status);
        statusSeen.add(key);
      }
    }
  };
  try {
    for await (const chunk of stream) {
      buffer += chunk.toString();
      let newline = buffer.indexOf("\n");
      while (newline >= 0) {
        const text2 = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (text2) handle(parse(text2));
        newline = buffer.indexOf("\n");
      }
    }
  } catch (err) {
    if (request.signal?.aborted) throw new BentoError("image build cancelled");
    throw new BentoError(`lost the engine's build stream: ${engineMessage(err)}`);
  }
  if (buffer.trim()) handle(parse(buffer.trim()));
  if (failure) {
    if (stageImage) await removeFailedChain(docker, stageImage);
    throw buildError(failure, step, tail, request);
  }
  if (!id) throw new BentoError("the engine ended the build without reporting an image id");
  return id;
}
async function removeFailedChain(docker, image) {
  try {
    const info = await docker.getImage(image).inspect();
    if ((info.RepoTags ?? []).some((t) => t !== "<none>:<none>")) return;
    await docker.getImage(image).remove({ noprune: false });
  } catch {
  }
}
function parse(text2) {
  try {
    return JSON.parse(text2);
  } catch {
    return { stream: text2 };
  }
}
function buildError(failure, step, tail, request) {
  const message = (failure.errorDetail?.message ?? failure.error ?? "unknown error").replace(/\s+/g, " ").trim();
  if (!step) return new BentoError(`image build failed before its first step: ${message}`);
  const where = `step ${step.number}/${step.total} (${shorten(step.instruction, 90)})`;
  const image = externalImageOf(step.instruction, request);
  if (image) {
    return new BentoError(
      `cannot pull base image "${image}" at ${where}: ${message}; pull or load it into the engine first (docker pull ${image}), or set docker.base_image to an image the engine has`
    );
  }
  const code = /returned a non-zero code: (\d+)/.exec(message)?.[1];
  const what = code ? `the command exited with code ${code}` : message;
  const lastOutput = tail.slice(-TAIL_LINES).map((l) => shorten(l, 200));
  return new BentoError(
    `image build failed at ${where}: ${what}${lastOutput.length ? `; last output: ${lastOutput.join(" | ")}` : ""}`
  );
}
function externalImageOf(instruction, request) {
  const stages = /* @__PURE__ */ new Set();
  const args = {};
  let seenFrom = false;
  for (const line of request.dockerfile.split("\n")) {
    const from2 = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from2) {
      seenFrom = true;
      if (from2[2]) stages.add(from2[2].toLowerCase());
      continue;
    }
    const arg = /^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?/i.exec(line);
    if (arg && !seenFrom) args[arg[1]] = arg[2] ?? "";
  }
  Object.assign(args, request.buildArgs);
  const expand = (ref2) => ref2.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name) => args[name] ?? "");
  const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)/i.exec(instruction);
  const copyFrom = /^COPY\s+.*--from=(\S+)/i.exec(instruction);
  const ref = from?.[1] ?? copyFrom?.[1];
  if (!ref) return void 0;
  const image = expand(ref);
  if (stages.has(image.toLowerCase()) || /^\d+$/.test(image) || image.toLowerCase() === "scratch")
    return void 0;
  return image;
}
function shorten(text2, max) {
  return text2.length <= max ? text2 : `${text2.slice(0, max - 1)}\u2026`;
}
function engineMessage(err) {
  if (err && typeof err === "object") {
    const json = err.json;
    if (json?.message) return json.message;
    if (err instanceof Error) return err.message.replace(/\s+/g, " ");
  }
  return String(err);
}

// src/containerize/provenance.ts
import { execFile } from "node:child_process";
import { promisify } from "node:util";
var run = promisify(execFile);
async function provenanceOf(bentoCreated, options = {}) {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const revision = env["GITHUB_SHA"] || await git(["rev-parse", "HEAD"], cwd);
  const repo = env["GITHUB_REPOSITORY"];
  const source = repo ? `${(env["GITHUB_SERVER_URL"] || "https://github.com").replace(/\/+$/, "")}/${repo}` : httpsRemote(await git(["remote", "get-url", "origin"], cwd));
  return { revision, source, created: createdOf(env["SOURCE_DATE_EPOCH"], bentoCreated) };
}
function createdOf(sourceDateEpoch, bentoCreated) {
  if (sourceDateEpoch === void 0 || sourceDateEpoch === "") return new Date(bentoCreated).toISOString();
  if (!/^\d+$/.test(sourceDateEpoch)) {
    throw new UsageError(`invalid SOURCE_DATE_EPOCH "${sourceDateEpoch}": expected whole seconds since 1970`);
  }
  return new Date(Number(sourceDateEpoch) * 1e3).toISOString();
}
function httpsRemote(remote) {
  if (!remote) return "";
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?$/.exec(remote);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  try {
    const url = new URL(remote);
    if (url.protocol !== "https:" && url.protocol !== "http:" && url.protocol !== "ssh:") return "";
    return `https://${url.hostname}${url.pathname.replace(/\.git$/, "")}`;
  } catch {
    return "";
  }
}
async function git(args, cwd) {
  try {
    const { stdout } = await run("git", args, { cwd, timeout: 5e3 });
    return stdout.trim();
  } catch {
    return "";
  }
}

// src/containerize/runtime-files.ts
import { execFile as execFile2 } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join as join2, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify as promisify2 } from "node:util";
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
async function npmRegistryOf(flag) {
  if (flag !== void 0) {
    const parsed = registrySchema.safeParse(flag);
    if (!parsed.success)
      throw new UsageError(
        `invalid --npm-registry "${flag}": expected an http(s) URL like https://registry.npmjs.org/`
      );
    return parsed.data;
  }
  try {
    const { stdout } = await promisify2(execFile2)("npm", ["config", "get", "registry"], { timeout: 15e3 });
    const parsed = registrySchema.safeParse(stdout.trim());
    if (parsed.success) return parsed.data;
  } catch {
  }
  return "https://registry.npmjs.org/";
}
async function caFileOf(flag, env = process.env) {
  if (flag !== void 0) {
    if (!await exists(flag))
      throw new UsageError(
        `invalid --ca-file "${flag}": no such file (pass a PEM bundle, e.g. /etc/ssl/certs/ca-certificates.crt)`
      );
    return resolve(flag);
  }
  const fromEnv = env["NODE_EXTRA_CA_CERTS"];
  return fromEnv && await exists(fromEnv) ? resolve(fromEnv) : void 0;
}

// src/containerize/containerize.ts
async function containerize(bento, options = {}) {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {
  });
  const tags = (options.tags?.length ? options.tags : [`${bento.info.name}:${bento.info.version}`]).map(
    (t) => parseImageName(t)
  );
  for (const image of options.cacheFrom ?? []) parseImageName(image, "--cache-from");
  const dockerfile = await dockerfileOf(bento.dir, bento.info);
  const runtime = options.runtime ?? await locateRuntime(env);
  const [npmRegistry, caFile, provenance] = await Promise.all([
    npmRegistryOf(options.npmRegistry),
    caFileOf(options.caFile, env),
    provenanceOf(bento.info.creation_time, { env })
  ]);
  const docker = await connectEngine();
  const buildDockerfile = withBuildLabels(dockerfile.text, {
    ...buildLabels(bento.info, provenance),
    ...options.labels
  });
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
    context: { files: context.files, bytes: context.bytes }
  };
}
function buildLabels(info, provenance) {
  const labels = {
    "org.opencontainers.image.version": info.version,
    "org.opencontainers.image.created": provenance.created,
    "bentoci.bento": `${info.name}:${info.version}`,
    ...provenance.revision ? { "org.opencontainers.image.revision": provenance.revision } : {},
    ...provenance.source ? { "org.opencontainers.image.source": provenance.source } : {}
  };
  return { ...labels, ...info.labels };
}
function withBuildLabels(dockerfile, labels) {
  const entries = Object.entries(labels);
  if (entries.length === 0) return dockerfile;
  const lines = entries.map(([k, v]) => `${dockerQuote(k)}=${dockerQuote(v)}`).join(" \\\n      ");
  return `${dockerfile.trimEnd()}

# Added by bentoci containerize for this build.
LABEL ${lines}
`;
}
function contextTime(env) {
  const epoch = env["SOURCE_DATE_EPOCH"];
  if (epoch && !/^\d+$/.test(epoch))
    throw new UsageError(`invalid SOURCE_DATE_EPOCH "${epoch}": expected whole seconds since 1970`);
  return new Date(epoch ? Number(epoch) * 1e3 : 0);
}

export {
  containerize
};
