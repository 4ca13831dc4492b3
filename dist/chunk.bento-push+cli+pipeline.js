import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  MAX_MANIFEST_BYTES,
  bufferSource,
  fileSource,
  imageManifestSchema,
  openRepository,
  releaseTags,
  sha256Digest
} from "./chunk.bento-canary+bento-push+cli+pipeline.js";
import {
  externalImageOf,
  provenanceOf
} from "./chunk.bento-containerize+bento-push+cli+pipeline.js";
import {
  STORED_DOCKERFILE,
  renderDockerfile
} from "./chunk.bento-build+bento-containerize+bento-push+cli+pipeline.js";
import {
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
  BENTOCI_FILE_LAYER,
  BENTOCI_INFO_LAYER,
  BENTOCI_MODEL_CONFIG,
  BENTOCI_VERSION,
  BENTO_BUILD_TYPE,
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  BentoError,
  COSIGN_SIGNATURE_ANNOTATION,
  CYCLONEDX_PREDICATE_TYPE,
  DSSE_ENVELOPE_MEDIA_TYPE,
  ENTRY_PREDICATE_TYPE,
  IMAGE,
  IMAGE_BUILD_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  IntegrityError,
  LOCAL_BUILDER_ID,
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
  OCI_EMPTY_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
  OCI_MANIFEST_MEDIA_TYPE,
  OCI_PREDEFINED_KEYS,
  SIGNATURES_DIR,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  SLSA_PROVENANCE_V1,
  UsageError,
  attestationKinds,
  bentoInfoSchema,
  canonicalJson,
  checkBundle,
  checkKeyValues,
  compareSubjects,
  cosignSignatureTag,
  describeChange,
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
  mostTelling,
  newVerifier,
  ociIndexSchema,
  ociManifestSchema,
  parseImageReference,
  parseSimpleSigningPayload,
  preAuthEncoding,
  progress,
  readEntryBundles,
  readEntryEnvelopes,
  readSignatureManifest,
  removeQuietly,
  require_dist,
  require_dist3 as require_dist2,
  require_dist4 as require_dist3,
  require_dist7 as require_dist4,
  require_tar_stream,
  resolveDigest,
  sha256Digest as sha256Digest2,
  signEnvelope,
  signMessage,
  signStatement,
  signatureLayer,
  signatureLayers,
  signatureManifest,
  sigstoreBundleJsonSchema,
  simpleSigningPayload,
  validateTag,
  writeEntryBundle,
  writeEntryEnvelope,
  writeFileAtomic
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/sign/oms/entry.ts
import { readFile } from "node:fs/promises";
import { join as join2 } from "node:path";

// src/sign/oms/ec-keys.ts
import { createHash, createPublicKey, verify } from "node:crypto";
var HASH_BY_CURVE = {
  prime256v1: "sha256",
  secp384r1: "sha384",
  secp521r1: "sha512"
};
function hashForKey(key) {
  if (key.asymmetricKeyType !== "ec") return void 0;
  return HASH_BY_CURVE[key.asymmetricKeyDetails?.namedCurve ?? ""];
}
function keyHint(key) {
  const pem = key.export({ type: "spki", format: "pem" }).toString();
  return createHash("sha256").update(pem).digest("hex");
}
function parseOmsPublicKey(text, source) {
  if (text.includes("PRIVATE KEY-----"))
    throw new UsageError(`--pub "${source}": this is a private key; pass the public key`);
  let key;
  try {
    key = createPublicKey({ key: text, format: "pem" });
  } catch {
    throw new UsageError(
      `--pub "${source}": cannot parse the public key (expected -----BEGIN PUBLIC KEY----- PEM)`
    );
  }
  if (!hashForKey(key)) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    throw new UsageError(
      `--pub "${source}": the key is ${key.asymmetricKeyType}${curve ? ` ${curve}` : ""}; OMS signatures use ECDSA on P-256, P-384 or P-521`
    );
  }
  return key;
}
function verifyDsseSignature(key, payloadType, payload, sigBase64) {
  const hash = hashForKey(key);
  if (!hash) return false;
  try {
    return verify(
      hash,
      preAuthEncoding(payloadType, payload),
      { key, dsaEncoding: "der" },
      Buffer.from(sigBase64, "base64")
    );
  } catch {
    return false;
  }
}

