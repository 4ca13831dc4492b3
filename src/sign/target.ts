/**
 * What sign and verify are pointed at: a model or bento in the store (`name[:version]`) or an
 * image/artifact in a registry (`oci://host/repo:tag`, `host:port/repo@sha256:...`).
 */
import { formatReference, parseImageReference, type Reference } from '../oci/reference.js';

export type ImageRef = Reference;

export type SignTarget = { type: 'entry'; tag: string } | { type: 'image'; ref: ImageRef };

/** Store tags never hold '/', so anything with one (or an oci:// URL) is a registry reference. */
export function parseSignTarget(text: string): SignTarget {
  if (text.startsWith('oci://') || text.includes('/'))
    return { type: 'image', ref: parseImageReference(text) };
  return { type: 'entry', tag: text };
}

export function formatImageRef(ref: ImageRef): string {
  return formatReference(ref);
}
