import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  applyVerifyPolicy,
  exportToCache,
  importEntries,
  saveModels
} from "./chunk.bento-build+bento-containerize+bento-push+pipeline.js";
import {
  buildBentoEntry
} from "./chunk.bento-build+bento-containerize+bento-push+cli+pipeline.js";
import {
  InputError,
  workspacePath
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+pipeline.js";
import {
  formatBytes,
  formatTag,
  info,
  openBentoStore,
  openModelStore
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";

// src/actions/steps/build.ts
async function buildFlow(run, env, request) {
  if (request.importModels.length > 0 && request.importFrom !== "cache") {
    throw new InputError(
      "import-from",
      "must be cache when import-models is set (models come from the Actions cache)"
    );
  }
  const models = openModelStore(env.home);
  const imported = await importEntries(run, env, models, "model", request.importModels);
  for (const model of imported) {
    await applyVerifyPolicy(run, env, request, models, model);
  }
  const saved = await saveModels(run, env, request.models);
  if (request.build === false) {
    const moved = [...imported, ...saved];
    if (request.exportTo === "cache") {
      for (const model of saved) {
        const transfer2 = await run.step(
          `Export model ${formatTag(model.tag)} to the Actions cache`,
          () => exportToCache(models, model, "model", { workspace: env.workspace, log: (line) => info(line) })
        );
        run.report.transfer(transfer2);
      }
    }
    return { reused: false, models: moved.map((m) => ({ tag: formatTag(m.tag), digest: m.info.digest })) };
  }
  const { bento, reused } = await run.step("Build bento", async () => {
    const result = await buildBentoEntry(
      {
        bentofile: request.bentofile ? workspacePath(env, request.bentofile) : void 0,
        context: workspacePath(env, request.context),
        version: request.version,
        label: request.labels,
        cudaVersion: request.cudaVersion
      },
      { home: env.home, temp: env.temp, log: (line) => info(line) }
    );
    const { info: info2 } = result.bento;
    info(
      `${result.reused ? "reused identical" : "built"} bento ${formatTag(result.bento.tag)} (${formatBytes(info2.size)}, ${info2.digest})`
    );
    return result;
  });
  run.report.artifact({
    kind: "bento",
    ref: formatTag(bento.tag),
    action: reused ? "reused (identical build)" : "built",
    digest: bento.info.digest,
    size: bento.info.size
  });
  const bentoModels = bento.info.models.map((m) => ({ tag: m.tag, digest: m.digest }));
  if (request.exportTo !== "cache") return { bento, reused, models: bentoModels };
  const transfer = await run.step(
    "Export bento to the Actions cache",
    () => exportToCache(openBentoStore(env.home), bento, "bento", {
      workspace: env.workspace,
      log: (line) => info(line)
    })
  );
  run.report.transfer(transfer);
  return { bento, reused, models: bentoModels, cacheKey: transfer.key };
}
function buildOutputs(outcome) {
  const { bento } = outcome;
  return {
    tag: bento ? formatTag(bento.tag) : void 0,
    name: bento?.tag.name,
    version: bento?.tag.version,
    digest: bento?.info.digest,
    size: bento?.info.size,
    models: outcome.models.map((m) => `${m.tag}@${m.digest}`),
    "cache-key": outcome.cacheKey
  };
}

export {
  buildFlow,
  buildOutputs
};
