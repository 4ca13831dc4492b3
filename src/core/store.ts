import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import type { FileEntry } from '../shared/schemas.js';
import { entryDigest, isLegacyDigest } from './digest.js';
import { IntegrityError, NotFoundError, UsageError } from './errors.js';
import { exists, manifestDigest, manifestOf, removeQuietly, writeFileAtomic } from './files.js';
import { formatTag, LATEST, parseTag, type Tag } from './tag.js';
import { operation, option, say, type UserText } from './user-text.js';

/** What every stored entry records about itself. */
export interface EntryInfo {
  name: string;
  version: string;
  creation_time: string;
  files: FileEntry[];
  size: number;
  digest: string;
}

export interface StoredEntry<I extends EntryInfo> {
  tag: Tag;
  dir: string;
  info: I;
}

export interface EntryKind<I extends EntryInfo> {
  /** Folder under the home and the word in messages: "models", "bentos". */
  folder: string;
  /** Singular noun for messages: "model", "bento". */
  noun: string;
  /** The info file in each entry: "model.yaml", "bento.yaml". */
  infoFile: string;
  schema: z.ZodType<I>;
  /**
   * What else the info obliges a consumer to read, checked against the entry's content files (by
   * path, in `files`) and `dir`: paths that must stay inside the entry and out of .signatures/,
   * copies that must agree. Empty when all is well.
   */
  checkInfo?(dir: string, info: I, files: ReadonlyMap<string, FileEntry>): Promise<Problem[]>;
}

/** Files in an entry's directory that are not content: the info file and signatures beside it. */
export const SIGNATURES_DIR = '.signatures';
const STAGING = '.staging';
const LATEST_FILE = 'latest';

export type Problem = {
  path: string;
  problem:
    | 'missing'
    | 'modified'
    | 'unexpected'
    | 'size'
    | 'unreadable'
    /** The recorded digest is bentoci 0.1's, over the files only: the metadata is vouched for by nothing. */
    | 'legacy-digest'
    /** A path in the metadata leaves the entry, reaches .signatures/ or names no content file. */
    | 'unsafe-path'
    /** Two things in the entry that must agree do not (bentofile.lock.yaml, a bundled model, the tag). */
    | 'inconsistent';
  /** One line saying what is wrong and, where there is one, the fix. */
  detail?: string;
};