// src/sign/oms/format.ts
var OMS_PREDICATE_TYPE = "https://model_signing/signature/v1.0";
var OMS_SIGNATURE_FILE = "model.sig";
var MAX_SIGNATURE_BYTES = 16 * 1024 * 1024;
var GIT_PATHS = [".git", ".gitattributes", ".github", ".gitignore"];
var base64Schema = external_exports.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "expected standard base64");
var hexSchema = external_exports.string().regex(/^[0-9a-f]+$/, "expected lowercase hex");
var rawBytesSchema = external_exports.object({ rawBytes: base64Schema.min(1) });
var omsDsseSchema = external_exports.object({
  payload: base64Schema.min(1),
  payloadType: external_exports.string().min(1),
  signatures: external_exports.array(external_exports.object({ sig: base64Schema.min(1), keyid: external_exports.string().nullable().optional() })).min(1)
});
var omsBundleSchema = external_exports.object({
  mediaType: external_exports.string().regex(/^application\/vnd\.dev\.sigstore\.bundle(\.v0\.[0-9]+)?\+json$/),
  verificationMaterial: external_exports.object({
    publicKey: external_exports.object({ hint: external_exports.string().optional(), rawBytes: base64Schema.optional() }).optional(),
    x509CertificateChain: external_exports.object({ certificates: external_exports.array(rawBytesSchema).min(1) }).optional(),
    certificate: rawBytesSchema.optional(),
    tlogEntries: external_exports.array(external_exports.unknown()).optional()
  }).catchall(external_exports.unknown()),
  dsseEnvelope: omsDsseSchema
}).catchall(external_exports.unknown());
function signingMethodOf(bundle) {
  const m = bundle.verificationMaterial;
  if (m.x509CertificateChain) return "certificate";
  if (m.certificate) return "sigstore";
  if (m.publicKey) return "key";
  return void 0;
}
var omsResourceSchema = external_exports.object({
  name: external_exports.string().min(1),
  algorithm: external_exports.string().min(1),
  digest: hexSchema
});
var omsSerializationSchema = external_exports.object({
  method: external_exports.string().min(1),
  hash_type: external_exports.string().min(1),
  allow_symlinks: external_exports.union([external_exports.boolean(), external_exports.enum(["true", "false"])]),
  ignore_paths: external_exports.array(external_exports.string()).optional(),
  shard_size: external_exports.number().optional()
}).catchall(external_exports.unknown());
var omsStatementSchema = external_exports.object({
  _type: external_exports.literal(IN_TOTO_STATEMENT_TYPE),
  subject: external_exports.array(
    external_exports.object({ name: external_exports.string(), digest: external_exports.object({ sha256: hexSchema }).catchall(external_exports.string()) })
  ),
  predicateType: external_exports.literal(OMS_PREDICATE_TYPE),
  // v1.0 verifiers ignore predicate fields they do not know.
  predicate: external_exports.object({ serialization: omsSerializationSchema, resources: external_exports.array(omsResourceSchema) }).catchall(external_exports.unknown())
});

