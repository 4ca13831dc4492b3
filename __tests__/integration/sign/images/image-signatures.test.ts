/**
 * Image signatures in cosign's format against a real registry (distribution 2.8), read back with
 * skopeo and plain HTTP and checked with openssl: the format is proven, not only self-consistent.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageReference } from '../../../../src/oci/index.js';
import { signImage } from '../../../../src/sign/images/sign.js';
import { verifyImage } from '../../../../src/sign/images/verify.js';
import { loadSigner, loadVerifier, writeKeyPair } from '../../../../src/sign/keys/key-files.js';
import type { Signer, Verifier } from '../../../../src/sign/keys/signer.js';
import { enforceVerifyPolicy } from '../../../../src/sign/policy.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../../support/registry.js';
import { pushTestImage, withSignatureRegistry } from '../../../support/test-images.js';

const skip = missingTool(REGISTRY_BIN, SKOPEO_BIN, '/usr/bin/openssl');
const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let registry: RegistryFixture;
let dir: string;

async function keys(name: string): Promise<{ signer: Signer; verifier: Verifier; pubPath: string }> {
  const { keyPath, pubPath } = await writeKeyPair(join(dir, name));
  return { signer: await loadSigner(keyPath), verifier: await loadVerifier(pubPath), pubPath };
}

const pushImage = (repository: string, tag: string, seed: string) =>
  pushTestImage(registry.host, repository, tag, seed);
const withRegistry = withSignatureRegistry;

async function httpGet(path: string): Promise<Buffer> {
  const res = await request(`http://${registry.host}${path}`);
  expect(res.statusCode).toBe(200);
  return Buffer.from(await res.body.arrayBuffer());
}

describe.skipIf(skip)(`image signatures in a registry${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    registry = await startRegistry();
    dir = await mkdtemp(join(tmpdir(), 'bentoci-sign-image-'));
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('signs a tag in cosign format that skopeo, plain HTTP and openssl read back', async () => {
    const { signer, verifier, pubPath } = await keys('a');
    const digest = await pushImage('demo/iris', '1.0', 'one');
    const image = `${registry.host}/demo/iris:1.0`;
    const signed = await withRegistry(image, (r) => signImage(r, parseImageReference(image), signer), true);
    expect(signed.digest).toBe(digest);
    expect(signed.signatureTag).toBe(`sha256-${digest.slice(7)}.sig`);

    // The image digest as skopeo sees it.
    const imageRaw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${image}`]);
    expect(sha256(imageRaw)).toBe(digest);

    // The .sig manifest as skopeo reads it: cosign's layout.
    const sigRaw = await skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      `docker://${registry.host}/demo/iris:${signed.signatureTag}`,
    ]);
    const sigManifest = JSON.parse(sigRaw);
    expect(sigManifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(sigManifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(sigManifest.layers).toHaveLength(1);
    const layer = sigManifest.layers[0];
    expect(layer.mediaType).toBe('application/vnd.dev.cosign.simplesigning.v1+json');
    const sigB64: string = layer.annotations['dev.cosignproject.cosign/signature'];
    expect(sigB64).toMatch(/^[A-Za-z0-9+/]+=*$/);

    // The payload over plain HTTP, checked field by field against cosign's simple-signing layout.
    const payload = await httpGet(`/v2/demo/iris/blobs/${layer.digest}`);
    expect(sha256(payload)).toBe(layer.digest);
    expect(payload.length).toBe(layer.size);
    const json = JSON.parse(payload.toString('utf8'));
    expect(Object.keys(json).sort()).toEqual(['critical', 'optional']);
    expect(Object.keys(json.critical).sort()).toEqual(['identity', 'image', 'type']);
    expect(json.critical.identity).toEqual({ 'docker-reference': `${registry.host}/demo/iris` });
    expect(json.critical.image).toEqual({ 'docker-manifest-digest': digest });
    expect(json.critical.type).toBe('cosign container image signature');
    expect(Number.isInteger(json.optional.timestamp)).toBe(true);

    // The config lists the layer as cosign's does.
    const config = JSON.parse(
      (await httpGet(`/v2/demo/iris/blobs/${sigManifest.config.digest}`)).toString('utf8'),
    );
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: [layer.digest] });

    // openssl verifies the signature over the payload bytes with the public key file.
    await writeFile(join(dir, 'payload.json'), payload);
    await writeFile(join(dir, 'sig.der'), Buffer.from(sigB64, 'base64'));
    const out = execFileSync('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      pubPath,
      '-signature',
      join(dir, 'sig.der'),
      join(dir, 'payload.json'),
    ]);
    expect(out.toString()).toContain('Verified OK');

    // And we verify by tag and by digest.
    for (const ref of [
      image,
      `${registry.host}/demo/iris@${digest}`,
      `oci://${registry.host}/demo/iris:1.0`,
    ]) {
      expect(
        await withRegistry(ref, (r) => verifyImage(r, parseImageReference(ref), verifier)),
      ).toMatchObject({ ok: true, digest });
    }
  });

  it('fails when the tag is moved to another image, and when a .sig is copied onto another digest', async () => {
    const { signer, verifier } = await keys('b');
    const first = await pushImage('demo/moved', 'prod', 'first');
    const image = `${registry.host}/demo/moved:prod`;
    await withRegistry(image, (r) => signImage(r, parseImageReference(image), signer), true);
    expect(
      await withRegistry(image, (r) => verifyImage(r, parseImageReference(image), verifier)),
    ).toMatchObject({ ok: true });

    const second = await pushImage('demo/moved', 'prod', 'second');
    expect(second).not.toBe(first);
    const moved = await withRegistry(image, (r) => verifyImage(r, parseImageReference(image), verifier));
    expect(moved).toMatchObject({ ok: false, reason: 'unsigned' });
    expect(!moved.ok && moved.message).toContain(`(${second}) has no signature`);

    // Copy the first image's signature manifest onto the second digest's .sig tag.
    await withRegistry(
      image,
      async (r) => {
        const sig = await r.getManifest('demo/moved', `sha256-${first.slice(7)}.sig`);
        await r.putManifest('demo/moved', `sha256-${second.slice(7)}.sig`, sig!.mediaType, sig!.bytes);
      },
      true,
    );
    const copied = await withRegistry(image, (r) => verifyImage(r, parseImageReference(image), verifier));
    expect(copied).toMatchObject({ ok: false, reason: 'digest-mismatch' });
    expect(!copied.ok && copied.message).toContain(`the signature is for ${first}, the image is ${second}`);
    // Pinning the old digest still verifies: that image was signed.
    const pinned = `${registry.host}/demo/moved@${first}`;
    expect(
      await withRegistry(pinned, (r) => verifyImage(r, parseImageReference(pinned), verifier)),
    ).toMatchObject({ ok: true });
  });

  it('fails with the wrong key, and keeps other keys’ signatures when signing again', async () => {
    const a = await keys('c');
    const b = await keys('d');
    const digest = await pushImage('demo/multi', 'v1', 'multi');
    const image = `${registry.host}/demo/multi:v1`;
    const ref = parseImageReference(image);
    await withRegistry(image, (r) => signImage(r, ref, a.signer), true);
    const wrong = await withRegistry(image, (r) => verifyImage(r, ref, b.verifier));
    expect(wrong).toMatchObject({ ok: false, reason: 'wrong-key' });
    expect(!wrong.ok && wrong.message).toMatch(
      /is not signed by the key in `pub` \(1 signature by other keys\)/,
    );

    const second = await withRegistry(image, (r) => signImage(r, ref, b.signer), true);
    expect(second.kept).toBe(1);
    const again = await withRegistry(image, (r) => signImage(r, ref, a.signer), true);
    expect(again.kept).toBe(1); // b's stays, a's earlier one is replaced
    const sigManifest = JSON.parse(
      await skopeo([
        'inspect',
        '--raw',
        '--tls-verify=false',
        `docker://${registry.host}/demo/multi:sha256-${digest.slice(7)}.sig`,
      ]),
    );
    expect(sigManifest.layers).toHaveLength(2);
    for (const k of [a, b])
      expect(await withRegistry(image, (r) => verifyImage(r, ref, k.verifier))).toMatchObject({ ok: true });
  });

  it('gates through the verify policy', async () => {
    const { signer, verifier } = await keys('e');
    await pushImage('demo/gated', 'v1', 'gated');
    const image = `${registry.host}/demo/gated:v1`;
    const ref = parseImageReference(image);
    await withRegistry(image, async (r) => {
      await expect(
        enforceVerifyPolicy('require', { type: 'image', registry: r, ref }, verifier),
      ).rejects.toThrow(/^`verify: require`: image .* has no signature/);
      const warnings: string[] = [];
      expect(
        await enforceVerifyPolicy('warn', { type: 'image', registry: r, ref }, verifier, {
          warn: (m) => warnings.push(m),
        }),
      ).toMatchObject({ status: 'warned' });
      expect(warnings[0]).toMatch(/has no signature/);
      const missing = parseImageReference(`${registry.host}/demo/gated:absent`);
      expect(
        await enforceVerifyPolicy('warn', { type: 'image', registry: r, ref: missing }, verifier, {
          warn: () => undefined,
        }),
      ).toMatchObject({ status: 'warned' });
      await expect(
        enforceVerifyPolicy('require', { type: 'image', registry: r, ref: missing }, verifier),
      ).rejects.toThrow(/not in the registry|not found/);
    });
    await withRegistry(image, (r) => signImage(r, ref, signer), true);
    await withRegistry(image, async (r) => {
      expect(await enforceVerifyPolicy('require', { type: 'image', registry: r, ref }, verifier)).toEqual({
        status: 'verified',
        by: `key ${verifier.keyid.slice(0, 12)}`,
      });
    });
  });
});
