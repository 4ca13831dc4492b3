/**
 * The image inputs and outputs people bring from docker/build-push-action: several tags, labels and
 * annotations checked by the OCI rules (errors name the input and the fix), the metadata JSON and its
 * place in the summary. The actions are run as the runner runs them for the input errors (they fail
 * before anything needs an engine or a registry); actions-image.test.ts runs them against both.
 */
import { describe, expect, it } from 'vitest';
import { builtImageMetadata, pushedImageMetadata } from '../../../src/actions/image-metadata.js';
import { containerizeInputs, InputError, pushInputs, readInputs } from '../../../src/actions/inputs.js';
import { formatOutput } from '../../../src/actions/outputs.js';
import { RunReport } from '../../../src/actions/report.js';
import type { BuiltImage } from '../../../src/actions/steps/containerize.js';
import { renderSummary } from '../../../src/actions/summary.js';
import type { StoredBento } from '../../../src/core/bento-store.js';
import { UsageError } from '../../../src/core/errors.js';
import { checkKeyValues, keyProblem } from '../../../src/oci/annotation-keys.js';
import { pushImage } from '../../../src/registry/image-push.js';
import { newJob, runActionStep } from '../../support/action-harness.js';

const ID = `sha256:${'a'.repeat(64)}`;
const MANIFEST = `sha256:${'b'.repeat(64)}`;

function reader(values: Record<string, string>): (name: string) => string {
  return (name) => values[name] ?? (name === 'bento' ? 'iris_service:v1' : '');
}

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('label and annotation keys', () => {
  it('takes reverse-domain keys and the OCI pre-defined ones', () => {
    expect(keyProblem('com.example.team')).toBeUndefined();
    expect(keyProblem('org.opencontainers.image.licenses')).toBeUndefined();
    expect(keyProblem('owner')).toBeUndefined();
  });

  it('refuses empty keys, whitespace, control characters and misspelt OCI keys, saying what to use', () => {
    expect(keyProblem('')).toBe('the key is empty');
    expect(keyProblem('com.example team')).toMatch(/whitespace/);
    expect(keyProblem('a\u0000b')).toMatch(/control/);
    expect(keyProblem('org.opencontainers.image.licence')).toMatch(/reserved/);
    expect(keyProblem('org.opencontainers.image.sources')).toMatch(/reserved.*reverse-domain/);
    expect(keyProblem('org.opencontainers.artifact.source')).toMatch(
      /did you mean org\.opencontainers\.image\.source\?/,
    );
    expect(() => checkKeyValues({ 'com.example.note': 'a\nb' }, 'annotation')).toThrow(
      /invalid `annotation` "com.example.note=a\\nb": the value contains a newline/,
    );
    expect(() => checkKeyValues({ 'com.example.note': 'x'.repeat(70_000) }, 'label')).toThrow(UsageError);
  });
});

describe('image inputs', () => {
  it('tags: names, one a line or comma separated, a missing tag is latest, duplicates once', () => {
    const inputs = readInputs(
      containerizeInputs,
      reader({ tags: 'ghcr.io/acme/iris:1.0,ghcr.io/acme/iris\n# a comment\nghcr.io/acme/iris:1.0' }),
    );
    expect(inputs.tags).toEqual(['ghcr.io/acme/iris:1.0', 'ghcr.io/acme/iris:latest']);
  });

  it('tags: a bad name fails naming the input and the expected form', () => {
    const err = inputError(() => readInputs(containerizeInputs, reader({ tags: 'ok:1, Bad Name:1' })));
    expect(err.input).toBe('tags');
    expect(err.message).toMatch(
      /input "tags": invalid tag "Bad Name:1": expected \[registry\/\]name\[:tag\]/,
    );
    const digest = inputError(() => readInputs(containerizeInputs, reader({ tags: `iris@${ID}` })));
    expect(digest.message).toMatch(/a digest cannot be a build tag/);
  });

  it('labels: one key=value a line; commas stay in values; bad keys name the input and the fix', () => {
    const inputs = readInputs(
      containerizeInputs,
      reader({ labels: 'org.opencontainers.image.description=Iris, served\ncom.example.team = ml' }),
    );
    expect(inputs.labels).toEqual({
      'org.opencontainers.image.description': 'Iris, served',
      'com.example.team': 'ml',
    });
    for (const bad of ['=x', 'no-equals', 'org.opencontainers.image.licence=MIT']) {
      const err = inputError(() => readInputs(containerizeInputs, reader({ labels: bad })));
      expect(err.input).toBe('labels');
      expect(err.message).toMatch(/expected one key=value a line/);
    }
  });

  it('annotations and image-tags of bento-push: bare tags or whole references', () => {
    const inputs = readInputs(
      pushInputs,
      reader({
        registry: 'oci://127.0.0.1:5000/team/bento',
        annotations: 'org.opencontainers.image.licenses=Apache-2.0',
        'image-tags': '1.4.2, latest\n127.0.0.1:5000/team/iris:stable',
      }),
    );
    expect(inputs.annotations).toEqual({ 'org.opencontainers.image.licenses': 'Apache-2.0' });
    expect(inputs.imageTags).toEqual([
      { tag: '1.4.2' },
      { tag: 'latest' },
      { tag: 'stable', repository: { registry: '127.0.0.1:5000', repository: 'team/iris' } },
    ]);
    const bad = inputError(() =>
      readInputs(pushInputs, reader({ registry: 'oci://r.example/x', annotations: ' =x' })),
    );
    expect(bad.input).toBe('annotations');
    const badTag = inputError(() =>
      readInputs(pushInputs, reader({ registry: 'oci://r.example/x', 'image-tags': '-bad' })),
    );
    expect(badTag.input).toBe('image-tags');
    expect(badTag.message).toMatch(/a registry tag is 1-128 letters/);
    const noTag = inputError(() =>
      readInputs(pushInputs, reader({ registry: 'oci://r.example/x', 'image-tags': 'r.example/iris' })),
    );
    expect(noTag.message).toMatch(/names no tag/);
  });

  it('push-image checks tags and annotations before it asks the engine for anything', async () => {
    const target = { registry: '127.0.0.1:1', repository: 'x' };
    const engine = new Proxy({}, { get: () => expect.unreachable('the engine was asked') }) as never;
    await expect(
      pushImage('iris:v1', target, { home: '/nonexistent', docker: engine, tags: ['a b'] }),
    ).rejects.toThrow(/invalid `tag` "a b"/);
    await expect(
      pushImage('iris:v1', target, { home: '/nonexistent', docker: engine, annotations: { '': 'x' } }),
    ).rejects.toThrow(/invalid `annotation` "=x": the key is empty/);
  });
});

