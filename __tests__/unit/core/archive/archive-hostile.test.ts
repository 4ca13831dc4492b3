/**
 * Hostile and damaged archives: each is made from a real export with one thing changed, and each
 * must be refused with a one-line error naming the archive, leaving the target store as it was and
 * nothing written outside it.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEntry } from '../../../../src/core/archive/export.js';
import { importArchive } from '../../../../src/core/archive/import.js';
import { BentoError } from '../../../../src/core/errors.js';
import { openModelStore, saveModel } from '../../../../src/core/model-store.js';
import {
  type ArchiveManifestJson,
  file,
  packMembers,
  type RawMember,
  readMembers,
  sha256,
  withManifest,
  writeMembers,
} from '../../../support/archive-build.js';
import {
  assertCliBuilt,
  bentoci,
  removeTempDirs,
  snapshot,
  tempDir,
  writeExampleModels,
} from '../../../support/store-cli.js';

let work: string;
let good: string;
let members: RawMember[];

beforeAll(async () => {
  work = await tempDir('archive-hostile');
  const { iris } = await writeExampleModels(work);
  const source = openModelStore(join(work, 'source-home'));
  await saveModel(source, { tag: 'iris:v1', source: iris });
  good = join(work, 'good.bentomodel');
  await exportEntry(source, 'iris:v1', good, { log: () => undefined });
  members = await readMembers(good);
});

afterAll(removeTempDirs);

/** A target store that already holds another model, so "unchanged" means something. */
async function targetHome(): Promise<string> {
  const home = await tempDir('hostile-target');
  const { twoInputs } = await writeExampleModels(await tempDir('hostile-src'));
  await saveModel(openModelStore(home), { tag: 'other:v1', source: twoInputs });
  return home;
}

let counter = 0;
async function archiveOf(list: RawMember[], gzip = true): Promise<string> {
  const path = join(work, `hostile-${++counter}.bentomodel`);
  await writeMembers(path, list, gzip);
  return path;
}

/** Imports `archive` into a fresh target and expects a refusal matching `message`, with no change. */
async function expectRefused(archive: string, message: RegExp): Promise<BentoError> {
  const home = await targetHome();
  const before = await snapshot(home);
  const err = await importArchive(openModelStore(home), archive, { log: () => undefined }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BentoError);
  const { message: text } = err as BentoError;
  expect(text).toMatch(message);
  expect(text).not.toContain('\n');
  const after = await snapshot(home);
  expect(after.tree).toEqual(before.tree);
  expect(after.staging).toEqual([]);
  return err as BentoError;
}

const entryMember = (name: string) => members.find((m) => m.header.name === `entry/${name}`)!;
const without = (name: string) => members.filter((m) => m.header.name !== `entry/${name}`);

describe('archives with members that escape the entry', () => {
  it('refuses ../ paths, at the top and inside entry/', async () => {
    const victim = join(work, 'escaped.txt');
    await expectRefused(
      await archiveOf([...members, file('../escaped.txt', 'x')]),
      /member "\.\.\/escaped\.txt" climbs out with '\.\.'/,
    );
    await expectRefused(
      await archiveOf([...members, file('entry/../../escaped.txt', 'x')]),
      /climbs out with '\.\.'/,
    );
    expect(existsSync(victim)).toBe(false);
  });

  it('refuses absolute paths', async () => {
    const victim = join(work, 'absolute.txt');
    await expectRefused(await archiveOf([...members, file(victim, 'x')]), /is absolute/);
    expect(existsSync(victim)).toBe(false);
  });

  it('refuses symlinks, whatever they point at', async () => {
    const link = (name: string, target: string): RawMember => ({
      header: { name, type: 'symlink', linkname: target, mode: 0o777 },
      data: Buffer.alloc(0),
    });
    await expectRefused(
      await archiveOf([members[0]!, link('entry/weights', '/etc'), ...members.slice(1)]),
      /member "entry\/weights" is a symlink -> "\/etc"; archives may hold only regular files and directories/,
    );
    await expectRefused(await archiveOf([...members, link('entry/up', '../../..')]), /is a symlink/);
  });

  it('refuses hard links, whatever they point at', async () => {
    const hard: RawMember = {
      header: { name: 'entry/passwd', type: 'link', linkname: '/etc/passwd' },
      data: Buffer.alloc(0),
    };
    await expectRefused(
      await archiveOf([...members, hard]),
      /member "entry\/passwd" is a link -> "\/etc\/passwd"/,
    );
  });

  it('refuses device files and fifos', async () => {
    const device: RawMember = {
      header: { name: 'entry/null', type: 'character-device', devmajor: 1, devminor: 3 },
      data: Buffer.alloc(0),
    };
    await expectRefused(await archiveOf([...members, device]), /member "entry\/null" is a character-device/);
    const fifo: RawMember = { header: { name: 'entry/pipe', type: 'fifo' }, data: Buffer.alloc(0) };
    await expectRefused(await archiveOf([...members, fifo]), /is a fifo/);
  });
});

