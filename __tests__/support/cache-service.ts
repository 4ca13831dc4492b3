/**
 * A local stand-in for the GitHub Actions cache service v2, for tests that run @actions/cache for
 * real. It speaks the public protocol the library uses (Twirp JSON under ACTIONS_RESULTS_URL,
 * bearer ACTIONS_RUNTIME_TOKEN): CreateCacheEntry reserves a key/version and hands out a signed
 * upload URL, FinalizeCacheEntryUpload commits it (after checking the blob's size), and
 * GetCacheEntryDownloadURL looks keys up (exact match, then newest prefix match, key first, then each
 * restore key) and hands out a signed download URL. The blobs live in Azurite, a real Azure Blob
 * emulator: @actions/cache uploads with @azure/storage-blob to the SAS URL this fixture signs with a
 * per-run account key, exactly as it does against the hosted service.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BlobSASPermissions,
  BlobServiceClient,
  type ContainerClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { z } from 'zod';

const SERVICE = 'github.actions.results.api.v1.CacheService';
const ACCOUNT = 'bentocicache';
const CONTAINER = 'actions-cache';

const createSchema = z.object({ key: z.string().min(1), version: z.string().min(1) });
const finalizeSchema = z.object({
  key: z.string().min(1),
  version: z.string().min(1),
  // int64 travels as a JSON string in protobuf's JSON mapping.
  size_bytes: z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(Number),
});
const lookupSchema = z.object({
  key: z.string().min(1),
  restore_keys: z.array(z.string()).default([]),
  version: z.string().min(1),
});

export interface CacheEntryRecord {
  id: number;
  key: string;
  version: string;
  blob: string;
  size: number;
  createdAt: number;
}

export interface CacheServiceFixture {
  /** ACTIONS_RESULTS_URL: the base URL the Twirp client posts to. */
  url: string;
  token: string;
  /** What a JavaScript action step gets from the runner to reach the cache. */
  env: Record<string, string>;
  entries(): CacheEntryRecord[];
  /** Twirp calls received, in order, e.g. "CreateCacheEntry". */
  calls: string[];
  close(): Promise<void>;
}

interface Reservation {
  key: string;
  version: string;
  blob: string;
}

async function startAzurite(
  accountKey: string,
): Promise<{ process: ChildProcess; url: string; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bentoci-azurite-'));
  const child = spawn(
    process.execPath,
    [
      join(process.cwd(), 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'),
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--silent',
    ],
    {
      // In-memory persistence; the working directory only catches anything Azurite writes anyway.
      cwd: dir,
      env: { ...process.env, AZURITE_ACCOUNTS: `${ACCOUNT}:${accountKey}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Azurite did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with ${code}: ${output}`));
    });
  });
  return { process: child, url, dir };
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch (err) {
        reject(err);
      }
    });
    req.on('error', reject);
  });
}

/** A Twirp error: HTTP status plus `{code, msg}` as the Twirp spec defines. */
function twirpError(res: ServerResponse, status: number, code: string, msg: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ code, msg }));
}

