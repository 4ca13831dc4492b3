/**
 * Test registries: Debian's docker-registry (distribution 2.8) on 127.0.0.1 with a free port and
 * storage in a temp dir; optionally TLS (a cert made with openssl) with htpasswd (bcrypt, made with
 * htpasswd) or token auth (a small token service here that signs ES256 JWTs the registry verifies).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';

const run = promisify(execFile);

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const SKOPEO_BIN = '/usr/bin/skopeo';

/**
 * The first of `tools` that is not installed, as a skip reason; under CI=true a missing tool is a
 * failure, so this throws instead.
 */
export function missingTool(...tools: string[]): string | false {
  for (const tool of tools) {
    try {
      accessSync(tool, constants.X_OK);
    } catch {
      const reason = `${tool} is not installed`;
      if (process.env['CI'] === 'true') throw new Error(`${reason}, and CI=true requires it`);
      return reason;
    }
  }
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RegistryFixture {
  /** `127.0.0.1:<port>` */
  host: string;
  /** `oci://127.0.0.1:<port>` */
  url: string;
  dir: string;
  storage: string;
  /** PEM of the registry's self-signed certificate, when it speaks TLS. */
  caFile?: string;
  username?: string;
  password?: string;
  /** The file distribution keeps a blob's bytes in. */
  blobPath(digest: string): string;
  stop(): Promise<void>;
}

export interface RegistryFixtureOptions {
  tls?: boolean;
  /** Basic auth from an htpasswd file (bcrypt). Implies TLS, as distribution expects. */
  htpasswd?: { username: string; password: string };
  /** Bearer token auth: the registry trusts JWTs from a token service started here. */
  token?: { username: string; password: string };
}

async function makeCert(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return { cert, key };
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** A token service as Docker Hub's: Basic auth in, ES256 JWT out, with the certificate in x5c. */
async function startTokenService(
  dir: string,
  user: { username: string; password: string },
  service: string,
  issuer: string,
): Promise<{ realm: string; bundle: string; server: Server; requests: number[] }> {
  const { cert, key } = await makeCert(dir, 'token-signer');
  const der = new X509Certificate(await readFile(cert)).raw;
  const privateKey = createPrivateKey(await readFile(key));
  const expected = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const requests: number[] = [];
  const server = createHttpServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers.authorization !== expected) {
      requests.push(401);
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    requests.push(200);
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const parts = scope.split(':');
      if (parts.length < 3) return [];
      return [{ type: parts[0], name: parts.slice(1, -1).join(':'), actions: parts.at(-1)!.split(',') }];
    });
    const now = Math.floor(Date.now() / 1000);
    const headerPart = base64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [der.toString('base64')] }));
    const claims = base64url(
      JSON.stringify({
        iss: issuer,
        sub: user.username,
        aud: url.searchParams.get('service') ?? service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      }),
    );
    const signature = sign('sha256', Buffer.from(`${headerPart}.${claims}`), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const token = `${headerPart}.${claims}.${base64url(signature)}`;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, expires_in: 300 }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { realm: `http://127.0.0.1:${port}/token`, bundle: cert, server, requests };
}

