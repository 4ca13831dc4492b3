/**
 * docs/actions.md carries each action's input and output tables, generated from its action.yml
 * between `<!-- action-tables:DIR -->` and `<!-- /action-tables -->`. This test fails when a table is
 * out of date; `BENTOCI_UPDATE_DOCS=1 npx vitest run __tests__/unit/actions/actions-docs.test.ts` rewrites them.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type ActionYml, readActionYml, repoPath } from '../../support/action-harness.js';

const DOC = repoPath('docs', 'actions.md');
const BLOCK = /<!-- action-tables:([^ ]+) -->\n[\s\S]*?<!-- \/action-tables -->/g;

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function actionTables(action: ActionYml): string {
  const inputs = Object.entries(action.inputs).map(
    ([name, spec]) =>
      `| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${spec.default === undefined ? '' : `\`${cell(spec.default)}\``} | ${cell(spec.description)} |`,
  );
  const outputs = Object.entries(action.outputs).map(
    ([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`,
  );
  return [
    '| Input | Required | Default | Description |',
    '| --- | --- | --- | --- |',
    ...inputs,
    '',
    '| Output | Description |',
    '| --- | --- |',
    ...outputs,
  ].join('\n');
}

async function actionDirs(): Promise<string[]> {
  return ['.', ...(await readdir(repoPath('actions'))).sort().map((d) => `actions/${d}`)].filter((d) =>
    existsSync(repoPath(d, 'action.yml')),
  );
}

describe('docs/actions.md', () => {
  it('has a current table block for every action', async () => {
    const text = await readFile(DOC, 'utf8');
    const documented = [...text.matchAll(BLOCK)].map((m) => m[1]);
    const missing = (await actionDirs()).filter((d) => !documented.includes(d));
    expect(
      missing,
      'add <!-- action-tables:DIR --><!-- /action-tables --> for these to docs/actions.md',
    ).toEqual([]);

    const tables = new Map<string, string>();
    for (const dir of documented) tables.set(dir!, actionTables(await readActionYml(dir!)));
    const fresh = text.replace(
      BLOCK,
      (_, dir: string) => `<!-- action-tables:${dir} -->\n${tables.get(dir)}\n<!-- /action-tables -->`,
    );
    if (process.env['BENTOCI_UPDATE_DOCS'] === '1' && fresh !== text) await writeFile(DOC, fresh);
    else
      expect(
        text === fresh,
        'docs/actions.md tables are stale: BENTOCI_UPDATE_DOCS=1 npx vitest run __tests__/unit/actions/actions-docs.test.ts',
      ).toBe(true);
  });

  it('says which steps get the cache service token', async () => {
    const text = await readFile(DOC, 'utf8');
    expect(text).toContain('ACTIONS_RUNTIME_TOKEN');
    expect(text).toContain('ACTIONS_RESULTS_URL');
  });
});
