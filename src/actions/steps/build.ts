/**
 * The build half shared by bento-build and the root action: models in (restored from the cache and
 * saved from files), the bento built, and the bento out to the cache when asked.
 */
import * as core from '@actions/core';
import { openBentoStore, type StoredBento } from '../../core/bento-store.js';
import { openModelStore } from '../../core/model-store.js';
import { formatBytes } from '../../core/progress.js';
import { formatTag } from '../../core/tag.js';
import { buildBentoEntry } from '../../operations/build.js';
import type { VerifyPolicy } from '../../sign/policy.js';
import { exportToCache } from '../cache-transfer.js';
import type { EntryRef, ModelSource } from '../input-fields.js';
import { InputError, type VerifyTrustInputs } from '../inputs.js';
import type { ActionRun } from '../run.js';
import { type RunnerEnv, workspacePath } from '../runner.js';
import { applyVerifyPolicy, importEntries, saveModels } from './entries.js';

export interface BuildRequest extends VerifyTrustInputs {
  bentofile?: string | undefined;
  context: string;
  version?: string | undefined;
  labels: Record<string, string>;
  cudaVersion?: string | undefined;
  models: ModelSource[];
  importModels: EntryRef[];
  importFrom?: 'cache' | undefined;
  exportTo?: 'cache' | undefined;
  /** false: models only (bento-build's `build` input); the root action always builds. */
  build?: boolean;
  /** Checks imported models' signatures (the root action), trusting a key or a keyless signer. */
  verifyPolicy?: VerifyPolicy | undefined;
  verifyInsecureIgnoreSct?: boolean | undefined;
}

export interface BuildOutcome {
  /** Absent with `build: false`. */
  bento?: StoredBento;
  reused: boolean;
  /** The models that go on: the bento's, or (no build) the ones this step saved or imported. */
  models: { tag: string; digest: string }[];
  cacheKey?: string;
}

export async function buildFlow(
  run: ActionRun,
  env: RunnerEnv,
  request: BuildRequest,
): Promise<BuildOutcome> {
  if (request.importModels.length > 0 && request.importFrom !== 'cache') {
    throw new InputError(
      'import-from',
      'must be cache when import-models is set (models come from the Actions cache)',
    );
  }
  const models = openModelStore(env.home);
  const imported = await importEntries(run, env, models, 'model', request.importModels);
  for (const model of imported) {
    await applyVerifyPolicy(run, env, request, models, model);
  }
  const saved = await saveModels(run, env, request.models);

  if (request.build === false) {
    const moved = [...imported, ...saved];
    if (request.exportTo === 'cache') {
      for (const model of saved) {
        const transfer = await run.step(`Export model ${formatTag(model.tag)} to the Actions cache`, () =>
          exportToCache(models, model, 'model', { workspace: env.workspace, log: (line) => core.info(line) }),
        );
        run.report.transfer(transfer);
      }
    }
    return { reused: false, models: moved.map((m) => ({ tag: formatTag(m.tag), digest: m.info.digest })) };
  }

  const { bento, reused } = await run.step('Build bento', async () => {
    const result = await buildBentoEntry(
      {
        bentofile: request.bentofile ? workspacePath(env, request.bentofile) : undefined,
        context: workspacePath(env, request.context),
        version: request.version,
        label: request.labels,
        cudaVersion: request.cudaVersion,
      },
      { home: env.home, temp: env.temp, log: (line) => core.info(line) },
    );
    const { info } = result.bento;
    core.info(
      `${result.reused ? 'reused identical' : 'built'} bento ${formatTag(result.bento.tag)} (${formatBytes(info.size)}, ${info.digest})`,
    );
    return result;
  });
  run.report.artifact({
    kind: 'bento',
    ref: formatTag(bento.tag),
    action: reused ? 'reused (identical build)' : 'built',
    digest: bento.info.digest,
    size: bento.info.size,
  });

  const bentoModels = bento.info.models.map((m) => ({ tag: m.tag, digest: m.digest }));
  if (request.exportTo !== 'cache') return { bento, reused, models: bentoModels };
  // The bento carries its models, so a later job needs only the bento.
  const transfer = await run.step('Export bento to the Actions cache', () =>
    exportToCache(openBentoStore(env.home), bento, 'bento', {
      workspace: env.workspace,
      log: (line) => core.info(line),
    }),
  );
  run.report.transfer(transfer);
  return { bento, reused, models: bentoModels, cacheKey: transfer.key };
}

export function buildOutputs(outcome: BuildOutcome) {
  const { bento } = outcome;
  return {
    tag: bento ? formatTag(bento.tag) : undefined,
    name: bento?.tag.name,
    version: bento?.tag.version,
    digest: bento?.info.digest,
    size: bento?.info.size,
    models: outcome.models.map((m) => `${m.tag}@${m.digest}`),
    'cache-key': outcome.cacheKey,
  };
}
