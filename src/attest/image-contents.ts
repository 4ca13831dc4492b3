/**
 * What a built image holds, read from the image itself through the engine (a created, never started
 * container and the archive API, as `docker cp` does): the bento's bento.yaml and Dockerfile, the
 * runtime's installed npm packages (each node_modules package.json), ONNX Runtime's shared library,
 * and the OS packages where the base lists them (/var/lib/dpkg/status) with /usr/lib/os-release.
 * The image is untrusted input: every file read whole is capped, everything else is skipped unread.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import * as tar from 'tar-stream';
import YAML from 'yaml';
import { STORED_DOCKERFILE } from '../containerize/bento-files.js';
import { IMAGE } from '../containerize/layout.js';
import { BentoError } from '../core/errors.js';
import { type BentoInfo, bentoInfoSchema } from '../shared/schemas.js';
import { type DpkgPackage, parseDpkgStatus, parseOsRelease } from './dpkg.js';

const MAX_SMALL_FILE = 1024 * 1024;
const MAX_DPKG_STATUS = 64 * 1024 * 1024;
const MAX_PACKAGES = 20_000;

export interface NpmPackage {
  name: string;
  version: string;
  /** SPDX id or expression as the package declares it; undefined when it declares none. */
  license?: string;
  /** Where it is installed, relative to the runtime directory. */
  path: string;
}

export interface ImageContents {
  bento?: BentoInfo;
  /** The Dockerfile stored in the bento (what containerize built from), when the image carries it. */
  dockerfile?: string;
  npmPackages: NpmPackage[];
  /** ONNX Runtime's native library as onnxruntime-node installed it (its package version is ORT's). */
  onnxruntime?: { version: string; file: string; sha256: string };
  /** /usr/lib/os-release (or /etc/os-release) fields. */
  os?: Record<string, string>;
  /** undefined: the image has no dpkg database (the base lists no OS packages). */
  dpkg?: DpkgPackage[];
}

