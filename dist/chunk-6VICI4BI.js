import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  BENTOCI_VERSION,
  BentoError,
  IntegrityError,
  LATEST,
  SIGNATURES_DIR,
  UsageError,
  digestSchema,
  exactTagSchema,
  exists,
  external_exports,
  fileEntrySchema,
  formatTag,
  listFiles,
  manifestDigest,
  parseTag,
  progress,
  removeQuietly,
  require_dist,
  require_tar_stream,
  require_undici
} from "./chunk-IASK3DSC.js";
import {
  __toESM
} from "./chunk-QU3QV6A2.js";

// src/core/archive/format.ts
var MANIFEST_NAME = "bentoci-archive.json";
var ENTRY_DIR = "entry";
var FORMAT_NAME = "bentoci-archive";
var FORMAT_VERSION = 1;
var MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
var archiveManifestSchema = external_exports.object({
  format: external_exports.literal(FORMAT_NAME),
  format_version: external_exports.literal(FORMAT_VERSION),
  /** The store's noun: "model" or "bento". */
  kind: external_exports.string().regex(/^[a-z]+$/),
  tag: exactTagSchema,
  /** The entry's content digest (its info file's `digest`): sha256 over the content files' manifest. */
  digest: digestSchema,
  /** The info file's name inside `entry/`: "model.yaml" or "bento.yaml". */
  info_file: external_exports.string().min(1),
  /** Every member under `entry/`, paths relative to it: info file, content files and signatures. */
  files: external_exports.array(fileEntrySchema),
  /** Sum of `files[].size`. */
  size: external_exports.number().int().min(0),
  bentoci_version: external_exports.string()
});
var archiveFormatSchema = external_exports.enum(["gz", "tar"]);
var DEFAULT_GZIP_LEVEL = 6;
function archiveExtension(noun) {
  return noun === "model" ? ".bentomodel" : `.${noun}`;
}
function defaultArchiveName(noun, tag) {
  return `${tag.name}-${tag.version}${archiveExtension(noun)}`;
}
function memberName(rel) {
  return `${ENTRY_DIR}/${rel}`;
}

// src/core/archive/export.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { createHash } from "node:crypto";
import { createReadStream as createReadStream2 } from "node:fs";
import { readFile, stat as stat2 } from "node:fs/promises";
import { join as join2 } from "node:path";
import { Readable } from "node:stream";
import { pipeline as pipeline2 } from "node:stream/promises";
import { createGzip } from "node:zlib";

// src/core/archive/drain.ts
function drained(stream) {
  return new Promise((resolve3, reject) => {
    if (stream.destroyed) return reject(new Error("archive stream closed"));
    const cleanup = () => {
      stream.off("drain", onDrain);
      stream.off("close", onClose);
      stream.off("error", onError);
    };
    const onDrain = () => {
      cleanup();
      resolve3();
    };
    const onClose = () => {
      cleanup();
      reject(new Error("archive stream closed"));
    };
    const onError = (err) => {
      cleanup();
      reject(err);
    };
    stream.on("drain", onDrain);
    stream.on("close", onClose);
    stream.on("error", onError);
  });
}

