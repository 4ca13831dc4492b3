import type { z } from 'zod';
import type { EntryInfo } from '../core/store.js';
import type { OperationName } from '../core/user-text.js';
import {
  BENTOCI_BENTO_ARTIFACT_V2,
  BENTOCI_BENTO_CONFIG,
  BENTOCI_MODEL_CONFIG,
  MODELPACK_CONFIG,
  MODELPACK_MANIFEST,
  MODELPACK_OLD_TYPE_PREFIX,
  MODELPACK_TYPE_PREFIX,
} from '../oci/media-types.js';
import { type BentoInfo, bentoInfoSchema, type ModelInfo, modelInfoSchema } from '../shared/schemas.js';

/**
 * How an entry is laid out in the registry when pushed: a model as a CNCF ModelPack artifact, a bento
 * in bentoci's own format; both with one titled layer per file, the info file included.
 */
export type ArtifactLayout = 'modelpack' | 'bentoci';

/** How one kind of store entry travels as an OCI artifact. */
export interface ArtifactKind<I extends EntryInfo> {
  noun: 'model' | 'bento';
  layout: ArtifactLayout;
  /** The info file (model.yaml, bento.yaml): pushed as a layer of its own, under this title. */
  infoFile: string;
  /** What push writes. */
  artifactType: string;
  configType: string;
  /** Config media types pull reads: what push writes, and older layouts. */
  readsConfigTypes: readonly string[];
  schema: z.ZodType<I>;
  /** The command that pulls this kind, for messages. */
  pullOperation: OperationName;
}

export const modelArtifact: ArtifactKind<ModelInfo> = {
  noun: 'model',
  layout: 'modelpack',
  infoFile: 'model.yaml',
  artifactType: MODELPACK_MANIFEST,
  configType: MODELPACK_CONFIG,
  readsConfigTypes: [
    MODELPACK_CONFIG,
    MODELPACK_CONFIG.replace(MODELPACK_TYPE_PREFIX, MODELPACK_OLD_TYPE_PREFIX),
    BENTOCI_MODEL_CONFIG,
  ],
  schema: modelInfoSchema,
  pullOperation: 'pull-model',
};

export const bentoArtifact: ArtifactKind<BentoInfo> = {
  noun: 'bento',
  layout: 'bentoci',
  infoFile: 'bento.yaml',
  artifactType: BENTOCI_BENTO_ARTIFACT_V2,
  configType: BENTOCI_BENTO_CONFIG,
  readsConfigTypes: [BENTOCI_BENTO_CONFIG],
  schema: bentoInfoSchema,
  pullOperation: 'pull-bento',
};

export const artifactKinds = [modelArtifact, bentoArtifact] as const;
