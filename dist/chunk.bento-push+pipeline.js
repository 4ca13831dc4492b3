import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  attachEntrySignatures,
  attestBento,
  attestImage,
  bentoArtifact,
  pushEntry,
  pushImage,
  resolveIdentityToken,
  signEntry,
  signImage,
  signImageKeyless
} from "./chunk.bento-push+cli+pipeline.js";
import {
  openSignatureRegistry
} from "./chunk.bento-canary+bento-push+cli+pipeline.js";
import {
  connectEngine
} from "./chunk.bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  InputError,
  maskSecret,
  signerFrom
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+pipeline.js";
import {
  OCI_MANIFEST_MEDIA_TYPE,
  formatBytes,
  formatReference,
  formatTag,
  info,
  signEntryKeyless
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";

// src/actions/steps/signing.ts
async function signingFrom(inputs, env) {
  if (inputs.signKeyless) {
    let resolved;
    try {
      resolved = await resolveIdentityToken({});
    } catch (err) {
      throw new InputError(
        "sign-keyless",
        err.message.replace(/pass --identity-token-env NAME, or /, "")
      );
    }
    return {
      kind: "keyless",
      options: {
        identityToken: resolved.token,
        ...inputs.sigstoreFulcioUrl ? { fulcioURL: inputs.sigstoreFulcioUrl } : {},
        ...inputs.sigstoreRekorUrl ? { rekorURL: inputs.sigstoreRekorUrl } : {}
      },
      identity: resolved.claims.email ?? resolved.claims.sub ?? "",
      issuer: resolved.claims.iss
    };
  }
  if (inputs.signKey)
    return { kind: "key", signer: await signerFrom(inputs.signKey, inputs.signKeyPassword, env) };
  return void 0;
}
function describeSigning(signing) {
  return signing.kind === "key" ? `with key ${signing.signer.keyid.slice(0, 12)}` : `keyless as ${signing.identity} (issuer ${signing.issuer})`;
}
async function signBentoStep(run, store, bento, signing) {
  await run.step(`Sign bento ${formatTag(bento.tag)}`, async () => {
    const { path } = signing.kind === "key" ? await signEntry(store, bento, signing.signer) : await signEntryKeyless(store, bento, signing.options);
    info(`signed bento ${formatTag(bento.tag)} ${describeSigning(signing)} (${path})`);
  });
}
function signManifest(registry, ref, signing) {
  return signing.kind === "key" ? signImage(registry, ref, signing.signer) : signImageKeyless(registry, ref, signing.options);
}

// src/actions/steps/attest.ts
var signerOf = (signing) => signing.kind === "key" ? { type: "key", signer: signing.signer } : { type: "keyless", options: signing.options };
async function attestStep(run, bento, targets, signing, transfer) {
  const options = {
    kinds: [...targets.kinds],
    signer: signerOf(signing),
    startedOn: targets.startedOn,
    log: (line) => info(line)
  };
  const refs = [];
  const record = (to, attestations) => {
    for (const a of attestations) {
      const ref = formatReference({ ...to, tag: void 0, digest: a.manifest });
      refs.push(ref);
      run.report.push({ kind: `attestation (${a.kind})`, ref, digest: a.manifest });
    }
  };
  await run.step(`Attest what was pushed (${targets.kinds.join(", ")})`, async () => {
    const open = (to) => openSignatureRegistry(to, { insecure: targets.insecure }, { ...transfer, push: true });
    const registry = await open(targets.bento.to);
    try {
      record(
        targets.bento.to,
        await attestBento(registry, targets.bento.to, targets.bento.digest, bento.info, options)
      );
    } finally {
      await registry.close();
    }
    const image = targets.image;
    if (!image) return;
    const docker = await connectEngine();
    const imageRegistry = await open(image.to);
    try {
      record(image.to, await attestImage(imageRegistry, image.to, image.digest, docker, image.name, options));
    } finally {
      await imageRegistry.close();
    }
  });
  return refs;
}

// src/actions/steps/push.ts
function transferOptions(env, request) {
  return {
    home: env.home,
    log: (line) => info(line),
    mask: maskSecret,
    ...request.insecure ? { insecure: true } : {},
    ...request.registryUsername ? { username: request.registryUsername } : {},
    ...request.registryPassword ? { password: request.registryPassword } : {}
  };
}
function refsOf(target, tags) {
  return tags.map(
    (tag) => formatReference({ registry: target.registry, repository: target.repository, tag })
  );
}
async function pushFlow(run, env, store, bento, request) {
  const startedOn = /* @__PURE__ */ new Date();
  const options = transferOptions(env, request);
  const release = request.releaseVersion ? { release: request.releaseVersion } : {};
  const signing = await signingFrom(request, env);
  if (signing) await signBentoStep(run, store, bento, signing);
  const pushed = await run.step(
    `Push bento to ${formatReference(request.registry)}`,
    () => pushEntry(bentoArtifact, store, formatTag(bento.tag), request.registry, { ...options, ...release })
  );
  const artifactRef = formatReference({ ...request.registry, tag: void 0, digest: pushed.digest });
  const pushedRefs = refsOf(request.registry, pushed.tags);
  for (const ref of pushedRefs) run.report.push({ kind: "bento", ref, digest: pushed.digest });
  info(`bento ${formatTag(bento.tag)} (${formatBytes(bento.info.size)}) is at ${artifactRef}`);
  let imageDigest;
  let imageTarget;
  let pushedImage;
  if (request.image) {
    const image = request.image;
    const result = await run.step(
      `Push image ${image.name} to ${formatReference(image.to)}`,
      () => pushImage(image.name, image.to, {
        ...options,
        ...release,
        ...image.tags?.length ? { tags: image.tags } : {},
        ...image.annotations ? { annotations: image.annotations } : {}
      })
    );
    imageDigest = result.digest;
    imageTarget = image.to;
    pushedImage = result;
    for (const ref of result.references) {
      pushedRefs.push(ref);
      run.report.push({ kind: "image", ref, digest: result.digest });
    }
    run.report.imageDetails({
      image: formatReference({ ...image.to, tag: void 0, digest: result.digest }),
      kind: "annotations",
      values: result.annotations
    });
  }
  const signatureRefs = [];
  const signatures = [];
  if (signing) {
    await run.step("Sign what was pushed", async () => {
      const registry = await openSignatureRegistry(
        request.registry,
        { insecure: request.insecure },
        { ...options, push: true }
      );
      try {
        const manifest = await registry.getManifest(request.registry.repository, pushed.digest);
        if (manifest) {
          const attached = await attachEntrySignatures(
            registry,
            request.registry.repository,
            { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest: pushed.digest, size: manifest.bytes.length },
            bento.dir
          );
          for (const digest of attached?.manifests ?? []) {
            signatures.push({
              ref: formatReference({ ...request.registry, tag: void 0, digest }),
              digest
            });
          }
        }
        const subjects = [{ ...request.registry, tag: void 0, digest: pushed.digest }];
        if (imageTarget && imageDigest)
          subjects.push({ ...imageTarget, tag: void 0, digest: imageDigest });
        for (const subject of subjects) {
          const target = subject === subjects[0] ? registry : await openSignatureRegistry(
            subject,
            { insecure: request.insecure },
            { ...options, push: true }
          );
          try {
            const signed = await signManifest(
              target,
              { registry: subject.registry, repository: subject.repository, digest: subject.digest },
              signing
            );
            const ref = formatReference({
              registry: subject.registry,
              repository: subject.repository,
              tag: signed.signatureTag
            });
            signatures.push({ ref, digest: signed.signatureManifestDigest });
          } finally {
            if (target !== registry) await target.close();
          }
        }
      } finally {
        await registry.close();
      }
    });
    for (const { ref, digest } of signatures) {
      signatureRefs.push(ref);
      run.report.push({ kind: "signature", ref, digest });
    }
    run.report.note(`signed ${describeSigning(signing)}`);
  }
  const attestationRefs = signing && request.attest?.length ? await attestStep(
    run,
    bento,
    {
      kinds: request.attest,
      bento: { to: request.registry, digest: pushed.digest },
      image: request.image && imageTarget && imageDigest ? { name: request.image.name, to: imageTarget, digest: imageDigest } : void 0,
      insecure: request.insecure,
      startedOn
    },
    signing,
    options
  ) : [];
  return {
    artifactRef,
    artifactDigest: pushed.digest,
    ...imageDigest ? { imageDigest } : {},
    ...pushedImage ? { image: pushedImage } : {},
    pushedRefs,
    signatureRefs,
    attestationRefs
  };
}

export {
  signingFrom,
  signBentoStep,
  pushFlow
};
