import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  BentoError,
  UsageError,
  formatImageName
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";

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
        const text = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (text) handle(parse(text));
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
function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { stream: text };
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
function shorten(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}\u2026`;
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

export {
  buildImage,
  externalImageOf,
  provenanceOf
};
