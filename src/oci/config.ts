import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';

/**
 * The registry part of `$BENTOCI_HOME/config.yaml`. Like Docker's `insecure-registries`, hosts listed
 * under `registries.insecure` are spoken to over plain HTTP without `--insecure` on every command.
 */
const registryConfigSchema = z.looseObject({
  registries: z
    .object({
      insecure: z.array(z.string().regex(/^[^\s/]+$/, 'expected host or host:port')).optional(),
    })
    .optional(),
});

export async function insecureRegistries(home: string): Promise<string[]> {
  const path = join(home, 'config.yaml');
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const parsed = registryConfigSchema.safeParse(YAML.parse(raw) ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `invalid ${path}: ${issue?.path.join('.')}: ${issue?.message} (registries.insecure is a list of host:port)`,
    );
  }
  return (parsed.data.registries?.insecure ?? []).map((h) => h.toLowerCase());
}

/** True when `registry` (host:port) is listed, or its host alone is listed. */
export async function isInsecureRegistry(home: string, registry: string): Promise<boolean> {
  const listed = await insecureRegistries(home);
  const host = registry.replace(/:[0-9]+$/, '');
  return listed.includes(registry.toLowerCase()) || listed.includes(host.toLowerCase());
}