function reply(res: ServerResponse, body: Record<string, unknown>): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startCacheService(): Promise<CacheServiceFixture> {
  const accountKey = randomBytes(64).toString('base64');
  const azurite = await startAzurite(accountKey);
  const credential = new StorageSharedKeyCredential(ACCOUNT, accountKey);
  const blobService = new BlobServiceClient(`${azurite.url}/${ACCOUNT}`, credential);
  const container: ContainerClient = blobService.getContainerClient(CONTAINER);
  await container.create();

  const token = randomBytes(24).toString('hex');
  const committed: CacheEntryRecord[] = [];
  const reservations: Reservation[] = [];
  const calls: string[] = [];
  let nextId = 1;

  const signedUrl = (blob: string, permissions: string): string => {
    const sas = generateBlobSASQueryParameters(
      {
        containerName: CONTAINER,
        blobName: blob,
        permissions: BlobSASPermissions.parse(permissions),
        startsOn: new Date(Date.now() - 60_000),
        expiresOn: new Date(Date.now() + 3600_000),
      },
      credential,
    ).toString();
    return `${container.getBlobClient(blob).url}?${sas}`;
  };

  const lookup = (key: string, version: string): CacheEntryRecord | undefined => {
    const sameVersion = committed.filter((e) => e.version === version);
    const exact = sameVersion.find((e) => e.key === key);
    if (exact) return exact;
    return sameVersion
      .filter((e) => e.key.startsWith(key))
      .sort((a, b) => b.createdAt - a.createdAt || b.id - a.id)[0];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const prefix = `/twirp/${SERVICE}/`;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'POST' || !path.startsWith(prefix))
      return twirpError(res, 404, 'bad_route', `no route ${path}`);
    if (req.headers.authorization !== `Bearer ${token}`) {
      return twirpError(res, 401, 'unauthenticated', 'missing or wrong runtime token');
    }
    const method = path.slice(prefix.length);
    calls.push(method);
    const body = await readBody(req);

    if (method === 'CreateCacheEntry') {
      const parsed = createSchema.safeParse(body);
      if (!parsed.success) return twirpError(res, 400, 'invalid_argument', parsed.error.issues[0]!.message);
      const { key, version } = parsed.data;
      const taken =
        committed.some((e) => e.key === key && e.version === version) ||
        reservations.some((r) => r.key === key && r.version === version);
      if (taken) return twirpError(res, 409, 'already_exists', `cache entry ${key} already exists`);
      const blob = randomUUID();
      reservations.push({ key, version, blob });
      return reply(res, { ok: true, signed_upload_url: signedUrl(blob, 'cw') });
    }

    if (method === 'FinalizeCacheEntryUpload') {
      const parsed = finalizeSchema.safeParse(body);
      if (!parsed.success) return twirpError(res, 400, 'invalid_argument', parsed.error.issues[0]!.message);
      const { key, version, size_bytes } = parsed.data;
      const index = reservations.findIndex((r) => r.key === key && r.version === version);
      if (index < 0) return twirpError(res, 404, 'not_found', `no reservation for ${key}`);
      const reservation = reservations[index]!;
      const properties = await container
        .getBlobClient(reservation.blob)
        .getProperties()
        .catch(() => undefined);
      if (!properties || properties.contentLength !== size_bytes) {
        return reply(res, {
          ok: false,
          entry_id: '0',
          message: `uploaded blob is ${properties?.contentLength ?? 'missing'}, not ${size_bytes} bytes`,
        });
      }
      reservations.splice(index, 1);
      const entry = {
        id: nextId++,
        key,
        version,
        blob: reservation.blob,
        size: size_bytes,
        createdAt: Date.now(),
      };
      committed.push(entry);
      return reply(res, { ok: true, entry_id: String(entry.id) });
    }

    if (method === 'GetCacheEntryDownloadURL') {
      const parsed = lookupSchema.safeParse(body);
      if (!parsed.success) return twirpError(res, 400, 'invalid_argument', parsed.error.issues[0]!.message);
      const { key, restore_keys, version } = parsed.data;
      for (const candidate of [key, ...restore_keys]) {
        const hit = lookup(candidate, version);
        if (hit)
          return reply(res, {
            ok: true,
            signed_download_url: signedUrl(hit.blob, 'r'),
            matched_key: hit.key,
          });
      }
      return reply(res, { ok: false, signed_download_url: '', matched_key: '' });
    }

    return twirpError(res, 404, 'bad_route', `no method ${method}`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => twirpError(res, 500, 'internal', String(err)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/`;

  return {
    url,
    token,
    env: {
      ACTIONS_RESULTS_URL: url,
      ACTIONS_RUNTIME_TOKEN: token,
      ACTIONS_CACHE_SERVICE_V2: 'true',
      // github.com, so @actions/cache does not take the GHES path (which has no v2 service).
      GITHUB_SERVER_URL: 'https://github.com',
    },
    entries: () => committed.map((e) => ({ ...e })),
    calls,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      azurite.process.kill('SIGTERM');
      await new Promise((resolve) => azurite.process.once('exit', resolve));
      await rm(azurite.dir, { recursive: true, force: true });
    },
  };
}
