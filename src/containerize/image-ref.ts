/**
 * Image names for the `tag` and `cacheFrom` options, checked against Docker's reference grammar before the
 * build starts, so a bad tag cannot fail after the image is built.
 */
import { invalidValue, type ValueName } from '../core/invalid-value.js';
import { OCI_TAG } from '../oci/reference.js';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\\d+)?|\\[[0-9a-fA-F:]+\\](?::\\d+)?)';
const NAME = new RegExp(`^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*$`);

export interface ImageName {
  repo: string;
  tag: string;
}

/**
 * `repo[:tag]` (tag `latest` when absent); digests are refused since a build cannot produce one.
 * `name` is the option that gave it (its key), which a bad name is reported against.
 */
export function parseImageName(text: string, name: ValueName = 'tag'): ImageName {
  if (text.includes('@')) throw invalidValue(name, text, 'a digest cannot be a build tag; use name:tag');
  const slash = text.lastIndexOf('/');
  const colon = text.lastIndexOf(':');
  const [repo, tag] = colon > slash ? [text.slice(0, colon), text.slice(colon + 1)] : [text, 'latest'];
  const domainless =
    repo.includes('/') && /[.:]|^localhost$/.test(repo.split('/')[0]!)
      ? repo.split('/').slice(1).join('/')
      : repo;
  if (!NAME.test(repo) || repo.length > 255 || domainless !== domainless.toLowerCase()) {
    throw invalidValue(
      name,
      text,
      'expected [registry/]name[:tag] with a lower-case name, e.g. ghcr.io/org/iris:1.0',
    );
  }
  if (!OCI_TAG.test(tag)) {
    throw invalidValue(
      name,
      text,
      `the tag "${tag}" must be letters, digits, '_', '.' or '-' (at most 128, not starting with '.' or '-')`,
    );
  }
  return { repo, tag };
}

export function formatImageName(name: ImageName): string {
  return `${name.repo}:${name.tag}`;
}
