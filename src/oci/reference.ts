import { UsageError } from '../core/errors.js';
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

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST =
  /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::[0-9]{1,5})?$/;

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';

export function isDigest(text: string): boolean {
  return DIGEST.test(text);
}

export function validateTag(tag: string, input: string): string {
  if (!TAG.test(tag)) {
    throw new UsageError(
      `invalid ${input} "${tag}": a registry tag is 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`,
    );
  }
  return tag;
}

export function validateDigest(digest: string, input: string): string {
  if (!DIGEST.test(digest))
    throw new UsageError(`invalid ${input} "${digest}": expected sha256:<64 lowercase hex digits>`);
  return digest;
}

function validateRepository(repository: string, input: string, text: string): string {
  if (
    repository.length === 0 ||
    repository.length > 255 ||
    !repository.split('/').every((c) => COMPONENT.test(c))
  ) {
    throw new UsageError(
      `invalid ${input} "${text}": the repository "${repository}" must be lower-case path components of letters and digits separated by '.', '_', '__' or '-'`,
    );
  }
  return repository;
}

/** Splits `repo[:tag][@digest]` (the part after the host). */
function splitNameTagDigest(rest: string, input: string, text: string): Omit<Reference, 'registry'> {
  let name = rest;
  let digest: string | undefined;
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = validateDigest(name.slice(at + 1), input);
    name = name.slice(0, at);
  }
  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = validateTag(name.slice(colon + 1), input);
    name = name.slice(0, colon);
  }
  return {
    repository: validateRepository(name, input, text),
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/**
 * Refuses user info (`user:password@host`) before anything else looks at `text`, so no message can
 * quote it: credentials typed into a URL end up in shell history, process lists and CI logs.
 */
function refuseUserInfo(text: string, input: string): void {
  const shown = redactUserInfo(text);
  if (shown === text) return;
  throw new UsageError(
    `invalid ${input} "${shown}": a registry reference carries no credentials (an '@' only precedes a sha256 digest): pass --username with --password-stdin, set BENTOCI_REGISTRY_USER and BENTOCI_REGISTRY_PASSWORD, or run docker login`,
  );
}

/** Parses `oci://host[:port]/repo[:tag|@digest]`. */
export function parseOciUrl(text: string, input = '--to'): Reference {
  refuseUserInfo(text, input);
  if (!text.startsWith('oci://')) {
    throw new UsageError(
      `invalid ${input} "${text}": expected oci://host[:port]/repository[:tag], e.g. oci://ghcr.io/org/iris`,
    );
  }
  const rest = text.slice('oci://'.length).replace(/\/+$/, '');
  const slash = rest.indexOf('/');
  if (slash <= 0)
    throw new UsageError(
      `invalid ${input} "${text}": missing the repository after the host (oci://host/repository)`,
    );
  const registry = rest.slice(0, slash);
  if (!HOST.test(registry))
    throw new UsageError(`invalid ${input} "${text}": "${registry}" is not a host[:port]`);
  return { registry: registry.toLowerCase(), ...splitNameTagDigest(rest.slice(slash + 1), input, text) };
}

/**
 * Parses an image reference the way Docker does: the first component is a host when it has a '.'
 * or ':' or is `localhost`; otherwise the image is on Docker Hub (`library/` for one component).
 */
export function parseImageReference(text: string, input = 'image'): Reference {
  refuseUserInfo(text, input);
  if (text.startsWith('oci://')) return parseOciUrl(text, input);
  const slash = text.indexOf('/');
  const first = slash > 0 ? text.slice(0, slash) : '';
  const hasHost =
    first !== '' &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  if (hasHost && !HOST.test(first))
    throw new UsageError(`invalid ${input} "${text}": "${first}" is not a host[:port]`);
  const registry = hasHost ? first.toLowerCase() : DOCKER_HUB;
  const rest = hasHost ? text.slice(slash + 1) : text;
  const parsed = splitNameTagDigest(rest, input, text);
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
  return `${validateDigest(digest, 'digest').replace(':', '-')}.sig`;
}

/** The fallback tag of the OCI referrers scheme for registries without the referrers API: `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return validateDigest(digest, 'digest').replace(':', '-');
}