describe('metadata output and summary', () => {
  const bento = {
    tag: { name: 'iris_service', version: 'v1' },
    info: { digest: `sha256:${'c'.repeat(64)}` },
  } as unknown as StoredBento;
  const built: BuiltImage = {
    id: ID,
    tags: ['ghcr.io/acme/iris:1.0', 'ghcr.io/acme/iris:latest'],
    size: 1234,
    labels: { 'org.opencontainers.image.title': 'iris_service' },
  };

  it("has build-push-action's keys; the digest is the image ID before a push and says so", () => {
    const metadata = builtImageMetadata(bento, built);
    expect(metadata).toMatchObject({
      'containerimage.digest': ID,
      'containerimage.config.digest': ID,
      'image.name': 'ghcr.io/acme/iris:1.0,ghcr.io/acme/iris:latest',
      'bentoci.digest-kind': 'image-id',
      'bentoci.bento': 'iris_service:v1',
      'bentoci.image.labels': built.labels,
    });
    expect(JSON.parse(formatOutput(metadata))).toEqual(metadata);
  });

  it('after a push: the manifest digest and its descriptor', () => {
    const annotations = { 'org.opencontainers.image.licenses': 'MIT' };
    const metadata = pushedImageMetadata(bento, {
      id: ID,
      digest: MANIFEST,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 999,
      annotations,
      references: ['r/iris:1', 'r/iris:latest'],
    });
    expect(metadata).toMatchObject({
      'containerimage.digest': MANIFEST,
      'containerimage.config.digest': ID,
      'containerimage.descriptor': {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: MANIFEST,
        size: 999,
        annotations,
      },
      'image.name': 'r/iris:1,r/iris:latest',
      'bentoci.digest-kind': 'manifest',
    });
  });

  it('the summary lists labels and annotations as tables, escaped', () => {
    const report = new RunReport();
    report.imageDetails({ image: 'r/iris:1', kind: 'labels', values: { b: 'x|y', a: '1' } });
    report.imageDetails({ image: `r/iris@${MANIFEST}`, kind: 'annotations', values: { k: 'v' } });
    const summary = renderSummary('t', report);
    expect(summary).toContain('### Image labels of `r/iris:1`');
    expect(summary).toMatch(/\| `a` \| 1 \|\n\| `b` \| x\\\|y \|/);
    expect(summary).toContain(`### Manifest annotations of \`r/iris@${MANIFEST}\``);
  });
});

describe('the actions refuse bad image inputs before any work, naming the input', () => {
  const cases: [string, Record<string, string>, string, RegExp][] = [
    ['actions/bento-containerize', { tags: 'Iris:1' }, 'tags', /lower-case name/],
    ['actions/bento-containerize', { labels: 'org.opencontainers.image.licence=MIT' }, 'labels', /reserved/],
    [
      'actions/bento-push',
      { registry: 'r.example/b', image: 'iris:1', 'image-registry': 'r.example/iris', annotations: 'x' },
      'annotations',
      /has no "="/,
    ],
    [
      'actions/bento-push',
      {
        registry: 'r.example/b',
        image: 'iris:1',
        'image-registry': 'r.example/iris',
        'image-tags': 'r.example/other:1',
      },
      'image-tags',
      /names r\.example\/other, but the image goes to r\.example\/iris/,
    ],
    [
      'actions/bento-push',
      { registry: 'r.example/b', 'image-tags': '1.0' },
      'image',
      /when image-tags is set/,
    ],
  ];
  for (const [action, inputs, input, message] of cases) {
    it(`${action}: ${input}`, async () => {
      const job = await newJob();
      try {
        const result = await runActionStep(action, { bento: 'iris_service:v1', ...inputs }, job);
        expect(result.exitCode).toBe(1);
        const errors = result.annotations.filter((a) => a.level === 'error');
        expect(errors).toHaveLength(1);
        expect(errors[0]!.properties['title']).toBe(`Invalid input "${input}" (${action.split('/')[1]})`);
        expect(errors[0]!.message).toMatch(message);
        expect(result.outputs).toEqual({});
      } finally {
        await job.cleanup();
      }
    });
  }
});
