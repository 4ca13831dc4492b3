import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  BENTOCI_VERSION,
  BentoError,
  DEFAULT_GZIP_LEVEL,
  ENTRY_DIR,
  FORMAT_NAME,
  FORMAT_VERSION,
  IntegrityError,
  LATEST,
  LEGACY_FORMAT_VERSION,
  MANIFEST_NAME,
  MAX_MANIFEST_BYTES,
  SIGNATURES_DIR,
  UsageError,
  archiveManifestSchema,
  assertSafePath,
  classifyMember,
  commandOf,
  defaultArchiveName,
  exists,
  formatBytes,
  formatTag,
  listFiles,
  memberName,
  parseTag,
  progress,
  removeQuietly,
  require_dist,
  require_tar_stream,
  require_undici,
  within
} from "./chunk-QGJIJT2I.js";
import {
  __toESM
} from "./chunk-QU3QV6A2.js";

// src/build/reproducible.ts
import { createHash } from "node:crypto";
function parseSourceDateEpoch(value) {
  if (value === void 0 || value === "") return void 0;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seconds) || seconds * 1e3 > 864e13) {
    throw new UsageError(
      `invalid SOURCE_DATE_EPOCH "${value}": expected whole seconds since 1970-01-01 UTC (e.g. $(git log -1 --format=%ct))`
    );
  }
  return new Date(seconds * 1e3);
}
var BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";
function base32(value, length) {
  let out = "";
  for (let i = 0; i < length; i++) {
    out = BASE32[Number(value & 31n)] + out;
    value >>= 5n;
  }
  return out;
}
function derivedVersion(time, identity) {
  const hash = createHash("sha256").update(identity).digest();
  const tail = BigInt(`0x${hash.subarray(0, 5).toString("hex")}`) >> 5n;
  return base32(BigInt(time.getTime()), 9) + base32(tail, 7);
}

// src/core/archive/export.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { createHash as createHash2 } from "node:crypto";
import { createReadStream as createReadStream2 } from "node:fs";
import { readFile, stat as stat2 } from "node:fs/promises";
import { join as join2 } from "node:path";
import { Readable } from "node:stream";
import { pipeline as pipeline2 } from "node:stream/promises";
import { createGzip } from "node:zlib";

