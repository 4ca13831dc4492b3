import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  buildBentoImage,
  checkBento,
  planContainerize
} from "./chunk.bento-containerize+cli+pipeline.js";
import {
  verifyStep
} from "./chunk.bento-build+bento-containerize+bento-push+pipeline.js";
import {
  verifyOptionsFrom
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+pipeline.js";
import {
  formatBytes,
  formatTag,
  info
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";

// src/actions/steps/containerize.ts
function containerizePlanFrom(request, env) {
  const { options, access } = verifyOptionsFrom(request, env);
  return planContainerize({ ...options, tag: request.tags, label: request.labels }, access);
}
async function containerizeFlow(run, docker, store, bento, plan) {
  await verifyStep(
    run,
    `bento ${formatTag(bento.tag)}`,
    plan.gate.policy,
    (warn) => checkBento(plan, store, bento, { intactChecked: true, warn })
  );
  const image = await run.step(`Build image of ${formatTag(bento.tag)}`, async () => {
    const built = await buildBentoImage(plan, bento, (line) => info(line));
    const inspected = await docker.getImage(built.id).inspect();
    info(`built image ${built.tags.join(", ")} (${built.id}, ${formatBytes(inspected.Size)})`);
    return { id: built.id, tags: built.tags, size: inspected.Size, labels: inspected.Config?.Labels ?? {} };
  });
  run.report.imageDetails({ image: image.tags.join(", "), kind: "labels", values: image.labels });
  for (const tag of image.tags)
    run.report.artifact({ kind: "image", ref: tag, action: "built", digest: image.id, size: image.size });
  return image;
}

export {
  containerizePlanFrom,
  containerizeFlow
};
