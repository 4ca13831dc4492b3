/**
 * Keyless signing offline: a local fake Fulcio (real v2 signingCert protocol, throwaway CA) and fake
 * Rekor (SET + one-leaf inclusion proof + signed checkpoint), a TrustedRoot JSON naming them, and the
 * real @sigstore/sign and @sigstore/verify in between. The CLI runs from source (`node --import tsx`).
 * Not exercised: the real Fulcio, Rekor, TUF and GitHub's OIDC endpoint (no network), and SCTs.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_NAMING } from '../../../../src/cli/naming.js';
import { exportEntry } from '../../../../src/core/archive/export.js';
import { importArchive } from '../../../../src/core/archive/import.js';
import { openModelStore, saveModel } from '../../../../src/core/model-store.js';
import { SIGNATURES_DIR } from '../../../../src/core/store.js';
import { sha256Digest } from '../../../../src/oci/manifests.js';
import { BUNDLE_SUFFIX, readEntryBundles } from '../../../../src/sign/entries/bundles.js';
import { signEntryKeyless } from '../../../../src/sign/entries/sign-keyless.js';
import { verifyEntryKeyless } from '../../../../src/sign/entries/verify-keyless.js';
import { resolveIdentityToken } from '../../../../src/sign/keyless/identity-token.js';
import { loadTrustedRoot } from '../../../../src/sign/keyless/trusted-root.js';
import { attachEntrySignatures, pullEntrySignatures } from '../../../../src/sign/registry/referrers.js';
import type { SignatureRegistry } from '../../../../src/sign/registry/signature-registry.js';
import { createCa, type FakeSigstore, mintToken, startFakeSigstore } from '../../../support/fake-sigstore.js';

const ISSUER = 'https://token.actions.githubusercontent.com';
const IDENTITY = 'https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main';

let fake: FakeSigstore;
let work: string;
let rootFile: string;
let otherRootFile: string;
const token = () =>
  mintToken({ iss: ISSUER, sub: IDENTITY, aud: 'sigstore', exp: Math.floor(Date.now() / 1000) + 600 });

beforeAll(async () => {
  fake = await startFakeSigstore();
  work = await mkdtemp(join(tmpdir(), 'bentoci-keyless-'));
  rootFile = join(work, 'trusted_root.json');
  await writeFile(rootFile, JSON.stringify(fake.trustedRoot()));
  otherRootFile = join(work, 'other_root.json');
  await writeFile(otherRootFile, JSON.stringify(fake.trustedRoot(await createCa('another ca'))));
});

afterAll(() => fake?.close());

async function savedModel(home: string, tag = 'iris:v1') {
  const src = await mkdtemp(join(tmpdir(), 'bentoci-keyless-src-'));
  await mkdir(join(src, 'weights'));
  await writeFile(join(src, 'weights', 'model.bin'), Buffer.alloc(4096, 3));
  await writeFile(join(src, 'labels.txt'), 'a\nb\n');
  const store = openModelStore(home);
  return { store, entry: await saveModel(store, { tag, source: src, module: 'files' }) };
}

const policy = { identity: IDENTITY, issuer: ISSUER };

describe('keyless signing and verification (library)', () => {
  it('signs through Fulcio and Rekor, stores a v0.3 bundle, verifies against the trusted root', async () => {
    const { store, entry } = await savedModel(join(work, 'h1'));
    const signed = await signEntryKeyless(store, entry, {
      identityToken: token(),
      fulcioURL: fake.url,
      rekorURL: fake.url,
    });
    expect(signed.path.endsWith(BUNDLE_SUFFIX)).toBe(true);
    expect(signed.logged).toBe(true);
    expect(signed.bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    const trustedRoot = await loadTrustedRoot({ file: rootFile });
    const ok = await verifyEntryKeyless(store, entry, policy, { trustedRoot, ignoreSct: true });
    expect(ok).toMatchObject({ ok: true, signer: { identity: IDENTITY, issuer: ISSUER }, logged: true });
    const re = await verifyEntryKeyless(
      store,
      entry,
      { identityRegexp: '^https://github\\.com/acme/', issuerRegexp: 'githubusercontent' },
      { trustedRoot, ignoreSct: true },
    );
    expect(re.ok).toBe(true);

    // Without --insecure-ignore-sct the missing SCT (no CT log here) is refused.
    const sct = await verifyEntryKeyless(store, entry, policy, { trustedRoot });
    expect(sct).toMatchObject({ ok: false, reason: 'untrusted' });
    expect(!sct.ok && sct.message).toMatch(/SCT/);

    // Wrong identity, wrong issuer, another CA.
    const who = await verifyEntryKeyless(
      store,
      entry,
      { ...policy, identity: 'https://github.com/evil/x' },
      {
        trustedRoot,
        ignoreSct: true,
      },
    );
    expect(who).toMatchObject({ ok: false, reason: 'wrong-identity' });
    expect(!who.ok && who.message).toContain(IDENTITY);
    const iss = await verifyEntryKeyless(
      store,
      entry,
      { ...policy, issuer: 'https://accounts.google.com' },
      {
        trustedRoot,
        ignoreSct: true,
      },
    );
    expect(iss).toMatchObject({ ok: false, reason: 'wrong-identity' });
    const other = await verifyEntryKeyless(store, entry, policy, {
      trustedRoot: await loadTrustedRoot({ file: otherRootFile }),
      ignoreSct: true,
    });
    expect(other).toMatchObject({ ok: false, reason: 'untrusted' });

    // A changed model file.
    await writeFile(join(entry.dir, 'weights', 'model.bin'), Buffer.alloc(4096, 4));
    const changed = await verifyEntryKeyless(store, entry, policy, { trustedRoot, ignoreSct: true });
    expect(changed).toMatchObject({ ok: false, reason: 'changed' });
    expect(!changed.ok && changed.message).toContain('weights/model.bin changed');
  });

  it('refuses an altered bundle and a bundle copied to another entry', async () => {
    const home = join(work, 'h2');
    const { store, entry } = await savedModel(home, 'iris:v1');
    const { entry: v2 } = await savedModel(home, 'iris:v2');
    const signed = await signEntryKeyless(store, entry, {
      identityToken: token(),
      fulcioURL: fake.url,
      rekorURL: fake.url,
    });
    const trustedRoot = await loadTrustedRoot({ file: rootFile });
    // Same files, other tag: the statement names iris:v1.
    await mkdir(join(v2.dir, SIGNATURES_DIR), { recursive: true });
    await writeFile(join(v2.dir, SIGNATURES_DIR, `copied${BUNDLE_SUFFIX}`), await readFile(signed.path));
    expect(await verifyEntryKeyless(store, v2, policy, { trustedRoot, ignoreSct: true })).toMatchObject({
      ok: false,
      reason: 'other-entry',
    });
    // A payload swapped inside the bundle no longer matches the DSSE signature.
    const bundle = JSON.parse(await readFile(signed.path, 'utf8'));
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
    statement.predicate.tag = 'iris:v2';
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    await writeFile(join(v2.dir, SIGNATURES_DIR, `copied${BUNDLE_SUFFIX}`), JSON.stringify(bundle));
    expect(await verifyEntryKeyless(store, v2, policy, { trustedRoot, ignoreSct: true })).toMatchObject({
      ok: false,
      reason: 'untrusted',
    });
  });

  it('--no-tlog bundles need --insecure-ignore-tlog and are checked at the current time', async () => {
    const { store, entry } = await savedModel(join(work, 'h3'));
    const before = fake.requests.rekor;
    const signed = await signEntryKeyless(store, entry, {
      identityToken: token(),
      fulcioURL: fake.url,
      tlog: false,
    });
    expect(signed.logged).toBe(false);
    expect(fake.requests.rekor).toBe(before);
    const trustedRoot = await loadTrustedRoot({ file: rootFile });
    const strict = await verifyEntryKeyless(store, entry, policy, { trustedRoot, ignoreSct: true });
    expect(strict).toMatchObject({ ok: false, reason: 'untrusted' });
    expect(!strict.ok && strict.message).toContain('`insecureIgnoreTlog`');
    expect(!strict.ok && strict.text?.render(CLI_NAMING)).toContain('pass --insecure-ignore-tlog');
    const now = await verifyEntryKeyless(store, entry, policy, {
      trustedRoot,
      ignoreSct: true,
      ignoreTlog: true,
    });
    expect(now).toMatchObject({ ok: true, logged: false });
    // An hour later the 10-minute certificate has expired, and nothing proves when it was used.
    const later = await verifyEntryKeyless(store, entry, policy, {
      trustedRoot,
      ignoreSct: true,
      ignoreTlog: true,
      now: new Date(Date.now() + 3_600_000),
    });
    expect(later).toMatchObject({ ok: false, reason: 'untrusted' });
    // Still checked against the CA: another root refuses it.
    const other = await verifyEntryKeyless(store, entry, policy, {
      trustedRoot: await loadTrustedRoot({ file: otherRootFile }),
      ignoreSct: true,
      ignoreTlog: true,
    });
    expect(other).toMatchObject({ ok: false, reason: 'untrusted' });
  });

  it('the bundle travels through export and import', async () => {
    const { store, entry } = await savedModel(join(work, 'h4'));
    await signEntryKeyless(store, entry, { identityToken: token(), fulcioURL: fake.url, rekorURL: fake.url });
    const archive = join(work, 'iris.bentomodel');
    await exportEntry(store, 'iris:v1', archive);
    const other = openModelStore(join(work, 'h4-import'));
    const { entry: imported } = await importArchive(other, archive);
    expect((await readEntryBundles(imported.dir)).bundles).toHaveLength(1);
    const trustedRoot = await loadTrustedRoot({ file: rootFile });
    expect(await verifyEntryKeyless(other, imported, policy, { trustedRoot, ignoreSct: true })).toMatchObject(
      {
        ok: true,
      },
    );
  });

  it('the bundle travels through push and pull (OCI referrers tag fallback)', async () => {
    const { store, entry } = await savedModel(join(work, 'h5'));
    await signEntryKeyless(store, entry, { identityToken: token(), fulcioURL: fake.url, rekorURL: fake.url });
    const registry = memoryRegistry();
    const pushed = Buffer.from(JSON.stringify({ schemaVersion: 2, pushed: 'model' }));
    const digest = sha256Digest(pushed);
    await registry.putManifest('acme/iris', digest, 'application/vnd.oci.image.manifest.v1+json', pushed);
    const attached = await attachEntrySignatures(registry, 'acme/iris', digest, entry.dir);
    expect(attached?.manifests).toHaveLength(1);
    const pulledDir = await mkdtemp(join(tmpdir(), 'bentoci-keyless-pull-'));
    expect(await pullEntrySignatures(registry, 'acme/iris', digest, pulledDir)).toBe(1);
    const [original] = (await readEntryBundles(entry.dir)).bundles;
    const [pulled] = (await readEntryBundles(pulledDir)).bundles;
    expect(pulled?.bundle).toEqual(original?.bundle);
  });

  it('identity tokens: env var, GitHub Actions, and errors that name the fix', async () => {
    const t = token();
    expect((await resolveIdentityToken({ envName: 'TOK', env: { TOK: t } })).claims.sub).toBe(IDENTITY);
    const gha = await resolveIdentityToken({
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token' },
      fetchGitHubToken: (aud) => Promise.resolve(aud === 'sigstore' ? t : ''),
    });
    expect(gha.from).toBe('GitHub Actions OIDC');
    await expect(resolveIdentityToken({ env: {} })).rejects.toThrow(/pass `identityTokenEnv: NAME`/);
    await expect(resolveIdentityToken({ envName: 'TOK', env: {} })).rejects.toThrow(
      /^`identityTokenEnv: TOK`: the variable is not set/,
    );
    await expect(resolveIdentityToken({ envName: 'TOK', env: { TOK: 'ghp_abc' } })).rejects.toThrow(
      /not a JWT/,
    );
    const expired = mintToken({ iss: ISSUER, sub: IDENTITY, aud: 'sigstore', exp: 1 });
    await expect(resolveIdentityToken({ envName: 'TOK', env: { TOK: expired } })).rejects.toThrow(/expired/);
    const wrongAud = mintToken({ iss: ISSUER, sub: IDENTITY, aud: 'api://x' });
    await expect(resolveIdentityToken({ envName: 'TOK', env: { TOK: wrongAud } })).rejects.toThrow(
      /audience/,
    );
  });

  it('without --trusted-root and without network, the error says how to verify offline', async () => {
    await expect(
      loadTrustedRoot({ tufMirrorURL: 'http://127.0.0.1:1', tufCachePath: join(work, 'tuf-cache') }),
    ).rejects.toThrow(/needs network access: to verify offline pass `trustedRoot: FILE`/);
    const bad = join(work, 'bad-root.json');
    await writeFile(bad, JSON.stringify({ mediaType: 'application/json' }));
    await expect(loadTrustedRoot({ file: bad })).rejects.toThrow(/is not a Sigstore TrustedRoot/);
  });
});

/** Just enough of a registry without the referrers API (like distribution 2.8). */
function memoryRegistry(): SignatureRegistry {
  const manifests = new Map<string, { mediaType: string; bytes: Buffer }>();
  const blobs = new Map<string, Buffer>();
  return {
    getManifest: async (repo, ref) => {
      const found = manifests.get(`${repo}@${ref}`);
      return found && { digest: sha256Digest(found.bytes), ...found };
    },
    putManifest: async (repo, ref, mediaType, bytes) => {
      const value = { mediaType, bytes: Buffer.from(bytes) };
      manifests.set(`${repo}@${ref}`, value);
      manifests.set(`${repo}@${sha256Digest(bytes)}`, value);
      return { digest: sha256Digest(bytes), subjectAccepted: false };
    },
    getBlob: async (repo, digest) => blobs.get(`${repo}@${digest}`) ?? Buffer.alloc(0),
    putBlob: async (repo, bytes) => {
      blobs.set(`${repo}@${sha256Digest(bytes)}`, Buffer.from(bytes));
      return sha256Digest(bytes);
    },
    getReferrers: async () => undefined,
  };
}

