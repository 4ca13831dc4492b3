/**
 * bento-push's manifests inputs: validated like every input (a bad kind names the input), and the
 * step that writes the kustomize directory for the image it pushed, pinned to the pushed digest, so
 * a workflow can upload or commit it (the manifests-dir output).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ACTION_INPUTS, type InputError, pushInputs, readInputs } from '../../../src/actions/inputs.js';
import { actionNaming, inputOf } from '../../../src/actions/naming.js';
import { RunReport } from '../../../src/actions/report.js';
import type { ActionRun } from '../../../src/actions/run.js';
import { manifestsStep } from '../../../src/actions/steps/manifests.js';
import { buildBento } from '../../../src/build/build.js';
import { OptionError } from '../../../src/core/errors.js';
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
    // The namespace by the manifests' own rule, when the inputs are read: before anything is pushed.
    let namespaceError: unknown;
    try {
      readInputs(pushInputs, reader({ ...base, manifests: 'k8s', 'manifests-namespace': 'ML' }));
    } catch (err) {
      namespaceError = err;
    }
    expect(String(namespaceError)).toMatch(/input "manifests-namespace": "ML" is not a Kubernetes name/);
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

    // A bad option the step set is the fault of the input it came from, as the action reports it.
    const error = await manifestsStep(run, { workspace, temp: workspace, home }, bento, {
      dir: 'deploy/bad',
      kind: 'deployment',
      namespace: 'Not_A_Name',
      image: { to: { registry: 'ghcr.io', repository: 'acme/iris', tag: 'v1' }, digest },
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OptionError);
    expect((error as OptionError).option).toBe('manifestsNamespace');
    const inputs = Object.keys(ACTION_INPUTS['bento-push']);
    expect(inputOf((error as OptionError).option, inputs)).toBe('manifests-namespace');
    expect((error as OptionError).render(actionNaming(inputs))).toMatch(
      /^invalid input "manifests-namespace": "Not_A_Name" is not a Kubernetes name/,
    );
  }, 120_000);
});
