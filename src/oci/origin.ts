/**
 * Where a registry may send us, and what we may carry there. Credentials were given for one origin
 * (scheme, host and port); a URL the registry names (an upload Location, a Link to the next page, a
 * redirect to storage) may point anywhere, so it is followed without them, as containerd and
 * docker/distribution do.
 */
import { BentoError } from '../core/errors.js';

/** True when `url` (absolute) has the same scheme, host and port as `base`. */
export function sameOrigin(url: string | URL, base: string | URL): boolean {
  return new URL(url).origin === new URL(base).origin;
}

/**
 * `location` resolved against the URL of the reply that named it, refused unless it is plain
 * http(s) without user info: a registry must not make us open a file or present a password of its choosing.
 */
export function followUrl(location: string, replyUrl: string, registry: string, what: string): string {
  let url: URL;
  try {
    url = new URL(location, replyUrl);
  } catch {
    throw new BentoError(`registry ${registry} sent an invalid URL for ${what}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BentoError(
      `registry ${registry} sent a ${url.protocol.replace(/:$/, '')}: URL for ${what}: only http and https are followed`,
    );
  }
  if (url.username || url.password)
    throw new BentoError(`registry ${registry} sent a URL with user info for ${what}: refused`);
  return url.toString();
}

/**
 * Whether credentials (Basic, or a refresh token) may go to the token realm the registry named. Over
 * https the realm is authenticated by its certificate, so any host is fine (Docker Hub's realm is
 * auth.docker.io). Over plain http anyone on the path reads them, so only the registry's own host
 * qualifies, and only when the registry itself is spoken to over plain http (a local registry with
 * its token service on another port): a registry reached over https cannot downgrade them to http.
 */
export function realmMayReceiveCredentials(realm: URL, registryBase: string): boolean {
  if (realm.protocol === 'https:') return true;
  const base = new URL(registryBase);
  return realm.protocol === 'http:' && base.protocol === 'http:' && realm.hostname === base.hostname;
}
