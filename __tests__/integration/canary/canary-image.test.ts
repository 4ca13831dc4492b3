/**
 * Canary on images through a real Docker engine and registry: the example bento containerized, a
 * second image of the same bento (another label, so another digest), both run by the canary as
 * containers on the host network, requests generated from the bento.yaml inside the image; then the
 * same through oci:// references pulled from the registry, with `stable` promoted to the candidate.
 * Needs Docker and docker-registry: fails under CI=true without them.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerize } from '../../../src/containerize/containerize.js';
import { type CanaryOptionsInput, runCanary } from '../../../src/operations/canary.js';
import {
  type ContainerizeFixture,
  exampleBento,
  setUpContainerize,
} from '../../support/containerize-fixture.js';
import { missingDocker } from '../../support/docker.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../support/registry.js';

const skip = missingDocker() || missingTool(REGISTRY_BIN, SKOPEO_BIN);

describe.skipIf(skip)(`canary on images${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let fx: ContainerizeFixture;
  let registry: RegistryFixture;
  const tag = `${process.pid}`;
  const imageA = `bentoci-canary/iris:a-${tag}`;
  const imageB = `bentoci-canary/iris:b-${tag}`;

  async function push(local: string, remoteTag: string): Promise<string> {
    const repo = `${registry.host}/acme/iris`;
    await fx.docker.getImage(local).tag({ repo, tag: remoteTag });
    const stream = await fx.docker
      .getImage(`${repo}:${remoteTag}`)
      .push({ authconfig: { serveraddress: registry.host } });
    const events = await new Promise<{ error?: string; aux?: { Digest?: string } }[]>((resolve, reject) =>
      fx.docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) =>
        err ? reject(err) : resolve(out as never),
      ),
    );
    const failed = events.find((e) => e.error);
    if (failed) throw new Error(`docker push ${repo}:${remoteTag}: ${failed.error}`);
    return events.find((e) => e.aux?.Digest)!.aux!.Digest!;
  }

  /** The canary operation as the front doors run it. */
  const canary = async (baseline: string, candidate: string, extra: Partial<CanaryOptionsInput> = {}) => {
    const thresholds = join(fx.home, 'thresholds.yaml');
    await writeFile(thresholds, 'metrics:\n  latency:\n    max_degradation: 0.5\n');
    return runCanary(
      {
        baseline,
        candidate,
        requests: 40,
        concurrency: 1,
        warmup: 5,
        seed: 3,
        // The example's 5-10 ms latency bounds shed requests on a busy two-core machine.
        env: { BENTOCI_MAX_LATENCY_MS: '5000' },
        thresholds,
        ...extra,
      },
      {
        home: fx.home,
        registry: { insecure: true },
        connectDocker: async () => fx.docker,
        log: () => undefined,
        warn: () => undefined,
      },
    );
  };

  const canaryContainers = async () =>
    (await fx.docker.listContainers({ all: true })).filter(
      (c) => c.Labels['dev.bentoci.canary'] !== undefined,
    );

  beforeAll(async () => {
    fx = await setUpContainerize();
    registry = await startRegistry();
    const bento = await exampleBento(fx, { name: 'iris' });
    await containerize(bento, { tags: [imageA], runtime: fx.runtime, log: () => undefined });
    // The same bento again: cached layers, a different label, so a different image digest.
    await containerize(bento, {
      tags: [imageB],
      labels: { 'dev.bentoci.test': 'b' },
      runtime: fx.runtime,
      log: () => undefined,
    });
  }, 600_000);

  afterAll(async () => {
    const names = [
      imageA,
      imageB,
      ...(registry ? ['stable', 'pr-7'].map((t) => `${registry.host}/acme/iris:${t}`) : []),
    ];
    for (const name of names)
      await fx?.docker
        .getImage(name)
        .remove()
        .catch(() => undefined);
    await registry?.stop();
    await fx?.cleanup();
  }, 60_000);

  it('runs both images as containers, generates requests from the bento.yaml inside, and removes them', async () => {
    const outcome = await canary(`image:${imageA}`, `image:${imageB}`);
    expect(outcome.samples.baseline.requests).toBe(40);
    expect(outcome.samples.baseline.errors + outcome.samples.candidate.errors).toBe(0);
    expect(outcome.samples.agreement).toMatchObject({ compared: 40, agreed: 40 });
    expect(outcome.verdict.verdict).toBe('pass');
    expect(outcome.candidate.identity).toMatch(/^sha256:/);
    expect(await canaryContainers()).toEqual([]);
  }, 300_000);

  it('pulls oci:// references from the registry and promotes stable to the candidate digest', async () => {
    const stable = await push(imageA, 'stable');
    const candidate = await push(imageB, 'pr-7');
    expect(candidate).not.toBe(stable);
    await fx.docker.getImage(`${registry.host}/acme/iris:pr-7`).remove();
    const outcome = await canary(
      `oci://${registry.host}/acme/iris:stable`,
      `oci://${registry.host}/acme/iris:pr-7`,
      { promoteTo: `oci://${registry.host}/acme/iris` },
    );
    expect(outcome.verdict.passed).toBe(true);
    expect(outcome.gate.promotion?.digest).toBe(candidate);
    const raw = await skopeo([
      'inspect',
      '--tls-verify=false',
      '--raw',
      `docker://${registry.host}/acme/iris:stable`,
    ]);
    expect(`sha256:${createHash('sha256').update(raw).digest('hex')}`).toBe(candidate);
    expect(await canaryContainers()).toEqual([]);
  }, 300_000);
});
