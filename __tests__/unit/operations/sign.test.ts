/**
 * Who signs (src/operations/sign.ts): the rules across the signing options are written once and
 * both front doors reach them. Each case is given as CLI flags (rendered as `--flags`) and as an
 * action's inputs (rendered as input names), and fails on the same option with the same words.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSignInputs, pushInputs } from '../../../src/actions/inputs.js';
import { actionNaming, inputOf } from '../../../src/actions/naming.js';
import { signingFrom } from '../../../src/actions/steps/keys.js';
import { CLI_NAMING } from '../../../src/cli/naming.js';
import { parseOptions } from '../../../src/operations/options.js';
import {
  attestSigningSchema,
  describeSigning,
  signArtifactSchema,
  signingOf,
} from '../../../src/operations/sign.js';
import { generateKeyPair } from '../../../src/sign/index.js';
import { optionErrors, optionErrorsAsync, pushInputsOf } from '../../support/option-errors.js';

const PUSH_INPUTS = Object.keys(pushInputs);
const ACTION = actionNaming(PUSH_INPUTS);

const KEY = generateKeyPair();

interface Case {
  name: string;
  flags: Record<string, unknown>;
  inputs: Record<string, string>;
  key: string;
  input: string;
  cli: string;
  action: string;
}

const CASES: Case[] = [
  {
    name: 'a key and keyless at once',
    flags: { key: 'k.key', keyless: true },
    inputs: { 'sign-key': KEY.privateKey, 'sign-keyless': 'true' },
    key: 'keyless',
    input: 'sign-keyless',
    cli: '--keyless and --key exclude each other: sign with a key or keyless, not both',
    action:
      'input "sign-keyless" and input "sign-key" exclude each other: sign with a key or keyless, not both',
  },
  {
    name: 'a Fulcio URL without keyless',
    flags: { key: 'k.key', fulcioUrl: 'https://fulcio.example' },
    inputs: { 'sign-key': KEY.privateKey, 'sigstore-fulcio-url': 'https://fulcio.example' },
    key: 'fulcioUrl',
    input: 'sigstore-fulcio-url',
    cli: '--fulcio-url is for keyless signing: add --keyless',
    action: 'input "sigstore-fulcio-url" is for keyless signing: add input "sign-keyless"',
  },
  {
    name: 'attestations without a signer',
    flags: { attest: 'provenance,sbom' },
    inputs: { attest: 'provenance,sbom' },
    key: 'attest',
    input: 'attest',
    cli: '--attest needs a signer: --key (a private key) or --keyless',
    action: 'input "attest" needs a signer: input "sign-key" (a private key) or input "sign-keyless"',
  },
  {
    name: 'a Rekor URL that is not a URL',
    flags: { keyless: true, rekorUrl: 'rekor' },
    inputs: { 'sign-keyless': 'true', 'sigstore-rekor-url': 'rekor' },
    key: 'rekorUrl',
    input: 'sigstore-rekor-url',
    cli: 'invalid --rekor-url: expected an http(s) URL',
    action: 'invalid input "sigstore-rekor-url": expected an http(s) URL',
  },
];

describe('signing options: one set of rules, two front doors', () => {
  for (const c of CASES) {
    it(`${c.name}: the CLI names the flag`, () => {
      const [error, ...rest] = optionErrors(() => parseOptions(attestSigningSchema, c.flags));
      expect(rest).toEqual([]);
      expect(error!.option).toBe(c.key);
      expect(error!.render(CLI_NAMING)).toContain(c.cli);
    });

    it(`${c.name}: the action names the input`, () => {
      const [error, ...rest] = optionErrors(() => checkSignInputs(pushInputsOf(c.inputs)));
      expect(rest).toEqual([]);
      expect(error!.option).toBe(c.key);
      expect(inputOf(error!.option, PUSH_INPUTS)).toBe(c.input);
      expect(error!.render(ACTION)).toContain(c.action);
    });
  }

  it('attestation kinds: a comma list or a list, none for none, an unknown one named', () => {
    expect(parseOptions(attestSigningSchema, { attest: 'sbom, provenance,sbom', key: 'k' }).attest).toEqual([
      'sbom',
      'provenance',
    ]);
    expect(parseOptions(attestSigningSchema, { attest: ['provenance'], keyless: true }).attest).toEqual([
      'provenance',
    ]);
    expect(parseOptions(attestSigningSchema, { attest: 'none' }).attest).toEqual([]);
    const [error] = optionErrors(() =>
      parseOptions(attestSigningSchema, { attest: 'provenance,slsa', key: 'k' }),
    );
    expect(error!.render(CLI_NAMING)).toBe(
      'invalid --attest "slsa": expected a comma list of provenance, sbom, or none',
    );
  });

  it('--no-tlog only means something keyless; sign needs a signer, and keeps creator and timestamp', () => {
    const [tlog] = optionErrors(() => parseOptions(attestSigningSchema, { key: 'k', tlog: false }));
    expect(tlog!.render(CLI_NAMING)).toBe('--tlog false is for keyless signing: add --keyless');
    const errors = optionErrors(() => parseOptions(signArtifactSchema, { annotation: { creator: 'me' } }));
    expect(errors.map((e) => e.render(CLI_NAMING))).toEqual([
      'signing needs --key KEY (a private key) or --keyless (Sigstore, with an OIDC identity)',
      'invalid --annotation: creator and timestamp are set by bentoci; choose other keys',
    ]);
    const [format] = optionErrors(() => parseOptions(signArtifactSchema, { key: 'k', format: 'x' }));
    expect(format!.render(CLI_NAMING)).toBe(
      'invalid --format: expected bentoci (the default) or oms (OpenSSF model signing v1.0)',
    );
  });
});

describe('the signer', () => {
  it('a key from a file (CLI) or as PEM text with its password (action) signs alike', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bentoci-sign-'));
    const locked = generateKeyPair('s3cret');
    await writeFile(join(dir, 'k.key'), KEY.privateKey);
    const fromFile = await signingOf({ key: join(dir, 'k.key') });
    expect(fromFile?.kind).toBe('key');
    const env = { workspace: dir, home: join(dir, 'home') } as Parameters<typeof signingFrom>[1];
    const fromText = await signingFrom({ signKey: locked.privateKey, signKeyPassword: 's3cret' }, env);
    expect(fromText && describeSigning(fromText)).toMatch(/^with key [0-9a-f]{12}$/);
    expect(await signingFrom({}, env)).toBeUndefined();
  });

  it('a locked key without its password, and keyless without a token, fail as their options', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bentoci-sign-'));
    const env = { workspace: dir, home: join(dir, 'home') } as Parameters<typeof signingFrom>[1];
    const [locked] = await optionErrorsAsync(() =>
      signingFrom({ signKey: generateKeyPair('pw').privateKey }, env),
    );
    expect(locked!.option).toBe('key');
    expect(locked!.render(ACTION)).toMatch(/^input "sign-key": the key is encrypted/);
    // No token anywhere: outside GitHub Actions, with no variable named.
    const saved = process.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
    delete process.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
    try {
      const [keyless] = await optionErrorsAsync(() => signingOf({ keyless: true }));
      expect(keyless!.option).toBe('keyless');
      expect(keyless!.render(CLI_NAMING)).toContain('keyless signing needs an OIDC identity token');
      const [named] = await optionErrorsAsync(() =>
        signingOf({ keyless: true, identityTokenEnv: 'BENTOCI_TEST_NO_SUCH_TOKEN' }),
      );
      expect(named!.render(CLI_NAMING)).toMatch(/^--identity-token-env BENTOCI_TEST_NO_SUCH_TOKEN/);
    } finally {
      if (saved !== undefined) process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = saved;
    }
  });
});
