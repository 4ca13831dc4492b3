/**
 * The Sigstore trust root keyless verification checks against: the Fulcio CA certificates, Rekor and
 * CT log keys (a `TrustedRoot` JSON, media type application/vnd.dev.sigstore.trustedroot+json). Either
 * a file the user chose (offline, or a private Sigstore), or the public-good root from Sigstore's TUF
 * repository, which needs network access.
 */
import { readFile } from 'node:fs/promises';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { getTrustedRoot } from '@sigstore/tuf';
import { z } from 'zod';
import { BentoError, OptionError } from '../../core/errors.js';
import { option, say } from '../../core/user-text.js';

/** The outer shape, checked before protobuf-specs' fromJSON (which accepts nearly anything silently). */
const trustedRootJsonSchema = z
  .object({
    mediaType: z.string().regex(/^application\/vnd\.dev\.sigstore\.trustedroot(\.v0\.[0-9]+)?\+json/),
    certificateAuthorities: z
      .array(z.object({ certChain: z.object({ certificates: z.array(z.unknown()).min(1) }) }).passthrough())
      .min(1),
    tlogs: z.array(z.unknown()).optional(),
    ctlogs: z.array(z.unknown()).optional(),
  })
  .passthrough();

export const DEFAULT_TUF_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';

export interface TrustedRootSource {
  /** A TrustedRoot JSON file (option `trustedRoot`). */
  file?: string;
  /** TUF options for the default; tests point them at an unreachable mirror to check the message. */
  tufMirrorURL?: string;
  tufCachePath?: string;
}

export async function loadTrustedRoot(source: TrustedRootSource): Promise<TrustedRoot> {
  if (source.file !== undefined) return readTrustedRootFile(source.file);
  const mirror = source.tufMirrorURL ?? DEFAULT_TUF_MIRROR;
  try {
    return await getTrustedRoot({
      mirrorURL: mirror,
      ...(source.tufCachePath ? { cachePath: source.tufCachePath } : {}),
      retry: 0,
      timeout: 15_000,
    });
  } catch (err) {
    throw new BentoError(
      say`could not fetch Sigstore's trusted root through TUF from ${mirror} (${(err as Error).message}); this needs network access: to verify offline pass ${option('trustedRoot', 'FILE')} (a TrustedRoot JSON, e.g. \`cosign trusted-root create\` or trusted_root.json from a machine that reached TUF)`,
    );
  }
}

export async function readTrustedRootFile(file: string): Promise<TrustedRoot> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new OptionError(
      'trustedRoot',
      say`${option('trustedRoot', file)}: cannot read it as JSON (${(err as Error).message.split('\n')[0]}); pass a Sigstore TrustedRoot JSON file`,
    );
  }
  const parsed = trustedRootJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OptionError(
      'trustedRoot',
      say`${option('trustedRoot', file)} is not a Sigstore TrustedRoot (${issue?.path.join('.') || 'document'}: ${issue?.message}); expected mediaType application/vnd.dev.sigstore.trustedroot+json and at least one certificate authority`,
    );
  }
  return TrustedRoot.fromJSON(parsed.data);
}
