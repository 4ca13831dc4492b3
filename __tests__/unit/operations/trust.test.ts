/**
 * Whom a verification trusts and the verify gate (src/operations/trust.ts): each rule across the
 * options is written once, and both front doors reach it. Every case is given twice, as CLI flags
 * (rendered as `--flags`) and as the inputs of an action (rendered as input names), and must fail on
 * the same option with the same words.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkVerifyInputs, pushInputs } from '../../../src/actions/inputs.js';
import { actionNaming, inputOf } from '../../../src/actions/naming.js';
import { verifyGateFrom } from '../../../src/actions/steps/keys.js';
import { CLI_NAMING } from '../../../src/cli/naming.js';
import { verifyGate } from '../../../src/cli/verify-gate.js';
import {
  isKeyless,
  openVerifyGate,
  parseTrustOptions,
  parseVerifyGateOptions,
} from '../../../src/operations/trust.js';
import { generateKeyPair } from '../../../src/sign/index.js';
import { optionErrors, optionErrorsAsync, pushInputsOf } from '../../support/option-errors.js';

const PUSH_INPUTS = Object.keys(pushInputs);
const ACTION = actionNaming(PUSH_INPUTS);
const ISSUER = 'https://token.actions.githubusercontent.com';
const IDENTITY = 'https://github.com/acme/models/.github/workflows/release.yml@refs/heads/main';

interface Case {
  name: string;
  flags: Record<string, unknown>;
  inputs: Record<string, string>;
  /** The option at fault, the input the action names for it, and the message through each door. */
  key: string;
  input: string;
  cli: string;
  action: string;
}

const CASES: Case[] = [
  {
    name: 'an identity both exact and by regexp',
    flags: {
      certificateIdentity: IDENTITY,
      certificateIdentityRegexp: '^https://',
      certificateOidcIssuer: ISSUER,
    },
    inputs: {
      'verify-certificate-identity': IDENTITY,
      'verify-certificate-identity-regexp': '^https://',
      'verify-certificate-oidc-issuer': ISSUER,
    },
    key: 'certificateIdentityRegexp',
    input: 'verify-certificate-identity-regexp',
    cli: '--certificate-identity and --certificate-identity-regexp exclude each other',
    action:
      'input "verify-certificate-identity" and input "verify-certificate-identity-regexp" exclude each other',
  },
  {
    name: 'a key beside a keyless signer',
    flags: { pub: 'k.pub', certificateIdentity: IDENTITY, certificateOidcIssuer: ISSUER },
    inputs: {
      'verify-key': 'k.pub',
      'verify-certificate-identity': IDENTITY,
      'verify-certificate-oidc-issuer': ISSUER,
    },
    key: 'pub',
    input: 'verify-key',
    cli: '--pub and --certificate-identity exclude each other: trust a key or a keyless signer, not both',
    action:
      'input "verify-key" and input "verify-certificate-identity" exclude each other: trust a key or a keyless signer, not both',
  },
  {
    name: 'an identity without its issuer',
    flags: { verify: 'require', certificateIdentity: IDENTITY },
    inputs: { 'verify-policy': 'require', 'verify-certificate-identity': IDENTITY },
    key: 'certificateOidcIssuer',
    input: 'verify-certificate-oidc-issuer',
    cli: `--certificate-oidc-issuer is required with --certificate-identity: the OIDC issuer to accept (e.g. ${ISSUER})`,
    action: `input "verify-certificate-oidc-issuer" is required with input "verify-certificate-identity": the OIDC issuer to accept (e.g. ${ISSUER})`,
  },
  {
    name: 'an issuer without an identity',
    flags: { certificateOidcIssuer: ISSUER },
    inputs: { 'verify-certificate-oidc-issuer': ISSUER },
    key: 'certificateIdentity',
    input: 'verify-certificate-identity',
    cli: '--certificate-identity is required with --certificate-oidc-issuer',
    action: 'input "verify-certificate-identity" is required with input "verify-certificate-oidc-issuer"',
  },
  {
    name: 'a trusted root without a keyless signer',
    flags: { trustedRoot: 'root.json' },
    inputs: { 'verify-trusted-root': 'root.json' },
    key: 'trustedRoot',
    input: 'verify-trusted-root',
    cli: '--trusted-root is for keyless verification: set --certificate-identity and --certificate-oidc-issuer too',
    action:
      'input "verify-trusted-root" is for keyless verification: set input "verify-certificate-identity" and input "verify-certificate-oidc-issuer" too',
  },
  {
    name: 'an SCT waiver without a keyless signer',
    flags: { insecureIgnoreSct: true },
    inputs: { 'verify-insecure-ignore-sct': 'true' },
    key: 'insecureIgnoreSct',
    input: 'verify-insecure-ignore-sct',
    cli: '--insecure-ignore-sct is for keyless verification',
    action: 'input "verify-insecure-ignore-sct" is for keyless verification',
  },
  {
    name: 'an identity regexp that does not compile',
    flags: { certificateIdentityRegexp: '([', certificateOidcIssuer: ISSUER },
    inputs: { 'verify-certificate-identity-regexp': '([', 'verify-certificate-oidc-issuer': ISSUER },
    key: 'certificateIdentityRegexp',
    input: 'verify-certificate-identity-regexp',
    cli: '--certificate-identity-regexp "([" is not a valid regular expression',
    action: 'input "verify-certificate-identity-regexp" "([" is not a valid regular expression',
  },
  {
    name: 'require without anyone to trust',
    flags: { verify: 'require' },
    inputs: { 'verify-policy': 'require' },
    key: 'pub',
    input: 'verify-key',
    cli: '--verify require needs whom to trust: --pub (a public key) or --certificate-identity and --certificate-oidc-issuer (a keyless signer)',
    action:
      'input "verify-policy: require" needs whom to trust: input "verify-key" (a public key) or input "verify-certificate-identity" and input "verify-certificate-oidc-issuer" (a keyless signer)',
  },
];

