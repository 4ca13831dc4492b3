/**
 * Reading the files of an entry's `.signatures/` directory, shared by the key-based envelopes and the
 * keyless bundles: a file that does not parse is named, not dropped, so verify can say which one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { SIGNATURES_DIR } from '../../core/store.js';

export interface SignatureFile<T> {
  /** File name inside `.signatures/`. */
  file: string;
  value: T;
}

/** The files ending in `suffix` that `schema` accepts, in name order; the others are in `malformed`. */
export async function readSignatureFiles<T>(
  dir: string,
  suffix: string,
  schema: z.ZodType<T>,
): Promise<{ files: SignatureFile<T>[]; malformed: string[] }> {
  const sigDir = join(dir, SIGNATURES_DIR);
  const names = (await readdir(sigDir).catch(() => [] as string[])).filter((n) => n.endsWith(suffix)).sort();
  const files: SignatureFile<T>[] = [];
  const malformed: string[] = [];
  for (const file of names) {
    const parsed = schema.safeParse(await readJson(join(sigDir, file)));
    if (parsed.success) files.push({ file, value: parsed.data });
    else malformed.push(file);
  }
  return { files, malformed };
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}
