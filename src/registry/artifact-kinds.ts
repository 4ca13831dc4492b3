import type { z } from 'zod';
import type { EntryInfo } from '../core/store.js';
import {
  BENTOCI_BENTO_ARTIFACT,
  BENTOCI_BENTO_CONFIG,
  BENTOCI_MODEL_ARTIFACT,
  BENTOCI_MODEL_CONFIG,
} from '../oci/media-types.js';
import { type BentoInfo, bentoInfoSchema, type ModelInfo, modelInfoSchema } from '../shared/schemas.js';

/** How one kind of store entry travels as an OCI artifact. */
export interface ArtifactKind<I extends EntryInfo> {
  noun: 'model' | 'bento';
  artifactType: string;
  configType: string;
  schema: z.ZodType<I>;
  /** The command that pulls this kind, for messages. */
  pullCommand: string;
}

export const modelArtifact: ArtifactKind<ModelInfo> = {
  noun: 'model',
  artifactType: BENTOCI_MODEL_ARTIFACT,
  configType: BENTOCI_MODEL_CONFIG,
  schema: modelInfoSchema,
  pullCommand: 'bentoci models pull',
};

export const bentoArtifact: ArtifactKind<BentoInfo> = {
  noun: 'bento',
  artifactType: BENTOCI_BENTO_ARTIFACT,
  configType: BENTOCI_BENTO_CONFIG,
  schema: bentoInfoSchema,
  pullCommand: 'bentoci pull',
};

export const artifactKinds = [modelArtifact, bentoArtifact] as const;
