import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  bufferSource,
  fileSource,
  imageManifestSchema,
  openRepository,
  releaseTags,
  sha256Digest
} from "./chunk-JOF3XNBO.js";
import {
  require_docker
} from "./chunk-RFDC7OHM.js";
import {
  ANNOTATION_CONTENT_DIGEST,
  ANNOTATION_CREATED,
  ANNOTATION_DESCRIPTION,
  ANNOTATION_KIND,
  ANNOTATION_LABEL_PREFIX,
  ANNOTATION_MODELS,
  ANNOTATION_TAG,
  ANNOTATION_TITLE,
  ANNOTATION_VERSION,
  BENTOCI_BENTO_ARTIFACT,
  BENTOCI_BENTO_CONFIG,
  BENTOCI_FILES_TAR,
  BENTOCI_FILE_LAYER,
  BENTOCI_MODEL_ARTIFACT,
  BENTOCI_MODEL_CONFIG,
  BENTOCI_VERSION,
  BentoError,
  COSIGN_SIGNATURE_ANNOTATION,
  DSSE_ENVELOPE_MEDIA_TYPE,
  ENTRY_PREDICATE_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  IntegrityError,
  NotFoundError,
  OCI_CONFIG,
  OCI_EMPTY_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  OCI_MANIFEST_MEDIA_TYPE,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  UsageError,
  bentoInfoSchema,
  canonicalJson,
  cosignSignatureTag,
  digestTag,
  dockerReferenceOf,
  dsseEnvelopeSchema,
  entryStatement,
  external_exports,
  formatBytes,
  formatReference,
  formatTag,
  getIDToken,
  keylessSignatureLayer,
  modelInfoSchema,
  newVerifier,
  ociIndexSchema,
  ociManifestSchema,
  parseImageReference,
  parseSimpleSigningPayload,
  progress,
  readEntryBundles,
  readEntryEnvelopes,
  readSignatureManifest,
  removeQuietly,
  require_tar_stream,
  resolveDigest,
  sha256Digest as sha256Digest2,
  signEnvelope,
  signMessage,
  signatureLayer,
  signatureLayers,
  signatureManifest,
  sigstoreBundleJsonSchema,
  simpleSigningPayload,
  validateTag,
  writeEntryBundle,
  writeEntryEnvelope,
  writeFileAtomic
} from "./chunk-QGJIJT2I.js";
import {
  __toESM
} from "./chunk-QU3QV6A2.js";

// src/registry/artifact-kinds.ts
var modelArtifact = {
  noun: "model",
  artifactType: BENTOCI_MODEL_ARTIFACT,
  configType: BENTOCI_MODEL_CONFIG,
  schema: modelInfoSchema,
  pullCommand: "bentoci models pull"
};
var bentoArtifact = {
  noun: "bento",
  artifactType: BENTOCI_BENTO_ARTIFACT,
  configType: BENTOCI_BENTO_CONFIG,
  schema: bentoInfoSchema,
  pullCommand: "bentoci pull"
};
var artifactKinds = [modelArtifact, bentoArtifact];

// src/oci/pool.ts
async function mapLimit(items, limit, fn, controller) {
  const results = new Array(items.length);
  let next = 0;
  let failure;
  const worker = async () => {
    while (!failure && !controller?.signal.aborted && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]);
      } catch (error) {
        failure ??= { error };
        controller?.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  if (controller?.signal.aborted) throw controller.signal.reason;
  return results;
}
function linkedController(parent) {
  const controller = new AbortController();
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener("abort", () => controller.abort(parent.reason), { once: true });
  return controller;
}