describe('bentoci sign --keyless / verify --certificate-identity (CLI from source)', () => {
  interface Run {
    code: number;
    stdout: string;
    stderr: string;
  }
  const cli = resolve('src/cli.ts');
  function bentoci(args: string[], env: Record<string, string>): Promise<Run> {
    return new Promise((done) => {
      const clean = { ...process.env };
      delete clean['ACTIONS_ID_TOKEN_REQUEST_URL'];
      execFile(
        process.execPath,
        ['--import', 'tsx', cli, ...args],
        { env: { ...clean, ...env } },
        (err, stdout, stderr) =>
          done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('signs and verifies a model; tampering and wrong identities exit 1 with one line', async () => {
    const home = join(work, 'cli');
    const { entry } = await savedModel(home);
    const env = { BENTOCI_HOME: home, OIDC_TOKEN: token() };
    const sign = await bentoci(
      [
        'sign',
        'iris:v1',
        '--keyless',
        '--identity-token-env',
        'OIDC_TOKEN',
        '--fulcio-url',
        fake.url,
        '--rekor-url',
        fake.url,
      ],
      env,
    );
    expect(sign.stderr).toMatch(/signed model iris:v1 keyless as .*logged in Rekor/);
    expect(sign.code).toBe(0);
    expect(
      (await readdir(join(entry.dir, SIGNATURES_DIR))).filter((f) => f.endsWith(BUNDLE_SUFFIX)),
    ).toHaveLength(1);

    const args = [
      'verify',
      'iris:v1',
      '--certificate-oidc-issuer',
      ISSUER,
      '--trusted-root',
      rootFile,
      '--insecure-ignore-sct',
    ];
    const ok = await bentoci([...args, '--certificate-identity', IDENTITY], env);
    expect(ok.stderr).toContain(`keyless signature of ${IDENTITY}`);
    expect(ok.code).toBe(0);

    const wrong = await bentoci([...args, '--certificate-identity', 'https://github.com/evil/x'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('not by the expected identity "https://github.com/evil/x"');

    const missing = await bentoci(
      ['verify', 'iris:v1', '--certificate-identity', IDENTITY, '--trusted-root', rootFile],
      env,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--certificate-oidc-issuer');

    await writeFile(join(entry.dir, 'labels.txt'), 'a\nb\nc\n');
    const changed = await bentoci([...args, '--certificate-identity', IDENTITY], env);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toContain('labels.txt changed');

    const noToken = await bentoci(['sign', 'iris:v1', '--keyless', '--fulcio-url', fake.url], env);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('--identity-token-env');
  }, 60_000);
});