// src/sign/oms/model-hash.ts
import { createHash as createHash2 } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
async function hashModel(modelPath, options) {
  const root = resolve(modelPath);
  const ignore = options.ignore.map((p) => resolve(p));
  const info = await lstat(root).catch(() => {
    throw new BentoError(`${modelPath}: no such file or directory to verify`);
  });
  if (info.isSymbolicLink() && !options.allowSymlinks)
    throw new BentoError(`${modelPath} is a symbolic link; point at the model itself`);
  const files = [];
  if ((await stat(root)).isFile()) {
    files.push({ path: root, name: "." });
  } else {
    const realRoot = await realpath(root);
    await walk(root, root, realRoot, ignore, options.allowSymlinks, files);
  }
  if (files.length === 0)
    throw new BentoError(`${modelPath}: the model has no regular files after the ignored paths are left out`);
  const resources = [];
  for (const file of files)
    resources.push({ name: file.name, algorithm: "sha256", digest: await sha256Of(file.path) });
  return sortResources(resources);
}
async function walk(root, dir, realRoot, ignore, allowSymlinks, out) {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (isIgnored(path, ignore)) continue;
    const name = relative(root, path).split(sep).join("/");
    if (entry.isSymbolicLink()) {
      if (!allowSymlinks)
        throw new BentoError(
          `${name} in the model is a symbolic link; OMS signatures with allow_symlinks false refuse them`
        );
      const target = await realpath(path);
      if (target !== realRoot && !target.startsWith(realRoot + sep))
        throw new BentoError(`${name} in the model links outside the model (${target})`);
      const targetInfo = await stat(target);
      if (targetInfo.isFile()) out.push({ path, name });
      else
        throw new BentoError(`${name} in the model links to a directory; only links to files are followed`);
    } else if (entry.isDirectory()) {
      await walk(root, path, realRoot, ignore, allowSymlinks, out);
    } else if (entry.isFile()) {
      out.push({ path, name });
    } else {
      throw new BentoError(`${name} in the model is neither a file nor a directory`);
    }
  }
}
function isIgnored(path, ignore) {
  return ignore.some((p) => path === p || path.startsWith(p.endsWith(sep) ? p : p + sep));
}
async function sha256Of(path) {
  const hash = createHash2("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}
function ignoredPaths(modelPath, relativeToModel) {
  const root = resolve(modelPath);
  return relativeToModel.filter((p) => p !== "").map((p) => isAbsolute(p) ? p : join(root, p));
}
function normalizeName(name) {
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  const joined = parts.join("/");
  if (name.startsWith("/")) return `/${joined}`;
  return joined === "" ? "." : joined;
}
function comparePaths(a, b) {
  const pa = a.split("/");
  const pb = b.split("/");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = Buffer.compare(Buffer.from(pa[i], "utf8"), Buffer.from(pb[i], "utf8"));
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}
function sortResources(resources) {
  return [...resources].sort((a, b) => comparePaths(a.name, b.name));
}
function rootDigest(resources) {
  const hash = createHash2("sha256");
  for (const r of resources) hash.update(Buffer.from(r.digest, "hex"));
  return hash.digest("hex");
}
function omsStatement(modelName, resources, ignorePaths) {
  const sorted = sortResources(resources);
  const serialization = {
    method: "files",
    hash_type: "sha256",
    allow_symlinks: false,
    ignore_paths: [...new Set(ignorePaths)].sort()
  };
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: modelName, digest: { sha256: rootDigest(sorted) } }],
    predicateType: OMS_PREDICATE_TYPE,
    predicate: {
      serialization,
      resources: sorted.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest }))
    }
  };
}

// src/sign/oms/verify.ts
import { resolve as resolve2 } from "node:path";

