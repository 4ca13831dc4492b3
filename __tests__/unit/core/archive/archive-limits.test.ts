/**
 * What an archive may cost the importer (issue #16, findings 7 and 12): the declared size against
 * --max-size and the free space, each member against its declared size, decompression against what
 * the manifest accounts for (no megabytes of zeros before, between or after the members), and an
 * archive of an entry already stored read and checked all the same. Archives are real exports with
 * one thing changed, or tar-stream builds of their members; sizes are small so each test takes seconds.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEntry } from '../../../../src/core/archive/export.js';
import { importArchive } from '../../../../src/core/archive/import.js';
import { parseByteSize } from '../../../../src/core/archive/limits.js';
import { openBentoStore } from '../../../../src/core/bento-store.js';
import { BentoError, IntegrityError, UsageError } from '../../../../src/core/errors.js';
import { openModelStore, saveModel } from '../../../../src/core/model-store.js';
import {
  file,
  packMembers,
  type RawMember,
  readMembers,
  sha256,
  withManifest,
} from '../../../support/archive-build.js';
import {
  bentoci,
  removeTempDirs,
  snapshot,
  tempDir,
  writeExampleModels,
} from '../../../support/store-cli.js';

const MiB = 1024 * 1024;
const quiet = { log: () => undefined };

let work: string;
/** A model whose one file is 10 MiB of zeros: its gzip export is a few KiB. */
let zerosArchive: string;
/** A small real model (iris), as members, for the decompression tests. */
let irisMembers: RawMember[];

beforeAll(async () => {
  work = await tempDir('archive-limits');
  const home = join(work, 'source-home');
  const store = openModelStore(home);
  const zeros = join(work, 'weights.bin');
  await writeFile(zeros, Buffer.alloc(10 * MiB));
  await saveModel(store, { tag: 'zeros:v1', source: zeros });
  zerosArchive = join(work, 'zeros.bentomodel');
  await exportEntry(store, 'zeros:v1', zerosArchive, quiet);
  const { iris } = await writeExampleModels(work);
  await saveModel(store, { tag: 'iris:v1', source: iris });
  const irisArchive = join(work, 'iris.bentomodel');
  await exportEntry(store, 'iris:v1', irisArchive, quiet);
  irisMembers = await readMembers(irisArchive);
});

afterAll(removeTempDirs);

let counter = 0;
async function written(bytes: Buffer, ext = '.bentomodel'): Promise<string> {
  const path = join(work, `limits-${++counter}${ext}`);
  await writeFile(path, bytes);
  return path;
}

/** Bytes below `home`'s staging directories, sampled every few milliseconds until stopped. */
function watchStaging(home: string): { stop: () => Promise<number> } {
  let max = 0;
  let running = true;
  const sample = async () => {
    const root = join(home, 'models', '.staging');
    let total = 0;
    for (const entry of await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])) {
      if (entry.isFile())
        total += (await stat(join(entry.parentPath, entry.name)).catch(() => ({ size: 0 }))).size;
    }
    max = Math.max(max, total);
  };
  const loop = (async () => {
    while (running) {
      await sample();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return max;
    },
  };
}

