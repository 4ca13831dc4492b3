/**
 * How an action spells what messages below it name: an option is the action's input that sets it
 * (`pub` -> `verify-key`), and an operation is the action that runs it, or the CLI command where no
 * action does. An option the action has no input for is named as the library names it.
 */

import { CLI_NAMING } from '../cli/naming.js';
import {
  LIBRARY_NAMING,
  type Naming,
  type OperationName,
  type OperationRef,
  type OptionRef,
} from '../core/user-text.js';

/** Option keys whose input is not the key in kebab case. */
const INPUT_OF: Readonly<Record<string, string>> = {
  key: 'sign-key',
  keyless: 'sign-keyless',
  password: 'registry-password',
  passwordEnv: 'sign-key-password',
  username: 'registry-username',
  fulcioUrl: 'sigstore-fulcio-url',
  rekorUrl: 'sigstore-rekor-url',
  pub: 'verify-key',
  verify: 'verify-policy',
  certificateIdentity: 'verify-certificate-identity',
  certificateIdentityRegexp: 'verify-certificate-identity-regexp',
  certificateOidcIssuer: 'verify-certificate-oidc-issuer',
  trustedRoot: 'verify-trusted-root',
  insecureIgnoreSct: 'verify-insecure-ignore-sct',
  release: 'release-version',
  to: 'registry',
  tag: 'tags',
  label: 'labels',
  annotation: 'annotations',
};

/** Operations an action runs, as a noun that fits "sign it with ..."; the rest as the CLI runs them. */
const ACTION_OF: Readonly<Partial<Record<OperationName, string>>> = {
  build: 'bento-build',
  containerize: 'bento-containerize',
  push: 'bento-push',
  'save-model': "bento-build's models input",
  sign: 'the sign-key or sign-keyless input',
};

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The input that sets option `key` in an action with these inputs, if it has one. */
export function inputOf(key: string, inputs: readonly string[]): string | undefined {
  const name = INPUT_OF[key] ?? kebab(key);
  return inputs.includes(name) ? name : undefined;
}

/** The naming for one action, given the names of its inputs (its action.yml). */
export function actionNaming(inputs: readonly string[]): Naming {
  const option = (ref: OptionRef): string => {
    const input = inputOf(ref.key, inputs);
    if (!input) return LIBRARY_NAMING.option(ref);
    return ref.value === undefined ? `input "${input}"` : `input "${input}: ${ref.value}"`;
  };
  const operation = (ref: OperationRef): string => ACTION_OF[ref.operation] ?? CLI_NAMING.operation(ref);
  return { option, operation };
}
