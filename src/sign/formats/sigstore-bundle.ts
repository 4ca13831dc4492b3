/**
 * A Sigstore bundle as we store and carry it: the JSON sigstore-js serializes, checked here only for
 * its outer shape. Anything finer (certificate encoding, tlog entries) is @sigstore/bundle's job at
 * verify time (keyless/verify.ts).
 */
import { z } from 'zod';

/** The media type of the bundles sigstore-js writes today; also the OCI artifactType used on push. */
export const SIGSTORE_BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** The media type names a bundle version, and there is verification material. */
export const sigstoreBundleJsonSchema = z
  .object({
    mediaType: z.string().regex(/^application\/vnd\.dev\.sigstore\.bundle(\.v0\.[0-9]+)?\+json/),
    verificationMaterial: z.record(z.string(), z.unknown()),
  })
  .catchall(z.unknown());
export type SigstoreBundleJson = z.infer<typeof sigstoreBundleJsonSchema>;
