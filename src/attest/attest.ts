/**
 * Attesting what was pushed: provenance and SBOM statements about the pushed manifest, signed into
 * Sigstore bundles and attached as OCI 1.1 referrers (artifactType
 * application/vnd.dev.sigstore.bundle.v0.3+json, annotations dev.sigstore.bundle.content and
 * .predicateType): the layout `cosign attest` v3 writes and `cosign verify-attestation` and
 * `oras discover` find. Registries without the referrers API get the `sha256-<hex>` tag index.
 */
import type Dockerode from 'dockerode';
import { renderDockerfile } from '../containerize/render.js';
import { BentoError, OptionError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';
import { sha256Digest } from '../oci/manifests.js';
import { ANNOTATION_CREATED } from '../oci/media-types.js';
import type { Reference } from '../oci/reference.js';
import type { BentoInfo } from '../shared/schemas.js';
import { SIGSTORE_BUNDLE_V03_MEDIA_TYPE } from '../sign/formats/sigstore-bundle.js';
import { attachEnvelopes } from '../sign/registry/referrers.js';
import type { SignatureRegistry } from '../sign/registry/signature-registry.js';
import { resolveBaseImages } from './base-images.js';
import {
  ATTESTATION_KINDS,
  type AttestationKind,
  BUNDLE_CONTENT_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
} from './formats.js';
import { type ImageContents, readImageContents } from './image-contents.js';
import { provenanceStatement } from './provenance.js';
import { runContext } from './run-context.js';
import { sbomStatement } from './sbom.js';
import { type AttestationSigner, signAttestation } from './sign.js';
import { type Statement, statementBytes } from './statement.js';

export interface AttestOptions {
  kinds: AttestationKind[];
  signer: AttestationSigner;
  /** When the command that pushed started (provenance startedOn). */
  startedOn: Date;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface Attestation {
  kind: AttestationKind;
  predicateType: string;
  /** Digest of the referrer manifest holding the signed bundle. */
  manifest: string;
  /** "referrers" when the registry indexes it, else the fallback tag. */
  indexedBy: 'referrers' | { tag: string };
}

/**
 * What an image holds, read before it is pushed so that an image attestations cannot describe (no
 * bento in it) fails the command before anything is sent.
 */
export async function readAttestableImage(docker: Dockerode, image: string): Promise<ImageContents> {
  const contents = await readImageContents(docker, image);
  if (!contents.bento) throw notABentoImage(image);
  return contents;
}

function notABentoImage(image: string): OptionError {
  return new OptionError(
    'attest',
    say`image ${image} holds no bento.yaml (it was not containerized from a bento): ${option('attest')} describes images of bentos only`,
  );
}

const subjectName = (ref: Reference) => `${ref.registry}/${ref.repository}`;

/** Provenance and/or SBOM of a bento pushed as an artifact to `ref` (`digest`: the pushed manifest). */
export async function attestBento(
  registry: SignatureRegistry,
  ref: Reference,
  digest: string,
  bento: BentoInfo,
  options: AttestOptions,
): Promise<Attestation[]> {
  const subject = { name: subjectName(ref), digest };
  const run = await runContext(bento.creation_time, options.env ? { env: options.env } : {});
  const statements = await Promise.all(
    options.kinds.map((kind) =>
      kind === 'provenance'
        ? provenanceStatement({ subject, bento, run, startedOn: options.startedOn, finishedOn: new Date() })
        : sbomStatement({ subject, bento, now: new Date() }),
    ),
  );
  return attachStatements(registry, ref, digest, statements, options);
}

/**
 * Provenance and/or SBOM of an image in the engine pushed to `ref`. The bento, its Dockerfile and the
 * packages are read from the image itself, so they describe what was pushed, wherever it was built.
 */
export async function attestImage(
  registry: SignatureRegistry,
  ref: Reference,
  digest: string,
  docker: Dockerode,
  image: string,
  options: AttestOptions & { contents?: ImageContents },
): Promise<Attestation[]> {
  const contents = options.contents ?? (await readAttestableImage(docker, image));
  const bento = contents.bento;
  if (!bento) throw notABentoImage(image);
  const subject = { name: subjectName(ref), digest };
  const run = await runContext(bento.creation_time, options.env ? { env: options.env } : {});
  const dockerfile = contents.dockerfile ?? renderDockerfile(bento);
  const statements: Statement[] = [];
  for (const kind of options.kinds) {
    if (kind === 'sbom') {
      if (contents.dpkg === undefined)
        options.log?.(`image ${image} has no /var/lib/dpkg/status: its SBOM lists no OS packages`);
      statements.push(await sbomStatement({ subject, bento, contents, now: new Date() }));
      continue;
    }
    const baseImages = await resolveBaseImages(docker, image, dockerfile);
    for (const base of baseImages.filter((b) => !b.digest))
      options.log?.(
        `base image ${base.name} (stage ${base.stage}): no registry digest for it in the engine; provenance names it without one`,
      );
    statements.push(
      provenanceStatement({
        subject,
        bento,
        run,
        startedOn: options.startedOn,
        finishedOn: new Date(),
        image: {
          reference: ref,
          baseImages,
          dockerfile: {
            source: contents.dockerfile !== undefined ? 'stored' : 'rendered',
            sha256: sha256Digest(Buffer.from(dockerfile)).slice(7),
          },
        },
      }),
    );
  }
  return attachStatements(registry, ref, digest, statements, options);
}

async function attachStatements(
  registry: SignatureRegistry,
  ref: Reference,
  digest: string,
  statements: Statement[],
  options: AttestOptions,
): Promise<Attestation[]> {
  const found = await registry.getManifest(ref.repository, digest);
  if (!found) throw new BentoError(`cannot attest: ${subjectName(ref)}@${digest} is not in the registry`);
  const subject = { mediaType: found.mediaType, digest: found.digest, size: found.bytes.length };
  const attestations: Attestation[] = [];
  for (const statement of statements) {
    const bundle = await signAttestation(statementBytes(statement), options.signer);
    const attached = await attachEnvelopes(registry, ref.repository, subject, [
      {
        envelope: bundle,
        mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
        annotations: {
          [BUNDLE_CONTENT_ANNOTATION]: 'dsse-envelope',
          [BUNDLE_PREDICATE_TYPE_ANNOTATION]: statement.predicateType,
          [ANNOTATION_CREATED]: new Date().toISOString(),
        },
      },
    ]);
    const kind = statement.predicateType === ATTESTATION_KINDS.provenance ? 'provenance' : 'sbom';
    attestations.push({
      kind,
      predicateType: statement.predicateType,
      manifest: attached.manifests[0]!,
      indexedBy: attached.indexedBy,
    });
    options.log?.(`attached ${kind} attestation ${attached.manifests[0]} to ${subjectName(ref)}@${digest}`);
  }
  return attestations;
}