// src/core/archive/safety.ts
import { isAbsolute, relative, resolve, sep } from "node:path";
function pathProblem(path) {
  if (path.length === 0) return "is empty";
  if (path.length > 4096) return "is longer than 4096 characters";
  if (path.includes("\0")) return "contains a NUL byte";
  if (path.includes("\\")) return "contains '\\' (paths use '/')";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path) || isAbsolute(path)) return "is absolute";
  for (const segment of path.split("/")) {
    if (segment === "..") return "climbs out with '..'";
    if (segment === "" || segment === ".") return "has an empty or '.' segment";
  }
  return void 0;
}
function assertSafePath(path, what, archive) {
  const problem = pathProblem(path);
  if (problem)
    throw new BentoError(
      `archive "${archive}" is unsafe: ${what} "${path}" ${problem}; refusing to import it`
    );
}
function classifyMember(header, archive) {
  const raw = header.name;
  let name = raw.startsWith("./") ? raw.slice(2) : raw;
  const type = header.type ?? "file";
  if (type === "directory") {
    if (name.endsWith("/")) name = name.slice(0, -1);
    if (name === "" || name === ENTRY_DIR) return { role: "directory" };
  }
  assertSafePath(name, "member", archive);
  if (type !== "file" && type !== "directory" && type !== "contiguous-file") {
    const link = header.linkname ? ` -> "${header.linkname}"` : "";
    throw new BentoError(
      `archive "${archive}" is unsafe: member "${raw}" is a ${type}${link}; archives may hold only regular files and directories`
    );
  }
  if (name === MANIFEST_NAME && type !== "directory") return { role: "manifest" };
  if (!name.startsWith(`${ENTRY_DIR}/`)) {
    throw new BentoError(
      `archive "${archive}" has member "${raw}" outside ${ENTRY_DIR}/ that its manifest does not list; refusing to import it`
    );
  }
  if (type === "directory") return { role: "directory" };
  return { role: "file", rel: name.slice(ENTRY_DIR.length + 1) };
}
function within(root, rel) {
  const target = resolve(root, rel);
  const back = relative(root, target);
  if (back === "" || back.startsWith(`..${sep}`) || back === ".." || isAbsolute(back)) {
    throw new BentoError(`path "${rel}" resolves outside ${root}; refusing to write it`);
  }
  return target;
}

// src/core/archive/sources.ts
import { createReadStream, createWriteStream } from "node:fs";
import { rename, stat } from "node:fs/promises";
import { dirname, join, resolve as resolve2 } from "node:path";
import { pipeline } from "node:stream/promises";

// src/core/archive/http.ts
var import_undici = __toESM(require_undici(), 1);
import { PassThrough } from "node:stream";
var TIMEOUTS = { headersTimeout: 6e4, bodyTimeout: 6e4, connectTimeout: 3e4 };
var ATTEMPTS = 3;
var BASE_DELAY_MS = 500;
var agents;
function dispatchers() {
  const plain = new import_undici.Agent({ connect: { timeout: TIMEOUTS.connectTimeout } });
  agents ??= { get: plain.compose(import_undici.interceptors.redirect({ maxRedirections: 5 })), put: plain };
  return agents;
}
var HttpStatusError = class extends BentoError {
  constructor(status, message) {
    super(message);
    this.status = status;
    this.name = "HttpStatusError";
  }
  status;
};
function displayUrl(url) {
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? "?\u2026" : ""}`;
}
async function httpGet(url, signal) {
  const res = await (0, import_undici.request)(url, { method: "GET", dispatcher: dispatchers().get, signal, ...TIMEOUTS });
  if (res.statusCode < 200 || res.statusCode >= 300) {
    const detail = await snippet(res.body);
    throw new HttpStatusError(
      res.statusCode,
      `GET ${displayUrl(url)} failed: HTTP ${res.statusCode}${detail}`
    );
  }
  const length = Number(res.headers["content-length"]);
  return { body: res.body, ...Number.isSafeInteger(length) && length >= 0 ? { size: length } : {} };
}
function httpPut(url, contentType, signal) {
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  const done = (0, import_undici.request)(url, {
    method: "PUT",
    dispatcher: dispatchers().put,
    body,
    headers: { "content-type": contentType },
    signal,
    ...TIMEOUTS
  }).then(
    async (res) => {
      const detail = await snippet(res.body);
      if (res.statusCode < 200 || res.statusCode >= 300) {
        const err = new HttpStatusError(
          res.statusCode,
          `PUT ${displayUrl(url)} failed: HTTP ${res.statusCode}${detail}`
        );
        body.destroy(err);
        throw err;
      }
    },
    (err) => {
      body.destroy(err);
      throw err;
    }
  );
  return { body, done };
}
async function snippet(body) {
  const text = await (body.text?.() ?? Promise.resolve("")).catch(() => "");
  const line = text.replace(/\s+/g, " ").trim().slice(0, 200);
  return line ? ` (${line})` : "";
}
var TRANSIENT_CODES = /* @__PURE__ */ new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT"
]);
function isTransient(err) {
  if (err instanceof HttpStatusError) return err.status === 408 || err.status === 429 || err.status >= 500;
  let current = err;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = current.code;
    if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
    current = current.cause;
  }
  return false;
}
async function withRetries(attempt, options) {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (n >= ATTEMPTS || options.signal?.aborted || !isTransient(err)) throw err;
      const delay = BASE_DELAY_MS * 2 ** (n - 1);
      const log = options.log ?? ((line) => process.stderr.write(`${line}
