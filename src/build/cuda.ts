/**
 * CUDA toolkit releases a bento may ask for. A typo like "12.7" (there is no 12.7) or "21.4" fails at
 * build time instead of at `docker build`, when the base image tag turns out not to exist.
 * Add new releases here as NVIDIA publishes them.
 */
import { UsageError } from '../core/errors.js';

// biome-ignore format: one line per minor release reads like NVIDIA's archive
export const KNOWN_CUDA_RELEASES: readonly string[] = [
  '11.0.2', '11.0.3',
  '11.1.0', '11.1.1',
  '11.2.0', '11.2.1', '11.2.2',
  '11.3.0', '11.3.1',
  '11.4.0', '11.4.1', '11.4.2', '11.4.3', '11.4.4',
  '11.5.0', '11.5.1', '11.5.2',
  '11.6.0', '11.6.1', '11.6.2',
  '11.7.0', '11.7.1',
  '11.8.0',
  '12.0.0', '12.0.1',
  '12.1.0', '12.1.1',
  '12.2.0', '12.2.1', '12.2.2',
  '12.3.0', '12.3.1', '12.3.2',
  '12.4.0', '12.4.1',
  '12.5.0', '12.5.1',
  '12.6.0', '12.6.1', '12.6.2', '12.6.3',
  // NVIDIA skipped 12.7.
  '12.8.0', '12.8.1',
  '12.9.0', '12.9.1',
  '13.0.0', '13.0.1', '13.0.2',
  '13.1.0', '13.1.1',
  '13.2.0', '13.2.1',
  '13.3.0', '13.3.1',
  '13.4.0', '13.4.1', '13.4.2',
];

const FORM = /^(\d+)\.(\d+)(?:\.(\d+))?$/;

/**
 * Pins a requested CUDA version to a full release: "12.4" means the newest 12.4 patch (12.4.1);
 * "12.4.0" stays as given. Undefined when the version is not a known release.
 */
export function resolveCudaVersion(requested: string): string | undefined {
  const match = FORM.exec(requested.trim());
  if (!match) return undefined;
  const [, major, minor, patch] = match;
  const normal = `${Number(major)}.${Number(minor)}`;
  if (patch !== undefined) {
    const full = `${normal}.${Number(patch)}`;
    return KNOWN_CUDA_RELEASES.includes(full) ? full : undefined;
  }
  return KNOWN_CUDA_RELEASES.filter((r) => r.startsWith(`${normal}.`)).at(-1);
}

/** The one-line fix for an unknown version: the releases of the same major, or every minor. */
export function cudaVersionHint(requested: string): string {
  const major = /^(\d+)/.exec(requested.trim())?.[1];
  const sameMajor = KNOWN_CUDA_RELEASES.filter((r) => r.startsWith(`${major}.`));
  const minors = [
    ...new Set(
      (sameMajor.length ? sameMajor : KNOWN_CUDA_RELEASES).map((r) => r.split('.').slice(0, 2).join('.')),
    ),
  ];
  return `use a known CUDA release such as ${minors.join(', ')} (or major.minor.patch, e.g. ${sameMajor.at(-1) ?? KNOWN_CUDA_RELEASES.at(-1)})`;
}

export function requireCudaVersion(requested: string, where: string): string {
  const resolved = resolveCudaVersion(requested);
  if (!resolved)
    throw new UsageError(
      `${where}: "${requested}" is not a known CUDA release; ${cudaVersionHint(requested)}`,
    );
  return resolved;
}