// src/core/archive/drain.ts
function drained(stream) {
  return new Promise((resolve2, reject) => {
    if (stream.destroyed) return reject(new Error("archive stream closed"));
    const cleanup = () => {
      stream.off("drain", onDrain);
      stream.off("close", onClose);
      stream.off("error", onError);
    };
    const onDrain = () => {
      cleanup();
      resolve2();
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

// src/core/archive/sources.ts
import { createReadStream, createWriteStream } from "node:fs";
import { rename, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";

// src/core/archive/http.ts
var import_undici = __toESM(require_undici(), 1);
import { PassThrough } from "node:stream";
var TIMEOUTS = { headersTimeout: 6e4, bodyTimeout: 6e4, connectTimeout: 3e4 };
var ATTEMPTS = 3;
var BASE_DELAY_MS = 500;
var agents;
function dispatchers() {
  const plain2 = new import_undici.Agent({ connect: { timeout: TIMEOUTS.connectTimeout } });
  agents ??= { get: plain2.compose(import_undici.interceptors.redirect({ maxRedirections: 5 })), put: plain2 };
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
      await new Promise((resolve2) => setTimeout(resolve2, delay));
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
  return { kind: "file", path: resolve(text) };
}
function describeLocation(location, stdio) {
  if (location.kind === "stdio") return stdio;
  if (location.kind === "url") return displayUrl(location.url);
  return location.path;
}
async function resolveDestination(text, defaultName) {
  if (text === void 0) return { kind: "file", path: resolve(defaultName) };
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
  await store.assertMetadata(entry);
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
  return new Promise((resolve2, reject) => {
    pack.entry(header, data, (err) => err ? reject(err) : resolve2());
  });
}
async function addFile(pack, header, member, meter) {
  let settle = () => void 0;
  const added = new Promise((resolve2, reject) => {
    settle = (err) => err ? reject(err) : resolve2();
  });
  added.catch(() => void 0);
  const sink = pack.entry(header, (err) => settle(err));
  sink.on("error", () => void 0);
  const hash = createHash2("sha256");
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
  return createHash2("sha256").update(data).digest("hex");
}
function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

// src/core/archive/limits.ts
import { statfs } from "node:fs/promises";
var DEFAULT_MAX_IMPORT_BYTES = 64 * 1024 ** 3;
var TRAILER_ALLOWANCE = 1024 * 1024;
var FREE_SPACE_MARGIN = 16 * 1024 * 1024;
var BLOCK = 512;
var RAW_SLACK = 8 * 1024 * 1024;
var UNITS = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
function parseByteSize(text, flag) {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(i?b)?|b)?\s*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase() ?? "";
  const decimal = match?.[3] !== void 0 && match[3].toLowerCase() === "b";
  if (!match || decimal) {
    throw new UsageError(
      `invalid ${flag} "${text}": expected bytes or a size like 512MiB, 64GiB or 1TiB (powers of 1024)`
    );
  }
  const bytes = Math.floor(Number(match[1]) * (UNITS[unit] ?? 1));
  if (!Number.isSafeInteger(bytes) || bytes <= 0)
    throw new UsageError(`invalid ${flag} "${text}": expected a size above 0 bytes`);
  return bytes;
}
function checkDeclaredSize(manifest, maxBytes, label) {
  if (manifest.size > maxBytes) {
    throw new BentoError(
      `archive "${label}" declares ${formatBytes(manifest.size)} of files, more than the import limit of ${formatBytes(maxBytes)}; pass a larger --max-size if you expect an entry that big`
    );
  }
}
async function checkFreeSpace(dir, manifest, label) {
  const fs = await statfs(dir).catch(() => void 0);
  if (!fs) return;
  const free = fs.bavail * fs.bsize;
  if (manifest.size + FREE_SPACE_MARGIN > free) {
    throw new BentoError(
      `archive "${label}" declares ${formatBytes(manifest.size)} of files but only ${formatBytes(free)} is free where the store stages it (${dir}); free some space or point BENTOCI_HOME elsewhere`
    );
  }
}
function tarBytesFor(manifest) {
  let total = 0;
  for (const file of manifest.files) {
    const name = ENTRY_DIR.length + 1 + Buffer.byteLength(file.path);
    const longName = BLOCK + roundUp(name + 2 * BLOCK);
    total += BLOCK + roundUp(file.size) + 2 * (BLOCK + longName);
  }
  return total;
}
function roundUp(n) {
  return Math.ceil(n / BLOCK) * BLOCK;
}
var TarBudget = class {
  constructor(label) {
    this.label = label;
  }
  label;
  tar = 0;
  raw = 0;
  limit = MAX_MANIFEST_BYTES + 4 * BLOCK + TRAILER_ALLOWANCE;
  stage = "before the manifest";
  /** Set when the budget refused, so the importer reports it rather than the broken stream it causes. */
  refusal;
  /** The manifest is read: the rest may take what its members can. */
  expect(manifest) {
    this.limit = this.tar + tarBytesFor(manifest) + TRAILER_ALLOWANCE;
    this.stage = "in its members";
  }
  /** Every listed member arrived: only a tar trailer may follow. */
  complete() {
    this.limit = Math.min(this.limit, this.tar + TRAILER_ALLOWANCE);
    this.stage = "after its last member";
  }
  takeRaw(bytes) {
    this.raw += bytes;
    if (this.raw > this.limit + this.limit / 512 + RAW_SLACK) this.refuse("bytes");
  }
  takeTar(bytes) {
    this.tar += bytes;
    if (this.tar > this.limit) this.refuse("tar bytes");
  }
  refuse(what) {
    this.refusal ??= new BentoError(
      `archive "${this.label}" holds more data than its manifest accounts for (over ${formatBytes(this.limit)} of ${what}, ${this.stage}); refusing to read further`
    );
    throw this.refusal;
  }
};

// src/core/archive/import.ts
var import_tar_stream2 = __toESM(require_tar_stream(), 1);
var import_yaml2 = __toESM(require_dist(), 1);
import { readFile as readFile2 } from "node:fs/promises";
import { pipeline as pipeline4 } from "node:stream/promises";
import { createGunzip } from "node:zlib";

// src/core/archive/members.ts
import { createHash as createHash3 } from "node:crypto";
import { createWriteStream as createWriteStream2 } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname as dirname2 } from "node:path";
import { pipeline as pipeline3 } from "node:stream/promises";
var KINDS = ["model", "bento"];
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
    const hint = KINDS.includes(manifest.kind) ? `import it with \`${commandOf(manifest.kind)} import\`` : "bentoci imports models and bentos only";
    throw new UsageError(`archive "${label}" holds a ${manifest.kind}, not a ${noun} (${hint})`);
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
  if (manifest.format_version === LEGACY_FORMAT_VERSION) {
    const again = noun === "model" ? "saved" : "built";
    throw new IntegrityError(
      `archive "${label}" was written by an earlier bentoci (archive format ${LEGACY_FORMAT_VERSION}), whose digest covers the files but not ${infoFile}; refusing it: export it again from a store where it was ${again} with this bentoci`
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
async function writeMember(member, path, declared) {
  await mkdir(dirname2(path), { recursive: true });
  const counted = counter2(declared);
  await pipeline3(counted.chunks(member), createWriteStream2(path, { flags: "wx", highWaterMark: 1 << 20 }));
  return counted.result();
}
async function hashMember(member, declared, keep = false) {
  if (keep && declared.size > MAX_MANIFEST_BYTES)
    throw new IntegrityError(`${declared.name} is ${declared.size} bytes, more than an info file can be`);
  const counted = counter2(declared);
  const kept = [];
  for await (const bytes of counted.chunks(member)) if (keep) kept.push(bytes);
  return keep ? { ...counted.result(), bytes: Buffer.concat(kept) } : counted.result();
}
function counter2(declared) {
  const hash = createHash3("sha256");
  let size = 0;
  return {
    chunks: async function* (member) {
      for await (const chunk of member) {
        const bytes = chunk;
        size += bytes.length;
        if (size > declared.size)
          throw new IntegrityError(
            `${declared.name} holds more than the ${declared.size} bytes its manifest declares; refusing to write more`
          );
        hash.update(bytes);
        yield bytes;
      }
    },
    result: () => ({ sha256: hash.digest("hex"), size })
  };
}

// src/core/archive/present.ts
var import_yaml = __toESM(require_dist(), 1);
import { isDeepStrictEqual } from "node:util";
function checkPresentCopy(store, entry, manifest, infoBytes, label) {
  const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
  const infoName = memberName(store.kind.infoFile);
  const content = manifest.files.filter((f) => store.isContent(f.path));
  if (!sameFiles(content, entry.info.files)) {
    throw new IntegrityError(
      `archive "${label}": its files differ from those of ${what}, already stored under the same digest; the archive was altered`
    );
  }
  let parsed;
  try {
    const result = store.kind.schema.safeParse(import_yaml.default.parse(infoBytes.toString("utf8")));
    if (result.success) parsed = result.data;
  } catch {
    parsed = void 0;
  }
  if (!parsed || !isDeepStrictEqual(plain(parsed), plain(entry.info))) {
    throw new IntegrityError(
      `archive "${label}": ${infoName} differs from the ${store.kind.infoFile} of ${what}, already stored under the same digest; the archive was altered`
    );
  }
}
function plain(value) {
  return JSON.parse(JSON.stringify(value));
}
function sameFiles(a, b) {
  if (a.length !== b.length) return false;
  const byPath = new Map(b.map((f) => [f.path, f]));
  return a.every((f) => {
    const other = byPath.get(f.path);
    return other !== void 0 && other.sha256 === f.sha256 && other.size === f.size;
  });
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
  const budget = new TarBudget(label);
  let feeding;
  try {
    const head = await peek(input, 2);
    if (head.length === 0) throw new BentoError(`archive "${label}" is empty`);
    feeding = feed(input, head[0] === 31 && head[1] === 139, extract, meter, budget, signal);
    feeding.catch((err) => extract.destroy(err));
    return await readArchive(store, extract, feeding, {
      label,
      force: options.force ?? false,
      maxSize: options.maxSize ?? DEFAULT_MAX_IMPORT_BYTES,
      budget
    });
  } catch (err) {
    throw describeFailure(budget.refusal ?? err, label, remote, signal);
  } finally {
    extract.destroy();
    input.destroy();
    await feeding?.catch(() => void 0);
  }
}
async function feed(input, gzipped, extract, meter, budget, signal) {
  const count = async function* (source) {
    for await (const chunk of source) {
      budget.takeRaw(chunk.length);
      meter.add(chunk.length);
      yield chunk;
    }
  };
  let delivered = false;
  const into = async (source) => {
    for await (const chunk of source) {
      budget.takeTar(chunk.length);
      if (!extract.write(chunk)) await drained(extract);
    }
    extract.end(void 0);
    delivered = true;
  };
  const options = signal ? { signal } : {};
  try {
    if (gzipped) await pipeline4(input, count, createGunzip({ chunkSize: 256 * 1024 }), into, options);
    else await pipeline4(input, count, into, options);
  } catch (err) {
    const padded = gzipped && delivered && !signal?.aborted && err?.name === "AbortError";
    if (!padded) throw err;
  }
  meter.done();
}
async function readArchive(store, extract, feeding, context) {
  const { label } = context;
  let manifest;
  let expected = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Set();
  let existing = { state: "absent" };
  let staged;
  let infoBytes;
  try {
    for await (const member of extract) {
      const role = classifyMember(member.header, label);
      if (!manifest) {
        if (role.role !== "manifest") {
          throw new BentoError(
            `archive "${label}" is not a bentoci archive: its first member is "${member.header.name}", not bentoci-archive.json (make archives with \`${commandOf(store.kind.noun)} export\`)`
          );
        }
        manifest = checkManifest(await readManifest(member, label), store, label);
        checkDeclaredSize(manifest, context.maxSize, label);
        context.budget.expect(manifest);
        expected = new Map(manifest.files.map((f) => [f.path, f]));
        existing = await existingState(store, parseTag(manifest.tag), manifest.digest);
        if (existing.state !== "identical") {
          refuseExisting(store, manifest, existing, context.force);
          staged = await store.stage();
          await checkFreeSpace(staged, manifest, label);
        }
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
      const declared = { size: want.size, name: `archive "${label}": ${memberName(role.rel)}` };
      const got = staged ? await writeMember(member, within(staged, role.rel), declared) : await hashMember(member, declared, role.rel === store.kind.infoFile);
      if (got.bytes) infoBytes = got.bytes;
      if (got.sha256 !== want.sha256 || got.size !== want.size) {
        throw new IntegrityError(
          `archive "${label}": ${memberName(role.rel)} does not match its sha256 in the manifest (expected ${want.sha256.slice(0, 12)}\u2026, got ${got.sha256.slice(0, 12)}\u2026); it was altered or damaged`
        );
      }
      if (seen.size === expected.size) context.budget.complete();
    }
    await feeding;
    if (!manifest) throw new BentoError(`archive "${label}" holds no members`);
    const missing = [...expected.keys()].filter((path) => !seen.has(path));
    if (missing.length > 0) {
      throw new IntegrityError(
        `archive "${label}" is incomplete: ${missing.map(memberName).join(", ")} listed in its manifest ${missing.length === 1 ? "is" : "are"} missing`
      );
    }
    if (existing.state === "identical") {
      checkPresentCopy(store, existing.entry, manifest, infoBytes ?? Buffer.alloc(0), label);
      return { outcome: "already-present", entry: existing.entry, source: label };
    }
    if (!staged) throw new BentoError(`archive "${label}" holds no members`);
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
    raw = import_yaml2.default.parse(await readFile2(within(staged, store.kind.infoFile), "utf8"));
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
  return store.commit(staged, tag, (computed) => ({ ...info, ...computed }), {
    force,
    moveLatest,
    // Every member was hashed as it was written and matched the manifest: no second read of the bytes.
    hashedWhileStaged: manifest.files,
    expectDigest: manifest.digest,
    source: `archive "${label}"`
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
    await new Promise((resolve2, reject) => {
      const done = (err) => {
        stream.off("readable", onReadable).off("end", onEnd).off("error", done).off("close", onEnd);
        if (err) reject(err);
        else resolve2();
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
  parseSourceDateEpoch,
  derivedVersion,
  exportEntry,
  DEFAULT_MAX_IMPORT_BYTES,
  parseByteSize,
  importArchive
};
