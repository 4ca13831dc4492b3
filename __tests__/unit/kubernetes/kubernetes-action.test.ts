/**
 * bento-push's manifests inputs: validated like every input (a bad kind names the input), and the
 * step that writes the kustomize directory for the image it pushed, pinned to the pushed digest, so
 * a workflow can upload or commit it (the manifests-dir output).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { type InputError, pushInputs, readInputs } from '../../../src/actions/inputs.js';
import { RunReport } from '../../../src/actions/report.js';
import type { ActionRun } from '../../../src/actions/run.js';
import { manifestsStep } from '../../../src/actions/steps/manifests.js';
import { buildBento } from '../../../src/build/build.js';
import { homeWithModels, IRIS_BENTOFILE, project } from '../../build-support.js';
import { validateObject } from '../../support/kubernetes-schemas.js';
import { tempDir } from '../../support/store-cli.js';

const base = { bento: 'iris_classifier', registry: 'oci://127.0.0.1:5000/iris' };
const reader = (values: Record<string, string>) => (name: string) => values[name] ?? '';

describe('bento-push manifests inputs', () => {
  it('reads the directory, kind and namespace, and names a bad kind', () => {
    const inputs = readInputs(
      pushInputs,
      reader({ ...base, manifests: 'deploy/k8s', 'manifests-kind': 'kserve', 'manifests-namespace': 'ml' }),
    );
    expect(inputs).toMatchObject({
      manifests: 'deploy/k8s',
      manifestsKind: 'kserve',
      manifestsNamespace: 'ml',
    });
    expect(readInputs(pushInputs, reader(base)).manifestsKind).toBe('deployment');
    let error: unknown;
    try {
      readInputs(pushInputs, reader({ ...base, 'manifests-kind': 'helm' }));
    } catch (err) {
      error = err;
    }
    const errors = (error as { errors?: InputError[] }).errors ?? [error as InputError];
    expect(errors.map((e) => e.message).join('\n')).toMatch(
      /manifests-kind.*"helm" is not one of: deployment, kserve, knative/,
    );
  });
});

describe('the manifests step', () => {
  it('writes the kustomize directory for the pushed image, by digest, relative to the workspace', async () => {
    const home = await homeWithModels();
    const { bento } = await buildBento({
      home,
      context: await project({ 'bentofile.yaml': `${IRIS_BENTOFILE}resources: { cpu: 2, memory: 2Gi }\n` }),
    });
    const workspace = await tempDir('manifests-workspace');
    const steps: string[] = [];
    const run: ActionRun = {
      name: 'bento-push',
      report: new RunReport(),
      step: async (title, fn) => {
        steps.push(title);
        return fn();
      },
    };
    const digest = `sha256:${'e'.repeat(64)}`;
    const dir = await manifestsStep(run, { workspace, temp: workspace, home }, bento, {
      dir: 'deploy/k8s',
      kind: 'deployment',
      namespace: 'ml',
      image: { to: { registry: 'ghcr.io', repository: 'acme/iris', tag: 'v1' }, digest },
    });
    expect(dir).toBe(join(workspace, 'deploy', 'k8s'));
    expect(steps).toEqual(['Kubernetes manifests (deployment)']);
    const kustomization = YAML.parse(await readFile(join(dir, 'kustomization.yaml'), 'utf8'));
    expect(kustomization.namespace).toBe('ml');
    const [deployment] = YAML.parseAllDocuments(await readFile(join(dir, 'deployment.yaml'), 'utf8')).map(
      (d) => d.toJS(),
    );
    validateObject(deployment);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe(`ghcr.io/acme/iris@${digest}`);
    expect(container.resources.requests).toEqual({ cpu: '2', memory: '2Gi' });
  }, 120_000);
});
