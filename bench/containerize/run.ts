/**
 * Containerize benchmark: cold build and rebuild after a code-only change, and final image size,
 * of `bentoci containerize` against a naive single-stage Dockerfile of the same bento, same engine,
 * same run (runs alternate, medians reported).
 *
 *   eval "$(bash scripts/docker-engine.sh start)"
 *   npm run bench:containerize -- [--reps 3] [--no-doc]     (node --import tsx bench/containerize/run.ts)
 *
 * Prints the "## Containerize" section and writes it into docs/benchmarks.md (unless --no-doc).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import type Docker from 'dockerode';
import YAML from 'yaml';
import { ensureBaseImages } from '../../__tests__/support/base-images.js';
import { heavyModel, irisModel, twoInputModel } from '../../examples/models.js';
import { buildBento } from '../../src/build/build.js';
import { containerize } from '../../src/containerize/containerize.js';
import { NODE_IMAGE } from '../../src/containerize/distro.js';
import { connectEngine } from '../../src/containerize/engine.js';
import { buildImage } from '../../src/containerize/image-build.js';
import { parseImageName } from '../../src/containerize/image-ref.js';
import { caFileOf, npmRegistryOf } from '../../src/containerize/runtime-files.js';
import type { StoredBento } from '../../src/core/bento-store.js';
import { openModelStore, saveModel } from '../../src/core/model-store.js';
import { NAIVE_DOCKERFILE, naiveContext } from './naive.js';
import { renderSection, writeSection } from './report.js';

const { values } = parseArgs({
  options: { reps: { type: 'string', default: '5' }, 'no-doc': { type: 'boolean', default: false } },
});
const reps = Number(values.reps);
if (!Number.isInteger(reps) || reps <= 0)
  throw new Error(`invalid --reps "${values.reps}": expected a positive whole number`);
const REPO = resolve(import.meta.dirname, '../..');
const log = (line: string) => process.stderr.write(`${line}\n`);

const docker = await connectEngine();
await ensureBaseImages(docker, [NODE_IMAGE]);
const work = await mkdtemp(join(tmpdir(), 'bentoci-bench-containerize-'));
/** Every image the runs made: cold builds move the tags, so earlier ones would be left dangling. */
const images = new Set<string>();
/** Untagged images before the runs: the cold builds' deps stages leave new ones, which are removed at the end. */
const danglingBefore = new Set(
  (await docker.listImages({ filters: { dangling: ['true'] } })).map((i) => i.Id),
);
try {
  await promisify(execFile)(process.execPath, ['scripts/build.mjs', '--outdir', join(work, 'dist')], {
    cwd: REPO,
  });
  const runtime = { bundleDir: join(work, 'dist', 'runtime'), packageDir: join(REPO, 'runtime') };
  const home = join(work, 'home');
  const models = openModelStore(home);
  for (const [name, bytes] of [
    ['iris', irisModel()],
    ['two_inputs', twoInputModel()],
    ['heavy', heavyModel()],
  ] as const) {
    await writeFile(join(work, `${name}.onnx`), bytes);
    await saveModel(models, { tag: name, source: join(work, `${name}.onnx`) });
  }
  const bento = await exampleBento(home, work, 'a', '');
  const changed = await exampleBento(home, work, 'b', '\nA code-only change.\n');
  const modelsMiB = bento.info.models.reduce((sum, m) => sum + m.size, 0) / 2 ** 20;
  const npmRegistry = await npmRegistryOf(undefined);
  const caFile = await caFileOf(undefined);

  const ours = async (b: StoredBento, tag: string, noCache: boolean) =>
    timed(async () => {
      const built = await containerize(b, {
        tags: [tag],
        runtime,
        noCache,
        npmRegistry,
        ...(caFile ? { caFile } : {}),
      });
      images.add(built.id);
    });
  const naive = async (b: StoredBento, tag: string, noCache: boolean) =>
    timed(async () => {
      const context = await naiveContext({
        bentoDir: b.dir,
        runtimeBundleDir: runtime.bundleDir,
        runtimePackageDir: runtime.packageDir,
        caFile,
      });
      const built = await buildImage(docker, context, {
        tags: [parseImageName(tag)],
        buildArgs: { NPM_CONFIG_REGISTRY: npmRegistry },
        labels: {},
        cacheFrom: [],
        noCache,
        networkMode: 'host',
        dockerfile: NAIVE_DOCKERFILE,
        log: () => {},
      });
      images.add(built.id);
    });

  const times = {
    oursCold: [] as number[],
    oursRebuild: [] as number[],
    naiveCold: [] as number[],
    naiveRebuild: [] as number[],
  };
  const id = `bentoci-bench/iris:${process.pid}`;
  for (let rep = 1; rep <= reps; rep++) {
    // Alternate which side goes first, so neither always meets a warmer machine.
    const order = rep % 2 === 1 ? ['ours', 'naive'] : ['naive', 'ours'];
    for (const side of order) {
      if (side === 'ours') {
        times.oursCold.push(await ours(bento, `${id}-a`, true));
        times.oursRebuild.push(await ours(changed, `${id}-b`, false));
      } else {
        times.naiveCold.push(await naive(bento, `${id}-naive-a`, true));
        times.naiveRebuild.push(await naive(changed, `${id}-naive-b`, false));
      }
    }
    log(
      `rep ${rep}: ours cold ${times.oursCold.at(-1)!.toFixed(1)} s, rebuild ${times.oursRebuild.at(-1)!.toFixed(1)} s; naive cold ${times.naiveCold.at(-1)!.toFixed(1)} s, rebuild ${times.naiveRebuild.at(-1)!.toFixed(1)} s`,
    );
  }
  await smokeTest(docker, `${id}-a`);
  await smokeTest(docker, `${id}-naive-a`);

  const size = async (tag: string) => (await docker.getImage(tag).inspect()).Size;
  const shared = async (a: string, b: string) => {
    const la = (await docker.getImage(a).inspect()).RootFS.Layers ?? [];
    const lb = (await docker.getImage(b).inspect()).RootFS.Layers ?? [];
    return `${lb.filter((l) => la.includes(l)).length} of ${lb.length}`;
  };
  const section = renderSection({
    reps,
    machine: `${cpus().length} x ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (load average ${loadavg()[0]!.toFixed(1)} at the end, shared with other jobs), Docker ${(await docker.version()).Version}, Node ${process.version}`,
    command: 'npm run bench:containerize',
    bento: `examples/iris plus the heavy benchmark model (${bento.info.models.length} models)`,
    modelsMiB,
    cold: { ours: median(times.oursCold), naive: median(times.naiveCold) },
    rebuild: { ours: median(times.oursRebuild), naive: median(times.naiveRebuild) },
    size: { ours: await size(`${id}-a`), naive: await size(`${id}-naive-a`), base: await size(NODE_IMAGE) },
    reusedLayers: {
      ours: await shared(`${id}-a`, `${id}-b`),
      naive: await shared(`${id}-naive-a`, `${id}-naive-b`),
    },
  });
  process.stdout.write(`${section}\n`);
  if (!values['no-doc']) await writeSection(join(REPO, 'docs/benchmarks.md'), section);
} finally {
  for (const image of images)
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
  // The deps stages of the no-cache builds: untagged leaves made by this run (npm ci in their history).
  for (const leftover of await docker.listImages({ filters: { dangling: ['true'] } })) {
    if (danglingBefore.has(leftover.Id)) continue;
    const history = (await docker.getImage(leftover.Id).history()) as Array<{ CreatedBy: string }>;
    if (history.some((h) => h.CreatedBy.includes('npm ci --omit=dev'))) {
      await docker
        .getImage(leftover.Id)
        .remove()
        .catch(() => undefined);
    }
  }
  await rm(work, { recursive: true, force: true });
}

