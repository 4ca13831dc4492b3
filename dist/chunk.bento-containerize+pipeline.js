import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  containerize
} from "./chunk.bento-containerize+cli+pipeline.js";
import {
  formatBytes,
  formatTag,
  info
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";

// src/actions/steps/containerize.ts
async function containerizeFlow(run, docker, bento, request) {
  const image = await run.step(`Build image of ${formatTag(bento.tag)}`, async () => {
    const built = await containerize(bento, {
      tags: request.tags,
      labels: request.labels,
      log: (line) => info(line)
    });
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
  containerizeFlow
};
