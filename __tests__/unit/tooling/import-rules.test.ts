/**
 * The README's import rules are a lint check (.dependency-cruiser.cjs, run by `npm run lint`): it
 * passes on the tree and fails, naming the rule, on a fixture tree that breaks each rule.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CONFIG = resolve('.dependency-cruiser.cjs');
const DEPCRUISE = resolve('node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** Without terminal colours, which CI's FORCE_COLOR turns on. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape is what is stripped
const plain = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

async function cruise(cwd: string, paths: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [DEPCRUISE, ...paths, '--config', CONFIG, '--output-type', 'err'],
      { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } },
    );
    return { code: 0, output: plain(stdout + stderr) };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: plain(`${e.stdout ?? ''}${e.stderr ?? ''}`) };
  }
}

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'bentoci-imports-'));
  await writeFile(
    join(root, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true } }),
  );
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe('import rules', () => {
  it('pass on the tree', async () => {
    const { code, output } = await cruise(process.cwd(), ['src', 'runtime']);
    expect(output).toMatch(/no dependency violations found/);
    expect(code).toBe(0);
  }, 120_000);

  it.each([
    [
      'front-doors-on-top',
      'src/registry/push.ts',
      "import { flags } from '../cli/options.js';\nexport const x = flags;\n",
    ],
    [
      'operations-under-front-doors',
      'src/registry/push.ts',
      "import { push } from '../operations/push.js';\nexport const flags = push;\n",
    ],
    [
      'core-over-shared-only',
      'src/core/store.ts',
      "import { flags } from '../registry/push.js';\nexport const x = flags;\n",
    ],
    [
      'runtime-over-shared-only',
      'runtime/server.ts',
      "import { flags } from '../src/core/store.js';\nexport const x = flags;\n",
    ],
    [
      'library-apart-from-runtime',
      'src/registry/push.ts',
      "import { y } from '../../runtime/worker.js';\nexport const flags = y;\n",
    ],
  ])(
    'fail on a fixture that breaks %s, naming the rule and the import',
    async (rule, file, text) => {
      const root = await tree({
        'src/cli/options.ts': 'export const flags = 1;\n',
        'src/core/store.ts': 'export const x = 1;\n',
        'src/operations/push.ts': 'export const push = 1;\n',
        'src/registry/push.ts': 'export const flags = 1;\n',
        'runtime/server.ts': 'export const x = 1;\n',
        'runtime/worker.ts': 'export const y = 1;\n',
        [file]: text,
      });
      const { code, output } = await cruise(root, ['src', 'runtime']);
      expect(code).not.toBe(0);
      expect(output).toContain(`error ${rule}: ${file} →`);
    },
    60_000,
  );
});