async function exampleBento(
  home: string,
  work: string,
  name: string,
  readmeExtra: string,
): Promise<StoredBento> {
  const context = join(work, name);
  await cp(join(REPO, 'examples/iris'), context, { recursive: true });
  const bentofile = YAML.parse(await readFile(join(context, 'bentofile.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  // The stand-in base has no apt-get; the heavy model makes the model layers worth keeping.
  bentofile['docker'] = { distro: 'debian' };
  bentofile['models'] = ['heavy:latest'];
  await writeFile(join(context, 'bentofile.yaml'), YAML.stringify(bentofile));
  await writeFile(
    join(context, 'README.md'),
    `${await readFile(join(context, 'README.md'), 'utf8')}${readmeExtra}`,
  );
  return (await buildBento({ home, context })).bento;
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return (performance.now() - start) / 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Both images must serve, or the size comparison means nothing. */
async function smokeTest(engine: Docker, image: string): Promise<void> {
  const port = 39000 + Math.floor(Math.random() * 1000);
  const container = await engine.createContainer({
    Image: image,
    Env: [`BENTOCI_PORT=${port}`],
    HostConfig: { NetworkMode: 'host' },
  });
  try {
    await container.start();
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline || !(await container.inspect()).State.Running)
        throw new Error(`${image} did not become ready`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await container.remove({ force: true });
  }
}