/** Problems of an entry as one line, as `verify` prints them: `path problem (detail)`, comma-separated. */
export function describeProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.path} ${p.problem}${p.detail ? ` (${p.detail})` : ''}`).join(', ');
}

/**
 * A directory of `<name>/<version>/` entries with a `<name>/latest` pointer. New entries are staged
 * under `.staging/` on the same filesystem and renamed into place, so readers never see a part.
 */
export class EntryStore<I extends EntryInfo> {
  readonly root: string;

  constructor(
    home: string,
    readonly kind: EntryKind<I>,
  ) {
    this.root = join(home, kind.folder);
  }

  isContent = (rel: string): boolean =>
    rel !== this.kind.infoFile && !rel.startsWith(`${SIGNATURES_DIR}/`) && rel !== SIGNATURES_DIR;

  /** A fresh staging directory; the caller fills it and passes it to `commit`, or removes it. */
  async stage(): Promise<string> {
    const dir = join(
      this.root,
      STAGING,
      `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    );
    await mkdir(dir, { recursive: true });
    await this.sweepStaging();
    return dir;
  }

  /** Removes staging directories left by processes that died mid-write. */
  private async sweepStaging(): Promise<void> {
    const staging = join(this.root, STAGING);
    for (const name of await readdir(staging).catch(() => [] as string[])) {
      const pid = Number(name.split('-')[0]);
      if (pid && pid !== process.pid && !isAlive(pid)) await removeQuietly(join(staging, name));
    }
  }

  /**
   * Computes the manifest of a staged directory, writes the info file and moves it into place.
   * `build` receives the manifest, its total size and `digest`, the files-only digest (a component:
   * commit replaces the info's `digest` with the entry digest over files and metadata, src/core/digest.ts)
   * and returns the complete info. `hashedWhileStaged`: digests the caller took of the bytes as it
   * wrote them (see manifestOf). `expectDigest`: the entry digest the source recorded (an archive, a
   * registry); a different one refuses the entry, and so does metadata that fails `checkInfo`, with
   * `source` naming where it came from.
   */
  async commit(
    staged: string,
    tag: Tag,
    build: (content: { files: FileEntry[]; digest: string; size: number }) => I,
    options: {
      force?: boolean;
      moveLatest?: boolean;
      hashedWhileStaged?: readonly FileEntry[];
      expectDigest?: string;
      source?: string;
    } = {},
  ): Promise<StoredEntry<I>> {
    try {
      const hashed = options.hashedWhileStaged && new Map(options.hashedWhileStaged.map((f) => [f.path, f]));
      const files = await manifestOf(staged, (rel) => !this.isContent(rel) && rel !== SIGNATURES_DIR, hashed);
      const drafted = this.kind.schema.parse(
        build({ files, digest: manifestDigest(files), size: files.reduce((s, f) => s + f.size, 0) }),
      );
      // The digest is taken over the info as every reader will see it: through YAML and the schema.
      const read = this.kind.schema.parse(YAML.parse(YAML.stringify(drafted)));
      const info: I = { ...read, digest: entryDigest(this.kind.infoFile, read) };
      const what = options.source ?? `${this.kind.noun} ${formatTag(tag)}`;
      if (options.expectDigest !== undefined && info.digest !== options.expectDigest) {
        throw new IntegrityError(
          isLegacyDigest({ files: info.files, digest: options.expectDigest })
            ? `${what} was written by an earlier bentoci, whose digest (${options.expectDigest}) covers the files but not ${this.kind.infoFile}; refusing it: export or push it again from a store where it was ${this.kind.folder === 'models' ? 'saved' : 'built'} with this bentoci`
            : `${what}: ${this.kind.infoFile} and the files digest to ${info.digest}, not ${options.expectDigest} as recorded; the metadata or the files were altered`,
        );
      }
      const problems = await this.checkMetadata(
        { tag, dir: staged, info },
        new Map(files.map((f) => [f.path, f])),
      );
      if (problems.length > 0)
        throw new IntegrityError(`${what}: ${describeProblems(problems)}; refusing it`);
      await writeFileAtomic(join(staged, this.kind.infoFile), YAML.stringify(info));
      const target = this.dirOf(tag);
      await mkdir(join(this.root, tag.name), { recursive: true });
      if (await exists(target)) {
        if (!options.force) {
          throw new UsageError(
            say`${this.kind.noun} ${formatTag(tag)} already exists: saved tags are immutable (use ${option('force')} to replace it)`,
          );
        }
        const trash = `${staged}.replaced`;
        await rename(target, trash);
        await rename(staged, target);
        await removeQuietly(trash);
      } else {
        await rename(staged, target).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOTEMPTY' || err.code === 'EEXIST') {
            throw new UsageError(
              say`${this.kind.noun} ${formatTag(tag)} already exists: saved tags are immutable (use ${option('force')} to replace it)`,
            );
          }
          throw err;
        });
      }
      if (options.moveLatest !== false)
        await writeFileAtomic(join(this.root, tag.name, LATEST_FILE), `${tag.version}\n`);
      return { tag, dir: target, info };
    } finally {
      await removeQuietly(staged);
    }
  }

  dirOf(tag: Tag): string {
    return join(this.root, tag.name, tag.version);
  }

  /** Resolves `latest` and unique version prefixes to an exact tag in this store. */
  async resolve(text: string | Tag): Promise<Tag> {
    const tag = typeof text === 'string' ? parseTag(text) : text;
    const nameDir = join(this.root, tag.name);
    if (tag.version === LATEST) {
      const latest = (await readFile(join(nameDir, LATEST_FILE), 'utf8').catch(() => '')).trim();
      if (!latest)
        throw new NotFoundError(
          `${this.kind.noun} "${tag.name}" is not in the store (${this.root}); list them with \`bentoci ${this.kind.folder === 'models' ? 'models ' : ''}list\``,
        );
      return { name: tag.name, version: latest };
    }
    const versions = await this.versionsOf(tag.name);
    if (versions.includes(tag.version)) return tag;
    const matches = versions.filter((v) => v.startsWith(tag.version));
    if (matches.length === 1) return { name: tag.name, version: matches[0]! };
    if (matches.length > 1) {
      throw new UsageError(
        `${this.kind.noun} tag ${formatTag(tag)} is ambiguous: it matches ${matches.map((v) => `${tag.name}:${v}`).join(', ')}`,
      );
    }
    throw new NotFoundError(`${this.kind.noun} ${formatTag(tag)} is not in the store (${this.root})`);
  }

  async get(text: string | Tag): Promise<StoredEntry<I>> {
    const tag = await this.resolve(text);
    const dir = this.dirOf(tag);
    return { tag, dir, info: await this.readInfo(dir, tag) };
  }

  /** Like `get`, but undefined when the tag is not there. */
  async find(text: string | Tag): Promise<StoredEntry<I> | undefined> {
    try {
      return await this.get(text);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  async readInfo(dir: string, tag: Tag): Promise<I> {
    const path = join(dir, this.kind.infoFile);
    let raw: string;
    try {
      raw = await readFile(path, 'utf8');
    } catch {
      throw new IntegrityError(
        `${this.kind.noun} ${formatTag(tag)} is damaged: ${path} is missing (delete it and save it again)`,
      );
    }
    const parsed = this.kind.schema.safeParse(YAML.parse(raw));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new IntegrityError(
        `${this.kind.noun} ${formatTag(tag)} is damaged: ${path}: ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    return parsed.data;
  }

  async names(): Promise<string[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    return names.filter((n) => !n.startsWith('.')).sort();
  }

  async versionsOf(name: string): Promise<string[]> {
    const entries = await readdir(join(this.root, name), { withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  }

  /** Entries of one name or all, oldest first, keeping those whose labels match every filter. */
  async list(options: { name?: string; labels?: Record<string, string> } = {}): Promise<StoredEntry<I>[]> {
    return (await this.scan(options)).entries;
  }

  /**
   * One pass over the store: the readable entries (as `list` returns them) and the versions whose
   * info file is missing or invalid, which `list` cannot show and `verify` must report.
   */
  async scan(
    options: { name?: string; labels?: Record<string, string> } = {},
  ): Promise<{ entries: StoredEntry<I>[]; unreadable: Tag[] }> {
    const names = options.name ? [parseTag(options.name).name] : await this.names();
    const entries: StoredEntry<I>[] = [];
    const unreadable: Tag[] = [];
    for (const name of names) {
      for (const version of await this.versionsOf(name)) {
        const tag = { name, version };
        const dir = this.dirOf(tag);
        const info = await this.readInfo(dir, tag).catch(() => undefined);
        if (!info) {
          unreadable.push(tag);
          continue;
        }
        const labels = (info as { labels?: Record<string, string> }).labels ?? {};
        if (Object.entries(options.labels ?? {}).every(([k, v]) => labels[k] === v))
          entries.push({ tag, dir, info });
      }
    }
    entries.sort((a, b) =>
      a.info.creation_time === b.info.creation_time
        ? a.tag.version.localeCompare(b.tag.version)
        : a.info.creation_time.localeCompare(b.info.creation_time),
    );
    return { entries, unreadable };
  }

  /** Deletes one version, or every version of a name; `latest` moves to the newest one left. */
  async delete(text: string): Promise<Tag[]> {
    const parsed = parseTag(text);
    const explicitVersion = text.includes(':');
    const tags = explicitVersion
      ? [await this.resolve(parsed)]
      : (await this.versionsOf(parsed.name)).map((version) => ({ name: parsed.name, version }));
    if (tags.length === 0)
      throw new NotFoundError(`${this.kind.noun} "${parsed.name}" is not in the store (${this.root})`);
    const trashRoot = await this.stage();
    for (const tag of tags) await rename(this.dirOf(tag), join(trashRoot, tag.version));
    await removeQuietly(trashRoot);
    await this.repointLatest(parsed.name);
    return tags;
  }

  private async repointLatest(name: string): Promise<void> {
    const remaining = await this.list({ name });
    const newest = remaining.at(-1);
    if (newest) await writeFileAtomic(join(this.root, name, LATEST_FILE), `${newest.tag.version}\n`);
    else await rm(join(this.root, name), { recursive: true, force: true });
  }

  /**
   * What is wrong with the entry; empty when it is intact: files that differ from the recorded
   * manifest, then (when the files are right) the metadata: the digest over files and info file,
   * the tag, and the paths and copies the kind checks (see `checkMetadata`).
   */
  async verify(entry: StoredEntry<I>): Promise<Problem[]> {
    const actual = await manifestOf(entry.dir, (rel) => !this.isContent(rel) && rel !== SIGNATURES_DIR);
    const byPath = new Map(actual.map((f) => [f.path, f]));
    const problems: Problem[] = [];
    for (const expected of entry.info.files) {
      const found = byPath.get(expected.path);
      byPath.delete(expected.path);
      if (!found) problems.push({ path: expected.path, problem: 'missing' });
      else if (found.size !== expected.size) problems.push({ path: expected.path, problem: 'size' });
      else if (found.sha256 !== expected.sha256) problems.push({ path: expected.path, problem: 'modified' });
    }
    for (const path of byPath.keys()) problems.push({ path, problem: 'unexpected' });
    if (problems.length > 0) return problems;
    return this.checkMetadata(entry, new Map(actual.map((f) => [f.path, f])));
  }

  /**
   * The checks of an entry's metadata, given its content files (`files`, as on disk): it names the
   * entry it is stored as, its digest is the one over these files and this info (not bentoci 0.1's
   * files-only digest), and the kind's own checks pass (paths confined to the content files, copies
   * that agree). Hashes nothing but small files the kind reads (a bundled model.yaml, the lock file).
   */
  async checkMetadata(entry: StoredEntry<I>, files: ReadonlyMap<string, FileEntry>): Promise<Problem[]> {
    const { info, tag } = entry;
    const infoFile = this.kind.infoFile;
    const problems: Problem[] = [];
    if (info.name !== tag.name || info.version !== tag.version) {
      problems.push({
        path: infoFile,
        problem: 'inconsistent',
        detail: `it describes ${info.name}:${info.version}, stored as ${formatTag(tag)}`,
      });
    }
    const digest = entryDigest(infoFile, info);
    if (digest !== info.digest && isLegacyDigest(info)) {
      // All of it is of the old format (a bento's bundled models too): one problem, one fix.
      return [
        {
          path: infoFile,
          problem: 'legacy-digest',
          detail: `written by an earlier bentoci, whose digest covers the files but not ${infoFile}`,
        },
      ];
    }
    if (digest !== info.digest) {
      problems.push({
        path: infoFile,
        problem: 'modified',
        detail: `the files and ${infoFile} digest to ${digest}, not the recorded ${info.digest}`,
      });
    }
    if (this.kind.checkInfo) problems.push(...(await this.kind.checkInfo(entry.dir, info, files)));
    return problems;
  }

  /** How to get an entry of this kind written again, for messages. */
  private redoHint(tag: Tag): UserText {
    const again =
      this.kind.folder === 'models'
        ? say`delete it (${operation('delete-model', formatTag(tag))}) and save it again (${operation('save-model', `${formatTag(tag)} PATH`)} keeps the version)`
        : say`delete it (${operation('delete-bento', formatTag(tag))}) and build it again (${operation('build', undefined, { version: tag.version })} keeps the version)`;
    return say`${again}, or pull or import a copy written by this bentoci`;
  }

  /** Throws an IntegrityError naming the problems, so a damaged entry is never used silently. */
  async assertIntact(entry: StoredEntry<I>): Promise<void> {
    const problems = await this.verify(entry);
    if (problems.length > 0) throw this.refusal(entry, problems);
  }

  /**
   * Like `assertIntact` for the metadata alone, against the recorded file list: no content file is
   * hashed. For paths that check every file's bytes as they read them anyway (export, push).
   */
  async assertMetadata(entry: StoredEntry<I>): Promise<void> {
    const problems = await this.checkMetadata(entry, new Map(entry.info.files.map((f) => [f.path, f])));
    if (problems.length > 0) throw this.refusal(entry, problems);
  }

  private refusal(entry: StoredEntry<I>, problems: readonly Problem[]): IntegrityError {
    const what = `${this.kind.noun} ${formatTag(entry.tag)}`;
    const legacy = problems.find((p) => p.problem === 'legacy-digest');
    if (legacy && problems.length === 1)
      return new IntegrityError(
        say`${what} cannot be used: ${this.kind.infoFile} was ${legacy.detail}; ${this.redoHint(entry.tag)}`,
      );
    const list = problems
      .map((p) => `${p.path} (${p.detail ? `${p.problem}: ${p.detail}` : p.problem})`)
      .join(', ');
    return new IntegrityError(`${what} is damaged: ${list}; delete it and save or pull it again`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
