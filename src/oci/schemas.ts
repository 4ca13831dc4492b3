/** Registry replies, validated before use: manifests, indexes, errors and token responses. */
import { z } from 'zod';

const digest = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/);
const annotations = z.record(z.string(), z.string());

export const descriptorSchema = z.object({
  mediaType: z.string().min(1),
  digest,
  size: z.number().int().min(0),
  urls: z.array(z.string()).optional(),
  annotations: annotations.optional(),
  artifactType: z.string().optional(),
  platform: z
    .object({
      architecture: z.string(),
      os: z.string(),
      'os.version': z.string().optional(),
      'os.features': z.array(z.string()).optional(),
      variant: z.string().optional(),
    })
    .optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

/** OCI image manifest; Docker v2 schema 2 has the same shape with other media types. */
export const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotations.optional(),
});
export type ImageManifest = z.infer<typeof imageManifestSchema>;

/** OCI image index; a Docker manifest list has the same shape. */
export const imageIndexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotations.optional(),
});
export type ImageIndex = z.infer<typeof imageIndexSchema>;

export const errorBodySchema = z.object({
  errors: z
    .array(
      z.object({
        code: z.string().optional(),
        message: z.string().optional(),
        detail: z.unknown().optional(),
      }),
    )
    .optional(),
});

export const tokenResponseSchema = z
  .object({
    token: z.string().min(1).optional(),
    access_token: z.string().min(1).optional(),
    expires_in: z.number().int().positive().optional(),
  })
  .refine((r) => r.token || r.access_token, { message: 'neither token nor access_token is set' });

export const tagListSchema = z.object({ name: z.string(), tags: z.array(z.string()).nullable() });
