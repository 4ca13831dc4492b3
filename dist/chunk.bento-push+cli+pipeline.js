import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  RELEASE_TAG_KINDS,
  parseReleaseTagKinds,
  releaseTags
} from "./chunk.bento-canary+bento-push+cli+pipeline.js";
import {
  externalImageOf,
  provenanceOf
} from "./chunk.bento-containerize+bento-push+cli+pipeline.js";
import {
  STORED_DOCKERFILE,
  parseSourceDateEpoch,
  renderDockerfile
} from "./chunk.bento-build+bento-containerize+bento-push+cli+pipeline.js";
import {
  connectEngine,
  require_docker
} from "./chunk.bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  ANNOTATION_CONTENT_DIGEST,
  ANNOTATION_CREATED,
  ANNOTATION_DESCRIPTION,
  ANNOTATION_KIND,
  ANNOTATION_LABEL_PREFIX,
  ANNOTATION_MODELS,
  ANNOTATION_MODEL_FILEPATH,
  ANNOTATION_MODEL_FILE_METADATA,
  ANNOTATION_MODEL_MEDIATYPE_UNTESTED,
  ANNOTATION_REF_NAME,
  ANNOTATION_TAG,
  ANNOTATION_TITLE,
  ANNOTATION_VERSION,
  ATTESTATION_KINDS,
  BENTOCI_BENTO_ARTIFACT_V2,
  BENTOCI_BENTO_CONFIG,
  BENTOCI_FILES_TAR,
  BENTOCI_FILE_LAYER,
  BENTOCI_INFO_LAYER,
  BENTOCI_MODEL_CONFIG,
  BENTOCI_VERSION,
  BENTO_BUILD_TYPE,
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  BentoError,
  CYCLONEDX_PREDICATE_TYPE,
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  DOCKER_MANIFEST,
  IMAGE,
  IMAGE_BUILD_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  IntegrityError,
  LOCAL_BUILDER_ID,
  MAX_MANIFEST_BYTES2 as MAX_MANIFEST_BYTES,
  MODELPACK_ANNOTATION_PREFIX,
  MODELPACK_CODE,
  MODELPACK_CONFIG,
  MODELPACK_DATASET,
  MODELPACK_DOC,
  MODELPACK_MANIFEST,
  MODELPACK_OLD_ANNOTATION_PREFIX,
  MODELPACK_OLD_TYPE_PREFIX,
  MODELPACK_TYPE_PREFIX,
  MODELPACK_WEIGHT,
  MODELPACK_WEIGHT_CONFIG,
  NotFoundError,
  OCI_CONFIG,
  OCI_LAYER_GZIP,
  OCI_LAYER_TAR,
  OCI_MANIFEST,
  OCI_PREDEFINED_KEYS,
  OptionError,
  OptionErrors,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  SLSA_PROVENANCE_V1,
  UsageError,
  attachEntrySignatures,
  attachEnvelopes,
  attestShape,
  attestationSignerOf,
  bentoInfoSchema,
  bufferSource,
  canonicalJson,
  checkAttestSigning,
  checkKeyValues,
  checkVerifyGate,
  describeSigning,
  digestHex,
  digestOf,
  digestSchema,
  entryDigest,
  external_exports,
  fileSource,
  formatBytes,
  formatReference,
  formatTag,
  imageManifestSchema,
  invalidValue,
  isIndexType,
  isLegacyDigest,
  isSha256Digest,
  modelInfoSchema,
  noun,
  openRepository,
  openSignatureRegistry,
  openVerifyGate,
  operation,
  option,
  parseImageIndex,
  parseImageManifest,
  parseImageReference,
  parseOciUrl,
  parseOptions,
  parseTag,
  progress,
  pullEntrySignatures,
  removeQuietly,
  require_dist,
  require_dist3 as require_dist2,
  require_dist6 as require_dist3,
  require_tar_stream,
  say,
  sha256Digest,
  signManifest,
  signStatement,
  signStoredEntry,
  signingOf,
  signingShape,
  sigstoreBundleJsonSchema,
  textOf,
  validateTag,
  verifyGateShape,
  withResources,
  writeFileAtomic
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/registry/artifact-kinds.ts
var modelArtifact = {
  noun: "model",
  layout: "modelpack",
  infoFile: "model.yaml",
  artifactType: MODELPACK_MANIFEST,
  configType: MODELPACK_CONFIG,
  readsConfigTypes: [
    MODELPACK_CONFIG,
    MODELPACK_CONFIG.replace(MODELPACK_TYPE_PREFIX, MODELPACK_OLD_TYPE_PREFIX),
    BENTOCI_MODEL_CONFIG
  ],
  schema: modelInfoSchema,
  pullOperation: "pull-model"
};
var bentoArtifact = {
  noun: "bento",
  layout: "bentoci",
  infoFile: "bento.yaml",
  artifactType: BENTOCI_BENTO_ARTIFACT_V2,
  configType: BENTOCI_BENTO_CONFIG,
  readsConfigTypes: [BENTOCI_BENTO_CONFIG],
  schema: bentoInfoSchema,
  pullOperation: "pull-bento"
};
var artifactKinds = [modelArtifact, bentoArtifact];

// src/registry/artifact-pull.ts
var tar = __toESM(require_tar_stream(), 1);
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir as mkdir2, rm as rm2 } from "node:fs/promises";
import { dirname, join as join3 } from "node:path";
import { pipeline } from "node:stream/promises";

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

// src/registry/artifact-read.ts
var import_yaml = __toESM(require_dist(), 1);

// src/registry/modelpack.ts
import { basename } from "node:path";
var MODELPACK_RAW_TYPES = [
  MODELPACK_WEIGHT,
  MODELPACK_WEIGHT_CONFIG,
  MODELPACK_DOC,
  MODELPACK_CODE,
  MODELPACK_DATASET
];
var DOC_NAMES = /^(readme|license|licence|notice|copying|changelog|citation|authors)([.-].*)?$/i;
var EXTENSIONS = [
  [
    MODELPACK_WEIGHT,
    [
      "onnx",
      "onnx_data",
      "ort",
      "safetensors",
      "gguf",
      "ggml",
      "bin",
      "pt",
      "pth",
      "ckpt",
      "h5",
      "keras",
      "pb",
      "tflite",
      "mlmodel",
      "pkl",
      "joblib",
      "npz",
      "npy",
      "msgpack",
      "params",
      "engine",
      "plan",
      "mar"
    ]
  ],
  [
    MODELPACK_WEIGHT_CONFIG,
    ["json", "yaml", "yml", "toml", "ini", "cfg", "conf", "txt", "model", "vocab", "tiktoken", "jinja"]
  ],
  [MODELPACK_DOC, ["md", "rst", "pdf", "html", "adoc"]],
  [
    MODELPACK_CODE,
    ["py", "js", "mjs", "cjs", "ts", "sh", "ipynb", "c", "cc", "cpp", "h", "hpp", "cu", "go", "rs", "java"]
  ],
  [MODELPACK_DATASET, ["csv", "tsv", "parquet", "arrow", "jsonl"]]
];
var BY_EXTENSION = new Map(EXTENSIONS.flatMap(([type, exts]) => exts.map((e) => [e, type])));
var UNKNOWN_WEIGHT_MIN_BYTES = 1024 * 1024;
function fileKind(path, size, entrypoint) {
  const name = basename(path);
  if (path === entrypoint) return { mediaType: MODELPACK_WEIGHT, untested: false };
  if (DOC_NAMES.test(name)) return { mediaType: MODELPACK_DOC, untested: false };
  if (/\.onnx[._]data$/i.test(name)) return { mediaType: MODELPACK_WEIGHT, untested: false };
  const extension = name.includes(".") ? name.split(".").at(-1).toLowerCase() : "";
  const known = BY_EXTENSION.get(extension);
  if (known) return { mediaType: known, untested: false };
  return {
    mediaType: size >= UNKNOWN_WEIGHT_MIN_BYTES ? MODELPACK_WEIGHT : MODELPACK_WEIGHT_CONFIG,
    untested: true
  };
}
function fileAnnotations(path, size, created, untested) {
  const metadata = {
    name: basename(path),
    mode: 420,
    uid: 0,
    gid: 0,
    size,
    mtime: created,
    typeflag: "0".charCodeAt(0)
  };
  return {
    [ANNOTATION_TITLE]: path,
    [ANNOTATION_MODEL_FILEPATH]: path,
    [ANNOTATION_MODEL_FILE_METADATA]: JSON.stringify(metadata),
    ...untested ? { [ANNOTATION_MODEL_MEDIATYPE_UNTESTED]: "true" } : {}
  };
}
var FORMATS = {
  onnx: "onnx",
  safetensors: "safetensors",
  gguf: "gguf",
  pt: "pt",
  pth: "pt",
  tflite: "tflite",
  h5: "keras",
  keras: "keras"
};
function modelFormat(info) {
  if (info.module === "onnx") return "onnx";
  const formats = new Set(
    info.files.filter((f) => fileKind(f.path, f.size, info.entrypoint).mediaType === MODELPACK_WEIGHT).map((f) => FORMATS[f.path.split(".").at(-1).toLowerCase()])
  );
  const [only] = formats;
  return formats.size === 1 ? only : void 0;
}
function modelPackConfig(info, layers) {
  const format = modelFormat(info);
  return {
    descriptor: { name: info.name, version: info.version, createdAt: info.creation_time },
    config: format ? { format } : {},
    modelfs: { type: "layers", diffIds: layers.map((l) => l.digest) }
  };
}
var modelPackConfigSchema = external_exports.object({
  descriptor: external_exports.object({ name: external_exports.string().optional(), version: external_exports.string().optional() }),
  config: external_exports.object({}),
  modelfs: external_exports.object({
    type: external_exports.literal("layers"),
    diffIds: external_exports.array(external_exports.string()).min(1)
  })
});
function isModelPackConfig(mediaType) {
  return modelPackType(mediaType) === MODELPACK_CONFIG;
}
function modelPackType(mediaType) {
  return mediaType.startsWith(MODELPACK_OLD_TYPE_PREFIX) ? MODELPACK_TYPE_PREFIX + mediaType.slice(MODELPACK_OLD_TYPE_PREFIX.length) : mediaType;
}
function modelPackLayerPath(layer) {
  const annotations = layer.annotations ?? {};
  const oldKey = ANNOTATION_MODEL_FILEPATH.replace(
    MODELPACK_ANNOTATION_PREFIX,
    MODELPACK_OLD_ANNOTATION_PREFIX
  );
  return annotations[ANNOTATION_MODEL_FILEPATH] ?? annotations[oldKey] ?? annotations[ANNOTATION_TITLE];
}

// src/registry/safe-path.ts
function safeEntryPath(path, what) {
  const problem = path.length === 0 || path.length > 4096 ? "is empty or too long" : path.startsWith("/") ? "is absolute" : /[\\\0]/.test(path) ? "has a backslash or NUL" : path.split("/").some((s) => s === "" || s === "." || s === "..") ? "has an empty, '.' or '..' segment" : void 0;
  if (problem)
    throw new BentoError(
      `${what} names the path "${path.slice(0, 200)}", which ${problem}: refusing to write it`
    );
  return path;
}

