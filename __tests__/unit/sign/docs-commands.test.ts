/**
 * docs/signing.md's "Checking a model signature without bentoci" block, run as written (in bash,
 * with the yq Debian and Ubuntu ship, jq and openssl) on a model the CLI saved and signed: the
 * signature verifies, the content files match, and the model.yaml line prints the digest the signed
 * statement holds for model.yaml. With CI=true a missing yq, jq or openssl fails the test.
 */
import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bentoci, removeTempDirs, tempDir, writeExampleModels } from '../../support/store-cli.js';

const tools = ['yq', 'jq', 'openssl', 'base64', 'sha256sum'];
const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
if (missing.length > 0 && process.env['CI'] === 'true')
  throw new Error(`${missing.join(', ')} missing (scripts/install-deps.sh installs them)`);

/** The fenced sh block after `heading` in docs/signing.md. */
async function documentedBlock(heading: string): Promise<string> {
  const doc = await readFile('docs/signing.md', 'utf8');
  const at = doc.indexOf(heading);
  expect(at, `docs/signing.md has no "${heading}"`).toBeGreaterThan(-1);
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(at));
  return block![1]!;
}

afterAll(removeTempDirs);

describe.skipIf(missing.length > 0)(
  `docs/signing.md commands${missing.length ? ` (skipped: no ${missing})` : ''}`,
  () => {
    it('checking a model signature without bentoci works as documented, with Debian yq', async () => {
      const dir = await tempDir('docs-yq');
      const home = join(dir, 'home');
      const { iris } = await writeExampleModels(dir);
      const saved = await bentoci(['models', 'save', 'iris', iris], { home });
      expect(saved.code, saved.stderr).toBe(0);
      const version = (await readdir(join(home, 'models', 'iris'), { withFileTypes: true })).find((e) =>
        e.isDirectory(),
      )!.name;
      const keys = await bentoci(['keygen', '--out', join(dir, 'ci')], { home });
      expect(keys.code, keys.stderr).toBe(0);
      const signed = await bentoci(['sign', `iris:${version}`, '--key', join(dir, 'ci.key')], { home });
      expect(signed.code, signed.stderr).toBe(0);
      const entry = join(home, 'models', 'iris', version);
      const [envelope] = await readdir(join(entry, '.signatures'));
      const keyid = envelope!.replace(/\.dsse\.json$/, '');

      // Scratch files go to this test's directory: replaced first, before paths below /tmp enter.
      const script = (await documentedBlock('### Checking a model signature without bentoci'))
        .replaceAll('/tmp/', `${dir}/`)
        .replace('~/bentoci/models/iris/<version>', entry)
        .replace('<keyid>', keyid)
        .replaceAll('ci.pub', join(dir, 'ci.pub'));
      const run = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], { encoding: 'utf8' });
      expect(run.status, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain('Verified OK');
      expect(run.stdout).toMatch(/iris\.onnx: OK/);

      const statement = JSON.parse(await readFile(join(dir, 'statement.json'), 'utf8')) as {
        subject: { name: string; digest: { sha256: string } }[];
      };
      const modelYaml = statement.subject.find((s) => s.name === 'model.yaml')!.digest.sha256;
      const lastLine = run.stdout.trim().split('\n').at(-1)!;
      expect(lastLine).toBe(`${modelYaml}  -`);
    }, 120_000);
  },
);
