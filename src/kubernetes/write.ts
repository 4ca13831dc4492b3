/**
 * Writes a kustomize-ready directory: each file of objects as multi-document YAML, and a
 * kustomization.yaml that lists exactly those files. Each file is replaced atomically, so a reader
 * (or a concurrent kubectl) never sees half of one; files of ours from an earlier run that this run
 * does not produce are left alone, but no longer listed.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { writeFileAtomic } from '../core/files.js';
import type { ManifestFile } from './generate.js';

export const KUSTOMIZATION = 'kustomization.yaml';

export function toYaml(objects: readonly object[], header: string): string {
  const docs = objects.map((o) => YAML.stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }));
  return `# ${header}\n${docs.join('---\n')}`;
}

export function kustomizationOf(resources: readonly ManifestFile[], namespace?: string): object {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    ...(namespace ? { namespace } : {}),
    resources: resources.map((f) => f.path),
  };
}

/** Writes the files and kustomization.yaml into `dir`; returns every path written, kustomization last. */
export async function writeManifestDir(
  dir: string,
  files: { resources: readonly ManifestFile[]; extras: readonly ManifestFile[] },
  options: { header: string; namespace?: string },
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const file of [...files.resources, ...files.extras]) {
    const path = join(dir, file.path);
    await writeFileAtomic(path, toYaml(file.objects, options.header));
    written.push(path);
  }
  const kustomization = join(dir, KUSTOMIZATION);
  await writeFileAtomic(
    kustomization,
    toYaml([kustomizationOf(files.resources, options.namespace)], options.header),
  );
  written.push(kustomization);
  return written;
}
