/**
 * Archive benchmark: `bentoci models export|import` of a large model against `tar czf`/`tar xzf`
 * and `tar cf`/`tar xf` on the same stored entry, alternating runs so both see the same machine.
 *
 *   npm run build && node --import tsx bench/archive/run.ts [--size-mib 1024] [--reps 2] [--no-doc] [--keep]
 *
 * Prints the "## Archives" section and writes it into docs/benchmarks.md (unless --no-doc).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeModelData } from './data.js';
import { CLI, type Measurement, measure, measureCli, settle } from './measure.js';
import { type Row, renderSection, writeSection } from './report.js';

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    reps: { type: 'string', default: '2' },
    'control-mib': { type: 'string', default: '64' },
    'no-doc': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const sizeMiB = positive(values['size-mib'], '--size-mib');
const reps = positive(values.reps, '--reps');
const controlMiB = positive(values['control-mib'], '--control-mib');

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`invalid ${flag} "${text}": expected a positive whole number`);
  return n;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
const tarVersion = execFileSync('tar', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
const gzipVersion = execFileSync('gzip', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
if (!tarVersion.includes('GNU tar')) throw new Error(`the baseline is GNU tar; found "${tarVersion}"`);

const work = await mkdtemp(join(tmpdir(), 'bentoci-bench-archive-'));
try {
  const home = join(work, 'home');
  const entryDir = await storeModel(home, 'bench', sizeMiB);
  const rawBytes = (await stat(join(entryDir, 'model.bin'))).size;
  // Warm the page cache so the first run is not the only one that reads from disk.
  await measure('cat', [join(entryDir, 'model.bin')]);

  const best = new Map<string, Measurement>();
  const peakRss = new Map<string, number>();
  const record = (key: string, m: Measurement) => {
    const prev = best.get(key);
    if (!prev || m.seconds < prev.seconds) best.set(key, m);
    peakRss.set(key, Math.max(peakRss.get(key) ?? 0, m.rssMiB ?? 0));
    log(`  ${key}: ${m.seconds.toFixed(2)} s${m.rssMiB ? `, peak RSS ${m.rssMiB.toFixed(0)} MiB` : ''}`);
  };
  const sizes = { ours: 0, tar: 0, raw: rawBytes };

  for (let rep = 1; rep <= reps; rep++) {
    log(`run ${rep} of ${reps}`);
    for (const format of ['gz', 'tar'] as const) {
      const out = join(work, 'out');
      await mkdir(out, { recursive: true });
      const ours = join(out, 'ours.bentomodel');
      const gnu = join(out, format === 'gz' ? 'gnu.tar.gz' : 'gnu.tar');
      const tarFlags = format === 'gz' ? 'z' : '';

      record(
        `export ${format} ours`,
        await measureCli(home, ['models', 'export', 'bench:v1', ours, '--format', format], work),
      );
      await settle();
      record(`export ${format} tar`, await measure('tar', [`c${tarFlags}f`, gnu, '-C', entryDir, '.']));
      await settle();
      if (format === 'gz') {
        sizes.ours = (await stat(ours)).size;
        sizes.tar = (await stat(gnu)).size;
      }

      const target = join(work, 'import-home');
      record(`import ${format} ours`, await measureCli(target, ['models', 'import', ours], work));
      await rm(target, { recursive: true, force: true });
      await settle();
      const extracted = join(work, 'extracted');
      await mkdir(extracted);
      record(`import ${format} tar`, await measure('tar', [`x${tarFlags}f`, gnu, '-C', extracted]));
      await rm(extracted, { recursive: true, force: true });
      await rm(out, { recursive: true, force: true });
      await settle();
    }
  }

  log(`control: the same export and import of a ${controlMiB} MiB model`);
  const controlHome = join(work, 'control-home');
  await storeModel(controlHome, 'small', controlMiB);
  const controlArchive = join(work, 'small.bentomodel');
  const controlExport = await measureCli(controlHome, ['models', 'export', 'small:v1', controlArchive], work);
  const controlImport = await measureCli(
    join(work, 'control-import'),
    ['models', 'import', controlArchive],
    work,
  );
  const bare = await measureCli(controlHome, ['--version'], work);

  const row = (operation: string, key: string, baseline: string): Row => ({
    operation,
    ours: best.get(`${key} ours`)!.seconds,
    tar: best.get(`${key} tar`)!.seconds,
    baseline,
    rssMiB: peakRss.get(`${key} ours`) ?? 0,
  });
  const section = renderSection({
    sizeMiB,
    reps,
    rows: [
      row('export, gzip level 6', 'export gz', 'tar czf'),
      row('import, gzip', 'import gz', 'tar xzf'),
      row('export, plain tar', 'export tar', 'tar cf'),
      row('import, plain tar', 'import tar', 'tar xf'),
    ],
    sizes,
    control: {
      sizeMiB: controlMiB,
      exportRss: controlExport.rssMiB ?? 0,
      importRss: controlImport.rssMiB ?? 0,
      bareRss: bare.rssMiB ?? 0,
    },
    machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores (shared), Node ${process.version}, ${tarVersion}, ${gzipVersion}`,
    command: `npm run build && npm run bench:archive${sizeMiB === 1024 && reps === 2 ? '' : ` -- --size-mib ${sizeMiB} --reps ${reps}`}`,
  });
  process.stdout.write(`${section}\n`);
  if (!values['no-doc']) {
    await writeSection('docs/benchmarks.md', section);
    log('wrote the "## Archives" section of docs/benchmarks.md');
  }
} finally {
  if (values.keep) log(`kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

/** Generates the model data, saves it as `<name>:v1` and returns the stored entry's directory. */
async function storeModel(home: string, name: string, mib: number): Promise<string> {
  const source = join(work, `${name}-source`);
  await mkdir(source, { recursive: true });
  const file = join(source, 'model.bin');
  const started = performance.now();
  await writeModelData(file, mib << 20);
  log(`generated ${mib} MiB of model data in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await measureCli(home, ['models', 'save', `${name}:v1`, file, '--module', 'files'], work);
  await rm(source, { recursive: true, force: true });
  return join(home, 'models', name, 'v1');
}