/** Imports into a fresh home and expects a refusal matching `message`, with the store unchanged. */
async function expectRefused(
  archive: string,
  message: RegExp,
  options: { maxSize?: number } = {},
): Promise<{ error: BentoError; maxStaged: number; ms: number }> {
  const home = await tempDir('limits-target');
  await mkdir(join(home, 'models'), { recursive: true });
  const before = await snapshot(home);
  const watch = watchStaging(home);
  const start = Date.now();
  const error = await importArchive(openModelStore(home), archive, { ...quiet, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const ms = Date.now() - start;
  const maxStaged = await watch.stop();
  expect(error, 'the import was refused').toBeInstanceOf(BentoError);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).not.toContain('\n');
  const after = await snapshot(home);
  expect(after.tree).toEqual(before.tree);
  expect(after.staging).toEqual([]);
  return { error: error as BentoError, maxStaged, ms };
}

describe('the size an archive declares', () => {
  it('refuses an archive that expands past --max-size before writing any of it', async () => {
    // The gzip bomb in small: a few KiB that would become 10 MiB on disk.
    expect((await stat(zerosArchive)).size).toBeLessThan(64 * 1024);
    const { maxStaged } = await expectRefused(
      zerosArchive,
      /^archive ".*zeros\.bentomodel" declares 10\.0 MiB of files, more than the import limit of 1\.0 MiB; pass a larger `maxSize` if you expect an entry that big$/,
      { maxSize: MiB },
    );
    expect(maxStaged).toBe(0);
    // Under a limit it fits, the same archive imports.
    const home = await tempDir('limits-fits');
    const imported = await importArchive(openModelStore(home), zerosArchive, { ...quiet, maxSize: 16 * MiB });
    expect(imported.outcome).toBe('imported');
  });

  it('refuses a wrong-digest member having written at most its declared size, or nothing past --max-size', async () => {
    // Two content files: a 2 MiB member whose bytes are altered, then 8 MiB that never get written.
    const home = await tempDir('limits-two');
    const dir = join(work, 'two-files');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'a.bin'), randomBytes(2 * MiB));
    await writeFile(join(dir, 'b.bin'), randomBytes(8 * MiB));
    await saveModel(openModelStore(home), { tag: 'two:v1', source: dir });
    const good = join(work, 'two.tar');
    await exportEntry(openModelStore(home), 'two:v1', good, { ...quiet, format: 'tar' });
    const members = await readMembers(good);
    const altered = members.map((m) => {
      if (m.header.name !== 'entry/a.bin') return m;
      const data = Buffer.from(m.data);
      data[data.length - 1] = (data[data.length - 1]! + 1) % 256;
      return { ...m, data };
    });
    const archive = await written(await packMembers(altered), '.tar');

    const refused = await expectRefused(
      archive,
      /entry\/a\.bin does not match its sha256 in the manifest .*altered or damaged/,
    );
    expect(refused.error).toBeInstanceOf(IntegrityError);
    // Only a.bin (and model.yaml before it) ever reached the disk: not b.bin, not more than declared.
    expect(refused.maxStaged).toBeLessThanOrEqual(2 * MiB + 64 * 1024);

    // Past --max-size the same archive is refused from its manifest, before a byte is staged.
    const capped = await expectRefused(
      archive,
      /declares 10\.0 MiB of files, more than the import limit of 1\.0 MiB/,
      {
        maxSize: MiB,
      },
    );
    expect(capped.maxStaged).toBe(0);
  });

  it('refuses an archive that declares more than the free space where it would be staged', async () => {
    // A signature entry (not content, so the entry's digest still holds) declared at 1 PiB.
    const huge = withManifest(irisMembers, (m) => {
      m.files.push({ path: '.signatures/huge.sig', sha256: sha256(Buffer.alloc(0)), size: 2 ** 50 });
      m.size += 2 ** 50;
    });
    const archive = await written(gzipSync(await packMembers(huge)));
    const { maxStaged } = await expectRefused(
      archive,
      /declares 1024\.0 TiB of files but only .* is free where the store stages it \(.*\.staging.*\); free some space or point BENTOCI_HOME elsewhere$/,
      { maxSize: 2 ** 51 },
    );
    expect(maxStaged).toBe(0);
  });
});