describe('the verify gate: one set of rules, two front doors', () => {
  for (const c of CASES) {
    it(`${c.name}: the CLI names the flag`, () => {
      const [error, ...rest] = optionErrors(() => parseVerifyGateOptions(c.flags));
      expect(rest).toEqual([]);
      expect(error!.option).toBe(c.key);
      expect(error!.render(CLI_NAMING)).toContain(c.cli);
    });

    it(`${c.name}: the action names the input`, () => {
      const [error, ...rest] = optionErrors(() => checkVerifyInputs(pushInputsOf(c.inputs)));
      expect(rest).toEqual([]);
      expect(error!.option).toBe(c.key);
      // What run.ts's fail() annotates: the input at fault, and the message in the action's words.
      expect(inputOf(error!.option, PUSH_INPUTS)).toBe(c.input);
      expect(error!.render(ACTION)).toContain(c.action);
    });
  }

  it('reports every broken rule at once', () => {
    const errors = optionErrors(() =>
      parseVerifyGateOptions({ verify: 'require', certificateOidcIssuerRegexp: '(', trustedRoot: 'r.json' }),
    );
    expect(errors.map((e) => e.option).sort()).toEqual([
      'certificateIdentity',
      'certificateOidcIssuerRegexp',
      'pub',
    ]);
  });

  it('a bad policy is the verify option', () => {
    const [error] = optionErrors(() => parseVerifyGateOptions({ verify: 'maybe' }));
    expect(error!.option).toBe('verify');
    expect(error!.render(CLI_NAMING)).toBe('invalid --verify: expected off, warn or require');
    expect(error!.render(ACTION)).toBe('invalid input "verify-policy": expected off, warn or require');
  });

  it('accepts a key, a keyless signer, or nobody under off and warn', () => {
    expect(parseVerifyGateOptions({}).verify).toBe('off');
    expect(parseVerifyGateOptions({ verify: 'warn' }).verify).toBe('warn');
    expect(parseVerifyGateOptions({ verify: 'require', pub: 'k.pub' }).pub).toBe('k.pub');
    const keyless = parseVerifyGateOptions({
      verify: 'require',
      certificateIdentityRegexp: '^https://github.com/acme/',
      certificateOidcIssuer: ISSUER,
      insecureIgnoreSct: true,
    });
    expect(isKeyless(keyless)).toBe(true);
    expect(isKeyless(parseTrustOptions({ pub: 'k.pub' }))).toBe(false);
    expect(() => checkVerifyInputs(pushInputsOf({ 'verify-policy': 'warn' }))).not.toThrow();
  });
});

describe('the gate at work', () => {
  it('off never looks the target up; a key is loaded when the gate opens, from a file or PEM text', async () => {
    const gate = await openVerifyGate(parseVerifyGateOptions({ verify: 'off', pub: '/nonexistent.pub' }));
    expect(await gate.check(() => Promise.reject(new Error('looked up')))).toEqual({ status: 'skipped' });

    const dir = await mkdtemp(join(tmpdir(), 'bentoci-trust-'));
    const keys = generateKeyPair();
    await writeFile(join(dir, 'k.pub'), keys.publicKey);
    const cli = await verifyGate({ verify: 'warn', pub: join(dir, 'k.pub') });
    expect(cli).toBeTypeOf('function');
    const env = { workspace: dir, home: join(dir, 'home') } as Parameters<typeof verifyGateFrom>[1];
    const fromText = await verifyGateFrom({ verifyPolicy: 'require', verifyKey: keys.publicKey }, env);
    expect(fromText.policy).toBe('require');
    const fromPath = await verifyGateFrom({ verifyPolicy: 'warn', verifyKey: 'k.pub' }, env);
    expect(fromPath.policy).toBe('warn');
  });

  it('a key that cannot be read fails when the gate opens, as the pub option (verify-key in an action)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bentoci-trust-'));
    const env = { workspace: dir, home: join(dir, 'home') } as Parameters<typeof verifyGateFrom>[1];
    const [cliError] = await optionErrorsAsync(() =>
      verifyGate({ verify: 'require', pub: join(dir, 'none.pub') }),
    );
    expect(cliError!.option).toBe('pub');
    expect(cliError!.render(CLI_NAMING)).toMatch(/^--pub /);
    const [actionError] = await optionErrorsAsync(() =>
      verifyGateFrom({ verifyPolicy: 'require', verifyKey: '-----BEGIN PUBLIC KEY-----\nnot a key\n' }, env),
    );
    expect(actionError!.option).toBe('pub');
    expect(actionError!.render(ACTION)).toMatch(/^input "verify-key"/);
  });
});
