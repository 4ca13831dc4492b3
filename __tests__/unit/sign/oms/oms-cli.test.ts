/**
 * `bentoci sign --format oms` and `bentoci verify --signature|--format oms`, the CLI as it ships
 * (dist/cli.js or $BENTOCI_TEST_CLI): the reference tool's vectors with the arguments model_signing's
 * own test scripts pass, and a stored model signed and verified both ways. The library is tested in
 * sign-oms.test.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyOf, KEYS, SIGSTORE_IDENTITY, savedModel, VECTORS } from '../../../support/oms-vectors.js';
import { cliPath, removeTempDirs } from '../../../support/store-cli.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'bentoci-oms-cli-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await removeTempDirs();
});

describe('bentoci sign --format oms / verify --signature (the CLI as it ships)', () => {
  function bentoci(args: string[], env: Record<string, string> = {}) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [cliPath(), ...args],
        { env: { ...process.env, ...env } },
        (err, stdout, stderr) =>
          done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it("verifies the reference tool's vectors the way model_signing's own tests call it", async () => {
    const v = (f: string) => join(VECTORS, f);
    const key = await bentoci([
      'verify',
      v('v1.0.1-elliptic-key'),
      '--signature',
      v('v1.0.1-elliptic-key/model.sig'),
      '--pub',
      join(KEYS, 'signing-key-pub.pem'),
      '--ignore-paths',
      v('v1.0.1-elliptic-key/ignore-me'),
    ]);
    expect(key).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        /^verified .*v1\.0\.1-elliptic-key: 2 files match .*model\.sig \(OMS v1\.0, signed by key e8450dec4eb9 \(sha256 of its PEM\)\)\n$/,
      ),
    });
    const cert = await bentoci([
      'verify',
      v('v1.1.0-certificate'),
      '--signature',
      v('v1.1.0-certificate/model.sig'),
      '--certificate-chain',
      join(KEYS, 'ca-cert.pem'),
    ]);
    expect(cert).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        /OMS v1\.0, signed by certificate CN=intermediate-ca <- CN=intermediate-ca <- CN=root-ca; ignored as signed: /,
      ),
    });
    const sigstore = await bentoci([
      'verify',
      v('v1.1.0-sigstore'),
      '--signature',
      v('v1.1.0-sigstore/model.sig'),
      '--offline',
      '--certificate-identity',
      SIGSTORE_IDENTITY.identity,
      '--certificate-oidc-issuer',
      SIGSTORE_IDENTITY.issuer,
    ]);
    expect(sigstore).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        /signed by stefanb@us\.ibm\.com \(issuer https:\/\/sigstore\.verify\.ibm\.com\/oauth2, logged in Rekor\)/,
      ),
    });

    const dir = await copyOf(work, 'v1.1.0-certificate');
    await writeFile(join(dir, 'signme-2'), 'changed');
    const changed = await bentoci([
      'verify',
      dir,
      '--signature',
      join(dir, 'model.sig'),
      '--certificate-chain',
      join(KEYS, 'ca-cert.pem'),
    ]);
    expect(changed).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^error: .* does not match .*model\.sig: signme-2 changed \(signed sha256 32dcb1f8e1ae…, now [0-9a-f]{12}…\)\n$/,
      ),
    });
    const none = await bentoci(['verify', dir, '--signature', join(dir, 'model.sig')]);
    expect(none).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error: OMS verification needs whom to trust: --pub KEY/),
    });
    const stray = await bentoci(['verify', 'iris', '--ignore-paths', 'x']);
    expect(stray).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--ignore-paths is for OMS signatures/),
    });
  }, 120_000);

  it('signs a stored model with --format oms and verifies it as an entry and as a directory', async () => {
    const home = join(work, 'cli-home');
    const { entry } = await savedModel(work, home);
    const env = { BENTOCI_HOME: home };
    const keys = join(work, 'cli');
    expect((await bentoci(['keygen', '--out', keys], env)).code).toBe(0);
    const sign = await bentoci(['sign', 'iris:v1', '--key', `${keys}.key`, '--format', 'oms'], env);
    expect(sign).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        /^signed model iris:v1 in the OMS v1\.0 format \(3 files, key [0-9a-f]{12}\): .*\.signatures\/model\.sig\n$/,
      ),
    });
    const asEntry = await bentoci(['verify', 'iris:v1', '--format', 'oms', '--pub', `${keys}.pub`], env);
    expect(asEntry).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(
        /^verified model iris:v1: 3 files match the OMS signature \(signed by key [0-9a-f]{12} \(sha256 of its PEM\)\)\n$/,
      ),
    });
    const asDir = await bentoci(
      [
        'verify',
        entry.dir,
        '--signature',
        join(entry.dir, '.signatures', 'model.sig'),
        '--pub',
        `${keys}.pub`,
        '--json',
      ],
      env,
    );
    expect(asDir.code).toBe(0);
    expect(JSON.parse(asDir.stdout)).toMatchObject({
      ok: true,
      method: 'key',
      files: 3,
      ignorePaths: ['.signatures', 'model.yaml'],
    });
    // The landed format still signs and verifies beside it.
    expect((await bentoci(['sign', 'iris:v1', '--key', `${keys}.key`], env)).code).toBe(0);
    expect((await bentoci(['verify', 'iris:v1', '--pub', `${keys}.pub`], env)).code).toBe(0);
  }, 120_000);
});
