import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError } from '../../../src/core/errors.js';
import {
  bufferSource,
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  DOCKER_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
  openRepository,
  parseImageIndex,
  parseImageManifest,
  type Repository,
  type RepositoryOptions,
} from '../../../src/oci/index.js';
import {
  type FaultProxy,
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  startFaultProxy,
  startRegistry,
} from '../../support/registry.js';

const missing = missingTool(REGISTRY_BIN);
const missingAuthTools = missing || missingTool('/usr/bin/openssl', '/usr/bin/htpasswd');
const FAST_RETRY = { attempts: 5, baseMs: 10, maxMs: 50 };
const MiB = 1024 * 1024;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bentoci-oci-client-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function portOf(host: string): number {
  return Number(host.split(':').at(-1));
}

async function withProxy<T>(
  registry: RegistryFixture,
  rule: Parameters<typeof startFaultProxy>[1],
  fn: (
    repo: (name: string, options?: RepositoryOptions) => Promise<Repository>,
    proxy: FaultProxy,
  ) => Promise<T>,
): Promise<T> {
  const proxy = await startFaultProxy(portOf(registry.host), rule);
  const opened: Repository[] = [];
  try {
    return await fn(async (name, options = {}) => {
      const repo = await openRepository(`oci://${proxy.host}/${name}`, {
        insecure: true,
        push: true,
        retry: FAST_RETRY,
        ...options,
      });
      opened.push(repo);
      return repo;
    }, proxy);
  } finally {
    for (const repo of opened) await repo.close();
    await proxy.stop();
  }
}

