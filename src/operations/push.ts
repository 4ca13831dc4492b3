/**
 * Push, for both front doors: a bento or model as an OCI artifact (or a model as a runnable image),
 * optionally an image from the engine, the release's tags; then the signatures (the entry's own as
 * OCI 1.1 referrers of the artifact, and, when asked to sign, the entry itself first and every
 * pushed manifest in cosign's format) and the attestations. Options are checked (push-options.ts),
 * the verify gate's trust and the signer loaded, before anything is sent; every registry session
 * opened is closed at the end.
 */
import { type Attestation, attestBento, attestImage, readAttestableImage } from '../attest/attest.js';
import { connectEngine } from '../containerize/engine.js';
import { formatBytes } from '../core/progress.js';
import type { EntryInfo, EntryStore } from '../core/store.js';
import { formatReference, type Reference } from '../oci/reference.js';
import { type ArtifactKind, bentoArtifact, modelArtifact } from '../registry/artifact-kinds.js';
import { type PushResult, pushEntry } from '../registry/artifact-push.js';
import { pushImage } from '../registry/image-push.js';
import { pushModelImage } from '../registry/model-image.js';
import type { TransferOptions } from '../registry/transfer.js';
import type { BentoInfo } from '../shared/schemas.js';
import {
  attachEntrySignatures,
  openSignatureRegistry,
  type RepositorySignatureRegistry,
} from '../sign/index.js';
import { parseOptions } from './options.js';
import { runGate } from './pull.js';
import {
  imageOf,
  type Published,
  type PushContext,
  type PushOutcome,
  type PushPlan,
  type PushSubject,
  planPush,
  pushOptionsSchema,
} from './push-options.js';
import { type Resources, withResources } from './resources.js';
import {
  attestationSignerOf,
  describeSigning,
  type Signing,
  signingOf,
  signManifest,
  signStoredEntry,
} from './sign.js';
import { transferOptions } from './transfer.js';
import { openVerifyGate } from './trust.js';

export {
  type Published,
  type PushContext,
  type PushOptionValues,
  type PushOutcome,
  type PushSubject,
  pushOptionsSchema,
} from './push-options.js';

const runStep = <T>(_title: string, work: () => Promise<T>): Promise<T> => work();

/**
 * Pushes `subject` as `values` (the push options, checked by pushOptionsSchema) ask. Bad options
 * fail as OptionErrors carrying their keys before anything is read from the store or sent.
 */
export async function push(
  subject: PushSubject,
  values: unknown,
  context: PushContext,
): Promise<PushOutcome> {
  const startedOn = new Date();
  const options = parseOptions(pushOptionsSchema, values);
  const planned = planPush(subject, options, context.env ?? process.env);
  // Whom the gate trusts and who signs are loaded before anything is read or sent.
  const gate = await openVerifyGate(options, context.keys);
  const signing = context.signing ?? (await signingOf(options, context.keys));
  const plan: PushPlan = { ...planned, signing };
  return withResources(async (resources) => {
    if (subject.kind !== 'image') {
      const store = subject.store as EntryStore<EntryInfo>;
      await runGate(gate, store, () => store.get(subject.tag), context.log);
    }
    return new PushRun(subject, plan, context, resources, startedOn).run();
  });
}

class PushRun {
  private readonly transfer: TransferOptions;
  private readonly step: NonNullable<PushContext['step']>;
  private readonly log: (line: string) => void;
  private readonly outcome: PushOutcome = { published: [], attestations: [] };

  constructor(
    private readonly subject: PushSubject,
    private readonly plan: PushPlan,
    private readonly context: PushContext,
    private readonly resources: Resources,
    private readonly startedOn: Date,
  ) {
    this.transfer = transferOptions(plan.options, context);
    this.step = context.step ?? runStep;
    this.log = context.log ?? (() => undefined);
    if (plan.signing) this.outcome.signedAs = describeSigning(plan.signing);
  }

  /** One signature session per registry, however many subjects it signs. */
  private registryFor(ref: Reference): Promise<RepositorySignatureRegistry> {
    const { insecure, caFile } = this.plan.options;
    return this.resources.shared(ref.registry, () =>
      openSignatureRegistry(
        ref,
        { insecure, ...(caFile ? { caFile } : {}) },
        { ...this.transfer, push: true },
      ),
    );
  }

  private publish(item: Published): void {
    this.outcome.published.push(item);
    this.context.published?.(item);
  }

