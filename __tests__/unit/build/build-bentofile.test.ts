import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateBentofile } from '../../../src/build/bentofile.js';
import { parseBentoignore } from '../../../src/build/bentoignore.js';
import { KNOWN_CUDA_RELEASES, resolveCudaVersion } from '../../../src/build/cuda.js';
import { closest, editDistance } from '../../../src/build/suggest.js';
import { YamlSource } from '../../../src/build/yaml-source.js';
import { UsageError } from '../../../src/core/errors.js';

const load = (text: string) => validateBentofile(YamlSource.parse('bentofile.yaml', text));

/** The one-line UsageError a bentofile gets. */
function problem(text: string): string {
  try {
    load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected the bentofile to be refused');
}

const API = `service:
  name: svc
  apis:
    - name: predict
      model: iris:latest
`;

describe('bentofile.yaml schema', () => {
  it('accepts every field', () => {
    const config = load(`service:
  name: iris_classifier
  description: classifies flowers
  labels: { team: ml }
  apis:
    - name: predict
      route: /v1/predict
      model: iris:latest
      method: run
      batching: { enabled: true, max_batch_size: 64, max_latency_ms: 2.5 }
name: iris_bento
description: "file: ./README.md"
labels: { owner: ml-team, project: iris }
models: [two_inputs:latest, { tag: "iris:v1" }]
include: ["src/**", "*.json"]
exclude: ["**/*.test.ts"]
envs:
  - { name: LOG_LEVEL, value: info }
node: { packages: [lodash@4.17.21, "@scope/pkg"], lockfile: package-lock.json }
docker:
  distro: ubuntu
  cuda_version: "12.4"
  system_packages: [curl, "libgomp1=12*"]
  setup_script: setup.sh
  env: { OMP_NUM_THREADS: "1" }
  dockerfile_template: Dockerfile.template
`);
    expect(config).toEqual({
      service: {
        name: 'iris_classifier',
        description: 'classifies flowers',
        labels: { team: 'ml' },
        apis: [
          {
            name: 'predict',
            route: '/v1/predict',
            model: 'iris:latest',
            method: 'run',
            batching: { enabled: true, max_batch_size: 64, max_latency_ms: 2.5 },
          },
        ],
      },
      name: 'iris_bento',
      description: 'file: ./README.md',
      labels: { owner: 'ml-team', project: 'iris' },
      models: ['two_inputs:latest', { tag: 'iris:v1' }],
      include: ['src/**', '*.json'],
      exclude: ['**/*.test.ts'],
      envs: [{ name: 'LOG_LEVEL', value: 'info' }],
      node: { packages: ['lodash@4.17.21', '@scope/pkg'], lockfile: 'package-lock.json' },
      docker: {
        distro: 'ubuntu',
        cuda_version: '12.4',
        system_packages: ['curl', 'libgomp1=12*'],
        setup_script: 'setup.sh',
        env: { OMP_NUM_THREADS: '1' },
        dockerfile_template: 'Dockerfile.template',
      },
    });
    expect(
      load('service: "src/service.ts:svc"\ndocker: { base_image: "debian:bookworm-slim" }\n').service,
    ).toBe('src/service.ts:svc');
  });

  it('accepts the complete example of docs/bentofile.md', async () => {
    const doc = await readFile(join(import.meta.dirname, '..', '..', '..', 'docs', 'bentofile.md'), 'utf8');
    const example = /## A complete example\s+```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    expect(load(example!).docker?.cuda_version).toBe('12.4');
  });

  it('refuses an unknown top-level key with the closest allowed one', () => {
    expect(problem(`servce: x\n`)).toBe(
      'bentofile.yaml:1:1: unknown key "servce" at the top level: did you mean "service"?',
    );
    expect(problem(`${API}lables: { a: b }\n`)).toBe(
      'bentofile.yaml:6:1: unknown key "lables" at the top level: did you mean "labels"?',
    );
  });

  it('refuses unknown nested keys, suggesting from the keys allowed at that level', () => {
    expect(problem(`${API}      batching: { max_batch: 8 }\n`)).toBe(
      'bentofile.yaml:6:19: unknown key "max_batch" in service.apis[0].batching: did you mean "max_batch_size"?',
    );
    expect(problem(`${API}      modle: x\n`)).toMatch(
      /^bentofile.yaml:6:7: unknown key "modle" in service.apis\[0\]: did you mean "model"\?$/,
    );
    expect(problem(`${API}docker: { cuda: "12.4" }\n`)).toBe(
      'bentofile.yaml:6:11: unknown key "cuda" in docker: did you mean "cuda_version"?',
    );
    expect(problem(`${API}node: { pakages: [a] }\n`)).toMatch(/did you mean "packages"\?$/);
    expect(problem(`${API}envs: [{ name: A, valeu: b }]\n`)).toMatch(
      /unknown key "valeu" in envs\[0\]: did you mean "value"\?$/,
    );
  });

  it('lists the allowed keys when no key is close', () => {
    expect(problem(`${API}      zzzzzzzz: 1\n`)).toBe(
      'bentofile.yaml:6:7: unknown key "zzzzzzzz" in service.apis[0]: remove it (allowed keys: name, route, model, method, batching, warmup)',
    );
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(problem('service:\n  name: x\n  apis: [ { name: a\nlabels: {}\n')).toMatch(
      /^bentofile.yaml:4:1: YAML syntax error: .+ \(fix the YAML at line 4, column 1\)$/,
    );
    expect(problem('service: a.ts\nservice: b.ts\n')).toBe(
      'bentofile.yaml:2:1: YAML syntax error: Map keys must be unique (fix the YAML at line 2, column 1)',
    );
  });

  it('refuses batching values out of range, naming the key and the range', () => {
    expect(problem(`${API}      batching: { max_batch_size: 0 }\n`)).toBe(
      'bentofile.yaml:6:35: service.apis[0].batching.max_batch_size: expected a whole number from 1 to 4096 (got 0)',
    );
    expect(problem(`${API}      batching: { max_batch_size: 5000 }\n`)).toMatch(
      /max_batch_size: expected a whole number from 1 to 4096 \(got 5000\)$/,
    );
    expect(problem(`${API}      batching: { max_batch_size: 2.5 }\n`)).toMatch(
      /max_batch_size: expected a whole number/,
    );
    expect(problem(`${API}      batching: { max_latency_ms: 0 }\n`)).toMatch(
      /max_latency_ms: expected milliseconds from 0.1 to 600000 \(got 0\)$/,
    );
    expect(problem(`${API}      batching: { enabled: "yes" }\n`)).toMatch(
      /batching.enabled: expected true or false, got string "yes"$/,
    );
  });

  it('checks cuda_version against the known CUDA releases', () => {
    expect(load(`${API}docker: { cuda_version: "12.4" }\n`).docker?.cuda_version).toBe('12.4');
    expect(load(`${API}docker: { cuda_version: "11.8" }\n`).docker?.cuda_version).toBe('11.8');
    expect(load(`${API}docker: { cuda_version: "12.4.1" }\n`).docker?.cuda_version).toBe('12.4.1');
    expect(problem(`${API}docker: { cuda_version: "12.7" }\n`)).toMatch(
      /^bentofile.yaml:6:25: docker.cuda_version: "12.7" is not a known CUDA release: use a known CUDA release such as 12.0, .*12.6, 12.8, 12.9/,
    );
    expect(problem(`${API}docker: { cuda_version: "21.4" }\n`)).toMatch(/"21.4" is not a known CUDA release/);
    expect(problem(`${API}docker: { cuda_version: 12.4 }\n`)).toMatch(
      /docker.cuda_version: expected a string, got number 12.4 \(quote the value\)$/,
    );
    expect(problem(`${API}docker: { cuda_version: "12.4", distro: alpine }\n`)).toMatch(
      /docker.distro: there are no CUDA images for alpine/,
    );
    expect(problem(`${API}docker: { cuda_version: "12.4", base_image: "x:1" }\n`)).toMatch(
      /docker.base_image: a base_image replaces the CUDA base image/,
    );
  });

  it('pins CUDA versions to full releases', () => {
    expect(resolveCudaVersion('12.4')).toBe('12.4.1');
    expect(resolveCudaVersion('12.4.0')).toBe('12.4.0');
    expect(resolveCudaVersion('11.8')).toBe('11.8.0');
    expect(resolveCudaVersion('13.0')).toBe('13.0.2');
    expect(resolveCudaVersion('12.6')).toBe('12.6.3');
    expect(resolveCudaVersion('12.7')).toBeUndefined();
    expect(resolveCudaVersion('12.4.9')).toBeUndefined();
    expect(resolveCudaVersion('10.2')).toBeUndefined();
    expect(resolveCudaVersion('twelve')).toBeUndefined();
    for (const minor of ['12.0', '12.1', '12.2', '12.3', '12.5', '12.8', '12.9'])
      expect(resolveCudaVersion(minor)).toBeDefined();
    expect(new Set(KNOWN_CUDA_RELEASES).size).toBe(KNOWN_CUDA_RELEASES.length);
  });

  it('suggests the intended value of an enum', () => {
    expect(problem(`${API}docker: { distro: debain }\n`)).toBe(
      'bentofile.yaml:6:19: docker.distro: "debain" is not allowed: did you mean "debian"?',
    );
    expect(problem(`${API}docker: { distro: windows }\n`)).toMatch(
      /"windows" is not allowed: expected one of debian, ubuntu, alpine$/,
    );
  });

  it('refuses values of the wrong shape, saying what is expected', () => {
    expect(problem('labels: {}\n')).toBe(
      'bentofile.yaml:1:1: service is missing: add it (a module "path/to/service.ts:exportName" or a mapping with name and apis)',
    );
    expect(problem('service: { apis: [{ name: a, model: m }] }\n')).toBe(
      'bentofile.yaml:1:10: service.name is missing: add it (a string)',
    );
    expect(problem('service: 42\n')).toMatch(
      /^bentofile.yaml:1:10: service: expected a module "path\/to\/service.ts:exportName" or a mapping with name and apis, got number 42$/,
    );
    expect(problem('service: src/service\n')).toMatch(/service: expected "path\/to\/service.ts:exportName"/);
    expect(problem('service: { name: svc, apis: [] }\n')).toMatch(/service.apis: expected at least one API/);
    expect(problem(`${API}labels: { owner: 1 }\n`)).toMatch(
      /labels.owner: expected a string, got number 1 \(quote the value\)$/,
    );
    expect(problem(`${API}include: "src/**"\n`)).toMatch(/include: expected a list, got string "src\/\*\*"$/);
    expect(problem(`${API}envs: [{ name: "1X", value: a }]\n`)).toMatch(
      /envs\[0\].name: expected an environment variable name/,
    );
    expect(problem(`${API}node: { packages: ["left pad"] }\n`)).toMatch(
      /node.packages\[0\]: expected an npm package/,
    );
    expect(problem(`${API}docker: { system_packages: ["curl; rm -rf /"] }\n`)).toMatch(
      /docker.system_packages\[0\]: expected a system package name/,
    );
    expect(problem(`${API.replace('name: predict', 'name: Predict')}`)).toMatch(
      /service.apis\[0\].name: expected lower-case letters/,
    );
    expect(problem('')).toBe(
      'bentofile.yaml:1:1: expected a mapping of bentofile keys with at least "service" (see docs/bentofile.md)',
    );
    expect(problem('- a\n')).toMatch(/expected a mapping of bentofile keys/);
  });

  it('refuses APIs that would collide or take the runtime routes', () => {
    expect(problem(`${API}    - name: predict\n      model: iris:latest\n`)).toMatch(
      /^bentofile.yaml:6:13: service.apis\[1\].name: "predict" is also the name of API 1: give each API its own name$/,
    );
    expect(problem(`${API}    - name: other\n      route: /predict\n      model: iris:latest\n`)).toMatch(
      /service.apis\[1\].route: route \/predict is also the route of API 1 \(predict\)/,
    );
    expect(problem(`${API}    - name: healthz\n      model: iris:latest\n`)).toMatch(
      /route \/healthz is served by the runtime itself/,
    );
    expect(problem(`${API}envs: [{ name: A, value: "1" }, { name: A, value: "2" }]\n`)).toMatch(
      /envs\[1\].name: A is already set by envs\[0\]/,
    );
  });
});

describe('did you mean', () => {
  it('measures edits and only suggests plausible typos', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    expect(closest('servce', ['service', 'labels'])).toBe('service');
    expect(closest('Labels', ['service', 'labels'])).toBe('labels');
    expect(closest('xyz', ['service', 'labels'])).toBeUndefined();
  });
});

describe('.bentoignore', () => {
  it('matches like gitignore: anywhere, anchored, directories, negation, comments', () => {
    const ignored = parseBentoignore(
      ['# comment', '*.log', '/build', 'cache/', 'docs/*.md', '!docs/keep.md', '', 'secret.txt  '].join('\n'),
    );
    expect(ignored('a.log')).toBe(true);
    expect(ignored('deep/dir/a.log')).toBe(true);
    expect(ignored('build/x.js')).toBe(true);
    expect(ignored('src/build/x.js')).toBe(false);
    expect(ignored('cache/a')).toBe(true);
    expect(ignored('src/cache/a/b')).toBe(true);
    expect(ignored('cache')).toBe(false);
    expect(ignored('docs/a.md')).toBe(true);
    expect(ignored('docs/keep.md')).toBe(false);
    expect(ignored('secret.txt')).toBe(true);
    expect(ignored('src/main.ts')).toBe(false);
    expect(ignored('# comment')).toBe(false);
  });
});
