/**
 * SLSA provenance v1 statements for what bentoci pushes: a bento as an OCI artifact and a bento's
 * image. externalParameters are the bento's resolved settings (what the bentofile asked for: service,
 * APIs, models, docker options; environment variable names, never values) and the workflow;
 * resolvedDependencies are the models by digest, the base images by digest and the source commit.
 */
import { formatReference, type Reference } from '../oci/reference.js';
import type { BentoInfo } from '../shared/schemas.js';
import { IN_TOTO_STATEMENT_TYPE } from '../sign/formats/in-toto.js';
import {
  BENTO_BUILD_TYPE,
  IMAGE_BUILD_TYPE,
  type ResourceDescriptor,
  SLSA_PROVENANCE_V1,
} from './formats.js';
import type { RunContext } from './run-context.js';
import type { AttestationSubject, Statement } from './statement.js';

/** A base image as containerize used it: the name in FROM and, when the engine knows it, its digest. */
export interface BaseImage {
  /** The FROM reference, e.g. node:24-trixie-slim. */
  name: string;
  /** The manifest digest it was pulled by (`sha256:...`), when known. */
  digest?: string;
  /** The stage that uses it (deps, bento). */
  stage: string;
  /** The engine's image ID (config digest): identifies a base never pulled from a registry. */
  id?: string;
}

export interface ProvenanceInput {
  subject: AttestationSubject;
  bento: BentoInfo;
  run: RunContext;
  startedOn: Date;
  finishedOn: Date;
  /** Images only. */
  image?: {
    reference: Reference;
    baseImages: BaseImage[];
    dockerfile: { source: 'stored' | 'rendered'; sha256: string };
  };
}

/** The bento's settings a build obeyed, without values that could be secrets (env values). */
export function bentoParameters(bento: BentoInfo): Record<string, unknown> {
  const { env: dockerEnv, ...docker } = bento.docker;
  return {
    name: bento.name,
    version: bento.version,
    service: {
      name: bento.service.name,
      ...(bento.service.module ? { module: bento.service.module } : {}),
      apis: bento.service.apis.map((api) => ({
        name: api.name,
        route: api.route,
        model: api.model,
        method: api.method,
        batching: api.batching,
      })),
    },
    models: bento.models.map((m) => m.tag),
    docker: { ...docker, ...(dockerEnv ? { env: Object.keys(dockerEnv).sort() } : {}) },
    envs: bento.envs.map((e) => e.name),
    node: { packages: bento.node.packages },
    ...(bento.resources ? { resources: bento.resources } : {}),
    labels: bento.labels,
  };
}

export function modelDependencies(bento: BentoInfo): ResourceDescriptor[] {
  return bento.models.map((m) => ({
    name: m.tag,
    uri: `bentoci:model/${m.tag}`,
    digest: { sha256: m.digest.replace(/^sha256:/, '') },
    annotations: { module: m.module, path: m.path, size: m.size },
  }));
}

/** `node:24-trixie-slim` -> `pkg:docker/node@24-trixie-slim` (the purl form buildx provenance uses). */
export function baseImageDependency(base: BaseImage): ResourceDescriptor {
  const at = base.name.indexOf('@');
  const named = at >= 0 ? base.name.slice(0, at) : base.name;
  const colon = named.lastIndexOf(':');
  const hasTag = colon > named.lastIndexOf('/');
  const name = hasTag ? named.slice(0, colon) : named;
  const version = hasTag ? named.slice(colon + 1) : 'latest';
  const digest = base.digest ?? (at >= 0 ? base.name.slice(at + 1) : undefined);
  return {
    uri: `pkg:docker/${name}@${encodeURIComponent(version)}`,
    ...(digest ? { digest: { sha256: digest.replace(/^sha256:/, '') } } : {}),
    annotations: { stage: base.stage, from: base.name, ...(base.id ? { imageId: base.id } : {}) },
  };
}

export function provenanceStatement(input: ProvenanceInput): Statement {
  const { bento, run, image } = input;
  const external: Record<string, unknown> = {
    bento: bentoParameters(bento),
    ...(image ? { image: formatReference(image.reference) } : {}),
    ...(run.workflow ? { workflow: run.workflow } : {}),
  };
  const dependencies: ResourceDescriptor[] = [
    ...(run.source ? [run.source] : []),
    ...modelDependencies(bento),
    ...(image ? image.baseImages.map(baseImageDependency) : []),
  ];
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: input.subject.name, digest: { sha256: input.subject.digest.slice('sha256:'.length) } }],
    predicateType: SLSA_PROVENANCE_V1,
    predicate: {
      buildDefinition: {
        buildType: image ? IMAGE_BUILD_TYPE : BENTO_BUILD_TYPE,
        externalParameters: external,
        internalParameters: {
          bentoDigest: bento.digest,
          bentociVersion: bento.bentoci_version,
          ...(image ? { dockerfile: image.dockerfile } : {}),
        },
        resolvedDependencies: dependencies,
      },
      runDetails: {
        builder: { id: run.builderId, version: run.builderVersion },
        metadata: {
          invocationId: run.invocationId,
          startedOn: input.startedOn.toISOString(),
          finishedOn: input.finishedOn.toISOString(),
        },
      },
    },
  };
}
