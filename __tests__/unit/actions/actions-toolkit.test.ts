/**
 * The action toolkit in-process: input parsing (one schema per action, every schema matching its
 * action.yml), outputs matching action.yml, the job summary, and cache keys.
 */
import { describe, expect, it } from 'vitest';
import { cacheKeyOf, cachePrefixOf, lookupKeysOf } from '../../../src/actions/cache-transfer.js';
import { parseEntryRef } from '../../../src/actions/input-fields.js';
import {
  ACTION_INPUTS,
  buildInputs,
  InputError,
  InputErrors,
  pipelineInputs,
  pushInputs,
  readInputs,
} from '../../../src/actions/inputs.js';
import { ACTION_OUTPUTS, formatOutput } from '../../../src/actions/outputs.js';
import { RunReport } from '../../../src/actions/report.js';
import { renderSummary } from '../../../src/actions/summary.js';
import { readActionYml } from '../../support/action-harness.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function reader(values: Record<string, string>): (name: string) => string {
  return (name) => values[name] ?? '';
}

function inputError(fn: () => unknown): InputError[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputErrors) return err.errors;
    if (err instanceof InputError) return [err];
    throw err;
  }
  throw new Error('expected an input error');
}

const ACTION_DIRS: Record<keyof typeof ACTION_INPUTS, string> = {
  'bento-build': 'actions/bento-build',
  'bento-containerize': 'actions/bento-containerize',
  'bento-push': 'actions/bento-push',
  'bento-canary': 'actions/bento-canary',
  pipeline: '.',
};

describe('action.yml and the toolkit agree', () => {
  for (const [name, dir] of Object.entries(ACTION_DIRS) as [keyof typeof ACTION_INPUTS, string][]) {
    it(`${name}: inputs, outputs and runs`, async () => {
      const yml = await readActionYml(dir);
      expect(Object.keys(yml.inputs).sort()).toEqual(Object.keys(ACTION_INPUTS[name]).sort());
      expect(Object.keys(yml.outputs).sort()).toEqual([...ACTION_OUTPUTS[name]].sort());
      expect(yml.runs.using).toBe('node24');
      expect(yml.runs.main).toBe(dir === '.' ? 'dist/pipeline.js' : `../../dist/${name}.js`);
      // A default must itself be a valid value, or every run without the input would fail.
      const defaults = Object.fromEntries(
        Object.entries(yml.inputs).flatMap(([k, v]) => (v.default === undefined ? [] : [[k, v.default]])),
      );
      const required = Object.fromEntries(
        Object.entries(yml.inputs).flatMap(([k, v]) => (v.required ? [[k, requiredSample(k)]] : [])),
      );
      expect(() => readInputs(ACTION_INPUTS[name], reader({ ...defaults, ...required }))).not.toThrow();
    });
  }
});

function requiredSample(input: string): string {
  if (input === 'bento') return 'iris_service';
  if (input === 'registry') return 'oci://127.0.0.1:5000/iris';
  if (input === 'baseline' || input === 'candidate') return 'http://127.0.0.1:3000';
  throw new Error(`no sample for required input ${input}`);
}

describe('readInputs', () => {
  it('parses every kind of field with defaults', () => {
    const inputs = readInputs(
      buildInputs,
      reader({
        labels: 'stage=candidate\n# a comment\nowner = ml-team',
        models: 'iris=models/iris.onnx\nother:v1 = models/other.onnx',
        'import-models': `iris\nother:v1@${DIGEST}`,
        'export-to': 'cache',
      }),
    );
    expect(inputs.bentofile).toBeUndefined();
    expect(inputs.context).toBe('.');
    expect(inputs.version).toBeUndefined();
    expect(inputs.labels).toEqual({ stage: 'candidate', owner: 'ml-team' });
    expect(inputs.models).toEqual([
      { tag: 'iris', path: 'models/iris.onnx' },
      { tag: 'other:v1', path: 'models/other.onnx' },
    ]);
    expect(inputs.importModels).toEqual([
      { tag: { name: 'iris', version: 'latest' }, explicitVersion: false },
      { tag: { name: 'other', version: 'v1' }, explicitVersion: true, digest: DIGEST },
    ]);
    expect(inputs.exportTo).toBe('cache');
    expect(inputs.importFrom).toBeUndefined();
  });

  it('names each bad input, all at once', () => {
    const errors = inputError(() =>
      readInputs(buildInputs, reader({ labels: 'novalue', version: 'Bad Version', 'export-to': 's3' })),
    );
    expect(errors.map((e) => e.input).sort()).toEqual(['export-to', 'labels', 'version']);
    const byName = Object.fromEntries(errors.map((e) => [e.input, e.message]));
    expect(byName['labels']).toBe('input "labels": "novalue" is not key=value');
    expect(byName['export-to']).toBe('input "export-to": "s3" is not one of: cache');
    expect(byName['version']).toMatch(/^input "version": invalid version "Bad Version"/);
  });

  it('checks booleans the way core.getBooleanInput does', () => {
    expect(readInputs(pipelineInputs, reader({ push: 'False' })).push).toBe(false);
    expect(readInputs(pipelineInputs, reader({})).push).toBe(true);
    const [error] = inputError(() => readInputs(pipelineInputs, reader({ push: 'yes' })));
    expect(error!.message).toBe('input "push": "yes" is not a boolean: expected true or false');
  });

  it('pins CUDA versions and rejects unknown ones with a hint', () => {
    expect(readInputs(buildInputs, reader({ 'cuda-version': '12.4' })).cudaVersion).toBe('12.4.1');
    const [error] = inputError(() => readInputs(buildInputs, reader({ 'cuda-version': '12.7' })));
    expect(error!.input).toBe('cuda-version');
    expect(error!.message).toMatch(/"12.7" is not a known CUDA release; use a known CUDA release such as/);
  });

  it('requires the bento and a valid registry; never echoes secrets', () => {
    const errors = inputError(() =>
      readInputs(pushInputs, reader({ registry: 'ftp://x', 'sign-key': '', 'release-version': 'one' })),
    );
    const inputs = errors.map((e) => e.input).sort();
    expect(inputs).toEqual(['bento', 'registry', 'release-version']);
    expect(errors.find((e) => e.input === 'bento')!.message).toBe(
      'input "bento": is required: expected name[:version]',
    );
  });

  it('accepts host/path registries and normalises them to oci:// references', () => {
    const inputs = readInputs(pushInputs, reader({ bento: 'svc:v1', registry: '127.0.0.1:5000/team/iris' }));
    expect(inputs.registry).toEqual({ registry: '127.0.0.1:5000', repository: 'team/iris' });
    expect(inputs.bento).toEqual({ name: 'svc', version: 'v1' });
  });

  it('parses entry references with digests', () => {
    expect(parseEntryRef(`iris:v1@${DIGEST}`)).toEqual({
      tag: { name: 'iris', version: 'v1' },
      explicitVersion: true,
      digest: DIGEST,
    });
    expect(() => parseEntryRef('iris@sha256:1234')).toThrow(/must be sha256:<64 lowercase hex digits>/);
  });
});

