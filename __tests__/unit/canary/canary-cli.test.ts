/**
 * `bentoci canary` as users run it (the bundled dist/cli.js), against classifier services on
 * loopback: the verdict table and exit 0 on pass, exit 1 and JSON on fail, exit 2 with one line for
 * bad input, the Markdown report and the rollout manifests.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type Service, startService } from '../../support/canary-service.js';
import { assertCliBuilt, bentoci } from '../../support/store-cli.js';

let dir: string;
let home: string;
let baseline: Service;
let twin: Service;
let wrong: Service;

beforeAll(async () => {
  assertCliBuilt();
  dir = await mkdtemp(join(tmpdir(), 'bentoci-canary-cli-'));
  home = join(dir, 'home');
  baseline = await startService({ weights: [1, -1, 0.5], delayMs: 2 });
  twin = await startService({ weights: [1, -1, 0.5], delayMs: 2 });
  wrong = await startService({ weights: [-1, 1, 0.2], delayMs: 2 });
  const lines = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ route: '/predict', body: { input: [[i / 10, 1 - i / 20, 0.5, i % 3]] } }),
  );
  await writeFile(join(dir, 'requests.jsonl'), `${lines.join('\n')}\n`);
});
afterAll(async () => {
  await Promise.all([baseline, twin, wrong].map((s) => s?.close()));
});

describe('bentoci canary', () => {
  it('prints the verdict table and exits 0 for an identical candidate; writes the report and manifests', async () => {
    const report = join(dir, 'report.md');
    const manifests = join(dir, 'k8s');
    const run = await bentoci(
      [
        'canary',
        '--baseline',
        baseline.url,
        '--candidate',
        twin.url,
        '--requests-file',
        join(dir, 'requests.jsonl'),
        '--report',
        report,
        '--rollout-manifests',
        manifests,
        '--rollout-name',
        'iris',
        '--rollout-image',
        'ghcr.io/acme/iris@sha256:' + 'b'.repeat(64),
      ],
      { home },
    );
    expect(run.stderr).toMatch(/canary: done, 40 pairs/);
    expect(run.code).toBe(0);
    const stdout = run.stdout.toString();
    expect(stdout).toMatch(/^PASS: score 100\.00 \(pass >= 95, marginal >= 75\)/);
    expect(stdout).toMatch(/metric\s+baseline\s+candidate\s+delta\s+allowed\s+p-value\s+result/);
    expect(stdout).toMatch(/agreement\s+–\s+100\.00%/);
    const markdown = await readFile(report, 'utf8');
    expect(markdown.startsWith('<!-- bento-canary -->\n## ✅ bento-canary: pass')).toBe(true);
    expect(markdown).toContain('```mermaid\nxychart-beta');
    const argo = YAML.parseAllDocuments(await readFile(join(manifests, 'argo-rollouts.yaml'), 'utf8')).map(
      (d) => d.toJS(),
    );
    expect(argo.map((d) => d.kind)).toEqual(['Service', 'AnalysisTemplate', 'Rollout']);
    expect(argo[2].spec.template.spec.containers[0].image).toBe('ghcr.io/acme/iris@sha256:' + 'b'.repeat(64));
    const flagger = YAML.parseAllDocuments(await readFile(join(manifests, 'flagger.yaml'), 'utf8')).map((d) =>
      d.toJS(),
    );
    expect(flagger.at(-1).kind).toBe('Canary');
  });

  it('exits 1 for a candidate with other weights, with the verdict as JSON on stdout', async () => {
    const run = await bentoci(
      [
        'canary',
        '--baseline',
        baseline.url,
        '--candidate',
        wrong.url,
        '--requests-file',
        join(dir, 'requests.jsonl'),
        '--json',
      ],
      { home },
    );
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout.toString()) as {
      verdict: string;
      passed: boolean;
      pairs: number;
      metrics: { name: string; status: string }[];
      disagreements: { reason: string }[];
    };
    expect(result).toMatchObject({ verdict: 'fail', passed: false, pairs: 40 });
    expect(result.metrics.find((m) => m.name === 'agreement')?.status).toBe('fail');
    expect(result.disagreements[0]?.reason).toMatch(/class \d vs \d/);
  });

  it('rejects bad input with exit 2 and one line that names it', async () => {
    const cases: [string[], RegExp][] = [
      [['--requests', '0'], /invalid --requests "0": expected a positive whole number/],
      [['--requests', '5', '--duration', '1s'], /give --requests or --duration, not both/],
      [['--duration', 'soon'], /invalid --duration "soon": expected a duration such as 30s/],
      [['--order', 'random'], /invalid --order "random": expected interleaved or paired/],
      [
        ['--thresholds', join(dir, 'missing.yaml')],
        /invalid --thresholds ".*missing\.yaml": the file cannot be read/,
      ],
    ];
    for (const [flags, message] of cases) {
      const run = await bentoci(['canary', '--baseline', baseline.url, '--candidate', twin.url, ...flags], {
        home,
      });
      expect(run.code, flags.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
    await writeFile(join(dir, 'bad.yaml'), 'metrics:\n  latency:\n    max_degredation: 0.1\n');
    const bad = await bentoci(
      ['canary', '--baseline', baseline.url, '--candidate', twin.url, '--thresholds', join(dir, 'bad.yaml')],
      {
        home,
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid --thresholds ".*bad\.yaml": metrics\.latency/);
    // URLs carry no signature: requests must come from a file.
    const none = await bentoci(['canary', '--baseline', baseline.url, '--candidate', twin.url], { home });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/pass --requests-file/);
  });
});
