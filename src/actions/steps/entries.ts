/**
 * Getting models and bentos into this job's store: saving model files, restoring entries from the
 * Actions cache, checking the digest a workflow passed along, and the verify policy.
 */
import * as core from '@actions/core';
import { type BentoStore, openBentoStore, type StoredBento } from '../../core/bento-store.js';
import { IntegrityError } from '../../core/errors.js';
import type { StoredModel } from '../../core/model-store.js';
import { formatBytes } from '../../core/progress.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../../core/store.js';
import { formatTag, type Tag } from '../../core/tag.js';
import { saveModelEntry } from '../../operations/build.js';
import { importFromCache, type TransferKind } from '../cache-transfer.js';
import type { EntryRef, ModelSource } from '../input-fields.js';
import type { VerifyTrustInputs } from '../inputs.js';
import type { ActionRun } from '../run.js';
import { type RunnerEnv, workspacePath } from '../runner.js';
import { verifyGateFrom } from './keys.js';
import { verifyStep } from './verify.js';

/** Saves a model for each `name[:version]=path` line, paths relative to the workspace. */
export async function saveModels(
  run: ActionRun,
  env: RunnerEnv,
  sources: readonly ModelSource[],
): Promise<StoredModel[]> {
  if (sources.length === 0) return [];
  return run.step(`Save ${sources.length === 1 ? 'model' : `${sources.length} models`}`, async () => {
    const saved: StoredModel[] = [];
    for (const source of sources) {
      // With SOURCE_DATE_EPOCH the same file saves as the same entry (same digest, same cache key) in every run.
      const model = await saveModelEntry(
        { tag: source.tag, path: workspacePath(env, source.path) },
        { home: env.home },
      );
      core.info(
        `saved model ${formatTag(model.tag)} (${formatBytes(model.info.size)}, ${model.info.digest})`,
      );
      run.report.artifact({
        kind: 'model',
        ref: formatTag(model.tag),
        action: 'saved',
        digest: model.info.digest,
        size: model.info.size,
      });
      saved.push(model);
    }
    return saved;
  });
}

/** Restores each entry from the Actions cache into the store; a miss fails the step. */
export async function importEntries<I extends EntryInfo>(
  run: ActionRun,
  env: RunnerEnv,
  store: EntryStore<I>,
  kind: TransferKind,
  refs: readonly EntryRef[],
): Promise<StoredEntry<I>[]> {
  const out: StoredEntry<I>[] = [];
  for (const ref of refs) {
    const label = `${formatTag(ref.tag)}${ref.digest ? `@${ref.digest.slice(0, 19)}` : ''}`;
    const { transfer, entry } = await run.step(`Import ${kind} ${label} from the Actions cache`, () =>
      importFromCache(store, kind, ref, { workspace: env.workspace, log: (line) => core.info(line) }),
    );
    run.report.transfer(transfer);
    run.report.artifact({
      kind,
      ref: formatTag(entry.tag),
      action: 'imported',
      digest: entry.info.digest,
      size: entry.info.size,
    });
    out.push(entry);
  }
  return out;
}

export interface BentoRequest {
  bento: Tag;
  bentoDigest?: string | undefined;
  importFrom?: 'cache' | undefined;
}

/** The bento a containerize or push step works on, from the cache when asked, its digest checked. */
export async function obtainBento(
  run: ActionRun,
  env: RunnerEnv,
  request: BentoRequest,
): Promise<{ store: BentoStore; bento: StoredBento }> {
  const store = openBentoStore(env.home);
  const explicitVersion = request.bento.version !== 'latest';
  if (request.importFrom === 'cache') {
    const [bento] = await importEntries(run, env, store, 'bento', [
      {
        tag: request.bento,
        explicitVersion,
        ...(request.bentoDigest ? { digest: request.bentoDigest } : {}),
      },
    ]);
    return { store, bento: bento! };
  }
  const bento = await store.get(request.bento);
  await store.assertIntact(bento);
  if (request.bentoDigest && bento.info.digest !== request.bentoDigest) {
    throw new IntegrityError(
      `bento ${formatTag(bento.tag)} in the store has digest ${bento.info.digest}, not the bento-digest ${request.bentoDigest} this step was given`,
    );
  }
  return { store, bento };
}

/** `verify-policy` before acting on an entry: off skips, warn annotates, require fails the step. */
export async function applyVerifyPolicy<I extends EntryInfo>(
  run: ActionRun,
  env: RunnerEnv,
  inputs: VerifyTrustInputs,
  store: EntryStore<I>,
  entry: StoredEntry<I>,
): Promise<void> {
  const gate = await verifyGateFrom(inputs, env);
  const target = {
    type: 'entry' as const,
    store: store as unknown as EntryStore<EntryInfo>,
    entry: entry as unknown as StoredEntry<EntryInfo>,
  };
  await verifyStep(run, `${store.kind.noun} ${formatTag(entry.tag)}`, gate.policy, (warn) =>
    gate.check(() => target, warn),
  );
}