// src/registry/artifact-read.ts
var MAX_METADATA_BYTES = 16 * 1024 * 1024;
function checkKind(kind, manifest, what) {
  const type = manifest.config.mediaType;
  if (kind.readsConfigTypes.includes(type)) return;
  const other = artifactKinds.find((k) => k.readsConfigTypes.includes(type));
  if (other)
    throw new UsageError(
      say`${what} holds a ${other.noun}, not a ${kind.noun}: use ${operation(other.pullOperation)}`
    );
  throw new UsageError(
    `${what} is not a bentoci ${kind.noun} (its config is ${type}, expected ${kind.configType})`
  );
}
function parseInfo(kind, value, what) {
  const parsed = kind.schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(`${what} is invalid at ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}
function parseJson(bytes, what) {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new BentoError(`${what} is not JSON: ${err.message}`);
  }
}
function checkInfoDigest(kind, info, reference, what) {
  const computed = entryDigest(kind.infoFile, info);
  if (computed === info.digest) return;
  if (isLegacyDigest(info)) {
    throw new IntegrityError(
      `${reference} was pushed by an earlier bentoci, whose digest (${info.digest}) covers the ${kind.noun}'s files but not its ${kind.infoFile}; refusing it: push it again from a store where it was ${kind.noun === "model" ? "saved" : "built"} with this bentoci`
    );
  }
  throw new IntegrityError(
    `${reference}: its ${what} does not match the digest it records (${info.digest}; its metadata and files digest to ${computed}): it was altered; nothing was pulled`
  );
}
async function fetchInfoLayer(kind, repo, layer, reference) {
  const what = `${reference}: its ${kind.infoFile} layer`;
  const bytes = await repo.fetchBlob(layer.digest, MAX_METADATA_BYTES, layer.size);
  let value;
  try {
    value = import_yaml.default.parse(bytes.toString("utf8"));
  } catch (err) {
    throw new BentoError(`${what} is not YAML: ${err.message.split("\n")[0]}`);
  }
  return parseInfo(kind, value, what);
}
function checkFileLayers(kind, info, files, reference) {
  const expected = new Map(info.files.map((f) => [f.path, f]));
  const seen = /* @__PURE__ */ new Set();
  for (const { layer, path } of files) {
    const file = expected.get(path);
    if (!file || seen.has(path) || `sha256:${file.sha256}` !== layer.digest || file.size !== layer.size) {
      throw new IntegrityError(
        `${reference}: layer ${path} (${layer.digest}) is not in the ${kind.noun}'s file manifest`
      );
    }
    seen.add(path);
  }
}
async function readModelPack(kind, repo, manifest, reference) {
  const configBytes = await repo.fetchBlob(manifest.config.digest, MAX_MANIFEST_BYTES, manifest.config.size);
  const parsed = modelPackConfigSchema.safeParse(parseJson(configBytes, `${reference}: its model config`));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BentoError(
      `${reference}: its ModelPack config is invalid at ${issue?.path.join(".")}: ${issue?.message}`
    );
  }
  const config = parsed.data;
  const digests = manifest.layers.map((l) => l.digest);
  if (canonicalJson(config.modelfs.diffIds) !== canonicalJson(digests)) {
    throw new IntegrityError(
      `${reference}: the config's modelfs.diffIds do not name the manifest's layers in order; refusing it`
    );
  }
  let infoLayer;
  const files = [];
  for (const layer of manifest.layers) {
    const type = modelPackType(layer.mediaType);
    if (!MODELPACK_RAW_TYPES.includes(type)) {
      throw new BentoError(
        `${reference}: layer ${layer.digest} is ${layer.mediaType}; bentoci reads raw ModelPack layers (.raw), as it pushes them`
      );
    }
    const path = safeEntryPath(modelPackLayerPath(layer) ?? "", `${reference} layer ${layer.digest}`);
    if (path !== kind.infoFile) files.push({ layer, path });
    else if (infoLayer) throw new IntegrityError(`${reference}: more than one layer is ${kind.infoFile}`);
    else infoLayer = layer;
  }
  if (!infoLayer) {
    throw new UsageError(
      say`${reference} is a ModelPack model without a ${kind.infoFile} layer (not pushed by bentoci): pull it with a ModelPack tool (modctl, oras) and save it with ${operation("save-model")}`
    );
  }
  const info = await fetchInfoLayer(kind, repo, infoLayer, reference);
  checkInfoDigest(kind, info, reference, `${kind.infoFile}`);
  const { name, version } = config.descriptor;
  if (name !== void 0 && name !== info.name || version !== void 0 && version !== info.version) {
    throw new IntegrityError(
      `${reference}: the ModelPack config names ${name}:${version}, its ${kind.infoFile} ${info.name}:${info.version}; refusing it`
    );
  }
  return { info, files, tars: [] };
}
async function readBentoci(kind, repo, manifest, reference) {
  const configBytes = await repo.fetchBlob(manifest.config.digest, MAX_METADATA_BYTES, manifest.config.size);
  const config = parseInfo(
    kind,
    parseJson(configBytes, `${reference}: its ${kind.noun} config`),
    `${reference}: its ${kind.noun} config`
  );
  checkInfoDigest(kind, config, reference, `${kind.noun} config`);
  let info = config;
  const files = [];
  const tars = [];
  for (const layer of manifest.layers) {
    const what = `${reference} layer ${layer.digest}`;
    if (layer.mediaType === BENTOCI_FILE_LAYER) {
      files.push({ layer, path: safeEntryPath(layer.annotations?.[ANNOTATION_TITLE] ?? "", what) });
    } else if (layer.mediaType === BENTOCI_FILES_TAR) {
      tars.push(layer);
    } else if (layer.mediaType === BENTOCI_INFO_LAYER) {
      if (info !== config || layer.annotations?.[ANNOTATION_TITLE] !== kind.infoFile)
        throw new BentoError(`${what} must be the one ${kind.infoFile} layer, titled so`);
      info = await fetchInfoLayer(kind, repo, layer, reference);
      if (canonicalJson(info) !== canonicalJson(config)) {
        throw new IntegrityError(
          `${reference}: its ${kind.infoFile} layer differs from its ${kind.noun} config; refusing it`
        );
      }
    } else {
      throw new BentoError(
        `${reference}: layer ${layer.digest} has the unknown media type ${layer.mediaType}`
      );
    }
  }
  return { info, files, tars };
}
async function readArtifact(kind, repo, manifest, reference) {
  checkKind(kind, manifest, reference);
  const read = isModelPackConfig(manifest.config.mediaType) ? await readModelPack(kind, repo, manifest, reference) : await readBentoci(kind, repo, manifest, reference);
  const recorded = manifest.annotations?.[ANNOTATION_CONTENT_DIGEST];
  if (recorded !== void 0 && recorded !== read.info.digest) {
    throw new IntegrityError(
      `${reference}: the manifest records the content digest ${recorded}, its ${kind.infoFile} ${read.info.digest}; refusing it`
    );
  }
  checkFileLayers(kind, read.info, read.files, reference);
  return read;
}

// src/registry/partial.ts
import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join as join2 } from "node:path";

// src/registry/transfer.ts
import { join } from "node:path";
var DEFAULT_PARALLEL = 4;
function ociDir(home) {
  return join(home, ".oci");
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

// src/registry/partial.ts
function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}
async function partialSlot(home, digest) {
  if (!isSha256Digest(digest))
    throw new BentoError(`blob digest "${digest.slice(0, 80)}" is not sha256:<64 hex>: cannot download it`);
  const dir = join2(ociDir(home), "partial");
  await mkdir(dir, { recursive: true });
  const hex = digestHex(digest);
  const lock = join2(dir, `${hex}.lock`);
  const shared = { path: join2(dir, `${hex}.part`), release: () => rm(lock, { force: true }) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return shared;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      const owner = Number((await readFile(lock, "utf8").catch(() => "")).trim());
      if (owner && isAlive(owner)) break;
      await rm(lock, { force: true });
    }
  }
  const own = join2(dir, `${hex}.${process.pid}.${Math.random().toString(36).slice(2)}.part`);
  return { path: own, release: () => rm(own, { force: true }) };
}

// src/registry/artifact-pull.ts
function targetOf(source, tag, noun2) {
  const target = source.digest ?? source.tag ?? tag?.version;
  if (!target) {
    throw new UsageError(
      say`name the ${noun2} to pull: pass name:version, or a tag in ${option("from")} (oci://host/repo:tag)`
    );
  }
  return target;
}
function sameFiles(a, b) {
  if (a.length !== b.length) return false;
  const byPath2 = new Map(b.map((f) => [f.path, f]));
  return a.every((f) => {
    const other = byPath2.get(f.path);
    return other !== void 0 && other.sha256 === f.sha256 && other.size === f.size;
  });
}
async function pullEntry(kind, store, tagText, source, options) {
  const wanted = tagText ? parseTag(tagText, noun(`${kind.noun} tag`)) : void 0;
  const target = targetOf(source, wanted, kind.noun);
  const controller = linkedController(options.signal);
  const repo = await openRepository(source, { ...options, push: false, signal: controller.signal });
  const isDigestRef = isSha256Digest(target);
  const reference = formatReference({
    registry: source.registry,
    repository: source.repository,
    ...isDigestRef ? { digest: target } : { tag: target }
  });
  const log = options.log ?? (() => void 0);
  try {
    const fetched = await repo.getManifest(target);
    const manifest = parseImageManifest(fetched, reference);
    const read = await readArtifact(kind, repo, manifest, reference);
    const info = read.info;
    const tag = { name: info.name, version: info.version };
    if (wanted && wanted.name !== info.name) {
      throw new UsageError(`${reference} holds ${kind.noun} ${formatTag(tag)}, not "${wanted.name}"`);
    }
    const result = (unchanged, bytes2) => ({
      kind: kind.noun,
      tag: formatTag(tag),
      reference,
      digest: fetched.digest,
      contentDigest: info.digest,
      unchanged,
      bytes: bytes2
    });
    const present = await store.find(tag);
    if (present && !options.force) {
      if (present.info.digest === info.digest) {
        log(`${kind.noun} ${formatTag(tag)} is already in the store (${info.digest}): nothing to pull`);
        return result(true, 0);
      }
      throw new UsageError(
        say`${kind.noun} ${formatTag(tag)} is in the store with different content (${present.info.digest}, the registry has ${info.digest}); pass ${option("force")} to replace it`
      );
    }
    const bytes = await downloadInto(kind, store, repo, read, reference, options, controller);
    log(`pulled ${kind.noun} ${formatTag(tag)} from ${reference} (${fetched.digest})`);
    return result(false, bytes);
  } catch (err) {
    if (err instanceof BentoError || !(err instanceof Error)) throw err;
    throw new BentoError(`pulling ${kind.noun} from ${reference} failed: ${err.message}`, { cause: err });
  } finally {
    await repo.close();
  }
}
async function downloadInto(kind, store, repo, read, reference, options, controller) {
  const { info } = read;
  const tag = { name: info.name, version: info.version };
  const downloads = [...read.files, ...read.tars.map((layer) => ({ layer }))];
  const total = downloads.reduce((s, d) => s + d.layer.size, 0);
  const bar = progress(`pulling ${kind.noun} ${formatTag(tag)}`, total, options.log);
  const staged = await store.stage();
  try {
    await mapLimit(
      downloads,
      options.parallel ?? DEFAULT_PARALLEL,
      (download) => fetchLayer(repo, download, staged, store.isContent, reference, options, (n) => bar.add(n)),
      controller
    );
    bar.done();
  } catch (err) {
    await removeQuietly(staged);
    throw err;
  }
  const latest = await store.find(tag.name);
  await store.commit(
    staged,
    tag,
    (content) => {
      if (!sameFiles(content.files, info.files)) {
        throw new IntegrityError(
          `${reference}: the pulled files differ from the ${kind.noun}'s manifest; nothing was imported`
        );
      }
      return { ...info, ...content };
    },
    {
      force: options.force ?? false,
      moveLatest: !latest || latest.info.creation_time <= info.creation_time,
      // The store takes the digest again over what it writes, and checks the paths the metadata names.
      expectDigest: info.digest,
      source: reference
    }
  );
  return total;
}
async function fetchLayer(repo, { layer, path }, staged, isContent, reference, options, onBytes) {
  const slot = await partialSlot(options.home, layer.digest);
  try {
    if (path !== void 0) {
      const dest = join3(staged, path);
      await mkdir2(dirname(dest), { recursive: true });
      await repo.downloadBlob(layer.digest, layer.size, dest, { partPath: slot.path, onBytes });
      return;
    }
    const tarPath = `${slot.path}.tar`;
    await repo.downloadBlob(layer.digest, layer.size, tarPath, { partPath: slot.path, onBytes });
    try {
      await extractFiles(tarPath, staged, isContent, `${reference} layer ${layer.digest}`);
    } finally {
      await rm2(tarPath, { force: true });
    }
  } finally {
    await slot.release();
  }
}
async function extractFiles(tarPath, dir, isContent, what) {
  const extract4 = tar.extract();
  const done = (async () => {
    for await (const entry of extract4) {
      const name = entry.header.name.replace(/\/+$/, "");
      if (entry.header.type === "directory") {
        entry.resume();
        continue;
      }
      if (entry.header.type !== "file")
        throw new BentoError(`${what} holds ${entry.header.type} "${name}": only regular files are allowed`);
      const path = safeEntryPath(name, what);
      if (!isContent(path)) throw new BentoError(`${what} holds "${path}", which is not a content file`);
      const dest = join3(dir, path);
      await mkdir2(dirname(dest), { recursive: true });
      await pipeline(entry, createWriteStream(dest, { flags: "wx" }));
    }
  })();
  await Promise.all([pipeline(createReadStream(tarPath), extract4), done]);
}

// src/operations/option-checks.ts
var OptionChecks = class {
  errors = [];
  /** `derive()`'s value; when it throws a usage error, that error as option `key`'s (and undefined). */
  value(key, derive) {
    try {
      return derive();
    } catch (err) {
      return this.record(key, err);
    }
  }
  /** The same for an asynchronous parse (a key file to read, a token to resolve). */
  async valueOf(key, derive) {
    try {
      return await derive();
    } catch (err) {
      return this.record(key, err);
    }
  }
  /** A usage error as option `key`'s; anything else is not a bad option and goes on up. */
  record(key, err) {
    if (!(err instanceof UsageError)) throw err;
    this.errors.push(err instanceof OptionError ? err : new OptionError(key, textOf(err)));
    return void 0;
  }
  /** Records a bad option `key`. */
  fail(key, text) {
    this.errors.push(new OptionError(key, text));
  }
  /** Throws what was found: one OptionError, or OptionErrors for several. */
  done() {
    if (this.errors.length === 1) throw this.errors[0];
    if (this.errors.length > 1) throw new OptionErrors(this.errors);
  }
};

