/**
 * Promotion against a real registry (Debian's docker-registry): `stable` moves to the candidate's
 * digest only when the verdict passes (and the event may promote); release tags follow; an immutable
 * release tag that points elsewhere stops everything. Verdicts come from real canary traffic against
 * loopback services; the registry's tags are read back with skopeo, an independent client.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaryInputs } from '../../../src/actions/inputs.js';
import { actionNaming } from '../../../src/actions/naming.js';
import { applyGate } from '../../../src/canary/gate.js';
import { judge } from '../../../src/canary/judge.js';
import { planPromotion, promotionAllowed } from '../../../src/canary/promote.js';
import type { CanaryOutcome } from '../../../src/canary/run.js';
import { parseTargetRef } from '../../../src/canary/targets.js';
import { parseThresholds } from '../../../src/canary/thresholds.js';
import { runTraffic } from '../../../src/canary/traffic.js';
import { BentoError, UsageError } from '../../../src/core/errors.js';
import { OCI_CONFIG, OCI_LAYER_TAR, OCI_MANIFEST, openRepository } from '../../../src/oci/index.js';
import { type Service, startService } from '../../support/canary-service.js';
import {
  missingTool,
  REGISTRY_BIN,
  type RegistryFixture,
  SKOPEO_BIN,
  skopeo,
  startRegistry,
} from '../../support/registry.js';

const missing = missingTool(REGISTRY_BIN, SKOPEO_BIN);
const thresholds = parseThresholds({});

describe.skipIf(missing)('promotion in a real registry', () => {
  let registry: RegistryFixture;
  let services: Service[];
  const digests: Record<string, string> = {};
  const repoUrl = () => `oci://${registry.host}/acme/iris`;

  /** An image-shaped manifest (config + one layer) pushed under `tag`; its digest is kept by tag. */
  async function pushImage(tag: string, content: string): Promise<void> {
    const repo = await openRepository(repoUrl(), { insecure: true, push: true });
    try {
      const layer = await repo.putBlob(Buffer.from(content), OCI_LAYER_TAR);
      const config = await repo.putBlob(
        Buffer.from(
          JSON.stringify({
            architecture: 'amd64',
            os: 'linux',
            rootfs: { type: 'layers', diff_ids: [layer.digest] },
          }),
        ),
        OCI_CONFIG,
      );
      const manifest = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }),
      );
      digests[tag] = await repo.putManifest(tag, manifest, OCI_MANIFEST);
    } finally {
      await repo.close();
    }
  }

  /** What the registry says a tag points at, asked through skopeo. */
  async function tagDigest(tag: string): Promise<string | undefined> {
    try {
      const raw = await skopeo([
        'inspect',
        '--tls-verify=false',
        '--raw',
        `docker://${registry.host}/acme/iris:${tag}`,
      ]);
      return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    } catch (err) {
      if (/manifest unknown|not found/i.test((err as Error).message)) return undefined;
      throw err;
    }
  }

  /** A judged canary run of `candidate` (a service) standing for the image `candidateTag`. */
  async function outcome(candidate: Service, candidateTag: string): Promise<CanaryOutcome> {
    const samples = await runTraffic({
      baseline: { url: services[0]!.url },
      candidate: { url: candidate.url },
      requests: [
        {
          method: 'POST',
          route: '/predict',
          body: '{"input":[[1,2,3,4]]}',
          headers: { 'content-type': 'application/json' },
        },
      ],
      count: 30,
      warmup: 2,
      concurrency: 1,
      order: 'interleaved',
      timeoutMs: 5000,
      agreement: thresholds.metrics.agreement,
      prometheus: [],
      log: () => undefined,
    });
    return {
      baseline: { ref: parseTargetRef(`${repoUrl()}:stable`, 'baseline'), description: 'stable' },
      candidate: {
        ref: parseTargetRef(`${repoUrl()}:${candidateTag}`, 'candidate'),
        description: candidateTag,
      },
      samples,
      verdict: judge(samples, thresholds),
    };
  }

  const gate = (o: CanaryOutcome, extra: Partial<Parameters<typeof applyGate>[1]> = {}) =>
    applyGate(o, {
      promoteTo: repoUrl(),
      registry: { insecure: true },
      thresholds,
      log: () => undefined,
      ...extra,
    });

  beforeAll(async () => {
    registry = await startRegistry();
    services = await Promise.all([
      startService({ weights: [1, -1, 0.5], delayMs: 1 }),
      startService({ weights: [1, -1, 0.5], delayMs: 1 }),
      startService({ weights: [-1, 1, 0.2], delayMs: 1 }),
    ]);
    await pushImage('stable', 'baseline image');
    await pushImage('pr-41', 'candidate with other weights');
    await pushImage('pr-42', 'candidate image');
    await pushImage('pr-43', 'a later candidate');
  });
  afterAll(async () => {
    await Promise.all((services ?? []).map((s) => s.close()));
    await registry?.stop();
  });

  it('leaves stable untouched when the verdict fails', async () => {
    const failed = await outcome(services[2]!, 'pr-41');
    expect(failed.verdict.passed).toBe(false);
    const result = await gate(failed);
    expect(result.promotion).toBeUndefined();
    expect(result.notes[0]?.render()).toMatch(/^Promotion skipped: the verdict is fail/);
    expect(await tagDigest('stable')).toBe(digests['stable']);
  });

  it('leaves stable untouched on an event that does not promote, even on pass', async () => {
    const passed = await outcome(services[1]!, 'pr-42');
    expect(passed.verdict.passed).toBe(true);
    const allowed = promotionAllowed({
      passed: true,
      event: 'pull_request',
      ref: 'refs/pull/42/merge',
      onEvents: ['push'],
      onRefs: ['main'],
    });
    expect(allowed.allowed).toBe(false);
    const result = await gate(passed, { promotionBlocked: allowed.why });
    expect(result.promotion).toBeUndefined();
    // The note names the action's input that decides.
    expect(result.notes[0]?.render(actionNaming(Object.keys(canaryInputs)))).toBe(
      'Promotion skipped: event pull_request does not promote (input "promote-on": push).',
    );
    expect(await tagDigest('stable')).toBe(digests['stable']);
  });

  it('moves stable and the release tags to the candidate digest on pass', async () => {
    const passed = await outcome(services[1]!, 'pr-42');
    expect(
      promotionAllowed({
        passed: true,
        event: 'push',
        ref: 'refs/heads/main',
        onEvents: ['push'],
        onRefs: ['main'],
      }).allowed,
    ).toBe(true);
    const result = await gate(passed, { release: 'v1.4.2' });
    expect(result.promotion?.digest).toBe(digests['pr-42']);
    expect(result.promotion?.moves.map((m) => [m.tag, m.moved])).toEqual([
      ['v1.4.2', true],
      ['stable', true],
      ['v1.4', true],
      ['v1', true],
      ['latest', true],
    ]);
    expect(result.promotion?.moves.find((m) => m.tag === 'stable')?.previous).toBe(digests['stable']);
    for (const tag of ['stable', 'v1.4.2', 'v1.4', 'v1', 'latest'])
      expect(await tagDigest(tag), tag).toBe(digests['pr-42']);
    // Promoting the same candidate again moves nothing.
    const again = await gate(passed, { release: 'v1.4.2' });
    expect(again.promotion?.moves.every((m) => !m.moved)).toBe(true);
  });

  it('refuses to move an immutable release tag, and then moves nothing', async () => {
    const later = await outcome(services[1]!, 'pr-43');
    await expect(gate(later, { release: 'v1.4.2' })).rejects.toThrow(BentoError);
    await expect(gate(later, { release: 'v1.4.2' })).rejects.toThrow(
      /release tag v1\.4\.2 already points at/,
    );
    expect(await tagDigest('stable')).toBe(digests['pr-42']);
    expect(await tagDigest('latest')).toBe(digests['pr-42']);
  });

  it('checks the plan: the candidate must be in the repository promoted to', () => {
    const source = parseTargetRef(`${repoUrl()}:pr-42`, 'candidate');
    if (source.kind !== 'image') throw new Error('expected an image ref');
    expect(planPromotion(`${repoUrl()}:prod`, source.registry).tags).toEqual(['prod']);
    expect(() => planPromotion(`oci://${registry.host}/acme/other`, source.registry)).toThrow(
      /within the candidate's repository/,
    );
    expect(() => planPromotion(repoUrl(), undefined)).toThrow(UsageError);
  });
});
