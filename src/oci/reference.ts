import { invalidValue, noun, type ValueName } from '../core/invalid-value.js';
import { isSha256Digest } from '../core/sha256.js';
import { option, say } from '../core/user-text.js';
import { redactUserInfo } from './redact.js';

/**
 * A registry reference: `host[:port]/repo[:tag][@digest]`. Parsed from `oci://` URLs (our flags) or
 * from plain image references as Docker writes them (`ubuntu`, `ghcr.io/org/app:1.2`).
 */
export interface Reference {
  /** `host[:port]` as dialled, e.g. `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  registry: string;
  repository: string;
  tag?: string;
  /** `sha256:<hex>`; when set it wins over the tag. */
  digest?: string;
}

/** One path component of a repository name (the distribution spec's grammar). */
export const REPOSITORY_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A registry tag (the distribution spec's grammar): 1-128 characters, not starting with '.' or '-'. */
export const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** Why a tag fails OCI_TAG, for messages. */
export const OCI_TAG_RULE =
  "a registry tag is 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'";
/** `host[:port]`: a DNS name or a bracketed IPv6 address, with an optional port. */
export const REGISTRY_HOST =
  /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::[0-9]{1,5})?$/;

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';

export function isDigest(text: string): boolean {
  return isSha256Digest(text);
}

/** A registry tag; `name` is the option that set it (its key) or a noun (src/core/invalid-value.ts). */
export function validateTag(tag: string, name: ValueName): string {
  if (!OCI_TAG.test(tag)) throw invalidValue(name, tag, OCI_TAG_RULE);
  return tag;
}

export function validateDigest(digest: string, name: ValueName): string {
  if (!isSha256Digest(digest)) throw invalidValue(name, digest, 'expected sha256:<64 lowercase hex digits>');
  return digest;
}

function validateRepository(repository: string, name: ValueName, text: string): string {
  if (
    repository.length === 0 ||
    repository.length > 255 ||
    !repository.split('/').every((c) => REPOSITORY_COMPONENT.test(c))
  ) {
    throw invalidValue(
      name,
      text,
      `the repository "${repository}" must be lower-case path components of letters and digits separated by '.', '_', '__' or '-'`,
    );
  }
  return repository;
}

/** Splits `repo[:tag][@digest]` (the part after the host). */
function splitNameTagDigest(rest: string, name: ValueName, text: string): Omit<Reference, 'registry'> {
  let repository = rest;
  let digest: string | undefined;
  const at = repository.indexOf('@');
  if (at >= 0) {
    digest = validateDigest(repository.slice(at + 1), name);
    repository = repository.slice(0, at);
  }
  let tag: string | undefined;
  const colon = repository.lastIndexOf(':');
  if (colon > repository.lastIndexOf('/')) {
    tag = validateTag(repository.slice(colon + 1), name);
    repository = repository.slice(0, colon);
  }
  return {
    repository: validateRepository(repository, name, text),
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/**
 * Refuses user info (`user:password@host`) before anything else looks at `text`, so no message can
 * quote it: credentials typed into a URL end up in shell history, process lists and CI logs.
 */
function refuseUserInfo(text: string, name: ValueName): void {
  const shown = redactUserInfo(text);
  if (shown === text) return;
  throw invalidValue(
    name,
    shown,
    say`a registry reference carries no credentials (an '@' only precedes a sha256 digest): pass ${option('username')} with ${option('passwordStdin')}, set BENTOCI_REGISTRY_USER and BENTOCI_REGISTRY_PASSWORD, or run docker login`,
  );
}

/** Parses `oci://host[:port]/repo[:tag|@digest]`; `name` is the option it came in (`to` unless said). */
export function parseOciUrl(text: string, name: ValueName = 'to'): Reference {
  refuseUserInfo(text, name);
  if (!text.startsWith('oci://'))
    throw invalidValue(
      name,
      text,
      'expected oci://host[:port]/repository[:tag], e.g. oci://ghcr.io/org/iris',
    );
  const rest = text.slice('oci://'.length).replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  if (slash <= 0)
    throw invalidValue(name, text, 'missing the repository after the host (oci://host/repository)');
  const registry = rest.slice(0, slash);
  if (!REGISTRY_HOST.test(registry)) throw invalidValue(name, text, `"${registry}" is not a host[:port]`);
  return { registry: registry.toLowerCase(), ...splitNameTagDigest(rest.slice(slash + 1), name, text) };
}

/**
 * Parses an image reference the way Docker does: the first component is a host when it has a '.'
 * or ':' or is `localhost`; otherwise the image is on Docker Hub (`library/` for one component).
 */
export function parseImageReference(text: string, name: ValueName = noun('image')): Reference {
  refuseUserInfo(text, name);
  if (text.startsWith('oci://')) return parseOciUrl(text, name);
  const slash = text.indexOf('/');
  const first = slash > 0 ? text.slice(0, slash) : '';
  const hasHost =
    first !== '' &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  if (hasHost && !REGISTRY_HOST.test(first))
    throw invalidValue(name, text, `"${first}" is not a host[:port]`);
  const registry = hasHost ? first.toLowerCase() : DOCKER_HUB;
  const rest = hasHost ? text.slice(slash + 1) : text;
  const parsed = splitNameTagDigest(rest, name, text);
  if (registry === DOCKER_HUB && !parsed.repository.includes('/'))
    parsed.repository = `library/${parsed.repository}`;
  return { registry, ...parsed };
}

/** The host to dial: Docker Hub's API lives on another name than its references. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** The tag or digest to address: the digest when both are known. */
export function referenceTarget(ref: Reference): string | undefined {
  return ref.digest ?? ref.tag;
}

export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

export function withTarget(ref: Reference, target: { tag?: string; digest?: string }): Reference {
  return {
    registry: ref.registry,
    repository: ref.repository,
    ...(target.tag ? { tag: target.tag } : {}),
    ...(target.digest ? { digest: target.digest } : {}),
  };
}

/** The tag cosign uses for a signature of the manifest `digest`: `sha256-<hex>.sig`. */
export function signatureTag(digest: string): string {
  return `${validateDigest(digest, noun('digest')).replace(':', '-')}.sig`;
}

/** The fallback tag of the OCI referrers scheme for registries without the referrers API: `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return validateDigest(digest, noun('digest')).replace(':', '-');
}
