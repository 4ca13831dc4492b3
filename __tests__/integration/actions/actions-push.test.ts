/**
 * actions/bento-push as the runner runs it, against a real registry (Debian's docker-registry):
 * job A builds and exports the bento to the Actions cache, job B restores exactly that bento (by
 * tag and digest) and pushes and signs it. skopeo and openssl check the result independently.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageReference } from '../../../src/oci/index.js';
import { verifyImageKeyless } from '../../../src/sign/images/verify-keyless.js';
import { loadTrustedRoot } from '../../../src/sign/keyless/trusted-root.js';
import { generateKeyPair } from '../../../src/sign/keys/key-files.js';
import { openSignatureRegistry } from '../../../src/sign/registry/oci-registry.js';
import {
  type Job,
  newJob,
  runActionStep,
  type StepResult,
  writeProject,
} from '../../support/action-harness.js';
import { type CacheServiceFixture, startCacheService } from '../../support/cache-service.js';
import { OIDC_REQUEST_TOKEN, startFakeSigstore } from '../../support/fake-sigstore.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../support/registry.js';

const run = promisify(execFile);
const missing = missingTool(REGISTRY_BIN, SKOPEO_BIN, '/usr/bin/openssl');

let service: CacheServiceFixture;
let registry: RegistryFixture;
const jobs: Job[] = [];
const keys = generateKeyPair();
const ISSUER = 'https://token.actions.githubusercontent.com';
const IDENTITY = 'https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main';

async function job(): Promise<Job> {
  const j = await newJob(service.env);
  jobs.push(j);
  await writeProject(j);
  return j;
}

function ok(result: StepResult): StepResult {
  const log = result.stdout + result.stderr;
  expect(
    result.annotations.filter((a) => a.level === 'error'),
    log,
  ).toEqual([]);
  expect(result.exitCode, log).toBe(0);
  return result;
}

describe.skipIf(missing)(`bento-push${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let built: StepResult;

  beforeAll(async () => {
    [service, registry] = await Promise.all([startCacheService(), startRegistry()]);
    built = ok(
      await runActionStep(
        'actions/bento-build',
        { context: 'project', models: 'iris=project/models/iris.onnx', version: 'v1', 'export-to': 'cache' },
        await job(),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all(jobs.map((j) => j.cleanup()));
    await Promise.all([service?.close(), registry?.stop()]);
  });

  it('pushes and signs exactly the bento job A built, with release tags', async () => {
    const b = await job();
    const repo = `${registry.host}/team/iris-bento`;
    const result = ok(
      await runActionStep(
        'actions/bento-push',
        {
          bento: built.outputs['tag']!,
          'bento-digest': built.outputs['digest']!,
          'import-from': 'cache',
          registry: repo,
          insecure: 'true',
          'release-version': '1.2.3',
          'registry-username': 'ci',
          'registry-password': 'not-needed-but-secret',
          'sign-key': keys.privateKey,
          attest: 'provenance,sbom',
        },
        b,
      ),
    );
    const { outputs } = result;
    expect(outputs['tag']).toBe('iris_service:v1');
    expect(outputs['digest']).toBe(built.outputs['digest']);
    expect(outputs['artifact-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(outputs['artifact-ref']).toBe(`${repo}@${outputs['artifact-digest']}`);
    expect(outputs['pushed-refs']!.split('\n').sort()).toEqual(
      ['v1', '1.2.3', '1.2', '1', 'latest'].map((t) => `${repo}:${t}`).sort(),
    );
    expect(outputs['image-digest']).toBe('');

    // skopeo, an independent client, finds the artifact under the release tag.
    const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${repo}:1.2.3`]);
    expect(`sha256:${(await import('node:crypto')).createHash('sha256').update(raw).digest('hex')}`).toBe(
      outputs['artifact-digest'],
    );

    // Signatures: the DSSE envelope as a referrer, and a cosign signature that openssl verifies.
    const signatureRefs = outputs['signature-refs']!.split('\n');
    expect(signatureRefs.some((r) => r.startsWith(`${repo}@sha256:`))).toBe(true);
    const cosignTag = `${outputs['artifact-digest']!.replace(':', '-')}.sig`;
    expect(signatureRefs).toContain(`${repo}:${cosignTag}`);
    const sigManifest = JSON.parse(
      await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${repo}:${cosignTag}`]),
    ) as {
      layers: { digest: string; annotations: Record<string, string> }[];
    };
    const layer = sigManifest.layers[0]!;
    const payload = Buffer.from(
      await (await fetch(`http://${registry.host}/v2/team/iris-bento/blobs/${layer.digest}`)).arrayBuffer(),
    );
    const dir = b.temp;
    await writeFile(join(dir, 'payload'), payload);
    await writeFile(
      join(dir, 'sig'),
      Buffer.from(layer.annotations['dev.cosignproject.cosign/signature']!, 'base64'),
    );
    await writeFile(join(dir, 'pub.pem'), keys.publicKey);
    const verified = await run('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      join(dir, 'pub.pem'),
      '-signature',
      join(dir, 'sig'),
      join(dir, 'payload'),
    ]);
    expect(verified.stdout).toContain('Verified OK');
    expect(JSON.parse(payload.toString()).critical.image['docker-manifest-digest']).toBe(
      outputs['artifact-digest'],
    );

    // Attestations: a SLSA provenance and a CycloneDX SBOM referrer of the artifact, in the summary too.
    const attested = outputs['attestation-refs']!.split('\n');
    const predicates: string[] = [];
    for (const ref of attested) {
      expect(ref).toMatch(new RegExp(`^${repo}@sha256:[0-9a-f]{64}$`));
      const res = await fetch(`http://${registry.host}/v2/team/iris-bento/manifests/${ref.split('@')[1]}`, {
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      const manifest = (await res.json()) as {
        subject: { digest: string };
        annotations: Record<string, string>;
      };
      expect(manifest.subject.digest).toBe(outputs['artifact-digest']);
      predicates.push(manifest.annotations['dev.sigstore.bundle.predicateType']!);
    }
    expect(predicates.sort()).toEqual(['https://cyclonedx.org/bom', 'https://slsa.dev/provenance/v1']);
    expect(result.summary).toContain('attestation (provenance)');

    // Secrets were masked before anything could print them, and never appear outside the masks.
    expect(result.masks).toContain('not-needed-but-secret');
    const keyBody = keys.privateKey.split('\n').find((l) => l.length > 40)!;
    expect(result.masks).toContain(keyBody);
    const printed = result.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(printed).not.toContain(keyBody);
    expect(printed).not.toContain('not-needed-but-secret');

    // The summary lists what went where.
    expect(result.summary).toContain(`| bento | \`${repo}:1.2.3\` | \`${outputs['artifact-digest']}\` |`);
    expect(result.summary).toContain(`| signature | \`${repo}:${cosignTag}\` |`);
  });

  it('signs keyless with the job OIDC token: a Sigstore bundle as referrer, cosign keyless layers', async () => {
    const fake = await startFakeSigstore({ oidc: { iss: ISSUER, sub: IDENTITY } });
    try {
      const b = await job();
      b.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${fake.url}/oidc/token?api-version=2.0`;
      b.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = OIDC_REQUEST_TOKEN;
      const repo = `${registry.host}/team/keyless`;
      const result = ok(
        await runActionStep(
          'actions/bento-push',
          {
            bento: built.outputs['tag']!,
            'import-from': 'cache',
            registry: repo,
            insecure: 'true',
            'sign-keyless': 'true',
            'sigstore-fulcio-url': fake.url,
            'sigstore-rekor-url': fake.url,
          },
          b,
        ),
      );
      expect(fake.requests).toEqual({ fulcio: 2, rekor: 2 });
      expect(result.stdout).toContain(
        `signed bento iris_service:v1 keyless as ${IDENTITY} (issuer ${ISSUER})`,
      );
      const digest = result.outputs['artifact-digest']!;
      const cosignTag = `${digest.replace(':', '-')}.sig`;
      expect(result.outputs['signature-refs']!.split('\n')).toContain(`${repo}:${cosignTag}`);

      const rootFile = join(b.workspace, 'trusted_root.json');
      await writeFile(rootFile, JSON.stringify(fake.trustedRoot()));
      const trustedRoot = await loadTrustedRoot({ file: rootFile });
      const ref = parseImageReference(`${repo}@${digest}`);
      const r = await openSignatureRegistry(ref, { insecure: true });
      try {
        const verified = await verifyImageKeyless(
          r,
          ref,
          { identity: IDENTITY, issuer: ISSUER },
          {
            trustedRoot,
            ignoreSct: true,
          },
        );
        expect(verified).toMatchObject({ ok: true, digest, signer: { identity: IDENTITY }, logged: true });
      } finally {
        await r.close();
      }
      // A later step trusts that signer (verify-policy with a keyless identity), and no other.
      const gate = (identity: string) =>
        runActionStep(
          'actions/bento-push',
          {
            bento: built.outputs['tag']!,
            registry: `${registry.host}/team/keyless-gated`,
            insecure: 'true',
            'verify-policy': 'require',
            'verify-certificate-identity': identity,
            'verify-certificate-oidc-issuer': ISSUER,
            'verify-trusted-root': 'trusted_root.json',
            'verify-insecure-ignore-sct': 'true',
          },
          b,
        );
      const gated = ok(await gate(IDENTITY));
      expect(gated.stdout).toContain(`is signed by ${IDENTITY} (issuer ${ISSUER})`);
      const refused = await gate('https://github.com/evil/x');
      expect(refused.exitCode).toBe(1);
      expect(refused.annotations.find((a) => a.level === 'error')!.message).toContain(
        'not by the expected identity "https://github.com/evil/x"',
      );

      // The token reaches the log only in the command that tells the runner to mask it.
      const payload = Buffer.from(JSON.stringify({ iss: ISSUER }))
        .toString('base64url')
        .slice(0, 20);
      const lines = result.stdout.split('\n').filter((l) => l.includes(payload));
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every((l) => l.startsWith('::add-mask::'))).toBe(true);
    } finally {
      await fake.close();
    }
  });

  it('sign-keyless without the id-token permission or beside sign-key, attest without a signer, and half a keyless signer, fail naming the input', async () => {
    const inputs = {
      bento: built.outputs['tag']!,
      'import-from': 'cache',
      registry: `${registry.host}/team/keyless-no`,
      insecure: 'true',
      'sign-keyless': 'true',
    };
    const noPermission = await runActionStep('actions/bento-push', inputs, await job());
    expect(noPermission.exitCode).toBe(1);
    expect(noPermission.annotations[0]!.properties['title']).toBe(
      'Invalid input "sign-keyless" (bento-push)',
    );
    expect(noPermission.annotations[0]!.message).toContain('permissions: id-token: write');
    const both = await runActionStep(
      'actions/bento-push',
      { ...inputs, 'sign-key': keys.privateKey },
      await job(),
    );
    expect(both.exitCode).toBe(1);
    expect(both.annotations[0]!.message).toContain(
      'input "sign-keyless" and input "sign-key" exclude each other',
    );
    const { 'sign-keyless': _, ...unsigned } = inputs;
    for (const [attest, message] of [
      ['sbom', 'needs a signer: input "sign-key" (a private key) or input "sign-keyless"'],
      ['provenance,slsa', '"slsa" is not an attestation: expected a comma list of provenance, sbom, or none'],
    ]) {
      const bad = await runActionStep('actions/bento-push', { ...unsigned, attest: attest! }, await job());
      expect(bad.exitCode).toBe(1);
      expect(bad.annotations[0]!.properties['title']).toBe('Invalid input "attest" (bento-push)');
      expect(bad.annotations[0]!.message).toContain(message);
    }
    const halfSigner = await runActionStep(
      'actions/bento-push',
      {
        bento: built.outputs['tag']!,
        registry: `${registry.host}/team/keyless-no`,
        'verify-policy': 'require',
        'verify-certificate-identity': IDENTITY,
      },
      await job(),
    );
    expect(halfSigner.exitCode).toBe(1);
    expect(halfSigner.annotations[0]!.properties['title']).toBe(
      'Invalid input "verify-certificate-oidc-issuer" (bento-push)',
    );
  });

  it('refuses a bento whose digest is not the one the workflow passed along', async () => {
    const b = await job();
    const result = await runActionStep(
      'actions/bento-push',
      {
        bento: built.outputs['tag']!,
        'bento-digest': `sha256:${'1'.repeat(64)}`,
        'import-from': 'cache',
        registry: `${registry.host}/team/other`,
        insecure: 'true',
      },
      b,
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]!.message).toMatch(
      /is not in the Actions cache \(key bentoci-bento-iris_service:v1@111111111111\)/,
    );
  });

  it('enforces verify-policy: require before pushing an unsigned bento', async () => {
    const b = await job();
    await writeFile(join(b.workspace, 'pub.pem'), keys.publicKey);
    const result = await runActionStep(
      'actions/bento-push',
      {
        bento: built.outputs['tag']!,
        'import-from': 'cache',
        registry: `${registry.host}/team/unsigned`,
        insecure: 'true',
        'verify-policy': 'require',
        'verify-key': 'pub.pem',
      },
      b,
    );
    expect(result.exitCode).toBe(1);
    const error = result.annotations.find((a) => a.level === 'error')!;
    expect(error.properties['title']).toBe('Verify bento iris_service:v1 failed (bento-push)');
    expect(error.message).toMatch(/has no signature/);
    expect(result.stdout).not.toContain('::group::Push bento');
  });

  it('needs image-registry when image is set', async () => {
    const result = await runActionStep(
      'actions/bento-push',
      { bento: 'iris_service', registry: `${registry.host}/team/x`, image: 'iris_service:v1' },
      await job(),
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations.map((a) => a.properties['title'])).toEqual([
      'Invalid input "image-registry" (bento-push)',
    ]);
  });
});
