/**
 * Containerize with its gate (src/operations/containerize.ts): the options and whom the gate trusts
 * are read before any work, the same way for `bentoci containerize` and bento-containerize.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerizeInputs, readInputs } from '../../../src/actions/inputs.js';
import { actionNaming } from '../../../src/actions/naming.js';
import { containerizePlanFrom } from '../../../src/actions/steps/containerize.js';
import { CLI_NAMING } from '../../../src/cli/naming.js';
import { planContainerize } from '../../../src/operations/containerize.js';
import { generateKeyPair } from '../../../src/sign/index.js';
import { optionErrorsAsync as optionErrors } from '../../support/option-errors.js';

const ACTION = actionNaming(Object.keys(containerizeInputs));

async function runner() {
  const dir = await mkdtemp(join(tmpdir(), 'bentoci-containerize-'));
  return {
    dir,
    env: { workspace: dir, home: join(dir, 'home') } as Parameters<typeof containerizePlanFrom>[1],
  };
}

function inputsOf(values: Record<string, string>) {
  return readInputs(containerizeInputs, (name) => ({ bento: 'iris:v1', ...values })[name] ?? '');
}

describe('containerize options', () => {
  it('defaults: no gate, the host network, the default tag', async () => {
    const plan = await planContainerize({});
    expect(plan.gate.policy).toBe('off');
    expect(plan.options).toMatchObject({ tag: [], network: 'host', noCache: false, dockerfileOnly: false });
  });

  it('--output only with --dockerfile-only, and every bad option at once', async () => {
    const errors = await optionErrors(() => planContainerize({ output: 'Dockerfile', verify: 'require' }));
    expect(errors.map((e) => e.render(CLI_NAMING))).toEqual([
      '--verify require needs whom to trust: --pub (a public key) or --certificate-identity and --certificate-oidc-issuer (a keyless signer)',
      '--output writes the Dockerfile: use it with --dockerfile-only',
    ]);
  });

  it('require without anyone to trust: the flag in the CLI, the input in the action', async () => {
    const [cli] = await optionErrors(() => planContainerize({ verify: 'require' }));
    expect(cli!.option).toBe('pub');
    const { env } = await runner();
    const [action] = await optionErrors(() =>
      containerizePlanFrom(inputsOf({ 'verify-policy': 'require' }), env),
    );
    expect(action!.option).toBe('pub');
    expect(action!.render(ACTION)).toMatch(
      /^input "verify-policy: require" needs whom to trust: input "verify-key"/,
    );
  });

  it('the key is loaded when the plan is made: from a file, or as PEM text from an action', async () => {
    const { dir, env } = await runner();
    const keys = generateKeyPair();
    await writeFile(join(dir, 'k.pub'), keys.publicKey);
    expect((await planContainerize({ verify: 'require', pub: join(dir, 'k.pub') })).gate.policy).toBe(
      'require',
    );
    const plan = await containerizePlanFrom(
      inputsOf({ 'verify-policy': 'warn', 'verify-key': keys.publicKey, tags: 'iris:1\niris:latest' }),
      env,
    );
    expect(plan.gate.policy).toBe('warn');
    expect(plan.options.tag).toEqual(['iris:1', 'iris:latest']);
    const [missing] = await optionErrors(() =>
      containerizePlanFrom(inputsOf({ 'verify-policy': 'require', 'verify-key': 'none.pub' }), env),
    );
    expect(missing!.render(ACTION)).toMatch(/^input "verify-key" "[^"]*none\.pub": cannot read the file/);
  });
});
