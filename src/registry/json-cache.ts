import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../core/files.js';
import { ociDir } from './transfer.js';

/**
 * A small JSON map under `$BENTOCI_HOME/.oci/` that only ever holds hints (each one is checked
 * against the registry before it is trusted), so a missing or damaged file just starts empty.
 */
export class JsonCache<V> {
  private constructor(
    private readonly path: string,
    private readonly schema: z.ZodType<Record<string, V>>,
    private data: Record<string, V>,
    private readonly limit: number,
  ) {}

  static async load<V>(
    home: string,
    name: string,
    schema: z.ZodType<Record<string, V>>,
    limit = 10_000,
  ): Promise<JsonCache<V>> {
    const path = join(ociDir(home), name);
    let data: Record<string, V> = {};
    try {
      data = schema.parse(JSON.parse(await readFile(path, 'utf8')));
    } catch {
      // Missing or damaged: start empty.
    }
    return new JsonCache(path, schema, data, limit);
  }

  get(key: string): V | undefined {
    return this.data[key];
  }

  set(key: string, value: V): void {
    delete this.data[key];
    this.data[key] = value;
    const keys = Object.keys(this.data);
    for (const old of keys.slice(0, Math.max(0, keys.length - this.limit))) delete this.data[old];
  }

  async save(): Promise<void> {
    let merged = this.data;
    try {
      const current = this.schema.parse(JSON.parse(await readFile(this.path, 'utf8')));
      merged = { ...current, ...this.data };
    } catch {
      // Nothing to merge.
    }
    await writeFileAtomic(this.path, JSON.stringify(merged));
  }
}