export async function startRegistry(
  options: RegistryFixtureOptions = {},
): Promise<RegistryFixture & { tokenRequests?: number[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'bentoci-registry-'));
  const storage = join(dir, 'storage');
  await mkdir(storage);
  const port = await freePort();
  const tls = options.tls || options.htpasswd !== undefined;
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  let caFile: string | undefined;
  if (tls) {
    const { cert, key } = await makeCert(dir, 'registry');
    caFile = cert;
    lines.push('  tls:', `    certificate: ${cert}`, `    key: ${key}`);
  }
  let tokenService: Awaited<ReturnType<typeof startTokenService>> | undefined;
  if (options.htpasswd) {
    const path = join(dir, 'htpasswd');
    const { stdout } = await run('htpasswd', ['-nbB', options.htpasswd.username, options.htpasswd.password]);
    await writeFile(path, stdout);
    lines.push('auth:', '  htpasswd:', '    realm: bentoci-test', `    path: ${path}`);
  } else if (options.token) {
    tokenService = await startTokenService(
      dir,
      options.token,
      'bentoci-test-registry',
      'bentoci-test-issuer',
    );
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${tokenService.realm}`,
      '    service: bentoci-test-registry',
      '    issuer: bentoci-test-issuer',
      `    rootcertbundle: ${tokenService.bundle}`,
    );
  }
  const configPath = join(dir, 'config.yml');
  await writeFile(configPath, `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const host = `127.0.0.1:${port}`;
  const agent = new Agent(caFile ? { connect: { ca: await readFile(caFile, 'utf8') } } : {});
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await request(`${tls ? 'https' : 'http'}://${host}/v2/`, { dispatcher: agent });
      await res.body.dump();
      if (res.statusCode === 200 || res.statusCode === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`docker-registry did not start on ${host}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await agent.close();
  const user = options.htpasswd ?? options.token;
  return {
    host,
    url: `oci://${host}`,
    dir,
    storage,
    ...(caFile ? { caFile } : {}),
    ...(user ? { username: user.username, password: user.password } : {}),
    ...(tokenService ? { tokenRequests: tokenService.requests } : {}),
    blobPath: (digest: string) => {
      const hex = digest.replace(/^sha256:/, '');
      return join(storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (tokenService) await new Promise((resolve) => tokenService.server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs skopeo and returns its stdout; fails with its stderr. */
export async function skopeo(args: string[]): Promise<string> {
  try {
    const { stdout } = await run(SKOPEO_BIN, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`skopeo ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What the fault proxy does to one request. */
export type Fault =
  /** Answer this status without asking the registry. */
  | { kind: 'status'; status: number }
  /** Forward this many body bytes, then reset both connections. */
  | { kind: 'cut'; afterBytes: number }
  /** Forward this many body bytes, then stop reading (the client hangs as on a dead link). */
  | { kind: 'stall'; afterBytes: number };

export interface FaultProxy {
  host: string;
  /** Every request seen: method, path and the fault applied. */
  seen: { method: string; path: string; contentRange?: string; range?: string; fault?: Fault['kind'] }[];
  /** Resolves when a stall fault has held back a request body. */
  stalled: Promise<void>;
  stop(): Promise<void>;
}

/**
 * An HTTP proxy in front of a test registry that injects faults chosen per request, so retries,
 * resumption and kills mid-upload meet the real registry's upload state.
 */
export async function startFaultProxy(
  upstreamPort: number,
  rule: (method: string, path: string, index: number) => Fault | undefined,
): Promise<FaultProxy> {
  const { request: httpRequest } = await import('node:http');
  const seen: FaultProxy['seen'] = [];
  let onStall: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => {
    onStall = resolve;
  });
  const sockets = new Set<import('node:net').Socket>();
  let index = 0;
  const server = createHttpServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = rule(method, path, index++);
    const contentRange = req.headers['content-range'];
    const range = req.headers.range;
    seen.push({
      method,
      path,
      ...(contentRange ? { contentRange } : {}),
      ...(range ? { range } : {}),
      ...(fault ? { fault: fault.kind } : {}),
    });
    if (fault?.kind === 'status') {
      req.resume();
      res
        .writeHead(fault.status, { 'content-type': 'application/json', 'retry-after': '0' })
        .end('{"errors":[{"code":"UNAVAILABLE","message":"injected fault"}]}');
      return;
    }
    const upstream = httpRequest(
      { host: '127.0.0.1', port: upstreamPort, method, path, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    if (!fault) {
      req.pipe(upstream);
      return;
    }
    let forwarded = 0;
    req.on('data', (chunk: Buffer) => {
      const room = fault.afterBytes - forwarded;
      if (room <= 0) return;
      const part = chunk.subarray(0, room);
      forwarded += part.length;
      upstream.write(part);
      if (forwarded >= fault.afterBytes) {
        if (fault.kind === 'cut') {
          upstream.destroy();
          req.socket.destroy();
        } else {
          req.pause();
          onStall();
        }
      }
    });
    req.on('end', () => upstream.end());
    req.on('close', () => {
      if (fault.kind === 'stall') upstream.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${port}`,
    seen,
    stalled,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Saves a model of opaque files (module "files") into the store at `home`. */
export async function saveFilesModel(
  home: string,
  tag: string,
  files: Record<string, Buffer | string>,
  labels: Record<string, string> = {},
): Promise<import('../../src/core/model-store.js').StoredModel> {
  const { openModelStore, saveModel } = await import('../../src/core/model-store.js');
  const source = await mkdtemp(join(tmpdir(), 'bentoci-model-src-'));
  try {
    for (const [path, data] of Object.entries(files)) {
      await mkdir(join(source, path, '..'), { recursive: true });
      await writeFile(join(source, path), data);
    }
    return await saveModel(openModelStore(home), { tag, source, module: 'files', labels });
  } finally {
    await rm(source, { recursive: true, force: true });
  }
}

/**
 * Saves a bento that embeds `model` under models/<name>/<version>/ (as a built bento does), with a
 * small service source, straight through the store's stage/commit.
 */
export async function saveTestBento(
  home: string,
  tag: { name: string; version: string },
  model: import('../../src/core/model-store.js').StoredModel,
): Promise<import('../../src/core/bento-store.js').StoredBento> {
  const { openBentoStore } = await import('../../src/core/bento-store.js');
  const { cp } = await import('node:fs/promises');
  const store = openBentoStore(home);
  const staged = await store.stage();
  const modelPath = `models/${model.tag.name}/${model.tag.version}`;
  await mkdir(join(staged, 'src'), { recursive: true });
  await writeFile(join(staged, 'src', 'service.ts'), 'export const svc = {};\n');
  await cp(model.dir, join(staged, modelPath), { recursive: true });
  return store.commit(staged, tag, (content) => ({
    name: tag.name,
    version: tag.version,
    api_version: 'v1',
    labels: { team: 'ml' },
    creation_time: '2026-01-02T03:04:05.000Z',
    bentoci_version: '0.1.0',
    service: { name: 'svc', apis: [] },
    models: [
      {
        tag: `${model.tag.name}:${model.tag.version}`,
        module: model.info.module,
        digest: model.info.digest,
        size: model.info.size,
        path: modelPath,
      },
    ],
    envs: [],
    node: { packages: [] },
    docker: {},
    ...content,
  }));
}

/** Bundles the real CLI (src/cli.ts) with esbuild, as scripts/build.mjs does, for child processes. */
export async function bundleCli(outDir: string): Promise<string> {
  const esbuild = await import('esbuild');
  const outfile = join(outDir, 'cli.mjs');
  await esbuild.build({
    entryPoints: [join(import.meta.dirname, '..', '..', 'src', 'cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['onnxruntime-node', 'cpu-features', 'xmlbuilder2', 'libxmljs2'],
    // As scripts/build.mjs: a native addon stays a run-time require; a module merely named `*.node`
    // (@cyclonedx/cyclonedx-library's `./index.node`, a .js file) is bundled.
    plugins: [
      {
        name: 'native-addons-external',
        setup(build) {
          build.onResolve({ filter: /\.node$/ }, (args) =>
            existsSync(join(args.resolveDir, `${args.path}.js`))
              ? undefined
              : { path: args.path, external: true },
          );
        },
      },
    ],
    // CommonJS dependencies expect require, __filename and __dirname (as in scripts/build.mjs).
    banner: {
      js: [
        "import { createRequire as __cr } from 'node:module';",
        "import { dirname as __dn } from 'node:path';",
        "import { fileURLToPath as __fu } from 'node:url';",
        'const require = __cr(import.meta.url);',
        'const __filename = __fu(import.meta.url);',
        'const __dirname = __dn(__filename);',
      ].join(' '),
    },
    logLevel: 'error',
  });
  return outfile;
}
