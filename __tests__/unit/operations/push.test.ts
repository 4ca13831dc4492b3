/**
 * The push and pull operations read their options before anything is read or sent: each bad one is
 * an OptionError carrying its key, which the CLI renders as its flag and an action as its input.
 * No registry is needed: every case fails before the first request.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_INPUTS } from '../../../src/actions/inputs.js';
import { actionNaming } from '../../../src/actions/naming.js';
import { CLI_NAMING } from '../../../src/cli/naming.js';
import { openBentoStore } from '../../../src/core/bento-store.js';
import { OptionError, OptionErrors } from '../../../src/core/errors.js';
import { openModelStore } from '../../../src/core/model-store.js';
import { pull } from '../../../src/operations/pull.js';
import { type PushSubject, push } from '../../../src/operations/push.js';

const PUSH_ACTION = actionNaming(Object.keys(ACTION_INPUTS['bento-push']));

let home: string;
let bento: PushSubject;
let model: PushSubject;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'bentoci-push-options-'));
  bento = { kind: 'bento', store: openBentoStore(home), tag: 'iris:v1' };
  model = { kind: 'model', store: openModelStore(home), tag: 'iris:v1' };
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

async function failure(work: Promise<unknown>): Promise<OptionError | OptionErrors> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof OptionError) && !(err instanceof OptionErrors))
    throw new Error(`expected an option error, got ${String(err)}`);
  return err;
}

const TO = 'oci://registry.example:5000/acme/iris';

describe('push options', () => {
  it('names the target by its key: --to in the CLI, the registry input in an action', async () => {
    const err = await failure(push(bento, { to: `${TO}@sha256:${'a'.repeat(64)}` }, { home }));
    expect(err).toBeInstanceOf(OptionError);
    expect((err as OptionError).option).toBe('to');
    expect(err.render(CLI_NAMING)).toMatch(
      /^invalid --to "registry\.example:5000\/acme\/iris@sha256:a+": push to a tag/,
    );
    expect(err.render(PUSH_ACTION)).toMatch(/^invalid input "registry" /);
  });

  it('refuses a target that is not an oci:// reference, as option `to`', async () => {
    const err = await failure(push(bento, { to: 'registry.example/acme/iris' }, { home }));
    expect((err as OptionError).option).toBe('to');
  });

  it('reports every bad option at once, each with its key', async () => {
    const err = await failure(
      push(bento, { to: TO, releaseTags: 'patch', parallel: 0, timeout: -1 }, { home }),
    );
    expect(err).toBeInstanceOf(OptionErrors);
    expect((err as OptionErrors).errors.map((e) => e.option).sort()).toEqual(['parallel', 'timeout']);
    const later = await failure(push(bento, { to: TO, releaseTags: 'patch', release: 'one' }, { home }));
    expect((later as OptionErrors).errors.map((e) => e.option)).toEqual(['releaseTags', 'release']);
    expect(later.render(CLI_NAMING)).toContain('--release-tags');
    expect(later.render(CLI_NAMING)).toContain('--release');
    expect(later.render(PUSH_ACTION)).toContain('input "release-version"');
  });

  it('says which flag shapes the model image when --as-image is missing', async () => {
    const err = await failure(push(model, { to: TO, platform: 'linux/arm64' }, { home }));
    expect((err as OptionError).option).toBe('platform');
    expect(err.render(CLI_NAMING)).toBe(
      '--platform shapes the model image: add --as-image, or drop it to push the artifact',
    );
    const bad = await failure(push(model, { to: TO, asImage: true, platform: 'windows/amd64' }, { home }));
    expect((bad as OptionError).option).toBe('platform');
    expect(bad.render(CLI_NAMING)).toContain('--platform');
  });

  it('needs a signer for attestations: --key or --keyless, sign-key or sign-keyless', async () => {
    const err = await failure(push(bento, { to: TO, attest: 'provenance' }, { home }));
    expect((err as OptionError).option).toBe('attest');
    expect(err.render(CLI_NAMING)).toContain('--attest needs a signer: --key');
    expect(err.render(PUSH_ACTION)).toContain('input "attest" needs a signer: input "sign-key"');
  });

  it('refuses an unknown attestation, and attestations of a model', async () => {
    const unknown = await failure(push(bento, { to: TO, attest: 'provenance,slsa', key: 'k.pem' }, { home }));
    expect((unknown as OptionError).option).toBe('attest');
    expect(unknown.render(CLI_NAMING)).toContain('"slsa"');
    const ofModel = await failure(push(model, { to: TO, attest: 'sbom', key: 'k.pem' }, { home }));
    expect((ofModel as OptionError).option).toBe('attest');
  });

  it('says that --key signs attestations when a push signs nothing else', async () => {
    const err = await failure(push(bento, { to: TO, key: 'k.pem' }, { home }));
    expect((err as OptionError).option).toBe('key');
    expect(err.render(CLI_NAMING)).toBe(
      '--key and --keyless sign the attestations of a push: add --attest provenance,sbom',
    );
  });

  it('loads the key before anything is pushed: a missing key file is option `key`', async () => {
    const err = await failure(
      push(bento, { to: TO, key: join(home, 'missing.key'), sign: true }, { home, env: {} }),
    );
    expect((err as OptionError).option).toBe('key');
    expect(err.render(PUSH_ACTION)).toContain('input "sign-key"');
  });

  it('keeps image options to a push with an image', async () => {
    const err = await failure(push(bento, { to: TO, tag: ['latest'] }, { home }));
    expect((err as OptionError).option).toBe('tag');
    const noTarget = await failure(push({ ...bento, image: 'iris:v1' } as PushSubject, { to: TO }, { home }));
    expect((noTarget as OptionError).option).toBe('imageRegistry');
    expect(noTarget.render(PUSH_ACTION)).toContain('input "image-registry"');
  });

  it('checks the verify gate: require needs whom to trust (pub, the verify-key input)', async () => {
    const err = await failure(push(bento, { to: TO, verify: 'require' }, { home }));
    expect((err as OptionError).option).toBe('pub');
    expect(err.render(CLI_NAMING)).toContain('--verify require needs whom to trust: --pub');
    expect(err.render(PUSH_ACTION)).toContain('input "verify-key"');
  });
});

describe('pull options', () => {
  it('names the source by its key, --from in the CLI', async () => {
    const err = await failure(
      pull({ kind: 'model', store: openModelStore(home) }, { from: 'https://registry.example/x' }, { home }),
    );
    expect((err as OptionError).option).toBe('from');
    expect(err.render(CLI_NAMING)).toMatch(/--from/);
  });

  it('checks its verify gate and connection options before pulling', async () => {
    const err = await failure(
      pull(
        { kind: 'bento', store: openBentoStore(home) },
        { from: TO, verify: 'maybe', parallel: 65 },
        { home },
      ),
    );
    expect((err as OptionErrors).errors.map((e) => e.option).sort()).toEqual(['parallel', 'verify']);
    expect(err.render(CLI_NAMING)).toContain('invalid --parallel: at most 64');
  });
});