// src/operations/transfer.ts
var connectionShape = {
  username: external_exports.string().min(1).optional(),
  password: external_exports.string().optional(),
  insecure: external_exports.boolean().default(false),
  caFile: external_exports.string().min(1).optional(),
  parallel: external_exports.number().int().min(1).max(64, "at most 64").optional(),
  /** Seconds per request. */
  timeout: external_exports.number().int().min(1).optional()
};
function transferOptions(options, context) {
  if (options.password) context.mask?.(options.password);
  return {
    home: context.home,
    ...context.log ? { log: context.log } : {},
    ...context.mask ? { mask: context.mask } : {},
    ...options.insecure ? { insecure: true } : {},
    ...options.caFile ? { caFile: options.caFile } : {},
    ...options.username ? { username: options.username } : {},
    ...options.password !== void 0 ? { password: options.password } : {},
    ...options.parallel ? { parallel: options.parallel } : {},
    ...options.timeout ? { timeoutMs: options.timeout * 1e3 } : {}
  };
}
function isReference(value) {
  return typeof value === "object" && value !== null && typeof value.registry === "string" && typeof value.repository === "string";
}
var referenceOption = external_exports.union([
  external_exports.string().min(1, "is required"),
  external_exports.custom(isReference, "expected oci://host[:port]/repository[:tag]")
]);
function referenceOf(checks, key, value) {
  return typeof value === "string" ? checks.value(key, () => parseOciUrl(value, key)) : value;
}

// src/operations/pull.ts
function entryTarget(store, entry) {
  return {
    type: "entry",
    store,
    entry
  };
}
async function runGate(gate, store, entry, log) {
  const outcome = await gate.check(
    async () => entryTarget(store, await entry()),
    log ? (message) => log(`warning: ${message}`) : void 0
  );
  if (outcome.status === "verified") log?.(`signature verified (${outcome.by})`);
  return outcome;
}
var pullOptionsSchema = external_exports.object({
  /** `oci://host/repo[:tag|@digest]`; without a tag or digest, the version of the tag pulled. */
  from: referenceOption,
  /** Replace a stored version whose content differs. */
  force: external_exports.boolean().default(false),
  /** The gate the pulled entry passes before the pull counts as done. */
  ...verifyGateShape,
  ...connectionShape
}).superRefine(checkVerifyGate);
async function pull(subject, values, context) {
  const options = parseOptions(pullOptionsSchema, values);
  const checks = new OptionChecks();
  const from = referenceOf(checks, "from", options.from);
  checks.done();
  const source = from;
  const gate = await openVerifyGate(options, context.keys);
  const store = subject.store;
  const kind = subject.kind === "bento" ? bentoArtifact : modelArtifact;
  const transfer = transferOptions(options, context);
  const log = context.log ?? (() => void 0);
  return withResources(async (resources) => {
    const result = await pullEntry(kind, store, subject.tag, source, { ...transfer, force: options.force });
    const entry = await store.get(result.tag);
    let verification = { status: "skipped" };
    let signatures = 0;
    try {
      const registry = resources.use(
        await openSignatureRegistry(
          source,
          { insecure: options.insecure, ...options.caFile ? { caFile: options.caFile } : {} },
          transfer
        )
      );
      signatures = await pullEntrySignatures(registry, source.repository, result.digest, entry.dir);
      if (signatures > 0) log(`pulled ${signatures} signature(s) into ${entry.dir}`);
      verification = await runGate(gate, store, async () => entry, log);
    } catch (err) {
      if (!result.unchanged) await store.delete(result.tag);
      throw err;
    }
    return { ...result, signatures, dir: entry.dir, verification };
  });
}

// src/attest/base-images.ts
async function inspect(docker, name) {
  try {
    const info = await docker.getImage(name).inspect();
    return { id: info.Id, repoDigests: info.RepoDigests ?? [], layers: info.RootFS?.Layers ?? [] };
  } catch {
    return void 0;
  }
}
function fromImages(dockerfile) {
  const found = [];
  let index = 0;
  for (const line of dockerfile.split("\n")) {
    const from = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!from) continue;
    const image = externalImageOf(line.trim(), { dockerfile, buildArgs: {} });
    if (image) found.push({ image, stage: from[2] ?? String(index) });
    index++;
  }
  return found;
}
function digestFor(name, repoDigests) {
  const at = name.indexOf("@");
  if (at >= 0) return name.slice(at + 1);
  const colon = name.lastIndexOf(":");
  const repo = colon > name.lastIndexOf("/") ? name.slice(0, colon) : name;
  const candidates = [repo, `docker.io/${repo}`, `docker.io/library/${repo}`];
  const match = repoDigests.find((d) => candidates.includes(d.slice(0, d.indexOf("@"))));
  return match?.slice(match.indexOf("@") + 1);
}
async function resolveBaseImages(docker, image, dockerfile) {
  const built = await inspect(docker, image);
  const froms = fromImages(dockerfile);
  const bases = [];
  for (const [i, { image: name, stage }] of froms.entries()) {
    const base = await inspect(docker, name);
    const digest = base ? digestFor(name, base.repoDigests) : void 0;
    const isFinal = i === froms.length - 1;
    const sitsOn = !isFinal || base !== void 0 && built !== void 0 && base.layers.length <= built.layers.length && base.layers.every((layer, n) => built.layers[n] === layer);
    bases.push({
      name,
      stage,
      ...digest && sitsOn ? { digest } : {},
      ...base && sitsOn ? { id: base.id } : {}
    });
  }
  return bases;
}

// src/attest/image-contents.ts
var tar2 = __toESM(require_tar_stream(), 1);
var import_yaml2 = __toESM(require_dist(), 1);
import { createHash } from "node:crypto";

// src/attest/dpkg.ts
function parseDpkgStatus(text) {
  const packages = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    const fields = /* @__PURE__ */ new Map();
    for (const line of paragraph.split("\n")) {
      if (line.startsWith(" ") || line.startsWith("	")) continue;
      const colon = line.indexOf(":");
      if (colon > 0) fields.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const name = fields.get("package");
    const version = fields.get("version");
    const status = fields.get("status") ?? "";
    if (!name || !version || !/\binstalled$/.test(status)) continue;
    const source = fields.get("source")?.split(" ")[0];
    packages.push({
      name,
      version,
      architecture: fields.get("architecture") ?? "all",
      ...source && source !== name ? { source } : {}
    });
  }
  return packages.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
function parseOsRelease(text) {
  const fields = {};
  for (const line of text.split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match) continue;
    let value = match[2];
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["'\\$`])/g, "$1");
    fields[match[1]] = value;
  }
  return fields;
}

// src/attest/image-contents.ts
var MAX_SMALL_FILE = 1024 * 1024;
var MAX_DPKG_STATUS = 64 * 1024 * 1024;
var MAX_PACKAGES = 2e4;
async function readImageContents(docker, image) {
  let container;
  try {
    container = await docker.createContainer({
      Image: image,
      Entrypoint: ["/bentoci-never-run"],
      Cmd: [],
      NetworkDisabled: true,
      Labels: { "dev.bentoci.purpose": "sbom" }
    });
  } catch (err) {
    throw new BentoError(`cannot read the contents of image ${image}: ${err.message}`);
  }
  try {
    const bentoYaml = await readFileOf(container, `${IMAGE.bentoPath}/bento.yaml`, MAX_SMALL_FILE);
    const dockerfile = await readFileOf(container, `${IMAGE.bentoPath}/${STORED_DOCKERFILE}`, MAX_SMALL_FILE);
    const osRelease = await readFileOf(container, "/usr/lib/os-release", MAX_SMALL_FILE) ?? await readFileOf(container, "/etc/os-release", MAX_SMALL_FILE);
    const dpkgStatus = await readFileOf(container, "/var/lib/dpkg/status", MAX_DPKG_STATUS);
    const runtime = await readRuntimePackages(container);
    const bento = bentoYaml === void 0 ? void 0 : parseBento(bentoYaml, image);
    return {
      ...bento ? { bento } : {},
      ...dockerfile !== void 0 ? { dockerfile: dockerfile.toString("utf8") } : {},
      npmPackages: runtime.packages,
      ...runtime.onnxruntime ? { onnxruntime: runtime.onnxruntime } : {},
      ...osRelease !== void 0 ? { os: parseOsRelease(osRelease.toString("utf8")) } : {},
      ...dpkgStatus !== void 0 ? { dpkg: parseDpkgStatus(dpkgStatus.toString("utf8")) } : {}
    };
  } finally {
    await container.remove({ force: true, v: true }).catch(() => void 0);
  }
}
function parseBento(bytes, image) {
  let value;
  try {
    value = import_yaml2.default.parse(bytes.toString("utf8"));
  } catch {
    value = void 0;
  }
  const parsed = bentoInfoSchema.safeParse(value);
  if (!parsed.success)
    throw new BentoError(
      `image ${image}: ${IMAGE.bentoPath}/bento.yaml is not a bento.yaml bentoci can read`
    );
  return parsed.data;
}
async function archiveOf(container, path) {
  try {
    return await container.getArchive({ path });
  } catch (err) {
    if (err.statusCode === 404) return void 0;
    throw new BentoError(`cannot read ${path} from the image: ${err.message}`);
  }
}
async function readFileOf(container, path, max) {
  const stream = await archiveOf(container, path);
  if (!stream) return void 0;
  let found;
  await walkTar(stream, async (header, body) => {
    if (found !== void 0 || header.type !== "file") return drain(body);
    found = await readCapped(body, max, path);
  });
  return found;
}
var PACKAGE_JSON = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/;
var ORT_LIBRARY = /(?:^|\/)node_modules\/onnxruntime-node\/bin\/.*\/(libonnxruntime\.so[.\d]*)$/;
async function readRuntimePackages(container) {
  const stream = await archiveOf(container, `${IMAGE.runtimeDir}/node_modules`);
  if (!stream) return { packages: [] };
  const packages = [];
  let library;
  await walkTar(stream, async (header, body) => {
    const name = header.name.replace(/^\.\//, "");
    if (header.type === "file" && PACKAGE_JSON.test(name) && packages.length < MAX_PACKAGES) {
      const pkg = parsePackageJson(await readCapped(body, MAX_SMALL_FILE, name), name);
      if (pkg) packages.push(pkg);
      return;
    }
    const lib = ORT_LIBRARY.exec(name);
    if (header.type === "file" && lib && !library) {
      const hash = createHash("sha256");
      for await (const chunk of body) hash.update(chunk);
      library = { file: `${IMAGE.runtimeDir}/${name}`, sha256: hash.digest("hex") };
      return;
    }
    await drain(body);
  });
  const ortPackage = packages.find(
    (p) => p.name === "onnxruntime-node" && p.path === "node_modules/onnxruntime-node"
  );
  return {
    packages: packages.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
    ...library && ortPackage ? { onnxruntime: { version: ortPackage.version, ...library } } : {}
  };
}
function parsePackageJson(bytes, path) {
  let json;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    return void 0;
  }
  if (!json || typeof json !== "object") return void 0;
  const { name, version, license, licenses } = json;
  if (typeof name !== "string" || typeof version !== "string" || !name || !version) return void 0;
  const dir = path.slice(0, -"/package.json".length);
  const declared = licenseOf(license) ?? licensesOf(licenses);
  return { name, version, ...declared ? { license: declared } : {}, path: dir };
}
function licenseOf(value) {
  if (typeof value === "string" && value.trim()) return value.trim();
  if (value && typeof value === "object" && typeof value.type === "string")
    return value.type;
  return void 0;
}
function licensesOf(value) {
  if (!Array.isArray(value)) return void 0;
  const ids = value.map(licenseOf).filter((v) => v !== void 0);
  return ids.length === 0 ? void 0 : ids.length === 1 ? ids[0] : `(${ids.join(" OR ")})`;
}
async function walkTar(stream, onEntry) {
  const extract4 = tar2.extract();
  const done = (async () => {
    for await (const entry of extract4) await onEntry(entry.header, entry);
  })();
  stream.pipe(extract4);
  stream.on("error", (err) => extract4.destroy(err));
  await done;
}
async function readCapped(body, max, what) {
  const chunks = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max)
      throw new BentoError(`${what} in the image is larger than ${max} bytes; refusing to read it`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
async function drain(body) {
  for await (const _ of body) {
  }
}

// src/attest/provenance.ts
function bentoParameters(bento) {
  const { env: dockerEnv, ...docker } = bento.docker;
  return {
    name: bento.name,
    version: bento.version,
    service: {
      name: bento.service.name,
      ...bento.service.module ? { module: bento.service.module } : {},
      apis: bento.service.apis.map((api) => ({
        name: api.name,
        route: api.route,
        model: api.model,
        method: api.method,
        batching: api.batching
      }))
    },
    models: bento.models.map((m) => m.tag),
    docker: { ...docker, ...dockerEnv ? { env: Object.keys(dockerEnv).sort() } : {} },
    envs: bento.envs.map((e) => e.name),
    node: { packages: bento.node.packages },
    ...bento.resources ? { resources: bento.resources } : {},
    labels: bento.labels
  };
}
function modelDependencies(bento) {
  return bento.models.map((m) => ({
    name: m.tag,
    uri: `bentoci:model/${m.tag}`,
    digest: { sha256: m.digest.replace(/^sha256:/, "") },
    annotations: { module: m.module, path: m.path, size: m.size }
  }));
}
function baseImageDependency(base) {
  const at = base.name.indexOf("@");
  const named = at >= 0 ? base.name.slice(0, at) : base.name;
  const colon = named.lastIndexOf(":");
  const hasTag = colon > named.lastIndexOf("/");
  const name = hasTag ? named.slice(0, colon) : named;
  const version = hasTag ? named.slice(colon + 1) : "latest";
  const digest = base.digest ?? (at >= 0 ? base.name.slice(at + 1) : void 0);
  return {
    uri: `pkg:docker/${name}@${encodeURIComponent(version)}`,
    ...digest ? { digest: { sha256: digest.replace(/^sha256:/, "") } } : {},
    annotations: { stage: base.stage, from: base.name, ...base.id ? { imageId: base.id } : {} }
  };
}
function provenanceStatement(input) {
  const { bento, run, image } = input;
  const external = {
    bento: bentoParameters(bento),
    ...image ? { image: formatReference(image.reference) } : {},
    ...run.workflow ? { workflow: run.workflow } : {}
  };
  const dependencies = [
    ...run.source ? [run.source] : [],
    ...modelDependencies(bento),
    ...image ? image.baseImages.map(baseImageDependency) : []
  ];
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: input.subject.name, digest: { sha256: input.subject.digest.slice("sha256:".length) } }],
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: image ? IMAGE_BUILD_TYPE : BENTO_BUILD_TYPE,
        externalParameters: external,
        internalParameters: {
          bentoDigest: bento.digest,
          bentociVersion: bento.bentoci_version,
          ...image ? { dockerfile: image.dockerfile } : {}
        },
        resolvedDependencies: dependencies
      },
      runDetails: {
        builder: { id: run.builderId, version: run.builderVersion },
        metadata: {
          invocationId: run.invocationId,
          startedOn: input.startedOn.toISOString(),
          finishedOn: input.finishedOn.toISOString()
        }
      }
    }
  };
}