/** Reads the contents of an image (name or ID) in the engine. */
export async function readImageContents(docker: Dockerode, image: string): Promise<ImageContents> {
  let container: Dockerode.Container;
  try {
    // Never started: the entrypoint is irrelevant, but the API needs some command to create it.
    container = await docker.createContainer({
      Image: image,
      Entrypoint: ['/bentoci-never-run'],
      Cmd: [],
      NetworkDisabled: true,
      Labels: { 'dev.bentoci.purpose': 'sbom' },
    });
  } catch (err) {
    throw new BentoError(`cannot read the contents of image ${image}: ${(err as Error).message}`);
  }
  try {
    const bentoYaml = await readFileOf(container, `${IMAGE.bentoPath}/bento.yaml`, MAX_SMALL_FILE);
    const dockerfile = await readFileOf(container, `${IMAGE.bentoPath}/${STORED_DOCKERFILE}`, MAX_SMALL_FILE);
    const osRelease =
      (await readFileOf(container, '/usr/lib/os-release', MAX_SMALL_FILE)) ??
      (await readFileOf(container, '/etc/os-release', MAX_SMALL_FILE));
    const dpkgStatus = await readFileOf(container, '/var/lib/dpkg/status', MAX_DPKG_STATUS);
    const runtime = await readRuntimePackages(container);
    const bento = bentoYaml === undefined ? undefined : parseBento(bentoYaml, image);
    return {
      ...(bento ? { bento } : {}),
      ...(dockerfile !== undefined ? { dockerfile: dockerfile.toString('utf8') } : {}),
      npmPackages: runtime.packages,
      ...(runtime.onnxruntime ? { onnxruntime: runtime.onnxruntime } : {}),
      ...(osRelease !== undefined ? { os: parseOsRelease(osRelease.toString('utf8')) } : {}),
      ...(dpkgStatus !== undefined ? { dpkg: parseDpkgStatus(dpkgStatus.toString('utf8')) } : {}),
    };
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

function parseBento(bytes: Buffer, image: string): BentoInfo {
  let value: unknown;
  try {
    value = YAML.parse(bytes.toString('utf8'));
  } catch {
    value = undefined;
  }
  const parsed = bentoInfoSchema.safeParse(value);
  if (!parsed.success)
    throw new BentoError(
      `image ${image}: ${IMAGE.bentoPath}/bento.yaml is not a bento.yaml bentoci can read`,
    );
  return parsed.data;
}

/** The archive of `path` in the container, or undefined when it does not exist. */
async function archiveOf(container: Dockerode.Container, path: string): Promise<Readable | undefined> {
  try {
    return (await container.getArchive({ path })) as unknown as Readable;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw new BentoError(`cannot read ${path} from the image: ${(err as Error).message}`);
  }
}

/** One regular file's bytes (at most `max`), or undefined when the path does not exist. */
async function readFileOf(
  container: Dockerode.Container,
  path: string,
  max: number,
): Promise<Buffer | undefined> {
  const stream = await archiveOf(container, path);
  if (!stream) return undefined;
  let found: Buffer | undefined;
  await walkTar(stream, async (header, body) => {
    if (found !== undefined || header.type !== 'file') return drain(body);
    found = await readCapped(body, max, path);
  });
  return found;
}

const PACKAGE_JSON = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/;
const ORT_LIBRARY = /(?:^|\/)node_modules\/onnxruntime-node\/bin\/.*\/(libonnxruntime\.so[.\d]*)$/;

/** The runtime's node_modules: every installed package.json, and ORT's library hashed as it streams by. */
async function readRuntimePackages(
  container: Dockerode.Container,
): Promise<{ packages: NpmPackage[]; onnxruntime?: ImageContents['onnxruntime'] }> {
  const stream = await archiveOf(container, `${IMAGE.runtimeDir}/node_modules`);
  if (!stream) return { packages: [] };
  const packages: NpmPackage[] = [];
  let library: { file: string; sha256: string } | undefined;
  await walkTar(stream, async (header, body) => {
    const name = header.name.replace(/^\.\//, '');
    if (header.type === 'file' && PACKAGE_JSON.test(name) && packages.length < MAX_PACKAGES) {
      const pkg = parsePackageJson(await readCapped(body, MAX_SMALL_FILE, name), name);
      if (pkg) packages.push(pkg);
      return;
    }
    const lib = ORT_LIBRARY.exec(name);
    if (header.type === 'file' && lib && !library) {
      const hash = createHash('sha256');
      for await (const chunk of body) hash.update(chunk as Buffer);
      library = { file: `${IMAGE.runtimeDir}/${name}`, sha256: hash.digest('hex') };
      return;
    }
    await drain(body);
  });
  const ortPackage = packages.find(
    (p) => p.name === 'onnxruntime-node' && p.path === 'node_modules/onnxruntime-node',
  );
  return {
    packages: packages.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    ...(library && ortPackage ? { onnxruntime: { version: ortPackage.version, ...library } } : {}),
  };
}

function parsePackageJson(bytes: Buffer, path: string): NpmPackage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const { name, version, license, licenses } = json as Record<string, unknown>;
  if (typeof name !== 'string' || typeof version !== 'string' || !name || !version) return undefined;
  const dir = path.slice(0, -'/package.json'.length);
  const declared = licenseOf(license) ?? licensesOf(licenses);
  return { name, version, ...(declared ? { license: declared } : {}), path: dir };
}

/** `"MIT"`, or the deprecated `{type: "MIT"}`. */
function licenseOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim()) return value.trim();
  if (value && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string')
    return (value as { type: string }).type;
  return undefined;
}

/** The deprecated `licenses: [{type}]`, as an OR of its entries. */
function licensesOf(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const ids = value.map(licenseOf).filter((v): v is string => v !== undefined);
  return ids.length === 0 ? undefined : ids.length === 1 ? ids[0] : `(${ids.join(' OR ')})`;
}

async function walkTar(
  stream: Readable,
  onEntry: (header: tar.Header, body: Readable) => Promise<void>,
): Promise<void> {
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) await onEntry(entry.header, entry as unknown as Readable);
  })();
  stream.pipe(extract);
  stream.on('error', (err) => extract.destroy(err));
  await done;
}

async function readCapped(body: Readable, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max)
      throw new BentoError(`${what} in the image is larger than ${max} bytes; refusing to read it`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function drain(body: Readable): Promise<void> {
  for await (const _ of body) {
    // skipped unread
  }
}
