/**
 * Image names for the `tag` and `cacheFrom` options, checked against Docker's reference grammar before the
 * build starts, so a bad tag cannot fail after the image is built.
 */
import { OptionError } from '../core/errors.js';
import { option, say } from '../core/user-text.js';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\\d+)?|\\[[0-9a-fA-F:]+\\](?::\\d+)?)';
const NAME = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;

export interface ImageName {
  repo: string;
  tag: string;
}

/**
 * `repo[:tag]` (tag `latest` when absent); digests are refused since a build cannot produce one.
 * `key` is the option that gave it, which a bad name is reported against.
 */
export function parseImageName(text: string, key = 'tag'): ImageName {
  const invalid = say`invalid ${option(key)} "${text}"`;
  if (text.includes('@'))
    throw new OptionError(key, say`${invalid}: a digest cannot be a build tag; use name:tag`);
  const slash = text.lastIndexOf('/');
  const colon = text.lastIndexOf(':');
  const [repo, tag] = colon > slash ? [text.slice(0, colon), text.slice(colon + 1)] : [text, 'latest'];
  const domainless =
    repo.includes('/') && /[.:]|^localhost$/.test(repo.split('/')[0]!)
      ? repo.split('/').slice(1).join('/')
      : repo;
  if (!NAME.test(repo) || repo.length > 255 || domainless !== domainless.toLowerCase()) {
    throw new OptionError(
      key,
      say`${invalid}: expected [registry/]name[:tag] with a lower-case name, e.g. ghcr.io/org/iris:1.0`,
    );
  }
  if (!TAG.test(tag)) {
    throw new OptionError(
      key,
      say`${invalid}: the tag "${tag}" must be letters, digits, '_', '.' or '-' (at most 128, not starting with '.' or '-')`,
    );
  }
  return { repo, tag };
}

export function formatImageName(name: ImageName): string {
  return `${name.repo}:${name.tag}`;
}
