import semver from 'semver';
import { invalidValue } from '../core/invalid-value.js';
import { validateTag } from '../oci/reference.js';

/** The moving tags a release also points: `1.4` (minor), `1` (major), `latest`. */
export const RELEASE_TAG_KINDS = ['minor', 'major', 'latest'] as const;
export type ReleaseTagKind = (typeof RELEASE_TAG_KINDS)[number];

/** Parses the `releaseTags` option: `minor,major,latest` (any subset, or `none`). */
export function parseReleaseTagKinds(text: string): ReleaseTagKind[] {
  if (text.trim() === 'none') return [];
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const kind of kinds) {
    if (!(RELEASE_TAG_KINDS as readonly string[]).includes(kind)) {
      throw invalidValue('releaseTags', text, 'expected a comma list of minor, major, latest (or none)');
    }
  }
  return [...new Set(kinds)] as ReleaseTagKind[];
}

export interface ReleaseTags {
  /** The release itself, e.g. `1.4.2`: immutable like any version tag. */
  exact: string;
  /** Tags that move with each release: `1.4`, `1`, `latest`. */
  moving: string[];
}

/**
 * `1.4.2` -> exact `1.4.2`, moving `1.4`, `1`, `latest` (as `kinds` asks); a leading `v` is kept on
 * every tag (`v1.4.2` -> `v1.4`, `v1`). A pre-release (`1.5.0-rc.1`) moves nothing: `1.5` and `latest`
 * must not point at a candidate. Build metadata's `+` is not allowed in tags and becomes `-`.
 */
export function releaseTags(
  release: string,
  kinds: readonly ReleaseTagKind[] = RELEASE_TAG_KINDS,
): ReleaseTags {
  const parsed = semver.parse(release);
  if (!parsed) throw invalidValue('release', release, 'expected a semantic version such as 1.4.2');
  const prefix = release.startsWith('v') ? 'v' : '';
  const exact = validateTag(
    `${prefix}${parsed.version}${parsed.build.length > 0 ? `-${parsed.build.join('.')}` : ''}`,
    'release',
  );
  if (parsed.prerelease.length > 0) return { exact, moving: [] };
  const moving: string[] = [];
  for (const kind of kinds) {
    if (kind === 'minor') moving.push(`${prefix}${parsed.major}.${parsed.minor}`);
    if (kind === 'major') moving.push(`${prefix}${parsed.major}`);
    if (kind === 'latest') moving.push('latest');
  }
  return { exact, moving };
}
