/**
 * Pull with verification, for both front doors: a bento or model artifact into the store (every
 * blob checked against its digest, the entry committed atomically), the signatures attached to it
 * beside it, then the verify gate; what fails the gate does not stay in the store (unless the store
 * held that very entry before). Every registry session opened is closed at the end.
 */
import { z } from 'zod';
import type { BentoStore } from '../core/bento-store.js';
import type { ModelStore } from '../core/model-store.js';
import type { EntryInfo, EntryStore, StoredEntry } from '../core/store.js';
import type { Reference } from '../oci/reference.js';
import { type ArtifactKind, bentoArtifact, modelArtifact } from '../registry/artifact-kinds.js';
import { type PullResult, pullEntry } from '../registry/artifact-pull.js';
import {
  openSignatureRegistry,
  type PolicyOutcome,
  pullEntrySignatures,
  type VerifyTarget,
} from '../sign/index.js';
import { OptionChecks } from './option-checks.js';
import { parseOptions } from './options.js';
import { withResources } from './resources.js';
import {
  connectionShape,
  type RegistryContext,
  referenceOf,
  referenceOption,
  transferOptions,
} from './transfer.js';
import {
  checkVerifyGate,
  type KeyAccess,
  openVerifyGate,
  type VerifyGate,
  verifyGateShape,
} from './trust.js';

function entryTarget<I extends EntryInfo>(store: EntryStore<I>, entry: StoredEntry<I>): VerifyTarget {
  return {
    type: 'entry',
    store: store as unknown as EntryStore<EntryInfo>,
    entry: entry as unknown as StoredEntry<EntryInfo>,
  };
}

/**
 * Runs the verify gate on a stored entry (looked up only when the policy is not off); a verified
 * signature is logged, and under `warn` what failed is logged too.
 */
export async function runGate<I extends EntryInfo>(
  gate: VerifyGate,
  store: EntryStore<I>,
  entry: () => Promise<StoredEntry<I>>,
  log: ((line: string) => void) | undefined,
): Promise<PolicyOutcome> {
  const outcome = await gate.check(
    async () => entryTarget(store, await entry()),
    log ? (message) => log(`warning: ${message}`) : undefined,
  );
  if (outcome.status === 'verified') log?.(`signature verified (${outcome.by})`);
  return outcome;
}

/** The options of a pull; keys are the CLI's flags in camelCase. */
export const pullOptionsSchema = z
  .object({
    /** `oci://host/repo[:tag|@digest]`; without a tag or digest, the version of the tag pulled. */
    from: referenceOption,
    /** Replace a stored version whose content differs. */
    force: z.boolean().default(false),
    /** The gate the pulled entry passes before the pull counts as done. */
    ...verifyGateShape,
    ...connectionShape,
  })
  .superRefine(checkVerifyGate);

export type PullOptionValues = z.input<typeof pullOptionsSchema>;

/** What to pull into which store; `tag` (name:version) names it when `from` has no tag or digest. */
export type PullSubject =
  | { kind: 'bento'; store: BentoStore; tag?: string | undefined }
  | { kind: 'model'; store: ModelStore; tag?: string | undefined };

export interface PullContext extends RegistryContext {
  /** Where `env://NAME` keys are read (default: this process's environment). */
  keys?: KeyAccess;
}

export interface PullOutcome extends PullResult {
  /** Signatures (DSSE envelopes, Sigstore bundles) fetched beside the entry. */
  signatures: number;
  /** Where the entry is in the store. */
  dir: string;
  verification: PolicyOutcome;
}

export async function pull(
  subject: PullSubject,
  values: unknown,
  context: PullContext,
): Promise<PullOutcome> {
  const options = parseOptions(pullOptionsSchema, values);
  const checks = new OptionChecks();
  const from = referenceOf(checks, 'from', options.from);
  checks.done();
  const source = from as Reference;
  const gate = await openVerifyGate(options, context.keys);
  const store = subject.store as EntryStore<EntryInfo>;
  const kind = (subject.kind === 'bento' ? bentoArtifact : modelArtifact) as ArtifactKind<EntryInfo>;
  const transfer = transferOptions(options, context);
  const log = context.log ?? (() => undefined);

  return withResources(async (resources) => {
    const result = await pullEntry(kind, store, subject.tag, source, { ...transfer, force: options.force });
    const entry = await store.get(result.tag);
    let verification: PolicyOutcome = { status: 'skipped' };
    let signatures = 0;
    try {
      const registry = resources.use(
        await openSignatureRegistry(
          source,
          { insecure: options.insecure, ...(options.caFile ? { caFile: options.caFile } : {}) },
          transfer,
        ),
      );
      signatures = await pullEntrySignatures(registry, source.repository, result.digest, entry.dir);
      if (signatures > 0) log(`pulled ${signatures} signature(s) into ${entry.dir}`);
      verification = await runGate(gate, store, async () => entry, log);
    } catch (err) {
      // What failed the gate (or whose signatures could not be read) does not stay in the store,
      // unless it was there before the pull.
      if (!result.unchanged) await store.delete(result.tag);
      throw err;
    }
    return { ...result, signatures, dir: entry.dir, verification };
  });
}
