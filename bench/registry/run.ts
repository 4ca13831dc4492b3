/**
 * Registry benchmark: `bentoci push` / `bentoci pull` of a bento holding a large model against
 * `skopeo copy` of the same blobs (an OCI layout directory) to and from the same registry, in the
 * same run; plus the re-push of unchanged content.
 *
 *   npm run bench:registry -- [--size-mib 1024] [--reps 2] [--no-doc]
 *
 * Prints the "## Registry" section and writes it into docs/benchmarks.md (unless --no-doc).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  bundleCli,
  type RegistryFixture,
  SKOPEO_BIN,
  startRegistry,
} from '../../__tests__/support/registry.js';
import { openBentoStore } from '../../src/core/bento-store.js';
import { openModelStore, saveModel } from '../../src/core/model-store.js';
import { OCI_INDEX } from '../../src/oci/media-types.js';
import { bentoArtifact } from '../../src/registry/artifact-kinds.js';
import { planArtifact } from '../../src/registry/artifact-layout.js';
import { type Row, renderSection, writeSection } from './report.js';

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    reps: { type: 'string', default: '2' },
    'no-doc': { type: 'boolean', default: false },
  },
});
const sizeMiB = positive(values['size-mib'], '--size-mib');
const reps = positive(values.reps, '--reps');

function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`invalid ${flag} "${text}": expected a positive whole number`);
  return n;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function timed(command: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  execFileSync('sync');
  const started = performance.now();
  const stderr: Buffer[] = [];
  const code = await new Promise<number>((done, fail) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.on('error', fail);
    child.on('close', (status) => done(status ?? 1));
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (${code}): ${Buffer.concat(stderr).toString().trim()}`,
    );
  return seconds;
}

async function writeRandom(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= 1 << 24) {
    if (!out.write(randomBytes(Math.min(left, 1 << 24))))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
}

const work = await mkdtemp(join(tmpdir(), 'bentoci-bench-registry-'));
try {
  const cli = await bundleCli(work);
  const home = join(work, 'home');
  log(`writing a ${sizeMiB} MiB model`);
  const source = join(work, 'model-src');
  await mkdir(source);
  await writeRandom(join(source, 'model.bin'), sizeMiB * 1024 * 1024);
  await writeFile(join(source, 'labels.txt'), 'setosa\nversicolor\nvirginica\n');
  const model = await saveModel(openModelStore(home), { tag: 'bench:v1', source, module: 'files' });
  await rm(source, { recursive: true, force: true });

  // The bento embeds the model as a build does; the big file is hard-linked, not copied.
  const bentos = openBentoStore(home);
  const staged = await bentos.stage();
  const modelPath = `models/${model.tag.name}/${model.tag.version}`;
  await mkdir(join(staged, modelPath), { recursive: true });
  await mkdir(join(staged, 'src'));
  await writeFile(join(staged, 'src', 'service.ts'), 'export const svc = {};\n');
  for (const file of ['model.bin', 'labels.txt', 'model.yaml'])
    await link(join(model.dir, file), join(staged, modelPath, file));
  const bento = await bentos.commit(staged, { name: 'bench_service', version: 'v1' }, (content) => ({
    name: 'bench_service',
    version: 'v1',
    api_version: 'v1',
    labels: {},
    creation_time: new Date().toISOString(),
    bentoci_version: '0.1.0',
    service: { name: 'svc', apis: [] },
    models: [
      { tag: 'bench:v1', module: 'files', digest: model.info.digest, size: model.info.size, path: modelPath },
    ],
    envs: [],
    node: { packages: [] },
    docker: {},
    ...content,
  }));

  // skopeo's input: an OCI layout with exactly the blobs and manifest our push sends.
  const layout = join(work, 'layout');
  const plan = await planArtifact(bentoArtifact, bento);
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const blobPath = (digest: string) => join(layout, 'blobs', 'sha256', digest.slice(7));
  await writeFile(blobPath(plan.digest), plan.bytes);
  await writeFile(blobPath(plan.config.descriptor.digest), await bytesOf(plan.config.source));
  for (const layer of plan.layers) {
    const title = layer.descriptor.annotations?.['org.opencontainers.image.title'];
    if (title) await link(join(bento.dir, title), blobPath(layer.descriptor.digest)).catch(() => undefined);
    else await writeFile(blobPath(layer.descriptor.digest), await bytesOf(layer.source));
  }
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: plan.manifest.mediaType,
          artifactType: plan.manifest.artifactType,
          digest: plan.digest,
          size: plan.bytes.length,
          annotations: { 'org.opencontainers.image.ref.name': 'v1' },
        },
      ],
    }),
  );

  const best = { push: [Infinity, Infinity], pull: [Infinity, Infinity], repush: [Infinity, Infinity] };
  for (let rep = 0; rep < reps; rep++) {
    const registry: RegistryFixture = await startRegistry();
    try {
      const oursUrl = `${registry.url}/ours/bench_service`;
      const skopeoRef = `docker://${registry.host}/skopeo/bench_service:v1`;
      const pushOurs = () =>
        timed(process.execPath, [cli, 'push', 'bench_service:v1', '--to', oursUrl, '--insecure'], {
          BENTOCI_HOME: home,
        });
      const pushSkopeo = () =>
        timed(SKOPEO_BIN, ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:v1`, skopeoRef]);
      const order = rep % 2 === 0 ? ['ours', 'skopeo'] : ['skopeo', 'ours'];
      for (const who of order) {
        const seconds = who === 'ours' ? await pushOurs() : await pushSkopeo();
        log(`rep ${rep + 1}: push ${who} ${seconds.toFixed(2)} s`);
        const i = who === 'ours' ? 0 : 1;
        best.push[i] = Math.min(best.push[i]!, seconds);
      }
      const repushOurs = await pushOurs();
      const repushSkopeo = await pushSkopeo();
      log(`rep ${rep + 1}: re-push ours ${repushOurs.toFixed(2)} s, skopeo ${repushSkopeo.toFixed(2)} s`);
      best.repush = [Math.min(best.repush[0]!, repushOurs), Math.min(best.repush[1]!, repushSkopeo)];
      for (const who of order) {
        const target = join(work, `pull-${who}-${rep}`);
        const seconds =
          who === 'ours'
            ? await timed(
                process.execPath,
                [cli, 'pull', 'bench_service:v1', '--from', oursUrl, '--insecure'],
                { BENTOCI_HOME: target },
              )
            : await timed(SKOPEO_BIN, [
                'copy',
                '--quiet',
                '--src-tls-verify=false',
                skopeoRef,
                `oci:${target}:v1`,
              ]);
        log(`rep ${rep + 1}: pull ${who} ${seconds.toFixed(2)} s`);
        const i = who === 'ours' ? 0 : 1;
        best.pull[i] = Math.min(best.pull[i]!, seconds);
        await rm(target, { recursive: true, force: true });
      }
    } finally {
      await registry.stop();
    }
  }

  const rows: Row[] = [
    {
      operation: 'push (empty registry)',
      ours: best.push[0]!,
      skopeo: best.push[1]!,
      baseline: '`skopeo copy oci:DIR docker://`',
    },
    {
      operation: 'pull (empty store / dir)',
      ours: best.pull[0]!,
      skopeo: best.pull[1]!,
      baseline: '`skopeo copy docker:// oci:DIR`',
    },
  ];
  const skopeoVersion = execFileSync(SKOPEO_BIN, ['--version'], { encoding: 'utf8' }).trim();
  const registryVersion = execFileSync('/usr/bin/docker-registry', ['--version'], {
    encoding: 'utf8',
  }).trim();
  const section = renderSection({
    sizeMiB,
    reps,
    rows,
    repush: { ours: best.repush[0]!, skopeo: best.repush[1]! },
    machine: `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM (load average ${loadavg()[0]!.toFixed(1)} at the end, shared with other jobs), Node ${process.version}`,
    versions: `${skopeoVersion}; ${registryVersion}`,
    command: `npm run bench:registry -- --size-mib ${sizeMiB} --reps ${reps}`,
  });
  process.stdout.write(section);
  if (!values['no-doc']) await writeSection('docs/benchmarks.md', section);
} finally {
  await rm(work, { recursive: true, force: true });
}

async function bytesOf(source: {
  open(a: number, b: number): NodeJS.ReadableStream;
  size: number;
}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (source.size === 0) return Buffer.alloc(0);
  for await (const chunk of source.open(0, source.size - 1)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
