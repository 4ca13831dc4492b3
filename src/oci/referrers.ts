/**
 * The OCI 1.1 referrers API (`GET /v2/<name>/referrers/<digest>`): the manifests that name a digest as
 * their subject, as an image index. Registries without the API answer 404 or 405 (distribution 2.8
 * has no such route), or a 200 page that is not JSON; for them callers keep the referrers tag scheme
 * (`referrersTag`).
 */
import { BentoError } from '../core/errors.js';
import { MAX_MANIFEST_BYTES, readLimited } from './limits.js';
import { OCI_INDEX } from './media-types.js';
import { type ImageIndex, imageIndexSchema } from './schemas.js';
import type { RegistrySession } from './session.js';

/** The referrers of `digest` (only those of `artifactType` when given), or undefined without the API. */
export async function getReferrers(
  session: RegistrySession,
  repository: string,
  digest: string,
  scopes: string[],
  artifactType?: string,
): Promise<ImageIndex | undefined> {
  const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
  const res = await session.request(
    {
      method: 'GET',
      url: session.url(`/v2/${repository}/referrers/${digest}${query}`),
      headers: { accept: OCI_INDEX },
    },
    scopes,
  );
  if (res.status === 404 || res.status === 405) {
    await res.body.dump().catch(() => undefined);
    return undefined;
  }
  if (res.status !== 200) return session.fail(res, `listing referrers of ${repository}@${digest}`);
  const bytes = await readLimited(res, MAX_MANIFEST_BYTES, `referrers of ${repository}@${digest}`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    // A registry that answers unknown routes with a 200 HTML page has no referrers API either.
    return undefined;
  }
  const parsed = imageIndexSchema.safeParse(json);
  if (!parsed.success)
    throw new BentoError(
      `registry ${session.registry} answered the referrers API with something that is not an OCI index`,
    );
  return parsed.data;
}
