/**
 * The registry client against registries that try to make it do what it should not: send our
 * credentials elsewhere, fill the disk or the memory, or quote our secrets back in an error.
 * Every registry here is a small node:http server on loopback; "another host" is another port
 * (another origin) or 127.0.0.2.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pushInputs } from '../../../src/actions/inputs.js';
import { IntegrityError, NotFoundError, UsageError } from '../../../src/core/errors.js';
import {
  bufferSource,
  OCI_MANIFEST,
  openRepository,
  parseImageReference,
  parseOciUrl,
} from '../../../src/oci/index.js';
import { partialSlot } from '../../../src/registry/partial.js';
import {
  BASIC,
  failure,
  type HostileServer,
  hostileFixture,
  json,
  PASSWORD,
  REPO,
  stream,
  USER,
} from '../../support/hostile-registry.js';

const MiB = 1024 * 1024;
const { serve, basicRegistry, open, cleanup } = hostileFixture();

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bentoci-oci-hostile-'));
});
afterEach(cleanup);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

describe('credentials go only to the origin they were given for (finding 4)', () => {
  it('uploads to a Location on another origin without Authorization, relative Locations staying there', async () => {
    let received = 0;
    const storage = await serve((req, res, body) => {
      received += body.length;
      if (req.method === 'PATCH') {
        res.writeHead(202, { location: `/upload/next-${received}`, range: `0-${received - 1}` });
        return res.end();
      }
      res.writeHead(201, { 'content-length': '0' });
      res.end();
    });
    const registry = await basicRegistry((req, res) => {
      if (req.method === 'HEAD') {
        res.writeHead(404, { 'content-length': '0' });
        return res.end();
      }
      if (req.method === 'POST') {
        res.writeHead(202, { location: `${storage.origin}/upload/start`, 'content-length': '0' });
        return res.end();
      }
      json(res, 404, { errors: [{ code: 'UNSUPPORTED' }] });
    });
    const repo = await open(registry);
    expect(
      await repo.uploadBlob(bufferSource(randomBytes(3000)), { monolithicMax: 1024, chunkSize: 1024 }),
    ).toBe('uploaded');
    expect(await repo.uploadBlob(bufferSource(randomBytes(500)))).toBe('uploaded');

    expect(storage.seen.map((s) => s.method)).toEqual(['PATCH', 'PATCH', 'PATCH', 'PUT', 'PUT']);
    expect(storage.seen.map((s) => s.authorization)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    // The registry itself got the credentials, and never a byte of the uploads.
    expect(registry.seen.some((s) => s.authorization === BASIC)).toBe(true);
    expect(registry.seen.filter((s) => s.method === 'PATCH' || s.method === 'PUT')).toEqual([]);
  });

  it('follows a Link to the next tag page on another origin without Authorization', async () => {
    const other = await serve((_req, res) => json(res, 200, { name: REPO, tags: ['b'] }));
    const registry = await basicRegistry((_req, res) =>
      json(
        res,
        200,
        { name: REPO, tags: ['a'] },
        { link: `<${other.origin}/v2/${REPO}/tags/list?last=a>; rel="next"` },
      ),
    );
    const repo = await open(registry);
    expect(await repo.tags()).toEqual(['a', 'b']);
    expect(other.seen).toEqual([
      { method: 'GET', path: `/v2/${REPO}/tags/list?last=a`, authorization: undefined },
    ]);
  });

  it('stops a Link that leads back to a page already read', async () => {
    let pages = 0;
    const registry = await basicRegistry((_req, res) =>
      // Gives up after 20 pages itself, so a client without the check ends too (and fails the test).
      json(
        res,
        200,
        { name: REPO, tags: [`t${pages}`] },
        ++pages < 20 ? { link: `</v2/${REPO}/tags/list?n=1000>; rel="next"` } : {},
      ),
    );
    const repo = await open(registry);
    const err = await failure(repo.tags());
    expect(err.message).toMatch(/tag list of .* links back to a page already read/);
    expect(pages).toBe(1);
  });

  it('gives up on an upload session that takes chunks without moving on', async () => {
    let patches = 0;
    let received = 0;
    const registry = await basicRegistry((req, res, body) => {
      if (req.method === 'HEAD') return json(res, 404, {});
      if (req.method === 'PATCH') {
        received += body.length;
        // Says "nothing yet" 30 times (then the truth), so a client without the check ends too.
        const range = ++patches <= 30 ? '0-0' : `0-${received - 1}`;
        res.writeHead(202, { location: '/upload/1', range, 'content-length': '0' });
        return res.end();
      }
      res.writeHead(req.method === 'POST' ? 202 : 201, { location: '/upload/1', 'content-length': '0' });
      res.end();
    });
    const repo = await open(registry);
    const err = await failure(
      repo.uploadBlob(bufferSource(randomBytes(3000)), { monolithicMax: 1024, chunkSize: 1024 }),
    );
    expect(err.message).toMatch(/the registry took 2 chunks at byte 0 without moving past it/);
    expect(patches).toBe(2);
  });

  it('follows a blob redirect to storage on another origin without Authorization', async () => {
    const layer = randomBytes(4096);
    const cdn = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(layer.length) });
      res.end(layer);
    });
    const registry = await basicRegistry((_req, res) => {
      res.writeHead(307, { location: `${cdn.origin}/blob?sig=x`, 'content-length': '0' });
      res.end();
    });
    const repo = await open(registry);
    const dest = join(work, 'redirected.bin');
    await repo.downloadBlob(sha256(layer), layer.length, dest);
    expect((await readFile(dest)).equals(layer)).toBe(true);
    expect(cdn.seen.map((s) => s.authorization)).toEqual([undefined]);
  });
});

describe('downloads are capped at what was described (finding 5)', () => {
  it('cuts a blob longer than its descriptor off at size+1 bytes and keeps nothing', async () => {
    const layer = randomBytes(2560);
    let cdn: HostileServer | undefined;
    cdn = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      stream(cdn!, res, layer, 512 * MiB);
    });
    const registry = await basicRegistry((_req, res) => {
      res.writeHead(307, { location: `${cdn!.origin}/layer`, 'content-length': '0' });
      res.end();
    });
    const repo = await open(registry);
    const partPath = join(work, 'partial', 'layer.part');
    const dest = join(work, 'layer.bin');
    const counted: number[] = [];
    const err = await failure(
      repo.downloadBlob(sha256(layer), layer.length, dest, { partPath, onBytes: (n) => counted.push(n) }),
    );
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err.message).toMatch(/is longer than the 2560 bytes its descriptor says \(cut off at byte 2561\)/);
    expect(err.message).not.toContain('\n');
    expect(existsSync(partPath)).toBe(false);
    expect(existsSync(dest)).toBe(false);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(0);
    await cdn.streamsDone();
    // Socket buffers hold a few MiB at most; a client without the cap reads all 512 MiB.
    expect(cdn.sent).toBeLessThan(32 * MiB);
  });

  it('names partial files only after sha256 digests', async () => {
    for (const digest of ['sha256:../../escape', `sha512:${'a'.repeat(128)}`]) {
      const err = await failure(partialSlot(work, digest));
      expect(err.message).toMatch(/is not sha256:<64 hex>: cannot download it/);
    }
    const slot = await partialSlot(work, `sha256:${'b'.repeat(64)}`);
    expect(slot.path).toBe(join(work, '.oci', 'partial', `${'b'.repeat(64)}.part`));
    await slot.release();
  });

  it('refuses a blob whose reply declares more than its descriptor before reading it', async () => {
    const layer = randomBytes(2560);
    let registry: HostileServer | undefined;
    registry = await basicRegistry((_req, res) => {
      res.writeHead(200, { 'content-length': String(64 * MiB) });
      stream(registry!, res, layer, 64 * MiB);
    });
    const repo = await open(registry);
    const partPath = join(work, 'partial', 'declared.part');
    await mkdir(join(work, 'partial'), { recursive: true });
    const err = await failure(
      repo.downloadBlob(sha256(layer), layer.length, join(work, 'd.bin'), { partPath }),
    );
    expect(err.message).toMatch(
      /longer than the 2560 bytes its descriptor says \(its reply declares 67108864\)/,
    );
    expect(existsSync(partPath)).toBe(false);
    await registry.streamsDone();
    expect(registry.sent).toBeLessThan(32 * MiB);
  });

  it('refuses a manifest over 4 MiB, and one longer than its descriptor', async () => {
    let registry: HostileServer | undefined;
    registry = await basicRegistry((req, res) => {
      const declared = req.url?.endsWith('/declared');
      res.writeHead(200, {
        'content-type': OCI_MANIFEST,
        ...(declared ? { 'content-length': String(64 * MiB) } : {}),
      });
      stream(registry!, res, Buffer.from('{"schemaVersion":2,"annotations":{"x":"'), 64 * MiB);
    });
    const repo = await open(registry);
    for (const tag of ['streamed', 'declared']) {
      const err = await failure(repo.getManifest(tag));
      expect(err.message).toMatch(
        /manifest .*:(streamed|declared) is .*(larger than|over the limit of) 4194304/,
      );
    }
    const small = await failure(repo.getManifest('described', 300));
    expect(small.message).toMatch(/manifest .*:described is larger than 300 bytes/);
    const config = await failure(repo.fetchBlob(`sha256:${'c'.repeat(64)}`, 4 * MiB, 100));
    expect(config.message).toMatch(/blob sha256:c+ of .* is larger than 100 bytes/);
    await registry.streamsDone();
    expect(registry.sent).toBeLessThan(64 * MiB);
  });

  it('reads at most a little of an error reply and of a token reply', async () => {
    let registry: HostileServer | undefined;
    registry = await serve((req, res) => {
      if (req.url === '/v2/') return json(res, 200, {});
      res.writeHead(404, { 'content-type': 'text/plain' });
      stream(registry!, res, Buffer.from('no such manifest\n'), 256 * MiB);
    });
    const notFound = await failure((await open(registry)).getManifest('v1'));
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound.message).toBe(
      `reading manifest ${registry.host}/${REPO}:v1: not found in registry ${registry.host}: no such manifest`,
    );
    await registry.streamsDone();
    expect(registry.sent).toBeLessThan(32 * MiB);

    let realm: HostileServer | undefined;
    realm = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      stream(realm!, res, Buffer.from('{"token":"'), 8 * MiB);
    });
    const bearer = await serve((_req, res) => {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${realm!.origin}/token"`,
        'content-length': '0',
      });
      res.end();
    });
    const token = await failure((await open(bearer)).getManifest('v1'));
    expect(token.message).toMatch(/token service .* is larger than 1048576 bytes/);
    await realm.streamsDone();
    expect(realm.sent).toBeLessThan(8 * MiB);
  });
});

describe('Basic credentials and Bearer realms (finding 10)', () => {
  async function bearerRegistry(realm: () => string): Promise<HostileServer> {
    return serve((req, res) => {
      if (req.headers.authorization !== 'Bearer granted') {
        res.writeHead(401, {
          'www-authenticate': `Bearer realm="${realm()}",service="hostile"`,
          'content-length': '0',
        });
        return res.end();
      }
      json(res, 200, { name: REPO, tags: ['ok'] });
    });
  }
  const tokenService = (address?: string) =>
    serve((_req, res) => json(res, 200, { token: 'granted', expires_in: 300 }), address);

  it('never sends credentials to a plain-http realm on another host', async () => {
    const realm = await tokenService('127.0.0.2');
    const registry = await bearerRegistry(() => `${realm.origin}/token`);
    const err = await failure((await open(registry)).tags());
    expect(err.message).toMatch(
      /token realm http:\/\/127\.0\.0\.2:\d+ over plain HTTP on another host: refusing/,
    );

    const config = join(work, 'docker-config');
    await mkdir(config, { recursive: true });
    await writeFile(
      join(config, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { identitytoken: 'refresh-token-xyz' } } }),
    );
    const refresh = await failure(
      (await open(registry, { username: undefined, password: undefined, dockerConfigDir: config })).tags(),
    );
    expect(refresh.message).toMatch(/refusing to send the credentials from docker config.json/);
    expect(realm.seen).toEqual([]);

    // Without credentials there is nothing to leak: an anonymous token from that realm is fine.
    const anonymous = await open(registry, { username: undefined, password: undefined });
    expect(await anonymous.tags()).toEqual(['ok']);
    expect(realm.seen.map((s) => s.authorization)).toEqual([undefined]);
  });

  it('sends Basic to a plain-http realm on the same host, as local registries need', async () => {
    const realm = await tokenService();
    const registry = await bearerRegistry(() => `${realm.origin}/token`);
    expect(await (await open(registry)).tags()).toEqual(['ok']);
    expect(realm.seen.map((s) => s.authorization)).toEqual([BASIC]);
    expect(registry.seen.at(-1)?.authorization).toBe('Bearer granted');
  });
});

describe('credentials never appear in a message (finding 10)', () => {
  const forms = [
    `oci://${USER}:${PASSWORD}@127.0.0.1:5000/repo`,
    `oci://${USER}:${PASSWORD}@127.0.0.1:5000`,
    `oci://${USER}:${PASSWORD}@127.0.0.1:5000/Bad_Repo:-tag`,
    `oci://${USER}:${PASSWORD}@127.0.0.1:5000/repo@sha256:${'a'.repeat(64)}`,
    `oci://${USER}:pass/word@${PASSWORD}@ghcr.io/org/app`,
    `https://${USER}:${PASSWORD}@ghcr.io/org/app`,
    `${USER}:${PASSWORD}@ghcr.io/org/app:1`,
  ];

  it('refuses user info in every reference form without quoting it', async () => {
    const messages: string[] = [];
    for (const text of forms) {
      for (const parse of [() => parseOciUrl(text), () => parseImageReference(text)]) {
        expect(parse).toThrow(UsageError);
        messages.push(await failure(Promise.resolve().then(parse)).then((e) => e.message));
      }
      messages.push((await failure(openRepository(text, { insecure: true }))).message);
      const input = pushInputs.registry.safeParse(text);
      expect(input.success).toBe(false);
      messages.push(input.error?.issues[0]?.message ?? '');
    }
    expect(messages.length).toBe(forms.length * 4);
    for (const message of messages) {
      expect(message).not.toContain(PASSWORD);
      expect(message).not.toContain(USER);
      expect(message).toContain('***');
    }
  });

  it('hides our credentials when a registry or token service echoes them in an error', async () => {
    const echo = (req: { headers: { authorization?: string } }) =>
      `you sent ${req.headers.authorization} (${Buffer.from(req.headers.authorization?.slice(6) ?? '', 'base64')})`;
    const realm = await serve((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(echo(req));
    });
    const registry = await basicRegistry((req, res) => {
      const tag = req.url?.split('/').at(-1);
      if (tag === 'e403') return json(res, 403, { errors: [{ code: 'DENIED', message: echo(req) }] });
      if (tag === 'e404') return json(res, 404, { errors: [{ code: 'NOT_FOUND', message: echo(req) }] });
      if (tag === 'e500') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        return res.end(`${echo(req)}\nsecond line`);
      }
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${realm.origin}/token"`,
        'content-length': '0',
      });
      res.end();
    });
    const repo = await open(registry);
    const messages: string[] = [];
    for (const tag of ['e403', 'e404', 'e500', 'bearer'])
      messages.push((await failure(repo.getManifest(tag))).message);
    expect(messages[0]).toMatch(
      /denied it \(403 Forbidden: DENIED \(you sent Basic \*\*\* \(alice:\*\*\*\)\)\)/,
    );
    expect(messages[3]).toMatch(/token service .* answered 500: you sent Basic \*\*\*/);
    for (const message of messages) {
      expect(message).not.toContain(PASSWORD);
      expect(message).not.toContain(BASIC.slice(6));
      expect(message).not.toContain('\n');
    }
  });
});