// src/sign/oms/x509-chain.ts
var import_core = __toESM(require_dist3(), 1);
import { X509Certificate } from "node:crypto";
var CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
var MAX_DEPTH = 8;
function parseTrustAnchors(text, source) {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0)
    throw new UsageError(`--certificate-chain "${source}": no PEM certificate in the file`);
  return blocks.map((pem) => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new UsageError(`--certificate-chain "${source}": a certificate in it does not parse`);
    }
  });
}
function verifyCertificateChain(chainDer, anchors) {
  let certs;
  try {
    certs = chainDer.map((der) => ({
      node: new X509Certificate(der),
      parsed: import_core.X509Certificate.parse(Buffer.from(der))
    }));
  } catch (err) {
    return { ok: false, message: `a certificate in the bundle does not parse (${err.message})` };
  }
  const [leaf, ...intermediates] = certs;
  if (!leaf) return { ok: false, message: "the bundle holds no certificate" };
  const at = leaf.parsed.notBefore;
  const usage = leaf.parsed.extKeyUsage;
  const eku = leaf.node.keyUsage ?? [];
  if (!usage?.digitalSignature && !eku.includes(CODE_SIGNING))
    return {
      ok: false,
      message: `the signing certificate (${leaf.node.subject}) allows neither digital signatures nor code signing`
    };
  const subjects = [oneLine(leaf.node.subject)];
  let current = leaf;
  const used = /* @__PURE__ */ new Set();
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    if (!current.parsed.validForDate(at))
      return { ok: false, message: `${oneLine(current.node.subject)} is not valid at ${at.toISOString()}` };
    const anchor = anchors.find((a) => issues(a, current.node));
    if (anchor) {
      const parsedAnchor = import_core.X509Certificate.parse(Buffer.from(anchor.raw));
      if (!parsedAnchor.validForDate(at))
        return {
          ok: false,
          message: `the trusted ${oneLine(anchor.subject)} is not valid at ${at.toISOString()}`
        };
      subjects.push(oneLine(anchor.subject));
      return { ok: true, publicKey: leaf.node.publicKey, subjects };
    }
    const next = intermediates.find((c) => !used.has(c.parsed) && issues(c.node, current.node));
    if (!next) break;
    if (!next.parsed.isCA || next.parsed.extKeyUsage && !next.parsed.extKeyUsage.keyCertSign)
      return { ok: false, message: `${oneLine(next.node.subject)} in the bundle is not a CA certificate` };
    used.add(next.parsed);
    subjects.push(oneLine(next.node.subject));
    current = next;
  }
  return {
    ok: false,
    message: `the certificate chain (${subjects.join(" <- ")}) does not lead to a certificate given in --certificate-chain`
  };
}
function issues(issuer, cert) {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
function oneLine(subject) {
  return subject.split("\n").join(", ");
}

// src/sign/oms/verify.ts
async function verifyOmsSignature(modelPath, json, trust, options = {}) {
  const where = options.where ?? "the signature";
  const parsed = omsBundleSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      "malformed",
      `${where} is not a Sigstore bundle with a DSSE envelope (${issue?.path.join(".") || "document"}: ${issue?.message})`
    );
  }
  const bundle = parsed.data;
  const authentic = authenticate(bundle, json, trust, where);
  if (!authentic.ok) return authentic;
  const statement = readStatement(bundle, authentic.payload, where);
  if ("ok" in statement) return statement;
  const serialization = statement.predicate.serialization;
  if (serialization.method !== "files")
    return fail(
      "unsupported",
      `${where} serializes the model by "${serialization.method}"; bentoci verifies method "files" only`
    );
  if (serialization.hash_type !== "sha256" || statement.predicate.resources.some((r) => r.algorithm !== "sha256"))
    return fail(
      "unsupported",
      `${where} hashes with ${serialization.hash_type}; bentoci verifies sha256 only`
    );
  const signed = serialization.ignore_paths ?? [];
  const ignore = [
    ...ignoredPaths(modelPath, signed),
    ...ignoredPaths(modelPath, options.ignoreGitPaths === false ? [] : GIT_PATHS),
    ...(options.ignorePaths ?? []).map((p) => resolve2(p)),
    ...options.signatureFile ? [resolve2(options.signatureFile)] : []
  ];
  let actual;
  try {
    actual = await hashModel(modelPath, {
      ignore,
      allowSymlinks: serialization.allow_symlinks === true || serialization.allow_symlinks === "true"
    });
  } catch (err) {
    return fail("changed", `${modelPath} does not match ${where}: ${err.message}`);
  }
  const asSubjects = (rs) => rs.map((r) => ({ name: normalizeName(r.name), digest: { sha256: r.digest } }));
  const changes = compareSubjects(asSubjects(statement.predicate.resources), asSubjects(actual));
  if (changes.length > 0) {
    const more = changes.length > 1 ? ` (and ${changes.length - 1} more change${changes.length > 2 ? "s" : ""})` : "";
    return {
      ok: false,
      reason: "changed",
      message: `${modelPath} does not match ${where}: ${describeChange(changes[0])}${more}`,
      changes
    };
  }
  return {
    ok: true,
    method: signingMethodOf(bundle) ?? trust.method,
    signer: authentic.signer,
    modelName: statement.subject[0].name,
    files: actual.length,
    ignorePaths: signed,
    statement
  };
}
function authenticate(bundle, json, trust, where) {
  const envelope = bundle.dsseEnvelope;
  const payload = Buffer.from(envelope.payload, "base64");
  const anyVerifies = (key) => envelope.signatures.some((s) => verifyDsseSignature(key, envelope.payloadType, payload, s.sig));
  const method = signingMethodOf(bundle);
  if (trust.method === "key") {
    const hint = bundle.verificationMaterial.publicKey?.hint;
    const ours = keyHint(trust.publicKey);
    if (hint && hint !== ours)
      return fail(
        "wrong-key",
        `${where} is signed by another key (hint ${short(hint)}), not the key in --pub (${short(ours)})`
      );
    if (!anyVerifies(trust.publicKey))
      return hint ? fail(
        "bad-signature",
        `${where} names the key in --pub but its signature does not verify (the statement was altered)`
      ) : fail(
        "wrong-key",
        `${where} does not verify with the key in --pub (signed by another key, or altered)`
      );
    return { ok: true, payload, signer: `key ${short(ours)} (sha256 of its PEM)` };
  }
  if (trust.method === "certificate") {
    const m = bundle.verificationMaterial;
    const certs = m.x509CertificateChain?.certificates ?? (m.certificate ? [m.certificate] : []);
    if (certs.length === 0)
      return fail(
        "malformed",
        `${where} holds no certificate (it was signed ${method === "key" ? "with a key: verify it with --pub" : "otherwise"})`
      );
    const chain = verifyCertificateChain(
      certs.map((c) => Buffer.from(c.rawBytes, "base64")),
      trust.anchors
    );
    if (!chain.ok) return fail("untrusted", `${where}: ${chain.message}`);
    if (!hashForKey(chain.publicKey))
      return fail("unsupported", `${where}: the signing certificate's key is not an ECDSA P-256/384/521 key`);
    if (!anyVerifies(chain.publicKey))
      return fail(
        "bad-signature",
        `${where}: the signature does not verify with its certificate's key (the statement was altered)`
      );
    return { ok: true, payload, signer: `certificate ${chain.subjects.join(" <- ")}` };
  }
  const checked = checkBundle(json, "dsseEnvelope", void 0, trust.check, where);
  if (!checked.ok) return fail(checked.reason, checked.message);
  if (checked.bundle.content.$case !== "dsseEnvelope")
    return fail("malformed", `${where} holds no DSSE envelope`);
  const signed = checked.bundle.content.dsseEnvelope;
  return {
    ok: true,
    payload: Buffer.from(signed.payload),
    signer: `${checked.signer.identity} (issuer ${checked.signer.issuer}${checked.logged ? ", logged in Rekor" : ""})`
  };
}
function readStatement(bundle, payload, where) {
  if (bundle.dsseEnvelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return fail(
      "malformed",
      `${where} signs a ${bundle.dsseEnvelope.payloadType} payload, not an in-toto statement`
    );
  let value;
  try {
    value = JSON.parse(payload.toString("utf8"));
  } catch {
    return fail("malformed", `${where} signs a payload that is not JSON`);
  }
  const predicateType = value?.predicateType;
  if (predicateType !== OMS_PREDICATE_TYPE)
    return fail(
      "malformed",
      `${where} is not an OMS signature: predicate type ${JSON.stringify(predicateType)}, expected ${OMS_PREDICATE_TYPE}`
    );
  const parsed = omsStatementSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      "malformed",
      `${where} holds a malformed OMS statement (${issue?.path.join(".")}: ${issue?.message})`
    );
  }
  const statement = parsed.data;
  if (statement.subject.length !== 1)
    return fail(
      "malformed",
      `${where}: an OMS statement has one subject, this one has ${statement.subject.length}`
    );
  const covered = rootDigest(statement.predicate.resources);
  if (covered !== statement.subject[0].digest.sha256)
    return fail(
      "malformed",
      `${where} is inconsistent: its subject digest ${short(statement.subject[0].digest.sha256)} does not cover its resources (${short(covered)})`
    );
  return statement;
}
function fail(reason, message) {
  return { ok: false, reason, message };
}
function short(hex) {
  return hex.slice(0, 12);
}