describe.skipIf(missing)('registry client against docker-registry (plain HTTP)', () => {
  let registry: RegistryFixture;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('uploads a large blob in PATCH chunks, skips it the second time, and reads it back', async () => {
    const blob = bufferSource(randomBytes(5 * MiB + 123));
    await withProxy(
      registry,
      () => undefined,
      async (repo, proxy) => {
        const r = await repo('client/chunks');
        expect(await r.uploadBlob(blob, { monolithicMax: MiB, chunkSize: MiB })).toBe('uploaded');
        const patches = proxy.seen.filter((s) => s.method === 'PATCH');
        expect(patches.map((p) => p.contentRange)).toEqual(
          [0, 1, 2, 3, 4, 5].map((i) => `${i * MiB}-${Math.min((i + 1) * MiB, blob.size) - 1}`),
        );
        expect(await r.uploadBlob(blob)).toBe('exists');
        const out = join(work, 'chunks.bin');
        await r.downloadBlob(blob.digest, blob.size, out);
        expect((await readFile(out)).equals(Buffer.concat(await toBuffers(blob)))).toBe(true);
      },
    );
  });

  it("resumes a chunked upload from the registry's reported offset after a failed chunk", async () => {
    const blob = bufferSource(randomBytes(5 * MiB));
    let patches = 0;
    await withProxy(
      registry,
      (method) => (method === 'PATCH' && ++patches === 3 ? { kind: 'status', status: 503 } : undefined),
      async (repo, proxy) => {
        const r = await repo('client/resume');
        expect(await r.uploadBlob(blob, { monolithicMax: MiB, chunkSize: MiB })).toBe('uploaded');
        const failedAt = proxy.seen.findIndex((s) => s.fault === 'status');
        expect(failedAt).toBeGreaterThan(0);
        // After the failure: a status GET on the session, then the same session continues from the
        // offset the registry reported (2 MiB), with no new session and no byte sent twice.
        const after = proxy.seen.slice(failedAt + 1);
        expect(after[0]?.method).toBe('GET');
        expect(after.some((s) => s.method === 'POST')).toBe(false);
        expect(after.filter((s) => s.method === 'PATCH').map((s) => s.contentRange)).toEqual([
          `${2 * MiB}-${3 * MiB - 1}`,
          `${3 * MiB}-${4 * MiB - 1}`,
          `${4 * MiB}-${5 * MiB - 1}`,
        ]);
        const out = join(work, 'resume.bin');
        await r.downloadBlob(blob.digest, blob.size, out);
        expect((await stat(out)).size).toBe(blob.size);
      },
    );
  });

  it('completes an upload whose connection was reset mid-chunk', async () => {
    const blob = bufferSource(randomBytes(3 * MiB));
    let patches = 0;
    await withProxy(
      registry,
      (method) =>
        method === 'PATCH' && ++patches === 2 ? { kind: 'cut', afterBytes: 300 * 1024 } : undefined,
      async (repo, proxy) => {
        const r = await repo('client/reset');
        expect(await r.uploadBlob(blob, { monolithicMax: MiB, chunkSize: MiB })).toBe('uploaded');
        expect(proxy.seen.some((s) => s.fault === 'cut')).toBe(true);
        // Distribution cancels a session whose chunk broke off part-way (its offset no longer matches
        // the session state), so the status GET finds it gone and the upload starts a new one.
        const out = join(work, 'reset.bin');
        await r.downloadBlob(blob.digest, blob.size, out);
        expect((await readFile(out)).equals(Buffer.concat(await toBuffers(blob)))).toBe(true);
      },
    );
  });

  it('retries 503 and 429 answers, then succeeds', async () => {
    const blob = bufferSource(randomBytes(1000));
    await withProxy(
      registry,
      (_method, _path, index) =>
        index === 1
          ? { kind: 'status', status: 503 }
          : index === 2
            ? { kind: 'status', status: 429 }
            : undefined,
      async (repo, proxy) => {
        const r = await repo('client/retry');
        expect(await r.uploadBlob(blob)).toBe('uploaded');
        expect(proxy.seen.filter((s) => s.fault === 'status')).toHaveLength(2);
        expect(await r.hasBlob(blob.digest)).toBe(true);
      },
    );
  });

  it('gives up after its attempts with one line naming the registry and the status', async () => {
    await withProxy(
      registry,
      (_method, path) => (path.startsWith('/v2/client/down') ? { kind: 'status', status: 503 } : undefined),
      async (repo, proxy) => {
        const r = await repo('client/down');
        await expect(r.resolve('v1')).rejects.toThrow(
          /checking manifest 127\.0\.0\.1:\d+\/client\/down:v1: registry 127\.0\.0\.1:\d+ answered 503/,
        );
        expect(proxy.seen.filter((s) => s.fault === 'status')).toHaveLength(FAST_RETRY.attempts);
      },
    );
  });

  it('resumes a download from partial bytes with a Range request and verifies the whole', async () => {
    const data = randomBytes(3 * MiB);
    const blob = bufferSource(data);
    await withProxy(
      registry,
      () => undefined,
      async (repo, proxy) => {
        const r = await repo('client/download');
        await r.uploadBlob(blob);
        const part = join(work, 'download.part');
        await writeFile(part, data.subarray(0, MiB));
        const out = join(work, 'download.bin');
        await r.downloadBlob(blob.digest, blob.size, out, { partPath: part });
        expect((await readFile(out)).equals(data)).toBe(true);
        expect(
          proxy.seen.filter((s) => s.method === 'GET' && s.path.includes('/blobs/')).map((s) => s.range),
        ).toEqual([`bytes=${MiB}-`]);
        // Partial bytes that do not belong to the blob: the resumed result fails its digest check, and
        // the download starts over once without them.
        proxy.seen.length = 0;
        await writeFile(part, Buffer.alloc(MiB, 1));
        const again = join(work, 'again.bin');
        await r.downloadBlob(blob.digest, blob.size, again, { partPath: part });
        expect((await readFile(again)).equals(data)).toBe(true);
        expect(
          proxy.seen.filter((s) => s.method === 'GET' && s.path.includes('/blobs/')).map((s) => s.range),
        ).toEqual([`bytes=${MiB}-`, undefined]);
      },
    );
  });

  it("detects a blob whose bytes were damaged in the registry's storage", async () => {
    const data = randomBytes(2 * MiB);
    const blob = bufferSource(data);
    const r = await openRepository(`${registry.url}/client/corrupt`, {
      insecure: true,
      push: true,
      retry: FAST_RETRY,
    });
    try {
      await r.uploadBlob(blob);
      const stored = registry.blobPath(blob.digest);
      const damaged = Buffer.from(await readFile(stored));
      damaged[MiB] = (damaged[MiB]! + 1) % 256;
      await writeFile(stored, damaged);
      const out = join(work, 'corrupt.bin');
      await expect(r.downloadBlob(blob.digest, blob.size, out)).rejects.toThrow(
        /does not match its digest.*the registry's copy is damaged/,
      );
      await expect(stat(out)).rejects.toThrow();
      await expect(r.fetchBlob(blob.digest)).rejects.toThrow(IntegrityError);
    } finally {
      await r.close();
    }
  });

  it('stops a transfer when its AbortSignal fires', async () => {
    const blob = bufferSource(randomBytes(4 * MiB));
    const controller = new AbortController();
    await withProxy(
      registry,
      (method) => (method === 'PUT' || method === 'PATCH' ? { kind: 'stall', afterBytes: MiB } : undefined),
      async (repo, proxy) => {
        const r = await repo('client/abort', { signal: controller.signal });
        const upload = r.uploadBlob(blob);
        await proxy.stalled;
        controller.abort(new Error('cancelled by the test'));
        await expect(upload).rejects.toThrow(/cancelled by the test/);
      },
    );
  });

  it('stores and reads OCI manifests, indexes and Docker schema 2 manifests, by tag and by digest', async () => {
    const r = await openRepository(`${registry.url}/client/manifests`, { insecure: true, push: true });
    try {
      const config = await r.putBlob(
        Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]}}'),
        DOCKER_CONFIG,
      );
      const layer = await r.putBlob(randomBytes(100), DOCKER_LAYER_GZIP);
      const docker = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config, layers: [layer] }),
      );
      const dockerDigest = await r.putManifest('docker', docker, DOCKER_MANIFEST);
      const fetched = await r.getManifest('docker');
      expect(fetched.mediaType).toBe(DOCKER_MANIFEST);
      expect(parseImageManifest(fetched, 'docker').layers[0]?.digest).toBe(layer.digest);

      const oci = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }),
      );
      const ociDigest = await r.putManifest('oci', oci, OCI_MANIFEST);
      const index = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: [
            {
              mediaType: OCI_MANIFEST,
              digest: ociDigest,
              size: oci.length,
              platform: { architecture: 'amd64', os: 'linux' },
            },
          ],
        }),
      );
      const indexDigest = await r.putManifest('index', index, OCI_INDEX);
      const byDigest = await r.getManifest(indexDigest);
      expect(parseImageIndex(byDigest, 'index').manifests[0]?.digest).toBe(ociDigest);
      expect(await r.resolve('docker')).toBe(dockerDigest);
      expect(await r.resolve('absent')).toBeUndefined();
      expect((await r.tags()).sort()).toEqual(['docker', 'index', 'oci']);
    } finally {
      await r.close();
    }
  });
});

