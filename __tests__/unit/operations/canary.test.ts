/**
 * The canary operation's options, as both front doors hand them over: one schema whose errors carry
 * the option's key, rendered as the CLI's flag and as bento-canary's input; its defaults are the ones
 * action.yml declares; the verify gate names its option however the front door spells it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canaryInputs } from '../../../src/actions/inputs.js';
import { actionNaming } from '../../../src/actions/naming.js';
import { CLI_NAMING } from '../../../src/cli/naming.js';
import { BentoError, OptionError, OptionErrors } from '../../../src/core/errors.js';
import {
  CANARY_DEFAULTS,
  type CanaryOptionsInput,
  canaryOptionsSchema,
  runCanary,
} from '../../../src/operations/canary.js';
import { parseOptions } from '../../../src/operations/options.js';
import { readActionYml } from '../../support/action-harness.js';

const ACTION = actionNaming(Object.keys(canaryInputs));
const SIDES = { baseline: 'http://127.0.0.1:9/a', candidate: 'http://127.0.0.1:9/b' };

function optionError(values: CanaryOptionsInput): OptionError {
  try {
    parseOptions(canaryOptionsSchema, values);
  } catch (err) {
    if (err instanceof OptionError) return err;
    throw err;
  }
  throw new Error('expected an option error');
}

describe('canary options', () => {
  it("has action.yml's defaults, and reads the action's default values", async () => {
    const yml = await readActionYml('actions/bento-canary');
    const defaults = {
      concurrency: yml.inputs['concurrency']?.default,
      warmup: yml.inputs['warmup']?.default,
      seed: yml.inputs['seed']?.default,
      order: yml.inputs['order']?.default,
      timeout: yml.inputs['timeout']?.default,
      readyTimeout: yml.inputs['ready-timeout']?.default,
    };
    expect(defaults).toEqual(
      Object.fromEntries(Object.entries(CANARY_DEFAULTS).map(([k, v]) => [k, String(v)])),
    );
    const fromAction = parseOptions(canaryOptionsSchema, {
      ...SIDES,
      ...defaults,
      verify: yml.inputs['verify-policy']?.default,
    });
    expect(fromAction).toEqual(parseOptions(canaryOptionsSchema, SIDES));
    expect(fromAction).toMatchObject({
      concurrency: 1,
      warmup: 10,
      seed: 1,
      order: 'interleaved',
      timeout: 30_000,
      readyTimeout: 120_000,
      verify: 'off',
      env: {},
    });
    expect(fromAction.baseline).toMatchObject({ kind: 'url', url: 'http://127.0.0.1:9/a' });
  });

  it('names the option at fault, as a flag in the CLI and as the input in the action', () => {
    const cases: [CanaryOptionsInput, string, RegExp, RegExp][] = [
      [
        { ...SIDES, requests: '0' },
        'requests',
        /^invalid --requests "0": expected a positive whole number$/,
        /^invalid input "requests" "0"/,
      ],
      [
        { ...SIDES, duration: 'soon' },
        'duration',
        /^invalid --duration "soon": expected a duration such as 30s/,
        /^invalid input "duration" "soon"/,
      ],
      [
        { ...SIDES, readyTimeout: '0s' },
        'readyTimeout',
        /^invalid --ready-timeout "0s": the duration must be positive$/,
        /^invalid input "ready-timeout" "0s"/,
      ],
      [
        { ...SIDES, order: 'random' },
        'order',
        /^invalid --order "random": expected interleaved or paired$/,
        /input "order"/,
      ],
      [
        { ...SIDES, verify: 'maybe' },
        'verify',
        /^invalid --verify: expected off, warn or require$/,
        /^invalid input "verify-policy": expected off, warn or require$/,
      ],
      [
        { candidate: SIDES.candidate },
        'baseline',
        /^--baseline is required: a URL, bento or model tag/,
        /^input "baseline" is required/,
      ],
      [
        { ...SIDES, candidate: 'oci://ghcr.io/acme/iris' },
        'candidate',
        /add a :tag or @sha256/,
        /^invalid input "candidate"/,
      ],
      [
        { ...SIDES, promoteTo: `oci://ghcr.io/acme/iris@sha256:${'a'.repeat(64)}` },
        'promoteTo',
        /^invalid --promote-to ".*": name a tag to move, not a digest$/,
        /^invalid input "promote-to"/,
      ],
      [
        { ...SIDES, requests: 5, duration: '1s' },
        'duration',
        /^give --requests or --duration, not both$/,
        /^give input "requests" or input "duration", not both$/,
      ],
      [
        { ...SIDES, release: '1.4.2' },
        'release',
        /^--release needs --promote-to$/,
        /^input "release-version" needs input "promote-to"$/,
      ],
      [
        { ...SIDES, release: 'one', promoteTo: 'oci://ghcr.io/acme/iris' },
        'release',
        /^invalid --release "one": expected a semantic version/,
        /^invalid input "release-version" "one"/,
      ],
    ];
    for (const [values, key, cli, action] of cases) {
      const err = optionError(values);
      expect(err.option, key).toBe(key);
      expect(err.render(CLI_NAMING), key).toMatch(cli);
      expect(err.render(ACTION), key).toMatch(action);
    }
  });

  it("checks whom the gate trusts by the verify gate's rules, naming the input that sets it", () => {
    const err = optionError({ ...SIDES, verify: 'require' });
    expect(err.option).toBe('pub');
    expect(err.render(CLI_NAMING)).toMatch(/^--verify require needs whom to trust: --pub/);
    expect(err.render(ACTION)).toMatch(
      /^input "verify-policy: require" needs whom to trust: input "verify-key"/,
    );
  });

  it('reports every bad option at once', () => {
    let caught: unknown;
    try {
      parseOptions(canaryOptionsSchema, { ...SIDES, requests: 'many', warmup: '-1', seed: 'x' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(OptionErrors);
    expect((caught as OptionErrors).errors.map((e) => e.option)).toEqual(['requests', 'warmup', 'seed']);
  });

  it('refuses a side that cannot be verified under verify: require, naming the policy as each front door does', async () => {
    // A key in a private environment, as the action hands a key given as PEM text.
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const err = await runCanary(
      { ...SIDES, verify: 'require', pub: 'env://CANARY_TEST_KEY' },
      {
        home: '/nonexistent',
        registry: {},
        keys: { env: { CANARY_TEST_KEY: pem } },
        log: () => undefined,
        warn: () => undefined,
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BentoError);
    expect((err as BentoError).render(CLI_NAMING)).toBe(
      '--verify require: http://127.0.0.1:9/a cannot be verified (only store entries and registry images carry signatures)',
    );
    expect((err as BentoError).render(ACTION)).toMatch(/^input "verify-policy: require": http:/);
  });

  it('warns instead under verify: warn', async () => {
    const warnings: string[] = [];
    // Both sides pass the gate with a warning, then the run stops: URLs have no API signature.
    const err = await runCanary(
      { ...SIDES, verify: 'warn' },
      { home: '/nonexistent', registry: {}, log: () => undefined, warn: (w) => warnings.push(w) },
    ).catch((e: unknown) => e);
    expect(warnings).toHaveLength(2);
    expect((err as BentoError).render(CLI_NAMING)).toMatch(/pass --requests-file with recorded requests/);
  });
});