// src/attest/run-context.ts
import { randomUUID } from "node:crypto";
async function runContext(created, options = {}) {
  const env = options.env ?? process.env;
  const server = (env["GITHUB_SERVER_URL"] || "https://github.com").replace(/\/+$/, "");
  const workflowRef = env["GITHUB_ACTIONS"] === "true" ? env["GITHUB_WORKFLOW_REF"] : void 0;
  const repository = env["GITHUB_REPOSITORY"] ?? "";
  const { revision, source } = await provenanceOf(created, options);
  const sourceDependency = revision && source ? {
    uri: `git+${source}${env["GITHUB_REF"] ? `@${env["GITHUB_REF"]}` : ""}`,
    digest: { gitCommit: revision }
  } : void 0;
  const builderVersion = { bentoci: BENTOCI_VERSION, node: process.versions.node };
  if (workflowRef && repository) {
    const at = workflowRef.lastIndexOf("@");
    const path = (at > 0 ? workflowRef.slice(0, at) : workflowRef).slice(repository.length + 1);
    const runId = env["GITHUB_RUN_ID"] ?? "";
    return {
      builderId: `${server}/${workflowRef}`,
      builderVersion,
      invocationId: `${server}/${repository}/actions/runs/${runId}/attempts/${env["GITHUB_RUN_ATTEMPT"] ?? "1"}`,
      workflow: { repository: `${server}/${repository}`, ref: env["GITHUB_REF"] ?? "", path },
      ...sourceDependency ? { source: sourceDependency } : {}
    };
  }
  return {
    builderId: LOCAL_BUILDER_ID,
    builderVersion,
    invocationId: `urn:uuid:${randomUUID()}`,
    ...sourceDependency ? { source: sourceDependency } : {}
  };
}