// src/registry/artifact-layout.ts
var tar = __toESM(require_tar_stream(), 1);
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
var OWN_LAYER_MIN_BYTES = 1024 * 1024;
var FILE_COUNT_ANNOTATION = "dev.bentoci.file-count";
async function smallFilesTar(dir, files, what) {
  const pack2 = tar.pack();
  const chunks = [];
  const collected = (async () => {
    for await (const chunk of pack2) chunks.push(chunk);
  })();
  for (const file of [...files].sort((a, b) => a.path < b.path ? -1 : 1)) {
    const data = await readFile(join(dir, file.path));
    if (data.length !== file.size || createHash("sha256").update(data).digest("hex") !== file.sha256) {
      throw new IntegrityError(
        `${what} is damaged: ${file.path} differs from its manifest; delete it and save or pull it again`
      );
    }
    await new Promise((resolve2, reject) => {
      pack2.entry(
        {
          name: file.path,
          size: data.length,
          mode: 420,
          mtime: /* @__PURE__ */ new Date(0),
          uid: 0,
          gid: 0,
          uname: "",
          gname: "",
          type: "file"
        },
        data,
        (err) => err ? reject(err) : resolve2()
      );
    });
  }
  pack2.finalize();
  await collected;
  return Buffer.concat(chunks);
}
function annotationsOf(kind, info) {
  const extra = info;
  const annotations = {
    [ANNOTATION_CREATED]: info.creation_time,
    [ANNOTATION_TITLE]: info.name,
    [ANNOTATION_VERSION]: info.version,
    [ANNOTATION_KIND]: kind.noun,
    [ANNOTATION_TAG]: `${info.name}:${info.version}`,
    [ANNOTATION_CONTENT_DIGEST]: info.digest
  };
  if (extra.description) annotations[ANNOTATION_DESCRIPTION] = extra.description;
  for (const [key, value] of Object.entries(extra.labels ?? {}))
    annotations[`${ANNOTATION_LABEL_PREFIX}${key}`] = value;
  if (extra.models && extra.models.length > 0)
    annotations[ANNOTATION_MODELS] = extra.models.map((m) => m.tag).join(",");
  return annotations;
}
async function planArtifact(kind, entry) {
  const what = `${kind.noun} ${formatTag(entry.tag)}`;
  const configBytes = Buffer.from(canonicalJson(entry.info));
  const config = {
    descriptor: { mediaType: kind.configType, digest: sha256Digest(configBytes), size: configBytes.length },
    source: bufferSource(configBytes)
  };
  const small = entry.info.files.filter((f) => f.size < OWN_LAYER_MIN_BYTES);
  const large = entry.info.files.filter((f) => f.size >= OWN_LAYER_MIN_BYTES).sort((a, b) => a.path < b.path ? -1 : 1);
  const layers = [];
  if (small.length > 0) {
    const source = bufferSource(await smallFilesTar(entry.dir, small, what));
    layers.push({
      descriptor: {
        mediaType: BENTOCI_FILES_TAR,
        digest: source.digest,
        size: source.size,
        annotations: { [FILE_COUNT_ANNOTATION]: String(small.length) }
      },
      source
    });
  }
  for (const file of large) {
    const source = await fileSource(join(entry.dir, file.path), file);
    layers.push({
      descriptor: {
        mediaType: BENTOCI_FILE_LAYER,
        digest: source.digest,
        size: source.size,
        annotations: { [ANNOTATION_TITLE]: file.path }
      },
      source
    });
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: kind.artifactType,
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
    annotations: annotationsOf(kind, entry.info)
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { manifest, bytes, digest: sha256Digest(bytes), config, layers };
}

// src/registry/blob-locations.ts
import { readFile as readFile2 } from "node:fs/promises";
import { join as join2 } from "node:path";
var locationsSchema = external_exports.record(external_exports.string(), external_exports.record(external_exports.string(), external_exports.array(external_exports.string())));
var MAX_DIGESTS_PER_REGISTRY = 2e4;
var MAX_REPOS_PER_DIGEST = 4;
var BlobLocations = class _BlobLocations {
  constructor(path, data) {
    this.path = path;
    this.data = data;
  }
  path;
  data;
  static async load(home) {
    const path = join2(home, ".oci", "blob-locations.json");
    let data = {};
    try {
      data = locationsSchema.parse(JSON.parse(await readFile2(path, "utf8")));
    } catch {
    }
    return new _BlobLocations(path, data);
  }
  reposOf(registry, digest) {
    return this.data[registry]?.[digest] ?? [];
  }
  add(registry, repository, digests) {
    const byDigest = this.data[registry] ?? {};
    this.data[registry] = byDigest;
    for (const digest of digests) {
      const repos = (byDigest[digest] ?? []).filter((r) => r !== repository);
      delete byDigest[digest];
      byDigest[digest] = [repository, ...repos].slice(0, MAX_REPOS_PER_DIGEST);
    }
    const keys = Object.keys(byDigest);
    for (const key of keys.slice(0, Math.max(0, keys.length - MAX_DIGESTS_PER_REGISTRY)))
      delete byDigest[key];
  }
  async save() {
    const current = await _BlobLocations.load(join2(this.path, "..", ".."));
    for (const [registry, byDigest] of Object.entries(current.data)) {
      const mine = this.data[registry] ?? {};
      this.data[registry] = mine;
      for (const [digest, repos] of Object.entries(byDigest)) {
        mine[digest] = [.../* @__PURE__ */ new Set([...mine[digest] ?? [], ...repos])].slice(0, MAX_REPOS_PER_DIGEST);
      }
    }
    await writeFileAtomic(this.path, JSON.stringify(this.data));
  }
};

// src/registry/transfer.ts
import { join as join3 } from "node:path";
var DEFAULT_PARALLEL = 4;
function ociDir(home) {
  return join3(home, ".oci");
}
function uniqueBy(items, key) {
  const seen = /* @__PURE__ */ new Set();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

// src/registry/publish.ts
async function planTags(repo, digest, fixed, moving, force) {
  const all = uniqueBy([...fixed, ...moving], (t) => t);
  const current = await mapLimit(all, 8, (tag) => repo.resolve(tag));
  const toSet = [];
  for (const [i, tag] of all.entries()) {
    const at = current[i];
    if (at === digest) continue;
    if (at && fixed.includes(tag) && !force) {
      throw new UsageError(
        `${formatReference({ ...repo.ref, tag, digest: void 0 })} already holds a different artifact (${at}): tags are not moved silently; pass --force to replace it`
      );
    }
    toSet.push(tag);
  }
  return { unchanged: toSet.length === 0, toSet };
}
async function pushBlobs(repo, blobs, options) {
  const unique = uniqueBy(blobs, (b) => b.descriptor.digest);
  const parallel = options.parallel ?? DEFAULT_PARALLEL;
  const present = await mapLimit(unique, Math.max(parallel, 8), (b) => repo.hasBlob(b.descriptor.digest));
  const missing = unique.filter((_, i) => !present[i]);
  const stats = { uploaded: 0, existing: unique.length - missing.length, mounted: 0, bytes: 0 };
  if (missing.length === 0) return stats;
  const bar = progress(
    options.label,
    missing.reduce((s, b) => s + b.descriptor.size, 0),
    options.log
  );
  const controller = options.controller ?? new AbortController();
  const outcomes = await mapLimit(
    missing,
    parallel,
    async (blob) => {
      const source = await blob.source();
      const mountFrom = options.locations?.reposOf(repo.ref.registry, blob.descriptor.digest).filter((r) => r !== repo.name);
      const outcome = await repo.uploadBlob(source, {
        assumeMissing: true,
        ...mountFrom && mountFrom.length > 0 ? { mountFrom } : {},
        ...options.monolithicMax !== void 0 ? { monolithicMax: options.monolithicMax } : {},
        ...options.chunkSize !== void 0 ? { chunkSize: options.chunkSize } : {},
        onBytes: (n) => bar.add(n)
      });
      if (outcome === "mounted") bar.add(source.size);
      return { outcome, size: source.size };
    },
    controller
  );
  bar.done();
  for (const { outcome, size } of outcomes) {
    if (outcome === "uploaded") {
      stats.uploaded++;
      stats.bytes += size;
    } else if (outcome === "mounted") stats.mounted++;
    else stats.existing++;
  }
  return stats;
}
async function putTags(repo, bytes, mediaType, tags) {
  for (const tag of tags) await repo.putManifest(tag, bytes, mediaType);
}
function describeStats(stats) {
  const parts = [`${plural(stats.uploaded, "blob")} uploaded (${formatBytes(stats.bytes)})`];
  if (stats.mounted > 0) parts.push(`${stats.mounted} mounted from other repositories`);
  if (stats.existing > 0) parts.push(`${stats.existing} already there`);
  return parts.join(", ");
}

// src/registry/artifact-push.ts
async function pushEntry(kind, store, tagText, target, options) {
  if (target.digest)
    throw new UsageError(`invalid --to "${formatReference(target)}": push to a tag, not a digest`);
  const entry = await store.get(tagText);
  const tag = formatTag(entry.tag);
  const primary = target.tag ?? validateTag(entry.tag.version, `${kind.noun} version`);
  const release = options.release ? releaseTags(options.release, options.releaseTags) : void 0;
  const fixed = [primary, ...release ? [release.exact] : []];
  const moving = release?.moving ?? [];
  await store.assertMetadata(entry);
  const plan = await planArtifact(kind, entry);
  const controller = linkedController(options.signal);
  const repo = await openRepository(target, { ...options, push: true, signal: controller.signal });
  const log = options.log ?? (() => void 0);
  const reference = formatReference({ ...target, tag: primary });
  try {
    const tagPlan = await planTags(repo, plan.digest, fixed, moving, options.force ?? false);
    const allTags = [.../* @__PURE__ */ new Set([...fixed, ...moving])];
    const none = { uploaded: 0, existing: 0, mounted: 0, bytes: 0 };
    if (tagPlan.unchanged) {
      log(`${kind.noun} ${tag} is already at ${reference} (${plan.digest}): nothing to push`);
      return {
        kind: kind.noun,
        tag,
        reference,
        digest: plan.digest,
        tags: allTags,
        unchanged: true,
        blobs: none
      };
    }
    const locations = await BlobLocations.load(options.home);
    const blobs = [plan.config, ...plan.layers].map((b) => ({
      descriptor: b.descriptor,
      source: async () => b.source
    }));
    const stats = await pushBlobs(repo, blobs, {
      label: `pushing ${kind.noun} ${tag}`,
      log,
      locations,
      controller,
      ...options.parallel !== void 0 ? { parallel: options.parallel } : {},
      ...options.monolithicMax !== void 0 ? { monolithicMax: options.monolithicMax } : {},
      ...options.chunkSize !== void 0 ? { chunkSize: options.chunkSize } : {}
    });
    await putTags(repo, plan.bytes, OCI_MANIFEST, tagPlan.toSet);
    locations.add(
      repo.ref.registry,
      repo.name,
      blobs.map((b) => b.descriptor.digest)
    );
    await locations.save().catch(() => void 0);
    log(
      `pushed ${kind.noun} ${tag} to ${reference} (${plan.digest}): ${describeStats(stats)}; tags ${tagPlan.toSet.join(", ")}`
    );
    return {
      kind: kind.noun,
      tag,
      reference,
      digest: plan.digest,
      tags: allTags,
      unchanged: false,
      blobs: stats
    };
  } catch (err) {
    if (err instanceof BentoError || !(err instanceof Error)) throw err;
    throw new BentoError(`pushing ${kind.noun} ${tag} to ${reference} failed: ${err.message}`, {
      cause: err
    });
  } finally {
    await repo.close();
  }
}

// src/registry/image-push.ts
var import_dockerode = __toESM(require_docker(), 1);
import { mkdir as mkdir2, mkdtemp } from "node:fs/promises";
import { join as join6 } from "node:path";

// src/registry/image-export.ts
var tar2 = __toESM(require_tar_stream(), 1);
import { createHash as createHash2 } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile as readFile3, realpath, symlink } from "node:fs/promises";
import { dirname, join as join4, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";

// src/registry/safe-path.ts
function safeEntryPath(path, what) {
  const problem = path.length === 0 || path.length > 4096 ? "is empty or too long" : path.startsWith("/") ? "is absolute" : /[\\\0]/.test(path) ? "has a backslash or NUL" : path.split("/").some((s) => s === "" || s === "." || s === "..") ? "has an empty, '.' or '..' segment" : void 0;
  if (problem)
    throw new BentoError(
      `${what} names the path "${path.slice(0, 200)}", which ${problem}: refusing to write it`
    );
  return path;
}

// src/registry/image-export.ts
var saveManifestSchema = external_exports.array(
  external_exports.object({
    Config: external_exports.string().min(1),
    RepoTags: external_exports.array(external_exports.string()).nullable().optional(),
    Layers: external_exports.array(external_exports.string())
  })
);
var imageConfigSchema = external_exports.looseObject({
  architecture: external_exports.string().optional(),
  os: external_exports.string().optional(),
  created: external_exports.string().optional(),
  rootfs: external_exports.object({
    type: external_exports.literal("layers"),
    diff_ids: external_exports.array(external_exports.string().regex(/^sha256:[a-f0-9]{64}$/))
  })
});
async function inspectImage(docker, image) {
  try {
    const inspected = await docker.getImage(image).inspect();
    return { id: inspected.Id, repoTags: inspected.RepoTags ?? [] };
  } catch (err) {
    const status = err.statusCode;
    if (status === 404)
      throw new NotFoundError(
        `image ${image} is not in the Docker engine: build it with bentoci containerize (or docker build)`
      );
    throw new BentoError(`cannot inspect image ${image} in the Docker engine: ${err.message}`);
  }
}
async function exportImage(docker, id, dir) {
  await mkdir(dir, { recursive: true });
  const stream = await docker.getImage(id).get();
  const extract2 = tar2.extract();
  const unpacked = (async () => {
    for await (const entry of extract2) {
      const name = entry.header.name.replace(/\/+$/, "");
      if (entry.header.type === "directory") {
        entry.resume();
        await mkdir(join4(dir, safeEntryPath(name, "docker save")), { recursive: true });
        continue;
      }
      const path = join4(dir, safeEntryPath(name, "docker save"));
      await mkdir(dirname(path), { recursive: true });
      if (entry.header.type === "symlink" && entry.header.linkname) {
        const target = resolve(dirname(path), entry.header.linkname);
        if (!target.startsWith(dir + sep))
          throw new BentoError(`docker save holds a link "${name}" that leaves the export`);
        entry.resume();
        await symlink(relative(dirname(path), target), path);
        continue;
      }
      if (entry.header.type !== "file") {
        entry.resume();
        continue;
      }
      await pipeline(entry, createWriteStream(path));
    }
  })();
  await Promise.all([pipeline(stream, extract2), unpacked]);
  const manifests = saveManifestSchema.parse(JSON.parse(await readFile3(join4(dir, "manifest.json"), "utf8")));
  const first = manifests[0];
  if (!first || manifests.length !== 1)
    throw new BentoError(`docker save of ${id} holds ${manifests.length} images, expected 1`);
  const configBytes = await readFile3(await inside(dir, first.Config));
  const configDigest = `sha256:${createHash2("sha256").update(configBytes).digest("hex")}`;
  if (configDigest !== id)
    throw new IntegrityError(`docker save of ${id} gave a config with digest ${configDigest}`);
  const config = imageConfigSchema.parse(JSON.parse(configBytes.toString("utf8")));
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== first.Layers.length) {
    throw new IntegrityError(
      `docker save of ${id} lists ${first.Layers.length} layers for ${diffIds.length} diff_ids`
    );
  }
  const layers = [];
  for (const [i, layer] of first.Layers.entries())
    layers.push({ path: await inside(dir, layer), diffId: diffIds[i] });
  return { id, configBytes, config, layers };
}
async function inside(dir, rel) {
  const real = await realpath(join4(dir, safeEntryPath(rel, "docker save manifest.json")));
  const root = await realpath(dir);
  if (!real.startsWith(root + sep))
    throw new BentoError(`docker save manifest.json names "${rel}", outside the export`);
  return real;
}

// src/registry/json-cache.ts
import { readFile as readFile4 } from "node:fs/promises";
import { join as join5 } from "node:path";
var JsonCache = class _JsonCache {
  constructor(path, schema, data, limit) {
    this.path = path;
    this.schema = schema;
    this.data = data;
    this.limit = limit;
  }
  path;
  schema;
  data;
  limit;
  static async load(home, name, schema, limit = 1e4) {
    const path = join5(ociDir(home), name);
    let data = {};
    try {
      data = schema.parse(JSON.parse(await readFile4(path, "utf8")));
    } catch {
    }
    return new _JsonCache(path, schema, data, limit);
  }
  get(key) {
    return this.data[key];
  }
  set(key, value) {
    delete this.data[key];
    this.data[key] = value;
    const keys = Object.keys(this.data);
    for (const old of keys.slice(0, Math.max(0, keys.length - this.limit))) delete this.data[old];
  }
  async save() {
    let merged = this.data;
    try {
      const current = this.schema.parse(JSON.parse(await readFile4(this.path, "utf8")));
      merged = { ...current, ...this.data };
    } catch {
    }
    await writeFileAtomic(this.path, JSON.stringify(merged));
  }
};

// src/registry/layer-compress.ts
import { createHash as createHash3 } from "node:crypto";
import { createReadStream, createWriteStream as createWriteStream2 } from "node:fs";
import { open, stat } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline as pipeline2 } from "node:stream/promises";
import { createGzip } from "node:zlib";
var OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
function hashing(hash, count) {
  return new Transform({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      if (count) count.bytes += chunk.length;
      callback(null, chunk);
    }
  });
}
async function magic(path) {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
async function sha256Of(path) {
  const hash = createHash3("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk);
  return `sha256:${hash.digest("hex")}`;
}
async function compressLayer(path, diffId, outPath) {
  const head = await magic(path);
  if (head[0] === 31 && head[1] === 139) {
    return { path, digest: await sha256Of(path), size: (await stat(path)).size, mediaType: OCI_LAYER_GZIP };
  }
  if (head.equals(Buffer.from([40, 181, 47, 253]))) {
    return { path, digest: await sha256Of(path), size: (await stat(path)).size, mediaType: OCI_LAYER_ZSTD };
  }
  const raw = createHash3("sha256");
  const compressed = createHash3("sha256");
  const count = { bytes: 0 };
  await pipeline2(
    createReadStream(path, { highWaterMark: 1 << 20 }),
    hashing(raw),
    createGzip({ level: 6 }),
    hashing(compressed, count),
    createWriteStream2(outPath)
  );
  const actualDiffId = `sha256:${raw.digest("hex")}`;
  if (actualDiffId !== diffId)
    throw new IntegrityError(`image layer ${path} has digest ${actualDiffId}, but its config says ${diffId}`);
  return {
    path: outPath,
    digest: `sha256:${compressed.digest("hex")}`,
    size: count.bytes,
    mediaType: OCI_LAYER_GZIP
  };
}

// src/registry/image-push.ts
var layerCacheSchema = external_exports.record(
  external_exports.string(),
  external_exports.object({ digest: external_exports.string(), size: external_exports.number().int().min(0), mediaType: external_exports.string() })
);
var imageCacheSchema = external_exports.record(external_exports.string(), external_exports.object({ manifest: external_exports.string() }));
function imageManifest(configBytes, created, layers) {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: sha256Digest(configBytes), size: configBytes.length },
    layers,
    ...created ? { annotations: { [ANNOTATION_CREATED]: created } } : {}
  };
}
async function pushImage(image, target, options) {
  if (target.digest)
    throw new UsageError(`invalid --to "${formatReference(target)}": push to a tag, not a digest`);
  const docker = options.docker ?? new import_dockerode.default();
  const { id } = await inspectImage(docker, image);
  let localTag;
  try {
    localTag = parseImageReference(image).tag;
  } catch {
    localTag = void 0;
  }
  const primary = target.tag ?? localTag;
  if (!primary) throw new UsageError(`name the tag to push ${image} as: --to oci://host/repo:tag`);
  const release = options.release ? releaseTags(options.release, options.releaseTags) : void 0;
  const fixed = [primary, ...release ? [release.exact] : []];
  const moving = release?.moving ?? [];
  const allTags = [.../* @__PURE__ */ new Set([...fixed, ...moving])];
  const reference = formatReference({ ...target, tag: primary });
  const log = options.log ?? (() => void 0);
  const controller = linkedController(options.signal);
  const repo = await openRepository(target, { ...options, push: true, signal: controller.signal });
  const images = await JsonCache.load(options.home, "images.json", imageCacheSchema, 1e3);
  const none = { uploaded: 0, existing: 0, mounted: 0, bytes: 0 };
  try {
    const known = images.get(id);
    if (known) {
      const bytes = Buffer.from(known.manifest);
      const digest = sha256Digest(bytes);
      const tagPlan = await planTags(repo, digest, fixed, moving, options.force ?? false);
      const result = { image, id, reference, digest, tags: allTags, exported: false };
      if (tagPlan.unchanged) {
        log(`image ${image} is already at ${reference} (${digest}): nothing to push`);
        return { ...result, unchanged: true, blobs: none };
      }
      const manifest = imageManifestSchema.parse(JSON.parse(known.manifest));
      const blobs = [manifest.config, ...manifest.layers];
      const present = await mapLimit(blobs, 8, (b) => repo.hasBlob(b.digest));
      if (present.every(Boolean)) {
        await putTags(repo, bytes, OCI_MANIFEST, tagPlan.toSet);
        log(
          `pushed image ${image} to ${reference} (${digest}): all blobs already there; tags ${tagPlan.toSet.join(", ")}`
        );
        return { ...result, unchanged: false, blobs: { ...none, existing: blobs.length } };
      }
    }
    return await exportAndPush(
      docker,
      repo,
      image,
      id,
      { fixed, moving, allTags, reference, controller, images },
      options
    );
  } catch (err) {
    if (err instanceof BentoError || !(err instanceof Error)) throw err;
    throw new BentoError(`pushing image ${image} to ${reference} failed: ${err.message}`, { cause: err });
  } finally {
    await repo.close();
  }
}
async function exportAndPush(docker, repo, image, id, ctx, options) {
  const log = options.log ?? (() => void 0);
  await mkdir2(ociDir(options.home), { recursive: true });
  const work = await mkdtemp(join6(ociDir(options.home), "export-"));
  try {
    log(`exporting image ${image} (${id.slice(0, 19)}) from the Docker engine`);
    const exported = await exportImage(docker, id, join6(work, "image"));
    const layerCache = await JsonCache.load(options.home, "layers.json", layerCacheSchema);
    const layers = await mapLimit(exported.layers, options.parallel ?? DEFAULT_PARALLEL, async (layer) => {
      const cached = layerCache.get(layer.diffId);
      if (cached && await repo.hasBlob(cached.digest)) {
        return {
          descriptor: { mediaType: cached.mediaType, digest: cached.digest, size: cached.size },
          path: void 0
        };
      }
      const compressed = await compressLayer(
        layer.path,
        layer.diffId,
        join6(work, `${layer.diffId.slice(7)}.gz`)
      );
      layerCache.set(layer.diffId, {
        digest: compressed.digest,
        size: compressed.size,
        mediaType: compressed.mediaType
      });
      return {
        descriptor: { mediaType: compressed.mediaType, digest: compressed.digest, size: compressed.size },
        path: compressed.path
      };
    });
    const manifest = imageManifest(
      exported.configBytes,
      exported.config.created,
      layers.map((l) => l.descriptor)
    );
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = sha256Digest(bytes);
    const tagPlan = await planTags(repo, digest, ctx.fixed, ctx.moving, options.force ?? false);
    const locations = await BlobLocations.load(options.home);
    const blobs = [
      { descriptor: manifest.config, source: async () => bufferSource(exported.configBytes) },
      ...layers.map((l) => ({
        descriptor: l.descriptor,
        source: async () => {
          if (!l.path)
            throw new BentoError(
              `layer ${l.descriptor.digest} vanished from ${repo} while pushing: push again`
            );
          return fileSource(l.path, { sha256: l.descriptor.digest.slice(7), size: l.descriptor.size });
        }
      }))
    ];
    const stats = tagPlan.unchanged ? { uploaded: 0, existing: blobs.length, mounted: 0, bytes: 0 } : await pushBlobs(repo, blobs, {
      label: `pushing image ${image}`,
      log,
      locations,
      controller: ctx.controller,
      ...options.parallel !== void 0 ? { parallel: options.parallel } : {},
      ...options.monolithicMax !== void 0 ? { monolithicMax: options.monolithicMax } : {},
      ...options.chunkSize !== void 0 ? { chunkSize: options.chunkSize } : {}
    });
    await putTags(repo, bytes, OCI_MANIFEST, tagPlan.toSet);
    locations.add(
      repo.ref.registry,
      repo.name,
      blobs.map((b) => b.descriptor.digest)
    );
    ctx.images.set(id, { manifest: bytes.toString("utf8") });
    await Promise.all([locations.save(), layerCache.save(), ctx.images.save()]).catch(() => void 0);
    if (tagPlan.unchanged) log(`image ${image} is already at ${ctx.reference} (${digest}): nothing to push`);
    else
      log(
        `pushed image ${image} to ${ctx.reference} (${digest}): ${describeStats(stats)}; tags ${tagPlan.toSet.join(", ")}`
      );
    return {
      image,
      id,
      reference: ctx.reference,
      digest,
      tags: ctx.allTags,
      unchanged: tagPlan.unchanged,
      exported: true,
      blobs: stats
    };
  } finally {
    await removeQuietly(work);
  }
}

