import { createRequire as __bentociCreateRequire } from 'node:module'; const require = __bentociCreateRequire(import.meta.url);
import {
  DEFAULT_BENTOFILE,
  buildBento
} from "./chunk.bento-build+cli+pipeline.js";
import {
  applyVerifyPolicy,
  exportToCache,
  importEntries,
  saveModels
} from "./chunk.bento-build+bento-containerize+bento-push+pipeline.js";
import {
  InputError,
  workspacePath
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+pipeline.js";
import {
  formatBytes,
  formatTag,
  info,
  openBentoStore,
  openModelStore,
  require_dist
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+pipeline.js";
import {
  __toESM
} from "./chunk.bento-build+bento-canary+bento-containerize+bento-push+cli+index.node+p-map+packageurl-js+pipeline.js";

// src/actions/steps/build.ts
import { join as join2 } from "node:path";

// src/actions/steps/cuda-override.ts
var import_yaml = __toESM(require_dist(), 1);
import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
async function withCudaVersion(original, cudaVersion, temp) {
  const none = { path: original, restore: (err) => err, cleanup: async () => void 0 };
  const text = await readFile(original, "utf8").catch(() => void 0);
  if (text === void 0) return none;
  const doc = import_yaml.default.parseDocument(text);
  if (doc.errors.length > 0 || !import_yaml.default.isMap(doc.contents)) return none;
  doc.setIn(["docker", "cuda_version"], cudaVersion);
  const copy = join(temp, `bentofile.cuda-${randomBytes(4).toString("hex")}.yaml`);
  await writeFile(copy, doc.toString());
  const shown = relative(process.cwd(), original) || original;
  return {
    path: copy,
    restore(err) {
      if (err instanceof Error) err.message = err.message.replaceAll(copy, `${shown} (with cuda-version)`);
      return err;
    },
    cleanup: () => rm(copy, { force: true })
  };
}

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
    await applyVerifyPolicy(run, env, request.verifyPolicy ?? "off", request, models, model);
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
    const context = workspacePath(env, request.context);
    const bentofile = request.bentofile ? workspacePath(env, request.bentofile) : join2(context, DEFAULT_BENTOFILE);
    const override = request.cudaVersion ? await withCudaVersion(bentofile, request.cudaVersion, env.temp) : void 0;
    if (override)
      info(`building with docker.cuda_version ${request.cudaVersion} (the cuda-version input)`);
    let result;
    try {
      result = await buildBento({
        home: env.home,
        bentofile: override?.path ?? bentofile,
        context,
        version: request.version,
        labels: request.labels,
        sourceDateEpoch: process.env["SOURCE_DATE_EPOCH"],
        log: (line) => info(line)
      });
    } catch (err) {
      throw override ? override.restore(err) : err;
    } finally {
      await override?.cleanup();
    }
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