`));
      log(`${err.message}; retrying in ${delay} ms (attempt ${n + 1} of ${ATTEMPTS})`);
      await new Promise((resolve3) => setTimeout(resolve3, delay));
    }
  }
}

// src/core/archive/sources.ts
var SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
var CHUNK = 1 << 20;
function parseLocation(text, flag) {
  if (text === "-") return { kind: "stdio" };
  if (SCHEME.test(text)) {
    let url;
    try {
      url = new URL(text);
    } catch {
      throw new UsageError(`invalid ${flag} "${text}": not a valid URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UsageError(`invalid ${flag} "${text}": expected a file path, - or an http(s):// URL`);
    }
    return { kind: "url", url };
  }
  if (text.length === 0)
    throw new UsageError(`invalid ${flag} "": expected a file path, - or an http(s):// URL`);
  return { kind: "file", path: resolve2(text) };
}
function describeLocation(location, stdio) {
  if (location.kind === "stdio") return stdio;
  if (location.kind === "url") return displayUrl(location.url);
  return location.path;
}
async function resolveDestination(text, defaultName) {
  if (text === void 0) return { kind: "file", path: resolve2(defaultName) };
  const location = parseLocation(text, "destination");
  if (location.kind === "file" && (await stat(location.path).catch(() => void 0))?.isDirectory()) {
    return { kind: "file", path: join(location.path, defaultName) };
  }
  return location;
}
async function openSource(location, signal) {
  if (location.kind === "stdio") {
    if (process.stdin.isTTY)
      throw new UsageError("refusing to read an archive from a terminal: pipe one into stdin or pass a file");
    return { stream: process.stdin };
  }
  if (location.kind === "url") {
    const { body, size } = await httpGet(location.url, signal);
    return { stream: body, ...size !== void 0 ? { size } : {} };
  }
  const info = await stat(location.path).catch(() => void 0);
  if (!info) throw new UsageError(`archive "${location.path}" does not exist`);
  if (!info.isFile()) throw new UsageError(`archive "${location.path}" is not a file`);
  return {
    stream: createReadStream(location.path, { highWaterMark: CHUNK, ...signal ? { signal } : {} }),
    size: info.size
  };
}
async function writeArchive(location, produce, options) {
  try {
    if (location.kind === "stdio") return await toStdout(produce, options.signal);
    if (location.kind === "url") return await toUrl(location.url, produce, options);
    return await toFile(location.path, produce, options.signal);
  } catch (err) {
    throw describeWriteFailure(err, location);
  }
}
function counter() {
  let bytes = 0;
  return {
    count: async function* (source) {
      for await (const chunk of source) {
        bytes += chunk.length;
        yield chunk;
      }
    },
    bytes: () => bytes
  };
}
async function toStdout(produce, signal) {
  if (process.stdout.isTTY) {
    throw new UsageError("refusing to write an archive to a terminal: redirect stdout or pass a file");
  }
  const { count, bytes } = counter();
  await pipeline(produce(), count, process.stdout, { signal });
  return bytes();
}
async function toUrl(url, produce, options) {
  const { signal } = options;
  return withRetries(
    async () => {
      const { count, bytes } = counter();
      const put = httpPut(url, options.contentType, signal);
      const [sent, answered] = await Promise.allSettled([
        pipeline(produce(), count, put.body, { signal }),
        put.done
      ]);
      if (answered.status === "rejected" && sent.status === "rejected" && !(sent.reason instanceof BentoError)) {
        throw describeWriteFailure(answered.reason, { kind: "url", url });
      }
      if (sent.status === "rejected") throw describeWriteFailure(sent.reason, { kind: "url", url });
      if (answered.status === "rejected") throw describeWriteFailure(answered.reason, { kind: "url", url });
      return bytes();
    },
    {
      ...signal ? { signal } : {},
      ...options.log ? { log: options.log } : {}
    }
  );
}
async function toFile(path, produce, signal) {
  const partial = `${path}.${process.pid}.partial`;
  const { count, bytes } = counter();
  try {
    await pipeline(produce(), count, createWriteStream(partial, { flags: "wx", highWaterMark: CHUNK }), {
      signal
    });
    await rename(partial, path);
  } catch (err) {
    await removeQuietly(partial);
    throw err;
  }
  return bytes();
}
function describeWriteFailure(err, location) {
  if (err instanceof BentoError) return err;
  const message = err?.message ?? String(err);
  const code = err?.code;
  if (location.kind === "stdio") {
    const why2 = code === "EPIPE" ? "the reading end of the pipe closed early" : message;
    return new BentoError(`cannot write the archive to stdout: ${why2}`, { cause: err });
  }
  if (location.kind === "url") {
    return new BentoError(`cannot upload the archive to ${displayUrl(location.url)}: ${message}`, {
      cause: err
    });
  }
  const missingDir = code === "ENOENT" && err.path?.endsWith(".partial");
  const why = missingDir ? `directory ${dirname(location.path)} does not exist` : message;
  return new BentoError(`cannot write archive "${location.path}": ${why}`, { cause: err });
}