// src/attest/sbom.ts
import { randomUUID as randomUUID2 } from "node:crypto";
async function load() {
  const [library, purl] = await Promise.all([
    import("./index.node.js").then(commonJs),
    import("./packageurl-js.js").then(commonJs)
  ]);
  return { ...library, PackageURL: purl.PackageURL };
}
function commonJs(module) {
  const fallback = module.default;
  return Object.keys(module).some((k) => k !== "default") || !fallback ? module : fallback;
}
async function buildSbom(input) {
  const cdx = await load();
  const { Enums, Models } = cdx;
  const { subject, bento, contents } = input;
  const bom = new Models.Bom({ serialNumber: `urn:uuid:${randomUUID2()}` });
  bom.metadata.timestamp = input.now;
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, "bentoci", { version: BENTOCI_VERSION })
  );
  bom.metadata.component = subjectComponent(cdx, subject, bento, contents !== void 0);
  for (const model of bento.models) bom.components.add(modelComponent(cdx, model));
  if (contents) {
    for (const pkg of contents.npmPackages) bom.components.add(npmComponent(cdx, pkg));
    if (contents.onnxruntime) bom.components.add(onnxRuntimeComponent(cdx, contents.onnxruntime));
    if (contents.os?.["ID"]) bom.components.add(osComponent(cdx, contents.os));
    for (const pkg of contents.dpkg ?? []) bom.components.add(debComponent(cdx, pkg, contents.os ?? {}));
  }
  return bom;
}
async function serializeSbom(bom) {
  const { Serialize, Spec } = await load();
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  return serializer.serialize(bom, { sortLists: true });
}
async function sbomStatement(input) {
  const bom = JSON.parse(await serializeSbom(await buildSbom(input)));
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: input.subject.name, digest: { sha256: input.subject.digest.slice("sha256:".length) } }],
    predicateType: CYCLONEDX_PREDICATE_TYPE,
    predicate: bom
  };
}
function subjectComponent({ Enums, Models, PackageURL }, subject, bento, image) {
  const slash = subject.name.lastIndexOf("/");
  return new Models.Component(
    image ? Enums.ComponentType.Container : Enums.ComponentType.Application,
    subject.name,
    {
      version: subject.digest,
      bomRef: "subject",
      description: `${image ? "image of " : ""}bento ${bento.name}:${bento.version}`,
      purl: new PackageURL("oci", void 0, subject.name.slice(slash + 1), subject.digest, {
        repository_url: subject.name
      }).toString()
    }
  );
}
function modelComponent({ Enums, Models }, model) {
  const [name, version] = model.tag.split(":");
  const hashes = new Models.HashDictionary([[Enums.HashAlgorithm["SHA-256"], model.digest.slice(7)]]);
  const component = new Models.Component(Enums.ComponentType.MachineLearningModel, name ?? model.tag, {
    ...version ? { version } : {},
    bomRef: `model:${model.tag}`,
    hashes,
    description: `bentoci model (${model.module}) at ${model.path}; the SHA-256 is its content digest`
  });
  component.properties.add(new Models.Property("bentoci:model:path", model.path));
  return component;
}
function npmComponent(cdx, pkg) {
  const { Enums, Models, PackageURL } = cdx;
  const scoped = pkg.name.startsWith("@") ? pkg.name.split("/") : void 0;
  const purl = scoped ? new PackageURL("npm", scoped[0], scoped.slice(1).join("/"), pkg.version) : new PackageURL("npm", void 0, pkg.name, pkg.version);
  const component = new Models.Component(Enums.ComponentType.Library, pkg.name, {
    version: pkg.version,
    bomRef: `npm:${pkg.path}`,
    purl: purl.toString(),
    licenses: licensesOf2(cdx, pkg.license)
  });
  component.properties.add(new Models.Property("cdx:npm:package:path", pkg.path));
  return component;
}
function onnxRuntimeComponent(cdx, ort) {
  const { Enums, Models, PackageURL } = cdx;
  return new Models.Component(Enums.ComponentType.Library, "onnxruntime", {
    group: "microsoft",
    version: ort.version,
    bomRef: "onnxruntime",
    purl: new PackageURL("github", "microsoft", "onnxruntime", `v${ort.version}`).toString(),
    hashes: new Models.HashDictionary([[Enums.HashAlgorithm["SHA-256"], ort.sha256]]),
    licenses: licensesOf2(cdx, "MIT"),
    description: `ONNX Runtime native library bundled by onnxruntime-node ${ort.version}: ${ort.file}`
  });
}
function osComponent({ Enums, Models }, os) {
  return new Models.Component(Enums.ComponentType.OperatingSystem, os["ID"], {
    ...os["VERSION_ID"] ? { version: os["VERSION_ID"] } : {},
    bomRef: "os",
    ...os["PRETTY_NAME"] ? { description: os["PRETTY_NAME"] } : {}
  });
}
function debComponent({ Enums, Models, PackageURL }, pkg, os) {
  const distro = os["ID"] ?? "debian";
  const qualifiers = { arch: pkg.architecture };
  if (os["VERSION_ID"]) qualifiers["distro"] = `${distro}-${os["VERSION_ID"]}`;
  const component = new Models.Component(Enums.ComponentType.Library, pkg.name, {
    version: pkg.version,
    bomRef: `deb:${pkg.name}:${pkg.architecture}`,
    purl: new PackageURL("deb", distro, pkg.name, pkg.version, qualifiers).toString()
  });
  if (pkg.source) component.properties.add(new Models.Property("bentoci:deb:source", pkg.source));
  return component;
}
function licensesOf2({ Models, SPDX }, declared) {
  const licenses = new Models.LicenseRepository();
  if (!declared) return licenses;
  const id = SPDX.fixupSpdxId(declared);
  if (id) licenses.add(new Models.SpdxLicense(id));
  else if (/\s(OR|AND|WITH)\s|^\(/.test(declared)) licenses.add(new Models.LicenseExpression(declared));
  else licenses.add(new Models.NamedLicense(declared));
  return licenses;
}

// src/attest/sign.ts
var import_bundle = __toESM(require_dist2(), 1);
var import_sign2 = __toESM(require_dist3(), 1);
async function signAttestation(payload, signer) {
  if (signer.type === "keyless") return signStatement(payload, signer.options);
  const key = signer.signer;
  const built = await new import_sign2.DSSEBundleBuilder({
    signer: {
      sign: async (data) => ({
        signature: await key.sign(data),
        key: { $case: "publicKey", publicKey: "", hint: key.keyid }
      })
    },
    witnesses: []
  }).create({ data: payload, type: IN_TOTO_PAYLOAD_TYPE });
  return sigstoreBundleJsonSchema.parse((0, import_bundle.bundleToJSON)(built));
}

// src/attest/statement.ts
function statementBytes(statement) {
  return Buffer.from(JSON.stringify(statement));
}

// src/attest/attest.ts
async function readAttestableImage(docker, image) {
  const contents = await readImageContents(docker, image);
  if (!contents.bento) throw notABentoImage(image);
  return contents;
}
function notABentoImage(image) {
  return new OptionError(
    "attest",
    say`image ${image} holds no bento.yaml (it was not containerized from a bento): ${option("attest")} describes images of bentos only`
  );
}
var subjectName = (ref) => `${ref.registry}/${ref.repository}`;
async function attestBento(registry, ref, digest, bento, options) {
  const subject = { name: subjectName(ref), digest };
  const run = await runContext(bento.creation_time, options.env ? { env: options.env } : {});
  const statements = await Promise.all(
    options.kinds.map(
      (kind) => kind === "provenance" ? provenanceStatement({ subject, bento, run, startedOn: options.startedOn, finishedOn: /* @__PURE__ */ new Date() }) : sbomStatement({ subject, bento, now: /* @__PURE__ */ new Date() })
    )
  );
  return attachStatements(registry, ref, digest, statements, options);
}
async function attestImage(registry, ref, digest, docker, image, options) {
  const contents = options.contents ?? await readAttestableImage(docker, image);
  const bento = contents.bento;
  if (!bento) throw notABentoImage(image);
  const subject = { name: subjectName(ref), digest };
  const run = await runContext(bento.creation_time, options.env ? { env: options.env } : {});
  const dockerfile = contents.dockerfile ?? renderDockerfile(bento);
  const statements = [];
  for (const kind of options.kinds) {
    if (kind === "sbom") {
      if (contents.dpkg === void 0)
        options.log?.(`image ${image} has no /var/lib/dpkg/status: its SBOM lists no OS packages`);
      statements.push(await sbomStatement({ subject, bento, contents, now: /* @__PURE__ */ new Date() }));
      continue;
    }
    const baseImages = await resolveBaseImages(docker, image, dockerfile);
    for (const base of baseImages.filter((b) => !b.digest))
      options.log?.(
        `base image ${base.name} (stage ${base.stage}): no registry digest for it in the engine; provenance names it without one`
      );
    statements.push(
      provenanceStatement({
        subject,
        bento,
        run,
        startedOn: options.startedOn,
        finishedOn: /* @__PURE__ */ new Date(),
        image: {
          reference: ref,
          baseImages,
          dockerfile: {
            source: contents.dockerfile !== void 0 ? "stored" : "rendered",
            sha256: sha256Digest(Buffer.from(dockerfile)).slice(7)
          }
        }
      })
    );
  }
  return attachStatements(registry, ref, digest, statements, options);
}
async function attachStatements(registry, ref, digest, statements, options) {
  const found = await registry.getManifest(ref.repository, digest);
  if (!found) throw new BentoError(`cannot attest: ${subjectName(ref)}@${digest} is not in the registry`);
  const subject = { mediaType: found.mediaType, digest: found.digest, size: found.bytes.length };
  const attestations = [];
  for (const statement of statements) {
    const bundle = await signAttestation(statementBytes(statement), options.signer);
    const attached = await attachEnvelopes(registry, ref.repository, subject, [
      {
        envelope: bundle,
        mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
        annotations: {
          [BUNDLE_CONTENT_ANNOTATION]: "dsse-envelope",
          [BUNDLE_PREDICATE_TYPE_ANNOTATION]: statement.predicateType,
          [ANNOTATION_CREATED]: (/* @__PURE__ */ new Date()).toISOString()
        }
      }
    ]);
    const kind = statement.predicateType === ATTESTATION_KINDS.provenance ? "provenance" : "sbom";
    attestations.push({
      kind,
      predicateType: statement.predicateType,
      manifest: attached.manifests[0],
      indexedBy: attached.indexedBy
    });
    options.log?.(`attached ${kind} attestation ${attached.manifests[0]} to ${subjectName(ref)}@${digest}`);
  }
  return attestations;
}

// src/registry/artifact-layout.ts
var import_yaml3 = __toESM(require_dist(), 1);
import { createHash as createHash2 } from "node:crypto";
import { readFile as readFile2 } from "node:fs/promises";
import { join as join4 } from "node:path";
var CHECKED_FILE_MAX_BYTES = 1024 * 1024;
async function contentSource(dir, file, what) {
  if (file.size >= CHECKED_FILE_MAX_BYTES) return fileSource(join4(dir, file.path), file);
  const data = await readFile2(join4(dir, file.path));
  if (data.length !== file.size || createHash2("sha256").update(data).digest("hex") !== file.sha256) {
    throw new IntegrityError(
      `${what} is damaged: ${file.path} differs from its manifest; delete it and save or pull it again`
    );
  }
  return bufferSource(data);
}
async function infoFileSource(kind, entry, what) {
  const bytes = await readFile2(join4(entry.dir, kind.infoFile));
  const parsed = kind.schema.safeParse(import_yaml3.default.parse(bytes.toString("utf8")));
  if (!parsed.success || canonicalJson(parsed.data) !== canonicalJson(entry.info))
    throw new IntegrityError(`${what}: ${kind.infoFile} changed while it was being pushed; push it again`);
  return bufferSource(bytes);
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
function byPath(a, b) {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
function planned(source, mediaType, annotations) {
  return { descriptor: { mediaType, digest: source.digest, size: source.size, annotations }, source };
}
async function modelLayers(entry, info, what) {
  const created = entry.info.creation_time;
  const layers = [
    planned(info, MODELPACK_WEIGHT_CONFIG, fileAnnotations("model.yaml", info.size, created, false))
  ];
  for (const file of [...entry.info.files].sort(byPath)) {
    const kind = fileKind(file.path, file.size, entry.info.entrypoint);
    const source = await contentSource(entry.dir, file, what);
    layers.push(
      planned(source, kind.mediaType, fileAnnotations(file.path, file.size, created, kind.untested))
    );
  }
  return layers;
}
async function bentoLayers(entry, info, what) {
  const layers = [planned(info, BENTOCI_INFO_LAYER, { [ANNOTATION_TITLE]: "bento.yaml" })];
  for (const file of [...entry.info.files].sort(byPath)) {
    const source = await contentSource(entry.dir, file, what);
    layers.push(planned(source, BENTOCI_FILE_LAYER, { [ANNOTATION_TITLE]: file.path }));
  }
  return layers;
}
async function planArtifact(kind, entry) {
  const what = `${kind.noun} ${formatTag(entry.tag)}`;
  const info = await infoFileSource(kind, entry, what);
  const layers = kind.layout === "modelpack" ? await modelLayers(entry, info, what) : await bentoLayers(entry, info, what);
  const configValue = kind.layout === "modelpack" ? modelPackConfig(
    entry.info,
    layers.map((l) => l.descriptor)
  ) : entry.info;
  const configBytes = Buffer.from(canonicalJson(configValue));
  const config = {
    descriptor: { mediaType: kind.configType, digest: sha256Digest(configBytes), size: configBytes.length },
    source: bufferSource(configBytes)
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: kind.artifactType,
    config: config.descriptor,
    layers: layers.map((l) => l.descriptor),
    annotations: annotationsOf(kind, entry.info)
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new UsageError(
      `${what} has ${entry.info.files.length} files, which make a manifest of ${bytes.length} bytes, over the ${MAX_MANIFEST_BYTES} that registries accept: put the small files in an archive (one file) and ${kind.noun === "model" ? "save" : "build"} it again`
    );
  }
  return { manifest, bytes, digest: sha256Digest(bytes), config, layers };
}

// src/registry/blob-locations.ts
import { readFile as readFile3 } from "node:fs/promises";
import { join as join5 } from "node:path";
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
    const path = join5(home, ".oci", "blob-locations.json");
    let data = {};
    try {
      data = locationsSchema.parse(JSON.parse(await readFile3(path, "utf8")));
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
    const current = await _BlobLocations.load(join5(this.path, "..", ".."));
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
        say`${formatReference({ ...repo.ref, tag, digest: void 0 })} already holds a different artifact (${at}): tags are not moved silently; pass ${option("force")} to replace it`
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
function refuseDigestTarget(target) {
  if (target.digest)
    throw new UsageError(
      say`invalid ${option("to")} "${formatReference(target)}": push to a tag, not a digest`
    );
}
var NO_BLOBS = { uploaded: 0, existing: 0, mounted: 0, bytes: 0 };
async function publishManifest(repo, manifest, options) {
  const tags = await planTags(
    repo,
    manifest.digest,
    [...manifest.fixed],
    [...manifest.moving],
    options.force ?? false
  );
  if (tags.unchanged) return { unchanged: true, tagsSet: [], blobs: { ...NO_BLOBS } };
  const locations = await BlobLocations.load(options.home);
  if (manifest.mountFrom)
    locations.add(repo.ref.registry, manifest.mountFrom.repository, manifest.mountFrom.digests);
  const stats = await pushBlobs(repo, manifest.blobs, {
    label: manifest.label,
    locations,
    controller: manifest.controller,
    ...options.log ? { log: options.log } : {},
    ...options.parallel !== void 0 ? { parallel: options.parallel } : {},
    ...options.monolithicMax !== void 0 ? { monolithicMax: options.monolithicMax } : {},
    ...options.chunkSize !== void 0 ? { chunkSize: options.chunkSize } : {}
  });
  await putTags(repo, manifest.bytes, manifest.mediaType ?? OCI_MANIFEST, tags.toSet);
  locations.add(
    repo.ref.registry,
    repo.name,
    manifest.blobs.map((b) => b.descriptor.digest)
  );
  await locations.save().catch(() => void 0);
  return { unchanged: false, tagsSet: tags.toSet, blobs: stats };
}

// src/registry/artifact-push.ts
async function pushEntry(kind, store, tagText, target, options) {
  refuseDigestTarget(target);
  const entry = await store.get(tagText);
  const tag = formatTag(entry.tag);
  const primary = target.tag ?? validateTag(entry.tag.version, noun(`${kind.noun} version`));
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
    const published = await publishManifest(
      repo,
      {
        bytes: plan.bytes,
        digest: plan.digest,
        blobs: [plan.config, ...plan.layers].map((b) => ({
          descriptor: b.descriptor,
          source: async () => b.source
        })),
        fixed,
        moving,
        label: `pushing ${kind.noun} ${tag}`,
        controller
      },
      options
    );
    if (published.unchanged)
      log(`${kind.noun} ${tag} is already at ${reference} (${plan.digest}): nothing to push`);
    else
      log(
        `pushed ${kind.noun} ${tag} to ${reference} (${plan.digest}): ${describeStats(published.blobs)}; tags ${published.tagsSet.join(", ")}`
      );
    return {
      kind: kind.noun,
      tag,
      reference,
      digest: plan.digest,
      tags: [.../* @__PURE__ */ new Set([...fixed, ...moving])],
      unchanged: published.unchanged,
      blobs: published.blobs
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
import { mkdir as mkdir4, mkdtemp } from "node:fs/promises";
import { join as join8 } from "node:path";

// src/registry/image-export.ts
var tar3 = __toESM(require_tar_stream(), 1);
import { createWriteStream as createWriteStream2 } from "node:fs";
import { mkdir as mkdir3, readFile as readFile4, realpath, symlink } from "node:fs/promises";
import { dirname as dirname2, join as join6, relative, resolve, sep } from "node:path";
import { pipeline as pipeline2 } from "node:stream/promises";
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
    diff_ids: external_exports.array(digestSchema)
  })
});
async function inspectImage(docker, image) {
  try {
    const inspected = await docker.getImage(image).inspect();
    return { id: inspected.Id, repoTags: inspected.RepoTags ?? [], labels: inspected.Config?.Labels ?? {} };
  } catch (err) {
    const status = err.statusCode;
    if (status === 404)
      throw new NotFoundError(
        say`image ${image} is not in the Docker engine: build it with ${operation("containerize")} (or docker build)`
      );
    throw new BentoError(`cannot inspect image ${image} in the Docker engine: ${err.message}`);
  }
}
async function exportImage(docker, id, dir) {
  await mkdir3(dir, { recursive: true });
  const stream = await docker.getImage(id).get();
  const extract4 = tar3.extract();
  const unpacked = (async () => {
    for await (const entry of extract4) {
      const name = entry.header.name.replace(/\/+$/, "");
      if (entry.header.type === "directory") {
        entry.resume();
        await mkdir3(join6(dir, safeEntryPath(name, "docker save")), { recursive: true });
        continue;
      }
      const path = join6(dir, safeEntryPath(name, "docker save"));
      await mkdir3(dirname2(path), { recursive: true });
      if (entry.header.type === "symlink" && entry.header.linkname) {
        const target = resolve(dirname2(path), entry.header.linkname);
        if (!target.startsWith(dir + sep))
          throw new BentoError(`docker save holds a link "${name}" that leaves the export`);
        entry.resume();
        await symlink(relative(dirname2(path), target), path);
        continue;
      }
      if (entry.header.type !== "file") {
        entry.resume();
        continue;
      }
      await pipeline2(entry, createWriteStream2(path));
    }
  })();
  await Promise.all([pipeline2(stream, extract4), unpacked]);
  const manifests = saveManifestSchema.parse(JSON.parse(await readFile4(join6(dir, "manifest.json"), "utf8")));
  const first = manifests[0];
  if (!first || manifests.length !== 1)
    throw new BentoError(`docker save of ${id} holds ${manifests.length} images, expected 1`);
  const configBytes = await readFile4(await inside(dir, first.Config));
  const configDigest = sha256Digest(configBytes);
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
  const real = await realpath(join6(dir, safeEntryPath(rel, "docker save manifest.json")));
  const root = await realpath(dir);
  if (!real.startsWith(root + sep))
    throw new BentoError(`docker save manifest.json names "${rel}", outside the export`);
  return real;
}

// src/registry/json-cache.ts
import { readFile as readFile5 } from "node:fs/promises";
import { join as join7 } from "node:path";
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
    const path = join7(ociDir(home), name);
    let data = {};
    try {
      data = schema.parse(JSON.parse(await readFile5(path, "utf8")));
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
      const current = this.schema.parse(JSON.parse(await readFile5(this.path, "utf8")));
      merged = { ...current, ...this.data };
    } catch {
    }
    await writeFileAtomic(this.path, JSON.stringify(merged));
  }
};

