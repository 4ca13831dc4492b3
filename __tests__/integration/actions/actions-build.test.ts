/**
 * actions/bento-build run as the runner runs it (dist bundle, INPUT_* variables, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY): outputs, summary, annotations for bad inputs and failures, masking.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Job, newJob, runActionStep, writeProject } from '../../support/action-harness.js';

let job: Job;

beforeAll(async () => {
  job = await newJob();
  await writeProject(job);
});

afterAll(async () => {
  await job?.cleanup();
});

describe('bento-build', () => {
  it('saves the model, builds the bento and sets every output', async () => {
    const result = await runActionStep(
      'actions/bento-build',
      {
        context: 'project',
        models: 'iris=project/models/iris.onnx',
        labels: 'stage=candidate',
        version: 'v1',
      },
      job,
    );
    expect(result.annotations, result.stdout + result.stderr).toEqual([]);
    expect(result.exitCode).toBe(0);
    const { outputs } = result;
    expect(outputs['tag']).toBe('iris_service:v1');
    expect(outputs['name']).toBe('iris_service');
    expect(outputs['version']).toBe('v1');
    expect(outputs['digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Number(outputs['size'])).toBeGreaterThan(0);
    expect(outputs['models']).toMatch(/^iris:[0-9a-z]{16}@sha256:[0-9a-f]{64}$/);
    expect(outputs['cache-key']).toBe('');
    // The summary names what was built with its digest, and times the steps.
    expect(result.summary).toContain('## bentoci build');
    expect(result.summary).toContain(`| bento | \`iris_service:v1\` | built |`);
    expect(result.summary).toContain(outputs['digest']!);
    expect(result.summary).toContain('| Save model |');
    expect(result.summary).toContain('```mermaid');
    // Log groups around each step.
    expect(result.stdout).toContain('::group::Build bento');
    expect(result.stdout).toContain('::endgroup::');
  });

  it('fails with an annotation naming each invalid input, before doing anything', async () => {
    const result = await runActionStep(
      'actions/bento-build',
      { context: 'project', labels: 'novalue', 'export-to': 's3', build: 'maybe' },
      job,
    );
    expect(result.exitCode).toBe(1);
    const titles = result.annotations.map((a) => a.properties['title']).sort();
    expect(titles).toEqual([
      'Invalid input "build" (bento-build)',
      'Invalid input "export-to" (bento-build)',
      'Invalid input "labels" (bento-build)',
    ]);
    expect(result.annotations.find((a) => a.properties['title']?.includes('"labels"'))!.message).toBe(
      'input "labels": "novalue" is not key=value',
    );
    expect(result.summary).toContain('**invalid inputs**');
    expect(result.stdout).not.toContain('::group::');
  });

  it('names the step that failed and its one-line reason', async () => {
    const result = await runActionStep(
      'actions/bento-build',
      { context: 'project', bentofile: 'missing.yaml' },
      job,
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0]!.properties['title']).toBe('Build bento failed (bento-build)');
    expect(result.annotations[0]!.message).toMatch(/missing\.yaml/);
    expect(result.annotations[0]!.message).not.toContain('\n');
    expect(result.summary).toContain('Build bento failed (bento-build)');
  });

  it('names the input at fault when the build refuses an option (a taken version)', async () => {
    // iris_service:v1 was built above with other labels: the version input is at fault.
    const result = await runActionStep(
      'actions/bento-build',
      { context: 'project', version: 'v1', labels: 'stage=other' },
      job,
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations.map((a) => a.properties['title'])).toEqual([
      'Invalid input "version" (bento-build)',
    ]);
    expect(result.annotations[0]!.message).toMatch(
      /^bento iris_service:v1 already exists with other labels or description: saved tags are immutable; pick another input "version"$/,
    );
  });

  it('needs import-from: cache for import-models', async () => {
    const result = await runActionStep(
      'actions/bento-build',
      { context: 'project', 'import-models': 'iris' },
      job,
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations.map((a) => a.properties['title'])).toEqual([
      'Invalid input "import-from" (bento-build)',
    ]);
  });

  it('refuses export-to: cache where the runner gave no cache service (a run: step, not a JS action)', async () => {
    const result = await runActionStep(
      'actions/bento-build',
      { context: 'project', models: 'iris=project/models/iris.onnx', build: 'false', 'export-to': 'cache' },
      job,
    );
    expect(result.exitCode).toBe(1);
    expect(result.annotations[0]!.message).toMatch(/ACTIONS_RUNTIME_TOKEN only to JavaScript actions/);
  });
});

describe('the harness', () => {
  it('enforces required inputs and rejects unknown ones, as a workflow check would', async () => {
    await expect(runActionStep('actions/bento-containerize', {}, job)).rejects.toThrow(
      /input "bento" .* is required/,
    );
    await expect(runActionStep('actions/bento-build', { bentfile: 'x' }, job)).rejects.toThrow(
      /unexpected input\(s\) bentfile/,
    );
  });

  it('lets the action check a missing required input itself', async () => {
    const result = await runActionStep('actions/bento-containerize', {}, job, { skipRequiredCheck: true });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.map((a) => a.properties['title'])).toEqual([
      'Invalid input "bento" (bento-containerize)',
    ]);
  });
});