describe('archives whose content does not match the manifest', () => {
  it('refuses a member whose bytes differ from its recorded sha256', async () => {
    const original = entryMember('iris.onnx');
    const altered = Buffer.from(original.data);
    altered[altered.length - 1] = (altered[altered.length - 1]! + 1) % 256;
    const list = members.map((m) => (m === original ? { ...m, data: altered } : m));
    await expectRefused(await archiveOf(list), /entry\/iris\.onnx does not match its sha256 in the manifest/);
  });

  it('refuses a manifest listing a file that is missing', async () => {
    await expectRefused(
      await archiveOf(without('iris.onnx')),
      /is incomplete: entry\/iris\.onnx listed in its manifest is missing/,
    );
  });

  it('refuses an extra file that the manifest does not list', async () => {
    await expectRefused(
      await archiveOf([...members, file('entry/extra.bin', 'surprise')]),
      /member "entry\/extra\.bin" that its manifest does not list/,
    );
    await expectRefused(
      await archiveOf([...members, file('README', 'hi')]),
      /member "README" outside entry\//,
    );
  });

  it('refuses a duplicated member', async () => {
    await expectRefused(
      await archiveOf([...members, entryMember('iris.onnx')]),
      /holds "entry\/iris\.onnx" twice/,
    );
  });

  it('refuses a manifest rewritten to match altered content but not the entry digest', async () => {
    const altered = Buffer.from(entryMember('iris.onnx').data);
    altered[0] = (altered[0]! + 1) % 256;
    const list = withManifest(
      members.map((m) => (m.header.name === 'entry/iris.onnx' ? { ...m, data: altered } : m)),
      (manifest) => {
        manifest.files.find((f) => f.path === 'iris.onnx')!.sha256 = sha256(altered);
      },
    );
    // Refused by the manifest's own digest check (format 1) or, where the digest also covers
    // model.yaml, because model.yaml lists other files than the manifest does.
    await expectRefused(
      await archiveOf(list),
      /its manifest is inconsistent|the files listed in entry\/model\.yaml differ from the archive's manifest/,
    );
  });

  it('refuses a model.yaml that is not valid for its kind, even with matching digests', async () => {
    const info = entryMember('model.yaml');
    const broken = Buffer.from(info.data.toString().replace(/^module: .*$/m, 'module: ""'));
    const list = withManifest(
      members.map((m) => (m === info ? { ...m, data: broken } : m)),
      (manifest) => {
        const entry = manifest.files.find((f) => f.path === 'model.yaml')!;
        entry.sha256 = sha256(broken);
        manifest.size += broken.length - entry.size;
        entry.size = broken.length;
      },
    );
    await expectRefused(await archiveOf(list), /entry\/model\.yaml is not a valid model\.yaml: module:/);
  });

  it('refuses an archive for another kind of entry, or without the manifest first', async () => {
    await expectRefused(
      await archiveOf(
        withManifest(members, (m: ArchiveManifestJson) => {
          m.kind = 'bento';
        }),
      ),
      /holds a bento, not a model \(import it with `import-bento\(\)`\)/,
    );
    await expectRefused(
      await archiveOf([...members.slice(1), members[0]!]),
      /is not a bentoci archive: its first member is "entry\/model\.yaml"/,
    );
    await expectRefused(
      await archiveOf(
        withManifest(members, (m) => {
          m.tag = 'iris:latest';
        }),
      ),
      /names version "latest"/,
    );
  });
});

describe('damaged gzip and tar data', () => {
  it('refuses a truncated gzip with one line naming the archive', async () => {
    const bytes = await readFile(good);
    const cut = join(work, 'truncated.bentomodel');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    await expectRefused(
      cut,
      /archive ".*truncated\.bentomodel" is corrupt: its gzip data is damaged or truncated/,
    );
  });

  it('refuses a gzip with a damaged CRC trailer even though every member arrived', async () => {
    const bytes = Buffer.from(await readFile(good));
    bytes[bytes.length - 6] = (bytes[bytes.length - 6]! + 1) % 256;
    const path = join(work, 'bad-crc.bentomodel');
    await writeFile(path, bytes);
    await expectRefused(path, /is corrupt: its gzip data is damaged or truncated/);
  });

  it('refuses a truncated plain tar', async () => {
    const tarBytes = await packMembers(members);
    const path = join(work, 'truncated.tar');
    await writeFile(path, tarBytes.subarray(0, 512 + 300));
    await expectRefused(path, /is truncated: the tar data ends in the middle of a member/);
  });

  it('refuses bytes that are neither gzip nor tar', async () => {
    const path = join(work, 'noise.bentomodel');
    await writeFile(path, Buffer.alloc(4096, 'x'));
    await expectRefused(path, /is corrupt or not a tar archive/);
    const gz = join(work, 'noise.gz');
    await writeFile(gz, gzipSync(Buffer.alloc(4096, 'x')));
    await expectRefused(gz, /is corrupt or not a tar archive/);
  });
});

describe('the CLI on a hostile archive', () => {
  it('prints one line and exits 1, leaving the store unchanged', async () => {
    assertCliBuilt();
    const home = await targetHome();
    const before = await snapshot(home);
    const archive = await archiveOf([...members, file('../escaped.txt', 'x')]);
    const run = await bentoci(['models', 'import', archive], { home });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: archive "${archive}" is unsafe: member "../escaped.txt" climbs out with '..'; refusing to import it\n`,
    );
    expect(await snapshot(home)).toEqual(before);
  });
});
