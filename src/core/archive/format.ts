/**
 * The layout of a `.bentomodel` / `.bento` archive (docs/archive-format.md):
 *
 *   bentoci-archive.json      first member: kind, tag, digest and the sha256 of every other member
 *   entry/model.yaml          the entry's info file
 *   entry/<content files>     as stored
 *   entry/.signatures/...     signatures, when the entry has any
 *
 * The manifest comes first so an importer can check every member against it while streaming. The
 * entry sits under `entry/` so no content file can collide with the manifest's name.
 */
import { z } from 'zod';
import { digestSchema, exactTagSchema, fileEntrySchema } from '../../shared/schemas.js';
import type { OperationName } from '../user-text.js';

export const MANIFEST_NAME = 'bentoci-archive.json';
export const ENTRY_DIR = 'entry';
export const FORMAT_NAME = 'bentoci-archive';
/** 2: `digest` is the entry digest over files and info file (src/core/digest.ts); 1 covered the files only. */
export const FORMAT_VERSION = 2;
/** Archives of bentoci 0.1, whose digest does not cover the info file: recognized, to be refused clearly. */
export const LEGACY_FORMAT_VERSION = 1;
/** A manifest lists paths and digests only; anything larger is not one of ours. */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export const archiveManifestSchema = z.object({
  format: z.literal(FORMAT_NAME),
  format_version: z.union([z.literal(FORMAT_VERSION), z.literal(LEGACY_FORMAT_VERSION)]),
  /** The store's noun: "model" or "bento". */
  kind: z.string().regex(/^[a-z]+$/),
  tag: exactTagSchema,
  /** The entry's digest (its info file's `digest`): over the content files and the info file's canonical form. */
  digest: digestSchema,
  /** The info file's name inside `entry/`: "model.yaml" or "bento.yaml". */
  info_file: z.string().min(1),
  /** Every member under `entry/`, paths relative to it: info file, content files and signatures. */
  files: z.array(fileEntrySchema),
  /** Sum of `files[].size`. */
  size: z.number().int().min(0),
  bentoci_version: z.string(),
});
export type ArchiveManifest = z.infer<typeof archiveManifestSchema>;

export const archiveFormatSchema = z.enum(['gz', 'tar']);
export type ArchiveFormat = z.infer<typeof archiveFormatSchema>;

/** GNU tar's `z` runs `gzip` at its default level 6; exports use the same so sizes and speed compare. */
export const DEFAULT_GZIP_LEVEL = 6;

/** `.bentomodel` for models and `.bento` for bentos, as BentoML names its exports. */
export function archiveExtension(noun: string): string {
  return noun === 'model' ? '.bentomodel' : `.${noun}`;
}

export function defaultArchiveName(noun: string, tag: { name: string; version: string }): string {
  return `${tag.name}-${tag.version}${archiveExtension(noun)}`;
}

/** The operation that imports a kind of entry, for messages that point to it. */
export function importOperation(noun: string): OperationName {
  return noun === 'model' ? 'import-model' : 'import-bento';
}

/** The operation that exports a kind of entry, for messages that point to it. */
export function exportOperation(noun: string): OperationName {
  return noun === 'model' ? 'export-model' : 'export-bento';
}

export function memberName(rel: string): string {
  return `${ENTRY_DIR}/${rel}`;
}
