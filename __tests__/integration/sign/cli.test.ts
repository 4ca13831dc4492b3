/**
 * `bentoci keygen|sign|verify` end to end: the CLI as it ships (dist/cli.js), run as a process, judged by
 * exit codes and its one-line messages.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBentoStore } from '../../../src/core/bento-store.js';
import { openModelStore, saveModel } from '../../../src/core/model-store.js';
import { OCI_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST, openRepository } from '../../../src/oci/index.js';
import { missingTool, REGISTRY_BIN, type RegistryFixture, startRegistry } from '../../support/registry.js';
import { cliPath, removeTempDirs } from '../../support/store-cli.js';

let cli: string;
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bentoci-sign-cli-'));
  cli = cliPath();
});

afterAll(removeTempDirs);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function bentoci(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const clean = { ...process.env };
    delete clean['BENTOCI_KEY_PASSWORD'];
    execFile(process.execPath, [cli, ...args], { env: { ...clean, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function modelIn(home: string, tag: string) {
  const src = await mkdtemp(join(tmpdir(), 'bentoci-sign-cli-src-'));
  await mkdir(join(src, 'weights'));
  await writeFile(join(src, 'weights', 'model.bin'), Buffer.alloc(2048, 7));
  await writeFile(join(src, 'labels.txt'), 'a\nb\n');
  return saveModel(openModelStore(home), { tag, source: src, module: 'files' });
}

describe('bentoci keygen, sign, verify (store entries)', () => {
  it('signs and verifies a model; every failure is one line with exit 1', async () => {
    const home = join(work, 'home1');
    const env = { BENTOCI_HOME: home };
    const saved = await modelIn(home, 'iris:v1');

    const keygen = await bentoci(['keygen', '--out', join(work, 'ci')], {
      ...env,
      BENTOCI_KEY_PASSWORD: 'pw',
    });
    expect(keygen.code).toBe(0);
    expect(keygen.stderr).toMatch(
      /^wrote .*ci\.key \(private, keep it secret\) and .*ci\.pub \(public\); keyid [0-9a-f]{64}\n$/,
    );
    expect((await stat(join(work, 'ci.key'))).mode & 0o777).toBe(0o600);

    const noPass = await bentoci(['sign', 'iris', '--key', join(work, 'ci.key')], env);
    expect(noPass.code).toBe(2);
    expect(noPass.stderr).toMatch(
      /^error: --key ".*ci\.key": the key is encrypted; set BENTOCI_KEY_PASSWORD or pass --password-env NAME\n$/,
    );

    const sign = await bentoci(['sign', 'iris', '--key', join(work, 'ci.key'), '--password-env', 'MY_PW'], {
      ...env,
      MY_PW: 'pw',
    });
    expect(sign.code).toBe(0);
    expect(sign.stderr).toMatch(
      /^signed model iris:v1 \(3 files, keyid [0-9a-f]{12}\): .*\.signatures\/[0-9a-f]{64}\.dsse\.json\n$/,
    );

    const ok = await bentoci(['verify', 'iris:v1', '--pub', join(work, 'ci.pub')], env);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/^verified model iris:v1: 3 files match the signature by keyid/);
    const json = await bentoci(['verify', 'iris:v1', '--pub', join(work, 'ci.pub'), '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, tag: 'iris:v1', kind: 'model' });

    await bentoci(['keygen', '--out', join(work, 'other')], env);
    const wrong = await bentoci(['verify', 'iris:v1', '--pub', join(work, 'other.pub')], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /^error: model iris:v1 is not signed by the key in --pub \(keyid [0-9a-f]{12}\); it is signed by [0-9a-f]{12}\n$/,
    );

    const path = join(saved.dir, 'weights', 'model.bin');
    const bytes = await readFile(path);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(path, bytes);
    const tampered = await bentoci(['verify', 'iris:v1', '--pub', join(work, 'ci.pub')], env);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toMatch(
      /^error: model iris:v1 does not match its signature: weights\/model\.bin changed \(signed sha256 [0-9a-f]{12}…, now [0-9a-f]{12}…\)\n$/,
    );

    await modelIn(home, 'iris:v2');
    const unsigned = await bentoci(['verify', 'iris:v2', '--pub', join(work, 'ci.pub')], env);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toMatch(/^error: model iris:v2 has no signature/);
  });

  it('takes the key from an env var and never prints it; rejects bad input with exit 2', async () => {
    const home = join(work, 'home2');
    const env = { BENTOCI_HOME: home };
    await modelIn(home, 'wine:v1');
    await bentoci(['keygen', '--out', join(work, 'envkey')], env);
    const pem = await readFile(join(work, 'envkey.key'), 'utf8');
    const signed = await bentoci(['sign', 'wine', '--key', 'env://SIGNING_KEY', '--json'], {
      ...env,
      SIGNING_KEY: pem,
    });
    expect(signed.code).toBe(0);
    const body = pem.split('\n')[1]!;
    expect(signed.stdout + signed.stderr).not.toContain(body.slice(0, 16));
    expect(JSON.parse(signed.stdout)).toMatchObject({ tag: 'wine:v1', kind: 'model', subjects: 3 });
    expect((await bentoci(['verify', 'wine', '--pub', join(work, 'envkey.pub')], env)).code).toBe(0);

    const bad = await bentoci(['verify', 'wine', '--pub', join(work, 'envkey.pub'), '--kind', 'image'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: invalid --kind "image": expected model or bento\n');
    const absent = await bentoci(['verify', 'nosuch', '--pub', join(work, 'envkey.pub')], env);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toMatch(/^error: "nosuch" is neither a bento nor a model in the store/);
    const again = await bentoci(['keygen', '--out', join(work, 'envkey')], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists \(choose another prefix or pass --force\)\n$/);
  });
});

describe('bentoci verify without --pub, and names used by a bento and a model', () => {
  it('checks integrity only, and asks for --kind when a tag is both', async () => {
    const home = join(work, 'home4');
    const env = { BENTOCI_HOME: home };
    const model = await modelIn(home, 'iris:v1');
    const bentos = openBentoStore(home);
    const staged = await bentos.stage();
    await writeFile(join(staged, 'service.txt'), 'svc\n');
    await bentos.commit(staged, { name: 'iris', version: 'v1' }, (content) => ({
      name: 'iris',
      version: 'v1',
      api_version: 'v1' as const,
      labels: {},
      creation_time: new Date().toISOString(),
      bentoci_version: '0.1.0',
      service: { name: 'iris', apis: [] },
      models: [],
      envs: [],
      node: { packages: [] },
      docker: {},
      ...content,
    }));
    await bentoci(['keygen', '--out', join(work, 'both')], env);

    const both = await bentoci(['sign', 'iris:v1', '--key', join(work, 'both.key')], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      'error: "iris:v1" names both a bento and a model; pass --kind bento or --kind model\n',
    );
    expect(
      (await bentoci(['sign', 'iris:v1', '--kind', 'model', '--key', join(work, 'both.key')], env)).code,
    ).toBe(0);
    expect(
      (await bentoci(['verify', 'iris:v1', '--kind', 'model', '--pub', join(work, 'both.pub')], env)).code,
    ).toBe(0);
    const bentoUnsigned = await bentoci(
      ['verify', 'iris:v1', '--kind', 'bento', '--pub', join(work, 'both.pub')],
      env,
    );
    expect(bentoUnsigned.stderr).toMatch(/^error: bento iris:v1 has no signature/);

    // Without --pub: the store's integrity check, every bento when no tag is given.
    const all = await bentoci(['verify'], env);
    expect(all.code).toBe(0);
    expect(all.stderr).toBe('iris:v1: ok\n');
    await writeFile(join(model.dir, 'labels.txt'), 'a\nc\n');
    const damaged = await bentoci(['verify', 'iris:v1', '--kind', 'model'], env);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(
      /^iris:v1: DAMAGED: labels\.txt modified\nerror: 1 of 1 entries are damaged \(iris:v1\)/,
    );
  });
});

const skip = missingTool(REGISTRY_BIN);

describe.skipIf(skip)(`bentoci sign|verify for images${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let registry: RegistryFixture;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('signs oci://host/repo:tag and verifies it by tag and by digest', async () => {
    const repo = await openRepository(`oci://${registry.host}/cli/app`, { insecure: true, push: true });
    const layer = await repo.putBlob(Buffer.from('cli layer'), OCI_LAYER_TAR);
    const config = await repo.putBlob(
      Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'),
      OCI_CONFIG,
    );
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }),
    );
    const digest = await repo.putManifest('v1', manifest, OCI_MANIFEST);
    await repo.close();
    expect(digest).toBe(`sha256:${createHash('sha256').update(manifest).digest('hex')}`);

    const env = { BENTOCI_HOME: join(work, 'home3') };
    await bentoci(['keygen', '--out', join(work, 'img')], env);
    const signed = await bentoci(
      [
        'sign',
        `oci://${registry.host}/cli/app:v1`,
        '--key',
        join(work, 'img.key'),
        '--insecure',
        '-a',
        'build=42',
      ],
      env,
    );
    expect(signed.stderr).toBe(
      `signed ${registry.host}/cli/app:v1 (${digest}) as cli/app:sha256-${digest.slice(7)}.sig\n`,
    );
    expect(signed.code).toBe(0);
    const byDigest = await bentoci(
      [
        'verify',
        `${registry.host}/cli/app@${digest}`,
        '--pub',
        join(work, 'img.pub'),
        '--insecure',
        '--json',
      ],
      env,
    );
    expect(byDigest.code).toBe(0);
    expect(JSON.parse(byDigest.stdout)).toMatchObject({
      ok: true,
      digest,
      payload: { optional: { build: '42' } },
    });

    await bentoci(['keygen', '--out', join(work, 'img2')], env);
    const wrong = await bentoci(
      ['verify', `oci://${registry.host}/cli/app:v1`, '--pub', join(work, 'img2.pub'), '--insecure'],
      env,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(
      `error: image ${registry.host}/cli/app:v1 is not signed by the key in --pub (1 signature by other keys)\n`,
    );
  });
});