// src/sign/attach.ts
var ENTRY_SIGNATURE_ARTIFACT_TYPE = DSSE_ENVELOPE_MEDIA_TYPE;
var PREDICATE_TYPE_ANNOTATION = "in-toto.io/predicate-type";
var EMPTY_CONFIG = Buffer.from("{}");
async function attachEnvelopes(registry, repository, subject, envelopes) {
  const pushed = [];
  let registryIndexes = envelopes.length > 0;
  if (envelopes.length > 0) await registry.putBlob(repository, EMPTY_CONFIG);
  for (const { envelope, predicateType, mediaType = DSSE_ENVELOPE_MEDIA_TYPE } of envelopes) {
    const blob = Buffer.from(JSON.stringify(envelope));
    await registry.putBlob(repository, blob);
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      artifactType: mediaType,
      config: {
        mediaType: OCI_EMPTY_MEDIA_TYPE,
        digest: sha256Digest2(EMPTY_CONFIG),
        size: EMPTY_CONFIG.length
      },
      layers: [
        {
          mediaType,
          digest: sha256Digest2(blob),
          size: blob.length,
          ...predicateType ? { annotations: { [PREDICATE_TYPE_ANNOTATION]: predicateType } } : {}
        }
      ],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }
    };
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = sha256Digest2(bytes);
    const put = await registry.putManifest(repository, digest, OCI_MANIFEST_MEDIA_TYPE, bytes);
    if (put.digest !== digest)
      throw new BentoError(`registry stored signature manifest as ${put.digest}, expected ${digest}`);
    registryIndexes &&= put.subjectAccepted;
    pushed.push({
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      digest,
      size: bytes.length,
      artifactType: mediaType,
      ...predicateType ? { annotations: { [PREDICATE_TYPE_ANNOTATION]: predicateType } } : {}
    });
  }
  if (registryIndexes) return { manifests: pushed.map((d) => d.digest), indexedBy: "referrers" };
  const tag = digestTag(subject.digest);
  const current = await readIndex(registry, repository, tag);
  const known = new Set(current.manifests.map((m) => m.digest));
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX_MEDIA_TYPE,
    manifests: [...current.manifests, ...pushed.filter((d) => !known.has(d.digest))]
  };
  if (pushed.some((d) => !known.has(d.digest))) {
    await registry.putManifest(repository, tag, OCI_INDEX_MEDIA_TYPE, Buffer.from(JSON.stringify(index)));
  }
  return { manifests: pushed.map((d) => d.digest), indexedBy: { tag } };
}
async function readIndex(registry, repository, tag) {
  const found = await registry.getManifest(repository, tag);
  if (!found) return { schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests: [] };
  const parsed = ociIndexSchema.safeParse(parseJson(found.bytes));
  if (!parsed.success)
    throw new BentoError(
      `${repository}:${tag} should be an OCI referrers index but is not; delete that tag and push again`
    );
  return parsed.data;
}
async function listReferrers(registry, repository, digest, artifactType) {
  const fromApi = await registry.getReferrers(repository, digest, artifactType);
  const index = fromApi ?? await readIndex(registry, repository, digestTag(digest));
  return index.manifests.filter((m) => !artifactType || m.artifactType === artifactType);
}
function fetchEnvelopes(registry, repository, digest) {
  return fetchAttached(registry, repository, digest, {
    artifactType: ENTRY_SIGNATURE_ARTIFACT_TYPE,
    layerType: DSSE_ENVELOPE_MEDIA_TYPE,
    schema: dsseEnvelopeSchema
  });
}
function fetchBundles(registry, repository, digest) {
  return fetchAttached(registry, repository, digest, {
    artifactType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    layerType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    schema: sigstoreBundleJsonSchema
  });
}
async function fetchAttached(registry, repository, digest, kind) {
  const values = [];
  for (const referrer of await listReferrers(registry, repository, digest, kind.artifactType)) {
    const found = await registry.getManifest(repository, referrer.digest);
    if (!found || sha256Digest2(found.bytes) !== referrer.digest) continue;
    const manifest = ociManifestSchema.safeParse(parseJson(found.bytes));
    if (!manifest.success || manifest.data.subject?.digest !== digest) continue;
    for (const layer of manifest.data.layers.filter((l) => l.mediaType === kind.layerType)) {
      const blob = await registry.getBlob(repository, layer.digest);
      if (sha256Digest2(blob) !== layer.digest) continue;
      const value = kind.schema.safeParse(parseJson(blob));
      if (value.success) values.push(value.data);
    }
  }
  return values;
}
function parseJson(bytes) {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return void 0;
  }
}
async function attachEntrySignatures(registry, repository, subject, entryDir) {
  const { envelopes } = await readEntryEnvelopes(entryDir);
  const { bundles } = await readEntryBundles(entryDir);
  if (envelopes.length === 0 && bundles.length === 0) return void 0;
  if (typeof subject === "string") {
    const found = await registry.getManifest(repository, subject);
    if (!found)
      throw new BentoError(`cannot attach signatures: ${repository}@${subject} is not in the registry`);
    subject = { mediaType: found.mediaType, digest: found.digest, size: found.bytes.length };
  }
  return attachEnvelopes(registry, repository, subject, [
    ...envelopes.map((e) => ({ envelope: e.envelope, predicateType: ENTRY_PREDICATE_TYPE })),
    ...bundles.map((b) => ({
      envelope: b.bundle,
      predicateType: ENTRY_PREDICATE_TYPE,
      mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE
    }))
  ]);
}
async function pullEntrySignatures(registry, repository, digest, entryDir) {
  const envelopes = await fetchEnvelopes(registry, repository, digest);
  for (const envelope of envelopes) await writeEntryEnvelope(entryDir, envelope, { nameBy: "content" });
  const bundles = await fetchBundles(registry, repository, digest);
  for (const bundle of bundles) await writeEntryBundle(entryDir, bundle);
  return envelopes.length + bundles.length;
}