describe('decompression is bounded by what the manifest accounts for', () => {
  const zeros = Buffer.alloc(32 * MiB);

  it('stops at zeros after the tar end instead of inflating them all', async () => {
    const tarBytes = await packMembers(irisMembers);
    // 32 MiB of zeros gzip to ~32 KiB: the archive is small, its inflation is not.
    const archive = await written(gzipSync(Buffer.concat([tarBytes, zeros])));
    expect((await stat(archive)).size).toBeLessThan(MiB);
    const { ms } = await expectRefused(
      archive,
      /holds more data than its manifest accounts for \(over .* of tar bytes, after its last member\); refusing to read further$/,
    );
    expect(ms).toBeLessThan(10_000);
  });

  it('stops at zeros hidden before the manifest or between members', async () => {
    const before = await written(gzipSync(Buffer.concat([zeros, await packMembers(irisMembers)])));
    await expectRefused(before, /holds more data than its manifest accounts for \(.*before the manifest\)/);

    // tar-stream (like GNU tar with -i) reads on past zero blocks: a manifest-only tar, zeros, then the rest.
    const [manifest, ...rest] = irisMembers;
    const between = await written(
      gzipSync(Buffer.concat([await packMembers([manifest!]), zeros, await packMembers(rest)])),
    );
    await expectRefused(between, /holds more data than its manifest accounts for \(.*in its members\)/);
  });

  it('takes zeros after the gzip stream as padding, as gzip does, and reads no further', async () => {
    // Tape tools pad the compressed stream to a block; gzip(1) ignores trailing zeros.
    const archive = await written(Buffer.concat([gzipSync(await packMembers(irisMembers)), zeros]));
    const start = Date.now();
    const result = await importArchive(openModelStore(await tempDir('limits-gz-pad')), archive, quiet);
    expect(result.outcome).toBe('imported');
    expect(Date.now() - start).toBeLessThan(10_000);
  });

  it('still accepts the record padding real tar tools add after the end blocks', async () => {
    // GNU tar and bsdtar pad to 10 KiB records; `tar -b 64` to 32 KiB.
    const tarBytes = await packMembers(irisMembers);
    const padded = Buffer.concat([tarBytes, Buffer.alloc(32 * 1024 - (tarBytes.length % (32 * 1024)))]);
    for (const bytes of [padded, gzipSync(padded)]) {
      const home = await tempDir('limits-padded');
      const result = await importArchive(openModelStore(home), await written(bytes), quiet);
      expect(result.outcome).toBe('imported');
    }
  });
});

