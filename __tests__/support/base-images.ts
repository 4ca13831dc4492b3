/**
 * Local stand-ins for the base images the generated Dockerfiles name (node:..., ubuntu:..., nvidia/cuda:...),
 * since nothing can be pulled here. One image made from this host's files, `docker import`ed:
 * the node binary at /usr/local/bin/node (where the Node image has it), npm, /bin/sh (dash), the few
 * tools RUN steps use, every library `ldd` names for them and for onnxruntime-node's binding, and
 * passwd/group basics. It is tagged with every name, so every stage of the real Dockerfile runs:
 * the deps stage's `npm ci` (host network + CA), the final stage's COPY --from and USER.
 * There is no apt-get in it: tests leave docker.system_packages empty for builds.
 *
 * A name that already exists and is not one of ours (a real pulled image) is left alone. Ours carry
 * ENV BENTOCI_TEST_BASE=<fingerprint> and are reused across test files while the fingerprint holds.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  createReadStream,
  existsSync,
  lstatSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import tar from 'tar-stream';

const NODE_BIN = realpathSync(process.execPath);
const NPM_DIR = '/usr/lib/node_modules/npm';
const SHELL = realpathSync('/bin/sh');
const TOOLS = ['rm', 'mkdir', 'cat', 'id', 'ls', 'env', 'true', 'cp', 'chmod'];
const ORT_BINDING = join(
  import.meta.dirname,
  `../../node_modules/onnxruntime-node/bin/napi-v6/linux/${process.arch}/onnxruntime_binding.node`,
);

type Entry =
  | { name: string; type: 'file'; source: string; mode: number }
  | { name: string; type: 'text'; content: string; mode: number }
  | { name: string; type: 'directory'; mode: number }
  | { name: string; type: 'symlink'; target: string };

/** The tool's binary on PATH (not `command -v`, which names shell builtins like `true`). */
function which(tool: string): string {
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(':')) {
    const path = join(dir, tool);
    if (existsSync(path)) return realpathSync(path);
  }
  throw new Error(`base image: ${tool} is not on PATH`);
}

/** Absolute library paths `ldd` names for a binary (the loader included). */
function librariesOf(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const bare = /^\s*(\/\S+)\s+\(/.exec(line);
    const path = arrow?.[1] ?? bare?.[1];
    if (path && !path.includes('onnxruntime-node')) libs.push(path);
  }
  return libs;
}

function entries(): Entry[] {
  const list: Entry[] = [];
  const files = new Map<string, string>();
  const addFile = (name: string, source: string) => files.set(name, source);
  addFile('usr/local/bin/node', NODE_BIN);
  addFile('bin/sh', SHELL);
  for (const tool of TOOLS) addFile(`bin/${tool}`, which(tool));
  const binaries = [NODE_BIN, SHELL, ...TOOLS.map(which), ORT_BINDING];
  for (const lib of new Set(binaries.flatMap(librariesOf))) addFile(lib.slice(1), realpathSync(lib));
  for (const [name, source] of [...files].sort()) list.push({ name, type: 'file', source, mode: 0o755 });

  // npm as the Node image lays it out, with a shim instead of the /usr/bin/env shebang.
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      const target = `${rel}/${name}`;
      const info = lstatSync(abs);
      if (info.isSymbolicLink()) list.push({ name: target, type: 'symlink', target: readlinkSync(abs) });
      else if (info.isDirectory()) {
        list.push({ name: target, type: 'directory', mode: 0o755 });
        walk(abs, target);
      } else list.push({ name: target, type: 'file', source: abs, mode: info.mode & 0o777 });
    }
  };
  list.push({ name: 'usr/local/lib/node_modules/npm', type: 'directory', mode: 0o755 });
  walk(NPM_DIR, 'usr/local/lib/node_modules/npm');
  list.push({
    name: 'usr/local/bin/npm',
    type: 'text',
    mode: 0o755,
    content: '#!/bin/sh\nexec /usr/local/bin/node /usr/local/lib/node_modules/npm/bin/npm-cli.js "$@"\n',
  });
  list.push(
    {
      name: 'etc/passwd',
      type: 'text',
      mode: 0o644,
      content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n',
    },
    { name: 'etc/group', type: 'text', mode: 0o644, content: 'root:x:0:\nnogroup:x:65534:\n' },
    { name: 'tmp', type: 'directory', mode: 0o1777 },
    { name: 'root', type: 'directory', mode: 0o700 },
  );
  return list;
}

