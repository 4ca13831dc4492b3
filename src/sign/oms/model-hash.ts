/**
 * Serializing a model as OMS `method: files` does: every regular file under the model root (or the
 * model itself when it is one file, named "."), hashed whole with sha256, minus the ignored paths;
 * resources sorted the way model_signing sorts its manifest (by path component, code point order),
 * and the subject digest over the resources' raw digests in that order.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BentoError } from '../../core/errors.js';
import {
  IN_TOTO_STATEMENT_TYPE,
  OMS_PREDICATE_TYPE,
  type OmsResource,
  type OmsSerialization,
  type OmsStatement,
} from './format.js';

export interface HashOptions {
  /** Absolute paths left out; a directory leaves out everything below it. */
  ignore: readonly string[];
  /** model_signing refuses symbolic links unless the signature allows them; then it follows them. */
  allowSymlinks: boolean;
}

/** The model's files as OMS resources, sorted; fails on what model_signing would refuse. */
export async function hashModel(modelPath: string, options: HashOptions): Promise<OmsResource[]> {
  const root = resolve(modelPath);
  const ignore = options.ignore.map((p) => resolve(p));
  const info = await lstat(root).catch(() => {
    throw new BentoError(`${modelPath}: no such file or directory to verify`);
  });
  if (info.isSymbolicLink() && !options.allowSymlinks)
    throw new BentoError(`${modelPath} is a symbolic link; point at the model itself`);
  const files: { path: string; name: string }[] = [];
  if ((await stat(root)).isFile()) {
    files.push({ path: root, name: '.' });
  } else {
    const realRoot = await realpath(root);
    await walk(root, root, realRoot, ignore, options.allowSymlinks, files);
  }
  if (files.length === 0)
    throw new BentoError(`${modelPath}: the model has no regular files after the ignored paths are left out`);
  const resources: OmsResource[] = [];
  for (const file of files)
    resources.push({ name: file.name, algorithm: 'sha256', digest: await sha256Of(file.path) });
  return sortResources(resources);
}

async function walk(
  root: string,
  dir: string,
  realRoot: string,
  ignore: readonly string[],
  allowSymlinks: boolean,
  out: { path: string; name: string }[],
): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (isIgnored(path, ignore)) continue;
    const name = relative(root, path).split(sep).join('/');
    if (entry.isSymbolicLink()) {
      if (!allowSymlinks)
        throw new BentoError(
          `${name} in the model is a symbolic link; OMS signatures with allow_symlinks false refuse them`,
        );
      const target = await realpath(path);
      if (target !== realRoot && !target.startsWith(realRoot + sep))
        throw new BentoError(`${name} in the model links outside the model (${target})`);
      const targetInfo = await stat(target);
      if (targetInfo.isFile()) out.push({ path, name });
      else
        throw new BentoError(`${name} in the model links to a directory; only links to files are followed`);
    } else if (entry.isDirectory()) {
      await walk(root, path, realRoot, ignore, allowSymlinks, out);
    } else if (entry.isFile()) {
      out.push({ path, name });
    } else {
      throw new BentoError(`${name} in the model is neither a file nor a directory`);
    }
  }
}

function isIgnored(path: string, ignore: readonly string[]): boolean {
  return ignore.some((p) => path === p || path.startsWith(p.endsWith(sep) ? p : p + sep));
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** The ignore paths of a signature (relative to the model) and extra ones, as absolute paths. */
export function ignoredPaths(modelPath: string, relativeToModel: readonly string[]): string[] {
  const root = resolve(modelPath);
  return relativeToModel.filter((p) => p !== '').map((p) => (isAbsolute(p) ? p : join(root, p)));
}

/** A resource name as model_signing reads it (a PurePosixPath): no empty or "." components. */
export function normalizeName(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  const joined = parts.join('/');
  if (name.startsWith('/')) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** model_signing's order: by path components, each compared by code point (Python str order). */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = Buffer.compare(Buffer.from(pa[i]!, 'utf8'), Buffer.from(pb[i]!, 'utf8'));
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

export function sortResources(resources: readonly OmsResource[]): OmsResource[] {
  return [...resources].sort((a, b) => comparePaths(a.name, b.name));
}

/** sha256 over the resources' digests (raw bytes), concatenated in the order given. */
export function rootDigest(resources: readonly OmsResource[]): string {
  const hash = createHash('sha256');
  for (const r of resources) hash.update(Buffer.from(r.digest, 'hex'));
  return hash.digest('hex');
}

/** The statement model_signing writes for these resources (field order as it writes them). */
export function omsStatement(
  modelName: string,
  resources: readonly OmsResource[],
  ignorePaths: readonly string[],
): OmsStatement {
  const sorted = sortResources(resources);
  const serialization: OmsSerialization = {
    method: 'files',
    hash_type: 'sha256',
    allow_symlinks: false,
    ignore_paths: [...new Set(ignorePaths)].sort(),
  };
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: modelName, digest: { sha256: rootDigest(sorted) } }],
    predicateType: OMS_PREDICATE_TYPE,
    predicate: {
      serialization,
      resources: sorted.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
    },
  };
}