describe('an archive of an entry already in the store', () => {
  it('is still read and checked: a tampered or incomplete copy fails, an intact one is "already present"', async () => {
    const home = await tempDir('limits-present');
    const intact = await written(gzipSync(await packMembers(irisMembers)));
    await importArchive(openModelStore(home), intact, quiet);
    const before = await snapshot(home);

    const tampered = irisMembers.map((m) => {
      if (!m.header.name.endsWith('.onnx')) return m;
      const data = Buffer.from(m.data);
      data[data.length - 1] = (data[data.length - 1]! + 1) % 256;
      return { ...m, data };
    });
    const err = await importArchive(
      openModelStore(home),
      await written(gzipSync(await packMembers(tampered))),
      quiet,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect((err as Error).message).toMatch(/iris\.onnx does not match its sha256 in the manifest/);

    const incomplete = irisMembers.filter((m) => !m.header.name.endsWith('.onnx'));
    const missing = await importArchive(
      openModelStore(home),
      await written(gzipSync(await packMembers(incomplete))),
      quiet,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((missing as Error).message).toMatch(
      /is incomplete: entry\/iris\.onnx listed in its manifest is missing/,
    );
    expect(await snapshot(home)).toEqual(before);

    // Altered members with the manifest's sha256 rewritten to match (its digest left as stored).
    const rehashed = (list: RawMember[], name: string, change: (data: Buffer) => Buffer) => {
      const changed = list.map((m) =>
        m.header.name === `entry/${name}` ? file(m.header.name, change(m.data)) : m,
      );
      const data = changed.find((m) => m.header.name === `entry/${name}`)!.data;
      return withManifest(changed, (m) => {
        const entry = m.files.find((f) => f.path === name)!;
        m.size += data.length - entry.size;
        entry.sha256 = sha256(data);
        entry.size = data.length;
      });
    };
    const refusals = [
      [
        rehashed(irisMembers, 'iris.onnx', (d) => Buffer.concat([d, Buffer.from('x')])),
        // Caught by the manifest's own digest check where it still has one, else against the stored entry.
        /(its files differ from those of model iris:v1|its manifest is inconsistent)/,
      ],
      [
        rehashed(irisMembers, 'model.yaml', (d) =>
          Buffer.from(d.toString('utf8').replace('labels: {}', 'labels: { stage: prod }')),
        ),
        /entry\/model\.yaml differs from the model\.yaml of model iris:v1, already stored under the same digest/,
      ],
    ] as const;
    for (const [list, message] of refusals) {
      const error = await importArchive(
        openModelStore(home),
        await written(gzipSync(await packMembers([...list]))),
        quiet,
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as Error).message).toMatch(message);
    }

    const again = await importArchive(openModelStore(home), intact, quiet);
    expect(again.outcome).toBe('already-present');
    expect(await snapshot(home)).toEqual(before);
  });
});

describe('an archive of the other kind', () => {
  it('names the command that imports it: `bentoci import` for bentos, `bentoci models import` for models', async () => {
    const asBento = withManifest(irisMembers, (m) => {
      m.kind = 'bento';
    });
    const bentoArchive = await written(gzipSync(await packMembers(asBento)));
    const intoModels = await importArchive(
      openModelStore(await tempDir('limits-kind-m')),
      bentoArchive,
      quiet,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(intoModels).toBeInstanceOf(UsageError);
    expect((intoModels as Error).message).toMatch(
      /holds a bento, not a model \(import it with `import-bento\(\)`\)$/,
    );

    const modelArchive = await written(gzipSync(await packMembers(irisMembers)));
    const intoBentos = await importArchive(
      openBentoStore(await tempDir('limits-kind-b')),
      modelArchive,
      quiet,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((intoBentos as Error).message).toMatch(
      /holds a model, not a bento \(import it with `import-model\(\)`\)$/,
    );
  });
});

describe('maxSize values', () => {
  it('takes bytes or binary units, and refuses decimal units, zero and junk with a one-line usage error', () => {
    expect(parseByteSize('1048576')).toBe(MiB);
    expect(parseByteSize('512MiB')).toBe(512 * MiB);
    expect(parseByteSize('64G')).toBe(64 * 1024 * MiB);
    expect(parseByteSize('1.5 KiB')).toBe(1536);
    expect(parseByteSize('2TiB')).toBe(2 * 1024 ** 4);
    for (const bad of ['10MB', '1GB', '0', '-1', 'lots', '', '1e9']) {
      expect(() => parseByteSize(bad), bad).toThrow(UsageError);
    }
    expect(() => parseByteSize('10MB')).toThrow(
      'invalid `maxSize` "10MB": expected bytes or a size like 512MiB, 64GiB or 1TiB (powers of 1024)',
    );
  });
});

describe('the CLI', () => {
  it('takes --max-size, refuses past it with exit 1, and rejects an ambiguous size with exit 2', async () => {
    const home = await tempDir('limits-cli');
    const refused = await bentoci(['models', 'import', zerosArchive, '--max-size', '1MiB'], { home });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error: archive ".*" declares 10\.0 MiB of files, more than the import limit of 1\.0 MiB; pass a larger --max-size/,
    );
    const bad = await bentoci(['models', 'import', zerosArchive, '--max-size', '10MB'], { home });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'error: invalid --max-size "10MB": expected bytes or a size like 512MiB, 64GiB or 1TiB (powers of 1024)\n',
    );
    const ok = await bentoci(['models', 'import', zerosArchive, '--max-size', '0.5GiB'], { home });
    expect(ok.code, ok.stderr).toBe(0);

    // Re-importing a tampered copy of what is now stored exits non-zero.
    const members = await readMembers(zerosArchive);
    const tampered = members.map((m) =>
      m.header.name === 'entry/weights.bin' ? file(m.header.name, Buffer.alloc(m.data.length, 1)) : m,
    );
    const again = await bentoci(['models', 'import', await written(gzipSync(await packMembers(tampered)))], {
      home,
    });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/entry\/weights\.bin does not match its sha256 in the manifest/);
  });
});