// src/core/archive/export.ts
async function exportEntry(store, tag, destination, options = {}) {
  const format = options.format ?? "gz";
  const entry = await store.get(tag);
  const plan = await planArchive(store, entry);
  const location = await resolveDestination(destination, defaultArchiveName(store.kind.noun, entry.tag));
  const label = `exporting ${formatTag(entry.tag)}`;
  const bytes = await writeArchive(
    location,
    () => archiveStream(plan, {
      format,
      level: options.level ?? DEFAULT_GZIP_LEVEL,
      meter: progress(label, plan.manifest.size, options.log)
    }),
    {
      contentType: format === "gz" ? "application/gzip" : "application/x-tar",
      ...options.signal ? { signal: options.signal } : {},
      ...options.log ? { log: options.log } : {}
    }
  );
  return {
    tag: entry.tag,
    destination: describeLocation(location, "stdout"),
    format,
    bytes,
    size: plan.manifest.size,
    digest: plan.manifest.digest
  };
}
async function planArchive(store, entry) {
  const damaged = (what) => new IntegrityError(
    `${store.kind.noun} ${formatTag(entry.tag)} is damaged: ${what}; check it with \`bentoci ${store.kind.folder} verify\``
  );
  const infoData = await readFile(join2(entry.dir, store.kind.infoFile));
  const members = [
    { rel: store.kind.infoFile, size: infoData.length, sha256: sha256(infoData), data: infoData }
  ];
  for (const file of entry.info.files) {
    assertSafePath(file.path, "recorded file", entry.dir);
    const path = within(entry.dir, file.path);
    const actual = await stat2(path).catch(() => void 0);
    if (!actual?.isFile()) throw damaged(`${file.path} is missing`);
    if (actual.size !== file.size)
      throw damaged(`${file.path} is ${actual.size} bytes, ${file.size} recorded`);
    members.push({ rel: file.path, size: file.size, sha256: file.sha256, path });
  }
  const signaturesDir = join2(entry.dir, SIGNATURES_DIR);
  if (await exists(signaturesDir)) {
    for (const rel of await listFiles(signaturesDir)) {
      const data = await readFile(join2(signaturesDir, rel));
      members.push({ rel: `${SIGNATURES_DIR}/${rel}`, size: data.length, sha256: sha256(data), data });
    }
  }
  const files = members.map((m) => ({ path: m.rel, sha256: m.sha256, size: m.size })).sort((a, b) => compare(a.path, b.path));
  const manifest = {
    format: FORMAT_NAME,
    format_version: FORMAT_VERSION,
    kind: store.kind.noun,
    tag: formatTag(entry.tag),
    digest: entry.info.digest,
    info_file: store.kind.infoFile,
    files,
    size: files.reduce((sum, f) => sum + f.size, 0),
    bentoci_version: BENTOCI_VERSION
  };
  return { manifest, members, mtime: new Date(entry.info.creation_time) };
}
function archiveStream(plan, options) {
  const pack = import_tar_stream.default.pack();
  pack.on("error", () => void 0);
  fillPack(pack, plan, options.meter).then(
    () => options.meter.done(),
    (err) => pack.destroy(err)
  );
  const tarBytes = (async function* () {
    for await (const chunk of pack) yield chunk;
  })();
  if (options.format === "tar") return Readable.from(tarBytes, { objectMode: false, highWaterMark: 1 << 20 });
  const gzip = createGzip({ level: options.level, chunkSize: 256 * 1024 });
  pipeline2(tarBytes, gzip).catch((err) => gzip.destroy(err));
  return gzip;
}
async function fillPack(pack, plan, meter) {
  const header = (name, size) => ({
    name,
    size,
    mode: 420,
    mtime: plan.mtime,
    type: "file",
    uid: 0,
    gid: 0,
    uname: "",
    gname: ""
  });
  const manifest = Buffer.from(`${JSON.stringify(plan.manifest, null, 2)}
`);
  await addBuffer(pack, header(MANIFEST_NAME, manifest.length), manifest);
  for (const member of plan.members) {
    const name = memberName(member.rel);
    if (member.data) {
      await addBuffer(pack, header(name, member.size), member.data);
      meter.add(member.size);
    } else await addFile(pack, header(name, member.size), member, meter);
  }
  pack.finalize();
}
function addBuffer(pack, header, data) {
  return new Promise((resolve3, reject) => {
    pack.entry(header, data, (err) => err ? reject(err) : resolve3());
  });
}
async function addFile(pack, header, member, meter) {
  let settle = () => void 0;
  const added = new Promise((resolve3, reject) => {
    settle = (err) => err ? reject(err) : resolve3();
  });
  added.catch(() => void 0);
  const sink = pack.entry(header, (err) => settle(err));
  sink.on("error", () => void 0);
  const hash = createHash("sha256");
  if (member.size > 0) {
    const input = createReadStream2(member.path, { highWaterMark: 1 << 20, end: member.size - 1 });
    try {
      for await (const chunk of input) {
        hash.update(chunk);
        meter.add(chunk.length);
        if (!sink.write(chunk)) await drained(sink);
      }
    } catch (err) {
      input.destroy();
      sink.destroy(err);
      throw err;
    }
  }
  const actual = hash.digest("hex");
  if (actual !== member.sha256) {
    const err = new IntegrityError(
      `${member.path} does not match its recorded sha256 (${member.sha256.slice(0, 12)}\u2026, found ${actual.slice(0, 12)}\u2026); the entry is damaged, so it is not exported`
    );
    sink.destroy(err);
    throw err;
  }
  sink.end(void 0);
  await added;
}
function sha256(data) {
  return createHash("sha256").update(data).digest("hex");
}
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// src/core/archive/import.ts
var import_tar_stream2 = __toESM(require_tar_stream(), 1);
var import_yaml = __toESM(require_dist(), 1);
import { readFile as readFile2 } from "node:fs/promises";
import { pipeline as pipeline4 } from "node:stream/promises";
import { createGunzip } from "node:zlib";