  async run(): Promise<PushOutcome> {
    const { subject, plan } = this;
    // What attestations will describe is read first: an image they cannot describe fails before the push.
    const image = imageOf(subject);
    const docker = image && plan.options.attest.length > 0 ? await connectEngine() : undefined;
    const contents = docker && image ? await readAttestableImage(docker, image) : undefined;

    if (subject.kind === 'model' && plan.modelImage) {
      await this.pushModelImage(subject);
      return this.outcome;
    }
    const artifact = subject.kind === 'image' ? undefined : await this.pushEntry(subject);
    const imageTo = subject.kind === 'image' ? plan.to : plan.imageTo;
    const pushedImage =
      image && imageTo
        ? await this.step(`Push image ${image} to ${formatReference(imageTo)}`, () =>
            pushImage(image, imageTo, {
              ...this.transfer,
              ...plan.release,
              force: plan.options.force,
              tags: plan.options.tag,
              annotations: plan.options.annotation,
              ...(docker ? { docker } : {}),
            }),
          )
        : undefined;
    if (pushedImage) {
      this.outcome.image = pushedImage;
      for (const ref of pushedImage.references)
        this.publish({ kind: 'image', ref, digest: pushedImage.digest });
    }

    const subjects: Reference[] = [];
    if (artifact) subjects.push({ ...plan.to, tag: undefined, digest: artifact.result.digest });
    if (pushedImage && imageTo) subjects.push({ ...imageTo, tag: undefined, digest: pushedImage.digest });
    const signing = plan.signing;
    if (signing && plan.options.sign) {
      await this.step('Sign what was pushed', async () => {
        if (artifact) await this.attachSignatures(artifact.result, artifact.dir);
        for (const ref of subjects) await this.signPushed(ref, signing);
      });
    } else if (artifact) {
      await this.attachSignatures(artifact.result, artifact.dir);
    }

    if (signing && plan.options.attest.length > 0) {
      await this.step(`Attest what was pushed (${plan.options.attest.join(', ')})`, async () => {
        if (artifact && subject.kind === 'bento')
          this.recordAttestations(
            plan.to,
            await attestBento(
              await this.registryFor(plan.to),
              plan.to,
              artifact.result.digest,
              artifact.info as BentoInfo,
              this.attestOptions(signing),
            ),
          );
        if (pushedImage && imageTo && docker)
          this.recordAttestations(
            imageTo,
            await attestImage(
              await this.registryFor(imageTo),
              imageTo,
              pushedImage.digest,
              docker,
              pushedImage.id,
              { ...this.attestOptions(signing), ...(contents ? { contents } : {}) },
            ),
          );
      });
    }
    return this.outcome;
  }

  private async pushEntry(
    subject: PushSubject & { kind: 'bento' | 'model' },
  ): Promise<{ result: PushResult; dir: string; info: EntryInfo }> {
    const { plan } = this;
    const store = subject.store as EntryStore<EntryInfo>;
    const kind = (subject.kind === 'bento' ? bentoArtifact : modelArtifact) as ArtifactKind<EntryInfo>;
    const signing = plan.signing;
    if (signing && plan.options.sign) {
      await this.step(`Sign ${kind.noun} ${subject.tag}`, async () => {
        const { path } = await signStoredEntry(store, await store.get(subject.tag), signing);
        this.log(`signed ${kind.noun} ${subject.tag} ${describeSigning(signing)} (${path})`);
      });
    }
    const result = await this.step(`Push ${kind.noun} to ${formatReference(plan.to)}`, () =>
      pushEntry(kind, store, subject.tag, plan.to, {
        ...this.transfer,
        ...plan.release,
        force: plan.options.force,
      }),
    );
    this.outcome.artifact = result;
    for (const tag of result.tags)
      this.publish({
        kind: subject.kind,
        ref: formatReference({ registry: plan.to.registry, repository: plan.to.repository, tag }),
        digest: result.digest,
      });
    const entry = await store.get(result.tag);
    const at = formatReference({ ...plan.to, tag: undefined, digest: result.digest });
    this.log(`${kind.noun} ${result.tag} (${formatBytes(entry.info.size)}) is at ${at}`);
    return { result, dir: entry.dir, info: entry.info };
  }

  private async pushModelImage(subject: PushSubject & { kind: 'model' }): Promise<void> {
    const { plan } = this;
    const result = await this.step(
      `Push model ${subject.tag} as an image to ${formatReference(plan.to)}`,
      () =>
        pushModelImage(subject.store, subject.tag, plan.to, {
          ...this.transfer,
          ...plan.modelImage,
          ...plan.release,
          force: plan.options.force,
        }),
    );
    this.outcome.modelImage = result;
    for (const tag of result.tags)
      this.publish({
        kind: 'image',
        ref: formatReference({ registry: plan.to.registry, repository: plan.to.repository, tag }),
        digest: result.digest,
      });
  }

  /** The signatures stored beside the entry travel with it, as OCI 1.1 referrers of its artifact. */
  private async attachSignatures(pushed: PushResult, dir: string): Promise<void> {
    const to = this.plan.to;
    const attached = await attachEntrySignatures(
      await this.registryFor(to),
      to.repository,
      pushed.digest,
      dir,
    );
    const manifests = attached?.manifests ?? [];
    for (const digest of manifests)
      this.publish({ kind: 'signature', ref: formatReference({ ...to, tag: undefined, digest }), digest });
    if (manifests.length > 0) this.log(`attached ${manifests.length} signature manifest(s)`);
  }

  /** A cosign-format signature of a pushed manifest, so `cosign verify` and policy.json accept it. */
  private async signPushed(ref: Reference, signing: Signing): Promise<void> {
    const signed = await signManifest(
      await this.registryFor(ref),
      { registry: ref.registry, repository: ref.repository, digest: ref.digest! },
      signing,
    );
    this.publish({
      kind: 'signature',
      ref: formatReference({ registry: ref.registry, repository: ref.repository, tag: signed.signatureTag }),
      digest: signed.signatureManifestDigest,
    });
  }

  private attestOptions(signing: Signing) {
    return {
      kinds: this.plan.options.attest,
      signer: attestationSignerOf(signing),
      startedOn: this.startedOn,
      ...(this.context.env ? { env: this.context.env } : {}),
      log: this.log,
    };
  }

  private recordAttestations(to: Reference, attestations: Attestation[]): void {
    for (const a of attestations) {
      this.outcome.attestations.push(a);
      this.publish({
        kind: 'attestation',
        ref: formatReference({ ...to, tag: undefined, digest: a.manifest }),
        digest: a.manifest,
        attestation: a.kind,
      });
    }
  }
}
