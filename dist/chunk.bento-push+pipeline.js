import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  push
} from "./chunk.bento-push+cli+pipeline.js";
import {
  maskSecret,
  signOptionsOf,
  signingFrom
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+pipeline.js";
import {
  formatReference,
  formatTag,
  info
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";

// src/actions/steps/push.ts
function reportKind(item) {
  return item.kind === "attestation" ? `attestation (${item.attestation})` : item.kind;
}
async function pushFlow(run, env, store, bento, request) {
  const signing = await signingFrom(request, env);
  const image = request.image;
  const pushed = await push(
    { kind: "bento", store, tag: formatTag(bento.tag), image: image?.name },
    {
      ...signOptionsOf(request),
      sign: true,
      to: request.registry,
      imageRegistry: image?.to,
      tag: image?.tags ?? [],
      annotation: image?.annotations ?? {},
      release: request.releaseVersion,
      username: request.registryUsername,
      password: request.registryPassword,
      insecure: request.insecure
    },
    {
      home: env.home,
      log: (line) => info(line),
      mask: maskSecret,
      signing,
      step: (title, work) => run.step(title, work),
      published: (item) => run.report.push({ kind: reportKind(item), ref: item.ref, digest: item.digest })
    }
  );
  const artifact = pushed.artifact;
  if (pushed.image && image)
    run.report.imageDetails({
      image: formatReference({ ...image.to, tag: void 0, digest: pushed.image.digest }),
      kind: "annotations",
      values: pushed.image.annotations
    });
  if (pushed.signedAs) run.report.note(`signed ${pushed.signedAs}`);
  const refs = (...kinds) => pushed.published.filter((p) => kinds.includes(p.kind)).map((p) => p.ref);
  return {
    artifactRef: formatReference({ ...request.registry, tag: void 0, digest: artifact.digest }),
    artifactDigest: artifact.digest,
    ...pushed.image ? { imageDigest: pushed.image.digest, image: pushed.image } : {},
    pushedRefs: refs("bento", "image"),
    signatureRefs: refs("signature"),
    attestationRefs: refs("attestation")
  };
}

export {
  pushFlow
};
