import { BentoError } from '../core/errors.js';

/**
 * A path from an artifact (layer title, tar entry) that may be written inside an entry directory:
 * relative, `/`-separated, no `..`, no empty or `.` segments, no backslashes or NUL.
 */
export function safeEntryPath(path: string, what: string): string {
  const problem =
    path.length === 0 || path.length > 4096
      ? 'is empty or too long'
      : path.startsWith('/')
        ? 'is absolute'
        : /[\\\0]/.test(path)
          ? 'has a backslash or NUL'
          : path.split('/').some((s) => s === '' || s === '.' || s === '..')
            ? "has an empty, '.' or '..' segment"
            : undefined;
  if (problem)
    throw new BentoError(
      `${what} names the path "${path.slice(0, 200)}", which ${problem}: refusing to write it`,
    );
  return path;
}
