/**
 * Sigstore's public-good trusted root without the network: the copy of `trusted_root.json` that
 * @sigstore/tuf ships as its TUF seed (the target file as of that package's release, installed with
 * the integrity the lockfile pins). It is what a TUF refresh starts from; keys that Sigstore rotated in
 * after the release are missing from it, which is why it is used only when asked for (offline).
 */
import { TrustedRoot } from '@sigstore/protobuf-specs';
import seeds from '@sigstore/tuf/seeds.json' with { type: 'json' };
import { BentoError } from '../../core/errors.js';
import { option, say } from '../../core/user-text.js';

const PUBLIC_GOOD_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';

export function seededTrustedRoot(): TrustedRoot {
  const encoded = (seeds as Record<string, { targets?: Record<string, string> }>)[PUBLIC_GOOD_MIRROR]
    ?.targets?.['trusted_root.json'];
  if (!encoded)
    throw new BentoError(
      say`@sigstore/tuf ships no trusted_root.json seed for the public-good instance; pass ${option('trustedRoot', 'FILE')}`,
    );
  return TrustedRoot.fromJSON(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')));
}