// src/sign/identity-token.ts
var SIGSTORE_AUDIENCE = "sigstore";
var claimsSchema = external_exports.object({
  iss: external_exports.string().min(1),
  sub: external_exports.string().min(1).optional(),
  email: external_exports.string().min(1).optional(),
  aud: external_exports.union([external_exports.string(), external_exports.array(external_exports.string())]),
  exp: external_exports.number().optional()
}).catchall(external_exports.unknown());
async function resolveIdentityToken(source) {
  const env = source.env ?? process.env;
  let token;
  let from;
  if (source.envName !== void 0) {
    const value = env[source.envName]?.trim();
    if (!value)
      throw new UsageError(
        `--identity-token-env ${source.envName}: the variable is not set or empty; put an OIDC identity token (a JWT) in it`
      );
    token = value;
    from = `$${source.envName}`;
  } else if (env["ACTIONS_ID_TOKEN_REQUEST_URL"]) {
    const fetch = source.fetchGitHubToken ?? getIDToken;
    try {
      token = await fetch(SIGSTORE_AUDIENCE);
    } catch (err) {
      throw new UsageError(
        `could not get GitHub's OIDC token (${err.message}); give the job \`permissions: id-token: write\``
      );
    }
    from = "GitHub Actions OIDC";
  } else {
    throw new UsageError(
      "keyless signing needs an OIDC identity token: pass --identity-token-env NAME, or run on GitHub Actions with `permissions: id-token: write`"
    );
  }
  return { token, claims: decodeClaims(token, from, source.now ?? /* @__PURE__ */ new Date()), from };
}
function decodeClaims(token, from, now) {
  const parts = token.split(".");
  let payload;
  if (parts.length === 3) {
    try {
      payload = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString("utf8"));
    } catch {
      payload = void 0;
    }
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success)
    throw new UsageError(
      `the identity token in ${from} is not a JWT with iss and aud claims; pass an OIDC ID token, not an access token`
    );
  const claims = parsed.data;
  if (claims.sub === void 0 && claims.email === void 0)
    throw new UsageError(
      `the identity token in ${from} has neither a sub nor an email claim; Fulcio needs one`
    );
  if (claims.exp !== void 0 && claims.exp * 1e3 <= now.getTime())
    throw new UsageError(
      `the identity token in ${from} expired at ${new Date(claims.exp * 1e3).toISOString()}; request a fresh one`
    );
  const audiences = typeof claims.aud === "string" ? [claims.aud] : claims.aud;
  if (!audiences.includes(SIGSTORE_AUDIENCE))
    throw new UsageError(
      `the identity token in ${from} is for audience ${audiences.join(", ")}; Fulcio accepts audience "${SIGSTORE_AUDIENCE}"`
    );
  return claims;
}