/** What the base is made of: a change of host node, npm or library list makes a new one. */
function fingerprint(list: Entry[]): string {
  const hash = createHash('sha256');
  for (const e of list) {
    hash.update(`${e.type} ${e.name} `);
    if (e.type === 'file') hash.update(`${statSync(e.source).size} ${statSync(e.source).mtimeMs}\n`);
    if (e.type === 'text') hash.update(e.content);
    if (e.type === 'symlink') hash.update(e.target);
  }
  return hash.digest('hex').slice(0, 16);
}

function rootfs(list: Entry[]): NodeJS.ReadableStream {
  const pack = tar.pack();
  const dirs = new Set<string>();
  void (async () => {
    const ensureParents = async (name: string) => {
      const parts = dirname(name)
        .split('/')
        .filter((p) => p && p !== '.');
      for (let i = 1; i <= parts.length; i++) {
        const dir = parts.slice(0, i).join('/');
        if (dirs.has(dir)) continue;
        dirs.add(dir);
        await new Promise<void>((res, rej) =>
          pack.entry({ name: dir, type: 'directory', mode: 0o755 }, (e) => (e ? rej(e) : res())),
        );
      }
    };
    for (const e of list) {
      await ensureParents(e.name);
      if (e.type === 'directory') {
        if (dirs.has(e.name)) continue;
        dirs.add(e.name);
        await new Promise<void>((res, rej) =>
          pack.entry({ name: e.name, type: 'directory', mode: e.mode }, (err) => (err ? rej(err) : res())),
        );
      } else if (e.type === 'symlink') {
        await new Promise<void>((res, rej) =>
          pack.entry({ name: e.name, type: 'symlink', linkname: e.target }, (err) =>
            err ? rej(err) : res(),
          ),
        );
      } else if (e.type === 'text') {
        await new Promise<void>((res, rej) =>
          pack.entry({ name: e.name, mode: e.mode }, e.content, (err) => (err ? rej(err) : res())),
        );
      } else {
        const size = statSync(e.source).size;
        const sink = pack.entry({ name: e.name, mode: e.mode, size });
        const done = new Promise<void>((res, rej) => sink.on('finish', () => res()).on('error', rej));
        for await (const chunk of createReadStream(e.source)) {
          if (!sink.write(chunk)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
        }
        sink.end(undefined);
        await done;
      }
    }
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err as Error));
  return pack as unknown as NodeJS.ReadableStream;
}

async function envOf(docker: Docker, name: string): Promise<string[] | undefined> {
  try {
    return (await docker.getImage(name).inspect()).Config.Env ?? [];
  } catch {
    return undefined;
  }
}

/**
 * Makes sure every name resolves to a usable base: ours (current fingerprint) or a real image.
 * Returns the names it (re)tagged.
 */
export async function ensureBaseImages(docker: Docker, names: string[]): Promise<string[]> {
  const list = entries();
  const marker = `BENTOCI_TEST_BASE=${fingerprint(list)}`;
  const stale: string[] = [];
  for (const name of names) {
    const env = await envOf(docker, name);
    if (env === undefined) stale.push(name);
    else if (env.some((e) => e.startsWith('BENTOCI_TEST_BASE=')) && !env.includes(marker)) stale.push(name);
  }
  if (stale.length === 0) return [];
  const [repo, tag] = splitName(stale[0]!);
  const changes = ['ENV PATH=/usr/local/bin:/usr/bin:/bin', `ENV ${marker}`, 'CMD ["node"]'];
  const output: NodeJS.ReadableStream = await docker.importImage(rootfs(list), { repo, tag, changes });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(output, (err: Error | null) => (err ? reject(err) : resolve())),
  );
  for (const name of stale.slice(1)) {
    const [r, t] = splitName(name);
    await docker.getImage(stale[0]!).tag({ repo: r, tag: t });
  }
  return stale;
}

function splitName(name: string): [string, string] {
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? [name.slice(0, colon), name.slice(colon + 1)] : [name, 'latest'];
}
