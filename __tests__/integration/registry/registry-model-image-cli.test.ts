/**
 * `models push --as-image` as users run it (the bundled CLI): a push under SOURCE_DATE_EPOCH that
 * matches the library's digest, and bad input refused with one line naming the input and the fix.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelStore } from '../../../src/core/model-store.js';
import { openRepository, parseOciUrl } from '../../../src/oci/index.js';
import { pushModelImage } from '../../../src/registry/model-image.js';
import { EPOCH, pushBase, saveAt } from '../../support/model-image.js';
import { missingTool, REGISTRY_BIN, type RegistryFixture, startRegistry } from '../../support/registry.js';
import { assertCliBuilt, bentoci, removeTempDirs } from '../../support/store-cli.js';

const missing = missingTool(REGISTRY_BIN);

let registry: RegistryFixture;
let homeA: string;
let work: string;

beforeAll(async () => {
  if (missing) return;
  assertCliBuilt();
  registry = await startRegistry();
  work = await mkdtemp(join(tmpdir(), 'bentoci-model-image-cli-'));
  homeA = join(work, 'home');
  await saveAt(homeA, 'iris:v1', { 'model.bin': Buffer.alloc(2 * 1024 * 1024, 7), 'vocab.txt': 'a b c\n' });
  await pushBase(registry, 'base/multi', 'arm64', 'arm64', 'v8');
});
afterAll(async () => {
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  await removeTempDirs();
});

describe.skipIf(missing)(
  'bad input through the CLI: one line naming the input and the fix, nothing pushed',
  () => {
    async function cli(args: string[]) {
      const out = await bentoci(['models', 'push', 'iris:v1', ...args], { home: homeA });
      const lines = out.stderr.trim().split('\n');
      return { code: out.code, line: lines.at(-1) ?? '', lines, stdout: out.stdout.toString() };
    }

    it('pushes through the CLI with --as-image --json under SOURCE_DATE_EPOCH, to the same digest as the library', async () => {
      const previous = process.env['SOURCE_DATE_EPOCH'];
      process.env['SOURCE_DATE_EPOCH'] = String(EPOCH.getTime() / 1000);
      try {
        const out = await bentoci(
          [
            'models',
            'push',
            'iris:v1',
            '--to',
            `${registry.url}/images/iris-cli`,
            '--as-image',
            '--insecure',
            '--json',
          ],
          { home: homeA },
        );
        expect(out.stderr).not.toMatch(/error/i);
        expect(out.code).toBe(0);
        const pushed = JSON.parse(out.stdout.toString());
        const library = await pushModelImage(
          openModelStore(homeA),
          'iris:v1',
          parseOciUrl(`${registry.url}/images/iris`),
          {
            home: homeA,
            insecure: true,
            sourceDateEpoch: EPOCH,
          },
        );
        expect(pushed).toMatchObject({
          digest: library.digest,
          platform: 'linux/amd64',
          unchanged: false,
          layers: 2,
        });
      } finally {
        if (previous === undefined) delete process.env['SOURCE_DATE_EPOCH'];
        else process.env['SOURCE_DATE_EPOCH'] = previous;
      }
    });

    it('refuses a base that is not an image', async () => {
      const repo = await openRepository(`${registry.url}/not/image`, { insecure: true, push: true });
      const config = await repo.putBlob(Buffer.from('{}'), 'application/vnd.example.config.v1+json');
      const layer = await repo.putBlob(Buffer.from('data'), 'application/vnd.example.data');
      await repo.putManifest(
        'v1',
        Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            artifactType: 'application/vnd.example',
            config,
            layers: [layer],
          }),
        ),
        'application/vnd.oci.image.manifest.v1+json',
      );
      await repo.close();
      const out = await cli([
        '--to',
        `${registry.url}/images/bad`,
        '--as-image',
        '--insecure',
        '--base',
        `${registry.url}/not/image:v1`,
      ]);
      expect(out.code).toBe(2);
      expect(out.lines).toHaveLength(1);
      expect(out.line).toMatch(
        /--base ".*not\/image:v1": its config is application\/vnd\.example\.config\.v1\+json, not an image config .*; pass a Linux container image .*busybox.*or drop --base/,
      );
      const missingBase = await cli([
        '--to',
        `${registry.url}/images/bad`,
        '--as-image',
        '--insecure',
        '--base',
        `${registry.url}/not/there:v1`,
      ]);
      expect(missingBase.code).toBe(2);
      expect(missingBase.line).toMatch(/--base ".*not\/there:v1".*pass an image the registry holds/);
      const repoBad = await openRepository(`${registry.url}/images/bad`, { insecure: true });
      expect(await repoBad.resolve('v1')).toBeUndefined();
      await repoBad.close();
    });

    it('refuses a base for another platform', async () => {
      const out = await cli([
        '--to',
        `${registry.url}/images/bad`,
        '--as-image',
        '--insecure',
        '--base',
        `${registry.url}/base/multi:arm64`,
        '--platform',
        'linux/amd64',
      ]);
      expect(out.code).toBe(2);
      expect(out.lines).toHaveLength(1);
      expect(out.line).toMatch(
        /--base ".*base\/multi:arm64": it is built for linux\/arm64\/v8, not linux\/amd64; pass a base for linux\/amd64/,
      );
    });

    it('refuses unknown flag values and image flags without --as-image', async () => {
      const platform = await cli([
        '--to',
        `${registry.url}/images/bad`,
        '--as-image',
        '--insecure',
        '--platform',
        'linux/amd65',
      ]);
      expect(platform.code).toBe(2);
      expect(platform.line).toMatch(
        /invalid --platform "linux\/amd65": expected linux\/<arch>.*amd64, arm64/,
      );
      const windows = await cli([
        '--to',
        `${registry.url}/images/bad`,
        '--as-image',
        '--platform',
        'windows/amd64',
      ]);
      expect(windows.line).toMatch(/invalid --platform "windows\/amd64"/);
      const base = await cli([
        '--to',
        `${registry.url}/images/bad`,
        '--as-image',
        '--base',
        'docker://busybox',
      ]);
      expect(base.code).toBe(2);
      expect(base.line).toMatch(/--base/);
      const noImage = await cli([
        '--to',
        `${registry.url}/images/bad`,
        '--base',
        `${registry.url}/base/tiny`,
      ]);
      expect(noImage.code).toBe(2);
      expect(noImage.line).toMatch(/--base shapes the model image: add --as-image, or drop it/);
    });
  },
);