// src/sign/sign-entry.ts
async function signEntry(store, entry, signer, now = /* @__PURE__ */ new Date()) {
  await store.assertIntact(entry);
  const statement = await entryStatement(store, entry, now);
  const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), signer);
  const path = await writeEntryEnvelope(entry.dir, envelope);
  return { path, keyid: signer.keyid, statement, envelope };
}

// src/sign/sign-image.ts
async function signImage(registry, ref, signer, options = {}) {
  const digest = await resolveDigest(registry, ref);
  const payload = imagePayload(ref, digest, options);
  const signature = await signer.sign(payload);
  const ownVerifier = newVerifier(signer.publicKey);
  const written = await appendSignatureLayer(
    registry,
    ref,
    digest,
    payload,
    signatureLayer(payload, signature),
    (layer) => isOwnSignature(registry, ref.repository, layer, ownVerifier, digest)
  );
  return { digest, ...written, payload, signature };
}
function imagePayload(ref, digest, options) {
  const optional = {
    ...options.annotations,
    creator: `bentoci ${BENTOCI_VERSION}`,
    // containers/image rejects a non-integer timestamp.
    timestamp: Math.floor((options.now ?? /* @__PURE__ */ new Date()).getTime() / 1e3)
  };
  return simpleSigningPayload(dockerReferenceOf(ref), digest, optional);
}
async function appendSignatureLayer(registry, ref, digest, payload, layer, replaces) {
  const tag = cosignSignatureTag(digest);
  const previous = await readSignatureManifest(registry, ref.repository, tag);
  const cosignLayers = new Set(previous ? signatureLayers(previous) : []);
  const layers = [];
  let kept = 0;
  for (const old of previous?.layers ?? []) {
    if (cosignLayers.has(old) && await replaces(old)) continue;
    layers.push(old);
    if (cosignLayers.has(old)) kept++;
  }
  layers.push(layer);
  await registry.putBlob(ref.repository, payload);
  const { config, manifest } = signatureManifest(layers);
  await registry.putBlob(ref.repository, config);
  const put = await registry.putManifest(ref.repository, tag, OCI_MANIFEST_MEDIA_TYPE, manifest);
  return { signatureTag: tag, signatureManifestDigest: put.digest, kept };
}
async function isOwnSignature(registry, repository, layer, verifier, digest) {
  const payload = await registry.getBlob(repository, layer.digest).catch(() => void 0);
  if (!payload || sha256Digest2(payload) !== layer.digest) return false;
  const sig = Buffer.from(layer.annotations?.[COSIGN_SIGNATURE_ANNOTATION] ?? "", "base64");
  if (!verifier.verify(payload, sig)) return false;
  return parseSimpleSigningPayload(payload)?.critical.image["docker-manifest-digest"] === digest;
}

// src/sign/sign-image-keyless.ts
async function signImageKeyless(registry, ref, options) {
  const digest = await resolveDigest(registry, ref);
  const payload = imagePayload(ref, digest, options);
  const bundle = await signMessage(payload, options);
  const written = await appendSignatureLayer(
    registry,
    ref,
    digest,
    payload,
    keylessSignatureLayer(payload, bundle),
    async () => false
  );
  return { digest, ...written, payload, logged: bundle.verificationMaterial.tlogEntries.length > 0 };
}

export {
  modelArtifact,
  bentoArtifact,
  artifactKinds,
  mapLimit,
  linkedController,
  DEFAULT_PARALLEL,
  ociDir,
  safeEntryPath,
  pushEntry,
  pushImage,
  attachEntrySignatures,
  pullEntrySignatures,
  resolveIdentityToken,
  signEntry,
  signImage,
  signImageKeyless
};
