/**
 * The verify gates of `bentoci push`, `pull` and `serve` (CLI from source), with a key and keyless:
 * under `require` an unsigned, wrongly signed or changed entry stops the command before it pushes or
 * serves, and a pull that fails the gate leaves nothing in the store. Real registry (distribution 2.8);
 * keyless through the local fake Fulcio/Rekor.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisModel } from '../../../examples/models.js';
import { openModelStore, saveModel } from '../../../src/core/model-store.js';
import { signEntry } from '../../../src/sign/entries/sign.js';
import { signEntryKeyless } from '../../../src/sign/entries/sign-keyless.js';
import { loadSigner, writeKeyPair } from '../../../src/sign/keys/key-files.js';
import { type FakeSigstore, mintToken, startFakeSigstore } from '../../support/fake-sigstore.js';
import { missingTool, REGISTRY_BIN, type RegistryFixture, startRegistry } from '../../support/registry.js';

const skip = missingTool(REGISTRY_BIN);
const ISSUER = 'https://token.actions.githubusercontent.com';
const IDENTITY = 'https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main';
const CLI = resolve('src/cli.ts');

let registry: RegistryFixture;
let fake: FakeSigstore;
let work: string;
let rootFile: string;
let keyPath: string;
let pubPath: string;

function bentoci(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, ...args],
      { env: { ...process.env, BENTOCI_HOME: home } },
      (err, stdout, stderr) =>
        done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function savedIris(home: string) {
  const file = join(work, 'iris.onnx');
  await writeFile(file, irisModel());
  const store = openModelStore(home);
  return { store, entry: await saveModel(store, { tag: 'iris:v1', source: file }) };
}

async function tagExists(repository: string, tag: string): Promise<boolean> {
  const res = await request(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  await res.body.dump();
  return res.statusCode === 200;
}

describe.skipIf(skip)(`verify gates of push, pull and serve${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    registry = await startRegistry();
    fake = await startFakeSigstore();
    work = await mkdtemp(join(tmpdir(), 'bentoci-gates-'));
    rootFile = join(work, 'trusted_root.json');
    await writeFile(rootFile, JSON.stringify(fake.trustedRoot()));
    ({ keyPath, pubPath } = await writeKeyPair(join(work, 'ci')));
  });
  afterAll(async () => {
    await registry?.stop();
    await fake?.close();
  });

  it('push --verify require: refuses an unsigned or changed model before anything is pushed', async () => {
    const home = join(work, 'push');
    const { store, entry } = await savedIris(home);
    const push = (extra: string[]) =>
      bentoci(
        ['models', 'push', 'iris:v1', '--to', `oci://${registry.host}/gates/iris`, '--insecure', ...extra],
        home,
      );
    const unsigned = await push(['--verify', 'require', '--pub', pubPath]);
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain('--verify require: model iris:v1 has no signature');
    expect(await tagExists('gates/iris', 'v1')).toBe(false);

    const noTrust = await push(['--verify', 'require']);
    expect(noTrust.code).toBe(2);
    expect(noTrust.stderr).toMatch(
      /--verify require needs .*--pub.*--certificate-identity and --certificate-oidc-issuer/,
    );

    await signEntry(store, entry, await loadSigner(keyPath));
    const onnx = join(entry.dir, entry.info.entrypoint!);
    const original = await readFile(onnx);
    await writeFile(onnx, Buffer.concat([original, Buffer.from([0])]));
    const changed = await push(['--verify', 'require', '--pub', pubPath]);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain(`${entry.info.entrypoint} changed`);
    expect(await tagExists('gates/iris', 'v1')).toBe(false);
    await writeFile(onnx, original);

    const signed = await push(['--verify', 'require', '--pub', pubPath]);
    expect(signed.stderr).toMatch(/signature verified \(key [0-9a-f]{12}\)/);
    expect(signed.code).toBe(0);
    expect(await tagExists('gates/iris', 'v1')).toBe(true);
  }, 60_000);

  it('pull --verify require with a keyless identity: keeps what verifies, removes what does not', async () => {
    const home = join(work, 'pull-src');
    const { store, entry } = await savedIris(home);
    const token = mintToken({
      iss: ISSUER,
      sub: IDENTITY,
      aud: 'sigstore',
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    await signEntryKeyless(store, entry, { identityToken: token, fulcioURL: fake.url, rekorURL: fake.url });
    const pushed = await bentoci(
      ['models', 'push', 'iris:v1', '--to', `oci://${registry.host}/gates/keyless`, '--insecure'],
      home,
    );
    expect(pushed.code).toBe(0);

    const pull = (into: string, identity: string) =>
      bentoci(
        [
          'models',
          'pull',
          '--from',
          `oci://${registry.host}/gates/keyless:v1`,
          '--insecure',
          '--verify',
          'require',
          '--certificate-identity',
          identity,
          '--certificate-oidc-issuer',
          ISSUER,
          '--trusted-root',
          rootFile,
          '--insecure-ignore-sct',
        ],
        into,
      );
    const wrongHome = join(work, 'pull-wrong');
    const wrong = await pull(wrongHome, 'https://github.com/evil/x');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`is signed by "${IDENTITY}"`);
    expect(await openModelStore(wrongHome).find('iris:v1')).toBeUndefined();

    const okHome = join(work, 'pull-ok');
    const ok = await pull(okHome, IDENTITY);
    expect(ok.stderr).toContain(`signature verified (${IDENTITY} (issuer ${ISSUER}))`);
    expect(ok.code).toBe(0);
    expect(await openModelStore(okHome).find('iris:v1')).toBeDefined();
  }, 60_000);

  it('serve --verify require: an unsigned model is not served; a directory cannot be verified', async () => {
    const home = join(work, 'serve');
    const { entry } = await savedIris(home);
    const unsigned = await bentoci(
      ['serve', 'iris:v1', '--port', '0', '--verify', 'require', '--pub', pubPath],
      home,
    );
    expect(unsigned.code).toBe(1);
    expect(unsigned.stderr).toContain('model iris:v1 has no signature');
    expect(unsigned.stderr).not.toContain('serving model');

    const dir = await bentoci(
      ['serve', entry.dir, '--port', '0', '--verify', 'require', '--pub', pubPath],
      home,
    );
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain('--verify cannot check a directory');
  }, 60_000);
});