describe.skipIf(missingAuthTools)('registry client authentication', () => {
  let basic: RegistryFixture;
  let token: RegistryFixture & { tokenRequests?: number[] };
  beforeAll(async () => {
    [basic, token] = await Promise.all([
      startRegistry({ htpasswd: { username: 'alice', password: 'wonderland' } }),
      startRegistry({ token: { username: 'bob', password: 'builder' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([basic?.stop(), token?.stop()]);
  });

  async function roundTrip(repo: Repository): Promise<void> {
    const blob = await repo.putBlob(randomBytes(64), 'application/octet-stream');
    const config = await repo.putBlob(Buffer.from('{}'), 'application/vnd.oci.empty.v1+json');
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [blob] }),
    );
    const digest = await repo.putManifest('v1', manifest, OCI_MANIFEST);
    expect(await repo.resolve('v1')).toBe(digest);
    expect((await repo.fetchBlob(blob.digest)).length).toBe(64);
  }

  it('speaks TLS with a private CA (--ca-file) and Basic credentials', async () => {
    const repo = await openRepository(`${basic.url}/auth/basic`, {
      caFile: basic.caFile!,
      username: 'alice',
      password: 'wonderland',
      push: true,
    });
    try {
      await roundTrip(repo);
    } finally {
      await repo.close();
    }
  });

  it('says which check failed: CA, missing credentials, wrong credentials', async () => {
    const noCa = await openRepository(`${basic.url}/auth/basic`, {
      username: 'alice',
      password: 'wonderland',
      retry: FAST_RETRY,
    });
    await expect(noCa.resolve('v1')).rejects.toThrow(
      /TLS to registry 127\.0\.0\.1:\d+ failed .*pass `caFile`/,
    );
    await noCa.close();
    const anonymous = await openRepository(`${basic.url}/auth/basic`, {
      caFile: basic.caFile!,
      env: {},
      dockerConfigDir: work,
    });
    await expect(anonymous.resolve('v1')).rejects.toThrow(/requires authentication \(401 Unauthorized\)/);
    await anonymous.close();
    const wrong = await openRepository(`${basic.url}/auth/basic`, {
      caFile: basic.caFile!,
      username: 'alice',
      password: 'nope',
    });
    await expect(wrong.resolve('v1')).rejects.toThrow(
      /refused the credentials of user "alice" from `username` \(401 Unauthorized\)/,
    );
    await wrong.close();
  });

  it('follows the bearer token flow of WWW-Authenticate, including cross-repository mounts', async () => {
    const masked: string[] = [];
    const repo = await openRepository(`${token.url}/auth/token`, {
      insecure: true,
      username: 'bob',
      password: 'builder',
      push: true,
      mask: (s) => masked.push(s),
    });
    try {
      await roundTrip(repo);
      const blob = bufferSource(randomBytes(2048));
      await repo.uploadBlob(blob);
      expect(await repo.sibling('auth/other').uploadBlob(blob, { mountFrom: ['auth/token'] })).toBe(
        'mounted',
      );
    } finally {
      await repo.close();
    }
    expect(token.tokenRequests?.filter((s) => s === 200).length).toBeGreaterThan(0);
    // The password and every token went to the mask callback.
    expect(masked[0]).toBe('builder');
    expect(masked.slice(1).every((t) => t.split('.').length === 3)).toBe(true);
    const wrong = await openRepository(`${token.url}/auth/token`, {
      insecure: true,
      username: 'bob',
      password: 'nope',
    });
    await expect(wrong.resolve('v1')).rejects.toThrow(
      /refused the credentials of user "bob" from `username` \(401 Unauthorized\)/,
    );
    await wrong.close();
  });
});

async function toBuffers(source: {
  open(a: number, b: number): NodeJS.ReadableStream;
  size: number;
}): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of source.open(0, source.size - 1)) out.push(chunk as Buffer);
  return out;
}