// src/core/archive/members.ts
import { createHash as createHash2 } from "node:crypto";
import { createWriteStream as createWriteStream2 } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname as dirname2 } from "node:path";
import { pipeline as pipeline3 } from "node:stream/promises";
async function readManifest(member, label) {
  if (member.header.size > MAX_MANIFEST_BYTES) {
    throw new BentoError(
      `archive "${label}": ${MANIFEST_NAME} is ${member.header.size} bytes, more than a manifest can be`
    );
  }
  const chunks = [];
  for await (const chunk of member) chunks.push(chunk);
  let raw;
  try {
    raw = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (err) {
    throw new BentoError(
      `archive "${label}": ${MANIFEST_NAME} is not valid JSON (${err.message})`
    );
  }
  const parsed = archiveManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(
      `archive "${label}": ${MANIFEST_NAME} is not a bentoci archive manifest: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`
    );
  }
  return parsed.data;
}
function checkManifest(manifest, store, label) {
  const { noun, folder, infoFile } = store.kind;
  if (manifest.kind !== noun) {
    throw new UsageError(
      `archive "${label}" holds a ${manifest.kind}, not a ${noun} (import it with \`bentoci ${manifest.kind}s import\`)`
    );
  }
  parseTag(manifest.tag, `tag in archive "${label}"`);
  if (manifest.tag.endsWith(`:${LATEST}`)) {
    throw new BentoError(
      `archive "${label}" names version "${LATEST}", which is reserved for the latest pointer; refusing to import it`
    );
  }
  if (manifest.info_file !== infoFile) {
    throw new BentoError(
      `archive "${label}": its manifest names info file "${manifest.info_file}", expected ${infoFile} for ${folder}`
    );
  }
  const paths = /* @__PURE__ */ new Set();
  for (const file of manifest.files) {
    assertSafePath(file.path, "manifest path", label);
    if (paths.has(file.path))
      throw new BentoError(`archive "${label}": its manifest lists "${file.path}" twice`);
    paths.add(file.path);
  }
  if (!paths.has(infoFile))
    throw new BentoError(`archive "${label}": its manifest does not list ${infoFile}`);
  const content = manifest.files.filter((f) => store.isContent(f.path));
  if (manifestDigest(content) !== manifest.digest) {
    throw new IntegrityError(
      `archive "${label}": its manifest is inconsistent (the listed files digest to ${manifestDigest(content)}, not ${manifest.digest})`
    );
  }
  if (manifest.files.reduce((sum, f) => sum + f.size, 0) !== manifest.size) {
    throw new IntegrityError(`archive "${label}": its manifest's size does not add up`);
  }
  return manifest;
}
async function existingState(store, tag, digest) {
  const dir = store.dirOf(tag);
  if (!await exists(dir)) return { state: "absent" };
  let info;
  try {
    info = await store.readInfo(dir, tag);
  } catch (err) {
    return { state: "damaged", problem: err.message };
  }
  if (info.digest !== digest) return { state: "different", digest: info.digest };
  const entry = { tag, dir, info };
  const problems = await store.verify(entry);
  if (problems.length > 0)
    return { state: "damaged", problem: problems.map((p) => `${p.path} ${p.problem}`).join(", ") };
  return { state: "identical", entry };
}
async function writeMember(member, path) {
  await mkdir(dirname2(path), { recursive: true });
  const hash = createHash2("sha256");
  let size = 0;
  await pipeline3(
    (async function* () {
      for await (const chunk of member) {
        hash.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    })(),
    createWriteStream2(path, { flags: "wx", highWaterMark: 1 << 20 })
  );
  return { sha256: hash.digest("hex"), size };
}

// src/core/archive/import.ts
async function importArchive(store, source, options = {}) {
  const location = parseLocation(source, "archive");
  const label = describeLocation(location, "stdin");
  const attempt = () => importOnce(store, location, label, options);
  if (location.kind !== "url") return attempt();
  return withRetries(attempt, {
    ...options.signal ? { signal: options.signal } : {},
    ...options.log ? { log: options.log } : {}
  });
}
async function importOnce(store, location, label, options) {
  const { signal } = options;
  const remote = location.kind === "url";
  const opened = await openSource(location, signal).catch((err) => {
    throw describeFailure(err, label, remote, signal);
  });
  const input = opened.stream;
  const meter = progress(`importing ${label}`, opened.size, options.log);
  const extract = import_tar_stream2.default.extract();
  extract.on("error", () => void 0);
  const flow = { discard: false };
  let feeding;
  try {
    const head = await peek(input, 2);
    if (head.length === 0) throw new BentoError(`archive "${label}" is empty`);
    feeding = feed(input, head[0] === 31 && head[1] === 139, extract, meter, flow, signal);
    feeding.catch((err) => extract.destroy(err));
    return await readArchive(store, extract, feeding, {
      label,
      force: options.force ?? false,
      // A writer piping into stdin would fail on a closed pipe (and fail a `set -o pipefail` step),
      // so an import that has nothing to do still reads stdin to its end; files and URLs just close.
      onNothingToDo: () => {
        if (location.kind === "stdio") flow.discard = true;
      }
    });
  } catch (err) {
    throw describeFailure(err, label, remote, signal);
  } finally {
    extract.destroy();
    if (flow.discard) await feeding?.catch(() => void 0);
    input.destroy();
    await feeding?.catch(() => void 0);
  }
}
async function feed(input, gzipped, extract, meter, flow, signal) {
  const count = async function* (source) {
    for await (const chunk of source) {
      meter.add(chunk.length);
      yield chunk;
    }
  };
  const into = async (source) => {
    for await (const chunk of source) {
      if (flow.discard) continue;
      if (!extract.write(chunk)) {
        await drained(extract).catch((err) => {
          if (!flow.discard) throw err;
        });
      }
    }
    if (!flow.discard) extract.end(void 0);
  };
  const options = signal ? { signal } : {};
  if (gzipped) await pipeline4(input, count, createGunzip({ chunkSize: 256 * 1024 }), into, options);
  else await pipeline4(input, count, into, options);
  meter.done();
}
async function readArchive(store, extract, feeding, context) {
  const { label } = context;
  let manifest;
  let expected = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Set();
  let existing = { state: "absent" };
  let staged;
  try {
    for await (const member of extract) {
      const role = classifyMember(member.header, label);
      if (!manifest) {
        if (role.role !== "manifest") {
          throw new BentoError(
            `archive "${label}" is not a bentoci archive: its first member is "${member.header.name}", not bentoci-archive.json (make archives with \`bentoci ${store.kind.folder} export\`)`
          );
        }
        manifest = checkManifest(await readManifest(member, label), store, label);
        expected = new Map(manifest.files.map((f) => [f.path, f]));
        existing = await existingState(store, parseTag(manifest.tag), manifest.digest);
        if (existing.state === "identical") {
          context.onNothingToDo();
          return { outcome: "already-present", entry: existing.entry, source: label };
        }
        refuseExisting(store, manifest, existing, context.force);
        staged = await store.stage();
        continue;
      }
      if (role.role === "manifest")
        throw new BentoError(`archive "${label}" holds a second bentoci-archive.json; refusing to import it`);
      if (role.role === "directory") {
        member.resume();
        continue;
      }
      const want = expected.get(role.rel);
      if (!want)
        throw new BentoError(
          `archive "${label}" has member "${member.header.name}" that its manifest does not list; refusing to import it`
        );
      if (seen.has(role.rel))
        throw new BentoError(`archive "${label}" holds "${member.header.name}" twice; refusing to import it`);
      seen.add(role.rel);
      if (member.header.size !== want.size) {
        throw new IntegrityError(
          `archive "${label}": ${memberName(role.rel)} is ${member.header.size} bytes but its manifest says ${want.size}`
        );
      }
      const got = await writeMember(member, within(staged, role.rel));
      if (got.sha256 !== want.sha256 || got.size !== want.size) {
        throw new IntegrityError(
          `archive "${label}": ${memberName(role.rel)} does not match its sha256 in the manifest (expected ${want.sha256.slice(0, 12)}\u2026, got ${got.sha256.slice(0, 12)}\u2026); it was altered or damaged`
        );
      }
    }
    await feeding;
    if (!manifest || !staged) throw new BentoError(`archive "${label}" holds no members`);
    const missing = [...expected.keys()].filter((path) => !seen.has(path));
    if (missing.length > 0) {
      throw new IntegrityError(
        `archive "${label}" is incomplete: ${missing.map(memberName).join(", ")} listed in its manifest ${missing.length === 1 ? "is" : "are"} missing`
      );
    }
    const entry = await commitStaged(store, staged, manifest, label, context.force);
    staged = void 0;
    return { outcome: existing.state === "absent" ? "imported" : "replaced", entry, source: label };
  } finally {
    if (staged) await removeQuietly(staged);
  }
}
function refuseExisting(store, manifest, existing, force) {
  if (force || existing.state === "absent") return;
  const what = `${store.kind.noun} ${manifest.tag}`;
  if (existing.state === "damaged") {
    throw new UsageError(
      `${what} already exists but is damaged (${existing.problem}); use --force to replace it from the archive`
    );
  }
  if (existing.state === "different") {
    throw new UsageError(
      `${what} already exists with different content (${existing.digest}; the archive holds ${manifest.digest}): saved tags are immutable (use --force to replace it)`
    );
  }
}
async function commitStaged(store, staged, manifest, label, force) {
  const infoName = memberName(store.kind.infoFile);
  let raw;
  try {
    raw = import_yaml.default.parse(await readFile2(within(staged, store.kind.infoFile), "utf8"));
  } catch (err) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} is not valid YAML (${err.message.split("\n")[0]})`
    );
  }
  const parsed = store.kind.schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new IntegrityError(
      `archive "${label}": ${infoName} is not a valid ${store.kind.infoFile}: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`
    );
  }
  const info = parsed.data;
  const tag = parseTag(manifest.tag);
  if (info.name !== tag.name || info.version !== tag.version) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} describes ${info.name}:${info.version} but the manifest says ${manifest.tag}`
    );
  }
  if (info.digest !== manifest.digest) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} records digest ${info.digest} but the manifest says ${manifest.digest}`
    );
  }
  const content = manifest.files.filter((f) => store.isContent(f.path));
  if (!sameFiles(info.files, content)) {
    throw new IntegrityError(
      `archive "${label}": the files listed in ${infoName} differ from the archive's manifest`
    );
  }
  const others = await store.list({ name: tag.name });
  const moveLatest = others.every(
    (o) => o.tag.version === tag.version || o.info.creation_time <= info.creation_time
  );
  return store.commit(
    staged,
    tag,
    (computed) => {
      if (computed.digest !== manifest.digest) {
        throw new IntegrityError(
          `archive "${label}": the imported files digest to ${computed.digest}, not ${manifest.digest} as recorded`
        );
      }
      return { ...info, ...computed };
    },
    // Every member was hashed as it was written and matched the manifest: no second read of the bytes.
    { force, moveLatest, hashedWhileStaged: manifest.files }
  );
}
function sameFiles(a, b) {
  if (a.length !== b.length) return false;
  const byPath = new Map(b.map((f) => [f.path, f]));
  return a.every((f) => {
    const other = byPath.get(f.path);
    return other !== void 0 && other.sha256 === f.sha256 && other.size === f.size;
  });
}
async function peek(stream, n) {
  const chunks = [];
  let length = 0;
  while (length < n && !stream.readableEnded) {
    const chunk = stream.read();
    if (chunk !== null) {
      chunks.push(chunk);
      length += chunk.length;
      continue;
    }
    await new Promise((resolve3, reject) => {
      const done = (err) => {
        stream.off("readable", onReadable).off("end", onEnd).off("error", done).off("close", onEnd);
        if (err) reject(err);
        else resolve3();
      };
      const onReadable = () => done();
      const onEnd = () => done();
      stream.on("readable", onReadable).on("end", onEnd).on("error", done).on("close", onEnd);
    });
    if (stream.destroyed && !stream.readableEnded) break;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) stream.unshift(head);
  return head;
}
function describeFailure(err, label, remote, signal) {
  if (err instanceof BentoError) return err;
  const message = err?.message ?? String(err);
  const code = err?.code ?? "";
  if (signal?.aborted || err?.name === "AbortError")
    return new BentoError(`import of "${label}" was cancelled`, { cause: err });
  if (code.startsWith("Z_") || /incorrect header check|unexpected end of file|invalid (stored )?block|checksum/i.test(message)) {
    return new BentoError(
      `archive "${label}" is corrupt: its gzip data is damaged or truncated (${message})`,
      { cause: err }
    );
  }
  if (/Unexpected end of data/.test(message)) {
    return new BentoError(`archive "${label}" is truncated: the tar data ends in the middle of a member`, {
      cause: err
    });
  }
  if (/Invalid tar header/.test(message)) {
    return new BentoError(`archive "${label}" is corrupt or not a tar archive (${message})`, { cause: err });
  }
  if (remote && isTransient(err))
    return new BentoError(`cannot download archive "${label}": ${message}`, { cause: err });
  return new BentoError(`cannot import archive "${label}": ${message}`, { cause: err });
}

export {
  archiveFormatSchema,
  archiveExtension,
  exportEntry,
  importArchive
};
