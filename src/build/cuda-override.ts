/**
 * A CUDA version over the bentofile's docker.cuda_version. The build reads a bentofile from a path,
 * so the override is a copy of the user's bentofile with that one key set (comments and line numbers
 * kept, via YAML's document API) in a temp dir; the build context stays the user's project, and
 * messages that name the copy are rewritten to name the original and the option that changed it.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import YAML from 'yaml';
import { BentoError } from '../core/errors.js';
import { option, say, type TextPart, UserText } from '../core/user-text.js';

export interface BentofileOverride {
  path: string;
  /** Puts the original's name back into an error that names the copy. */
  restore(err: unknown): unknown;
  cleanup(): Promise<void>;
}

/** `cudaVersion` is a known release (src/build/cuda.ts); `key` is the option that asked for it. */
export async function withCudaVersion(
  original: string,
  cudaVersion: string,
  temp: string,
  key = 'cudaVersion',
): Promise<BentofileOverride> {
  const none: BentofileOverride = { path: original, restore: (err) => err, cleanup: async () => undefined };
  const text = await readFile(original, 'utf8').catch(() => undefined);
  // An unreadable or malformed bentofile is left to the build, which reports it against the original.
  if (text === undefined) return none;
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0 || !YAML.isMap(doc.contents)) return none;
  doc.setIn(['docker', 'cuda_version'], cudaVersion);
  const copy = join(temp, `bentofile.cuda-${randomBytes(4).toString('hex')}.yaml`);
  await writeFile(copy, doc.toString());
  const shown = say`${relative(process.cwd(), original) || original} (with ${option(key, cudaVersion)})`;
  const named = (part: TextPart): TextPart[] =>
    typeof part === 'string'
      ? part.split(copy).flatMap((piece, i) => (i === 0 ? [piece] : [...shown.parts, piece]))
      : [part];
  return {
    path: copy,
    restore(err) {
      if (!(err instanceof Error)) return err;
      if (err instanceof BentoError) {
        const text = new UserText(err.text.parts.flatMap(named));
        (err as { text: UserText }).text = text;
        err.message = text.render();
      } else err.message = err.message.replaceAll(copy, shown.render());
      return err;
    },
    cleanup: () => rm(copy, { force: true }),
  };
}