// src/sign/oms/entry.ts
function entryIgnorePaths(store) {
  return [SIGNATURES_DIR, store.kind.infoFile];
}
async function entryOmsStatement(store, entry) {
  const ignore = entryIgnorePaths(store);
  const resources = await hashModel(entry.dir, {
    ignore: ignoredPaths(entry.dir, ignore),
    allowSymlinks: false
  });
  return omsStatement(formatTag(entry.tag), resources, ignore);
}
function statementPayload(statement) {
  return Buffer.from(JSON.stringify(statement, null, 2));
}
async function signOmsWithKey(statement, signer) {
  const envelope = await signEnvelope(IN_TOTO_PAYLOAD_TYPE, statementPayload(statement), signer);
  return {
    mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: keyHint(signer.publicKey) }, tlogEntries: [] },
    dsseEnvelope: {
      payload: envelope.payload,
      payloadType: envelope.payloadType,
      signatures: envelope.signatures.map((s) => ({ sig: s.sig, keyid: "" }))
    }
  };
}
async function signEntryOms(store, entry, how) {
  await store.assertIntact(entry);
  const statement = await entryOmsStatement(store, entry);
  const bundle = "signer" in how ? await signOmsWithKey(statement, how.signer) : await signStatement(statementPayload(statement), how.keyless);
  const path = join2(entry.dir, SIGNATURES_DIR, OMS_SIGNATURE_FILE);
  await writeFileAtomic(path, `${JSON.stringify(bundle, null, 2)}
`);
  const tlog = bundle.verificationMaterial.tlogEntries;
  return { path, statement, bundle, logged: Array.isArray(tlog) && tlog.length > 0 };
}
async function readOwnOmsBundle(dir) {
  const bytes = await readFile(join2(dir, SIGNATURES_DIR, OMS_SIGNATURE_FILE)).catch(() => void 0);
  if (!bytes || bytes.length > MAX_SIGNATURE_BYTES) return void 0;
  const parsed = sigstoreBundleJsonSchema.safeParse(parseJson(bytes));
  return parsed.success ? parsed.data : void 0;
}
async function readEntryOmsBundles(dir) {
  const found = [];
  const own = await readFile(join2(dir, SIGNATURES_DIR, OMS_SIGNATURE_FILE)).catch(() => void 0);
  if (own && own.length <= MAX_SIGNATURE_BYTES)
    found.push({ file: OMS_SIGNATURE_FILE, json: parseJson(own) });
  const { bundles } = await readEntryBundles(dir);
  for (const { file, bundle } of bundles) if (isOmsBundle(bundle)) found.push({ file, json: bundle });
  return found;
}
function isOmsBundle(bundle) {
  const envelope = bundle?.dsseEnvelope;
  if (typeof envelope?.payload !== "string") return false;
  const payload = parseJson(Buffer.from(envelope.payload, "base64"));
  return payload?.predicateType === OMS_PREDICATE_TYPE;
}
async function verifyEntryOms(store, entry, trust) {
  const what = `${store.kind.noun} ${formatTag(entry.tag)}`;
  const bundles = await readEntryOmsBundles(entry.dir);
  if (bundles.length === 0)
    return {
      ok: false,
      reason: "unsigned",
      message: `${what} has no OMS signature (no ${SIGNATURES_DIR}/${OMS_SIGNATURE_FILE}); sign it with \`bentoci sign ${formatTag(entry.tag)} --format oms\``
    };
  const failures = [];
  for (const { file, json } of bundles) {
    const result = await verifyOmsSignature(entry.dir, json, trust, {
      where: `${what}: ${SIGNATURES_DIR}/${file}`,
      ignoreGitPaths: false
    });
    if (result.ok) return { ...result, file };
    failures.push(result);
  }
  return mostTelling(failures);
}
function parseJson(bytes) {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return void 0;
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
  for (const { envelope, predicateType, mediaType = DSSE_ENVELOPE_MEDIA_TYPE, annotations } of envelopes) {
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
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      ...annotations ? { annotations } : {}
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
      ...predicateType || annotations ? {
        annotations: {
          ...predicateType ? { [PREDICATE_TYPE_ANNOTATION]: predicateType } : {},
          ...annotations
        }
      } : {}
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
  const parsed = ociIndexSchema.safeParse(parseJson2(found.bytes));
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
    const manifest = ociManifestSchema.safeParse(parseJson2(found.bytes));
    if (!manifest.success || manifest.data.subject?.digest !== digest) continue;
    for (const layer of manifest.data.layers.filter((l) => l.mediaType === kind.layerType)) {
      const blob = await registry.getBlob(repository, layer.digest);
      if (sha256Digest2(blob) !== layer.digest) continue;
      const value = kind.schema.safeParse(parseJson2(blob));
      if (value.success) values.push(value.data);
    }
  }
  return values;
}
function parseJson2(bytes) {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return void 0;
  }
}
async function attachEntrySignatures(registry, repository, subject, entryDir) {
  const { envelopes } = await readEntryEnvelopes(entryDir);
  const { bundles } = await readEntryBundles(entryDir);
  const oms = await readOwnOmsBundle(entryDir);
  if (oms) bundles.push({ file: OMS_SIGNATURE_FILE, bundle: oms });
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
      predicateType: isOmsBundle(b.bundle) ? OMS_PREDICATE_TYPE : ENTRY_PREDICATE_TYPE,
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
var tar = __toESM(require_tar_stream(), 1);
var import_yaml = __toESM(require_dist(), 1);
import { createHash as createHash3 } from "node:crypto";

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
    value = import_yaml.default.parse(bytes.toString("utf8"));
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
      const hash = createHash3("sha256");
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
  const extract3 = tar.extract();
  const done = (async () => {
    for await (const entry of extract3) await onEntry(entry.header, entry);
  })();
  stream.pipe(extract3);
  stream.on("error", (err) => extract3.destroy(err));
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
var import_sign = __toESM(require_dist4(), 1);
async function signAttestation(payload, signer) {
  if (signer.type === "keyless") return signStatement(payload, signer.options);
  const key = signer.signer;
  const built = await new import_sign.DSSEBundleBuilder({
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
function parseAttestKinds(text, flag = "--attest") {
  const names = text.split(",").map((s) => s.trim()).filter(Boolean);
  const parsed = attestationKinds(names);
  if ("unknown" in parsed)
    throw new UsageError(
      `invalid ${flag} "${parsed.unknown}": expected a comma list of ${Object.keys(ATTESTATION_KINDS).join(", ")}, or none`
    );
  return parsed.kinds;
}
async function readAttestableImage(docker, image) {
  const contents = await readImageContents(docker, image);
  if (!contents.bento) throw notABentoImage(image);
  return contents;
}
function notABentoImage(image) {
  return new UsageError(
    `image ${image} holds no bento.yaml where bentoci containerize puts it: --attest describes images of bentos only`
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
            sha256: sha256Digest2(Buffer.from(dockerfile)).slice(7)
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
  pullCommand: "bentoci models pull"
};
var bentoArtifact = {
  noun: "bento",
  layout: "bentoci",
  infoFile: "bento.yaml",
  artifactType: BENTOCI_BENTO_ARTIFACT_V2,
  configType: BENTOCI_BENTO_CONFIG,
  readsConfigTypes: [BENTOCI_BENTO_CONFIG],
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
var import_yaml2 = __toESM(require_dist(), 1);
import { createHash as createHash4 } from "node:crypto";
import { readFile as readFile2 } from "node:fs/promises";
import { join as join3 } from "node:path";

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

// src/registry/artifact-layout.ts
var CHECKED_FILE_MAX_BYTES = 1024 * 1024;
async function contentSource(dir, file, what) {
  if (file.size >= CHECKED_FILE_MAX_BYTES) return fileSource(join3(dir, file.path), file);
  const data = await readFile2(join3(dir, file.path));
  if (data.length !== file.size || createHash4("sha256").update(data).digest("hex") !== file.sha256) {
    throw new IntegrityError(
      `${what} is damaged: ${file.path} differs from its manifest; delete it and save or pull it again`
    );
  }
  return bufferSource(data);
}
async function infoFileSource(kind, entry, what) {
  const bytes = await readFile2(join3(entry.dir, kind.infoFile));
  const parsed = kind.schema.safeParse(import_yaml2.default.parse(bytes.toString("utf8")));
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
import { join as join4 } from "node:path";
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
    const path = join4(home, ".oci", "blob-locations.json");
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
    const current = await _BlobLocations.load(join4(this.path, "..", ".."));
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
import { join as join5 } from "node:path";
var DEFAULT_PARALLEL = 4;
function ociDir(home) {
  return join5(home, ".oci");
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
import { join as join8 } from "node:path";

// src/registry/image-export.ts
var tar2 = __toESM(require_tar_stream(), 1);
import { createHash as createHash5 } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile as readFile4, realpath as realpath2, symlink } from "node:fs/promises";
import { dirname, join as join6, relative as relative2, resolve as resolve3, sep as sep2 } from "node:path";
import { pipeline as pipeline2 } from "node:stream/promises";

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
    return { id: inspected.Id, repoTags: inspected.RepoTags ?? [], labels: inspected.Config?.Labels ?? {} };
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
  const extract3 = tar2.extract();
  const unpacked = (async () => {
    for await (const entry of extract3) {
      const name = entry.header.name.replace(/\/+$/, "");
      if (entry.header.type === "directory") {
        entry.resume();
        await mkdir(join6(dir, safeEntryPath(name, "docker save")), { recursive: true });
        continue;
      }
      const path = join6(dir, safeEntryPath(name, "docker save"));
      await mkdir(dirname(path), { recursive: true });
      if (entry.header.type === "symlink" && entry.header.linkname) {
        const target = resolve3(dirname(path), entry.header.linkname);
        if (!target.startsWith(dir + sep2))
          throw new BentoError(`docker save holds a link "${name}" that leaves the export`);
        entry.resume();
        await symlink(relative2(dirname(path), target), path);
        continue;
      }
      if (entry.header.type !== "file") {
        entry.resume();
        continue;
      }
      await pipeline2(entry, createWriteStream(path));
    }
  })();
  await Promise.all([pipeline2(stream, extract3), unpacked]);
  const manifests = saveManifestSchema.parse(JSON.parse(await readFile4(join6(dir, "manifest.json"), "utf8")));
  const first = manifests[0];
  if (!first || manifests.length !== 1)
    throw new BentoError(`docker save of ${id} holds ${manifests.length} images, expected 1`);
  const configBytes = await readFile4(await inside(dir, first.Config));
  const configDigest = `sha256:${createHash5("sha256").update(configBytes).digest("hex")}`;
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
  const real = await realpath2(join6(dir, safeEntryPath(rel, "docker save manifest.json")));
  const root = await realpath2(dir);
  if (!real.startsWith(root + sep2))
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
import { createHash as createHash6 } from "node:crypto";
import { createReadStream as createReadStream2, createWriteStream as createWriteStream2 } from "node:fs";
import { open, stat as stat2 } from "node:fs/promises";
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
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buffer, 0, 4, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
async function sha256Of2(path) {
  const hash = createHash6("sha256");
  for await (const chunk of createReadStream2(path, { highWaterMark: 1 << 20 })) hash.update(chunk);
  return `sha256:${hash.digest("hex")}`;
}
async function compressLayer(path, diffId, outPath) {
  const head = await magic(path);
  if (head[0] === 31 && head[1] === 139) {
    return { path, digest: await sha256Of2(path), size: (await stat2(path)).size, mediaType: OCI_LAYER_GZIP };
  }
  if (head.equals(Buffer.from([40, 181, 47, 253]))) {
    return { path, digest: await sha256Of2(path), size: (await stat2(path)).size, mediaType: OCI_LAYER_ZSTD };
  }
  const raw = createHash6("sha256");
  const compressed = createHash6("sha256");
  const count = { bytes: 0 };
  await pipeline3(
    createReadStream2(path, { highWaterMark: 1 << 20 }),
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
  if (target.digest)
    throw new UsageError(`invalid --to "${formatReference(target)}": push to a tag, not a digest`);
  const requested = [...target.tag ? [target.tag] : [], ...options.tags ?? []].map(
    (t) => validateTag(t, "--tag")
  );
  const requestedAnnotations = checkKeyValues(options.annotations ?? {}, "--annotation");
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
  if (!primary) throw new UsageError(`name the tag to push ${image} as: --to oci://host/repo:tag`);
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
  const none = { uploaded: 0, existing: 0, mounted: 0, bytes: 0 };
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
  await mkdir2(ociDir(options.home), { recursive: true });
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
        join8(work, `${layer.diffId.slice(7)}.gz`)
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
    ctx.images.set(id, { manifest: base.toString("utf8") });
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
      mediaType: OCI_MANIFEST,
      size: bytes.length,
      annotations: final.annotations,
      tags: ctx.allTags,
      references: ctx.references,
      unchanged: tagPlan.unchanged,
      exported: true,
      blobs: stats
    };
  } finally {
    await removeQuietly(work);
  }
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
  keyHint,
  parseOmsPublicKey,
  MAX_SIGNATURE_BYTES,
  parseTrustAnchors,
  verifyOmsSignature,
  signEntryOms,
  verifyEntryOms,
  listReferrers,
  attachEntrySignatures,
  pullEntrySignatures,
  parseAttestKinds,
  readAttestableImage,
  attestBento,
  attestImage,
  modelArtifact,
  bentoArtifact,
  artifactKinds,
  mapLimit,
  linkedController,
  MODELPACK_RAW_TYPES,
  modelPackConfigSchema,
  isModelPackConfig,
  modelPackType,
  modelPackLayerPath,
  safeEntryPath,
  DEFAULT_PARALLEL,
  ociDir,
  plural,
  BlobLocations,
  planTags,
  pushBlobs,
  putTags,
  describeStats,
  pushEntry,
  JsonCache,
  pushImage,
  resolveIdentityToken,
  signEntry,
  signImage,
  signImageKeyless
};