// src/registry/layer-compress.ts
import { createHash as createHash3 } from "node:crypto";
import { createReadStream as createReadStream2, createWriteStream as createWriteStream3 } from "node:fs";
import { open as open2, stat } from "node:fs/promises";
import { Transform } from "node:stream";
import { pipeline as pipeline3 } from "node:stream/promises";
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
  const handle = await open2(path, "r");
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
  for await (const chunk of createReadStream2(path, { highWaterMark: 1 << 20 })) hash.update(chunk);
  return digestOf(hash);
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
  await pipeline3(
    createReadStream2(path, { highWaterMark: 1 << 20 }),
    hashing(raw),
    createGzip({ level: 6 }),
    hashing(compressed, count),
    createWriteStream3(outPath)
  );
  const actualDiffId = digestOf(raw);
  if (actualDiffId !== diffId)
    throw new IntegrityError(`image layer ${path} has digest ${actualDiffId}, but its config says ${diffId}`);
  return {
    path: outPath,
    digest: digestOf(compressed),
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
function annotated(base, extra) {
  const manifest = imageManifestSchema.parse(JSON.parse(base.toString("utf8")));
  const annotations = { ...manifest.annotations, ...extra };
  const same = Object.keys(annotations).length === Object.keys(manifest.annotations ?? {}).length && Object.entries(extra).every(([k, v]) => manifest.annotations?.[k] === v);
  if (same) return { bytes: base, annotations };
  return { bytes: Buffer.from(JSON.stringify({ ...manifest, annotations })), annotations };
}
function ociLabels(labels) {
  return Object.fromEntries(
    Object.entries(labels).filter(
      ([key]) => OCI_PREDEFINED_KEYS.includes(key) && key !== ANNOTATION_REF_NAME
    )
  );
}
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
  refuseDigestTarget(target);
  const requested = [...target.tag ? [target.tag] : [], ...options.tags ?? []].map(
    (t) => validateTag(t, "tag")
  );
  const requestedAnnotations = checkKeyValues(options.annotations ?? {}, "annotation");
  const docker = options.docker ?? new import_dockerode.default();
  const { id, labels } = await inspectImage(docker, image);
  let localTag;
  try {
    localTag = parseImageReference(image).tag;
  } catch {
    localTag = void 0;
  }
  const named = requested.length > 0 ? requested : localTag ? [localTag] : [];
  const primary = named[0];
  if (!primary)
    throw new OptionError(
      "to",
      say`name the tag to push ${image} as: ${option("to", "oci://host/repo:tag")}`
    );
  const release = options.release ? releaseTags(options.release, options.releaseTags) : void 0;
  const fixed = [.../* @__PURE__ */ new Set([...named, ...release ? [release.exact] : []])];
  const moving = release?.moving ?? [];
  const allTags = [.../* @__PURE__ */ new Set([...fixed, ...moving])];
  const reference = formatReference({ ...target, tag: primary });
  const references = allTags.map((tag) => formatReference({ ...target, digest: void 0, tag }));
  const annotations = { ...ociLabels(labels), ...requestedAnnotations };
  const log = options.log ?? (() => void 0);
  const controller = linkedController(options.signal);
  const repo = await openRepository(target, { ...options, push: true, signal: controller.signal });
  const images = await JsonCache.load(options.home, "images.json", imageCacheSchema, 1e3);
  try {
    const known = images.get(id);
    if (known) {
      const final = annotated(Buffer.from(known.manifest), annotations);
      const bytes = final.bytes;
      const digest = sha256Digest(bytes);
      const tagPlan = await planTags(repo, digest, fixed, moving, options.force ?? false);
      const result = {
        image,
        id,
        reference,
        digest,
        mediaType: OCI_MANIFEST,
        size: bytes.length,
        annotations: final.annotations,
        tags: allTags,
        references,
        exported: false
      };
      if (tagPlan.unchanged) {
        log(`image ${image} is already at ${reference} (${digest}): nothing to push`);
        return { ...result, unchanged: true, blobs: { ...NO_BLOBS } };
      }
      const manifest = imageManifestSchema.parse(JSON.parse(known.manifest));
      const blobs = [manifest.config, ...manifest.layers];
      const present = await mapLimit(blobs, 8, (b) => repo.hasBlob(b.digest));
      if (present.every(Boolean)) {
        await putTags(repo, bytes, OCI_MANIFEST, tagPlan.toSet);
        log(
          `pushed image ${image} to ${reference} (${digest}): all blobs already there; tags ${tagPlan.toSet.join(", ")}`
        );
        return { ...result, unchanged: false, blobs: { ...NO_BLOBS, existing: blobs.length } };
      }
    }
    return await exportAndPush(
      docker,
      repo,
      image,
      id,
      { fixed, moving, allTags, references, annotations, reference, controller, images },
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
  await mkdir4(ociDir(options.home), { recursive: true });
  const work = await mkdtemp(join8(ociDir(options.home), "export-"));
  try {
    log(`exporting image ${image} (${id.slice(0, 19)}) from the Docker engine`);
    const exported = await exportImage(docker, id, join8(work, "image"));
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
        join8(work, `${digestHex(layer.diffId)}.gz`)
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
    const base = Buffer.from(JSON.stringify(manifest));
    const final = annotated(base, ctx.annotations);
    const bytes = final.bytes;
    const digest = sha256Digest(bytes);
    const blobs = [
      { descriptor: manifest.config, source: async () => bufferSource(exported.configBytes) },
      ...layers.map((l) => ({
        descriptor: l.descriptor,
        source: async () => {
          if (!l.path)
            throw new BentoError(
              `layer ${l.descriptor.digest} vanished from ${repo} while pushing: push again`
            );
          return fileSource(l.path, { sha256: digestHex(l.descriptor.digest), size: l.descriptor.size });
        }
      }))
    ];
    const published = await publishManifest(
      repo,
      {
        bytes,
        digest,
        blobs,
        fixed: ctx.fixed,
        moving: ctx.moving,
        label: `pushing image ${image}`,
        controller: ctx.controller
      },
      options
    );
    const stats = published.unchanged ? { ...NO_BLOBS, existing: blobs.length } : published.blobs;
    ctx.images.set(id, { manifest: base.toString("utf8") });
    await Promise.all([layerCache.save(), ctx.images.save()]).catch(() => void 0);
    if (published.unchanged)
      log(`image ${image} is already at ${ctx.reference} (${digest}): nothing to push`);
    else
      log(
        `pushed image ${image} to ${ctx.reference} (${digest}): ${describeStats(stats)}; tags ${published.tagsSet.join(", ")}`
      );
    return {
      image,
      id,
      reference: ctx.reference,
      digest,
      mediaType: OCI_MANIFEST,
      size: bytes.length,
      annotations: final.annotations,
      tags: ctx.allTags,
      references: ctx.references,
      unchanged: published.unchanged,
      exported: true,
      blobs: stats
    };
  } finally {
    await removeQuietly(work);
  }
}

// src/registry/model-image.ts
import { mkdir as mkdir5, mkdtemp as mkdtemp2, readFile as readFile6 } from "node:fs/promises";
import { join as join11 } from "node:path";

// src/registry/model-image-base.ts
import { createReadStream as createReadStream3 } from "node:fs";
import { join as join9 } from "node:path";
import { Readable } from "node:stream";
var ARCHITECTURES = ["amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "mips64le", "loong64"];
var DEFAULT_PLATFORM = "linux/amd64";
function formatPlatform(p) {
  return [p.os, p.architecture, ...p.variant ? [p.variant] : []].join("/");
}
function parsePlatform(text, name = "platform") {
  const [os, architecture, variant, ...rest] = text.split("/");
  const valid = os === "linux" && architecture !== void 0 && ARCHITECTURES.includes(architecture) && rest.length === 0 && (variant === void 0 || /^v[0-9]+$/.test(variant));
  if (!valid) {
    throw invalidValue(
      name,
      text,
      `expected linux/<arch>[/<variant>] with arch one of ${ARCHITECTURES.join(", ")} (e.g. linux/amd64, linux/arm64/v8)`
    );
  }
  return { os, architecture, ...variant ? { variant } : {} };
}
function platformMatches(have, want) {
  return have.os === want.os && have.architecture === want.architecture && (!want.variant || !have.variant || have.variant === want.variant);
}
var baseConfigSchema = external_exports.object({
  architecture: external_exports.string().min(1),
  os: external_exports.string().min(1),
  variant: external_exports.string().optional(),
  config: external_exports.record(external_exports.string(), external_exports.unknown()).nullish(),
  rootfs: external_exports.object({
    type: external_exports.literal("layers"),
    diff_ids: external_exports.array(digestSchema)
  }),
  history: external_exports.array(external_exports.record(external_exports.string(), external_exports.unknown())).optional()
}).passthrough();
var LAYER_TYPES = {
  [OCI_LAYER_TAR]: OCI_LAYER_TAR,
  [OCI_LAYER_GZIP]: OCI_LAYER_GZIP,
  "application/vnd.oci.image.layer.v1.tar+zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
  [DOCKER_LAYER_GZIP]: OCI_LAYER_GZIP
};
function invalidBase(name, why) {
  return invalidValue("base", name, why);
}
function notAnImage(name, why) {
  return invalidBase(
    name,
    say`${why}; pass a Linux container image with a shell, ln and sleep (e.g. busybox), or drop ${option("base")} for a files-only image`
  );
}
async function resolveBase(repo, ref, wanted, explicitPlatform) {
  const name = formatReference(ref);
  let fetched = await repo.getManifest(ref.digest ?? ref.tag ?? "latest");
  if (isIndexType(fetched.mediaType)) {
    const index = parseImageIndex(fetched, `the base ${name}`);
    const images = index.manifests.filter(
      (m) => m.platform && m.mediaType !== "application/vnd.oci.empty.v1+json"
    );
    const match = images.find((m) => m.platform && platformMatches(m.platform, wanted));
    if (!match) {
      const offered = [...new Set(images.map((m) => formatPlatform(m.platform)))].join(", ") || "none";
      throw invalidBase(
        name,
        say`it has no image for ${formatPlatform(wanted)} (it has ${offered}); pass ${option("platform")} with one of those, or a base built for ${formatPlatform(wanted)}`
      );
    }
    fetched = await repo.getManifest(match.digest, match.size);
  }
  if (fetched.mediaType !== OCI_MANIFEST && fetched.mediaType !== DOCKER_MANIFEST)
    throw notAnImage(name, `it is a ${fetched.mediaType}, not an image manifest`);
  const manifest = parseImageManifest(fetched, `the base ${name}`);
  const configType = manifest.config.mediaType;
  if (configType !== OCI_CONFIG && configType !== DOCKER_CONFIG)
    throw notAnImage(name, `its config is ${configType}, not an image config (an artifact, not an image)`);
  const layers = manifest.layers.map((layer) => {
    const type = LAYER_TYPES[layer.mediaType];
    if (!type)
      throw notAnImage(name, `its layer ${layer.digest} is ${layer.mediaType}, which runtimes do not unpack`);
    return { mediaType: type, digest: layer.digest, size: layer.size };
  });
  const configBytes = await repo.fetchBlob(manifest.config.digest, void 0, manifest.config.size);
  let config;
  try {
    config = baseConfigSchema.parse(JSON.parse(configBytes.toString("utf8")));
  } catch (err) {
    const detail = err instanceof external_exports.ZodError ? err.issues[0]?.path.join(".") : "not JSON";
    throw notAnImage(name, `its image config is not valid (${detail})`);
  }
  if (config.rootfs.diff_ids.length !== layers.length)
    throw notAnImage(
      name,
      `its config lists ${config.rootfs.diff_ids.length} diff_ids for ${layers.length} layers`
    );
  const platform = {
    os: config.os,
    architecture: config.architecture,
    ...config.variant ? { variant: config.variant } : {}
  };
  if (!platformMatches(platform, wanted)) {
    throw invalidBase(
      name,
      explicitPlatform ? say`it is built for ${formatPlatform(platform)}, not ${formatPlatform(wanted)}; pass a base for ${formatPlatform(wanted)} (or a multi-platform index), or ${option("platform", formatPlatform(platform))}` : say`it is built for ${formatPlatform(platform)}, not the default ${formatPlatform(wanted)}; pass ${option("platform", formatPlatform(platform))} to build for it, or a base for ${formatPlatform(wanted)}`
    );
  }
  return {
    reference: formatReference({
      registry: ref.registry,
      repository: ref.repository,
      digest: fetched.digest
    }),
    name,
    digest: fetched.digest,
    platform,
    config,
    layers,
    repo
  };
}
function baseLayerSource(base, layer, work) {
  const path = join9(work, digestHex(layer.digest));
  let downloaded;
  return {
    digest: layer.digest,
    size: layer.size,
    open: (start, end) => Readable.from(
      (async function* () {
        downloaded ??= base.repo.downloadBlob(layer.digest, layer.size, path).catch((err) => {
          downloaded = void 0;
          throw new BentoError(
            `reading layer ${layer.digest} of the base ${base.name} failed: ${err.message}`,
            { cause: err }
          );
        });
        await downloaded;
        yield* createReadStream3(path, { start, end, highWaterMark: 1 << 20 });
      })()
    )
  };
}

// src/registry/model-image-layers.ts
var tar4 = __toESM(require_tar_stream(), 1);
import { createHash as createHash4 } from "node:crypto";
import { createReadStream as createReadStream4 } from "node:fs";
import { join as join10 } from "node:path";
import { Readable as Readable2, Transform as Transform2 } from "node:stream";
var MODELS_DIR = "models";
var OWN_LAYER_MIN_BYTES = 1024 * 1024;
var SHARED_LAYER_TIME = /* @__PURE__ */ new Date(0);
function dirHeader(name, mtime) {
  return { name, type: "directory", mode: 493, mtime, uid: 0, gid: 0, uname: "", gname: "" };
}
function fileHeader(name, size, mtime) {
  return { name, type: "file", size, mode: 420, mtime, uid: 0, gid: 0, uname: "", gname: "" };
}
function directoriesOf(paths) {
  const dirs = /* @__PURE__ */ new Set([`${MODELS_DIR}/`]);
  for (const path of paths) {
    const parts = path.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(`${MODELS_DIR}/${parts.slice(0, i).join("/")}/`);
  }
  return [...dirs];
}
function damaged(what, path) {
  return new IntegrityError(
    `${what} is damaged: ${path} differs from its manifest; delete it and save or pull it again`
  );
}
function addEntry(pack2, header, data) {
  return new Promise((resolve2, reject) => {
    const done = (err) => err ? reject(err) : resolve2();
    if (data) pack2.entry(header, data, done);
    else pack2.entry(header, done);
  });
}
async function addFile(pack2, dir, file, mtime, what) {
  const input = createReadStream4(join10(dir, file.path), { highWaterMark: 1 << 20 });
  const onClose = () => input.destroy();
  pack2.once("close", onClose);
  const hash = createHash4("sha256");
  let seen = 0;
  const check = new Transform2({
    transform(chunk, _encoding, callback) {
      hash.update(chunk);
      seen += chunk.length;
      callback(null, chunk);
    }
  });
  try {
    await new Promise((resolve2, reject) => {
      const sink = pack2.entry(
        fileHeader(`${MODELS_DIR}/${file.path}`, file.size, mtime),
        (err) => err ? reject(err) : resolve2()
      );
      input.on("error", reject);
      input.pipe(check).pipe(sink);
    });
  } catch {
    throw damaged(what, file.path);
  } finally {
    pack2.off("close", onClose);
  }
  if (seen !== file.size || hash.digest("hex") !== file.sha256) throw damaged(what, file.path);
}
function layerTar(dir, files, extra, mtime, what) {
  const onDisk = new Map(files.map((f) => [`${MODELS_DIR}/${f.path}`, f]));
  const inMemory = new Map(
    [...extra].filter(([path]) => !onDisk.has(`${MODELS_DIR}/${path}`)).map(([path, data]) => [`${MODELS_DIR}/${path}`, data])
  );
  const names = [
    ...directoriesOf([...files.map((f) => f.path), ...extra.keys()]),
    ...onDisk.keys(),
    ...inMemory.keys()
    // A directory's name (with its slash) is a prefix of its contents' names: sorted, parents come first.
  ].sort();
  const pack2 = tar4.pack();
  (async () => {
    for (const name of names) {
      const file = onDisk.get(name);
      const data = inMemory.get(name);
      if (file) await addFile(pack2, dir, file, mtime, what);
      else if (data) await addEntry(pack2, fileHeader(name, data.length, mtime), data);
      else await addEntry(pack2, dirHeader(name, mtime));
    }
    pack2.finalize();
  })().catch((err) => pack2.destroy(err));
  return pack2;
}
function slice(make, start, end) {
  return Readable2.from(
    (async function* () {
      const stream = make();
      let at = 0;
      try {
        for await (const chunk of stream) {
          const buffer = chunk;
          const from = Math.max(start - at, 0);
          const to = Math.min(end + 1 - at, buffer.length);
          if (to > from) yield buffer.subarray(from, to);
          at += buffer.length;
          if (at > end) break;
        }
      } finally {
        stream.destroy();
      }
    })()
  );
}
async function measure(make, onBytes) {
  const hash = createHash4("sha256");
  let size = 0;
  for await (const chunk of make()) {
    hash.update(chunk);
    size += chunk.length;
    onBytes?.(chunk.length);
  }
  return { digest: digestOf(hash), size };
}
function streamedSource(make, digest, size) {
  return { digest, size, open: (start, end) => slice(make, start, end) };
}
async function smallFilesLayer(dir, files, extra, mtime, what) {
  const make = () => layerTar(dir, files, extra, mtime, what);
  const { digest, size } = await measure(make);
  const count = (/* @__PURE__ */ new Set([...files.map((f) => f.path), ...extra.keys()])).size;
  return {
    source: streamedSource(make, digest, size),
    comment: `${MODELS_DIR}/ (${count} small file${count === 1 ? "" : "s"})`
  };
}
var layerDigestsSchema = external_exports.record(
  external_exports.string(),
  external_exports.object({ digest: digestSchema, size: external_exports.number().int().min(0) })
);
function keyOf(file) {
  return `v1:${file.sha256}:${MODELS_DIR}/${file.path}`;
}
var LayerDigests = class _LayerDigests {
  constructor(cache) {
    this.cache = cache;
  }
  cache;
  static async load(home) {
    return new _LayerDigests(await JsonCache.load(home, "model-image-layers.json", layerDigestsSchema));
  }
  /** Large files whose layer digest is not remembered: they are read once before anything is sent. */
  unknown(files) {
    return files.filter((file) => !this.cache.get(keyOf(file)));
  }
  /** A layer holding `file` alone; its digest from the cache, or from one read of the file. */
  async layerOf(dir, file, what, onBytes) {
    const make = () => layerTar(dir, [file], /* @__PURE__ */ new Map(), SHARED_LAYER_TIME, what);
    const key = keyOf(file);
    let known = this.cache.get(key);
    if (!known) {
      known = await measure(make, onBytes);
      this.cache.set(key, known);
    }
    return { source: streamedSource(make, known.digest, known.size), comment: `${MODELS_DIR}/${file.path}` };
  }
  save() {
    return this.cache.save();
  }
};
function splitFiles(files) {
  const sorted = [...files].sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return {
    large: sorted.filter((f) => f.size >= OWN_LAYER_MIN_BYTES),
    small: sorted.filter((f) => f.size < OWN_LAYER_MIN_BYTES)
  };
}

// src/registry/model-image.ts
var ANNOTATION_BASE_NAME = "org.opencontainers.image.base.name";
var ANNOTATION_BASE_DIGEST = "org.opencontainers.image.base.digest";
var MODEL_IMAGE_KIND = "model-image";
var MODEL_INFO_FILE = "model.yaml";
function imageConfig(base, platform, created, labels, layers) {
  const baseConfig = base?.config;
  const runConfig = { ...baseConfig?.config ?? {} };
  runConfig["Labels"] = { ...runConfig["Labels"] ?? {}, ...labels };
  const ours = layers.map((l) => ({
    created,
    created_by: "bentoci model image",
    comment: l.comment
  }));
  const history = base && !baseConfig?.history ? void 0 : [...baseConfig?.history ?? [], ...ours];
  return {
    ...baseConfig ?? {},
    created,
    architecture: platform.architecture,
    os: platform.os,
    variant: platform.variant,
    config: runConfig,
    rootfs: {
      type: "layers",
      // Uncompressed layers: each one's digest is its diff_id.
      diff_ids: [...baseConfig?.rootfs.diff_ids ?? [], ...layers.map((l) => l.source.digest)]
    },
    history
  };
}
async function planImage(store, tagText, base, platform, options, work) {
  const entry = await store.get(tagText);
  const tag = formatTag(entry.tag);
  const what = `model ${tag}`;
  await store.assertMetadata(entry);
  const info = entry.info;
  const created = options.sourceDateEpoch?.toISOString() ?? info.creation_time;
  const { large, small } = splitFiles(info.files);
  const digests = await LayerDigests.load(options.home);
  const unknown = digests.unknown(large);
  const bar = progress(
    `reading ${plural(unknown.length, "large file")} of ${tag} for their layer digests`,
    unknown.reduce((sum, f) => sum + f.size, 0),
    options.log
  );
  const largeLayers = await mapLimit(
    large,
    2,
    (file) => digests.layerOf(entry.dir, file, what, (n) => bar.add(n))
  );
  if (unknown.length > 0) bar.done();
  const modelInfo = await readFile6(join11(entry.dir, MODEL_INFO_FILE));
  const smallLayer = await smallFilesLayer(
    entry.dir,
    small,
    /* @__PURE__ */ new Map([[MODEL_INFO_FILE, modelInfo]]),
    new Date(created),
    what
  );
  await digests.save().catch(() => void 0);
  const layers = [...largeLayers, smallLayer];
  const annotations = {
    [ANNOTATION_CREATED]: created,
    [ANNOTATION_TITLE]: info.name,
    [ANNOTATION_VERSION]: info.version,
    [ANNOTATION_KIND]: MODEL_IMAGE_KIND,
    [ANNOTATION_TAG]: tag,
    [ANNOTATION_CONTENT_DIGEST]: info.digest
  };
  for (const [key, value] of Object.entries(info.labels))
    annotations[`${ANNOTATION_LABEL_PREFIX}${key}`] = value;
  const configBytes = Buffer.from(
    canonicalJson(imageConfig(base, base?.platform ?? platform, created, { ...annotations }, layers))
  );
  if (base) {
    annotations[ANNOTATION_BASE_NAME] = base.name;
    annotations[ANNOTATION_BASE_DIGEST] = base.digest;
  }
  const configDescriptor = {
    mediaType: OCI_CONFIG,
    digest: sha256Digest(configBytes),
    size: configBytes.length
  };
  const ownLayers = layers.map((l) => ({
    descriptor: { mediaType: OCI_LAYER_TAR, digest: l.source.digest, size: l.source.size },
    source: async () => l.source
  }));
  const baseLayers = (base?.layers ?? []).map((layer) => ({
    descriptor: layer,
    source: async () => baseLayerSource(base, layer, work)
  }));
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: configDescriptor,
    layers: [...baseLayers, ...ownLayers].map((b) => b.descriptor),
    annotations
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return {
    tag,
    version: info.version,
    manifestBytes,
    digest: sha256Digest(manifestBytes),
    blobs: [
      { descriptor: configDescriptor, source: async () => bufferSource(configBytes) },
      ...baseLayers,
      ...ownLayers
    ],
    layers: manifest.layers.length
  };
}
async function openBase(repo, base, options) {
  if (base.registry === repo.ref.registry) return repo.sibling(base.repository, false);
  const { username: _u, password: _p, insecure: _i, caFile: _c, ...rest } = options;
  return openRepository(base, { ...rest, push: false });
}
async function pushModelImage(store, tagText, target, options) {
  refuseDigestTarget(target);
  const platform = options.platform ?? parsePlatform(DEFAULT_PLATFORM);
  const release = options.release ? releaseTags(options.release, options.releaseTags) : void 0;
  const controller = linkedController(options.signal);
  const repo = await openRepository(target, { ...options, push: true, signal: controller.signal });
  const log = options.log ?? (() => void 0);
  await mkdir5(ociDir(options.home), { recursive: true });
  const work = await mkdtemp2(join11(ociDir(options.home), "model-image-"));
  let baseRepo;
  let reference = formatReference(target);
  try {
    let base;
    if (options.base) {
      baseRepo = await openBase(repo, options.base, { ...options, signal: controller.signal });
      base = await resolveBase(baseRepo, options.base, platform, options.platform !== void 0).catch(
        (err) => {
          if (err instanceof UsageError || !(err instanceof Error)) throw err;
          throw invalidBase(
            formatReference(options.base),
            say`${err}; pass an image the registry holds (e.g. busybox), or drop ${option("base")}`
          );
        }
      );
    }
    const plan = await planImage(store, tagText, base, platform, options, work);
    const primary = target.tag ?? validateTag(plan.version, noun("model version"));
    const fixed = [primary, ...release ? [release.exact] : []];
    const allTags = [.../* @__PURE__ */ new Set([...fixed, ...release?.moving ?? []])];
    reference = formatReference({ ...target, tag: primary });
    const result = {
      kind: "model",
      tag: plan.tag,
      reference,
      digest: plan.digest,
      tags: allTags,
      platform: formatPlatform(base?.platform ?? platform),
      ...base ? { base: base.reference } : {},
      layers: plan.layers
    };
    const published = await publishManifest(
      repo,
      {
        bytes: plan.manifestBytes,
        digest: plan.digest,
        blobs: plan.blobs,
        fixed,
        moving: release?.moving ?? [],
        label: `pushing the model image of ${plan.tag}`,
        controller,
        // The base's layers are where the base is: a hint for a cross-repository mount instead of a copy.
        ...base && baseRepo && options.base?.registry === repo.ref.registry ? { mountFrom: { repository: baseRepo.name, digests: base.layers.map((l) => l.digest) } } : {}
      },
      options
    );
    if (published.unchanged)
      log(`model image of ${plan.tag} is already at ${reference} (${plan.digest}): nothing to push`);
    else
      log(
        `pushed the model image of ${plan.tag} (${result.platform}${base ? ` on ${base.name}` : ", files only"}) to ${reference} (${plan.digest}): ${describeStats(published.blobs)}; tags ${published.tagsSet.join(", ")}`
      );
    return { ...result, unchanged: published.unchanged, blobs: published.blobs };
  } catch (err) {
    if (err instanceof BentoError || !(err instanceof Error)) throw err;
    throw new BentoError(`pushing the model image of ${tagText} to ${reference} failed: ${err.message}`, {
      cause: err
    });
  } finally {
    if (baseRepo && baseRepo.session !== repo.session) await baseRepo.close();
    await repo.close();
    await removeQuietly(work);
  }
}

// src/operations/push-options.ts
var pushOptionsSchema = external_exports.object({
  /** Where the artifact goes (or the image, when only an image is pushed). */
  to: referenceOption,
  /** Where the image goes when an entry is pushed with it. */
  imageRegistry: referenceOption.optional(),
  /** Move a tag that holds something else. */
  force: external_exports.boolean().default(false),
  /** A semantic version: also tag it, and point its moving tags (`releaseTags`) at it. */
  release: external_exports.string().min(1).optional(),
  releaseTags: external_exports.union([external_exports.string(), external_exports.array(external_exports.enum(RELEASE_TAG_KINDS))]).optional(),
  /** More tags of the image (blobs go up once), and its manifest annotations. */
  tag: external_exports.array(external_exports.string().min(1)).default([]),
  annotation: external_exports.record(external_exports.string(), external_exports.string()).default({}),
  /** A model as a runnable image (its files under /models), on `base`, for `platform`. */
  asImage: external_exports.boolean().default(false),
  base: external_exports.string().min(1).optional(),
  platform: external_exports.string().min(1).optional(),
  /** Sign the entry before the push and every pushed manifest after it (the actions' sign-key). */
  sign: external_exports.boolean().default(false),
  ...signingShape,
  ...attestShape,
  /** The gate the entry passes before it is pushed. */
  ...verifyGateShape,
  ...connectionShape
}).superRefine((values, ctx) => {
  checkAttestSigning(values, ctx);
  checkVerifyGate(values, ctx);
});
function imageOf(subject) {
  return subject.kind === "model" ? void 0 : subject.image;
}
function planPush(subject, options, env) {
  const checks = new OptionChecks();
  const to = referenceOf(checks, "to", options.to);
  if (to?.digest)
    checks.fail("to", say`invalid ${option("to")} "${formatReference(to)}": push to a tag, not a digest`);
  const image = imageOf(subject);
  let imageTo;
  if (subject.kind === "bento" && image) {
    if (options.imageRegistry === void 0)
      checks.fail("imageRegistry", say`${option("imageRegistry")} is required to push the image ${image}`);
    else imageTo = referenceOf(checks, "imageRegistry", options.imageRegistry);
  }
  if (!image) {
    for (const key of ["tag", "annotation"])
      if (Object.keys(options[key]).length > 0)
        checks.fail(key, say`${option(key)} applies to a pushed image, and no image is pushed`);
  }
  const kinds = typeof options.releaseTags === "string" ? checks.value("releaseTags", () => parseReleaseTagKinds(options.releaseTags)) : options.releaseTags;
  const release = options.release;
  if (release !== void 0) checks.value("release", () => releaseTags(release, kinds));
  let modelImage;
  if (options.asImage) {
    if (subject.kind !== "model") checks.fail("asImage", say`${option("asImage")} pushes models only`);
    const { base, platform } = options;
    const baseRef = base && base !== "none" ? checks.value("base", () => parseOciUrl(base, "base")) : void 0;
    const parsedPlatform = platform ? checks.value("platform", () => parsePlatform(platform, "platform")) : void 0;
    const epoch = parseSourceDateEpoch(env["SOURCE_DATE_EPOCH"]);
    modelImage = {
      ...baseRef ? { base: baseRef } : {},
      ...parsedPlatform ? { platform: parsedPlatform } : {},
      ...epoch ? { sourceDateEpoch: epoch } : {}
    };
  } else {
    for (const key of ["base", "platform"])
      if (options[key] !== void 0)
        checks.fail(
          key,
          say`${option(key)} shapes the model image: add ${option("asImage")}, or drop it to push the artifact`
        );
  }
  if (options.attest.length > 0 && subject.kind === "model")
    checks.fail("attest", say`${option("attest")} describes bentos and their images, not models`);
  if (options.attest.length === 0 && !options.sign && (options.key !== void 0 || options.keyless))
    checks.fail(
      options.key !== void 0 ? "key" : "keyless",
      say`${option("key")} and ${option("keyless")} sign the attestations of a push: add ${option("attest", "provenance,sbom")}`
    );
  checks.done();
  return {
    options,
    to,
    imageTo,
    release: {
      ...release !== void 0 ? { release } : {},
      ...kinds ? { releaseTags: kinds } : {}
    },
    ...modelImage ? { modelImage } : {}
  };
}

// src/operations/push.ts
var runStep = (_title, work) => work();
async function push(subject, values, context) {
  const startedOn = /* @__PURE__ */ new Date();
  const options = parseOptions(pushOptionsSchema, values);
  const planned2 = planPush(subject, options, context.env ?? process.env);
  const gate = await openVerifyGate(options, context.keys);
  const signing = context.signing ?? await signingOf(options, context.keys);
  const plan = { ...planned2, signing };
  return withResources(async (resources) => {
    if (subject.kind !== "image") {
      const store = subject.store;
      await runGate(gate, store, () => store.get(subject.tag), context.log);
    }
    return new PushRun(subject, plan, context, resources, startedOn).run();
  });
}
var PushRun = class {
  constructor(subject, plan, context, resources, startedOn) {
    this.subject = subject;
    this.plan = plan;
    this.context = context;
    this.resources = resources;
    this.startedOn = startedOn;
    this.transfer = transferOptions(plan.options, context);
    this.step = context.step ?? runStep;
    this.log = context.log ?? (() => void 0);
    if (plan.signing) this.outcome.signedAs = describeSigning(plan.signing);
  }
  subject;
  plan;
  context;
  resources;
  startedOn;
  transfer;
  step;
  log;
  outcome = { published: [], attestations: [] };
  /** One signature session per registry, however many subjects it signs. */
  registryFor(ref) {
    const { insecure, caFile } = this.plan.options;
    return this.resources.shared(
      ref.registry,
      () => openSignatureRegistry(
        ref,
        { insecure, ...caFile ? { caFile } : {} },
        { ...this.transfer, push: true }
      )
    );
  }
  publish(item) {
    this.outcome.published.push(item);
    this.context.published?.(item);
  }
  async run() {
    const { subject, plan } = this;
    const image = imageOf(subject);
    const docker = image && plan.options.attest.length > 0 ? await connectEngine() : void 0;
    const contents = docker && image ? await readAttestableImage(docker, image) : void 0;
    if (subject.kind === "model" && plan.modelImage) {
      await this.pushModelImage(subject);
      return this.outcome;
    }
    const artifact = subject.kind === "image" ? void 0 : await this.pushEntry(subject);
    const imageTo = subject.kind === "image" ? plan.to : plan.imageTo;
    const pushedImage = image && imageTo ? await this.step(
      `Push image ${image} to ${formatReference(imageTo)}`,
      () => pushImage(image, imageTo, {
        ...this.transfer,
        ...plan.release,
        force: plan.options.force,
        tags: plan.options.tag,
        annotations: plan.options.annotation,
        ...docker ? { docker } : {}
      })
    ) : void 0;
    if (pushedImage) {
      this.outcome.image = pushedImage;
      for (const ref of pushedImage.references)
        this.publish({ kind: "image", ref, digest: pushedImage.digest });
    }
    const subjects = [];
    if (artifact) subjects.push({ ...plan.to, tag: void 0, digest: artifact.result.digest });
    if (pushedImage && imageTo) subjects.push({ ...imageTo, tag: void 0, digest: pushedImage.digest });
    const signing = plan.signing;
    if (signing && plan.options.sign) {
      await this.step("Sign what was pushed", async () => {
        if (artifact) await this.attachSignatures(artifact.result, artifact.dir);
        for (const ref of subjects) await this.signPushed(ref, signing);
      });
    } else if (artifact) {
      await this.attachSignatures(artifact.result, artifact.dir);
    }
    if (signing && plan.options.attest.length > 0) {
      await this.step(`Attest what was pushed (${plan.options.attest.join(", ")})`, async () => {
        if (artifact && subject.kind === "bento")
          this.recordAttestations(
            plan.to,
            await attestBento(
              await this.registryFor(plan.to),
              plan.to,
              artifact.result.digest,
              artifact.info,
              this.attestOptions(signing)
            )
          );
        if (pushedImage && imageTo && docker)
          this.recordAttestations(
            imageTo,
            await attestImage(
              await this.registryFor(imageTo),
              imageTo,
              pushedImage.digest,
              docker,
              pushedImage.id,
              { ...this.attestOptions(signing), ...contents ? { contents } : {} }
            )
          );
      });
    }
    return this.outcome;
  }
  async pushEntry(subject) {
    const { plan } = this;
    const store = subject.store;
    const kind = subject.kind === "bento" ? bentoArtifact : modelArtifact;
    const signing = plan.signing;
    if (signing && plan.options.sign) {
      await this.step(`Sign ${kind.noun} ${subject.tag}`, async () => {
        const { path } = await signStoredEntry(store, await store.get(subject.tag), signing);
        this.log(`signed ${kind.noun} ${subject.tag} ${describeSigning(signing)} (${path})`);
      });
    }
    const result = await this.step(
      `Push ${kind.noun} to ${formatReference(plan.to)}`,
      () => pushEntry(kind, store, subject.tag, plan.to, {
        ...this.transfer,
        ...plan.release,
        force: plan.options.force
      })
    );
    this.outcome.artifact = result;
    for (const tag of result.tags)
      this.publish({
        kind: subject.kind,
        ref: formatReference({ registry: plan.to.registry, repository: plan.to.repository, tag }),
        digest: result.digest
      });
    const entry = await store.get(result.tag);
    const at = formatReference({ ...plan.to, tag: void 0, digest: result.digest });
    this.log(`${kind.noun} ${result.tag} (${formatBytes(entry.info.size)}) is at ${at}`);
    return { result, dir: entry.dir, info: entry.info };
  }
  async pushModelImage(subject) {
    const { plan } = this;
    const result = await this.step(
      `Push model ${subject.tag} as an image to ${formatReference(plan.to)}`,
      () => pushModelImage(subject.store, subject.tag, plan.to, {
        ...this.transfer,
        ...plan.modelImage,
        ...plan.release,
        force: plan.options.force
      })
    );
    this.outcome.modelImage = result;
    for (const tag of result.tags)
      this.publish({
        kind: "image",
        ref: formatReference({ registry: plan.to.registry, repository: plan.to.repository, tag }),
        digest: result.digest
      });
  }
  /** The signatures stored beside the entry travel with it, as OCI 1.1 referrers of its artifact. */
  async attachSignatures(pushed, dir) {
    const to = this.plan.to;
    const attached = await attachEntrySignatures(
      await this.registryFor(to),
      to.repository,
      pushed.digest,
      dir
    );
    const manifests = attached?.manifests ?? [];
    for (const digest of manifests)
      this.publish({ kind: "signature", ref: formatReference({ ...to, tag: void 0, digest }), digest });
    if (manifests.length > 0) this.log(`attached ${manifests.length} signature manifest(s)`);
  }
  /** A cosign-format signature of a pushed manifest, so `cosign verify` and policy.json accept it. */
  async signPushed(ref, signing) {
    const signed = await signManifest(
      await this.registryFor(ref),
      { registry: ref.registry, repository: ref.repository, digest: ref.digest },
      signing
    );
    this.publish({
      kind: "signature",
      ref: formatReference({ registry: ref.registry, repository: ref.repository, tag: signed.signatureTag }),
      digest: signed.signatureManifestDigest
    });
  }
  attestOptions(signing) {
    return {
      kinds: this.plan.options.attest,
      signer: attestationSignerOf(signing),
      startedOn: this.startedOn,
      ...this.context.env ? { env: this.context.env } : {},
      log: this.log
    };
  }
  recordAttestations(to, attestations) {
    for (const a of attestations) {
      this.outcome.attestations.push(a);
      this.publish({
        kind: "attestation",
        ref: formatReference({ ...to, tag: void 0, digest: a.manifest }),
        digest: a.manifest,
        attestation: a.kind
      });
    }
  }
};

export {
  pull,
  push
};
