/**
 * What a build reads stays inside the build context (issue #16, finding 8): every path field of the
 * bentofile, as written or through a symbolic link, include globs that name a linked directory, and
 * `models save` of a linked file. Also finding 2 end to end: a dockerfile_template that tries to run
 * code fails the build in one line naming the template, and writes nothing.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBento } from '../../../src/build/build.js';
import { UsageError } from '../../../src/core/errors.js';
import { openModelStore, saveModel } from '../../../src/core/model-store.js';
import { expectBuildError, homeWithModels, IRIS_BENTOFILE, project } from '../../build-support.js';
import { removeTempDirs, snapshot, tempDir, writeExampleModels } from '../../support/store-cli.js';

const SECRET = 'root:$y$j9T$SECRET-HASH:19000:0:99999:7:::\n';

describe('paths the bentofile names', () => {
  let home: string;
  let outside: string;
  beforeAll(async () => {
    home = await homeWithModels();
    outside = await tempDir('outside');
    await writeFile(join(outside, 'shadow'), SECRET);
    await mkdir(join(outside, 'dir'));
    await writeFile(join(outside, 'dir', 'shadow'), SECRET);
  });
  afterAll(removeTempDirs);

  /** A project whose bentofile adds `extra`, with `link` -> the secret outside and `linkdir` -> its dir. */
  async function projectWith(extra: string): Promise<string> {
    const context = await project({ 'bentofile.yaml': `${IRIS_BENTOFILE}${extra}`, 'inside.txt': 'fine\n' });
    await symlink(join(outside, 'shadow'), join(context, 'link'));
    await symlink(join(outside, 'dir'), join(context, 'linkdir'));
    return context;
  }

  const FIELDS: [string, (path: string) => string][] = [
    ['docker.setup_script', (p) => `docker: { setup_script: "${p}" }\n`],
    ['docker.dockerfile_template', (p) => `docker: { dockerfile_template: "${p}" }\n`],
    ['node.lockfile', (p) => `node: { packages: ["lodash@4.17.21"], lockfile: "${p}" }\n`],
    ['description: file', (p) => `description: "file: ${p}"\n`],
  ];

  for (const [field, yaml] of FIELDS) {
    it(`${field}: a path outside the context, as written or through a link, is refused naming the key`, async () => {
      // How the message names the key: `docker\.setup_script: "..."`, `description: file "..."`.
      const key = field.includes('.') ? `${field.replace('.', '\\.')}:` : field;
      const relative = await projectWith(yaml(`../${outside.split('/').at(-1)}/shadow`));
      await expectBuildError(
        { home, context: relative },
        new RegExp(
          `^bentofile\\.yaml:\\d+:\\d+: ${key} "\\.\\./.+/shadow" is outside the build context .+: copy the file into the project`,
        ),
      );
      const absolute = await projectWith(yaml(join(outside, 'shadow')));
      await expectBuildError(
        { home, context: absolute },
        new RegExp(`: ${key} ".+/shadow" is outside the build context`),
      );
      for (const link of ['link', 'linkdir/shadow']) {
        const linked = await projectWith(yaml(link));
        const message = await expectBuildError(
          { home, context: linked },
          new RegExp(
            `^bentofile\\.yaml:\\d+:\\d+: ${key} "${link}" leads through a symbolic link to .+/shadow, outside the build context .+: copy the file into the project instead of linking it$`,
          ),
        );
        expect(message).not.toContain('SECRET-HASH');
      }
    });
  }

  it('service: a module outside the context, as written or through a link, is refused', async () => {
    await writeFile(
      join(outside, 'svc.ts'),
      'export const svc = { name: "x", apis: { predict: { model: "iris:v1" } } };\n',
    );
    const escaping = await project({
      'bentofile.yaml': `service: "../${outside.split('/').at(-1)}/svc.ts:svc"\n`,
    });
    await expectBuildError(
      { home, context: escaping },
      /^bentofile\.yaml:1:10: service: module "\.\.\/.+\/svc\.ts" is outside the build context/,
    );
    const linked = await project({ 'bentofile.yaml': 'service: "svc.ts:svc"\n' });
    await symlink(join(outside, 'svc.ts'), join(linked, 'svc.ts'));
    await expectBuildError(
      { home, context: linked },
      /^bentofile\.yaml:1:10: service: module "svc\.ts" leads through a symbolic link to .+\/svc\.ts, outside the build context/,
    );
  });

  it('a path inside the context, also through a link that stays inside, still builds', async () => {
    const context = await projectWith(
      'description: "file: docs/alias.md"\ndocker: { setup_script: setup.sh }\n',
    );
    await writeFile(join(context, 'README.md'), 'The iris classifier.\n');
    await writeFile(join(context, 'setup.sh'), '#!/bin/sh\n');
    await mkdir(join(context, 'docs'));
    await symlink(join(context, 'README.md'), join(context, 'docs', 'alias.md'));
    const { bento } = await buildBento({ home, context });
    expect(bento.info.description).toBe('The iris classifier.\n');
    expect(await readFile(join(bento.dir, 'env/docker/setup_script'), 'utf8')).toBe('#!/bin/sh\n');
  });

  it('include globs do not follow symbolic links out of the context, even where a pattern names one', async () => {
    const everything = await projectWith('');
    const { bento } = await buildBento({ home, context: everything });
    const sources = bento.info.files.map((f) => f.path).filter((p) => p.startsWith('src/'));
    expect(sources).toEqual(['src/bentofile.yaml', 'src/inside.txt']);

    const named = await projectWith('include: ["inside.txt", "linkdir/shadow"]\n');
    await expectBuildError(
      { home, context: named },
      /^bentofile\.yaml:\d+:\d+: include\[1\]: "linkdir\/shadow" matches only files behind a symbolic link \("linkdir\/shadow" is .+\/dir\/shadow\), which builds do not follow: copy the files into the project$/,
    );
    const star = await projectWith('include: ["inside.txt", "linkdir/*"]\n');
    await expectBuildError(
      { home, context: star },
      /include\[1\]: "linkdir\/\*" matches only files behind a symbolic link/,
    );
    const mixed = await projectWith('include: ["*.txt", "linkdir/**", "link"]\n');
    await expectBuildError({ home, context: mixed }, /include\[1\]: "linkdir\/\*\*" matches no file/);
  });

  it('a dockerfile_template that runs code fails the build in one line naming it, and runs nothing', async () => {
    const marker = join(outside, 'rce-marker');
    const template = [
      '{% extends bento_base_template %}',
      '{% block SETUP_BENTO_USER %}',
      `{{ range.constructor("process.getBuiltinModule('fs').writeFileSync('${marker}', 'pwned')")() }}`,
      '{% endblock %}',
    ].join('\n');
    const context = await project({
      'bentofile.yaml': `${IRIS_BENTOFILE}docker: { dockerfile_template: Dockerfile.template }\n`,
      'Dockerfile.template': template,
    });
    await expectBuildError(
      { home, context },
      /^docker\.dockerfile_template ".*Dockerfile\.template" failed to render: \[Line 3, Column 10\] "constructor" is not allowed: templates can only read their own variables$/,
    );
    expect(existsSync(marker)).toBe(false);
  });
});

describe('models save of a symbolic link', () => {
  afterAll(removeTempDirs);

  it('is refused, naming where the link points, and stores nothing', async () => {
    const home = await tempDir('save-link-home');
    const dir = await tempDir('save-link');
    const { iris } = await writeExampleModels(dir);
    const link = join(dir, 'linked.onnx');
    await symlink(iris, link);
    const store = openModelStore(home);
    const before = await snapshot(home);
    const error = await saveModel(store, { tag: 'iris', source: link }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      `model path "${link}" is a symbolic link to ${iris}: pass that path itself (links are not followed)`,
    );
    expect(await snapshot(home)).toEqual(before);
    // The target itself saves as usual.
    expect((await saveModel(store, { tag: 'iris', source: iris })).info.files.map((f) => f.path)).toEqual([
      'iris.onnx',
    ]);
  });
});
