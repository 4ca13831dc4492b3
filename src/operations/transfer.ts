/**
 * The options every registry operation takes (push, pull): who to log in as, how to reach the
 * registry, how much to move at once. Keys are the CLI flags in camelCase and map to the actions'
 * inputs (`username` -> `registry-username`).
 */
import { z } from 'zod';
import type { Reference } from '../oci/reference.js';
import { parseOciUrl } from '../oci/reference.js';
import type { TransferOptions } from '../registry/transfer.js';
import type { OptionChecks } from './option-checks.js';

export const connectionShape = {
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  insecure: z.boolean().default(false),
  caFile: z.string().min(1).optional(),
  parallel: z.number().int().min(1).max(64, 'at most 64').optional(),
  /** Seconds per request. */
  timeout: z.number().int().min(1).optional(),
};

export type ConnectionOptions = z.output<z.ZodObject<typeof connectionShape>>;

/** What the caller of an operation hands it besides its options. */
export interface RegistryContext {
  /** $BENTOCI_HOME: stores, partial downloads, config.yaml. */
  home: string;
  /** Progress and summary lines (stderr in the CLI, the job log in an action). */
  log?: (line: string) => void;
  /** Hides a secret in the front door's output (`::add-mask::` in Actions). */
  mask?: (secret: string) => void;
}

export function transferOptions(options: ConnectionOptions, context: RegistryContext): TransferOptions {
  if (options.password) context.mask?.(options.password);
  return {
    home: context.home,
    ...(context.log ? { log: context.log } : {}),
    ...(context.mask ? { mask: context.mask } : {}),
    ...(options.insecure ? { insecure: true } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(options.username ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.parallel ? { parallel: options.parallel } : {}),
    ...(options.timeout ? { timeoutMs: options.timeout * 1000 } : {}),
  };
}

function isReference(value: unknown): value is Reference {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Reference).registry === 'string' &&
    typeof (value as Reference).repository === 'string'
  );
}

/** A registry reference: `oci://host/repo[:tag]` text (the CLI), or one a front door parsed already (an action). */
export const referenceOption = z.union([
  z.string().min(1, 'is required'),
  z.custom<Reference>(isReference, 'expected oci://host[:port]/repository[:tag]'),
]);

/** The reference of option `key`, checked. */
export function referenceOf(
  checks: OptionChecks,
  key: string,
  value: string | Reference,
): Reference | undefined {
  return typeof value === 'string' ? checks.value(key, () => parseOciUrl(value, key)) : value;
}
