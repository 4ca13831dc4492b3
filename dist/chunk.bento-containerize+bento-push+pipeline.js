import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  formatTag
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";

// src/actions/image-metadata.ts
function bentoKeys(bento) {
  return { "bentoci.bento": formatTag(bento.tag), "bentoci.bento.digest": bento.info.digest };
}
function builtImageMetadata(bento, image) {
  return {
    "containerimage.config.digest": image.id,
    "containerimage.digest": image.id,
    "image.name": image.tags.join(","),
    "bentoci.digest-kind": "image-id",
    "bentoci.image.id": image.id,
    "bentoci.image.size": image.size,
    "bentoci.image.labels": image.labels,
    ...bentoKeys(bento)
  };
}
function pushedImageMetadata(bento, pushed, built) {
  return {
    "containerimage.config.digest": pushed.id,
    "containerimage.descriptor": {
      mediaType: pushed.mediaType,
      digest: pushed.digest,
      size: pushed.size,
      ...Object.keys(pushed.annotations).length > 0 ? { annotations: pushed.annotations } : {}
    },
    "containerimage.digest": pushed.digest,
    "image.name": pushed.references.join(","),
    "bentoci.digest-kind": "manifest",
    "bentoci.image.id": pushed.id,
    ...built ? { "bentoci.image.size": built.size, "bentoci.image.labels": built.labels } : {},
    "bentoci.image.annotations": pushed.annotations,
    ...bentoKeys(bento)
  };
}

export {
  builtImageMetadata,
  pushedImageMetadata
};
