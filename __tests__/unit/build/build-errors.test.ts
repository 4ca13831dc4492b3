import { beforeAll, describe, it } from 'vitest';
import { openModelStore, saveModel } from '../../../src/core/model-store.js';
import { expectBuildError, homeWithModels, MODEL_TIME, project } from '../../build-support.js';
import { tempDir, writeExampleModels } from '../../support/store-cli.js';

describe('bentoci build refuses bad input with one line naming the file, the key and the fix, and writes nothing', () => {
  let home: string;
  beforeAll(async () => {
    home = await homeWithModels();
    const { iris } = await writeExampleModels(await tempDir('build-single'));
    await saveModel(openModelStore(home), {
      tag: 'single:v1',
      source: iris,
      batchable: false,
      creationTime: MODEL_TIME,
    });
  });
  const build = async (
    files: Record<string, string>,
    message: RegExp,
    extra: { version?: string; sourceDateEpoch?: string } = {},
  ) => expectBuildError({ home, context: await project(files), ...extra }, message);
  const withApi = (api: string, rest = '') => ({
    'bentofile.yaml': `service:\n  name: svc\n  apis:\n    - name: predict\n${api}${rest}`,
  });

  it('a missing service module', async () => {
    await build(
      { 'bentofile.yaml': 'service: "src/missing.ts:svc"\n' },
      /^bentofile.yaml:1:10: service: module "src\/missing.ts" not found in .+: create it or fix the path$/,
    );
  });

  it('a model tag that is not in the store', async () => {
    await build(
      withApi('      model: nope:latest\n'),
      /^bentofile.yaml:5:14: service.apis\[0\].model: model "nope:latest" is not in the store \(.+\): save it with `save-model\(nope PATH\)` or fix the tag$/,
    );
    await build(
      withApi('      model: iris:v9\n'),
      /service.apis\[0\].model: model "iris:v9" is not in the store/,
    );
    await build(
      { ...withApi('      model: iris:v1\n', 'models: [ghost]\n') },
      /^bentofile.yaml:6:10: models\[0\]: model "ghost" is not in the store/,
    );
  });

  it('an include glob matching nothing', async () => {
    await build(
      { ...withApi('      model: iris:v1\n', 'include: ["src/**", "docs/**"]\n'), 'src/a.ts': '' },
      /^bentofile.yaml:6:21: include\[1\]: "docs\/\*\*" matches no file in .+: fix the pattern or remove it$/,
    );
  });

  it('a YAML syntax error, with line and column', async () => {
    await build(
      { 'bentofile.yaml': 'service:\n  name: svc\n  apis: [\n' },
      /^bentofile.yaml:4:1: YAML syntax error: .+ \(fix the YAML at line 4, column 1\)$/,
    );
  });

  it('a cuda_version that is not a known CUDA release', async () => {
    await build(
      withApi('      model: iris:v1\n', 'docker:\n  cuda_version: "12.7"\n'),
      /^bentofile.yaml:7:17: docker.cuda_version: "12.7" is not a known CUDA release: use a known CUDA release such as /,
    );
  });

  it('a batching value out of range', async () => {
    await build(
      withApi('      model: iris:v1\n      batching: { max_batch_size: 10000, max_latency_ms: 5 }\n'),
      /^bentofile.yaml:6:35: service.apis\[0\].batching.max_batch_size: expected a whole number from 1 to 4096 \(got 10000\)$/,
    );
    await build(
      withApi('      model: single:v1\n      batching: { enabled: true }\n'),
      /^bentofile.yaml:6:28: service.apis\[0\].batching.enabled: model single:v1 is not batchable \(saved as not batchable\): set batching.axes to batch it, or enabled: false$/,
    );
  });

  it('an unknown key, with a suggestion', async () => {
    await build(
      withApi('      model: iris:v1\n      batchng: { max_batch_size: 4 }\n'),
      /^bentofile.yaml:6:7: unknown key "batchng" in service.apis\[0\]: did you mean "batching"\?$/,
    );
  });

  it('a signature the model does not have, and files the bentofile names that do not exist', async () => {
    await build(
      withApi('      model: iris:v1\n      method: predict\n'),
      /^bentofile.yaml:6:15: service.apis\[0\].method: model iris:v1 has no signature "predict": use one of run$/,
    );
    await build(
      withApi('      model: iris:v1\n', 'docker: { setup_script: setup.sh }\n'),
      /^bentofile.yaml:6:25: docker.setup_script: "setup.sh" not found in .+: create it or fix the path$/,
    );
    await build(
      withApi('      model: iris:v1\n', 'node: { lockfile: package-lock.json }\n'),
      /node.lockfile: "package-lock.json" not found/,
    );
    await build(
      withApi('      model: iris:v1\n', 'description: "file: README.md"\n'),
      /^bentofile.yaml:6:14: description: file "README.md" not found/,
    );
    await build(
      { 'other.yaml': '' },
      /^bentofile.yaml not found: create a bentofile.yaml in the build context/,
    );
  });

  it('a service module that does not declare its APIs properly', async () => {
    const module = (code: string) => ({
      'bentofile.yaml': 'service: "service.ts:svc"\n',
      'service.ts': code,
    });
    await build(
      module('export const other = {};\n'),
      /^service module service.ts has no export "svc" \(it exports other\): export the service or fix the name after ":"$/,
    );
    await build(
      module("export const svc = { name: 'svc', apis: { predict: { model: 'iris:v1', batchng: {} } } };\n"),
      /^service.ts \(export "svc"\): unknown key "batchng" in apis.predict: did you mean "batching"\?$/,
    );
    await build(
      module("export const svc = { apis: { predict: { model: 'iris:v1' } } };\n"),
      /^bentofile.yaml:1:10: service: the module's export has no name: add name: "my_service" to it, or name: to bentofile.yaml$/,
    );
    await build(
      module("export const svc = { name: 'svc', apis: { predict: { model: 'nope' } } };\n"),
      /^service.ts \(export "svc"\): apis.predict.model: model "nope" is not in the store/,
    );
    await build(
      module('export const svc = {;\n'),
      /^service.ts:1:21: service module service.ts does not compile: /,
    );
    await build(
      module("import x from 'not-installed-anywhere';\nexport const svc = x;\n"),
      /does not compile: Could not resolve "not-installed-anywhere".* list the package in node.packages/,
    );
    await build(
      module("throw new Error('boom at import');\n"),
      /^service module service.ts fails to load: boom at import; fix the module/,
    );
  });

  it('bad flags and environment', async () => {
    await build(
      withApi('      model: iris:v1\n'),
      /^invalid `?version`? "V1": the version has upper-case letters/,
      { version: 'V1' },
    );
    await build(
      withApi('      model: iris:v1\n'),
      /^invalid SOURCE_DATE_EPOCH "yesterday": expected whole seconds since 1970-01-01 UTC/,
      { sourceDateEpoch: 'yesterday' },
    );
  });
});