describe('cache keys', () => {
  it('are made of kind, tag and the first 12 hex digits of the digest', () => {
    expect(cacheKeyOf('model', { name: 'iris', version: 'v1' }, DIGEST)).toBe(
      'bentoci-model-iris:v1@abababababab',
    );
  });

  it('look up exactly with a digest, by prefix without one', () => {
    expect(lookupKeysOf('bento', parseEntryRef(`svc:v1@${DIGEST}`))).toEqual({
      key: 'bentoci-bento-svc:v1@abababababab',
      restoreKeys: [],
    });
    expect(lookupKeysOf('bento', parseEntryRef('svc:v1'))).toEqual({
      key: 'bentoci-bento-svc:v1@',
      restoreKeys: ['bentoci-bento-svc:v1@'],
    });
    expect(lookupKeysOf('model', parseEntryRef('iris'))).toEqual({
      key: 'bentoci-model-iris:',
      restoreKeys: ['bentoci-model-iris:'],
    });
  });

  it('never let one name prefix-match another', () => {
    const other = cacheKeyOf('model', { name: 'iris-v2', version: 'a' }, DIGEST);
    expect(other.startsWith(cachePrefixOf('model', 'iris'))).toBe(false);
    const longerVersion = cacheKeyOf('model', { name: 'iris', version: '1.0-rc' }, DIGEST);
    expect(longerVersion.startsWith(cachePrefixOf('model', 'iris', '1.0'))).toBe(false);
  });
});

describe('outputs and summary', () => {
  it('writes lists one item a line', () => {
    expect(formatOutput(['a', 'b'])).toBe('a\nb');
    expect(formatOutput(42)).toBe('42');
    expect(formatOutput(undefined)).toBe('');
  });

  it('renders artifacts, transfers, pushes, timings and a Gantt chart', () => {
    const report = new RunReport();
    report.artifact({ kind: 'bento', ref: 'svc:v1', action: 'built', digest: DIGEST, size: 2048 });
    report.transfer({
      direction: 'export',
      kind: 'bento',
      ref: 'svc:v1',
      key: 'bentoci-bento-svc:v1@ab',
      outcome: 'saved',
      size: 4096,
    });
    report.push({ kind: 'bento', ref: 'r/x:v1', digest: DIGEST });
    report.steps.push({ name: 'Build bento', startMs: 1000, endMs: 1500, ok: true });
    report.steps.push({ name: 'Export: cache', startMs: 1500, endMs: 2250, ok: true });
    const md = renderSummary('bento-build', report);
    expect(md).toContain('## bento-build');
    expect(md).toContain('| bento | `svc:v1` | built | 2.0 KiB | `' + DIGEST + '` |');
    expect(md).toContain('| export | bento `svc:v1` | `bentoci-bento-svc:v1@ab` | saved | 4.0 KiB |');
    expect(md).toContain('| **total** | 1.25 s | ok |');
    expect(md).toContain('```mermaid\ngantt\n  dateFormat x');
    // The ':' in a step name would end Mermaid's task name early.
    expect(md).toContain('  Export  cache :done, s1, 500, 1250');
  });

  it('shows a failure at the top', () => {
    const report = new RunReport();
    report.failure = { title: 'Build bento failed (bento-build)', message: 'bentofile.yaml: no such file' };
    expect(renderSummary('bento-build', report)).toContain(
      '> **Build bento failed (bento-build)**: bentofile.yaml: no such file',
    );
  });
});

describe('cross-input checks', () => {
  it('verify-policy: require needs verify-key', async () => {
    const { checkVerifyInputs } = await import('../../../src/actions/inputs.js');
    // The rule is the verify gate's (src/operations/trust.ts): the option at fault is the key.
    expect(() => checkVerifyInputs({ verifyPolicy: 'require' })).toThrow(
      expect.objectContaining({ option: 'pub' }),
    );
    expect(() => checkVerifyInputs({ verifyPolicy: 'warn' })).not.toThrow();
    expect(() => checkVerifyInputs({ verifyPolicy: 'require', verifyKey: 'pub.pem' })).not.toThrow();
  });
});
